"""Markdown works: headings are chapters; markup is read as plain text."""

from __future__ import annotations

from pipeline.reading.markdown import read_markdown

PROSE = "The *rain* had not stopped, and [the road](http://example.com) was a river of **mud**."


def test_headings_are_chapters_and_markup_is_plain_text() -> None:
    book = read_markdown(f"# The Long Road\n\n## Chapter 1\n\n{PROSE}\n\n## Chapter 2\n\nMore.\n")
    assert book.title == "The Long Road"
    assert [c.title for c in book.chapters if c.kept] == ["Chapter 1", "Chapter 2"]
    assert book.chapters[0].skip == "title page"
    first = book.chapters[1]
    assert book.text[first.body:first.end].strip() == (
        "The rain had not stopped, and the road was a river of mud.")
    assert "*" not in book.text and "http" not in book.text


def test_front_matter_gives_the_metadata_and_parts_nest_chapters() -> None:
    book = read_markdown("---\ntitle: Tales\nauthor: Ada Finch\n---\n\n# Part One\n\n## The Orchard\n\n"
                         f"{PROSE}\n\n## The Well\n\n{PROSE}\n\n# Part Two\n\n## The Road\n\n{PROSE}\n")
    assert (book.title, book.author) == ("Tales", "Ada Finch")
    assert [c.title for c in book.chapters] == ["Part One — The Orchard", "Part One — The Well",
                                                 "Part Two — The Road"]
    assert book.chapters[0].start == 0 and book.chapters[-1].end == len(book.text)


def test_no_headings_is_one_chapter() -> None:
    book = read_markdown(f"{PROSE}\n\n\"Hello,\" she said.\n")
    assert len(book.chapters) == 1 and book.chapters[0].kept
    assert book.text.startswith("The rain") and '"Hello," she said.' in book.text


def test_contents_heading_is_skipped() -> None:
    book = read_markdown(f"## Contents\n\n- One\n- Two\n\n## One\n\n{PROSE}\n\n## Two\n\n{PROSE}\n")
    assert [c.skip for c in book.chapters] == ["contents", None, None]
