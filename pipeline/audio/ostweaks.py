"""The few places the build reaches below Python's portable surface, each with why and what it bought.

Everything here is Linux/glibc-minded and harmless elsewhere: a tweak the platform does not
have is skipped. Measured figures are from the commits that introduced them (peak memory
summed over the build's processes, PSS).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_M_ARENA_MAX = -8  # mallopt parameter (malloc.h)
_PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)


def few_malloc_arenas() -> None:
    """At most two glibc malloc arenas. Each encoding thread got an arena of its own, and clips of
    several MB moving through them fragmented them: tom_sawyer's build peaked at 465 MB, 303 with this."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 2)


def die_with_parent() -> None:
    """In a worker: be killed when the build's process dies, even by SIGKILL, instead of waiting
    for ever for work that will not come (tests/runner/test_robust.py kills a build to check it)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@contextlib.contextmanager
def frozen_gc() -> Iterator[None]:
    """Fork with the collector's objects frozen: the workers' collector then never walks (and so
    never copies) the analysed book they share with the build. Moby-Dick's build (20.6 h of
    audio) peaked at 336 MB instead of 460, Tom Sawyer's at 248 instead of 303."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def pool_manager(executor: ProcessPoolExecutor) -> threading.Thread | None:
    """A pool's manager thread, to be joined after ``shutdown(wait=False)``, which drops its own
    handle on it. Left running as the interpreter exits, the thread closes its wake-up pipe while
    ProcessPoolExecutor's exit hook writes to it: "OSError: [Errno 9] Bad file descriptor" and a
    traceback on stderr (``_executor_manager_thread`` is private, but the only handle on it)."""
    return getattr(executor, "_executor_manager_thread", None)


def pool_processes(executor: ProcessPoolExecutor, everyone: bool = False) -> set[Any]:
    """The worker processes of a pool. ``_processes`` is private, but the only handle on them; a
    worker forked while KeyboardInterrupt unwound ProcessPoolExecutor may be listed only by
    multiprocessing (``everyone``: its list too; one listed nowhere dies with this process,
    see ``die_with_parent``)."""
    found = {*(getattr(executor, "_processes", None) or {}).values()}
    if everyone:
        found.update(multiprocessing.active_children())
    return found
