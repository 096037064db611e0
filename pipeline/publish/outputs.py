"""The manifest's account of a build: each chapter's files and times, each book, the anthology."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.plan.chapters import FileSettings
from pipeline.publish.anthology import Anthology, anthology_title
from pipeline.publish.books import BookOutput
from pipeline.publish.encode import EncodedChapter, OutputPaths
from pipeline.publish.manifest import Announcement, AnthologyEntry, ChapterEntry, Manifest, WorkEntry
from pipeline.publish.readalong import ReadAlongOutput


def manifest_of(encoded: Sequence[EncodedChapter], books: Sequence[BookOutput], anthology: Anthology | None,
                settings: FileSettings, read_along: Sequence[ReadAlongOutput] = ()) -> Manifest:
    options, meta = settings.options, settings.meta
    root = options.build_dir
    works = []
    start = 0.0
    for e in encoded:
        paths: OutputPaths = e.paths
        book = next((b for b in books if b.work is e.plan.work), None)
        works.append(ChapterEntry(
            number=e.plan.work.number, kind=e.plan.kind, title=e.plan.chapter.title,
            source=str(e.plan.work.path), file=_rel(paths.audio or (book.audio if book else paths.part), root),
            captions=paths.captions(lambda p: _rel(p, root)), duration=e.audio.duration,
            anthology_start=start,
            announcements=tuple(Announcement(c.text, c.start, c.end) for c in e.announcements),
            characters=() if book else e.plan.analysis.characters, audio=e.audio,
            work=e.plan.work.slug, chapter=e.plan.chapter.number, anthology_title=anthology_title(e),
        ))
        start += e.audio.duration
    return Manifest(
        title=meta.title, author=meta.author, narrator=meta.narrator, year=meta.year, cover=str(meta.cover),
        format=options.codec.name, profile=options.profile.value,
        anthology=AnthologyEntry(anthology.file.name, "anthology.mp3" if options.anthology_mp3 else None,
                                 anthology.duration) if anthology else None,
        stories=tuple(works),
        works=tuple(_work_entry(b, root) for b in books),
        read_along=tuple((r.work.slug, _rel(r.epub, root) if r.epub else None, _rel(r.page, root) if r.page else None)
                         for r in read_along),
    )


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _work_entry(book: BookOutput, root: Path) -> WorkEntry:
    work = book.work
    return WorkEntry(
        slug=work.slug, title=work.title, author=work.author, source=str(work.path),
        file=_rel(book.audio, root), folder=_rel(book.folder, root), metadata=_rel(book.metadata, root),
        duration=book.duration, chapters=tuple((c.title, c.start, c.end) for c in book.chapters),
        skipped=tuple((c.title, c.start, c.end) for c in work.skipped),
    )
