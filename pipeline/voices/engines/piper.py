"""Piper: neural voices on ONNX Runtime (piper-tts), one model file per voice.

Each render worker loads a voice's model once, into one ONNX session with one intra-op
thread (under load two threads were slower than one; the build runs a worker per core).
Word and sentence marks come from Piper's phoneme alignments, which a model gives once it
is patched (``piper_align``). Piper speaks a text sentence by sentence and normalises each
to full scale; assembly brings every clip, of any engine, to one loudness.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.errors import EngineError
from pipeline.model import VoiceSettings
from pipeline.voices.engines import piper_voices
from pipeline.voices.engines.base import Mark, Rendering, VariantInfo, VoiceInfo
from pipeline.voices.engines.espeak import EspeakEngine
from pipeline.voices.engines.espeak import engine_version as espeak_version

#: Words per minute Piper's voices speak at their own length scale (en_US-joe-medium: 172 on
#: a paragraph of Dickens); ``rate`` in voices.yaml scales the length from it.
NATURAL_WPM = 170

_WORD = re.compile(r"[\w'’-]+")
#: Where a long sentence may be cut for Piper: after a clause.
_CLAUSE = re.compile(r"[,;:—–]\s+|\s[-—–]+\s")
#: The longest text Piper is given at once (see ``parts``).
MAX_PART_CHARS = 160
#: The lexicon's phonemes in a text: eSpeak's, ``[[ste'fan]]``.
_PHONEME_BLOCK = re.compile(r"\[\[.*?\]\]", re.DOTALL)
#: Where Piper (eSpeak's clause finder) ends a sentence: after . ! ? and their like, before a space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def piper_version() -> str:
    try:
        return f"piper-tts={metadata.version('piper-tts')}"
    except metadata.PackageNotFoundError:
        return "piper-tts=none"


def voice_file(voice: VoiceSettings) -> piper_voices.VoiceFile:
    """The files of a Piper voice; EngineError in one line when it is not installed."""
    found = piper_voices.find(voice.voice)
    if found is None:
        raise EngineError(f"no Piper voice {voice.voice!r}; {piper_voices.how_to_install(voice.voice)}")
    return found


def length_scale(rate: int) -> float:
    """voices.yaml's words per minute as Piper's length scale (longer phonemes: slower)."""
    return round(NATURAL_WPM / max(rate, 1), 4)


class PiperEngine:
    """Piper voices; one session per voice model, loaded on first use in this process."""

    name = "piper"
    title = "Piper"  # how credits name it
    knobs: tuple[str, ...] = ("voice", "speaker", "rate", "volume")  # what voices.yaml may set for it
    # 13x real time on one thread: 200 characters are about 13 s of speech and a second of work.
    # A batch of 16 long clips was a minute of one worker's time, and at the end of a build the
    # other worker waited for it (2 chapters took 0.67x Piper's own time on 2 cores, not ~0.5x).
    batch_chars = 200

    def __init__(self) -> None:
        self._sessions: dict[Path, Any] = {}
        self._keys: dict[VoiceSettings, dict[str, Any]] = {}
        self._rates: dict[str, int] = {}

    def started(self) -> bool:
        return bool(self._sessions)

    def version(self) -> str:
        """piper-tts's version and every installed voice model's hash: Dask workers must have the same."""
        models = ",".join(f"{v.id}={piper_voices.model_digest(v)}" for v in piper_voices.installed())
        return f"{piper_version()};{models}"

    def voices(self) -> list[VoiceInfo]:
        return [piper_voices.info(v) for v in piper_voices.installed()]

    def variants(self) -> list[VariantInfo]:
        return []

    def sample_rate(self, voice: VoiceSettings) -> int:
        if voice.voice not in self._rates:
            self._rates[voice.voice] = int(piper_voices.read_config(voice_file(voice))["audio"]["sample_rate"])
        return self._rates[voice.voice]


    def _voice(self, voice: VoiceSettings) -> Any:
        found = voice_file(voice)
        if found.model not in self._sessions:
            self._sessions[found.model] = load(found)
        return self._sessions[found.model]

    def render(self, text: str, voice: VoiceSettings) -> Rendering:
        """Synthesise ``text``: 16-bit mono PCM at the voice's rate, with a sentence mark per sentence
        Piper speaks and a word mark per word (from the phoneme alignments)."""
        from piper import SynthesisConfig

        piper = self._voice(voice)
        speaker = voice.speaker if piper.config.num_speakers > 1 else None
        config = SynthesisConfig(speaker_id=speaker, length_scale=length_scale(voice.rate), volume=voice.volume)
        pcm: list[bytes] = []
        marks: list[Mark] = []
        at = 0
        for a, b, starts_sentence in parts(text):
            said = with_ipa(text[a:b], piper.config.espeak_voice) if "[[" in text else text[a:b]
            try:
                chunks = list(piper.synthesize(said, config, include_alignments=True))
            except Exception as exc:  # onnxruntime raises its own types for a model its config does not fit
                raise EngineError(f"Piper voice {voice.voice} failed ({type(exc).__name__}: {str(exc)[:120]}); its "
                                  f".onnx and .onnx.json may not belong together: download the voice again") from exc
            found = chunk_marks(text[a:b], chunks)
            marks += [replace(m, sample=m.sample + at, offset=m.offset + a) for i, m in enumerate(found)
                      if starts_sentence or i > 0 or m.kind != "sentence"]
            pcm += [c.audio_int16_bytes for c in chunks]
            at += sum(len(c.audio_float_array) for c in chunks)
        return Rendering(b"".join(pcm), tuple(marks))

    def key(self, voice: VoiceSettings) -> dict[str, Any]:
        if voice not in self._keys:  # once per voice and process: a book has thousands of clips
            found = voice_file(voice)
            knobs = {k: v for k, v in asdict(voice).items() if k not in ("variant", "pitch")}
            self._keys[voice] = {"voice": knobs, "engine": piper_version(), "model": piper_voices.model_digest(found),
                                 "rate": self.sample_rate(voice), "marks": 1, "parts": MAX_PART_CHARS,
                                 "phonemes": espeak_version()}  # eSpeak reads the lexicon's [[phonemes]]
        return dict(self._keys[voice])


def with_ipa(text: str, espeak_voice: str) -> str:
    """``text`` with the lexicon's eSpeak phonemes (``[[ste'fan]]``) in IPA (``[[stefˈæn]]``): Piper
    takes raw phonemes in double brackets, but in the IPA its own eSpeak gives, not eSpeak's
    ASCII names. eSpeak NG itself reads them, in the language the voice's eSpeak speaks."""
    espeak = EspeakEngine.shared()
    return _PHONEME_BLOCK.sub(lambda m: f"[[{espeak.ipa(m.group(0), espeak_voice)}]]", text)


def load(found: piper_voices.VoiceFile) -> Any:
    """A PiperVoice on one ONNX session with one thread, from the model patched for alignments."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    from pipeline.voices.engines.piper_align import aligned_model

    config = PiperConfig.from_dict(piper_voices.read_config(found))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about the patched output are expected
    # No memory patterns: ONNX Runtime plans one block per input shape it meets, and every sentence
    # has a shape of its own; those blocks left its arena in pieces that grew over a book. Without
    # them a worker's arena stays as the longest part needs it (274 MB over 8 chapters of The Wizard
    # of Oz, flat from the first), and Piper's CPU time is no worse.
    options.enable_mem_pattern = False
    try:
        session = onnxruntime.InferenceSession(str(aligned_model(found)), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's InvalidProtobuf, Fail, ...
        raise EngineError(f"Piper voice {found.id}: {found.model} is not a usable ONNX model "
                          f"({type(exc).__name__}); download the voice again") from exc
    has_sid = any(i.name == "sid" for i in session.get_inputs())
    if has_sid != (config.num_speakers > 1):
        raise EngineError(f"Piper voice {found.id}: {found.config.name} says {config.num_speakers} speakers but "
                          f"the model {'takes' if has_sid else 'has no'} speaker input; the two files do not match")
    return PiperVoice(session=ThriftySession(session), config=config)


#: How many MB a render worker may grow by past what it held with its voice loaded before it gives
#: its ONNX memory back after the next sentence: above what the longest part needs (274 MB with
#: en_US-joe-medium), so that it is given back only when something grows past that.
MEMORY_BUDGET_MB = int(os.environ.get("AUDIOBOOK_PIPER_BUDGET_MB", "320"))


class ThriftySession:
    """An ONNX session that gives its memory back once its process has grown by MEMORY_BUDGET_MB.

    ONNX Runtime keeps the most any sentence needed in its memory arena, and the arena grows
    over a book as sentences of other lengths leave it in pieces: each worker held 340-355 MB
    after two chapters of *The Wizard of Oz* but 440-460 MB at the end of the book, and the
    build went over 1 GB. Past the budget, the next sentence is run with the arena shrunk when
    it ends, and what the allocator then holds free goes back to the system. Shrinking after
    every sentence cost 15% of Piper's speed (the memory is taken again each time). The budget
    counts growth, not all that is resident: a forked worker's resident pages include those it
    shares with the build (a budget of 300 MB resident gave the arena back after nearly every
    sentence, and the build took 1.33x Piper's CPU instead of 1.16x). Since the sessions run
    without memory patterns (see ``load``) the arena no longer grows over a book, and a budget
    under what the longest part needs (200 MB) gave it back after a quarter of the sentences, for
    7% of Piper's CPU time: the budget is now a guard against growth, not a cost.
    """

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self.session = session
        self._release = onnxruntime.RunOptions()
        self._release.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self._page_mb = os.sysconf("SC_PAGE_SIZE") / 2 ** 20
        self._loaded = self._resident_mb()

    def run(self, names: Any, feed: dict[str, Any]) -> Any:
        if self._resident_mb() - self._loaded <= MEMORY_BUDGET_MB:
            return self.session.run(names, feed)
        out = self.session.run(names, feed, run_options=self._release)
        trim_malloc()
        return out

    def get_inputs(self) -> Any:
        return self.session.get_inputs()

    def _resident_mb(self) -> float:
        try:
            with open("/proc/self/statm", encoding="ascii") as fh:
                return int(fh.read().split()[1]) * self._page_mb
        except (OSError, ValueError, IndexError):  # not Linux: no budget
            return 0.0


@functools.cache
def _libc() -> Any:
    return ctypes.CDLL(None)


def trim_malloc() -> None:
    """Give what glibc's malloc holds free back to the system (elsewhere, nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


def parts(text: str) -> list[tuple[int, int, bool]]:
    """Where to cut a text for Piper, as (start, end, starts a sentence): whole sentences, and a
    sentence longer than MAX_PART_CHARS at its clauses (then words). Piper's memory grows faster
    than a sentence's length (one worker held 250 MB for a 52-character sentence, 525 MB for one of
    170), and a novel has sentences of 600."""
    out: list[tuple[int, int, bool]] = []
    for a, b in sentence_pieces(text) or [(0, len(text))]:
        start = a
        while b - start > MAX_PART_CHARS:
            window = text[start:start + MAX_PART_CHARS]
            cut = max((m.end() for m in _CLAUSE.finditer(window) if m.end() > MAX_PART_CHARS // 3), default=0) or \
                max(window.rfind(" "), 0)
            inside = next((m for m in _PHONEME_BLOCK.finditer(text, a, b) if m.start() < start + cut < m.end()), None)
            if inside is not None:  # never within a word's [[phonemes]]: before it, or after it
                cut = inside.start() - start if inside.start() > start else inside.end() - start
            if cut <= 0 or start + cut >= b:
                break
            out.append((start, start + cut, start == a))
            start += cut
        out.append((start, b, start == a))
    return out


def chunk_marks(text: str, chunks: list[Any]) -> tuple[Mark, ...]:
    """Marks for Piper's output: one sentence per chunk it spoke, words placed by the alignments.

    Piper ends a sentence where eSpeak's clause finder does, which is where ``_SENTENCE_END``
    does; when the counts disagree (an abbreviation read another way) the whole text is one
    stretch and its words are spread over the phonemes by their place in it.
    """
    pieces = sentence_pieces(text)
    if len(pieces) != len(chunks):
        pieces = [(0, len(text))] if chunks else []
    marks: list[Mark] = []
    first = 0
    blocks = [(m.start(), m.end()) for m in _PHONEME_BLOCK.finditer(text)] if "[[" in text else []
    for (a, b), chunk in zip(pieces, chunks, strict=False):
        starts = phoneme_starts(chunk)  # sample of each spoken phoneme's start, from the chunk's start
        words = [_in_block(m.start(), m.end(), blocks) for m in _WORD.finditer(text, a, b)]
        if starts and words:
            marks.append(Mark("sentence", first + starts[0], words[0][0], len(text[words[0][0]:b].rstrip())))
            spaced = _word_starts(chunk)
            for i, (wa, wb) in enumerate(words):
                if len(spaced) == len(words):
                    at = spaced[i]
                else:
                    at = starts[min(len(starts) - 1, (wa - a) * len(starts) // max(b - a, 1))]
                marks.append(Mark("word", first + at, wa, wb - wa))
        first += len(chunk.audio_float_array)
    return tuple(marks)


def _in_block(start: int, end: int, blocks: list[tuple[int, int]]) -> tuple[int, int]:
    """A word's span, or the whole ``[[phonemes]]`` it is in (as eSpeak marks them)."""
    return next(((a, b) for a, b in blocks if a <= start and end <= b), (start, end))


def sentence_pieces(text: str) -> list[tuple[int, int]]:
    """The text cut where Piper ends its sentences, each piece with something to say."""
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    out, start = [], 0
    for end in [*bounds, len(text)]:
        if _WORD.search(text, start, end):
            out.append((start, end))
            start = end
    return out


def phoneme_starts(chunk: Any) -> list[int]:
    """Where each spoken phoneme (not a space or a stress mark) starts in the chunk, in samples."""
    out, at = [], 0
    for a in chunk.phoneme_alignments or ():
        if a.phoneme not in ("^", "$", " ", "ˈ", "ˌ", ",", ".", "!", "?", ";", ":"):
            out.append(at)
        at += int(a.num_samples)
    return out


def _word_starts(chunk: Any) -> list[int]:
    """The sample where each space-separated phoneme word starts (eSpeak may join "was the")."""
    out, at, fresh = [], 0, True
    for a in chunk.phoneme_alignments or ():
        if a.phoneme == " ":
            fresh = True
        elif a.phoneme not in ("^", "$") and fresh and a.phoneme not in ("ˈ", "ˌ"):
            out.append(at)
            fresh = False
        at += int(a.num_samples)
    return out


@functools.cache
def voice_language(name: str) -> str | None:
    """The language a Piper voice speaks (``en_US``), or None when it is not installed."""
    found = piper_voices.find(name)
    return piper_voices.info(found).language if found else None
