"""The plan stage: every clip each chapter of the works will say, and what shapes each file
(credits.py adds the credits' clips).

A plan is complete when it is made; what decides whether its files must be written again
is ``ChapterPlan.inputs_hash(settings)``, a function of the plan and of the build-wide
``FileSettings`` (format, levels, tags), never a field filled in later.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline import formats
from pipeline.audio import assemble, levels
from pipeline.audio.synth import PlannedClip, plan_work
from pipeline.fsutil import digest
from pipeline.layout import BuildLayout
from pipeline.model import DEFAULT_ENGINE, Analysis, Chapter, Meta, Segment, Work
from pipeline.plan.options import BuildOptions, Profile
from pipeline.plan.state import StateKey, chapter_key, story_key
from pipeline.reading.corpus import Corpus
from pipeline.reading.paragraphs import Paragraph, paragraphs
from pipeline.reading.segment import split_segments
from pipeline.reading.works import split_long
from pipeline.voices.casting import Casting

CAPTIONS_VERSION = 4  # bump when caption files change shape (4: a final newline)
#: Every clip levelled, files on ACX's RMS, peaks limited by the encoder.
LOUDNESS = assemble.Loudness()
MASTERING = formats.Mastering(gain_db=LOUDNESS.gain_db, ceiling_dbfs=LOUDNESS.ceiling_dbfs)

PlanKind = Literal["story", "credits"]


@dataclass(frozen=True)
class FileSettings:
    """Everything build-wide that shapes the bytes of each file."""

    options: BuildOptions
    meta: Meta
    #: Every engine the build's clips are spoken by, sorted. A build that speaks with any other than
    #: eSpeak levels every chapter by loudness, those of eSpeak alone too: its chapters and its
    #: anthology then aim at one loudness (levelled each its own way, eSpeak-only chapters came out
    #: about 2 dB louder than those with a Piper voice).
    engines: tuple[str, ...] = (DEFAULT_ENGINE,)

    @classmethod
    def of(cls, options: BuildOptions, meta: Meta, plans: Sequence[ChapterPlan]) -> FileSettings:
        """The settings of a build of ``plans``."""
        return cls(options, meta, tuple(sorted({c.utterance.voice.engine for p in plans for c in p.clips}
                                               or {DEFAULT_ENGINE})))

    @property
    def by_loudness(self) -> bool:
        """Every chapter is levelled by its clips' loudness (``assemble.assemble_chapter``)."""
        return self.engines != (DEFAULT_ENGINE,)

    def fingerprint(self) -> list[Any]:
        o = self.options
        # The engines only when they change how chapters are levelled: an eSpeak build's files stay as they were.
        levelling = [list(self.engines)] if self.by_loudness else []
        return [*levelling, repr(o.codec), repr(formats.AAC), repr(MASTERING), o.profile.value, assemble.HEAD_SILENCE,
                assemble.TAIL_SILENCE, assemble.FADE_MS, repr(LOUDNESS), CAPTIONS_VERSION, levels.LEVELS_VERSION,
                levels.LIMIT_ATTACK, levels.LIMIT_RELEASE, levels.ESPEAK_K_WEIGHTED_DB,
                [self.meta.title, self.meta.author, self.meta.works, self.meta.narrator, self.meta.year,
                 self.meta.cover_hash, [h for _, _, h in self.meta.book_covers]]]


@dataclass(frozen=True)
class ChapterPlan:
    """One chapter to make: of a work (a story is a work of one chapter), or the credits."""

    work: Work
    chapter: Chapter
    analysis: Analysis  # the whole work's: its cast is the book's
    segments: tuple[Segment, ...]  # the chapter's own, cut at its edges; clips index into these
    clips: tuple[PlannedClip, ...]
    labels: tuple[tuple[str, str], ...] = ()  # clip key -> caption text, for clips outside the text
    kind: PlanKind = "story"

    @property
    def key(self) -> StateKey:
        """The build state's name for this chapter's outputs."""
        if self.work.is_book:
            return chapter_key(self.work.slug, self.chapter.number)
        return story_key(self.work.slug)

    def inputs_hash(self, settings: FileSettings) -> str:
        return digest({
            "clips": [(c.key, c.utterance.pause_before) for c in self.clips],
            "labels": self.labels,
            "title": self.chapter.title,
            "number": self.work.number,
            "chapter": [self.chapter.number, len(self.work.chapters)] if self.work.is_book else None,
            "book": [self.work.title, self.work.author] if self.work.is_book else None,
            "about": [self.work.language, self.work.year],
            "kind": self.kind,
            "settings": settings.fingerprint(),
        })


def book_folder(build_dir: Path, work: Work) -> Path:
    """Where a book's files go, the way audiobook servers (Audiobookshelf) read a library."""
    return BuildLayout(build_dir).book_folder(work.author, work.title)


def plan_chapters(
    corpus: Corpus, analyses: Sequence[Analysis], casting: Casting, options: BuildOptions,
    warn: Callable[[str], None] | None = None,
) -> tuple[ChapterPlan, ...]:
    """A plan for each chapter of the works, in order, with the clips each says (credits not yet)."""
    return tuple(plan for work, analysis in zip(corpus.works, analyses, strict=True)
                 for plan in _work_plans(_for_profile(_with_language(work, casting), casting, options, warn),
                                         analysis, casting))


def _with_language(work: Work, casting: Casting) -> Work:
    """The work's language as it says (EPUB, corpus.yaml, Gutenberg header), else its narrator's."""
    if work.language:
        return work
    return dataclasses.replace(work, language=voice_language(casting.narrator(work.slug).voice))


def voice_language(voice: str) -> str | None:
    """A voice id's language as a BCP 47 tag: "gmw/en-us" -> "en-US", "roa/fr" -> "fr",
    "en_GB-alan-low" -> "en-GB"."""
    parts = voice.rsplit("/", 1)[-1].replace("_", "-").split("-")
    if not re.fullmatch(r"[A-Za-z]{2,3}", parts[0]):
        return None
    region = parts[1] if len(parts) > 1 and re.fullmatch(r"[A-Za-z]{2}|\d{3}", parts[1]) else None
    return parts[0].lower() + (f"-{region.upper()}" if region else "")


#: A chapter estimated longer than this is cut in parts under --profile acx (ACX's limit is 120 minutes;
#: the estimate from words is rough, so keep a margin).
ACX_PART_MINUTES = 100.0


def _for_profile(work: Work, casting: Casting, options: BuildOptions, warn: Callable[[str], None] | None,
                 ) -> Work:
    """Under ACX's rules a book's chapters that would pass 120 minutes are read in parts."""
    if options.profile is not Profile.acx or not work.is_book:
        return work
    split, notes = split_long(work, ACX_PART_MINUTES, casting.narrator(work.slug).rate)
    for note in notes:
        if warn is not None:
            warn(f"{work.path}: {note}")
    return split


def _work_plans(work: Work, analysis: Analysis, casting: Casting) -> list[ChapterPlan]:
    """A plan per chapter of the work; a book's first chapter also says the book's title."""
    segments = work_segments(work, analysis)
    paras = paragraphs(work.text)
    return [chapter_plan(work, chapter, analysis, segments, casting, paras) for chapter in work.chapters]


def work_segments(work: Work, analysis: Analysis) -> tuple[Segment, ...]:
    """The work's segments cut at its chapters' edges (and around what is not read in them)."""
    cuts = [x for c in (*work.chapters, *work.skipped) for x in (c.start, c.text_start, c.end)]
    cuts += [x for c in work.chapters for span in c.unread for x in span]
    return split_segments(work.text, analysis.segments, cuts) if work.is_book else analysis.segments


def chapter_plan(work: Work, chapter: Chapter, analysis: Analysis, segments: Sequence[Segment], casting: Casting,
                 paras: Sequence[Paragraph]) -> ChapterPlan:
    """One chapter's plan, from ``work_segments`` and the work's paragraphs (one chapter can be planned
    without the others: the studio opens a chapter at a time)."""
    own = chapter.segments(segments)
    title = f"{work.title}. {chapter.title}" if work.is_book and chapter.number == 1 else chapter.title
    clips = tuple(plan_work(work, own, casting, title=title, paras=paras))
    labels = ((clips[0].key, title),) if clips else ()
    return ChapterPlan(work, chapter, analysis, own, clips, labels=labels)
