"""Run every timing-sensitive test many times while a parallel build loads the machine.

    .venv/bin/python tests/stress/stress_timing.py [--runs 50] [--no-load] [-- PYTEST ARGS]

Each test below races a real build (Ctrl-C, kill -9, a worker killed, the cache deleted, a
file-size limit, an edit made mid-build, a timed probe). They synchronise on events, never on
delays; this script shows they hold under load: a loop of clean `audiobook build --jobs 2` of
the project's corpus runs beside them the whole time. Each test function runs --runs times in
all (parametrized cases share the runs). Exit status: pytest's (0: every run passed).

The tests and the builds run on a copy of the checkout made at the start (uncommitted edits
included): a stress run lasts long enough for its author to edit, commit or merge meanwhile, and
the up-to-date stamp rightly refuses a program whose files changed between a build and its
no-op rebuild (that is how `test_nothing_to_do_imports_nothing_of_the_program` "failed" 2 of 50).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AUDIOBOOK = Path(sys.executable).with_name("audiobook")

TIMING_TESTS = (  # the quick ones first
    "tests/runner/test_workers.py::test_ctrl_c_as_the_workers_fork",
    "tests/cli/test_uptodate_races.py::test_an_edit_made_during_a_build_is_built_by_the_next",
    "tests/cli/test_uptodate_races.py::test_nothing_to_do_imports_nothing_of_the_program",
    "tests/runner/test_robust.py::test_a_file_size_limit_is_named",
    "tests/runner/test_workers.py::test_the_clip_cache_deleted_mid_build",
    "tests/runner/test_workers.py::test_a_worker_that_dies_is_replaced",
    "tests/runner/test_interrupt.py::test_killed_build_then_rebuild",
    "tests/runner/test_interrupt.py::test_of_two_real_builds_exactly_one_is_refused",
)


class Load:
    """Clean builds of the corpus, one after another, until stopped."""

    def __init__(self, root: Path, checkout: Path) -> None:
        self.root, self.checkout, self.builds, self.failed = root, checkout, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._proc: subprocess.Popen[bytes] | None = None

    def _run(self) -> None:
        build = self.root / "build"
        while not self._stop.is_set():
            shutil.rmtree(build, ignore_errors=True)
            self._proc = subprocess.Popen(
                [str(AUDIOBOOK), "build", "--corpus", str(self.checkout / "corpus"), "--voices",
                 str(self.root / "voices.yaml"), "--build-dir", str(build), "--jobs", "2"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            code = self._proc.wait()
            if not self._stop.is_set():
                self.builds += 1
                self.failed += code != 0

    def __enter__(self) -> Load:
        shutil.copy(self.checkout / "voices.yaml", self.root / "voices.yaml")  # a build may write its cast there
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._thread.join(timeout=120)


def snapshot(into: Path) -> Path:
    """The checkout's files as they are now (tracked and untracked, not ignored) copied ``into``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    for name in filter(None, listed.split(b"\0")):
        source = ROOT / os.fsdecode(name)
        if source.is_file():  # not a file deleted and not yet staged
            (into / source.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / source.relative_to(ROOT))
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs of each test function (default 50)")
    parser.add_argument("--no-load", action="store_true", help="without the parallel build")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --), e.g. -x or test ids")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # started in the background, it may come ignored
    tests = [a for a in args.pytest_args if "::" in a or a.endswith(".py")] or list(TIMING_TESTS)
    extra = [a for a in args.pytest_args if a not in tests]
    cmd = [sys.executable, "-m", "pytest", "-p", "tests.stress.repeat", "--stress-runs", str(args.runs), "-rf",
           "-p", "no:cacheprovider", "-o", "addopts=", *extra, *tests]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stress-load-") as tmp:
        checkout = snapshot(Path(tmp) / "checkout")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(checkout), os.environ.get("PYTHONPATH"))))
        if args.no_load:
            code = subprocess.run(cmd, cwd=checkout).returncode
            load = "no load"
        else:
            with Load(Path(tmp), checkout) as running:
                code = subprocess.run(cmd, cwd=checkout).returncode
            load = f"{running.builds} parallel builds ran beside them ({running.failed} failed)"
    print(f"stress: {len(tests)} test functions x {args.runs} runs, exit {code}, {load}, "
          f"{(time.monotonic() - start) / 60:.1f} min", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
