"""Small file-system helpers shared by the stages: atomic writes, folders, safe names, and the
one-line messages every OSError on the way out becomes."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pipeline.errors import OutputError

_UMASK = os.umask(0)
os.umask(_UMASK)
_WRITTEN: dict[str, tuple[int, int]] = {}  # see written()

#: Every temporary the program writes is named ``.<stem>.<random>.part<suffix>`` (a hidden file
#: with ".part" in its name): what a killed build leaves behind, and what the next one removes.
PART = ".part"
#: The most of a target's name a temporary keeps: temporaries stay short whatever the target's length.
_TMP_STEM_BYTES = 24
_TMP_SUFFIX_BYTES = 12
#: Output names are cut to this many bytes (file systems allow 255, and a suffix must still fit).
NAME_BYTES = 80


def is_temporary(name: str) -> bool:
    """True for the name of a temporary this program writes (see ``PART``)."""
    return name.startswith(".") and PART in name


def make_dirs(folder: Path) -> None:
    """``mkdir -p`` whose failures (a file in the way, no permission, disk full) are one line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(folder, exc) from exc


@contextlib.contextmanager
def temporary(near: Path, suffix: str = "") -> Iterator[Path]:
    """A new, empty temporary file in ``near``'s folder (created, readable), removed on leaving."""
    make_dirs(near.parent)
    stem = _cut(near.stem or near.name, _TMP_STEM_BYTES) or "tmp"
    suffix = suffix if len(suffix.encode("utf-8")) <= _TMP_SUFFIX_BYTES else ""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=PART + suffix, dir=near.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(near, exc) from exc
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs should be readable like any file
        yield tmp
    except OSError as exc:
        raise output_error(near, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any failure the temporary file is removed and ``target`` keeps its previous
    content, so a reader never sees a half-written file. Every OSError (in the caller's
    block too) comes out as a one-line OutputError naming ``target``.
    """
    with temporary(target, target.suffix) as tmp:
        yield tmp
        os.replace(tmp, target)
        st = target.stat()
        _WRITTEN[os.path.realpath(target)] = (st.st_size, st.st_mtime_ns)


def written() -> dict[str, tuple[int, int]]:
    """The files this process wrote (absolute path: size, mtime) as it left them: the entry point
    knows an input the build changed itself (voices.yaml) from one a user edited meanwhile."""
    return dict(_WRITTEN)


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


#: Short causes, by errno: what `output_error` and the messages about ffmpeg say.
CAUSES = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (over the file system's or your `ulimit -f` file-size limit)",
    errno.ENAMETOOLONG: "file name too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
}


#: What to do about the causes a user can fix by freeing something.
_FIXES = {
    errno.ENOSPC: "free some space and build again (the cache and earlier outputs are intact)",
    errno.EDQUOT: "free some space and build again (the cache and earlier outputs are intact)",
    errno.EFBIG: "raise the limit or build on another file system",
}


def cause(exc: OSError) -> str:
    """What went wrong, in a few words ("disk full", "permission denied", ...)."""
    return CAUSES.get(exc.errno or 0) or exc.strerror or str(exc)


def describe(exc: OSError) -> str:
    """An OSError that no stage turned into a message of its own, as one line: the file and the
    cause ("build/x: permission denied"), never Python's ``[Errno 13] ...``."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{space_problem(exc.errno or 0) or cause(exc)}"


def space_problem(code: int) -> str | None:
    """For a full disk or a size limit: the cause and what to do, in one phrase; else None."""
    return f"{CAUSES[code]}; {_FIXES[code]}" if code in _FIXES else None


def output_error(path: Path, exc: OSError) -> OutputError:
    """Turn an OSError while writing ``path`` into a one-line, actionable error."""
    code = exc.errno or 0
    if (space := space_problem(code)) is not None:
        why = space
    elif code in (errno.EEXIST, errno.ENOTDIR) and (blocker := _file_in_the_way(Path(exc.filename or path))):
        return OutputError(f"{blocker}: a file is in the way of a folder the build needs; "
                           "move or delete it, or pass --build-dir another folder")
    elif code in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
        why = f"{exc.strerror or exc}; pass --build-dir a folder that can be created there"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = f"{cause(exc)}; check the folder's permissions or pass --build-dir"
    elif code == errno.ENAMETOOLONG:
        why = f"{cause(exc)}; shorten the source's file name or title"
    else:
        why = cause(exc)
    return OutputError(f"{path}: {why}")


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest of ``path`` and its parents that exists and is not a folder."""
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists() or candidate.is_symlink():
                return None if candidate.is_dir() else candidate
    return None


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, on a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _capped(name: str, limit: int, sep: str, strip: str) -> str:
    """``name`` if it fits in ``limit`` bytes, else cut with a short hash of the whole name after
    ``sep``: two long titles that start alike still get two names."""
    if len(name.encode("utf-8")) <= limit:
        return name
    tag = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return _cut(name, limit - len(sep) - len(tag)).rstrip(strip) + sep + tag


def slugify(text: str, fallback: str = "untitled", limit: int = NAME_BYTES) -> str:
    """A file-system safe name: ASCII letters, digits and dashes only (no '/', no '..'), not too long."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", norm).strip("-").lower()
    return _capped(slug, limit, "-", "-") if slug else fallback


def safe_name(title: str, fallback: str = "Untitled", limit: int = NAME_BYTES) -> str:
    """A title as a file or folder name people can read: no separators, no dot files, not too long."""
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", " ", title)
    name = " ".join(name.split()).strip(". ")
    return _capped(name, limit, " ", ". ") if name else fallback


def digest(obj: Any) -> str:
    """A short, stable hash of a JSON-able value."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def file_hash(path: Path) -> str:
    """A short hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:32]
