"""build/manifest.json: what a build made, as typed records, written as JSON.

Players and scripts read it: per story (per chapter file) its file, duration, cast and every
segment placed in time; the anthology's chapters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.fsutil import write_if_changed
from pipeline.model import ChapterAudio, Character
from pipeline.publish import records

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Announcement:
    """Spoken but not part of the story's text: its title, credits in the first and last file."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class ChapterEntry:
    number: int
    kind: str  # "story" or "credits"
    title: str
    source: str  # the text file it was read from
    file: str  # the audio file's name in the build folder
    captions: dict[str, str]  # {"vtt": name, "srt": name}
    duration: float
    anthology_start: float
    announcements: tuple[Announcement, ...]
    characters: tuple[Character, ...]
    audio: ChapterAudio
    work: str = ""  # the slug of the work it belongs to
    chapter: int = 1  # its number within that work
    anthology_title: str = ""  # its chapter mark in the anthology ("Book: Chapter" for a book's)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "kind": self.kind, "title": self.title, "source": self.source,
            "file": self.file, "captions": dict(self.captions), "duration": round(self.duration, 3),
            "anthology_start": round(self.anthology_start, 3),
            "announcements": [{"text": a.text, "start": round(a.start, 3), "end": round(a.end, 3)}
                              for a in self.announcements],
            "characters": [{"name": c.name, "aliases": list(c.aliases), "gender": c.gender, "lines": c.lines}
                           for c in self.characters],
            "work": self.work,
            "chapter": self.chapter,
            "segments": records.timeline_json(self.audio),
        }


@dataclass(frozen=True)
class AnthologyEntry:
    file: str
    mp3: str | None
    duration: float


@dataclass(frozen=True)
class WorkEntry:
    """A book: its M4B, its folder and its chapters' times in that M4B."""

    slug: str
    title: str
    author: str | None
    source: str
    file: str
    folder: str
    metadata: str
    duration: float
    chapters: tuple[tuple[str, float, float], ...]  # (title, start, end)
    skipped: tuple[tuple[str, int, int], ...]  # front and back matter not read: (title, start, end) in the text

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug, "title": self.title, "author": self.author, "source": self.source,
            "file": self.file, "folder": self.folder, "metadata": self.metadata, "duration": round(self.duration, 3),
            "chapters": [{"number": i, "title": t, "start": round(a, 3), "end": round(b, 3)}
                         for i, (t, a, b) in enumerate(self.chapters, start=1)],
            "skipped": [{"title": t, "text_start": a, "text_end": b} for t, a, b in self.skipped],
        }


@dataclass(frozen=True)
class Manifest:
    title: str
    author: str
    narrator: str
    year: str | None
    cover: str
    format: str
    profile: str
    anthology: AnthologyEntry | None  # None when the corpus holds a single work
    stories: tuple[ChapterEntry, ...]
    works: tuple[WorkEntry, ...] = ()  # the books (works of several chapters)
    read_along: tuple[tuple[str, str | None, str | None], ...] = ()  # (work, its EPUB, its page) when made

    def to_json(self) -> dict[str, Any]:
        stories = [s.to_json() for s in self.stories]
        return {
            "version": MANIFEST_VERSION, "title": self.title, "author": self.author, "narrator": self.narrator,
            "year": self.year, "cover": self.cover, "format": self.format, "profile": self.profile,
            "anthology": {
                **asdict(self.anthology), "duration": round(self.anthology.duration, 3),
                "chapters": [{"title": m.anthology_title or s["title"], "start": s["anthology_start"],
                              "end": round(s["anthology_start"] + s["duration"], 3)}
                             for m, s in zip(self.stories, stories, strict=True)],
            } if self.anthology else None,
            "stories": stories,
            "works": [w.to_json() for w in self.works],
            "read_along": [{"work": w, "epub": e, "page": p} for w, e, p in self.read_along],
        }


def write_manifest(build_dir: Path, manifest: Manifest) -> Path:
    """Write the manifest (only if it changed), first removing outputs the previous one listed
    and this one does not (a story renamed or removed, another --format)."""
    target = build_dir / "manifest.json"
    data = manifest.to_json()
    records.remove_outdated(build_dir, target, data)
    write_if_changed(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return target
