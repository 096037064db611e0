"""The render+encode stage on Dask distributed: one task per chapter, on one worker.

A chapter's task renders the clips the shared cache lacks and encodes the chapter into the
shared build folder, so a chapter's clips are rendered where they are encoded and audio never
goes through the scheduler: the task takes the chapter's plan (its own text, not the whole
book's) and sends back a small record (duration, the timeline's times, the announcements).
The client keeps what is cheap: the plans, the build state (recorded as each chapter comes
back, so a build cut short resumes), the books' joins, the anthology and the manifest.

What the cluster must offer: every worker sees the build folder at the same absolute path (a
shared folder), and runs the same program; the second is checked before any work is sent.
Dask is an optional extra, imported only here and only when a build names a scheduler.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import logging
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pipeline
from pipeline.audio.synth import ClipCache, PlannedClip, render_clips
from pipeline.errors import AudiobookError, OptionsError
from pipeline.layout import BuildLayout
from pipeline.model import Analysis, ChapterAudio, TimedSegment, VoiceSettings
from pipeline.plan.chapters import ChapterPlan, FileSettings
from pipeline.publish import records
from pipeline.publish.captions import Cue
from pipeline.publish.encode import EncodedChapter, OutputPaths, encode_rendered, found_chapter
from pipeline.runner.executors import StageWork
from pipeline.voices import engine

INSTALL = "pip install '.[dask]'"  # from the project's folder; `pip install 'dask[distributed]'` also does


class ClusterError(AudiobookError):
    """The cluster cannot run this build: unreachable, lost, without workers, or another version."""


def _dask() -> ModuleType:
    """The ``distributed`` package, or a one-line error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise OptionsError(f"--scheduler runs the build on Dask, which is not installed; install it with "
                           f"`{INSTALL}`, or build without --scheduler") from None
    return distributed


@functools.cache
def program_fingerprint() -> str:
    """What makes this process's audio: the package's code and data, the speech engine, the encoder.

    Workers must match the client exactly, or a cluster build would be silently different
    (clips are cached by content key, and a key does not say which code rendered it).
    """
    root = Path(pipeline.__file__).parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".pyc", ".pyo")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for dist in ("imageio-ffmpeg", "pydub", "numpy"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
    h.update(f"{pipeline.__version__} {engine.fingerprint()} {sys.version_info[:2]}".encode())
    return f"{pipeline.__version__}+{h.hexdigest()[:12]}"


# --------------------------------------------------------------------------- the worker's side


@dataclass(frozen=True)
class ChapterTask:
    """One chapter for a worker: everything it needs to write the chapter's files."""

    plan: ChapterPlan  # trimmed to the chapter's own text (see ``_trimmed``)
    settings: FileSettings  # with absolute paths: the worker's folder is not the client's
    cache: str  # the clip cache's folder, shared by every worker
    fingerprint: str  # the client's program_fingerprint()


@dataclass(frozen=True)
class ChapterRecord:
    """What a chapter's task sends back; its audio stays in the shared folder."""

    duration: float  # seconds
    times: tuple[tuple[float, float, str], ...]  # each segment's start, end and voice, in order
    announcements: tuple[Cue, ...]  # spoken but not in the text: the title, credits
    rendered: int  # clips this task rendered into the cache
    rerendered: int  # clips rendered again because their cache entry was corrupt


#: One speech engine per process: a worker's threads (with --nthreads above 1) take turns with it.
_ENGINE = threading.Lock()


def run_chapter(task: ChapterTask) -> ChapterRecord:
    """Worker: render the chapter's missing clips into the shared cache, then encode the chapter."""
    here = program_fingerprint()
    if here != task.fingerprint:  # a worker that joined after the client's check
        raise ClusterError(f"a Dask worker runs audiobook {here}, the build {task.fingerprint}; "
                           "install the same version on every worker")
    cache = ClipCache(Path(task.cache))
    with _ENGINE:
        rendered = render_clips(cache.missing(task.plan.clips), cache, jobs=1)
    # One ffmpeg process for both outputs: a single-threaded worker is one core's worth of work
    # (two side by side measured no faster here, and took 30 MB more).
    made = encode_rendered(task.plan, cache, task.settings)
    times = tuple((t.start, t.end, t.voice) for t in made.audio.timeline)
    return ChapterRecord(made.audio.duration, times, made.announcements, rendered, made.rerendered)


def _trimmed(plan: ChapterPlan) -> ChapterPlan:
    """The plan as a worker needs it: the chapter's own stretch of text (offsets shifted to it),
    no analysis, no cover. A book's chapter would otherwise carry the whole book, every time."""
    work = plan.work
    spans = [(s.start, s.end) for s in plan.segments]
    spans += [(c.text_start, c.text_end) for c in plan.clips if c.utterance.segment_index >= 0]
    if not spans:
        return dataclasses.replace(plan, analysis=Analysis(segments=()))
    a, b = min(s for s, _ in spans), max(e for _, e in spans)
    segments = tuple(dataclasses.replace(s, start=s.start - a, end=s.end - a) for s in plan.segments)
    clips = tuple(c if c.utterance.segment_index < 0 else
                  dataclasses.replace(c, text_start=c.text_start - a, text_end=c.text_end - a) for c in plan.clips)
    own = dataclasses.replace(work, text=work.text[a:b], cover=None, description=None, skipped=())
    return dataclasses.replace(plan, work=own, segments=segments, clips=clips, analysis=Analysis(segments=()))


def _absolute(settings: FileSettings) -> FileSettings:
    """The settings with every path absolute, as every worker (in its own folder) must read them."""
    o, meta = settings.options, settings.meta
    options = dataclasses.replace(o, corpus=o.corpus.absolute(), voices=o.voices.absolute(),
                                  build_dir=o.build_dir.absolute())
    covers = tuple((slug, path.absolute(), h) for slug, path, h in meta.book_covers)
    return dataclasses.replace(settings, options=options,
                               meta=dataclasses.replace(meta, cover=meta.cover.absolute(), book_covers=covers))


# --------------------------------------------------------------------------- the client's side


class DaskExecutor:
    """Runs the render+encode stage as one Dask task per chapter whose files are out of date."""

    def __init__(self, address: str, local_workers: int | None = None) -> None:
        self.address = address  # tcp://host:port, or local[:N]
        self.local_workers = local_workers  # N when this build starts its own cluster

    def warmed(self, voices: Sequence[VoiceSettings]) -> contextlib.AbstractContextManager[None]:
        """Nothing ahead: the cluster's workers load their voices with their first chapter."""
        return contextlib.nullcontext()

    def missing(self, plans: Sequence[ChapterPlan], cache: ClipCache) -> list[PlannedClip]:
        """Nothing: each chapter's task checks the shared cache for its own clips, on its worker and
        in parallel with the others, and says how many it rendered. Here it would be a file
        opened per clip, one after another, before the first task (10 million of them for a
        1,000-book catalogue)."""
        return []

    def run(self, work: StageWork) -> tuple[EncodedChapter, ...]:
        done: dict[int, EncodedChapter] = {}
        todo = []
        for i, plan in enumerate(work.plans):
            found = found_chapter(plan, work.settings, work.state)
            if found is None:
                todo.append(i)
            else:
                done[i] = found
                work.done(found)
        if todo:
            with self._client() as client, _probe(work.settings.options.build_dir) as probe:
                check_workers(client, program_fingerprint(), probe)
                self._run_tasks(client, work, todo, done)
        return tuple(done[i] for i in range(len(work.plans)))

    def _run_tasks(self, client: Any, work: StageWork, todo: Sequence[int], done: dict[int, EncodedChapter]) -> None:
        dd = _dask()
        settings, cache = _absolute(work.settings), str(work.cache.folder.absolute())
        fingerprint = program_fingerprint()
        build = uuid.uuid4().hex[:8]  # two builds on one cluster never share a task
        futures = {}
        # Longest chapters first, so that the last to finish is a short one and the workers end
        # together: in that order too, since the first few go to idle workers before the
        # scheduler has seen the others' priorities.
        for i in sorted(todo, key=lambda i: -spoken(work.plans[i])):
            plan = work.plans[i]
            task = ChapterTask(_trimmed(plan), settings, cache, fingerprint)
            fut = client.submit(run_chapter, task, key=f"chapter-{build}-{i:05d}", priority=spoken(plan),
                                pure=False)
            futures[fut] = i
        if (link := dashboard_link(client)) is not None:  # while the workers start on the chapters
            work.note(f"Dask dashboard: {link}")
        try:
            for fut in dd.as_completed(list(futures), loop=client.loop):
                i = futures[fut]
                record = self._result(fut, work.plans[i])
                made = encoded_from(work.plans[i], work.settings, record)
                work.state.record(made.plan.key, made.plan.inputs_hash(work.settings))
                done[i] = made
                work.done(made)
        finally:
            with contextlib.suppress(Exception):
                client.cancel(list(futures))

    def _result(self, fut: Any, plan: ChapterPlan) -> ChapterRecord:
        dd = _dask()
        try:
            record: ChapterRecord = fut.result()
        except dd.KilledWorker as exc:
            last = getattr(getattr(exc, "last_worker", None), "address", "unknown")
            raise ClusterError(f"{plan.work.path}: '{plan.chapter.title}': every Dask worker that ran it "
                               f"died ({last} last); look at the workers' logs (memory limits?) and build "
                               "again") from None
        except (CancelledError, OSError, TimeoutError) as exc:
            raise ClusterError(f"{self.address}: lost the Dask scheduler ({type(exc).__name__}); chapters "
                               "finished so far are kept, build again to resume") from None
        return record

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        dd = _dask()
        cluster = None
        # The cluster's own log lines would tear through the progress display: errors only.
        quiet = {"distributed.client": logging.ERROR, "distributed.scheduler": logging.ERROR}
        try:
            with _log_levels(quiet):
                if self.local_workers is not None:
                    cluster = dd.LocalCluster(n_workers=self.local_workers, threads_per_worker=1, processes=True,
                                              dashboard_address=":0",
                                              silence_logs=logging.CRITICAL)
                    client = dd.Client(cluster, set_as_default=False)
                else:
                    client = dd.Client(self.address, timeout=_connect_timeout(), set_as_default=False)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            raise ClusterError(f"{self.address}: cannot reach the Dask scheduler ({exc}); start one with "
                               "`dask scheduler`, or check the address") from None
        try:
            with _log_levels(quiet):
                _wait_for_workers(client, self.address)
                yield client
        finally:
            with _log_levels({"distributed": logging.CRITICAL}):
                with contextlib.suppress(Exception):
                    client.close(timeout=5)
                if cluster is not None:
                    with contextlib.suppress(Exception):
                        cluster.close(timeout=10)


def worker_facts(probe: str) -> tuple[str, bool]:
    """Worker: its program's fingerprint, and whether it sees the client's ``probe`` file."""
    return program_fingerprint(), Path(probe).is_file()


def check_workers(client: Any, ours: str, probe: Path) -> None:
    """Refuse workers that run another version of the program (or cannot import it at all),
    and workers that do not see the build folder where the client does."""
    facts = client.run(worker_facts, str(probe), on_error="return")
    for addr, fact in sorted(facts.items()):
        if isinstance(fact, BaseException):
            raise ClusterError(f"{addr}: this Dask worker cannot run audiobook ({type(fact).__name__}: {fact}); "
                               "install the same version on every worker and restart them")
    wrong = [addr for addr, (fp, _) in sorted(facts.items()) if fp != ours]
    if wrong:
        raise ClusterError(f"{wrong[0]}: this Dask worker runs audiobook {facts[wrong[0]][0]}, this build {ours} "
                           f"({len(wrong)} of {len(facts)} workers differ); install the same version on every "
                           "worker and restart them")
    blind = [addr for addr, (_, sees) in sorted(facts.items()) if not sees]
    if blind:
        raise ClusterError(f"{blind[0]}: this Dask worker does not see the build folder {probe.parent.parent} "
                           f"({len(blind)} of {len(facts)} workers); put it on storage every worker mounts at "
                           "the same path")


@contextlib.contextmanager
def _probe(build_dir: Path) -> Iterator[Path]:
    """A file in the build folder for the workers to look for: do they share it with the client?"""
    path = BuildLayout(build_dir).shared_probe(uuid.uuid4().hex[:12])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def encoded_from(plan: ChapterPlan, settings: FileSettings, record: ChapterRecord) -> EncodedChapter:
    """The chapter as the build goes on with it: the full plan, its paths here, the worker's timing."""
    timeline = tuple(TimedSegment(segment=seg, voice=voice, start=start, end=end)
                     for seg, (start, end, voice) in zip(plan.segments, record.times, strict=True))
    audio = ChapterAudio(work=plan.work, duration=record.duration, timeline=timeline)
    paths = OutputPaths.of(plan, settings.options)
    # the sentences' timings stay on the shared storage, in the record the worker wrote
    sentences = records.load_sentences(paths.timing) or ()
    return EncodedChapter(plan, paths, audio, record.announcements, rebuilt=True, rerendered=record.rerendered,
                          sentences=sentences, rendered=record.rendered)


def spoken(plan: ChapterPlan) -> int:
    """A chapter's work, for the order of the tasks: the characters it speaks (a task's time,
    rendering and encoding, goes with its audio's length; its number of clips hardly counts)."""
    return sum(len(c.utterance.text) for c in plan.clips)


def dashboard_link(client: Any) -> str | None:
    """Where the scheduler's dashboard is, when it runs one (it needs bokeh)."""

    def has_bokeh() -> bool:
        # Defined in here, so that it travels by value: the scheduler need not have (or import,
        # 0.17 s) this program to run it.
        import importlib.util

        return importlib.util.find_spec("bokeh") is not None

    try:
        info = client.scheduler_info()
        port = info.get("services", {}).get("dashboard")
        # The scheduler serves the dashboard's address even without bokeh, as an empty page.
        if port is None or not client.run_on_scheduler(has_bokeh):
            return None
        host = info["address"].split("://", 1)[-1].rsplit(":", 1)[0]
        return f"http://{host}:{port}/status"
    except Exception:  # a link is a nicety: never fail a build over it
        return None


def _wait_for_workers(client: Any, address: str) -> None:
    try:
        client.wait_for_workers(1, timeout=_connect_timeout())
    except (OSError, TimeoutError):
        raise ClusterError(f"{address}: no Dask worker has joined this scheduler; start one with "
                           f"`dask worker {address}`") from None


def _connect_timeout() -> float:
    """Dask's own connect timeout (30 s unless DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT says)."""
    import dask.config
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s") or 30)


@contextlib.contextmanager
def _log_levels(levels: dict[str, int]) -> Iterator[None]:
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: log.level for name, log in loggers.items()}
    for name, log in loggers.items():
        log.setLevel(levels[name])
    try:
        yield
    finally:
        for name, log in loggers.items():
            log.setLevel(before[name])
