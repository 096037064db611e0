"""The build on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, each worker in a folder of its own, building the tiny story and a 3-chapter book.

A cluster build must give what a local build gives; a worker killed in the middle must not
tear an output; an unreachable scheduler or workers of another version are refused in one line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.errors import OptionsError
from pipeline.quality.check import measure, read_chapters
from pipeline.runner.stages import BuildResult, Progress, build
from pipeline.voices import engine
from tests.conftest import TINY_STORY, Project, audio_files, decoded, make_project
from tests.publish.test_books import BOOK

dd = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install '.[dask]'")

from pipeline.cli.app import app  # noqa: E402
from pipeline.runner.distributed import ClusterError, check_workers, program_fingerprint  # noqa: E402

BOOK_M4B = Path("library") / "Ada Finch" / "Three Small Tales" / "Three Small Tales.m4b"
OUTPUTS = (Path("01-the-visit.mp3"), BOOK_M4B, Path("anthology.m4b"))


@dataclass
class Cluster:
    """A scheduler and its workers, each a process of its own."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: dict[str, subprocess.Popen[bytes]]  # by worker name

    def client(self) -> dd.Client:
        return dd.Client(self.address, timeout=20, set_as_default=False)


def _dask(*args: str, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@contextlib.contextmanager
def cluster(root: Path, workers: int = 2) -> Iterator[Cluster]:
    """A real scheduler on a free port and ``workers`` single-threaded workers, always stopped."""
    root.mkdir(parents=True, exist_ok=True)
    file = root / "scheduler.json"
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(file),
                   cwd=root, log=root / "scheduler.log")]
    try:
        named = {}
        for i in range(workers):  # started at once: they wait for the scheduler's file
            folder = root / f"w{i}"  # a worker's own folder: every path it is given must be absolute
            folder.mkdir()
            named[f"w{i}"] = _dask("worker", "--scheduler-file", str(file), "--name", f"w{i}", "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", cwd=folder,
                                   log=root / f"w{i}.log")
        procs += named.values()
        deadline = time.monotonic() + 60
        while not file.exists():
            assert procs[0].poll() is None and time.monotonic() < deadline, (root / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        with dd.Client(address, timeout=20, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield Cluster(address, procs[0], named)
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(tmp_path_factory.mktemp("cluster")) as c:
        yield c


def book_project(root: Path) -> Project:
    project = make_project(root, [])
    (project.corpus / "tales.md").write_text(BOOK, encoding="utf-8")
    shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    return project


def on(project: Project, scheduler: str) -> BuildResult:
    return build(dataclasses.replace(project.options(), scheduler=scheduler))


def manifest(project: Project) -> dict:
    text = (project.build_dir / "manifest.json").read_text(encoding="utf-8")
    return json.loads(text.replace(str(project.root), "<root>"))


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = book_project(tmp_path_factory.mktemp("local"))
    project.build(jobs=1)  # test_build.py compares --jobs 1 with --jobs 2; this, --jobs 1 with a cluster
    return project


def test_a_cluster_build_gives_what_a_local_build_gives(shared: Cluster, local: Project, tmp_path: Path) -> None:
    project = book_project(tmp_path)
    # Every clip rendered again, by two workers that split them up in their own way: each
    # clip's samples are those the local build made, whatever the worker rendered before.
    result = on(project, shared.address)
    assert [r.rebuilt for r in result.works] == [True] * 4
    assert result.clips_rendered >= result.clips_total > 0
    assert manifest(project) == manifest(local)  # segments, speakers, voices, times, chapters, durations
    files = audio_files(local.build_dir)
    assert set(OUTPUTS) <= set(files) and files == audio_files(project.build_dir)
    for name in files:
        assert decoded(project.build_dir / name) == decoded(local.build_dir / name), name
    for name in OUTPUTS:
        assert read_chapters(project.build_dir / name) == read_chapters(local.build_dir / name)
    again = project.build()  # and a local build finds everything up to date
    assert not any(r.rebuilt for r in again.works) and again.clips_rendered == 0


def test_a_piper_narrator_on_the_cluster(shared: Cluster, tmp_path: Path) -> None:
    project = make_project(tmp_path, [])
    shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    espeak = "narrator:\n  voice: gmw/en-gb-x-rp\n  variant: m3\n  rate: 165\n  pitch: 45\n"
    piper = "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n"
    project.voices.write_text(project.voices.read_text(encoding="utf-8").replace(espeak, piper), encoding="utf-8")
    assert "en_US-joe-medium=" in engine.fingerprint()  # the workers' fingerprint includes the voice models
    result = on(project, shared.address)
    assert result.clips_rendered == result.clips_total > 0  # by the workers, Piper clips among them
    (story,) = manifest(project)["stories"]
    assert {s["voice"] for s in story["segments"] if s["kind"] == "narration"} == {"piper:en_US-joe-medium"}
    assert measure(project.build_dir / "01-the-visit.mp3").duration > 10


class _KillAWorker(Progress):
    """At the first chapter done, kill a worker that is in the middle of a chapter."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.killed: str | None = None
        self.busy = False  # the worker killed was running a chapter
        self.notes: list[str] = []

    def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
        if self.killed is not None:
            return
        with self.cluster.client() as client:
            names = {addr: w["name"] for addr, w in client.scheduler_info()["workers"].items()}
            busy = [names[addr] for addr, keys in client.processing().items() if keys]
        self.busy = bool(busy)
        self.killed = busy[0] if busy else next(iter(self.cluster.workers))
        _stop(self.cluster.workers[self.killed])

    def note(self, message: str) -> None:
        self.notes.append(message)


def test_a_worker_killed_mid_build_leaves_whole_outputs(local: Project, tmp_path: Path) -> None:
    project = book_project(tmp_path / "p")
    with cluster(tmp_path / "cluster") as c:
        progress = _KillAWorker(c)
        result = build(dataclasses.replace(project.options(), scheduler=c.address), progress)
    assert progress.killed is not None and progress.busy and len(result.works) == 4
    ours, theirs = manifest(project), manifest(local)
    for a, b in zip(ours["stories"], theirs["stories"], strict=True):
        assert [(s["speaker"], s["voice"], s["text"]) for s in a["segments"]] == [
            (s["speaker"], s["voice"], s["text"]) for s in b["segments"]]
        assert a["duration"] == b["duration"]
    for name in OUTPUTS:  # decodable to the end: nothing torn, and the same samples
        assert decoded(project.build_dir / name) == decoded(local.build_dir / name), name
    again = project.build()
    assert not any(r.rebuilt for r in again.works) and again.clips_rendered == 0


def test_workers_of_another_version_are_refused(shared: Cluster, tmp_path: Path) -> None:
    probe = tmp_path / "cache" / ".shared-probe"
    probe.parent.mkdir()
    probe.touch()
    with shared.client() as client:
        check_workers(client, program_fingerprint(), probe)  # the same program: accepted
        with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:\d+: this Dask worker runs audiobook .* "
                                               r"install the same version on every worker"):
            check_workers(client, "0.0.1+0123456789ab", probe)


def test_workers_that_do_not_see_the_build_folder_are_refused(shared: Cluster, tmp_path: Path) -> None:
    with shared.client() as client, pytest.raises(ClusterError, match="does not see the build folder"):
        check_workers(client, program_fingerprint(), tmp_path / "cache" / ".shared-nowhere")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_one_line_and_exit_1(small_project: Project,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    import dask.config

    dask.config.refresh()
    address = f"tcp://127.0.0.1:{_free_port()}"
    try:
        result = CliRunner().invoke(app, ["build", "--corpus", str(small_project.corpus), "--voices",
                                          str(small_project.voices), "--build-dir", str(small_project.build_dir),
                                          "--scheduler", address])
    finally:
        monkeypatch.delenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT")
        dask.config.refresh()
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: {address}: cannot reach the Dask scheduler")
    assert "dask scheduler" in lines[-1] and "Traceback" not in result.output


def test_a_lost_scheduler_keeps_the_chapters_done(tmp_path: Path) -> None:
    project = book_project(tmp_path / "p")
    with cluster(tmp_path / "cluster", workers=1) as c:

        class KillTheScheduler(Progress):
            def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
                _stop(c.scheduler)

        with pytest.raises(ClusterError, match=r"lost the Dask scheduler.*build again to resume"):
            build(dataclasses.replace(project.options(), scheduler=c.address), KillTheScheduler())
    state = json.loads((project.build_dir / "cache" / "state.json").read_text(encoding="utf-8"))
    assert any(key.startswith(("story:", "chapter:")) for key in state)
    resumed = project.build()
    assert sum(not r.rebuilt for r in resumed.works) >= 1


def test_without_dask_the_option_says_how_to_install_it(small_project: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(OptionsError, match=r"pip install '\.\[dask\]'"):
        on(small_project, "local:2")


def test_a_scheduler_that_is_no_address_is_refused() -> None:
    with pytest.raises(OptionsError, match="--scheduler nowhere: give a scheduler's address"):
        build(dataclasses.replace(Project(Path("x")).options(), scheduler="nowhere"))


def test_a_local_cluster_builds_too(tmp_path: Path) -> None:
    project = make_project(tmp_path, [])
    shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    done = threading.Event()

    class Watch(Progress):
        def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
            done.set()

    result = build(dataclasses.replace(project.options(), scheduler="local:1"), Watch())
    assert done.is_set() and result.works[0].rebuilt and result.clips_rendered == result.clips_total
    assert measure(result.works[0].file).duration == pytest.approx(result.works[0].duration, abs=0.1)
