"""The build, as a list of stages read top to bottom, each returning a typed value:

    load corpus -> analyse each work -> cast -> plan clips (+ credits) -> render missing clips
    -> assemble + encode each chapter -> books -> read-along -> anthology -> manifest

Each stage's body lives in its room (reading, speakers, voices, plan, audio, publish); this
module only calls them in order, under the build folder's lock.

Rendering and encoding run on this machine's worker processes, or on a Dask cluster
(``--scheduler``); ``executors.py`` chooses, and both run the same stage.

The core never prints: it reports progress through a ``Progress`` object that the CLI
fills in, and returns a ``BuildResult`` for the summary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio.ostweaks import few_malloc_arenas
from pipeline.audio.synth import ClipCache
from pipeline.errors import AudiobookError
from pipeline.model import DEFAULT_ENGINE, VoiceSettings, Work
from pipeline.plan.chapters import MASTERING, ChapterPlan, FileSettings, plan_chapters
from pipeline.plan.credits import with_credits
from pipeline.plan.options import BuildOptions, Format, Profile
from pipeline.plan.state import BuildState
from pipeline.publish.anthology import anthology_title, write_anthology
from pipeline.publish.books import BookOutput, EarlyJoins, write_books
from pipeline.publish.encode import EncodedChapter
from pipeline.publish.manifest import write_manifest
from pipeline.publish.meta import metadata
from pipeline.publish.outputs import manifest_of
from pipeline.publish.readalong import write_read_along
from pipeline.reading.corpus import Corpus, load_corpus
from pipeline.runner.executors import Executor, LocalExecutor, StageWork
from pipeline.runner.lock import build_lock, remove_stale_temporaries
from pipeline.speakers.analysed import Found, analysed, keep_found
from pipeline.voices.cast import cast_works
from pipeline.voices.casting import load_casting

__all__ = ["MASTERING", "BuildOptions", "BuildResult", "Format", "Profile", "Progress", "build", "build_lock"]


class Progress:
    """Callbacks for a UI; the default does nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage starts; ``total`` units of work if known."""

    def advance(self, n: int = 1) -> None:
        """``n`` units of the current stage are done."""

    def warn(self, message: str) -> None:
        """Something the user should know that does not stop the build."""

    def note(self, message: str) -> None:
        """Something to tell the user that is not a warning (where the Dask dashboard is)."""

    def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
        """A chapter is encoded (or was up to date): ``where`` names it; seconds of audio done and
        (estimated from the clips still to come) left."""


class _ChapterCount:
    """Counts the audio done as chapters finish, for the progress display; ``then`` is told of
    each chapter too (the early book joins)."""

    def __init__(self, plans: Sequence[ChapterPlan], progress: Progress,
                 then: Callable[[EncodedChapter], None] = lambda _e: None) -> None:
        self.then = then
        self.clips_total = sum(len(p.clips) for p in plans)
        self.clips_done = 0
        self.audio_done = 0.0
        self.progress = progress
        self.lock = threading.Lock()

    def __call__(self, e: EncodedChapter) -> None:
        with self.lock:
            self.clips_done += len(e.plan.clips)
            self.audio_done += e.audio.duration
            left = self.audio_done * (self.clips_total - self.clips_done) / max(1, self.clips_done)
            where = anthology_title(e)
            self.progress.advance()
            self.progress.chapter_done(where, self.audio_done, left)
        self.then(e)


@dataclass(frozen=True)
class ChapterResult:
    """One chapter file (a story's, or a book chapter's) as the summary lists it."""

    work: Work
    file: Path  # its audio file (a book chapter without one: the book's M4B)
    duration: float
    rebuilt: bool  # False when the previous output was still up to date
    chapter: int = 1  # its number within the work


@dataclass(frozen=True)
class BuildResult:
    works: tuple[ChapterResult, ...]
    books: tuple[BookOutput, ...]
    anthology: Path | None  # None when the corpus holds a single work
    anthology_duration: float
    manifest: Path
    clips_total: int
    clips_rendered: int
    seconds: float


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build every work's audio files, the anthology and the manifest."""
    few_malloc_arenas()
    progress = progress or Progress()
    started = time.perf_counter()
    options.validate()
    executor = executor_for(options)
    with executor.warmed(voices_to_load(options.voices)):
        return _build(options, progress, executor, started)


def _build(options: BuildOptions, progress: Progress, executor: Executor, started: float) -> BuildResult:
    corpus = load_corpus(options.corpus, options.allow_outside_corpus)
    found = analyse_works(corpus.works, progress, options.build_dir)
    analyses = [f.analysis for f in found]
    with build_lock(options.build_dir):
        # Casting may append to voices.yaml: a build refused by the lock must leave it alone.
        cast = cast_works(options.voices, corpus.works, analyses)
        keep_found(options.build_dir, found)
        for warning in cast.warnings:
            progress.warn(warning)
        remove_stale_temporaries(options.build_dir)
        plans = plan_chapters(corpus, analyses, cast.casting, options, progress.warn)
        if options.credits:
            plans = with_credits(plans, corpus, cast.casting, options)
        settings = FileSettings.of(options, metadata(corpus, options.build_dir, progress.warn), plans)
        cache = ClipCache(options.layout.clips)
        missing = executor.missing(plans, cache)
        progress.stage("Rendering and encoding", total=len(missing) + len(plans))
        state = BuildState.load(options.build_dir)
        with EarlyJoins(plans, settings, state) as joins:
            work = StageWork(plans, missing, cache, settings, state, progress.advance,
                             _ChapterCount(plans, progress, then=joins.add), progress.note)
            encoded = executor.run(work)
        books = write_books(encoded, settings, state)
        read_along = write_read_along(encoded, settings, state)
        anthology = write_anthology(encoded, settings, state) if len(corpus.works) > 1 else None
        manifest = write_manifest(options.build_dir, manifest_of(encoded, books, anthology, settings, read_along))
        state.save()
    return BuildResult(
        works=tuple(_result(e, books) for e in encoded),
        books=books,
        anthology=anthology.file if anthology else None,
        anthology_duration=anthology.duration if anthology else sum(b.duration for b in books),
        manifest=manifest,
        clips_total=len({c.key for p in plans for c in p.clips}),
        clips_rendered=len(missing) + sum(e.rendered + e.rerendered for e in encoded),
        seconds=time.perf_counter() - started,
    )


def executor_for(options: BuildOptions) -> Executor:
    """Who renders and encodes: this machine's workers, or Dask when a scheduler is named
    (imported only then: the local build needs no Dask)."""
    if options.scheduler is None:
        return LocalExecutor(options.jobs)
    from pipeline.runner.distributed import DaskExecutor

    return DaskExecutor(options.scheduler, options.local_workers)


def voices_to_load(voices: Path) -> list[VoiceSettings]:
    """A voice of each model that voices.yaml names on an engine that loads one (Piper; eSpeak starts
    in milliseconds), for the render workers to load while the works are read; none when the file
    does not load (casting says why, in its turn)."""
    try:
        named = load_casting(voices).named()
    except (AudiobookError, OSError):
        return []
    models = {(v.engine, v.voice): v for v in named if v.engine != DEFAULT_ENGINE}
    return list(models.values())


def _result(e: EncodedChapter, books: Sequence[BookOutput]) -> ChapterResult:
    file = e.paths.audio or next(b.audio for b in books if b.work is e.plan.work)
    return ChapterResult(e.plan.work, file, e.audio.duration, e.rebuilt, e.plan.chapter.number)


def analyse_works(works: Sequence[Work], progress: Progress, build_dir: Path | None = None) -> list[Found]:
    """Segments and speakers of every work, its pins applied; warnings reported as they come. With a
    build folder, an analysis kept in its cache is read back while text, pins and program stay."""
    found = []
    for work in works:
        for note in work.notes:
            progress.warn(f"{work.path}: {note}")
        one = analysed(work, build_dir)
        for warning in one.analysis.warnings:
            progress.warn(f"{work.path}: {warning}")
        found.append(one)
    return found


def spoken_plans(options: BuildOptions) -> tuple[Corpus, tuple[ChapterPlan, ...]]:
    """What a build of ``options`` would say, without building (benchmarks, previews)."""
    corpus = load_corpus(options.corpus, options.allow_outside_corpus)
    analyses = [f.analysis for f in analyse_works(corpus.works, Progress())]
    casting = cast_works(options.voices, corpus.works, analyses, write=False).casting
    plans = plan_chapters(corpus, analyses, casting, options)
    return corpus, with_credits(plans, corpus, casting, options) if options.credits else plans
