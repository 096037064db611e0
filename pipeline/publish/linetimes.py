"""Where each line of a work was heard in the last build: its chapter file and start time.

A listener who hears a wrong voice at 1:23:45 of a chapter file finds the line (and the
quote id to pin) from these, read from the build's manifest.json. A line whose text changed
since that build has no time: the offsets and the words must both still match.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.clock import seconds_of
from pipeline.errors import AudiobookError
from pipeline.layout import BuildLayout
from pipeline.model import Segment


@dataclass(frozen=True)
class LineTime:
    """One segment of the work as heard."""

    file: str  # the chapter file, relative to the build folder
    chapter: int  # its number in the work
    start: float  # seconds from the start of that file
    end: float
    in_book: float | None = None  # seconds from the start of the book's M4B, when the file is a chapter of it
    title: str = ""  # the chapter's title

    @property
    def where(self) -> str:
        """The file as a listener finds it: its name, and the chapter when the file is the whole book."""
        name = Path(self.file).name
        return f"{name}: {self.title}" if self.in_book is not None else name


def parse_clock(text: str) -> float:
    """``1:23:45``, ``83:45``, ``45.5`` or ``5025`` as seconds; a one-line error otherwise."""
    seconds = seconds_of(text)
    if seconds is None:
        raise AudiobookError(f"--at {text.strip()}: not a time; write it as h:mm:ss, m:ss or seconds")
    return seconds


def _manifest(build_dir: Path) -> dict[str, Any]:
    path = BuildLayout(build_dir).manifest
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AudiobookError(f"{path}: no manifest; run `audiobook build` first (or name --build-dir)") from None
    except (OSError, ValueError) as exc:
        raise AudiobookError(f"{path}: not a manifest we can read ({exc}); build again") from None
    if not isinstance(data, dict):
        raise AudiobookError(f"{path}: not a manifest we can read; build again")
    return data


def _same_work(source: str, work: Path) -> bool:
    path = Path(source)
    try:
        return path.resolve() == work.resolve()
    except OSError:
        return path.name == work.name


def line_times(build_dir: Path, work: Path, segments: Sequence[Segment]) -> dict[int, LineTime]:
    """The time of each of ``segments`` (by index) in the last build of ``work``."""
    heard: dict[tuple[int, int, str], LineTime] = {}
    found = False
    manifest = _manifest(build_dir)
    books = {w.get("file"): [c["start"] for c in w.get("chapters") or []] for w in manifest.get("works") or []}
    for entry in manifest.get("stories") or []:
        if entry.get("kind") != "story" or not _same_work(str(entry.get("source", "")), work):
            continue
        found = True
        number = int(entry.get("chapter", 1))
        starts = books.get(entry["file"])  # the file is the book's M4B: times count from its chapter's mark
        offset = starts[number - 1] if starts and number <= len(starts) else None
        for seg in entry.get("segments") or []:
            key = (seg["text_start"], seg["text_end"], seg["text"])
            heard.setdefault(key, LineTime(entry["file"], number, seg["start"], seg["end"],
                                           None if offset is None else offset + seg["start"], str(entry["title"])))
    if not found:
        raise AudiobookError(f"{work}: not in the last build's manifest ({build_dir / 'manifest.json'}); "
                             "build it first or name its --build-dir")
    out = {}
    for i, seg in enumerate(segments):
        t = heard.get((seg.start, seg.end, seg.text))
        if t is not None:
            out[i] = t
    return out


def lines_at(times: dict[int, LineTime], seconds: float) -> list[int]:
    """The segments heard at ``seconds`` in their chapter (the nearest before it, in a pause);
    ``times`` must be one chapter's."""
    if len({t.chapter for t in times.values()}) > 1:
        raise AudiobookError("--at needs --chapter N for a book: each chapter has its own clock")
    own = times
    hits = [i for i, t in own.items() if t.start <= seconds < t.end]
    if hits:
        return sorted(hits)
    before = [i for i, t in own.items() if t.end <= seconds]
    return [max(before, key=lambda i: own[i].end)] if before else []
