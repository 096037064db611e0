"""Interruptions are harmless: a killed build leaves good files, and the next one resumes."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from tests.conftest import Project

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


def start_build(project: Project) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AUDIOBOOK), "build", "--corpus", str(project.corpus), "--voices", str(project.voices),
         "--build-dir", str(project.build_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def cached_clips(project: Project) -> int:
    return sum(1 for p in (project.build_dir / "cache" / "clips").rglob("*.wav") if not p.name.startswith("."))


def assert_outputs_whole(project: Project) -> None:
    """Every output present is a complete, playable file; no temporaries are visible as outputs."""
    for mp3 in project.build_dir.glob("*.mp3"):
        if not mp3.name.startswith("."):  # hidden: a killed build's temporary, removed by the next build
            assert MP3(mp3).info.length > 1.0, mp3
    m4b = project.build_dir / "anthology.m4b"
    if m4b.exists():
        assert MP4(m4b).info.length > 1.0


@pytest.mark.parametrize(("sig", "delay"), [(signal.SIGKILL, 0.6), (signal.SIGKILL, 1.5), (signal.SIGINT, 1.0)])
def test_killed_build_then_rebuild(project: Project, sig: signal.Signals, delay: float) -> None:
    proc = start_build(project)
    time.sleep(delay)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C in a terminal reaches the whole process group
    else:
        proc.send_signal(sig)  # `kill -9 PID`: only the main process
    _, err = proc.communicate(timeout=120)
    time.sleep(0.3)
    if sig == signal.SIGINT and proc.returncode != 0:
        assert proc.returncode == 130
        assert "Interrupted" in err and "Traceback" not in err
    assert_outputs_whole(project)
    kept = cached_clips(project) if (project.build_dir / "cache" / "clips").exists() else 0
    rebuilt = project.build()
    # the second build resumes from the cache: it renders only what the first did not
    assert rebuilt.clips_rendered <= rebuilt.clips_total - kept
    assert_outputs_whole(project)
    assert len(list(project.build_dir.glob("*.mp3"))) == 3
    assert not [p for p in project.build_dir.rglob(".*part*")], "temporaries left behind"


def test_a_build_while_another_holds_the_lock_is_refused(small_project: Project) -> None:
    # The test process plays the build that is running: it holds build/.lock the way a build does.
    small_project.build_dir.mkdir()
    voices = small_project.voices.read_bytes()
    with open(small_project.build_dir / ".lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = start_build(small_project)
        out, err = refused.communicate(timeout=120)
        assert refused.returncode == 1, (out, err)
        errors = [line for line in err.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "another build is running" in errors[0], err
        assert "Traceback" not in err
        assert not list(small_project.build_dir.glob("*.mp3")), "the refused build wrote outputs"
        assert small_project.voices.read_bytes() == voices, "the refused build cast its stories into voices.yaml"
    allowed = start_build(small_project)  # the lock is free again: the same command builds
    out, err = allowed.communicate(timeout=120)
    assert allowed.returncode == 0, err
    assert len(list(small_project.build_dir.glob("*.mp3"))) == 1
    assert_outputs_whole(small_project)


def lock_holders(lock: Path) -> set[int]:
    """The processes holding a lock on ``lock``'s inode, as the kernel lists them (flock and POSIX locks)."""
    inode = lock.stat().st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" not in fields and int(fields[5].rsplit(":", 1)[1]) == inode:  # '->': a waiter, not a holder
            holders.add(int(fields[4]))
    return holders


def test_of_two_real_builds_exactly_one_is_refused(small_project: Project) -> None:
    small_project.build_dir.mkdir()
    lock = small_project.build_dir / ".lock"
    lock.touch()
    first = start_build(small_project)
    deadline = time.monotonic() + 60
    while first.pid not in lock_holders(lock):  # the first build has the lock: freeze it there
        assert first.poll() is None and time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.005)
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = start_build(small_project)
        _, err2 = second.communicate(timeout=120)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err1 = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 1), (err1, err2)
    assert "another build is running" in err2 and "Traceback" not in err2
    assert len(list(small_project.build_dir.glob("*.mp3"))) == 1
    assert_outputs_whole(small_project)
