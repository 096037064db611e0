"""What the studio writes: a speaker pin, a voice knob, a lexicon entry. Nothing else.

Every write goes through the same comment-keeping, in-place editing the command line's files
use (``yamlutil.set_scalar``): one value changes, every other byte stays. A write happens under
the build lock (a build running from the command line is reported, not raced), only when the
file still holds what the page read (its content hash), and atomically (a temporary file renamed
into place). voices.yaml is validated as a build validates it before it is written, and a
mistake comes back with the command line's message, which names the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipeline.errors import AudiobookError, CastingError
from pipeline.fsutil import atomic_open
from pipeline.runner.lock import build_lock
from pipeline.studio.project import ABSENT, file_hash
from pipeline.voices.casting import Casting, parse
from pipeline.voices.schema import VoiceSpec
from pipeline.yamlutil import TextEditError, set_scalar, yaml_str

#: The knobs of a voice, as voices.yaml names them (what a VoiceSpec holds).
KNOBS = tuple(VoiceSpec.model_fields)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class Stale(AudiobookError):
    """The file changed on disk since the page read it; the page reloads it instead of writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path.name} changed on disk since the page read it; reloaded it, nothing was "
                         "overwritten: make the change again")


class Refused(AudiobookError):
    """A write the studio does not make (a path outside the files it may change)."""


@dataclass(frozen=True)
class Written:
    path: Path
    hash: str  # the file's content hash after the write: what the page now holds


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def write_guarded(path: Path, base: str, change: Callable[[str], str], build_dir: Path,
                  allowed: Callable[[Path], bool]) -> Written:
    """Apply ``change`` to the file's text and write it atomically, under the build lock, unless the
    file no longer has the hash ``base`` the page read (raises Stale) or is not one the studio may
    write (raises Refused). BuildLocked when a build holds the lock."""
    if not allowed(path):
        raise Refused(f"{path}: the studio writes only voices.yaml and the works' .speakers.yaml files")
    with build_lock(build_dir):
        if file_hash(path) != base:
            raise Stale(path)
        text = change(read_text(path))
        real = path.resolve() if path.is_symlink() else path  # a link stays a link
        with atomic_open(real) as fh:
            fh.write(text)
    return Written(path, file_hash(path))


def knob_value(knob: str, value: str) -> str:
    """A knob's value as YAML text: numbers as numbers, anything else as a string (which
    validation then names, as it would in the file)."""
    value = value.strip()
    if knob in ("rate", "pitch", "volume", "speaker") and _NUMBER.fullmatch(value):
        return value
    return yaml_str(value)


def voice_keys(entry: str) -> tuple[str, ...]:
    """Where an entry's knobs live: ``narrator``, or a character under ``characters``."""
    if entry == "narrator":
        return ("narrator",)
    return ("characters", entry)


def with_knobs(text: str, entry: str, knobs: dict[str, str]) -> str:
    """voices.yaml's text with the entry's knobs set; an empty value leaves a knob as it is."""
    for knob, value in knobs.items():
        if knob not in KNOBS:
            raise CastingError(None, knob, f"unknown knob {knob!r}; the knobs are {', '.join(KNOBS)}")
        if value is None or not str(value).strip():
            continue
        tree = _tree(text)
        try:
            text = set_scalar(text, tree, (*voice_keys(entry), knob), knob_value(knob, str(value)))
        except TextEditError as exc:
            raise CastingError(None, f"{'.'.join(voice_keys(entry))}.{knob}", str(exc)) from exc
    return text


def with_lexicon(text: str, word: str, say: str) -> str:
    word, say = word.strip(), say.strip()
    if not word or not say:
        raise CastingError(None, "lexicon", "a lexicon entry needs a word and how to say it")
    try:
        return set_scalar(text, _tree(text), ("lexicon", word), yaml_str(say))
    except TextEditError as exc:
        raise CastingError(None, f"lexicon.{word}", str(exc)) from exc


def validated(path: Path, text: str, books: frozenset[str]) -> Casting:
    """The casting ``text`` would give, checked as a build checks voices.yaml (raises CastingError
    with the command line's message)."""
    return parse(path, _tree(text, path), books)


def tree_of(text: str) -> Any:
    """voices.yaml's round-trip tree (an empty mapping for an empty file)."""
    return _tree(text) or {}


def _tree(text: str, path: Path | None = None) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise CastingError(path, None, f"invalid YAML: {exc}") from exc


def field_of(error: CastingError) -> str | None:
    """The knob a voices.yaml error is about, for showing it beside its field."""
    key = error.key or ""
    last = key.rsplit(".", 1)[-1]
    return last if last in KNOBS else ("lexicon" if key.startswith("lexicon") else None)


__all__ = ["ABSENT", "KNOBS", "Refused", "Stale", "Written", "field_of", "knob_value", "read_text",
           "tree_of", "validated", "voice_keys", "with_knobs", "with_lexicon", "write_guarded"]
