"""Checking each voice of voices.yaml against the engine that will speak it, where the file is read.

eSpeak silently falls back to its default voice for an unknown name, and a knob an engine
cannot honour would be ignored deep in rendering: both are refused here, naming the key,
its line and what would be valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import CastingError, EngineError
from pipeline.model import DEFAULT_ENGINE
from pipeline.voices import engine
from pipeline.voices.engines import piper_voices
from pipeline.voices.engines.catalog import ENGINES
from pipeline.voices.schema import CastingFile, VoiceSpec
from pipeline.yamlutil import did_you_mean, line_of


def full_voice_id(voice: str) -> str | None:
    """The pyttsx3 id of an eSpeak voice, accepting the short form (``en-us`` for ``gmw/en-us``)."""
    ids = [v.id for v in engine.voice_catalog()]
    if voice in ids:
        return voice
    short = [i for i in ids if i.rsplit("/", 1)[-1] == voice]
    return short[0] if len(short) == 1 else None


def variant_name(variant: str) -> str | None:
    """A variant as eSpeak spells it (it ignores a wrongly cased name silently), or None."""
    names = {v.name.casefold(): v.name for v in engine.variant_catalog()}
    return names.get(variant.casefold())


def blocks(spec: CastingFile) -> Iterator[tuple[tuple[Any, ...], VoiceSpec, str]]:
    """Every voice block of the file with where it is and the engine it speaks with (its own
    ``engine:``, else the one of the block it changes: defaults, the narrator, the character)."""
    base = spec.defaults.engine or DEFAULT_ENGINE
    yield ("defaults",), spec.defaults, base
    narrator = spec.narrator.engine or base
    yield ("narrator",), spec.narrator, narrator
    chars = {}
    for name, char in spec.characters.items():
        chars[name] = char.engine or base
        yield ("characters", name), char, chars[name]
    for slug, work in spec.stories.items():
        if work.narrator is not None:
            yield ("stories", slug, "narrator"), work.narrator, work.narrator.engine or narrator
        for name, vs in work.characters.items():
            yield ("stories", slug, "characters", name), vs, vs.engine or chars.get(name, base)


def check_voices(path: Path, tree: Any, spec: CastingFile) -> None:
    """Every voice names an engine, a voice and knobs that engine has."""
    for loc, vs, engine_name in blocks(spec):
        def fail(key: str, why: str, loc: tuple[Any, ...] = loc) -> CastingError:
            return CastingError(path, ".".join(str(k) for k in (*loc, key)), why, line_of(tree, (*loc, key)))

        if vs.engine is not None and vs.engine not in ENGINES:
            hint = did_you_mean(vs.engine, list(ENGINES))
            raise fail("engine", f"unknown engine {vs.engine!r}; {hint}engines: {', '.join(ENGINES)}")
        takes = engine.engine(engine_name).knobs
        for key in ("variant", "pitch", "speaker"):
            if getattr(vs, key) is not None and key not in takes:
                raise fail(key, f"{engine_name} voices take no {key}; they take {', '.join(takes)}")
        if engine_name == DEFAULT_ENGINE:
            _check_espeak(vs, fail)
        elif engine_name == "piper":
            _check_piper(vs, fail, path.parent)


def _check_espeak(vs: VoiceSpec, fail: Any) -> None:
    if vs.voice is not None and full_voice_id(vs.voice) is None:
        voice_ids = [v.id for v in engine.voice_catalog()]
        shorts = {i.rsplit("/", 1)[-1]: i for i in voice_ids}
        hint = did_you_mean(vs.voice, [*voice_ids, *shorts], shorts)
        piper = " (a Piper voice needs `engine: piper`)" if piper_voices.find(vs.voice) else ""
        raise fail("voice", f"unknown voice {vs.voice!r}{piper}; {hint}run `audiobook voices` to list them")
    if vs.variant is not None and variant_name(vs.variant) is None:
        hint = did_you_mean(vs.variant, [v.name for v in engine.variant_catalog()])
        raise fail("variant", f"unknown variant {vs.variant!r}; {hint}run `audiobook voices` to list them")


def _check_piper(vs: VoiceSpec, fail: Any, base: Path) -> None:
    name = vs.voice
    if name is None:
        if not piper_voices.installed():
            raise fail("engine", f"no Piper voice is installed; {piper_voices.how_to_install('NAME')}")
        return
    found = piper_voices.find(name, base)
    if found is None:
        hint = did_you_mean(name, [v.id for v in piper_voices.installed()])
        raise fail("voice", f"no Piper voice {name!r}; {hint}{piper_voices.how_to_install(name)}; "
                            "`audiobook voices --engine piper` lists those installed")
    try:
        info = piper_voices.info(found)
    except EngineError as exc:
        raise fail("voice", str(exc)) from exc
    if vs.speaker is not None and vs.speaker >= info.speakers:
        has = "one speaker (leave speaker out)" if info.speakers == 1 else f"speakers 0 to {info.speakers - 1}"
        raise fail("speaker", f"{vs.speaker} is out of range; {found.id} has {has}")
