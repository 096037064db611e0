"""Chapters found in plain text the way a reader sees them, front and back matter left out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.reading.book import Book
from pipeline.reading.chapters import find_chapters
from pipeline.reading.numerals import number_value
from pipeline.reading.titles import tidy

PROSE = ("The rain had not stopped since morning, and the road to the village was a river of mud. "
         "Nobody in the house spoke of leaving, though everybody thought of it, and the fire burned low.")


def book(*parts: str) -> Book:
    return find_chapters("\n\n".join(parts) + "\n")


def kept(b: Book) -> list[str]:
    return [c.title for c in b.chapters if c.kept]


def assert_tiles(b: Book) -> None:
    assert b.chapters[0].start == 0 and b.chapters[-1].end == len(b.text)
    for a, c in zip(b.chapters, b.chapters[1:], strict=False):
        assert a.end == c.start
    for c in b.chapters:
        assert c.start <= c.body <= c.end


def test_numbered_in_words_with_a_title_line_and_a_title_page() -> None:
    b = book("THE LONG ROAD", "by Ada Finch", "CHAPTER ONE", "A WET BEGINNING", PROSE, PROSE,
             "CHAPTER TWO", "THE VILLAGE", PROSE, "CHAPTER TWENTY-ONE", "HOME", PROSE)
    assert kept(b) == ["Chapter One: A Wet Beginning", "Chapter Two: The Village", "Chapter Twenty-One: Home"]
    assert (b.title, b.author) == ("The Long Road", "Ada Finch")
    assert b.chapters[0].skip == "title page"
    first = next(c for c in b.chapters if c.kept)
    assert b.text[first.body:].lstrip().startswith("The rain")
    assert_tiles(b)


@pytest.mark.parametrize("heading", ["CHAPTER I.", "Chapter 1", "CHAPTER I"])
def test_roman_and_arabic_numerals(heading: str) -> None:
    second = heading.replace("1", "2").replace("I", "II")
    b = book(heading, PROSE, second, PROSE)
    assert len(kept(b)) == 2
    assert_tiles(b)


def test_number_and_title_on_one_line() -> None:
    b = book("Chapter 1 PETER BREAKS THROUGH", PROSE, "Chapter 2 COME AWAY, COME AWAY!", PROSE,
             "Chapter 3 “HOOK OR ME THIS TIME”", PROSE)
    assert kept(b) == ["Chapter 1: Peter Breaks Through", "Chapter 2: Come Away, Come Away!",
                       "Chapter 3: “Hook or Me This Time”"]


def test_books_above_numbered_chapters_prefix_their_titles() -> None:
    b = book("A TALE", "Book the First--Recalled to Life", "I. The Period", PROSE, "II. The Mail", PROSE,
             "Book the Second--the Golden Thread", "I. Five Years Later", PROSE)
    assert kept(b) == ["Book the First: Recalled to Life — I. The Period",
                       "Book the First: Recalled to Life — II. The Mail",
                       "Book the Second: The Golden Thread — I. Five Years Later"]
    assert [c.part for c in b.chapters if c.kept][-1] == "Book the Second: The Golden Thread"


def test_a_numeral_that_continues_a_higher_level_joins_it() -> None:
    """The numbered sections of Adventure I stay inside it; "III." after "ADVENTURE II" is the third."""
    b = book("ADVENTURE I. A SCANDAL", "I.", PROSE, "II.", PROSE, "ADVENTURE II. THE LEAGUE", PROSE,
             "III. THE ADVENTURE OF THE BLUE STONE", PROSE)
    assert kept(b) == ["Adventure I: A Scandal", "Adventure II: The League", "III. The Adventure of the Blue Stone"]
    first = next(c for c in b.chapters if c.kept)
    assert b.text[first.body:].lstrip().startswith("The rain")  # its first section's "I." is not read
    assert [s.title for s in first.sections] == ["II"]


def test_numerals_alone_with_title_lines_and_an_unnumbered_first_chapter() -> None:
    b = book("ANNE OF THE ORCHARD", "by L. M. Author", "An Irate Neighbour", PROSE, PROSE,
             "II", "Selling in Haste", PROSE, "III", "Mr. Harrison at Home", PROSE)
    assert kept(b) == ["An Irate Neighbour", "II. Selling in Haste", "III. Mr. Harrison at Home"]
    assert b.chapters[0].skip == "title page"


def test_title_only_headings() -> None:
    b = book("The Orchard\n\n", PROSE, PROSE, "\nA Second Morning\n\n", PROSE, "\nThe Last Letter\n\n", PROSE)
    assert kept(b) == ["The Orchard", "A Second Morning", "The Last Letter"]


def test_preface_contents_and_the_end() -> None:
    b = book("MY BOOK", "By A. Writer", "CONTENTS", "CHAPTER I. Morning\nCHAPTER II. Night",
             "PREFACE", PROSE, "CHAPTER I", "MORNING", PROSE, "CHAPTER II", "NIGHT", PROSE, "THE END")
    assert kept(b) == ["Preface", "Chapter I: Morning", "Chapter II: Night"]
    assert [c.skip for c in b.chapters if not c.kept] == ["title page", "contents", "end"]
    assert "THE END" not in b.text[b.chapters[-2].start:b.chapters[-2].end]


def test_the_table_of_contents_is_not_read() -> None:
    b = book("MY BOOK", "CONTENTS", "CHAPTER I. Morning", "CHAPTER II. Night", "CHAPTER I. Morning", PROSE,
             "CHAPTER II. Night", PROSE)
    assert kept(b) == ["Chapter I: Morning", "Chapter II: Night"]
    contents = next(c for c in b.chapters if c.skip == "contents")
    assert b.text[contents.start:contents.end].split() == ["CONTENTS", "CHAPTER", "I.", "Morning", "CHAPTER", "II.",
                                                          "Night"]


def test_gutenberg_header_and_licence_are_skipped_and_give_the_metadata() -> None:
    text = ("The Project Gutenberg eBook of Tales\n\nTitle: Tales of the Marsh\n\nAuthor: Ben Reed\n\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK TALES ***\n\nCHAPTER I\n\n" + PROSE + "\n\nCHAPTER II\n\n"
            + PROSE + "\n\n*** END OF THE PROJECT GUTENBERG EBOOK TALES ***\n\nLicence text here.\n")
    b = find_chapters(text)
    assert (b.title, b.author, b.language) == ("Tales of the Marsh", "Ben Reed", None)
    assert kept(b) == ["Chapter I", "Chapter II"]
    assert find_chapters(text.replace("Author: Ben Reed", "Author: Ben Reed\n\nLanguage: French")).language == "fr"
    assert [c.skip for c in b.chapters if not c.kept] == ["licence", "licence"]
    assert "Licence" not in "".join(b.text[c.body:c.end] for c in b.chapters if c.kept)
    assert_tiles(b)


def test_a_story_without_headings_is_one_chapter_of_all_its_text() -> None:
    text = "Nora opened the door.\n\n\"You're late,\" she said.\n"
    b = find_chapters(text)
    assert len(b.chapters) == 1 and b.chapters[0].kept
    assert (b.chapters[0].start, b.chapters[0].body, b.chapters[0].end) == (0, 0, len(text))


def test_prose_that_starts_like_a_heading_is_not_one() -> None:
    b = book(PROSE, "Part of the crowd had gone home, and the rest stood waiting in the rain, as they always did,",
             PROSE, "I. do not know what you mean by that, sir, and I never shall.", PROSE)
    assert len(b.chapters) == 1


@pytest.mark.parametrize(("words", "value"), [("12", 12), ("XIV", 14), ("twenty-one", 21), ("First", 1),
                                               ("MIX", None), ("ninety nine", 99)])
def test_number_values(words: str, value: int | None) -> None:
    assert number_value(words) == value


def test_tidy() -> None:
    assert tidy("THE PIECE OF WOOD THAT LAUGHED") == "The Piece of Wood That Laughed"
    assert tidy("JONATHAN HARKER'S JOURNAL--_continued_") == "JONATHAN HARKER'S JOURNAL — continued"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["CHAPTER I", "CHAPTER II", "II.", "PREFACE", "THE END", "CONTENTS", PROSE,
                                 "Short line", "by Somebody", "\n", "I. The Day", "BOOK ONE"]), max_size=14))
def test_chapters_always_tile_the_text(parts: list[str]) -> None:
    b = find_chapters("\n\n".join(parts))
    assert_tiles(b)


def test_letters_then_chapters_as_in_an_epistolary_novel() -> None:
    b = book("FRANKENSTEIN", "by Mary Shelley", "Letter 1", PROSE, PROSE, "Letter 2", PROSE, "Letter 3", PROSE,
             "Chapter 1", PROSE, "Chapter 2", PROSE, "STAVE THREE", "THE SECOND OF THE THREE SPIRITS", PROSE)
    assert kept(b) == ["Letter 1", "Letter 2", "Letter 3", "Chapter 1", "Chapter 2",
                       "Stave Three: The Second of the Three Spirits"]
    assert_tiles(b)
