"""One build per build folder at a time, and what a killed build left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BuildLocked
from pipeline.fsutil import is_temporary, make_dirs, output_error

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


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold ``build_dir/.lock`` for the whole build; a second build is refused, not interleaved."""
    make_dirs(build_dir)
    try:
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
    """Delete what a killed build left behind (call it under the lock): every temporary file
    (``fsutil.is_temporary``: atomic writes, encoder outputs and their logs, the anthology's
    listings, clips, the up-to-date stamp's), wherever it is under the build folder.

    It also makes sure the cache folder can be created, so that a file in its way is
    reported here, in one line, before any work is done.
    """
    cache = build_dir / "cache"
    # Links are not followed (a link to elsewhere is not ours to clean), but for the cache
    # itself: people move it to a bigger disk.
    roots = [build_dir, cache] if cache.is_symlink() and cache.is_dir() else [build_dir]
    for folder, _, files in (entry for root in roots for entry in os.walk(root)):
        for name in files:
            if is_temporary(name):
                path = Path(folder, name)
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise output_error(path, exc) from exc
    make_dirs(cache)
