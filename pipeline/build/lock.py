"""One build per build folder at a time, and what a killed build left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BuildLocked
from pipeline.fsutil import output_error

#: The lock files' descriptors this process holds, released in every forked child (below).
_held: set[int] = set()


def _release_in_child() -> None:
    # A forked child (a render worker) shares the parent's open lock file, and so the lock:
    # if it outlived a killed or interrupted build, no later build could start. O_CLOEXEC
    # only helps across exec, so point the child's copy at /dev/null instead (closing the
    # number outright would let the file object close whatever reuses it).
    for fd in list(_held):
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
            os.dup2(null, fd, inheritable=False)
            os.close(null)
    _held.clear()


os.register_at_fork(after_in_child=_release_in_child)

#: Temporary files of a build that was killed; only ever removed under the lock.
STALE_TEMPORARIES = (".*.part*", "cache/parts/.*.part*", "cache/clips/*/.*.part.*", "cache/.*.part*")


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold ``build_dir/.lock`` for the whole build; a second build is refused, not interleaved."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        fh = open(build_dir / ".lock", "a+")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise output_error(build_dir, exc) from exc
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLocked(
                f"{build_dir}: another build is running in this folder; wait for it to finish"
            ) from exc
        _held.add(fh.fileno())
        yield
    finally:
        _held.discard(fh.fileno())
        fh.close()


def remove_stale_temporaries(build_dir: Path) -> None:
    """Delete the temporary files of a build that was killed (call it under the lock)."""
    for pattern in STALE_TEMPORARIES:
        for tmp in build_dir.glob(pattern):
            tmp.unlink(missing_ok=True)
