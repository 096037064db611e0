"""The entry point's shortcut: a build with nothing changed does nothing, anything else builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Project

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


def run_build(project: Project, *extra: str) -> str:
    result = subprocess.run([str(AUDIOBOOK), "build", *extra], cwd=project.root, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_nothing_changed_means_nothing_to_do(small_project: Project) -> None:
    assert "clips rendered" in run_build(small_project)
    assert "Up to date" in run_build(small_project)


def test_an_edited_story_is_built(small_project: Project) -> None:
    run_build(small_project)
    work = small_project.work
    work.write_text(work.read_text(encoding="utf-8") + "\n\nThe end.\n", encoding="utf-8")
    out = run_build(small_project)
    assert "Up to date" not in out and "rebuilt" in out


def test_a_deleted_output_is_built_again(small_project: Project) -> None:
    run_build(small_project)
    mp3 = next(small_project.build_dir.glob("*.mp3"))
    mp3.unlink()
    assert "Up to date" not in run_build(small_project)
    assert mp3.exists()


def test_other_arguments_are_another_build(small_project: Project) -> None:
    run_build(small_project)
    assert "Up to date" not in run_build(small_project, "--jobs", "1")


def test_a_touched_voices_file_is_checked_again(small_project: Project) -> None:
    run_build(small_project)
    st = small_project.voices.stat()
    os.utime(small_project.voices, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    out = run_build(small_project)
    assert "Up to date" not in out and "up to date" in out  # checked for real, and nothing to redo
