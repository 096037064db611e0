"""The title page read as a reader reads it: the title over one line or several, the author after
"by" or on a line of their own, labels, and what is not the author (illustrators, editions)."""

from __future__ import annotations

import pytest

from pipeline.reading.chapters import find_chapters
from pipeline.reading.headings import blocks_of
from pipeline.reading.titlepage import read_title_page

PROSE = ("The rain had not stopped since morning, and the road to the village was a river of mud. "
         "Nobody in the house spoke of leaving, though everybody thought of it, and the fire burned low.")


def page(text: str) -> tuple[str | None, str | None, str | None]:
    p = read_title_page(blocks_of(text))
    return p.title, p.author, p.year


@pytest.mark.parametrize(("text", "title", "author"), [
    ("JANE EYRE\nAN AUTOBIOGRAPHY\n\n\nBY\nCHARLOTTE BRONTE\n\n_ILLUSTRATED BY F. H. TOWNSEND_\n\nLondon\n"
     "SERVICE & PATON\n1897", "Jane Eyre", "Charlotte Bronte"),
    ("CRANFORD\n\n_by_\n_Elizabeth Cleghorn Gaskell_\n\n_With twenty-five coloured illustrations_\n_by C. E. Brock_",
     "Cranford", "Elizabeth Cleghorn Gaskell"),
    ("\t\t\tThe Great Gatsby\n\t\t\t\tby\n\t\t\tF. Scott Fitzgerald", "The Great Gatsby", "F. Scott Fitzgerald"),
    ("The Wonderful Wizard of Oz\n\nby\n\nL. Frank Baum", "The Wonderful Wizard of Oz", "L. Frank Baum"),
    ("SONS AND LOVERS\n\nD. H. LAWRENCE", "Sons and Lovers", "D. H. Lawrence"),
    ("                 WASHINGTON\n                   SQUARE\n\n* * * * *\n\nBY\n\nHENRY JAMES", "Washington Square",
     "Henry James"),
    ("ADVENTURES\n\nOF\n\nHUCKLEBERRY FINN\n\n(Tom Sawyer's Comrade)\n\nBy Mark Twain\n\nComplete",
     "Adventures of Huckleberry Finn", "Mark Twain"),
    ("Title: Hard Times\n\nAuthor: Charles Dickens", "Hard Times", "Charles Dickens"),
    ("PINOCCHIO\n\nTHE TALE OF A\nPUPPET\n\nBy C COLLODI", "Pinocchio", "C Collodi"),
    ("PRIDE.\nand\nPREJUDICE\n\nby\n\nJane Austen", "Pride and Prejudice", "Jane Austen"),
    ("THE MOONSTONE\n\n A Romance \n\nby Wilkie Collins", "The Moonstone", "Wilkie Collins"),
    ("WUTHERING HEIGHTS", "Wuthering Heights", None),
    ("A TALE\n\nTO\nW. M. THACKERAY, ESQ.,\n\nThis Work\nIS RESPECTFULLY INSCRIBED\n\nBY\nTHE AUTHOR", "A Tale", None),
])
def test_title_and_author(text: str, title: str, author: str | None) -> None:
    assert page(text)[:2] == (title, author)


def test_the_year_a_title_page_gives() -> None:
    assert page("THE VOYAGE OUT (1915)\n\nby Virginia Woolf (1882-1941)") == ("The Voyage Out", "Virginia Woolf",
                                                                             "1915")
    assert page("A BOOK\n\nBY\n\nAN AUTHOR\n\nLONDON\n1921\n\n_First published in_ 1881")[2] == "1881"
    assert page("A BOOK\n\nby A. Writer\n\nLondon\nSERVICE & PATON\n1897")[2] == "1897"


def test_a_book_gets_its_title_page_and_no_title_when_it_has_none() -> None:
    b = find_chapters(f"THE LONG ROAD\n\nby\n\nADA FINCH\n\n1904\n\nCHAPTER I\n\n{PROSE}\n\nCHAPTER II\n\n{PROSE}\n")
    assert (b.title, b.author, b.year) == ("The Long Road", "Ada Finch", "1904")
    b = find_chapters(f"CHAPTER I\n\n{PROSE}\n\nCHAPTER II\n\n{PROSE}\n")
    assert (b.title, b.author) == (None, None)


@pytest.mark.parametrize(("line", "signed"), [("L. Frank Baum", True), ("Chicago, April, 1900.", True),
                                              ("Ann Writer", True), ("Etymology", False),
                                              ("Note to the Third Edition", False), ("The Old Sea-dog", False)])
def test_a_signature(line: str, signed: bool) -> None:
    from pipeline.reading.titlepage import is_signature

    assert is_signature(line) is signed
