"""An EPUB's front and back matter: what its contents leave out before the first entry, what
epub:type, landmarks or the guide mark, and a short unlisted piece after the last chapter.
Books made with ebooklib, with and without semantic markup."""

from __future__ import annotations

import shutil
from pathlib import Path

from ebooklib import epub
from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.reading.epub import read_epub
from pipeline.runner.stages import BuildOptions, spoken_plans
from tests.conftest import VOICES
from tests.reading.test_epub import page, tiles

PROSE = "".join(f"<p>Buck did not read the newspapers, or he would have known that trouble was brewing {k}.</p>"
                for k in range(8))
NAMES = (("I", "Into the Primitive"), ("II", "The Law of Club and Fang"), ("III", "The Dominant Primordial Beast"))
TITLE_PAGE = "<h1>The Call of the Wild</h1><p>by Jack London</p>"
RIGHTS = "<p>This ebook is in the public domain. Produced for the Project by volunteers.</p>"
FRONT = "front matter: not in the contents"
BACK = "back matter: not in the contents"


def book_with(path: Path, front: list[epub.EpubHtml], back: list[epub.EpubHtml] = (), *,  # type: ignore[assignment]
              guide: list[dict[str, str]] = (), listed: tuple[str, ...] = ()) -> Path:  # type: ignore[assignment]
    """Front pages, three chapters that the contents list (with the pages in ``listed``), back pages."""
    book = epub.EpubBook()
    book.set_identifier("call-of-the-wild")
    book.set_title("The Call of the Wild")
    book.set_language("en")
    book.add_author("Jack London")
    chapters = [page(f"ch{i}.xhtml", f"<h2>Chapter {n}. {name}</h2>{PROSE}") for i, (n, name) in enumerate(NAMES, 1)]
    pages = [*front, *chapters, *back]
    for p in pages:
        book.add_item(p)
    book.toc = [epub.Link(p.file_name, p.title, p.id) for p in front + list(back) if p.file_name in listed]
    book.toc += [epub.Link(c.file_name, f"Chapter {n}. {name}", c.id) for c, (n, name) in zip(chapters, NAMES,
                                                                                               strict=True)]
    book.toc.sort(key=lambda link: [p.file_name for p in pages].index(link.href))
    book.guide = list(guide)
    book.add_item(epub.EpubNav())
    book.add_item(epub.EpubNcx())
    book.spine = pages
    epub.write_epub(str(path), book, {"epub2_guide": bool(guide)})
    return path


def found(path: Path) -> list[tuple[str, str | None]]:
    book = read_epub(path)
    tiles(book)
    return [(c.title, c.skip) for c in book.chapters]


CHAPTERS = [(f"Chapter {n}. {name}", None) for n, name in NAMES]


def test_pages_before_the_first_entry_that_the_contents_leave_out_are_front_matter(tmp_path: Path) -> None:
    # No semantic markup at all: a title page and a copyright page, then the chapters.
    path = book_with(tmp_path / "plain.epub", [page("title.xhtml", TITLE_PAGE), page("rights.xhtml", RIGHTS)])
    assert found(path) == [("The Call of the Wild", FRONT), ("Front matter", FRONT), *CHAPTERS]
    book = read_epub(path)
    assert (book.title, book.author) == ("The Call of the Wild", "Jack London")


def test_semantic_markup_names_what_the_front_matter_is(tmp_path: Path) -> None:
    front = [page("cover.xhtml", '<section epub:type="cover"><p>The Call of the Wild</p></section>'),
             page("title.xhtml", f'<section epub:type="titlepage">{TITLE_PAGE}</section>'),
             page("rights.xhtml", f'<section epub:type="copyright-page">{RIGHTS}</section>'),
             page("toc.xhtml", '<nav epub:type="toc"><h1>Contents</h1><ol><li>Chapter I</li></ol></nav>')]
    colophon = page("colophon.xhtml", '<section epub:type="colophon"><p>Set in Garamond by hand, with care, '
                                      "in a small town by the sea over one long winter.</p></section>")
    path = book_with(tmp_path / "semantic.epub", front, [colophon], listed=("toc.xhtml", "colophon.xhtml"))
    assert found(path) == [("Cover", "front matter"), ("The Call of the Wild", "title page"),
                           ("Copyright", "copyright"), ("toc.xhtml", "contents"), *CHAPTERS,
                           ("colophon.xhtml", "back matter")]


def test_the_guide_marks_a_title_page_the_contents_list(tmp_path: Path) -> None:
    # EPUB 2 style: the contents list the title page as their first entry; only the guide says what it is.
    front = [page("title.xhtml", TITLE_PAGE)]
    guide = [{"href": "title.xhtml", "title": "Title Page", "type": "title-page"}]
    path = book_with(tmp_path / "guide.epub", front, guide=guide, listed=("title.xhtml",))
    assert found(path) == [("title.xhtml", "title page"), *CHAPTERS]


def test_a_preface_the_contents_leave_out_is_read_when_marked_as_one(tmp_path: Path) -> None:
    front = [page("title.xhtml", TITLE_PAGE),
             page("preface.xhtml", '<section epub:type="preface"><h1>Preface</h1><p>Why I wrote it.</p></section>')]
    path = book_with(tmp_path / "preface.epub", front)
    assert found(path) == [("The Call of the Wild", FRONT), ("Preface", None), *CHAPTERS]


def test_after_the_last_chapter_a_short_unlisted_page_is_back_matter_a_long_one_goes_on(tmp_path: Path) -> None:
    short = page("end.xhtml", "<p>The End.</p><p>Transcriber's note: a few typos were corrected.</p>")
    path = book_with(tmp_path / "short.epub", [page("title.xhtml", TITLE_PAGE)], [short])
    assert found(path)[-2:] == [CHAPTERS[-1], ("Back matter", BACK)]
    more = page("ch3b.xhtml", PROSE * 3)  # 120 words: the last chapter split over two files
    path = book_with(tmp_path / "long.epub", [page("title.xhtml", TITLE_PAGE)], [more])
    assert found(path)[-1] == CHAPTERS[-1]
    last = read_epub(path).chapters[-1]
    assert read_epub(path).text[last.start:last.end].count("Buck did not read") == 32


def test_chapters_shows_the_reason_and_the_credits_name_the_book_once(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    book_with(corpus / "call.epub", [page("title.xhtml", TITLE_PAGE), page("rights.xhtml", RIGHTS)])
    monkeypatch.setattr(cli.out, "width", 250)  # a row a line: the reasons unwrapped
    result = CliRunner().invoke(cli.app, ["chapters", str(corpus / "call.epub")])
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if "│" in line]
    assert sum(f"skipped: {FRONT}" in line for line in rows) == 2 and sum(" read " in line for line in rows) == 3
    shutil.copy(VOICES, tmp_path / "voices.yaml")
    _, plans = spoken_plans(BuildOptions(corpus=corpus, voices=tmp_path / "voices.yaml", build_dir=tmp_path / "b"))
    said = [c.utterance.text for p in plans for c in p.clips]
    assert said[0] == "The Call of the Wild. Written by Jack London."  # the opening credits
    assert sum("Jack London" in s for s in said[:-3]) == 1  # once before the closing credits
    assert not any("public domain" in s for s in said)
