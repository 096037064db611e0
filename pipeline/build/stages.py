"""The build, as a list of stages read top to bottom, each returning a typed value:

    load corpus -> analyse each work -> cast -> plan clips -> render missing clips
    -> assemble + encode each chapter -> anthology -> manifest

The core never prints: it reports progress through a ``Progress`` object that the CLI
fills in, and returns a ``BuildResult`` for the summary.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio.synth import ClipCache, Renderer
from pipeline.build.cast import cast_stories
from pipeline.build.encode import EncodedChapter, OutputPaths, encode_chapters
from pipeline.build.lock import build_lock, remove_stale_temporaries
from pipeline.build.options import BuildOptions, Format, Profile
from pipeline.build.plan import MASTERING, ChapterPlan, FileSettings, Meta, digest, metadata, plan_chapters
from pipeline.build.state import BuildState
from pipeline.model import Analysis, Story
from pipeline.publish import export
from pipeline.publish.manifest import Announcement, AnthologyEntry, Manifest, ManifestStory, write_manifest
from pipeline.text.attribution.attribute import analyse
from pipeline.text.corpus import Corpus, load_corpus
from pipeline.text.pins import load_pins

__all__ = ["MASTERING", "BuildOptions", "BuildResult", "Format", "Profile", "Progress", "build", "build_lock"]

ANTHOLOGY_VERSION = 2  # bump when the anthology's container changes shape


class Progress:
    """Callbacks for a UI; the default does nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage starts; ``total`` units of work if known."""

    def advance(self, n: int = 1) -> None:
        """``n`` units of the current stage are done."""

    def warn(self, message: str) -> None:
        """Something the user should know that does not stop the build."""


@dataclass(frozen=True)
class StoryResult:
    story: Story
    file: Path
    duration: float
    rebuilt: bool  # False when the previous output was still up to date


@dataclass(frozen=True)
class Anthology:
    file: Path
    duration: float


@dataclass(frozen=True)
class BuildResult:
    stories: tuple[StoryResult, ...]
    anthology: Path
    anthology_duration: float
    manifest: Path
    clips_total: int
    clips_rendered: int
    seconds: float


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build every work's audio files, the anthology and the manifest."""
    progress = progress or Progress()
    started = time.perf_counter()
    options.validate()
    corpus = load_corpus(options.corpus)
    analyses = analyse_works(corpus.stories, progress)
    cast = cast_stories(options.voices, corpus.stories, analyses)
    for warning in cast.warnings:
        progress.warn(warning)
    with build_lock(options.build_dir):
        remove_stale_temporaries(options.build_dir)
        plans = plan_chapters(corpus, analyses, cast.casting, options)
        settings = FileSettings(options, metadata(corpus, options.build_dir, progress.warn))
        cache = ClipCache(options.build_dir / "cache" / "clips")
        missing = cache.missing([c for p in plans for c in p.clips])
        progress.stage("Rendering and encoding", total=len(missing) + len(plans))
        state = BuildState.load(options.build_dir)
        with Renderer(cache, options.jobs, progress.advance) as renderer:
            # All rendering is queued up front, chapter by chapter; each chapter is encoded as
            # soon as its own clips are done, while the workers go on with the next.
            pending = renderer.submit(missing)
            encoded = encode_chapters(plans, cache, settings, state, renderer, pending, progress.advance)
        anthology = write_anthology(encoded, settings, state)
        manifest = write_manifest(options.build_dir, manifest_of(encoded, anthology, settings))
        state.save()
    return BuildResult(
        stories=tuple(StoryResult(e.plan.story, e.paths.audio, e.audio.duration, e.rebuilt) for e in encoded),
        anthology=anthology.file,
        anthology_duration=anthology.duration,
        manifest=manifest,
        clips_total=len({c.key for p in plans for c in p.clips}),
        clips_rendered=len(missing) + sum(e.rerendered for e in encoded),
        seconds=time.perf_counter() - started,
    )


def analyse_works(stories: Sequence[Story], progress: Progress) -> list[Analysis]:
    """Segments and speakers of every work, its pins applied; warnings reported as they come."""
    analyses = []
    for story in stories:
        analysis = analyse(story.text, load_pins(story.path))
        for warning in analysis.warnings:
            progress.warn(f"{story.path}: {warning}")
        analyses.append(analysis)
    return analyses


def spoken_plans(options: BuildOptions) -> tuple[Corpus, tuple[ChapterPlan, ...]]:
    """What a build of ``options`` would say, without building (benchmarks, previews)."""
    corpus = load_corpus(options.corpus)
    analyses = analyse_works(corpus.stories, Progress())
    casting = cast_stories(options.voices, corpus.stories, analyses, write=False).casting
    return corpus, plan_chapters(corpus, analyses, casting, options)


def write_anthology(encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState) -> Anthology:
    """The M4B joined from the chapters' AAC parts (and, if asked, one MP3 joined from theirs)."""
    options, meta = settings.options, settings.meta
    target = options.build_dir / "anthology.m4b"
    chapters = []
    start = 0.0
    for e in encoded:
        chapters.append(export.Chapter(e.plan.chapter.title, start, start + e.audio.duration))
        start += e.audio.duration
    tags = _anthology_tags(meta)
    inputs = digest({"parts": [e.plan.inputs_hash(settings) for e in encoded],
                     "chapters": [(c.title, c.start, c.end) for c in chapters],
                     "tags": repr(tags), "cover": meta.cover_hash, "version": ANTHOLOGY_VERSION})
    if not state.current("anthology", inputs) or not target.exists():
        export.write_anthology(target, [e.paths.part for e in encoded], chapters, tags)
        state.record("anthology", inputs)
    mp3 = options.build_dir / "anthology.mp3"
    if options.anthology_mp3 and (not state.current("anthology.mp3", inputs) or not mp3.exists()):
        export.write_anthology_mp3(mp3, [e.paths.audio for e in encoded], chapters, tags)
        state.record("anthology.mp3", inputs)
    return Anthology(target, start)


def _anthology_tags(meta: Meta) -> export.Tags:
    return export.Tags(title=meta.title, album=meta.title, artist=meta.author, track=1, total=1,
                       narrator=meta.narrator, year=meta.year, cover=meta.cover)


def manifest_of(encoded: Sequence[EncodedChapter], anthology: Anthology, settings: FileSettings) -> Manifest:
    options, meta = settings.options, settings.meta
    stories = []
    start = 0.0
    for e in encoded:
        paths: OutputPaths = e.paths
        stories.append(ManifestStory(
            number=e.plan.story.number, kind=e.plan.kind, title=e.plan.chapter.title,
            source=str(e.plan.story.path), file=paths.audio.name,
            captions={"vtt": paths.vtt.name, "srt": paths.srt.name}, duration=e.audio.duration,
            anthology_start=start,
            announcements=tuple(Announcement(c.text, c.start, c.end) for c in e.announcements),
            characters=e.plan.analysis.characters, audio=e.audio,
        ))
        start += e.audio.duration
    return Manifest(
        title=meta.title, author=meta.author, narrator=meta.narrator, year=meta.year, cover=str(meta.cover),
        format=options.format.value, profile=options.profile.value,
        anthology=AnthologyEntry(anthology.file.name, "anthology.mp3" if options.anthology_mp3 else None,
                                 anthology.duration),
        stories=tuple(stories),
    )
