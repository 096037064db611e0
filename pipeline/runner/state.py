"""Which inputs made each output: the build's memory between runs, safe to update from many threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.publish import records


@dataclass
class BuildState:
    """The inputs hash behind each output (``story:<slug>``, ``anthology``, ``anthology.mp3``).

    The story threads of a build update it as each story is written; every update is saved
    at once, so a build killed half-way resumes with the stories it finished.
    """

    build_dir: Path
    hashes: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def load(cls, build_dir: Path) -> BuildState:
        saved = records.load_state(build_dir)
        return cls(build_dir, {str(k): str(v) for k, v in saved.items() if isinstance(v, str)})

    def current(self, key: str, inputs_hash: str) -> bool:
        """True when the output ``key`` was last made from inputs with this hash."""
        with self._lock:
            return self.hashes.get(key) == inputs_hash

    def record(self, key: str, inputs_hash: str) -> None:
        """Remember that ``key`` is now made from these inputs, and save."""
        with self._lock:
            self.hashes[key] = inputs_hash
            records.save_state(self.build_dir, dict(self.hashes))

    def save(self) -> None:
        with self._lock:
            records.save_state(self.build_dir, dict(self.hashes))
