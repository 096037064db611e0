"""Which inputs made each output: the build's memory between runs, safe to update from many threads."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NewType

from pipeline.fsutil import atomic_open
from pipeline.layout import BuildLayout

#: The name of an output in the build state (state.json's keys): made by the functions below only.
StateKey = NewType("StateKey", str)
ANTHOLOGY = StateKey("anthology")
ANTHOLOGY_MP3 = StateKey("anthology.mp3")


def story_key(slug: str) -> StateKey:
    """A story's chapter file (and its captions)."""
    return StateKey(f"story:{slug}")


def chapter_key(slug: str, number: int) -> StateKey:
    """A book chapter's files."""
    return StateKey(f"chapter:{slug}:{number}")


def book_key(slug: str) -> StateKey:
    """A book's M4B and its metadata."""
    return StateKey(f"work:{slug}")


def read_along_key(slug: str) -> StateKey:
    """A work's read-along EPUB and page."""
    return StateKey(f"read-along:{slug}")


@dataclass
class BuildState:
    """The inputs hash behind each output (see ``StateKey``: a story, a book chapter, a book,
    a read-along, the anthology).

    The encoding threads of a build update it as each chapter is written; every update is saved
    at once, so a build killed half-way resumes with the chapters it finished.
    """

    build_dir: Path
    hashes: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def load(cls, build_dir: Path) -> BuildState:
        saved = load_state(build_dir)
        return cls(build_dir, {str(k): str(v) for k, v in saved.items() if isinstance(v, str)})

    def current(self, key: StateKey, inputs_hash: str) -> bool:
        """True when the output ``key`` was last made from inputs with this hash."""
        with self._lock:
            return self.hashes.get(key) == inputs_hash

    def record(self, key: StateKey, inputs_hash: str) -> None:
        """Remember that ``key`` is now made from these inputs, and save."""
        with self._lock:
            self.hashes[key] = inputs_hash
            save_state(self.build_dir, dict(self.hashes))

    def save(self) -> None:
        with self._lock:
            save_state(self.build_dir, dict(self.hashes))


def _state_path(build_dir: Path) -> Path:
    return BuildLayout(build_dir).state


def load_state(build_dir: Path) -> dict[str, Any]:
    """Which inputs hash made each output (``story:<slug>``, ``anthology``, ...)."""
    try:
        data = json.loads(_state_path(build_dir).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_state(build_dir: Path, state: dict[str, Any]) -> None:
    with atomic_open(_state_path(build_dir)) as fh:
        json.dump(state, fh, indent=1, sort_keys=True)
