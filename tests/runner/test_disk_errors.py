"""Writing fails (no space, a size limit, a file where a folder should be): one line, nothing lost."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import Project

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


def build(project: Project, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write(), not a signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [str(AUDIOBOOK), "build", "--corpus", str(project.corpus), "--voices", str(project.voices),
         "--build-dir", str(project.build_dir)],
        capture_output=True, text=True, timeout=300, preexec_fn=limit,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def test_files_too_large_to_write(small_project: Project) -> None:
    assert build(small_project).returncode == 0
    before = snapshot(small_project.build_dir)
    work = small_project.work
    work.write_text(work.read_text(encoding="utf-8") + "\n\nA new last line.\n", encoding="utf-8")
    result = build(small_project, file_limit=200_000)  # clips fit, the story's MP3 does not
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(small_project.build_dir) in lines[0]
    after = snapshot(small_project.build_dir)
    # earlier outputs are intact; the cache only gained whole clips
    for name, data in before.items():
        if not name.startswith("cache/"):
            assert after.get(name) == data, name
    assert not [n for n in after if Path(n).name.startswith(".") and "part" in n]


def test_build_folder_is_a_file(small_project: Project) -> None:
    small_project.build_dir.write_text("not a folder", encoding="utf-8")
    result = build(small_project)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and str(small_project.build_dir) in lines[0]
    assert small_project.build_dir.read_text(encoding="utf-8") == "not a folder"
