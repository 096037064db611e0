"""The data that flows between the stages of the pipeline.

Every stage takes and returns these frozen dataclasses; nothing here knows
about files, the CLI or audio libraries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

SegmentKind = Literal["narration", "dialogue"]


class Gender(StrEnum):
    """A character's or a voice's gender, as far as known. The values are what files hold
    (manifest.json, voices.yaml comments); engines' own spellings are read with ``of``."""

    male = "M"
    female = "F"
    unknown = "U"

    @classmethod
    def of(cls, text: str | None) -> Gender:
        """``"Male"``, ``"male"``, ``"M"`` -> male; anything unknown -> unknown."""
        first = (text or "").strip()[:1].upper()
        return cls(first) if first in ("M", "F") else cls.unknown

    @property
    def word(self) -> str:
        return {"M": "male", "F": "female", "U": ""}[self.value]

#: Speaker name used for speech by several characters at once ("they all shouted").
GROUP = "_group"
#: How captions name GROUP to a listener.
GROUP_LABEL = "Several voices"


@dataclass(frozen=True)
class Chapter:
    """A stretch of a work read as one unit: one audio file and one chapter mark.

    A short story is a work of one chapter (its whole text); a book has many.
    """

    number: int  # 1-based position within its work
    title: str  # spoken at the start of the chapter and used for tags and chapter marks
    start: int  # character offset into the work's text (the heading, if any, starts here)
    end: int  # exclusive
    body: int = -1  # where the text after the heading starts; -1: at ``start`` (no heading)
    unread: tuple[tuple[int, int], ...] = ()  # stretches of its text not read: its sections' numbers ("II")

    @property
    def text_start(self) -> int:
        return self.start if self.body < 0 else self.body

    def segments(self, segments: Sequence[Segment]) -> tuple[Segment, ...]:
        """The segments of the work's analysis read in this chapter: from its body to its end.

        The heading is not among them (the chapter's title is spoken instead), nor are the
        numbers of its sections; the segments must not cross the chapter's edges or those of
        its unread stretches (see ``split_segments``).
        """
        a = self.text_start
        return tuple(s for s in segments if (a <= s.start < self.end or s.start == s.end == self.end > a)
                     and not any(u <= s.start and s.end <= v and s.start < v for u, v in self.unread))


@dataclass(frozen=True)
class Work:
    """One work of the corpus, a story or a book (.txt, .md or .epub), as read from disk."""

    slug: str  # stable, file-system safe identifier (the file name without .txt)
    title: str  # the title spoken at the start and used for tags and chapters
    path: Path  # where the text came from
    text: str  # the file's text exactly as read; segment offsets index into it
    number: int  # 1-based position in the anthology (track and chapter number)
    chapters: tuple[Chapter, ...] = ()  # the chapters read, in order; () means one chapter: all of it
    author: str | None = None  # the work's own author (a book's), when it names one
    language: str | None = None  # BCP 47, when the work says
    description: str | None = None
    year: str | None = None
    skipped: tuple[Chapter, ...] = ()  # front and back matter found and not read (title page, licence, ...)
    cover: bytes | None = None  # the work's own cover image (an EPUB's), JPEG or PNG
    notes: tuple[str, ...] = ()  # what the user should know about how it was read ("no chapters found ...")

    @property
    def is_book(self) -> bool:
        """A work of several chapters: it gets a folder, an M4B and chapter files of its own."""
        return len(self.chapters) > 1

    def __post_init__(self) -> None:
        if not self.chapters:  # a frozen dataclass sets its derived default this way
            object.__setattr__(self, "chapters", (Chapter(1, self.title, 0, len(self.text)),))



@dataclass(frozen=True)
class Segment:
    """A stretch of a work's text that is either narration or one piece of dialogue.

    The segments of a work tile its text: each starts where the previous ended.
    Dialogue spans exclude the quotation marks; an interrupted quotation gives one
    segment per part, all sharing one ``quote_id``.
    """

    kind: SegmentKind
    start: int  # character offset into Story.text (Python str index)
    end: int  # exclusive
    text: str  # Story.text[start:end]
    speaker: str | None = None  # canonical character name, GROUP, or None for narration
    confidence: float | None = None  # 0..1, how sure attribution is (dialogue only)
    rule: str | None = None  # name of the attribution rule (sieve) that decided
    quote_id: str | None = None  # stable id of the quotation this part belongs to


@dataclass(frozen=True)
class Character:
    """Someone who speaks (or is named) in a work."""

    name: str  # canonical name, e.g. "Stéphane Cara" or "the young woman"
    aliases: tuple[str, ...] = ()  # other ways the text names them
    gender: Gender = Gender.unknown
    lines: int = 0  # number of quotations attributed to them


@dataclass(frozen=True)
class Analysis:
    """What the text stages learned about one text: its segments and its cast."""

    segments: tuple[Segment, ...]
    characters: tuple[Character, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. "line 12: quotation never closed"


#: The engine that speaks a voice that names none (voices.yaml's ``engine:``).
DEFAULT_ENGINE = "espeak"


@dataclass(frozen=True)
class VoiceSettings:
    """Everything that determines how a line sounds; part of the clip cache key.

    Which knobs an engine honours is its own business (checked where voices.yaml is read):
    ``variant`` and ``pitch`` shape the voices of an engine that offers variants, ``speaker``
    picks one voice of a model that holds several.
    """

    voice: str  # the engine's voice id, e.g. "gmw/en-us" (eSpeak), "en_US-joe-medium" (Piper)
    variant: str | None = None  # a variation the engine applies to the voice, e.g. "f3", "klatt"
    rate: int = 175  # words per minute
    pitch: int = 50  # 0..99
    volume: float = 1.0  # 0..1
    engine: str = DEFAULT_ENGINE  # which speech engine renders it (voices.yaml's ``engine:``)
    speaker: int | None = None  # the speaker's number in a multi-speaker model

    @property
    def label(self) -> str:
        """The voice as shown to the user (and in the manifest): ``gmw/en-us+f3``, ``piper:en_US-joe-medium``."""
        name = f"{self.voice}+{self.variant}" if self.variant else self.voice
        if self.speaker is not None:
            name = f"{name}#{self.speaker}"
        return name if self.engine == DEFAULT_ENGINE else f"{self.engine}:{name}"


@dataclass(frozen=True)
class Utterance:
    """One clip to render: a piece of one segment within one paragraph."""

    segment_index: int  # index into the story's segments
    text: str  # what is sent to the speech engine (after the lexicon)
    voice: VoiceSettings
    pause_before: float  # seconds of silence before this clip
    kind: Literal["title", "narration", "dialogue"] = "narration"


@dataclass(frozen=True)
class TimedSegment:
    """A segment placed on the story's audio timeline (seconds)."""

    segment: Segment
    voice: str  # the voice used, as shown to the user (e.g. "gmw/en-us+f3")
    start: float
    end: float


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter file's audio (a story's, or a book chapter's), rendered and placed: the result of assembly."""

    work: Work
    duration: float  # seconds
    timeline: tuple[TimedSegment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Meta:
    """What every file says about the anthology besides its own title (publish/meta.py finds it)."""

    title: str
    author: str
    works: int  # how many works the anthology holds (the tracks' total)
    narrator: str
    year: str | None
    cover: Path
    cover_hash: str
    book_covers: tuple[tuple[str, Path, str], ...] = ()  # (slug, cover, its hash) for each book

    def cover_for(self, work: Work) -> Path:
        """A book's own cover in its folder; the anthology's for everything else."""
        return next((path for slug, path, _ in self.book_covers if slug == work.slug), self.cover)
