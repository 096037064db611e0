"""Small file-system helpers shared by the stages: atomic writes and safe names."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipeline.errors import OutputError

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any failure the temporary file is removed and ``target`` keeps its previous
    content, so a reader never sees a half-written file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs should be readable like any file
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(target, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file for writing that replaces ``target`` when closed cleanly."""
    with atomic_path(target) as tmp:
        enc = None if "b" in mode else encoding
        with open(tmp, mode, encoding=enc) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_if_changed(target: Path, text: str) -> bool:
    """Atomically write ``text`` unless the file already holds exactly it; True if written."""
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_open(target) as fh:
        fh.write(text)
    return True


def output_error(path: Path, exc: OSError) -> OutputError:
    """Turn an OSError while writing ``path`` into a one-line, actionable error."""
    if exc.errno == errno.ENOSPC:
        why = "disk full; free some space and build again (the cache and earlier outputs are intact)"
    elif exc.errno == errno.EFBIG:
        why = "file too large for this file system or your file-size limit; free the limit and build again"
    elif exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
        why = f"{exc.strerror or exc}; pass --build-dir a folder that can be created there"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "cannot write here; check the folder's permissions or pass --build-dir"
    else:
        why = exc.strerror or str(exc)
    return OutputError(f"{path}: {why}")


def slugify(text: str, fallback: str = "untitled") -> str:
    """A file-system safe name: ASCII letters, digits and dashes only (no '/', no '..')."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", norm).strip("-").lower()
    return slug or fallback


def safe_name(title: str, fallback: str = "Untitled", limit: int = 80) -> str:
    """A title as a file or folder name people can read: no separators, no dot files, not too long."""
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", " ", title)
    name = " ".join(name.split()).strip(". ")
    if len(name.encode("utf-8")) > limit:
        name = name.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip(". ")
    return name or fallback
