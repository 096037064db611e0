"""Casting and hearing voices before building: the voices on offer, the cast, a preview WAV.

``preview`` renders a few of a character's lines, as the build would speak them
(same voice, same lexicon), or a sample sentence for a bare voice id such as
``gmw/en-us+f3``, into ``<build>/previews/``. It never writes voices.yaml: a
character not cast yet is previewed with the voice auto-casting would give it.
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio.synth import apply_lexicon
from pipeline.errors import CastingError
from pipeline.fsutil import atomic_path, slugify
from pipeline.layout import BuildLayout
from pipeline.model import DEFAULT_ENGINE, Analysis, Segment, VoiceSettings, Work
from pipeline.reading.corpus import load_corpus
from pipeline.speakers.analyse import analyse
from pipeline.speakers.pins import load_pins
from pipeline.voices import engine
from pipeline.voices.cast import CastResult, cast_works
from pipeline.voices.casting import Casting, full_voice_id, variant_name
from pipeline.voices.engines import piper_voices
from pipeline.yamlutil import did_you_mean

SAMPLE = "Good evening. The last train left an hour ago, but the café is still open, if you'd like a coffee."
GAP = 0.5  # seconds of silence between previewed lines


@dataclass(frozen=True)
class Preview:
    """A rendered preview: where it is and what it says."""

    path: Path
    voice: VoiceSettings
    lines: tuple[str, ...]  # the texts spoken, before the lexicon


def list_voices(language: str | None = None, engine_name: str = DEFAULT_ENGINE,
                ) -> tuple[list[engine.VoiceInfo], list[engine.VariantInfo]]:
    """The voices an engine offers (those whose language starts with ``language``) and its variants."""
    voices = [v for v in engine.voice_catalog(engine_name)
              if not language or v.language.casefold().replace("_", "-").startswith(
                  language.casefold().replace("_", "-"))]
    return voices, list(engine.variant_catalog(engine_name))


def analyse_corpus(corpus: Path) -> tuple[tuple[Work, ...], list[Analysis]]:
    """The works of a corpus and who speaks in them."""
    works = load_corpus(corpus).works
    return works, [analyse(s.text, load_pins(s.path)) for s in works]


def cast_corpus(corpus: Path, voices: Path) -> CastResult:
    """`audiobook cast`: cast every speaker of the corpus into voices.yaml, without building."""
    return cast_works(voices, *analyse_corpus(corpus), required=True)


def preview(
    name: str, corpus: Path, voices: Path, build_dir: Path, work: str | None = None, count: int = 3,
) -> Preview:
    """Render ``count`` lines of a character (or of the narrator), or a sample for a voice id."""
    if "/" in name or "+" in name or name.startswith("piper:"):  # only voice ids look like this
        return _write(build_dir, name, _voice_id(name), [SAMPLE], {})
    works, analyses = analyse_corpus(corpus)
    casting = cast_works(voices, works, analyses, write=False).casting
    slugs = [s.slug for s in works]
    if work is not None and work not in slugs:
        hint = did_you_mean(work, slugs)
        raise CastingError(None, None, f"no story {work!r}; {hint}stories: {', '.join(slugs)}")
    wanted = [(s, a.segments) for s, a in zip(works, analyses, strict=True) if work in (None, s.slug)]
    entry = casting.canonical(name, work) or casting.entry_named(name)
    if name.casefold() == "narrator" and entry is None:
        found = _lines(wanted, lambda _, seg: seg.kind == "narration", count)
        slug = found[0][0].slug if found else work
        return _write(build_dir, name, casting.narrator(slug), [t for _, t in found] or [SAMPLE], casting.lexicon)
    if entry is None:
        if full_voice_id(name) is not None or piper_voices.find(name) is not None:
            return _write(build_dir, name, _voice_id(name), [SAMPLE], {})
        raise _unknown(name, casting)
    found = _lines(
        wanted, lambda s, seg: seg.kind == "dialogue" and casting.canonical(seg.speaker or "", s.slug) == entry, count)
    slug = found[0][0].slug if found else work
    return _write(build_dir, entry, casting.character(entry, slug), [t for _, t in found] or [SAMPLE],
                  casting.lexicon)


def _voice_id(name: str) -> VoiceSettings:
    """``gmw/en-us``, ``en-us``, ``gmw/en-us+f3`` or a Piper voice (``piper:en_US-joe-medium``) as voice settings."""
    piper_name = name.removeprefix("piper:")
    if name.startswith("piper:") or piper_voices.find(piper_name) is not None:
        if piper_voices.find(piper_name) is None:
            raise CastingError(None, None, f"no Piper voice {piper_name!r}; {piper_voices.how_to_install(piper_name)}")
        return VoiceSettings(piper_name, engine="piper")
    voice, _, variant = name.partition("+")
    full = full_voice_id(voice)
    if full is None:
        raise CastingError(None, None, f"unknown voice {voice!r}; run `audiobook voices` to list them")
    if variant and variant_name(variant) is None:
        raise CastingError(None, None, f"unknown variant {variant!r}; run `audiobook voices` to list them")
    return VoiceSettings(full, variant_name(variant) if variant else None)


def _lines(
    works: Sequence[tuple[Work, Sequence[Segment]]], wanted: Callable[[Work, Segment], bool], count: int,
) -> list[tuple[Work, str]]:
    """The first ``count`` speakable segments that ``wanted`` accepts, in anthology order."""
    out: list[tuple[Work, str]] = []
    for work, segments in works:
        for seg in segments:
            if wanted(work, seg) and any(ch.isalnum() for ch in seg.text):
                out.append((work, _short(" ".join(seg.text.split()))))
                if len(out) == count:
                    return out
    return out


def _short(text: str, limit: int = 240) -> str:
    """A long paragraph of narration cut after a sentence, so a preview stays short."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in (". ", "! ", "? "))
    return text[:cut + 1] if cut > 0 else text[:limit]


def _unknown(name: str, casting: Casting) -> CastingError:
    names = list(casting.spec.characters)
    hint = did_you_mean(name, names)
    return CastingError(
        casting.path, None,
        f"no character or voice {name!r}; {hint}characters: {', '.join(names) or 'none'} "
        "(or a voice id from `audiobook voices`, or `narrator`)",
    )


def _write(build_dir: Path, name: str, voice: VoiceSettings, texts: list[str], lexicon: dict[str, str]) -> Preview:
    eng = engine.engine(voice.engine)
    rate = eng.sample_rate(voice)
    silence = b"\0" * (round(GAP * engine.SAMPLE_RATE) * engine.SAMPLE_WIDTH)
    pcm = silence.join(engine.to_work_rate(eng.render(apply_lexicon(t, lexicon), voice).pcm, rate) for t in texts)
    target = BuildLayout(build_dir).previews / f"{slugify(name.replace('/', '-').replace('+', '-'))}.wav"
    with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(engine.SAMPLE_WIDTH)
        w.setframerate(engine.SAMPLE_RATE)
        w.writeframes(pcm)
    return Preview(target, voice, tuple(texts))
