"""A book's own outputs: one M4B with a chapter mark per chapter, joined from the chapters'
AAC parts (no second encode), and the sidecar Audiobookshelf reads, in the book's folder.

    build/library/<Author>/<Title>/<Title>.m4b, cover.jpg, metadata.json, NN - Chapter.vtt ...
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.fsutil import digest, safe_name, write_if_changed
from pipeline.model import Work
from pipeline.plan.chapters import ChapterPlan, FileSettings, book_folder
from pipeline.plan.state import BuildState, book_key
from pipeline.publish import export
from pipeline.publish.encode import EncodedChapter
from pipeline.publish.tags import Chapter, audio_seconds, credit_names

BOOK_VERSION = 1  # bump when a book's M4B changes shape


@dataclass(frozen=True)
class BookOutput:
    """What a build made of one book."""

    work: Work
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
    for work in dict.fromkeys(e.plan.work for e in encoded if e.plan.work.is_book):
        own = [e for e in encoded if e.plan.work is work and e.plan.kind == "story"]
        out.append(_write_book(work, own, settings, state))
    return tuple(out)


class EarlyJoins:
    """Joins each book's M4B as soon as its last chapter is done (``add``), in a thread of its
    own, while other works' chapters are still being made: a catalogue's joins (stream copies,
    tens of GB for a shelf of books) would otherwise all wait for its last chapter. write_books
    then finds each of them up to date, and writes only what is left (the sidecars)."""

    def __init__(self, plans: Sequence[ChapterPlan], settings: FileSettings, state: BuildState) -> None:
        self.settings, self.state = settings, state
        self.order = {id(p): i for i, p in enumerate(plans)}
        self.wanted: dict[str, int] = {}  # chapters of each book, by slug
        for p in plans:
            if p.work.is_book and p.kind == "story":
                self.wanted[p.work.slug] = self.wanted.get(p.work.slug, 0) + 1
        self.got: dict[str, list[EncodedChapter]] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.joins: list[Future[BookOutput]] = []

    def add(self, e: EncodedChapter) -> None:
        slug = e.plan.work.slug
        if slug not in self.wanted or e.plan.kind != "story":
            return
        with self.lock:
            got = self.got.setdefault(slug, [])
            got.append(e)
            if len(got) < self.wanted[slug]:
                return
            chapters = sorted(got, key=lambda c: self.order[id(c.plan)])
            self.joins.append(self.pool.submit(_write_book, e.plan.work, chapters, self.settings, self.state))

    def __enter__(self) -> EarlyJoins:
        return self

    def __exit__(self, *exc: object) -> None:
        # A failed or interrupted build waits only for the join under way (renamed into place whole).
        self.pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
        if exc[0] is None:
            for join in self.joins:
                join.result()  # a join's error, raised as write_books would have


def _write_book(work: Work, encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState,
                ) -> BookOutput:
    meta = settings.meta
    folder = book_folder(settings.options.build_dir, work)
    target = folder / f"{safe_name(work.title)}.m4b"
    times = chapter_times(encoded)
    tags = export.Tags(title=work.title, album=work.title, artist=work.author or meta.author, track=1, total=1,
                       narrator=meta.narrator, year=work.year or meta.year, cover=meta.cover_for(work),
                       language=work.language, description=work.description)
    inputs = digest({"parts": [e.plan.inputs_hash(settings) for e in encoded],
                     "chapters": [(c.title, c.start, c.end) for c in times], "tags": repr(tags),
                     "version": BOOK_VERSION})
    key = book_key(work.slug)
    if not state.current(key, inputs) or not target.exists():
        parts = [e.paths.part for e in encoded]
        export.write_anthology(target, parts, times, tags)
        if _ending_at(times, audio_seconds(target)) != times:
            # The joined AAC plays a frame or two longer than its parts' sum (the first part's
            # priming): written again with the last chapter running to the end of the audio.
            export.write_anthology(target, parts, _ending_at(times, audio_seconds(target)), tags)
        state.record(key, inputs)
    times = _ending_at(times, audio_seconds(target))
    sidecar = folder / "metadata.json"
    write_if_changed(sidecar, json.dumps(_abs_metadata(work, settings, times), indent=2, ensure_ascii=False)
                     + "\n")
    duration = times[-1].end if times else 0.0
    return BookOutput(work, folder, target, sidecar, duration, times)


def _ending_at(times: tuple[Chapter, ...], length: float) -> tuple[Chapter, ...]:
    """The chapters with the last running to ``length`` seconds, the end of the audio."""
    if not times or abs(times[-1].end - length) < 0.0005:
        return times
    return (*times[:-1], replace(times[-1], end=max(length, times[-1].start)))


def _abs_metadata(work: Work, settings: FileSettings, times: Sequence[Chapter]) -> dict[str, Any]:
    """Audiobookshelf's metadata.json: what it reads from a book folder instead of guessing."""
    meta = settings.meta
    return {
        "title": work.title,
        "subtitle": None,
        "authors": [work.author or meta.author],
        "narrators": list(credit_names(meta.narrator)),
        "series": [],
        "genres": ["Audiobook"],
        "publishedYear": work.year or meta.year,
        "publishedDate": None,
        "publisher": None,
        "description": work.description,
        "isbn": None,
        "asin": None,
        "language": work.language,
        "explicit": False,
        "abridged": False,
        "tags": [],
        "chapters": [{"id": i, "start": round(c.start, 3), "end": round(c.end, 3), "title": c.title}
                     for i, c in enumerate(times)],
    }
