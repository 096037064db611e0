"""Interruptions are harmless: a killed build leaves good files, and the next one resumes."""

from __future__ import annotations

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


def test_two_builds_at_once(small_project: Project) -> None:
    first = start_build(small_project)
    time.sleep(0.3)
    second = start_build(small_project)
    _, err2 = second.communicate(timeout=120)
    _, err1 = first.communicate(timeout=120)
    codes = sorted([first.returncode, second.returncode])
    if codes == [0, 1]:  # they overlapped: the later one said so and left the first alone
        loser = err2 if second.returncode else err1
        assert "another build is running" in loser
    else:  # the first had finished before the second took the lock
        assert codes == [0, 0]
    assert_outputs_whole(small_project)
