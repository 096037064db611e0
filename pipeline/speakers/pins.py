"""The user's speaker pins: ``<story stem>.speakers.yaml`` beside the story.

Each entry maps a quotation id (shown by ``audiobook script``) to a speaker::

    q-3f9a2c1b: Madame Dupont   # she says it, not Stéphane

A pin always wins over the sieves. The file is read with a round-trip YAML loader
so that a tool which rewrites it keeps the user's comments and order. Whether a
pinned name is a character of the story can only be told once the cast is known,
so ``check_pins`` is called by the attribution stage with the cast's names.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pipeline.errors import PinError

_QUOTE_ID = re.compile(r"q-[0-9a-f]{8}")


class Pins(dict[str, str]):
    """Quote id -> speaker, remembering the file and line of each pin for error messages."""

    def __init__(
        self,
        pins: dict[str, str] | None = None,
        path: Path | None = None,
        lines: dict[str, int] | None = None,
    ) -> None:
        super().__init__(pins or {})
        self.path = path
        self.lines = lines or {}


def pins_path(work_path: Path) -> Path:
    """Where the pins of a story live: ``stories/tale.txt`` -> ``stories/tale.speakers.yaml``."""
    return work_path.with_name(f"{work_path.stem}.speakers.yaml")


def load_pins(work_path: Path) -> Pins:
    """The pins for a story; empty when it has no pin file. Raises PinError on a bad file."""
    path = pins_path(work_path)
    try:
        if not path.exists():
            return Pins(path=path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a story named near the limit: no pin file can exist
            return Pins(path=path)
        raise PinError(path, f"cannot read the pin file ({exc.strerror or exc})") from None
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PinError(path, f"cannot read the pin file ({exc.__class__.__name__}: {exc})") from None
    try:
        data = YAML(typ="rt").load(source)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        why = (exc.problem or exc.context or "invalid YAML").strip()
        raise PinError(path, f"YAML syntax error: {why}", line) from None
    except YAMLError as exc:
        raise PinError(path, f"YAML syntax error: {str(exc).splitlines()[0]}") from None
    if data is None:
        return Pins(path=path)
    if not isinstance(data, CommentedMap):
        raise PinError(path, "expected lines of the form 'q-1234abcd: Speaker Name'", 1)
    pins: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in data.items():
        line = data.lc.key(key)[0] + 1
        key = str(key)
        if not _QUOTE_ID.fullmatch(key):
            raise PinError(
                path,
                f"'{key}' is not a quotation id (like q-3f9a2c1b); run `audiobook script` to see them",
                line,
            )
        if not isinstance(value, str) or not value.strip():
            raise PinError(path, f"{key}: give a speaker name", line)
        pins[key] = value.strip()
        lines[key] = line
    return Pins(pins, path, lines)


def check_pins(pins: dict[str, str], known: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map each pin to the canonical name of a known character, given (name or alias,
    canonical name) pairs, case-insensitively; raise PinError naming the file and line
    of the first pin whose speaker is not in the story."""
    canonical: dict[str, str] = {}
    for alias, name in known:
        canonical.setdefault(alias.casefold(), name)
    out = {}
    for qid, who in pins.items():
        found = canonical.get(who.casefold())
        if found is None:
            path = pins.path if isinstance(pins, Pins) else None
            line = pins.lines.get(qid) if isinstance(pins, Pins) else None
            raise PinError(
                path, f"{qid}: unknown character '{who}'; run `audiobook script` to list the characters", line
            )
        out[qid] = found
    return out
