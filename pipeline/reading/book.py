"""What reading a book gives: its text as one string, its chapters as found, and what the book says of itself.

Every reader (plain text, Markdown, EPUB) returns a ``Book``; the corpus turns it into a
``model.Story`` whose chapters are the kept ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

#: Why a stretch of a book is not read aloud by default.
SkipReason = Literal["licence", "title page", "copyright", "contents", "end", "no text", "images only",
                     "front matter", "back matter", "corpus.yaml"]


@dataclass(frozen=True)
class Section:
    """A numbered section inside a chapter ("II" under "CHAPTER I"): not a chapter of its own."""

    title: str  # as the book numbers it ("II", "III. From the Weekly Dauntless")
    start: int  # offset of its heading
    body: int  # where its text starts, after the heading


@dataclass(frozen=True)
class FoundChapter:
    """A chapter (or a stretch of front or back matter) as a reader found it."""

    title: str  # as the book gives it, tidied ("Chapter 3: The Storm"; "Part One: Chapter 3" when nested)
    start: int  # offset into Book.text of the chapter's first character (its heading included)
    end: int  # exclusive; the next chapter starts here
    body: int  # offset where the text to read starts (after the heading); start <= body <= end
    skip: SkipReason | None = None  # None: read aloud
    part: str | None = None  # the part/book/volume it belongs to, when the book has those
    sections: tuple[Section, ...] = ()  # numbered sections inside it, in order

    @property
    def kept(self) -> bool:
        return self.skip is None


@dataclass(frozen=True)
class Cover:
    data: bytes
    media_type: str  # image/jpeg or image/png


@dataclass(frozen=True)
class Book:
    """A work as read from one file: plain text to speak, and its chapters in order, tiling it."""

    text: str  # what is spoken and what segment offsets index into
    chapters: tuple[FoundChapter, ...]
    title: str | None = None  # from the book itself (EPUB metadata, title page, Gutenberg header)
    author: str | None = None
    language: str | None = None  # BCP 47, e.g. "en"
    description: str | None = None
    year: str | None = None
    cover: Cover | None = None
    notes: tuple[str, ...] = ()  # things the user should know ("chapter 3 has only images: skipped")


def without_wordless(book: Book) -> Book:
    """No chapter read without words: a kept chapter with nothing to read after its heading (a
    part's own page in an EPUB, "SECTION IV" over its stories) folds into the next kept chapter,
    whose heading it then stands over; the last one is skipped."""
    out: list[FoundChapter] = []
    held: FoundChapter | None = None
    for ch in book.chapters:
        if ch.kept and not re.search(r"\w", book.text[ch.body:ch.end]):
            held = held or ch
            continue
        if held is not None and ch.kept:
            ch = replace(ch, start=held.start, part=ch.part or held.title)
            held = None
        elif held is not None:
            out.append(replace(held, end=ch.start, skip="no text"))
            held = None
        out.append(ch)
    if held is not None:
        out.append(replace(held, end=book.chapters[-1].end, skip="no text"))
    return replace(book, chapters=tuple(out))
