"""One file of the corpus as a work: read by its kind (.txt, .md, .epub), its chapters found,
the user's chapter choices from corpus.yaml applied.

A text with no chapter headings stays what a short story always was: one chapter of all its
text, titled as corpus.yaml (or its file name) says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import CorpusError
from pipeline.model import Chapter, Story
from pipeline.text.book import Book, FoundChapter
from pipeline.text.chapters import find_chapters

SUFFIXES = (".txt", ".md", ".markdown", ".epub")
#: About how fast the default narrator speaks, for estimates before anything is rendered.
WORDS_PER_MINUTE = 165
LONG_MINUTES = 120  # a single chapter longer than this gets a note (ACX's limit per file)


@dataclass(frozen=True)
class ChapterChoices:
    """What corpus.yaml says about one work's chapters (all optional)."""

    pattern: str | None = None  # a regex for heading lines, instead of finding them
    skip: tuple[int | str, ...] = ()  # chapter numbers (as `audiobook chapters` lists them) or titles
    keep: tuple[int | str, ...] = ()  # front matter to read after all, by number or title
    titles: dict[int, str] = field(default_factory=dict)  # number -> the title to use


def read_book(path: Path, text: str | None = None, pattern: str | None = None) -> Book:
    """The file as a Book, whatever its kind (``text``: a .txt/.md file's text, already read)."""
    suffix = path.suffix.lower()
    if suffix == ".epub":
        from pipeline.text.epub import read_epub

        return read_epub(path)
    if text is None:
        raise CorpusError(path, "internal: text files are read before their chapters are found")
    if suffix in (".md", ".markdown"):
        from pipeline.text.markdown import read_markdown

        return read_markdown(text)
    return find_chapters(text, pattern)


def listed(book: Book, choices: ChapterChoices) -> list[tuple[int, FoundChapter, bool]]:
    """Every chapter found, numbered from 1, with whether it is read (the user's choices applied)."""
    out = []
    for n, ch in enumerate(book.chapters, start=1):
        keep = ch.kept
        if _chosen(n, ch, choices.skip):
            keep = False
        elif _chosen(n, ch, choices.keep):
            keep = True
        out.append((n, ch, keep))
    return out


def _chosen(n: int, ch: FoundChapter, picks: Sequence[int | str]) -> bool:
    for p in picks:
        if isinstance(p, int) and p == n:
            return True
        if isinstance(p, str) and p.casefold() in (ch.title.casefold(), _own_title(ch).casefold()):
            return True
    return False


def _own_title(ch: FoundChapter) -> str:
    return ch.title.rsplit(" — ", 1)[-1]


def to_story(path: Path, slug: str, title: str | None, number: int, book: Book, choices: ChapterChoices,
             ) -> Story:
    """The work as the pipeline reads it: the kept chapters, numbered from 1, and what was skipped."""
    found = listed(book, choices)
    kept = [(n, ch) for n, ch, keep in found if keep]
    work_title = title or book.title or path.stem
    if not kept:
        raise CorpusError(path, "every chapter is skipped; keep one in corpus.yaml (chapters: keep: [N])")
    if len(found) == 1 or (len(kept) == 1 and not kept[0][1].title):
        # a story: one chapter of all its text, as it always was
        chapters: tuple[Chapter, ...] = ()
    else:
        chapters = tuple(
            Chapter(i, choices.titles.get(n) or ch.title or f"Chapter {i}", ch.start, ch.end, ch.body)
            for i, (n, ch) in enumerate(kept, start=1))
    skipped = tuple(Chapter(n, ch.title, ch.start, ch.end, ch.body) for n, ch, keep in found if not keep)
    return Story(slug=slug, title=work_title, path=path, text=book.text, number=number, chapters=chapters,
                 author=book.author, language=book.language, description=book.description, year=book.year,
                 skipped=skipped)


def estimate_minutes(text: str) -> float:
    """How long a stretch of text takes to speak, roughly (before anything is rendered)."""
    return len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE
