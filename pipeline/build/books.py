"""A book's own outputs: one M4B with a chapter mark per chapter, joined from the chapters'
AAC parts (no second encode), and the sidecar Audiobookshelf reads, in the book's folder.

    build/library/<Author>/<Title>/<Title>.m4b, cover.jpg, metadata.json, NN - Chapter.vtt ...
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.build.encode import EncodedChapter
from pipeline.build.plan import FileSettings, book_folder, digest
from pipeline.build.state import BuildState
from pipeline.fsutil import safe_name, write_if_changed
from pipeline.model import Story
from pipeline.publish import export
from pipeline.publish.tags import Chapter

BOOK_VERSION = 1  # bump when a book's M4B changes shape


@dataclass(frozen=True)
class BookOutput:
    """What a build made of one book."""

    story: Story
    folder: Path
    audio: Path  # the book's M4B
    metadata: Path  # metadata.json for Audiobookshelf
    duration: float
    chapters: tuple[Chapter, ...]


def chapter_times(encoded: Sequence[EncodedChapter], label: Callable[[EncodedChapter], str] | None = None,
                  ) -> tuple[Chapter, ...]:
    """Chapter marks for files joined in this order (``label`` names each chapter)."""
    out = []
    start = 0.0
    for e in encoded:
        title = label(e) if label else e.plan.chapter.title
        out.append(Chapter(title, start, start + e.audio.duration))
        start += e.audio.duration
    return tuple(out)


def write_books(encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState,
                ) -> tuple[BookOutput, ...]:
    """Each book's M4B and metadata.json, written again only when a chapter or a tag changed."""
    out = []
    for story in dict.fromkeys(e.plan.story for e in encoded if e.plan.story.is_book):
        own = [e for e in encoded if e.plan.story is story and e.plan.kind == "story"]
        out.append(_write_book(story, own, settings, state))
    return tuple(out)


def _write_book(story: Story, encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState,
                ) -> BookOutput:
    meta = settings.meta
    folder = book_folder(settings.options.build_dir, story)
    target = folder / f"{safe_name(story.title)}.m4b"
    times = chapter_times(encoded)
    tags = export.Tags(title=story.title, album=story.title, artist=story.author or meta.author, track=1, total=1,
                       narrator=meta.narrator, year=story.year or meta.year, cover=meta.cover_for(story))
    inputs = digest({"parts": [e.plan.inputs_hash(settings) for e in encoded],
                     "chapters": [(c.title, c.start, c.end) for c in times], "tags": repr(tags),
                     "version": BOOK_VERSION})
    key = f"work:{story.slug}"
    if not state.current(key, inputs) or not target.exists():
        export.write_anthology(target, [e.paths.part for e in encoded],
                               times, tags)
        state.record(key, inputs)
    sidecar = folder / "metadata.json"
    write_if_changed(sidecar, json.dumps(_abs_metadata(story, settings, times), indent=2, ensure_ascii=False)
                     + "\n")
    duration = times[-1].end if times else 0.0
    return BookOutput(story, folder, target, sidecar, duration, times)


def _abs_metadata(story: Story, settings: FileSettings, times: Sequence[Chapter]) -> dict[str, Any]:
    """Audiobookshelf's metadata.json: what it reads from a book folder instead of guessing."""
    meta = settings.meta
    return {
        "title": story.title,
        "subtitle": None,
        "authors": [story.author or meta.author],
        "narrators": [meta.narrator],
        "series": [],
        "genres": ["Audiobook"],
        "publishedYear": story.year or meta.year,
        "publishedDate": None,
        "publisher": None,
        "description": story.description,
        "isbn": None,
        "asin": None,
        "language": story.language,
        "explicit": False,
        "abridged": False,
        "tags": [],
        "chapters": [{"id": i, "start": round(c.start, 3), "end": round(c.end, 3), "title": c.title}
                     for i, c in enumerate(times)],
    }
