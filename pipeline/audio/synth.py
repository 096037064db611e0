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
import ctypes
import functools
import hashlib
import json
import multiprocessing
import os
import re
import signal
import threading
import wave
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.fsutil import output_error
from pipeline.model import Segment, Story, Utterance, VoiceSettings
from pipeline.text.paragraphs import paragraphs, pieces
from pipeline.voices import engine
from pipeline.voices.casting import Casting
from pipeline.voices.speech import Mark, marks_from_json, marks_to_json

_SPEAKABLE = re.compile(r"\w")


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
    """The cache key of a clip: every input that changes its sound."""
    payload = json.dumps(
        {"text": text, "voice": asdict(voice), "engine": engine.engine_version(),
         "rate": engine.SAMPLE_RATE, "phonemes": True},
        sort_keys=True, ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def plan_story(story: Story, segments: Sequence[Segment], casting: Casting, title: str | None = None,
               ) -> list[PlannedClip]:
    """Decide every clip of a story (or of one chapter's ``segments``), in order, with the pause
    before each; the first says ``title`` (the story's)."""
    pauses = casting.pauses
    paras = paragraphs(story.text)
    narrator = casting.narrator(story.slug)
    title_text = apply_lexicon(story.title if title is None else title, casting.lexicon)
    heading = Utterance(segment_index=-1, text=title_text, voice=narrator, pause_before=0.0, kind="title")
    clips = [PlannedClip(heading, clip_key(heading.text, narrator), 0, 0)]
    prev_para: int | None = None
    for index, seg in enumerate(segments):
        voice = casting.voice_for(seg.speaker if seg.kind == "dialogue" else None, story.slug)
        # A clip never crosses a paragraph break: the pause between paragraphs goes there.
        for start, end, para in pieces(paras, seg.start, seg.end):
            raw = story.text[start:end]
            if not _SPEAKABLE.search(raw):
                continue
            if prev_para is None:
                pause = pauses.chapter
            elif para != prev_para:
                pause = pauses.paragraph
            else:
                pause = pauses.sentence
            spoken = apply_lexicon(" ".join(raw.split()), casting.lexicon)
            utt = Utterance(segment_index=index, text=spoken, voice=voice, pause_before=pause, kind=seg.kind)
            clips.append(PlannedClip(utt, clip_key(spoken, voice), start, end))
            prev_para = para
    return clips


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
        """Where the clip's words and sentences start, or None when the cache has no record
        (a clip rendered before marks were kept, or a damaged record)."""
        try:
            return marks_from_json(self.marks_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def is_valid(self, key: str) -> bool:
        """True when the clip exists and is whole (a truncated file is not)."""
        path = self.path(key)
        try:
            size = path.stat().st_size
            with wave.open(str(path), "rb") as w:
                frames = w.getnframes()
                ok = (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (
                    1, engine.SAMPLE_WIDTH, engine.SAMPLE_RATE)
        except (OSError, EOFError, wave.Error):
            return False
        return ok and size >= frames * engine.SAMPLE_WIDTH + 44

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


_PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """Ctrl-C reaches the whole process group: let the main process stop the workers.
    And if the main process is killed outright, the workers go with it instead of
    waiting forever for work that will never come."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _render_batch(folder: str, jobs: list[tuple[str, str, dict]]) -> int:
    """Worker: render clips into the cache folder; returns how many were rendered."""
    eng = engine.engine()
    cache = ClipCache(Path(folder))
    for key, text, voice in jobs:
        rendering = eng.render(text, VoiceSettings(**voice))
        target, marks = cache.path(key), cache.marks_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{key}.{os.getpid()}.part.wav")
        tmp_marks = target.with_name(f".{key}.{os.getpid()}.part.json")
        try:
            # The marks first: the WAV is what makes a clip valid, and a clip without
            # marks would stay without them until it is rendered again.
            tmp_marks.write_text(marks_to_json(rendering.marks), encoding="utf-8")
            os.replace(tmp_marks, marks)
            engine.write_wav(tmp, rendering.pcm)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
            tmp_marks.unlink(missing_ok=True)
    return len(jobs)


class Renderer:
    """Renders clips into the cache in worker processes, one speech engine each.

    Work is submitted per story, so a caller can start encoding a story as soon as its
    own clips are done while the workers go on with the next story's.
    """

    def __init__(self, cache: ClipCache, jobs: int, on_progress: Callable[[int], None] | None = None) -> None:
        self.cache = cache
        self.jobs = max(1, jobs)
        self.on_progress = on_progress
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            # On an error or Ctrl-C, drop queued work instead of finishing it.
            self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)

    def _pool_for_work(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Forking is cheap (no re-import), but only safe while this process has not
            # started eSpeak, whose own thread a child would not have.
            method = "spawn" if engine.loaded() else "fork"
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context(method),
                                             initializer=_worker_init, initargs=(os.getpid(),))
        return self._pool

    def submit(self, clips: Sequence[PlannedClip]) -> dict[str, Future[int]]:
        """Queue clips for rendering, in order; maps each clip's key to its batch's future."""
        work = [(c.key, c.utterance.text, asdict(c.utterance.voice)) for c in clips]
        if not work:
            return {}
        # Batches small enough to balance the load and report progress, large enough
        # to keep the per-task overhead low.
        size = max(1, min(16, len(work) // (self.jobs * 4) or 1))
        futures: dict[str, Future[int]] = {}
        for i in range(0, len(work), size):
            batch = work[i:i + size]
            fut = self._pool_for_work().submit(_render_batch, str(self.cache.folder), batch)
            if self.on_progress:
                fut.add_done_callback(self._report)
            futures.update((key, fut) for key, _, _ in batch)
        return futures

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
            while stop is not None and todo:
                if stop.is_set():
                    raise CancelledError
                todo = wait(todo, timeout=0.1).not_done
            return sum(f.result() for f in futures)
        except OSError as exc:  # disk full, unwritable cache: say so in one line
            raise output_error(self.cache.folder, exc) from exc


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
                done += _render_batch(str(cache.folder), [(c.key, c.utterance.text, asdict(c.utterance.voice))])
                if on_progress:
                    on_progress(1)
        except OSError as exc:
            raise output_error(cache.folder, exc) from exc
        return done
    with Renderer(cache, jobs, on_progress) as renderer:
        return renderer.wait(set(renderer.submit(clips).values()))
