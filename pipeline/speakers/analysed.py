"""A work's analysis (segments, speakers, cast), kept under ``<build>/cache/analysis/``.

Analysing a novel takes seconds; its result depends only on its text, its pins and the program.
So it is kept by the hash of those three, as JSON, and read back by the next build and by the
studio (a book built once opens at once there). A damaged or missing record is analysed again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.errors import AudiobookError
from pipeline.fsutil import atomic_open
from pipeline.layout import BuildLayout
from pipeline.model import Analysis, Character, Segment, Work
from pipeline.speakers.analyse import analyse
from pipeline.speakers.pins import Pins, parse_pins, pins_path, pins_source


@functools.cache
def program_digest() -> str:
    """The program's own source and data: a record made by other code is not reused."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".txt", ".yaml")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def analysis_key(text: str, pins: str | None) -> str:
    h = hashlib.sha256(f"{program_digest()}\0{text}\0{pins if pins is not None else ''}".encode())
    return h.hexdigest()[:32]


def to_json(a: Analysis) -> dict[str, Any]:
    return {"segments": [asdict(s) for s in a.segments], "characters": [asdict(c) for c in a.characters],
            "warnings": list(a.warnings)}


def from_json(data: dict[str, Any]) -> Analysis:
    return Analysis(tuple(Segment(**s) for s in data["segments"]),
                    tuple(Character(**{**c, "aliases": tuple(c["aliases"])}) for c in data["characters"]),
                    tuple(data["warnings"]))


def analyse_with(text: str, pins_file: Path, pins: str | None) -> Analysis:
    """``audiobook script``'s analysis of ``text`` with the pin file ``pins_file`` reading ``pins``."""
    return analyse(text, parse_pins(pins_file, pins) if pins else Pins(path=pins_file))


def read(build_dir: Path, key: str) -> Analysis | None:
    try:
        return from_json(json.loads((BuildLayout(build_dir).analysis / f"{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep(build_dir: Path, key: str, data: dict[str, Any]) -> None:
    """Store a record; a cache: when it cannot be written, the next run analyses again."""
    with contextlib.suppress(OSError, AudiobookError):
        folder = BuildLayout(build_dir).analysis
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_open(folder / f"{key}.json") as fh:
            json.dump(data, fh, ensure_ascii=False)


@dataclass(frozen=True)
class Found:
    """A work's analysis, and the record it is kept as."""

    analysis: Analysis
    key: str
    kept: bool  # read from the cache (False: made now, to be kept with ``keep_found``)


def analysed(work: Work, build_dir: Path | None) -> Found:
    """The work's analysis with its pins as they are on disk: from the cache, or made now. Nothing is
    written here: a build keeps new records only once voices.yaml has passed its checks."""
    pins = pins_source(work.path)
    key = analysis_key(work.text, pins)
    found = read(build_dir, key) if build_dir is not None else None
    if found is not None:
        return Found(found, key, True)
    return Found(analyse_with(work.text, pins_path(work.path), pins), key, False)


def keep_found(build_dir: Path, found: Sequence[Found]) -> None:
    """Keep the records of the analyses made now."""
    for f in found:
        if not f.kept:
            keep(build_dir, f.key, to_json(f.analysis))
