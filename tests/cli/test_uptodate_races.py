"""The up-to-date stamp never says "Up to date" for inputs it did not build: an edit made while a
build runs, another ffmpeg chosen through the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pipeline.publish.export import ffmpeg_exe
from tests.conftest import Project

AUDIOBOOK = Path(sys.executable).with_name("audiobook")
SENTENCE = "The keeper counted seven ships."


def run_build(project: Project, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(AUDIOBOOK), "build"], cwd=project.root, capture_output=True, text=True,
                            timeout=300, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


def spoken(project: Project) -> str:
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    return " ".join(seg["text"] for work in manifest["stories"] for seg in work["segments"])


def held_ffmpeg(folder: Path) -> tuple[dict[str, str], Path, Path]:
    """An ffmpeg that, until the file ``go`` exists, holds every encoder (reading ``pipe:0``)
    back, after touching ``held``: the build waits there, its corpus long read, for the test."""
    held, go = folder / "held", folder / "go"
    shim = folder / "ffmpeg"
    shim.write_text(f'#!/bin/sh\nfor a in "$@"; do\n  if [ "$a" = pipe:0 ] && [ ! -e {go} ]; then\n'
                    f"    touch {held}; while [ ! -e {go} ]; do sleep 0.01; done\n  fi\ndone\n"
                    f'exec {ffmpeg_exe()} "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return {"AUDIOBOOK_FFMPEG": str(shim)}, held, go


def test_an_edit_made_during_a_build_is_built_by_the_next(small_project: Project, tmp_path: Path) -> None:
    env, held, go = held_ffmpeg(tmp_path)
    proc = subprocess.Popen([str(AUDIOBOOK), "build"], cwd=small_project.root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    # The build is encoding (held there): its corpus was read long ago, so an edit now is one it cannot see.
    deadline = time.monotonic() + 120
    while not held.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert held.exists() and proc.poll() is None, "the build never reached its encoders"
    work = small_project.work
    work.write_text(work.read_text(encoding="utf-8") + f"\n\n{SENTENCE}\n", encoding="utf-8")
    go.touch()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert SENTENCE not in spoken(small_project)  # the edit came too late for that build
    out = run_build(small_project, env)
    assert "Up to date" not in out and "rebuilt" in out
    assert SENTENCE in spoken(small_project)
    assert "Up to date" in run_build(small_project, env)


def test_another_ffmpeg_is_another_build(small_project: Project, tmp_path: Path) -> None:
    run_build(small_project)
    assert "Up to date" in run_build(small_project)
    other = tmp_path / "ffmpeg"
    other.symlink_to(ffmpeg_exe())
    env = {"AUDIOBOOK_FFMPEG": str(other)}
    assert "Up to date" not in run_build(small_project, env)
    assert "Up to date" in run_build(small_project, env)
    assert "Up to date" not in run_build(small_project)  # and back to the bundled one


def test_nothing_to_do_imports_nothing_of_the_program(small_project: Project) -> None:
    run_build(small_project)
    # CPU seconds, not wall-clock ones: a loaded machine makes the second longer, not the work.
    # The fast path's own few modules (cli/main.py's docstring names them); any other of the program's is too many.
    own = "'pipeline', 'pipeline.cli', 'pipeline.cli.main', 'pipeline.errors', 'pipeline.layout'"
    probe = ("import sys, time; t = time.process_time(); sys.argv = ['audiobook', 'build']\n"
             "from pipeline.cli.main import main\n"
             "main(); print(time.process_time() - t, sorted(m for m in sys.modules if m.startswith(('typer', "
             f"'ruamel', 'rich')) or m.startswith('pipeline') and m not in ({own})))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=small_project.root, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Up to date" in result.stdout
    seconds, imported = result.stdout.splitlines()[-1].split(" ", 1)
    assert imported == "[]"
    assert float(seconds) < 0.5  # ~20 ms when the machine is idle


def test_variables_the_program_sets_itself_do_not_count(small_project: Project, monkeypatch) -> None:
    from pipeline.cli import main

    monkeypatch.chdir(small_project.root)
    monkeypatch.delenv("ESPEAK_DATA_PATH", raising=False)
    started = dict(os.environ)
    before = main._fingerprint(["build"], started)
    monkeypatch.setenv("ESPEAK_DATA_PATH", "/somewhere")  # what loading the engine in this process does
    assert main._fingerprint(["build"], started) == before
    assert main._fingerprint(["build"], dict(os.environ)) != before  # set by the user: another build
