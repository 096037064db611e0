"""The `audiobook` entry point, with make's shortcut: nothing changed, nothing to do.

Starting the full program costs about half a second of imports (Typer, Rich, pydantic,
ruamel, pydub, mutagen). When every input of the last successful ``audiobook build``
(the corpus folder's files, voices.yaml, the command line, the program itself) and
every output it wrote are exactly as that build left them, this module says so
without importing any of that. Anything else, or any doubt, runs the real command.
Only the standard library (and pipeline.errors, which imports nothing else) is imported here.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
from pathlib import Path

from pipeline.errors import INTERRUPTED

STAMP = Path("cache") / "uptodate.json"


def _option(args: list[str], name: str, default: str) -> str:
    value = default
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _stat_tree(root: Path, recursive: bool) -> list[tuple[str, int, int]]:
    out = []
    walker = os.walk(root) if recursive else [(str(root), [], [e.name for e in os.scandir(root) if e.is_file()])]
    for folder, dirs, files in walker:
        dirs[:] = [d for d in dirs if d not in ("cache", "__pycache__")]  # the clip cache is keyed by content
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


def _inputs(args: list[str]) -> str:
    """A digest of everything a build reads, or "" if something is missing."""
    corpus = Path(_option(args, "--corpus", "corpus"))
    voices = Path(_option(args, "--voices", "voices.yaml"))
    package = Path(__file__).resolve().parent.parent
    try:
        parts = {
            "args": args,
            "cwd": os.getcwd(),
            "python": sys.executable,
            "corpus": _stat_tree(corpus, recursive=True),
            "voices": _stat_tree(voices.parent, recursive=False) if voices.exists() else [],
            "program": _stat_tree(package, recursive=True),
            "dependencies": _installed(),
        }
    except OSError:
        return ""
    parts["voices"] = [p for p in parts["voices"] if p[0] == str(voices)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _outputs(build_dir: Path) -> list[tuple[str, int, int]]:
    return _stat_tree(build_dir, recursive=False) + _stat_tree(build_dir / "cache" / "parts", recursive=False)


def _is_build(args: list[str]) -> bool:
    return bool(args) and args[0] == "build" and not any(a in ("--help", "-h") for a in args)


def up_to_date(args: list[str]) -> bool:
    """True when the last successful build with these arguments left everything as it is now."""
    build_dir = Path(_option(args, "--build-dir", "build"))
    try:
        stamp = json.loads((build_dir / STAMP).read_text(encoding="utf-8"))
        with open(build_dir / ".lock", "a+") as lock:  # a build running now: let the real command say so
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            inputs = _inputs(args)
            now = json.loads(json.dumps({"inputs": inputs, "outputs": _outputs(build_dir)}))
            return bool(inputs) and stamp == now
    except (OSError, ValueError):
        return False


def record(args: list[str]) -> None:
    """After a successful build: remember its inputs and outputs."""
    build_dir = Path(_option(args, "--build-dir", "build"))
    inputs = _inputs(args)
    if not inputs:
        return
    target = build_dir / STAMP
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        tmp.write_text(json.dumps({"inputs": inputs, "outputs": _outputs(build_dir)}), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def forget(args: list[str]) -> None:
    with contextlib.suppress(OSError):  # the real command will report a bad build folder
        (Path(_option(args, "--build-dir", "build")) / STAMP).unlink(missing_ok=True)


def main() -> None:
    args = sys.argv[1:]
    if _is_build(args):
        if up_to_date(args):
            sys.stdout.write("Up to date: nothing changed since the last build.\n")
            return
        forget(args)  # whatever happens next, the old stamp no longer describes the outputs
    try:
        from pipeline.cli.app import app

        app(args, prog_name="audiobook")
    except SystemExit as done:
        if done.code in (0, None) and _is_build(args):
            record(args)
        raise
    except KeyboardInterrupt:  # Ctrl-C while importing, before the app's own handler is in place
        sys.stderr.write(INTERRUPTED + "\n")
        raise SystemExit(130) from None
