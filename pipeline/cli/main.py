"""The `audiobook` entry point, with make's shortcut: nothing changed, nothing to do.

Starting the full program costs about half a second of imports (Typer, Rich, pydantic,
ruamel, pydub, mutagen). When every input of the last successful ``audiobook build``
(the corpus folder's files, voices.yaml, the command line, the program itself) and
every output it wrote are exactly as that build left them, this module says so
without importing any of that. Anything else, or any doubt, runs the real command.
The inputs are read before the build starts, and recorded only if they are still the same
when it ends: an edit made during a build is built by the next one.
Only the standard library, pipeline.errors and pipeline.layout (which import nothing else) are imported here.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.errors import INTERRUPTED
from pipeline.layout import CACHE, DEFAULT_BUILD_DIR, DEFAULT_CORPUS, DEFAULT_VOICES, PREVIEWS, BuildLayout


def _option(args: list[str], name: str, default: str) -> str:
    value = default
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _layout(args: list[str]) -> BuildLayout:
    return BuildLayout(Path(_option(args, "--build-dir", str(DEFAULT_BUILD_DIR))))


def _stat_tree(root: Path, recursive: bool) -> list[tuple[str, int, int]]:
    out = []
    walker = os.walk(root) if recursive else [(str(root), [], [e.name for e in os.scandir(root) if e.is_file()])]
    for folder, dirs, files in walker:
        dirs[:] = [d for d in dirs if d not in (CACHE, "__pycache__")]  # the clip cache is keyed by content
        for name in files:
            if name.startswith(".") and (name.endswith(".lock") or ".part" in name):
                continue
            path = Path(folder) / name
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_size, st.st_mtime_ns))
    return sorted(out)


def _installed() -> list[tuple[str, int, int]]:
    """The installed distributions (a name-version folder each): an upgrade of any changes this."""
    out = []
    for entry in sys.path:
        folder = Path(entry or ".")
        if folder.name not in ("site-packages", "dist-packages"):
            continue
        with contextlib.suppress(OSError):
            for e in os.scandir(folder):
                if e.name.endswith((".dist-info", ".egg-info")):
                    st = e.stat()
                    out.append((e.name, st.st_size, st.st_mtime_ns))
    return sorted(out)


#: Environment variables that change what a build makes: another ffmpeg, other eSpeak data.
ENVIRONMENT = ("AUDIOBOOK_FFMPEG", "ESPEAK_DATA_PATH")


def _environment(environ: Mapping[str, str]) -> list[tuple[str, str, int, int]]:
    """The variables above, and the file each names (replaced in place, it is another program)."""
    out = []
    for name in ENVIRONMENT:
        value = environ.get(name, "")
        size = mtime = 0
        with contextlib.suppress(OSError, ValueError):
            st = Path(value.strip()).expanduser().stat() if value.strip() else None
            if st is not None:
                size, mtime = st.st_size, st.st_mtime_ns
        out.append((name, value, size, mtime))
    return out


Fingerprint = dict[str, Any]


def _fingerprint(args: list[str], environ: Mapping[str, str]) -> Fingerprint | None:
    """Everything a build reads (files as name, size, mtime), or None if something is missing.

    ``environ`` is the environment the command started with: the program sets variables of
    its own (the engine sets ESPEAK_DATA_PATH), which must not make a build look different.
    """
    corpus = Path(_option(args, "--corpus", str(DEFAULT_CORPUS)))
    voices = Path(_option(args, "--voices", str(DEFAULT_VOICES)))
    package = Path(__file__).resolve().parent.parent
    try:
        parts = {
            "args": args,
            "cwd": os.getcwd(),
            "python": sys.executable,
            "environment": _environment(environ),
            "corpus": _stat_tree(corpus, recursive=True),
            "voices": _stat_tree(voices.parent, recursive=False) if voices.exists() else [],
            "program": _stat_tree(package, recursive=True),
            "dependencies": _installed(),
        }
    except OSError:
        return None
    parts["voices"] = [p for p in parts["voices"] if p[0] == str(voices)]
    return parts


def _digest(fingerprint: Fingerprint | None) -> str:
    return hashlib.sha256(json.dumps(fingerprint).encode()).hexdigest() if fingerprint else ""


def _same_build(before: Fingerprint, after: Fingerprint) -> bool:
    """True when the inputs are still those the build started from, but for files the build
    itself wrote and left as they are (voices.yaml, when new characters were cast): the
    build used what it wrote."""
    if before == after:
        return True
    from pipeline.fsutil import written  # loaded by the build already: no start-up cost here

    own = written()
    for key in after:
        if key in ("corpus", "voices"):
            old = {name: (size, mtime) for name, size, mtime in before[key]}
            new = {name: (size, mtime) for name, size, mtime in after[key]}
            if set(old) - set(new) or any(
                    stat != old.get(name) and own.get(os.path.realpath(name)) != stat for name, stat in new.items()):
                return False
        elif after[key] != before[key]:
            return False
    return True


def _outputs(build_dir: Path) -> list[tuple[str, int, int]]:
    """The build folder's files (a book's, in library/, too) and the parts the anthology joins;
    not the clip cache (keyed by content) nor `audiobook preview`'s files."""
    top = [e for e in os.scandir(build_dir) if e.is_dir() and e.name not in (CACHE, PREVIEWS)]
    nested = [f for e in top for f in _stat_tree(Path(e.path), recursive=True)]
    return sorted(_stat_tree(build_dir, recursive=False) + nested
                  + _stat_tree(BuildLayout(build_dir).parts, recursive=False))


def _is_build(args: list[str]) -> bool:
    return bool(args) and args[0] == "build" and not any(a in ("--help", "-h") for a in args)


def up_to_date(args: list[str], inputs: str) -> bool:
    """True when the last successful build with these arguments (and these ``inputs``) left
    everything as it is now."""
    layout = _layout(args)
    build_dir = layout.root
    try:
        stamp = json.loads(layout.uptodate.read_text(encoding="utf-8"))
        with open(layout.lock, "a+") as lock:  # a build running now: let the real command say so
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            now = json.loads(json.dumps({"inputs": inputs, "outputs": _outputs(build_dir)}))
            return bool(inputs) and stamp == now
    except (OSError, ValueError):
        return False


def record(args: list[str], before: Fingerprint | None, environ: Mapping[str, str]) -> None:
    """After a successful build: remember the inputs it started from, and the outputs it left.

    ``before`` is the fingerprint taken before the build began: an edit made while it ran may
    not be in its outputs, so when the inputs are no longer those (``_same_build``), nothing is
    recorded and the next build runs for real. Under the lock, so that a build started
    meanwhile is never described.
    """
    if not before:
        return
    layout = _layout(args)
    build_dir, target = layout.root, layout.uptodate
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(layout.lock, "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            after = _fingerprint(args, environ)
            if not after or not _same_build(before, after):
                return
            tmp.write_text(json.dumps({"inputs": _digest(after), "outputs": _outputs(build_dir)}), encoding="utf-8")
            os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def forget(args: list[str]) -> None:
    with contextlib.suppress(OSError):  # the real command will report a bad build folder
        _layout(args).uptodate.unlink(missing_ok=True)


def main() -> None:
    args = sys.argv[1:]
    before = None
    environ = dict(os.environ)
    if _is_build(args):
        before = _fingerprint(args, environ)  # before anything is read: what this build, if it succeeds, is made from
        if up_to_date(args, _digest(before)):
            sys.stdout.write("Up to date: nothing changed since the last build.\n")
            return
        forget(args)  # whatever happens next, the old stamp no longer describes the outputs
    try:
        from pipeline.cli.app import app

        app(args, prog_name="audiobook")
    except SystemExit as done:
        if done.code in (0, None) and _is_build(args):
            record(args, before, environ)
        raise
    except KeyboardInterrupt:  # Ctrl-C while importing, before the app's own handler is in place
        sys.stderr.write(INTERRUPTED + "\n")
        raise SystemExit(130) from None
