"""Builds tried the way clumsy or hostile users and long books treat them (issue 10): a file in the
way of a folder, a read-only project, names past the file system's limit, a kill during the
anthology's join, a file-size limit. Every case runs the installed program on real files, and
every failure must be one line naming the file and what to do, with nothing left behind."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.publish.export import ffmpeg_exe
from tests.conftest import TINY_STORY, Project, make_project

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


def run(project: Project, *extra: str, env: dict[str, str] | None = None, preexec=None,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AUDIOBOOK), *extra, "--corpus", str(project.corpus), "--voices", str(project.voices),
         *(["--build-dir", str(project.build_dir)] if extra[0] == "build" else [])],
        capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}, preexec_fn=preexec,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single `Error:` line of a failed run (and nothing like a traceback)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def temporaries(folder: Path) -> list[Path]:
    """What a build writes before renaming it into place: hidden names with ".part" in them."""
    return [p for p in folder.rglob("*") if p.name.startswith(".") and ".part" in p.name]


def two_stories(root: Path, titles: tuple[str, str] | None = None) -> Project:
    """The tiny story twice (a corpus of two works: an anthology is joined), titled as given."""
    project = make_project(root, [])
    for name in ("01-the-visit.txt", "02-the-return.txt"):
        shutil.copy(TINY_STORY, project.corpus / name)
    if titles:
        works = [{"file": "01-the-visit.txt", "title": titles[0]}, {"file": "02-the-return.txt", "title": titles[1]}]
        (project.corpus / "corpus.yaml").write_text(json.dumps({"title": titles[0], "stories": works}),
                                                    encoding="utf-8")
    return project


# --------------------------------------------------------------------------- 9: a file in the way


@pytest.mark.parametrize("blocked", ["cache", "cache/clips", "cache/parts"])
def test_a_file_where_the_build_needs_a_folder(small_project: Project, blocked: str) -> None:
    small_project.build_dir.mkdir()
    in_the_way = small_project.build_dir / blocked
    in_the_way.parent.mkdir(parents=True, exist_ok=True)
    in_the_way.write_text("not a folder", encoding="utf-8")
    line = one_error_line(run(small_project, "build"))
    assert f"{in_the_way}: a file is in the way" in line and "move or delete it" in line
    assert in_the_way.read_text(encoding="utf-8") == "not a folder"


# --------------------------------------------------------------------------- 7: long titles and names


def test_titles_past_the_file_name_limit(tmp_path: Path) -> None:
    # 235 and 250 characters, alike for their first 200: two files each, never one
    common = "The Extraordinary and Altogether Unlikely Voyage of the Keeper " * 4
    titles = (common[:200] + "x" * 35, common[:200] + "É" * 50)
    project = two_stories(tmp_path, titles)
    result = run(project, "build")
    assert result.returncode == 0, result.stderr
    names = [p.name for p in project.build_dir.rglob("*")]
    assert all(len(n.encode("utf-8")) <= 100 for n in names), max(names, key=len)
    mp3s = sorted(p.name for p in project.build_dir.glob("*.mp3"))
    assert len(mp3s) == 2 and mp3s[0][3:] != mp3s[1][3:]
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in manifest["stories"] if s["kind"] == "story"] == list(titles)
    assert not temporaries(project.build_dir)


# --------------------------------------------------------------------------- 8: a read-only project

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _as_plain_user() -> None:
    """In the child: let file permissions apply even to root (who otherwise writes anywhere)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                os._exit(99)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Project]:
    """A project whose folder, corpus and voices.yaml cannot be written; a new speaker in its story."""
    project = make_project(tmp_path / "project", [])
    (project.corpus / "01-the-ships.txt").write_text(
        '"We sail at dawn," said Bartholomew.\n\n"Then we sail," Winifred replied.\n', encoding="utf-8")
    project.build_dir.mkdir()
    for path, mode in ((project.voices, 0o444), (project.corpus, 0o555), (project.root, 0o555)):
        path.chmod(mode)
    probe = subprocess.run([sys.executable, "-c", f"open({str(project.root / 'x')!r}, 'w')"],
                           capture_output=True, preexec_fn=_as_plain_user)
    if probe.returncode == 0 or b"PermissionError" not in probe.stderr:
        pytest.skip("file permissions cannot be made to apply here")
    yield project
    for path in (project.root, project.corpus, project.voices):
        path.chmod(stat.S_IRWXU)


def test_a_read_only_voices_file_is_cast_in_memory(read_only: Project) -> None:
    voices = read_only.voices.read_bytes()
    result = run(read_only, "build", preexec=_as_plain_user)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning = " ".join(result.stderr.split())  # Rich wraps long lines
    assert f"{read_only.voices}: could not save it (permission denied)" in warning
    assert "used for this build only: make the file writable to keep them" in warning
    assert read_only.voices.read_bytes() == voices
    manifest = json.loads((read_only.build_dir / "manifest.json").read_text(encoding="utf-8"))
    voices_of = {seg["speaker"]: seg["voice"] for s in manifest["stories"] for seg in s["segments"] if seg["speaker"]}
    narrator = next(seg["voice"] for s in manifest["stories"] for seg in s["segments"] if seg["kind"] == "narration"
                    and seg["voice"])
    assert set(voices_of) == {"Bartholomew", "Winifred"} and narrator not in voices_of.values()


def test_cast_fails_when_it_cannot_write(read_only: Project) -> None:
    voices = read_only.voices.read_bytes()
    line = one_error_line(run(read_only, "cast", preexec=_as_plain_user))
    assert f"{read_only.voices}: could not save it (permission denied)" in line and "writable" in line
    assert read_only.voices.read_bytes() == voices


# --------------------------------------------------------------------------- 12: killed during the join


def test_kill_during_the_anthology_join_leaves_no_temporary(tmp_path: Path) -> None:
    project = two_stories(tmp_path / "project")
    own_tmp = tmp_path / "tmpdir"
    own_tmp.mkdir()
    mark = tmp_path / "joining"
    # The real ffmpeg, held back when it is asked to join: the kill lands inside the join every time.
    shim = tmp_path / "ffmpeg"
    shim.write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = concat ] && touch {mark} && sleep 120; done\n'
                    f'exec {ffmpeg_exe()} "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "TMPDIR": str(own_tmp), "AUDIOBOOK_FFMPEG": str(shim)}
    proc = subprocess.Popen(
        [str(AUDIOBOOK), "build", "--corpus", str(project.corpus), "--voices", str(project.voices),
         "--build-dir", str(project.build_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.monotonic() + 240
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mark.exists(), proc.stderr.read() if proc.stderr else ""
    os.killpg(proc.pid, signal.SIGKILL)  # the build, the shim and its sleep
    proc.wait(timeout=30)
    assert proc.stderr is not None
    proc.stderr.close()
    assert list(own_tmp.iterdir()) == []  # nothing outside the build folder
    again = subprocess.run(
        [str(AUDIOBOOK), "build", "--corpus", str(project.corpus), "--voices", str(project.voices),
         "--build-dir", str(project.build_dir)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(own_tmp)})
    assert again.returncode == 0, again.stderr
    assert (project.build_dir / "anthology.m4b").stat().st_size > 0
    assert not temporaries(project.build_dir)
    assert list(own_tmp.iterdir()) == []


# --------------------------------------------------------------------------- 13: a file-size limit


@pytest.fixture(scope="module")
def built_tiny(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The tiny story, built once: tests copy it."""
    project = make_project(tmp_path_factory.mktemp("built-tiny"), [])
    shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    result = run(project, "build")
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize(("ffmpeg_ignores_it", "when"), [(False, "encoding"), (True, "encoding"), (False, "tagging")],
                         ids=["ffmpeg-killed-by-SIGXFSZ", "ffmpeg-gets-EFBIG", "the-cover-does-not-fit"])
def test_a_file_size_limit_is_named(built_tiny: Project, tmp_path: Path, ffmpeg_ignores_it: bool,
                                    when: str) -> None:
    small_project = Project(tmp_path / "project")
    shutil.copytree(built_tiny.root, small_project.root, symlinks=True)  # its clips are cached: no rendering
    before = {p: p.read_bytes() for p in small_project.build_dir.glob("*.mp3")}
    size = 200_000  # clips fit, the story's MP3 does not
    if when == "tagging":  # the MP3 fits, not once its tags (with the cover) are written into it
        size = len(next(iter(before.values()))) - (small_project.build_dir / "cover.jpg").stat().st_size // 2
    work = small_project.work
    work.write_text(work.read_text(encoding="utf-8") + "\n\nA new last line.\n", encoding="utf-8")
    env = {}
    if ffmpeg_ignores_it:  # then its write fails with EFBIG, and it says "File too large" before it stops
        shim = tmp_path / "ffmpeg"
        shim.write_text(f"#!/bin/sh\ntrap '' XFSZ\nexec {ffmpeg_exe()} \"$@\"\n", encoding="utf-8")
        shim.chmod(0o755)
        env["AUDIOBOOK_FFMPEG"] = str(shim)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    line = one_error_line(run(small_project, "build", env=env, preexec=limit))
    assert "01-the-visit.mp3: " in line and "file too large" in line and "limit" in line, line
    assert "no message" not in line
    assert {p: p.read_bytes() for p in small_project.build_dir.glob("*.mp3")} == before
    assert not [p for p in temporaries(small_project.build_dir) if "cache" not in p.parts]


# --------------------------------------------------------------------------- the next build cleans up


def test_every_temporary_a_killed_build_left_is_removed(tmp_path: Path) -> None:
    from pipeline.runner.lock import remove_stale_temporaries

    build = tmp_path / "build"
    left = [build / ".anthology.m4b.k3j2x9.part.m4b", build / "cache" / ".uptodate.json.123.part",
            build / "cache" / "clips" / "ab" / ".abcdef.4242.part.wav", build / "cache" / "parts" / ".x.y.part.m4a",
            build / "library" / "Author" / "Title" / ".Title.abc123.part.m4b",
            build / "library" / "Author" / "Title" / ".Title.abc124.part.txt", build / ".log.xyz.part"]
    kept = [build / "01-story.mp3", build / "library" / "Author" / "Title" / "Title.m4b", build / ".lock"]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    remove_stale_temporaries(build)
    assert [p for p in left if p.exists()] == []
    assert all(p.exists() for p in kept)


def test_a_cache_moved_elsewhere_is_cleaned_too(tmp_path: Path) -> None:
    from pipeline.runner.lock import remove_stale_temporaries

    elsewhere = tmp_path / "big-disk" / "cache"
    stale = elsewhere / "clips" / "ab" / ".abcdef.4242.part.wav"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "cache").symlink_to(elsewhere)
    outside = tmp_path / "other" / ".not-ours.x.part"  # behind a link that is not the cache: left alone
    outside.parent.mkdir()
    outside.write_bytes(b"x")
    (tmp_path / "build" / "library").symlink_to(outside.parent)
    remove_stale_temporaries(tmp_path / "build")
    assert not stale.exists() and outside.exists()


def test_a_full_disk_is_named(built_tiny: Project, tmp_path: Path) -> None:
    """On a small tmpfs of its own (a private mount namespace: nothing outside sees it)."""
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("no mount namespaces here")
    project = Project(tmp_path / "project")
    shutil.copytree(built_tiny.root, project.root, symlinks=True)
    work = project.work
    work.write_text(work.read_text(encoding="utf-8") + "\n\nA new last line.\n", encoding="utf-8")
    used = sum(p.stat().st_size for p in project.build_dir.rglob("*") if p.is_file())
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size={used // 1024 + 400}k tmpfs {disk} && cp -a {project.build_dir} {disk}/build "
              f"&& exec {AUDIOBOOK} build --corpus {project.corpus} --voices {project.voices} --build-dir {disk}/build")
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                            capture_output=True, text=True, timeout=300)
    line = one_error_line(result)
    assert "disk full; free some space" in line and "01-the-visit.mp3" in line, line
