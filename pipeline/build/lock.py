"""One build per build folder at a time, and what a killed build left behind."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BuildLocked
from pipeline.fsutil import output_error

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
        yield
    finally:
        fh.close()


def remove_stale_temporaries(build_dir: Path) -> None:
    """Delete the temporary files of a build that was killed (call it under the lock)."""
    for pattern in STALE_TEMPORARIES:
        for tmp in build_dir.glob(pattern):
            tmp.unlink(missing_ok=True)
