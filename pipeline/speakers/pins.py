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
from pipeline.yamlutil import remove_key, set_scalar, yaml_str

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
    """Where the pins of a work live: ``stories/tale.txt`` -> ``stories/tale.speakers.yaml``."""
    return work_path.with_name(f"{work_path.stem}.speakers.yaml")


def load_pins(work_path: Path) -> Pins:
    """The pins for a work; empty when it has no pin file. Raises PinError on a bad file."""
    source = pins_source(work_path)
    return Pins(path=pins_path(work_path)) if source is None else parse_pins(pins_path(work_path), source)


def pins_source(work_path: Path) -> str | None:
    """The text of a work's pin file, None when it has none. Raises PinError when it cannot be read."""
    path = pins_path(work_path)
    try:
        if not path.exists():
            return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a story named near the limit: no pin file can exist
            return None
        raise PinError(path, f"cannot read the pin file ({exc.strerror or exc})") from None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PinError(path, f"cannot read the pin file ({exc.__class__.__name__}: {exc})") from None


def parse_pins(path: Path, source: str) -> Pins:
    """The pins in ``source``, the text of the pin file at ``path``. Raises PinError on a bad file."""
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


PIN_FILE_HEADER = ("# Who says a line, by its id (`audiobook script` shows them): a pin always wins, and the\n"
                   "# untagged lines around it follow it.\n")


def with_pin(text: str, qid: str, speaker: str | None) -> str:
    """The text of a pin file with ``qid`` pinned to ``speaker`` (``None``: the pin taken out), every
    other line, comment and pin kept as it was."""
    if not _QUOTE_ID.fullmatch(qid):
        raise PinError(None, f"'{qid}' is not a quotation id (like q-3f9a2c1b)")
    tree = YAML(typ="rt").load(text) if text.strip() else None
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, CommentedMap):
        raise PinError(None, "expected lines of the form 'q-1234abcd: Speaker Name'", 1)
    if speaker is None:
        return remove_key(text, tree, (qid,)) if qid in tree else text
    if not speaker.strip():
        raise PinError(None, f"{qid}: give a speaker name")
    return set_scalar(text or PIN_FILE_HEADER, tree, (qid,), yaml_str(speaker.strip()))
