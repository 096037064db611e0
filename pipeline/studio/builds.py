"""A build started from the page: ``buildjob`` in a child process, its progress kept as a list of
events the page polls (``since`` the last one it has)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import sys
from pathlib import Path
from typing import Any

from pipeline.studio.project import Settings


class Builds:
    """At most one build at a time from this studio, and what it said."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.events: list[dict[str, Any]] = []
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> bool:
        """Start a build; False when one from this studio is running already."""
        if self.running:
            return False
        self.runs += 1
        self.events = [{"start": self.runs}]
        s = self.settings
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pipeline.studio.buildjob", "--corpus", str(s.corpus), "--voices", str(s.voices),
            "--build-dir", str(s.build_dir), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL, env=env)
        asyncio.get_running_loop().create_task(self._follow(self.process))
        return True

    async def _follow(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None and process.stderr is not None
        async for raw in process.stdout:
            try:
                self.events.append(json.loads(raw))
            except ValueError:
                continue
        err = (await process.stderr.read()).decode(errors="replace").strip()
        code = await process.wait()
        if code != 0 and not any("error" in e for e in self.events):
            self.events.append({"error": (err.splitlines() or [f"the build stopped (exit {code})"])[-1]})
        self.events.append({"exit": code})

    def since(self, n: int) -> dict[str, Any]:
        return {"run": self.runs, "running": self.running, "events": self.events[n:], "next": len(self.events)}

    async def stop(self) -> None:
        if self.running and self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            await self.process.wait()


def lock_held(build_dir: Path) -> bool:
    """True while a build (from the command line, or this studio's) holds the build folder's lock.
    Asked without taking it: a shared lock is refused only while a build holds its exclusive one,
    and ours is let go at once."""
    path = build_dir / ".lock"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing lets go of a lock we got
    return False
