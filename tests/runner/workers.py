"""Abusing a real build's render workers: Ctrl-C as they fork, the clip cache deleted, a worker killed.

Shared by tests/runner/test_workers.py (a few runs each) and tests/stress/stress_build.py (many).
Each case runs the installed ``audiobook`` in its own session, as a terminal would, and
checks what a user would see: the exit status, the one-line message, no traceback, no
process left over and the build folder's lock free.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import INTERRUPTED

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


@dataclass(frozen=True)
class Outcome:
    """How one abused build ended."""

    returncode: int
    stderr: str
    leftovers: tuple[str, ...]  # processes of the build's session still alive after it exited
    lock_free: bool

    def problems(self, allowed: tuple[int, ...]) -> list[str]:
        """What is wrong with this outcome (empty: nothing), for an assertion message."""
        out = []
        if self.returncode not in allowed:
            out.append(f"exit {self.returncode}, not {allowed}")
        if "Traceback" in self.stderr or "BrokenProcessPool" in self.stderr:
            out.append("a traceback")
        if self.returncode == 130 and INTERRUPTED not in self.stderr:
            out.append("no 'Interrupted' line")
        if self.returncode == 1 and len([ln for ln in self.stderr.splitlines() if ln.startswith("Error:")]) != 1:
            out.append("not exactly one 'Error:' line")
        if self.leftovers:
            out.append(f"processes left: {self.leftovers}")
        if not self.lock_free:
            out.append("build/.lock still held")
        return out


def start_build(corpus: Path, voices: Path, build_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AUDIOBOOK), "build", "--corpus", str(corpus), "--voices", str(voices), "--build-dir", str(build_dir),
         *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        out.extend(int(c) for c in _read(f"/proc/{pid}/task/{task}/children").split())
    return out


def workers(pid: int) -> list[int]:
    """The build's render workers: forked children, with the build's own command line (or
    spawned ones, started by multiprocessing)."""
    own = _read(f"/proc/{pid}/cmdline")
    return [c for c in children(pid) if (line := _read(f"/proc/{c}/cmdline")) == own or b"spawn_main" in line]


def session(sid: int) -> list[str]:
    """Live processes of session ``sid`` (zombies excluded), as 'pid command'."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat").decode(errors="replace")
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 3 and fields[0] != "Z" and int(fields[3]) == sid:
            command = _read(f"/proc/{entry}/cmdline").replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{entry} {command[:80]}")
    return out


def lock_is_free(build_dir: Path) -> bool:
    lock = build_dir / ".lock"
    if not lock.exists():
        return True
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


def finish(proc: subprocess.Popen[str], build_dir: Path, timeout: float = 60) -> Outcome:
    """Wait for the build (killing its session if it hangs) and see what it left."""
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        err += "\n[hung: killed by the test]"
        return Outcome(-9, err, tuple(session(proc.pid)), lock_is_free(build_dir))
    deadline = time.monotonic() + 3  # workers die with their parent, a moment later
    while (left := session(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    return Outcome(proc.returncode, err, tuple(left), lock_is_free(build_dir))


def ctrl_c_at_fork(corpus: Path, voices: Path, build_dir: Path, delay: float = 0.0) -> Outcome:
    """A fresh build, and Ctrl-C (SIGINT to its process group) as soon as the first render
    worker exists (plus ``delay`` seconds)."""
    shutil.rmtree(build_dir, ignore_errors=True)
    proc = start_build(corpus, voices, build_dir)
    deadline = time.monotonic() + 60
    while not workers(proc.pid):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no render worker appeared: {proc.communicate()[1]}")
    if delay:
        time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    return finish(proc, build_dir)


def cache_deleted_mid_build(corpus: Path, voices: Path, build_dir: Path, clips: int = 3) -> Outcome:
    """A fresh build, and ``rm -rf build/cache`` once ``clips`` clips are cached (or encoding began)."""
    shutil.rmtree(build_dir, ignore_errors=True)
    proc = start_build(corpus, voices, build_dir, "--jobs", "2")
    cache = build_dir / "cache"
    deadline = time.monotonic() + 60
    while sum(1 for _ in (cache / "clips").glob("*/*.wav")) < clips:
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.002)
    shutil.rmtree(cache, ignore_errors=True)
    return finish(proc, build_dir, timeout=120)


def kill_a_worker(corpus: Path, voices: Path, build_dir: Path, sig: int = signal.SIGSEGV) -> Outcome:
    """A fresh build, and one render worker killed by ``sig`` as if its engine had crashed."""
    shutil.rmtree(build_dir, ignore_errors=True)
    proc = start_build(corpus, voices, build_dir, "--jobs", "2")
    deadline = time.monotonic() + 60
    while True:
        while not (found := workers(proc.pid)):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no render worker appeared: {proc.communicate()[1]}")
        time.sleep(0.3)  # let it start rendering
        try:
            os.kill(found[0], sig)
            break
        except ProcessLookupError:  # it was a process on its way out (or to exec): find a live one
            continue
    return finish(proc, build_dir, timeout=120)


def cpu_seconds(pid: int) -> float:
    fields = _read(f"/proc/{pid}/stat").decode(errors="replace").rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if len(fields) > 12 else 0.0


def kill_busy_workers(corpus: Path, voices: Path, build_dir: Path, cpu: float = 1.0) -> Outcome:
    """A fresh build in which every render worker is killed (SIGSEGV) once it has used ``cpu``
    seconds: as if the engine crashed, every time, on a clip that takes longer to render."""
    shutil.rmtree(build_dir, ignore_errors=True)
    proc = start_build(corpus, voices, build_dir, "--jobs", "2")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        for pid in workers(proc.pid):
            if cpu_seconds(pid) > cpu:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSEGV)
        time.sleep(0.02)
    return finish(proc, build_dir)
