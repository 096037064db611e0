"""The render workers' processes: how they start, die with the build, and say what they render.

A worker is forked (or spawned) with SIGINT blocked and then ignores it: Ctrl-C reaches the
whole process group, and it is the main process that stops the workers, at once. A worker
dies with the process that started it, and keeps the key of the clip it is rendering in a
table shared with that process, so that a worker that dies can be traced to its clip.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from pipeline.audio.ostweaks import die_with_parent, frozen_gc, pool_manager, pool_processes
from pipeline.model import VoiceSettings
from pipeline.voices import engine

_KEY_BYTES = 32  # a clip key, as a worker's slot in the shared "now rendering" table holds it
_SIGINT = {signal.SIGINT}


class Worker:
    """What a worker process knows of its pool: its slot in the table of clips in flight."""

    slots: Any = None
    index = -1

    @classmethod
    def rendering(cls, key: str) -> None:
        if cls.slots is not None and cls.index >= 0:
            at = cls.index * _KEY_BYTES
            cls.slots[at:at + _KEY_BYTES] = key.encode("ascii").ljust(_KEY_BYTES, b"\0")[:_KEY_BYTES]


def _worker_init(parent: int, slots: Any, taken: Any) -> None:
    """Ctrl-C reaches the whole process group: let the main process stop the workers.
    And if the main process is killed outright, the workers go with it instead of
    waiting forever for work that will never come."""
    # The worker was born with SIGINT blocked (see forking): ignore it before
    # unblocking, so that no Ctrl-C, however early, raises KeyboardInterrupt in here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGINT)
    die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    with taken.get_lock():
        Worker.index, taken.value = taken.value, taken.value + 1
    Worker.slots = slots if Worker.index < len(slots) // _KEY_BYTES else None


class Forking:
    """Set while this process forks workers: a Renderer then holds a Ctrl-C back until the
    fork is over (raised in the middle, inside ProcessPoolExecutor or an at-fork hook, it is
    printed and ignored, or leaves a lock held and the build hung)."""

    now = False


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Fork workers with SIGINT blocked: a Ctrl-C between the fork and the worker's own
    handler would otherwise kill it with a traceback and break the pool. The parent gets
    the signal anyway (it stays pending for this thread, or another thread takes it)."""
    main = threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGINT)
    if main:
        Forking.now = True
    try:
        yield
    finally:
        if main:
            Forking.now = False
        signal.pthread_sigmask(signal.SIG_SETMASK, old)



def can_fork() -> bool:
    """Forking is cheap (no re-import), but only safe while this process has not started eSpeak,
    whose own thread a child would not have; and from the main thread only, where the other
    threads of a build hold no lock a child could need. Otherwise workers are spawned."""
    return not engine.loaded() and threading.current_thread() is threading.main_thread()


class Pool:
    """A process pool with its table of the clips its workers are rendering."""

    def __init__(self, workers: int) -> None:
        ctx = multiprocessing.get_context("fork" if can_fork() else "spawn")
        self.slots = ctx.RawArray(ctypes.c_char, workers * _KEY_BYTES)
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                            initargs=(os.getpid(), self.slots, ctx.Value("i", 0)))

    def submit(self, fn: Callable[..., int], *args: Any) -> Future[int]:
        # The first submit forks the workers.
        with frozen_gc(), forking():
            return self.executor.submit(fn, *args)

    def in_flight(self) -> set[str]:
        raw = bytes(self.slots)
        keys = (raw[i:i + _KEY_BYTES].rstrip(b"\0") for i in range(0, len(raw), _KEY_BYTES))
        return {k.decode("ascii") for k in keys if k}

    def kill(self, everyone: bool = False) -> None:
        """Stop now, without waiting for batches in flight: a killed worker leaves at most a
        temporary file, which the next build removes. ``everyone``: every child process
        multiprocessing knows of, too."""
        procs = pool_processes(self.executor, everyone)
        manager = pool_manager(self.executor)  # before shutdown(), which forgets it when not waiting
        for proc in procs:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                proc.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            with contextlib.suppress(OSError, ValueError, AssertionError, AttributeError):
                proc.join(timeout=5)
        if manager is not None:
            manager.join(timeout=60)


def _warm_up(voices: list[VoiceSettings]) -> int:
    """Worker: load each voice's engine and model, a word said in each, before the first clip comes."""
    for voice in voices:
        engine.engine(voice.engine).render("Ready.", voice)
    return 0


@contextlib.contextmanager
def warm_pool(jobs: int, voices: Sequence[VoiceSettings]) -> Iterator[Pool | None]:
    """Render workers started now, each loading ``voices`` while the build goes on, for a Renderer to
    take (None when there is nothing worth loading ahead: eSpeak starts in milliseconds, a Piper voice
    takes half a second), or when workers could not be forked (spawned, each imports the pipeline
    again: not worth it for a build that may have nothing to render, such as the studio's).
    Killed on the way out unless a Renderer took them and shut them down."""
    if not voices or not can_fork():
        yield None
        return
    pool = Pool(jobs)
    try:
        for _ in range(jobs):  # one each, as the pool hands tasks to idle workers
            pool.submit(_warm_up, list(voices))
        yield pool
    finally:
        pool.kill()
