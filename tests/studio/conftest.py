"""A studio server for the tests: the real `audiobook studio` in a subprocess, on a free port, over a
copy of a small project (a short story with a conversation, a three-chapter book)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, VOICES, Project
from tests.publish.conftest import BOOK

URL = re.compile(r"(http://\S+?)/\?token=(\S+)")
ENTRY = "from pipeline.cli.main import main; main()"


@dataclass
class Server(Project):
    """A running studio over a project (its corpus, voices.yaml and build folder)."""

    url: str  # the address printed, token included
    base: str  # http://127.0.0.1:PORT
    token: str
    process: subprocess.Popen[str]
    stderr: list[str]

    @property
    def host(self) -> str:
        return self.base.removeprefix("http://")


def make_studio_project(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(FIXTURES / "studio" / "the-lamp.txt", corpus / "01-the-lamp.txt")
    (corpus / "02-three-small-tales.md").write_text(BOOK, encoding="utf-8")
    shutil.copy(VOICES, root / "voices.yaml")
    return root


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)
    into.put(None)


def start_studio(root: Path, *args: str, timeout: float = 60.0) -> Server:
    """Start `audiobook studio` in ``root`` and return once it has printed its address (the socket
    listens before the line is printed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "studio", "--no-browser", "--port", "0", *args], cwd=root, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    out: queue.Queue[str | None] = queue.Queue()
    errors: list[str] = []
    threading.Thread(target=_lines, args=(process.stdout, out), daemon=True).start()
    threading.Thread(target=lambda: errors.extend(process.stderr or []), daemon=True).start()
    while True:
        try:
            line = out.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            raise AssertionError(f"the studio printed no address in {timeout} s: {errors}") from None
        if line is None:
            raise AssertionError(f"the studio stopped: {process.wait()} {''.join(errors)}")
        match = URL.search(line)
        if match:
            return Server(root, match.group(0), match.group(1), match.group(2), process, errors)


def stop_studio(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_studio(make_studio_project(tmp_path_factory.mktemp("studio")))
    yield server
    stop_studio(server)
