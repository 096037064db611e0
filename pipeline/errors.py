"""The few exceptions a user can see.

Each carries enough context to print one actionable line: the file, the place
(line or key) and what to do. The CLI turns them into ``Error: ...`` and exit 1.
"""

from __future__ import annotations

from pathlib import Path

#: What Ctrl-C prints, wherever it lands (exit status 130): builds are safe to interrupt.
INTERRUPTED = "Interrupted; the cache and earlier outputs are intact. Build again to resume."


class AudiobookError(Exception):
    """Base class: ``str(error)`` is the one line shown to the user."""


def _where(path: Path | str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line else f"{path}: "


class CorpusError(AudiobookError):
    """A work or the corpus folder cannot be read."""

    def __init__(self, path: Path | str | None, why: str, line: int | None = None) -> None:
        self.path, self.line, self.why = path, line, why
        super().__init__(f"{_where(path, line)}{why}")


class CastingError(AudiobookError):
    """voices.yaml is invalid: names the file, line, key and the valid choices."""

    def __init__(self, path: Path | str | None, key: str | None, why: str, line: int | None = None) -> None:
        self.path, self.key, self.line, self.why = path, key, line, why
        keypart = f"{key}: " if key else ""
        super().__init__(f"{_where(path, line)}{keypart}{why}")


class PinError(AudiobookError):
    """A speaker pin file is invalid."""

    def __init__(self, path: Path | str | None, why: str, line: int | None = None) -> None:
        self.path, self.line, self.why = path, line, why
        super().__init__(f"{_where(path, line)}{why}")


class EngineError(AudiobookError):
    """The speech engine or ffmpeg is missing or failed."""


class OutputError(AudiobookError):
    """An output could not be written (disk full, unwritable build folder, ...)."""


class BuildLocked(AudiobookError):
    """Another build is running in the same build folder."""


class OptionsError(AudiobookError):
    """Command-line choices that are unknown or do not go together."""
