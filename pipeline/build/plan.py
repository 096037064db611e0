"""The plan stage: every clip each chapter will say, credits included, and what shapes each file.

A plan is complete when it is made; what decides whether its files must be written again
is ``ChapterPlan.inputs_hash(settings)``, a function of the plan and of the build-wide
``FileSettings`` (format, levels, tags), never a field filled in later.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.audio import assemble
from pipeline.audio.synth import PlannedClip, plan_story
from pipeline.build.options import BuildOptions, Profile
from pipeline.fsutil import atomic_open, slugify
from pipeline.model import GROUP, Analysis, Chapter, Segment, Story
from pipeline.publish import export
from pipeline.publish.cover import draw_cover, find_cover, validate_cover
from pipeline.publish.credits import credit_clips, credit_segments, default_credits
from pipeline.text.corpus import Corpus
from pipeline.voices.casting import Casting

CAPTIONS_VERSION = 3  # bump when caption files change shape
COVER_VERSION = 2  # bump when the drawn cover changes (2: accented letters)
#: Every clip levelled, files on ACX's RMS, peaks limited by the encoder.
LOUDNESS = assemble.Loudness()
MASTERING = export.Mastering(gain_db=LOUDNESS.gain_db, ceiling_dbfs=LOUDNESS.ceiling_dbfs)

PlanKind = Literal["story", "credits"]


def digest(obj: Any) -> str:
    """A short, stable hash of a JSON-able value."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Meta:
    """What every file says about the anthology besides its own title."""

    title: str
    author: str
    works: int  # how many works the anthology holds (the tracks' total)
    narrator: str
    year: str | None
    cover: Path
    cover_hash: str


@dataclass(frozen=True)
class FileSettings:
    """Everything build-wide that shapes the bytes of each file."""

    options: BuildOptions
    meta: Meta

    def fingerprint(self) -> list[Any]:
        o = self.options
        return [repr(o.codec), repr(export.AAC), repr(MASTERING), o.profile.value, assemble.HEAD_SILENCE,
                assemble.TAIL_SILENCE, assemble.FADE_MS, repr(LOUDNESS), CAPTIONS_VERSION,
                [self.meta.title, self.meta.author, self.meta.works, self.meta.narrator, self.meta.year,
                 self.meta.cover_hash]]


@dataclass(frozen=True)
class ChapterPlan:
    """One file to make: a chapter of a work (today every work is one chapter), or the credits."""

    story: Story
    chapter: Chapter
    analysis: Analysis
    clips: tuple[PlannedClip, ...]
    labels: tuple[tuple[str, str], ...] = ()  # clip key -> caption text, for clips outside the text
    kind: PlanKind = "story"

    @functools.cached_property
    def segments(self) -> tuple[Segment, ...]:
        """The chapter's segments (the work's analysis covers every chapter)."""
        return self.chapter.segments(self.analysis.segments)

    def inputs_hash(self, settings: FileSettings) -> str:
        return digest({
            "clips": [(c.key, c.utterance.pause_before) for c in self.clips],
            "labels": self.labels,
            "title": self.chapter.title,
            "number": self.story.number,
            "kind": self.kind,
            "settings": settings.fingerprint(),
        })


def metadata(corpus: Corpus, build_dir: Path, warn: Any) -> Meta:
    """The narrator credit, the year and the cover (the user's, or one drawn with the title)."""
    cover = find_cover(corpus.folder)
    if cover is not None:
        validate_cover(cover, warn)
    else:
        cover = build_dir / "cover.jpg"
        stamp = build_dir / "cache" / "cover.json"
        wanted = digest({"title": corpus.title, "author": corpus.author, "version": COVER_VERSION})
        try:
            current = json.loads(stamp.read_text(encoding="utf-8")).get("hash")
        except (OSError, ValueError, AttributeError):
            current = None
        if current != wanted or not cover.exists():
            draw_cover(cover, corpus.title, corpus.author)
            with atomic_open(stamp) as fh:
                json.dump({"hash": wanted}, fh)
    narrator = corpus.narrator or "eSpeak NG synthetic voices (audiobook)"
    cover_hash = hashlib.sha256(cover.read_bytes()).hexdigest()[:32]
    return Meta(title=corpus.title, author=corpus.author, works=len(corpus.stories), narrator=narrator,
                year=corpus.year, cover=cover, cover_hash=cover_hash)


def plan_chapters(
    corpus: Corpus, analyses: Sequence[Analysis], casting: Casting, options: BuildOptions,
) -> tuple[ChapterPlan, ...]:
    """Every file the build makes, in order, with the clips each says."""
    plans = [_chapter_plan(story, chapter, analysis, casting)
             for story, analysis in zip(corpus.stories, analyses, strict=True) for chapter in story.chapters]
    if options.credits:
        plans = _with_credits(plans, corpus, casting, options)
    return tuple(plans)


def _chapter_plan(story: Story, chapter: Chapter, analysis: Analysis, casting: Casting) -> ChapterPlan:
    clips = tuple(plan_story(story, chapter.segments(analysis.segments), casting))
    return ChapterPlan(story, chapter, analysis, clips, labels=((clips[0].key, chapter.title),) if clips else ())


def _with_credits(
    plans: list[ChapterPlan], corpus: Corpus, casting: Casting, options: BuildOptions,
) -> list[ChapterPlan]:
    """Opening credits before the first story and closing credits after the last.

    By default they open the first story's file and close the last one's, so the files and
    the anthology's chapters stay one per story; ACX wants them as files of their own.
    """
    speakers = [s.speaker for p in plans for s in p.analysis.segments if s.kind == "dialogue" and s.speaker]
    voices = len({c.utterance.voice.espeak_name for p in plans for c in p.clips})
    default = default_credits(corpus.title, corpus.author, [s for s in speakers if s != GROUP], voices)
    opening = corpus.opening_credits or default.opening
    closing = corpus.closing_credits or default.closing
    if options.profile is Profile.acx:
        first, last = plans[0].story.number - 1, plans[-1].story.number + 1
        return [_credits_plan(opening, "Opening Credits", first, corpus, casting), *plans,
                _credits_plan(closing, "Closing Credits", last, corpus, casting)]
    pauses = casting.pauses
    narrator = casting.narrator(None)
    head = credit_clips(opening, narrator, casting.lexicon, pauses.paragraph)
    tail = credit_clips(closing, narrator, casting.lexicon, pauses.paragraph, first_pause=pauses.chapter)
    out = list(plans)
    first_plan = out[0]
    # The story's title follows the credits after a chapter pause.
    title = dataclasses.replace(first_plan.clips[0], utterance=dataclasses.replace(
        first_plan.clips[0].utterance, pause_before=pauses.chapter))
    out[0] = dataclasses.replace(first_plan, clips=(*head, title, *first_plan.clips[1:]),
                                 labels=_labels(head, opening) + first_plan.labels)
    last_plan = out[-1]
    out[-1] = dataclasses.replace(last_plan, clips=(*last_plan.clips, *tail),
                                  labels=last_plan.labels + _labels(tail, closing))
    return out


def _labels(clips: Sequence[PlannedClip], text: str) -> tuple[tuple[str, str], ...]:
    """Caption text for each credit clip: its paragraph as written, before the lexicon."""
    _, segments = credit_segments(text)
    return tuple((c.key, t) for c, t in zip(clips, [s.text for s in segments if s.text.strip()], strict=True))


def _credits_plan(text: str, title: str, number: int, corpus: Corpus, casting: Casting) -> ChapterPlan:
    """Credits as a file of their own: a tiny story with one narration segment per paragraph."""
    joined, segments = credit_segments(text)
    story = Story(slug=f"_{slugify(title)}", title=title, path=corpus.folder / "corpus.yaml", text=joined,
                  number=number)
    clips = credit_clips(text, casting.narrator(None), casting.lexicon, casting.pauses.paragraph, indexed=True)
    return ChapterPlan(story, story.chapters[0], Analysis(segments=tuple(segments)), tuple(clips), kind="credits")
