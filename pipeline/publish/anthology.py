"""The anthology: every chapter of the corpus joined into one M4B (and, if asked, one MP3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import digest
from pipeline.model import Meta
from pipeline.plan.chapters import FileSettings
from pipeline.plan.state import ANTHOLOGY, ANTHOLOGY_MP3, BuildState
from pipeline.publish import export
from pipeline.publish.books import chapter_times
from pipeline.publish.encode import EncodedChapter

ANTHOLOGY_VERSION = 2  # bump when the anthology's container changes shape


@dataclass(frozen=True)
class Anthology:
    file: Path
    duration: float


def write_anthology(encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState) -> Anthology:
    """The M4B joined from the chapters' AAC parts (and, if asked, one MP3 joined from theirs)."""
    options, meta = settings.options, settings.meta
    target = options.build_dir / "anthology.m4b"
    times = chapter_times(encoded, anthology_title)
    chapters = list(times)
    start = times[-1].end if times else 0.0
    tags = _anthology_tags(meta)
    inputs = digest({"parts": [e.plan.inputs_hash(settings) for e in encoded],
                     "chapters": [(c.title, c.start, c.end) for c in chapters],
                     "tags": repr(tags), "cover": meta.cover_hash, "version": ANTHOLOGY_VERSION})
    if not state.current(ANTHOLOGY, inputs) or not target.exists():
        export.write_anthology(target, [e.paths.part for e in encoded], chapters, tags)
        state.record(ANTHOLOGY, inputs)
    mp3 = options.build_dir / "anthology.mp3"
    if options.anthology_mp3 and (not state.current(ANTHOLOGY_MP3, inputs) or not mp3.exists()):
        export.write_anthology_mp3(mp3, [e.paths.audio or e.paths.part for e in encoded], chapters, tags)
        state.record(ANTHOLOGY_MP3, inputs)
    return Anthology(target, start)


def anthology_title(e: EncodedChapter) -> str:
    """A story's chapter in the anthology is its title; a book chapter's, "Book: Chapter"."""
    work = e.plan.work
    return f"{work.title}: {e.plan.chapter.title}" if work.is_book else e.plan.chapter.title


def _anthology_tags(meta: Meta) -> export.Tags:
    return export.Tags(title=meta.title, album=meta.title, artist=meta.author, track=1, total=1,
                       narrator=meta.narrator, year=meta.year, cover=meta.cover)
