"""What the pipeline needs from a speech engine, whichever engine it is.

An engine lists its voices and variants and renders text with given voice settings to
16-bit mono PCM at the voice's own sample rate, with the word and sentence timing it knows
(read-along captions are made from them). Each voice in voices.yaml names its engine;
another offline engine is one more module with a class that has these methods, and one
line in ``catalog.ENGINES``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pipeline.model import Gender, VoiceSettings

#: Every engine hands over 16-bit samples (the clip cache, the levels and the encoders
#: all assume it).
SAMPLE_WIDTH = 2

MarkKind = Literal["word", "sentence"]


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers."""

    id: str  # e.g. "gmw/en-us", "en_US-joe-medium"
    name: str  # e.g. "English (America)"
    language: str  # e.g. "en-us", "en_US"
    gender: Gender  # unknown when the engine does not say (read with ``Gender.of``: eSpeak says "Male")
    speakers: int = 1  # how many speakers the voice holds (a multi-speaker model's)
    quality: str = ""  # the engine's word for it ("medium"), when it has one
    sample_rate: int = 0  # of the voice's audio; 0: the engine's usual
    licence: str = ""  # the voice's own licence, when its model card names one
    source: str = ""  # where it was found: a package, a folder, a file

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoiceInfo:
        """A voice as ``asdict`` wrote it (the voice list cached between runs)."""
        return cls(**{**data, "gender": Gender.of(data.get("gender"))})


@dataclass(frozen=True)
class VariantInfo:
    """A variation an engine can apply to any voice (eSpeak's ``+f3``, ``+klatt``, ...)."""

    name: str
    gender: Gender  # unknown when the engine does not say


@dataclass(frozen=True)
class Mark:
    """Where a word or a sentence starts in a rendered clip."""

    kind: MarkKind
    sample: int  # first sample of the word or sentence in the clip's PCM
    offset: int  # its first character in the text that was rendered (0-based, in code points)
    length: int  # its length in characters


@dataclass(frozen=True)
class Rendering:
    """One rendered text: its sound and where its words and sentences fall in it."""

    pcm: bytes  # 16-bit little-endian mono at the engine's sample rate
    marks: tuple[Mark, ...] = ()  # in order of ``sample``; empty when the engine gives no timing


@runtime_checkable
class SpeechEngine(Protocol):
    """A speech engine, as the pipeline uses one. One instance per process is enough."""

    #: How voices.yaml names it (``engine: espeak``).
    name: str
    #: How credits name it ("eSpeak NG").
    title: str
    #: The voices.yaml keys its voices take; any other is refused where the file is read.
    knobs: tuple[str, ...]
    #: About how many characters of text it speaks in a second of one worker's time: a render
    #: worker is given at most that much at once, so the workers share out the last of the
    #: work evenly instead of one finishing a long batch while the others wait.
    batch_chars: int

    def sample_rate(self, voice: VoiceSettings) -> int:
        """Samples per second of the PCM that ``render`` returns for ``voice``."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """Every voice the engine offers."""
        ...

    def variants(self) -> list[VariantInfo]:
        """Every variant that can be applied to a voice (empty when the engine has none)."""
        ...

    def render(self, text: str, voice: VoiceSettings) -> Rendering:
        """Synthesise ``text`` with ``voice``; raises EngineError for a voice it does not have."""
        ...

    def key(self, voice: VoiceSettings) -> dict[str, Any]:
        """What, besides the text, shapes a clip of ``voice``: its settings, the engine's build
        and the voice's model (a clip's cache key is made of them, so it must be stable)."""
        ...

    def version(self) -> str:
        """Identifies the engine's build (for the Dask workers' fingerprint)."""
        ...

    def started(self) -> bool:
        """True once the engine runs in this process (a process that runs threads of the
        engine's own must not fork workers)."""
        ...


def marks_to_json(marks: Sequence[Mark]) -> str:
    """The marks of a clip as the small JSON stored beside it in the clip cache."""
    return json.dumps([asdict(m) for m in marks], separators=(",", ":"))


def marks_from_json(text: str) -> tuple[Mark, ...]:
    """The inverse of ``marks_to_json``; raises ValueError on anything else."""
    try:
        return tuple(Mark(**m) for m in json.loads(text))
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"not a list of marks: {exc}") from exc
