"""Segments + casting -> clips: plan what each voice says, render it, cache it by content.

A clip is one piece of one segment within one paragraph, spoken by one voice. Clips
are cached under ``<build>/cache/clips`` by a hash of everything that shapes their
sound (text as spoken, voice settings, engine version), so a rebuild renders only
what changed. Beside each clip's WAV, a small JSON keeps where its words and sentences
start (the engine's timing marks, for read-along captions). Rendering runs in worker
processes, one speech engine each.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import signal
import threading
import wave
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future, InvalidStateError, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.audio.workers import Forking, Pool, Worker
from pipeline.errors import EngineError
from pipeline.fsutil import output_error
from pipeline.model import Segment, Utterance, VoiceSettings, Work
from pipeline.reading.paragraphs import Paragraph, paragraphs, pieces
from pipeline.voices import engine
from pipeline.voices.casting import Casting
from pipeline.voices.engines.base import Mark, Rendering, marks_from_json, marks_to_json

_SPEAKABLE = re.compile(r"\w")

#: The longest text one clip sends to the engine. The eSpeak NG of the espeakng-loader wheel
#: segfaults from about 20,000 characters (measured: 18,000 render, 21,600 crash, whatever
#: the words: sentences, bare words or clauses); a
#: few hundred also keep a long paragraph from holding up one worker while the others idle.
MAX_CLIP_CHARS = 600

# Where a long text may be cut, in order of preference: after a sentence (and any closing
# quote or bracket), after a clause, after a word.
_CUTS = (
    re.compile(r"[.!?…]+[\"'”’)\]]*\s+"),
    re.compile(r"[,;:—–]\s*|\s[-—–]+\s"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class PlannedClip:
    """An utterance with its place in the text and its cache key."""

    utterance: Utterance
    key: str  # content hash: the clip's file name in the cache
    text_start: int  # offsets of the piece in the story's text
    text_end: int


def apply_lexicon(text: str, lexicon: dict[str, str]) -> str:
    """Replace each lexicon entry (whole words or phrases, case-insensitive) by its respelling."""
    if not lexicon:
        return text
    pattern = _lexicon_pattern(tuple(sorted(lexicon, key=len, reverse=True)))
    folded = {k.casefold(): v for k, v in lexicon.items()}
    return pattern.sub(lambda m: folded[m.group(0).casefold()], text)


@functools.lru_cache(maxsize=8)
def _lexicon_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def clip_key(text: str, voice: VoiceSettings) -> str:
    """The cache key of a clip: every input that changes its sound (the text, and what the voice's
    engine says shapes it: its build, the voice's model, every setting)."""
    payload = json.dumps({"text": text, **engine.clip_identity(voice)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def plan_work(work: Work, segments: Sequence[Segment], casting: Casting, title: str | None = None,
               paras: Sequence[Paragraph] | None = None) -> list[PlannedClip]:
    """Decide every clip of a story (or of one chapter's ``segments``), in order, with the pause
    before each; the first says ``title`` (the story's). ``paras``: the story's paragraphs, when
    the caller plans its chapters one by one (found once, not once a chapter)."""
    pauses = casting.pauses
    paras = paragraphs(work.text) if paras is None else paras
    narrator = casting.narrator(work.slug)
    title_text = apply_lexicon(work.title if title is None else title, casting.lexicon)
    heading = Utterance(segment_index=-1, text=title_text, voice=narrator, pause_before=0.0, kind="title")
    clips = [PlannedClip(heading, clip_key(heading.text, narrator), 0, 0)]
    prev_para: int | None = None
    for index, seg in enumerate(segments):
        voice = casting.voice_for(seg.speaker if seg.kind == "dialogue" else None, work.slug)
        # A clip never crosses a paragraph break: the pause between paragraphs goes there.
        for start, end, para in pieces(paras, seg.start, seg.end):
            raw = work.text[start:end]
            if not _SPEAKABLE.search(raw):
                continue
            if prev_para is None:
                pause = pauses.chapter
            elif para != prev_para:
                pause = pauses.paragraph
            else:
                pause = pauses.sentence
            for a, b in engine_pieces(raw, casting.lexicon):
                if not _SPEAKABLE.search(raw[a:b]):
                    continue
                spoken = apply_lexicon(" ".join(raw[a:b].split()), casting.lexicon)
                utt = Utterance(segment_index=index, text=spoken, voice=voice, pause_before=pause, kind=seg.kind)
                clips.append(PlannedClip(utt, clip_key(spoken, voice), start + a, start + b))
                pause = pauses.sentence  # between the pieces of one long segment
            prev_para = para
    return clips


def engine_pieces(raw: str, lexicon: dict[str, str]) -> list[tuple[int, int]]:
    """Where to cut a segment's text for the engine, as (start, end) offsets into ``raw``.

    eSpeak NG crashes (SIGSEGV) on a text of about 20,000 characters, and a paragraph with
    no blank lines in a badly converted book is longer. A text that is short enough stays
    whole, so its cache key is the one it always had; a longer one is cut at sentence ends,
    a sentence that is still too long at clauses, and a clause at words.
    """
    if len(apply_lexicon(" ".join(raw.split()), lexicon)) <= MAX_CLIP_CHARS:
        return [(0, len(raw))]
    out: list[tuple[int, int]] = []
    for pattern in _CUTS:
        out = _cut(raw, 0, len(raw), pattern) if not out else [
            piece for a, b in out for piece in
            ([(a, b)] if b - a <= MAX_CLIP_CHARS else _cut(raw, a, b, pattern))]
    return [piece for a, b in out for piece in _hard_cut(raw, a, b)]


def _cut(raw: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """``raw[start:end]`` cut after each match of ``pattern``, the parts packed greedily into
    pieces of at most MAX_CLIP_CHARS (a part that is longer stays one piece, for the next cut)."""
    bounds = [m.end() for m in pattern.finditer(raw, start, end) if start < m.end() < end]
    pieces_: list[tuple[int, int]] = []
    piece_start = prev = start
    for bound in [*bounds, end]:
        if bound - piece_start > MAX_CLIP_CHARS and prev > piece_start:
            pieces_.append((piece_start, prev))
            piece_start = prev
        prev = bound
    pieces_.append((piece_start, end))
    return pieces_


def _hard_cut(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """The last resort, for a "word" longer than a clip (no spaces at all): fixed lengths."""
    return [(a, min(a + MAX_CLIP_CHARS, end)) for a in range(start, end, MAX_CLIP_CHARS)]


# --------------------------------------------------------------------------- the clip cache


class ClipCache:
    """Rendered clips as WAV files named by content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.wav"

    def marks_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.marks.json"

    def marks(self, key: str) -> tuple[Mark, ...] | None:
        """Where the clip's words and sentences start (in samples at the work's rate, as the clip is
        read), or None when the cache has no record (a clip rendered before marks were kept, or a
        damaged record)."""
        try:
            marks = marks_from_json(self.marks_path(key).read_text(encoding="utf-8"))
            with wave.open(str(self.path(key)), "rb") as w:
                rate = w.getframerate()
        except (OSError, ValueError, EOFError, wave.Error):
            return None
        if rate == engine.SAMPLE_RATE:
            return marks
        return tuple(replace(m, sample=engine.work_frames(m.sample, rate)) for m in marks)

    def is_valid(self, key: str) -> bool:
        """True when the clip exists and is whole (a truncated file is not)."""
        path = self.path(key)
        try:
            size = path.stat().st_size
            with wave.open(str(path), "rb") as w:
                frames = w.getnframes()
                ok = (w.getnchannels(), w.getsampwidth()) == (1, engine.SAMPLE_WIDTH) and w.getframerate() > 0
        except (OSError, EOFError, wave.Error):
            return False
        return ok and size >= frames * engine.SAMPLE_WIDTH + 44

    def store(self, key: str, rendering: Rendering, rate: int) -> None:
        """Keep a clip rendered at ``rate`` (and its marks) under ``key``, atomically."""
        _store(self, key, rendering, rate)

    def missing(self, clips: Iterable[PlannedClip]) -> list[PlannedClip]:
        """The clips that need rendering, each key once."""
        seen: set[str] = set()
        out = []
        for clip in clips:
            if clip.key in seen:
                continue
            seen.add(clip.key)
            if not self.is_valid(clip.key):
                out.append(clip)
        return out


_MAX_RECOVERIES = 3  # pools rebuilt after a worker died, per build, before giving up


class WorkerCrashed(EngineError):
    """A render worker died on this clip, and again when it was rendered alone."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the speech engine crashed rendering clip {key}")
        self.key = key



@dataclass(frozen=True)
class RenderJob:
    """One clip for a render worker: what it says, in which voice, and where it goes in the cache."""

    key: str  # the clip's cache key
    text: str  # what the engine is given (the lexicon applied)
    voice: VoiceSettings

    @classmethod
    def of(cls, clip: PlannedClip) -> RenderJob:
        return cls(clip.key, clip.utterance.text, clip.utterance.voice)


def _render_batch(folder: str, jobs: list[RenderJob]) -> int:
    """Worker: render clips into the cache folder; returns how many were rendered."""
    cache = ClipCache(Path(folder))
    for job in jobs:
        Worker.rendering(job.key)
        eng = engine.engine(job.voice.engine)
        rendering = eng.render(job.text, job.voice)
        for attempt in range(3):
            try:
                _store(cache, job.key, rendering, eng.sample_rate(job.voice))
                break
            except FileNotFoundError:  # the cache folder was deleted meanwhile: make it again
                if attempt == 2:
                    raise
    Worker.rendering("")
    return len(jobs)


def _store(cache: ClipCache, key: str, rendering: Rendering, rate: int) -> None:
    target, marks = cache.path(key), cache.marks_path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{key}.{os.getpid()}.part.wav")
    tmp_marks = target.with_name(f".{key}.{os.getpid()}.part.json")
    try:
        # The marks first: the WAV is what makes a clip valid, and a clip without
        # marks would stay without them until it is rendered again.
        tmp_marks.write_text(marks_to_json(rendering.marks), encoding="utf-8")
        os.replace(tmp_marks, marks)
        engine.write_wav(tmp, rendering.pcm, rate)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp_marks.unlink(missing_ok=True)



@dataclass
class _Batch:
    """Clips rendered by one task; ``done`` outlives the pool that runs them (a pool whose
    worker died is replaced, and the batch sent again)."""

    jobs: list[RenderJob]
    done: Future[int]
    task: Future[int] | None = None  # in the current pool



def render_cost(text: str, voice: VoiceSettings) -> float:
    """What rendering ``text`` in ``voice`` costs a worker, in about seconds by its engine's own measure."""
    return len(text) / engine.batch_chars(voice.engine)


def batches(work: list[RenderJob], workers: int) -> list[list[RenderJob]]:
    """Render jobs grouped into tasks small enough to balance the load and report progress,
    large enough to keep the per-task overhead low: at most 16 clips, and at most about a
    second of work by the engines' own measure (``batch_chars``), whichever is less."""
    size = max(1, min(16, len(work) // (workers * 4) or 1))
    out: list[list[RenderJob]] = []
    load = 0.0  # the open batch's work, in seconds by the engines' measure
    for job in work:
        cost = render_cost(job.text, job.voice)
        if not out or len(out[-1]) >= size or load + cost > 1.0:
            out.append([])
            load = 0.0
        out[-1].append(job)
        load += cost
    return out


class Renderer:
    """Renders clips into the cache in worker processes, one speech engine each.

    Work is submitted per story, so a caller can start encoding a story as soon as its
    own clips are done while the workers go on with the next story's. A worker that dies
    (the engine crashed) does not end the build: the pool is replaced and its work sent
    again; a clip that kills a worker even when rendered alone fails with WorkerCrashed.
    Ctrl-C or an error stops the workers at once, and a Ctrl-C is never lost on the way.
    """

    def __init__(self, cache: ClipCache, jobs: int, on_progress: Callable[[int], None] | None = None,
                 pool: Pool | None = None) -> None:
        self.cache = cache
        self.jobs = max(1, jobs)
        self.on_progress = on_progress
        self._pool = pool  # one already started (``warm_pool``), or None: forked with the first batch
        self._batches: list[_Batch] = []
        self._lock = threading.RLock()
        self._broken = threading.Event()
        self._recoveries = 0
        self._interrupted = False
        self._previous_handler: Any = None

    def __enter__(self) -> Renderer:
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def _on_sigint(self, signum: int, frame: Any) -> None:
        # Remembered, because a KeyboardInterrupt raised where Python only prints it
        # ("Exception ignored in ...", a finalizer, a callback) would let the build go on.
        self._interrupted = True
        if not Forking.now:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        try:
            with self._lock:
                pool, self._pool = self._pool, None
                if pool is not None and exc[0] is None and not self._interrupted and not self._batches:
                    pool.kill()  # only warming up voices (nothing was left to render): no need to wait for it
                elif pool is not None and exc[0] is None and not self._interrupted:
                    pool.executor.shutdown(wait=True)
                elif pool is not None:
                    pool.kill(everyone=True)  # Ctrl-C or an error: drop queued work instead of finishing it
                for batch in self._batches:
                    batch.done.cancel()
        finally:
            if self._previous_handler is not None:
                signal.signal(signal.SIGINT, self._previous_handler)
        if self._interrupted and exc[0] is None:
            raise KeyboardInterrupt

    def submit(self, clips: Sequence[PlannedClip]) -> dict[str, Future[int]]:
        """Queue clips for rendering, in order; maps each clip's key to its batch's future."""
        work = [RenderJob.of(c) for c in clips]
        if not work:
            return {}
        futures: dict[str, Future[int]] = {}
        with self._lock:
            for jobs in batches(work, self.jobs):
                batch = _Batch(jobs, Future())
                if self.on_progress:
                    batch.done.add_done_callback(self._report)
                self._batches.append(batch)
                self._send(batch)
                futures.update((job.key, batch.done) for job in batch.jobs)
        return futures

    def _send(self, batch: _Batch) -> None:
        if self._pool is None:
            self._pool = Pool(self.jobs)
        try:
            task = self._pool.submit(_render_batch, str(self.cache.folder), batch.jobs)
        except BrokenProcessPool:  # a worker died before any batch was ours to trace (warming up): afresh
            self._pool.kill()
            self._pool = Pool(self.jobs)
            task = self._pool.submit(_render_batch, str(self.cache.folder), batch.jobs)
        batch.task = task
        task.add_done_callback(functools.partial(self._landed, batch))
        if self._interrupted and threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt  # held back while forking

    def _landed(self, batch: _Batch, task: Future[int]) -> None:
        """A task is over (in the pool's own thread): pass its outcome on, unless its worker died."""
        if batch.task is not task or batch.done.done():
            return
        # Suppressed: the build may cancel ``done`` meanwhile (Ctrl-C), and an exception here
        # would only be logged, as a traceback.
        with contextlib.suppress(InvalidStateError):
            if task.cancelled():
                batch.done.cancel()
            elif isinstance(task.exception(), BrokenProcessPool):
                self._broken.set()  # the next wait() replaces the pool and sends the batch again
            elif (error := task.exception()) is not None:
                batch.done.set_exception(error)
            else:
                batch.done.set_result(task.result())

    def _report(self, fut: Future[int]) -> None:
        if self.on_progress and not fut.cancelled() and fut.exception() is None:
            self.on_progress(fut.result())

    def wait(self, futures: Iterable[Future[int]], stop: threading.Event | None = None) -> int:
        """Wait for submitted batches; returns how many clips they rendered.

        With ``stop``, give up (raising CancelledError) as soon as it is set.
        """
        futures = list(futures)
        todo = set(futures)
        try:
            while todo:
                if stop is not None and stop.is_set():
                    raise CancelledError
                if self._broken.is_set():
                    self._recover()
                todo = wait(todo, timeout=0.1).not_done
            return sum(f.result() for f in futures)
        except OSError as exc:  # disk full, unwritable cache: say so in one line
            raise output_error(self.cache.folder, exc) from exc

    def _recover(self) -> None:
        """A worker died: find the clip it was rendering, then go on in a new pool."""
        with self._lock:
            if not self._broken.is_set() or self._pool is None:
                return
            broken, self._pool = self._pool, None
            suspects = broken.in_flight()
            waiting = [b for b in self._batches if not b.done.done()]
            for batch in waiting:
                batch.task = None  # what the dead pool says of it from now on is moot
            broken.kill()
            self._recoveries += 1
            if self._recoveries > _MAX_RECOVERIES:
                self._broken.clear()
                for batch in waiting:
                    batch.done.set_exception(EngineError(
                        "render workers keep dying (out of memory, or killed); build again"))
                return
            culprits = {key for key in suspects if self._kills_a_worker(key, waiting)}
            self._broken.clear()
            for batch in waiting:
                bad = next((job.key for job in batch.jobs if job.key in culprits), None)
                if bad is not None:
                    batch.done.set_exception(WorkerCrashed(bad))
                else:
                    self._send(batch)

    def _kills_a_worker(self, key: str, batches: Sequence[_Batch]) -> bool:
        """Render one clip alone in a pool of its own: True if its worker dies again."""
        job = next((j for b in batches for j in b.jobs if j.key == key), None)
        if job is None:
            return False
        pool = Pool(1)
        try:
            pool.submit(_render_batch, str(self.cache.folder), [job]).result()
        except BrokenProcessPool:
            return True
        except Exception:  # an ordinary error: the batch, sent again, reports it
            return False
        finally:
            pool.kill()
        return False


def render_clips(
    clips: Sequence[PlannedClip],
    cache: ClipCache,
    jobs: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Render the given clips into the cache and wait for them; returns the number rendered."""
    if not clips:
        return 0
    if jobs <= 1 or len(clips) < 4:
        # Not worth starting workers: render here.
        done = 0
        try:
            for c in clips:
                done += _render_batch(str(cache.folder), [RenderJob.of(c)])
                if on_progress:
                    on_progress(1)
        except OSError as exc:
            raise output_error(cache.folder, exc) from exc
        return done
    with Renderer(cache, jobs, on_progress) as renderer:
        return renderer.wait(set(renderer.submit(clips).values()))
