"""The read-along step: per work, an EPUB 3 with media overlays and/or a web page, from the
chapters just encoded (their sentence timings and AAC parts); made again only when a chapter
changed.

    a book:   library/<Author>/<Title>/<Title>.epub   .../read-along/index.html, audio/
    a story:  build/<NN-slug>.epub                     build/read-along/<NN-slug>/index.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import digest, safe_name, slugify
from pipeline.layout import READ_ALONG, BuildLayout
from pipeline.model import Work
from pipeline.plan.chapters import FileSettings, book_folder
from pipeline.plan.state import BuildState, read_along_key
from pipeline.publish.encode import EncodedChapter
from pipeline.publish.readalong_epub import write_epub
from pipeline.publish.readalong_page import write_page
from pipeline.publish.readalong_text import ReadAlongChapter, ReadAlongWork

READ_ALONG_VERSION = 1  # bump when the EPUB's or the page's shape changes


@dataclass(frozen=True)
class ReadAlongOutput:
    """What the step made for one work."""

    work: Work
    epub: Path | None
    page: Path | None  # the page's index.html


def read_along_paths(work: Work, settings: FileSettings) -> tuple[Path, Path]:
    """Where a work's EPUB and page (index.html) go."""
    build_dir = settings.options.build_dir
    if work.is_book:
        folder = book_folder(build_dir, work)
        return folder / f"{safe_name(work.title)}.epub", folder / READ_ALONG / "index.html"
    name = f"{work.number:02d}-{slugify(work.title)}"
    return build_dir / f"{name}.epub", BuildLayout(build_dir).read_along_page(name)


def write_read_along(encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState,
                     ) -> tuple[ReadAlongOutput, ...]:
    """Each work's read-along outputs, as ``--read-along`` asks (none by default)."""
    mode = settings.options.read_along
    if not (mode.makes_epub or mode.makes_page):
        return ()
    out = []
    for work in dict.fromkeys(e.plan.work for e in encoded):
        own = [e for e in encoded if e.plan.work is work and e.plan.kind == "story"]
        if own:
            out.append(_one_work(work, own, settings, state))
    return tuple(out)


def _one_work(work: Work, encoded: Sequence[EncodedChapter], settings: FileSettings, state: BuildState,
              ) -> ReadAlongOutput:
    mode = settings.options.read_along
    epub, page = read_along_paths(work, settings)
    wanted = [p for p, on in ((epub, mode.makes_epub), (page, mode.makes_page)) if on]
    inputs = digest({"chapters": [e.plan.inputs_hash(settings) for e in encoded], "mode": mode.value,
                     "version": READ_ALONG_VERSION})
    key = read_along_key(work.slug)
    if not state.current(key, inputs) or not all(p.exists() for p in wanted):
        readalong = _work(work, encoded, settings)
        if mode.makes_epub:
            write_epub(epub, readalong)
        if mode.makes_page:
            write_page(page, readalong)
        state.record(key, inputs)
    return ReadAlongOutput(work, epub if mode.makes_epub else None, page if mode.makes_page else None)


def _work(work: Work, encoded: Sequence[EncodedChapter], settings: FileSettings) -> ReadAlongWork:
    meta = settings.meta
    chapters = tuple(
        ReadAlongChapter(number=e.plan.chapter.number, title=e.plan.chapter.title,
                         text_start=e.plan.chapter.text_start, text_end=e.plan.chapter.end, audio=e.paths.part,
                         duration=e.audio.duration, sentences=e.sentences)
        for e in encoded)
    return ReadAlongWork(slug=work.slug, title=work.title, author=work.author or meta.author,
                         language=work.language or "en", narrator=meta.narrator, text=work.text,
                         chapters=chapters)
