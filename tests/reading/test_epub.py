"""EPUB reading: real books and small EPUBs written here with ebooklib, read back with read_epub."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pipeline.errors import CorpusError
from pipeline.reading.book import Book
from pipeline.reading.epub import read_epub
from pipeline.reading.xhtml import normalise, parse_document
from tests.conftest import FIXTURES

CHILDRENS = FIXTURES / "books" / "childrens-literature.epub"
XHTML = '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>{}</body></html>'


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def page(name: str, body: str, uid: str | None = None) -> epub.EpubHtml:
    item = epub.EpubHtml(uid=uid or Path(name).stem, file_name=name, title=name)
    item.content = XHTML.format(body)
    return item


def tiles(book: Book) -> None:
    """Chapters in order, covering the text exactly, each body inside its chapter."""
    assert book.chapters[0].start == 0
    for before, after in zip(book.chapters, book.chapters[1:], strict=False):
        assert before.end == after.start
    assert book.chapters[-1].end == len(book.text)
    assert all(c.start <= c.body <= c.end for c in book.chapters)


def kept(book: Book) -> list[str]:
    return [c.title for c in book.chapters if c.kept]


def spoken(book: Book, title: str) -> str:
    chapter = next(c for c in book.chapters if c.title == title)
    return book.text[chapter.start:chapter.end]


STORM = (
    '<section epub:type="bodymatter chapter"><header><h1>Chapter 1: The Storm</h1><p>In which it rains</p></header>'
    '<p>The <em>wind</em> rose &amp; the <a href="#x">sea</a> <span>grew</span> loud.'
    '<a epub:type="noteref" href="notes.xhtml#n1">1</a><sup>2</sup></p>'
    '<p>Line one<br/>line   two\n  continued.</p>'
    '<span epub:type="pagebreak" id="p7" title="7">7</span>'
    '<aside epub:type="footnote" id="fn"><p>A footnote nobody should hear.</p></aside>'
    "<blockquote><p>“Hold fast,” she said.</p></blockquote><ul><li>rope</li><li>sail</li></ul></section>"
)


def epub3(path: Path) -> Path:
    """Cover, title page, copyright (a landmark only), a printed contents page, a dedication,
    a part with three chapters (two in one file, by fragment), a plate with only an image, notes."""
    book = epub.EpubBook()
    book.set_identifier("test-epub3")
    book.set_title("The Test Book")
    book.set_language("en")
    book.add_author("Ann Writer")
    book.add_author("Bo Helper", uid="creator2")
    book.add_metadata("DC", "description", "<p>A <i>short</i> book.</p>")
    book.add_metadata("DC", "date", "1851-10-18")
    book.set_cover("images/cover.png", png())
    plate = epub.EpubImage(uid="plate-img", file_name="images/plate.png", media_type="image/png", content=png("blue"))
    book.add_item(plate)
    pages = [
        page("title.xhtml", '<section epub:type="titlepage"><h1>The Test Book</h1><p>by Ann Writer</p></section>'),
        page("rights.xhtml", "<p>Copyright 2024 Ann Writer. All rights reserved.</p>"),
        page("contents.xhtml", "<h1>Contents</h1><p>Part One</p><p>Chapter 1</p>"),
        page("dedication.xhtml", '<section epub:type="dedication"><p>For my mother.</p></section>'),
        page("part1.xhtml", '<section epub:type="part"><h1>Part One</h1></section>'),
        page("chapter1.xhtml", STORM),
        page("chapters23.xhtml", '<section id="c2"><h2>Chapter 2</h2><p>Calm came.</p></section>'
                                 '<section id="c3"><h2>Chapter 3</h2><p>Land was sighted.</p></section>'),
        page("chapter3b.xhtml", "<p>They went ashore at dawn.</p>"),  # unnamed: continues Chapter 3
        page("plate.xhtml", '<div><img src="images/plate.png" alt="A map of the island"/></div>'),
        page("notes.xhtml", '<section epub:type="endnotes"><h1>Notes</h1><ol><li id="n1">A note.</li></ol></section>'),
    ]
    for p in pages:
        book.add_item(p)
    by_name = {p.file_name: p for p in pages}
    book.toc = [
        epub.Link("title.xhtml", "The Test Book", "t"),
        epub.Link("dedication.xhtml", "Dedication", "d"),
        (epub.Section("Part One", href="part1.xhtml"), [
            epub.Link("chapter1.xhtml", "Chapter 1: The Storm", "c1"),
            epub.Link("chapters23.xhtml#c2", "Chapter 2", "c2"),
            epub.Link("chapters23.xhtml#c3", "Chapter 3", "c3"),
        ]),
        epub.Link("plate.xhtml", "The Map", "m"),
        epub.Link("notes.xhtml", "Notes", "n"),
    ]
    book.guide = [{"href": "rights.xhtml", "title": "Copyright", "type": "copyright-page"}]
    book.add_item(epub.EpubNav())
    book.spine = ["cover", *(by_name[n] for n in by_name)]
    epub.write_epub(str(path), book, {"epub2_guide": False})  # landmarks in the nav document only
    return path


def epub2(path: Path, *, ncx: bool = True) -> Path:
    """No navigation document: an NCX (or nothing), the cover named by <meta name="cover">."""
    book = epub.EpubBook()
    book.set_identifier("test-epub2")
    book.set_title("Old Book")
    book.set_language("fr")
    book.add_author("Vieux Auteur")
    book.add_item(epub.EpubImage(uid="front", file_name="img/front.png", media_type="image/png", content=png()))
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "front"})
    pages = [
        page("text/copy.xhtml", "<h2>Copyright</h2><p>Public domain.</p>"),
        page("text/one.xhtml", "<h1>The First</h1><p>Once upon a time.</p>"),
        page("text/two.xhtml", "<p>No heading here, only words.</p>"),
    ]
    for p in pages:
        book.add_item(p)
    if ncx:
        book.toc = [epub.Link("text/one.xhtml", "One", "one"), epub.Link("text/two.xhtml", "Two", "two")]
        book.add_item(epub.EpubNcx())
    book.spine = pages
    epub.write_epub(str(path), book, {})
    if not ncx:  # ebooklib's writer names an NCX in the spine even when there is none
        opf = zipfile.ZipFile(path).read("EPUB/content.opf").replace(b' toc="ncx"', b"")
        shutil.move(rezip(path, path.with_suffix(".tmp"), drop="EPUB/content.opf", add={"EPUB/content.opf": opf}), path)
    return path


def rezip(source: Path, target: Path, *, drop: str | None = None, add: dict[str, bytes] | None = None) -> Path:
    """A copy of an EPUB with one member left out or some added: the broken files users meet."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != drop:
                new.writestr(info, old.read(info))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


# -- EPUB 3 ---------------------------------------------------------------------------------------------------


def test_epub3_chapters_from_the_nav_with_parts_fragments_and_skips(tmp_path: Path) -> None:
    book = read_epub(epub3(tmp_path / "three.epub"))
    tiles(book)
    found = [(c.title, c.skip, c.part) for c in book.chapters]
    assert found == [
        ("Cover", "front matter", None),
        ("The Test Book", "title page", None),
        ("Copyright", "copyright", None),
        ("Contents", "contents", None),
        ("Dedication", None, None),
        ("Part One", None, None),
        ("Chapter 1: The Storm", None, "Part One"),
        ("Chapter 2", None, "Part One"),
        ("Chapter 3", None, "Part One"),
        ("The Map", "images only", None),
        ("Notes", "back matter", None),
    ]
    assert book.notes == ("The Map: only images, skipped",)
    assert spoken(book, "Chapter 3") == "Chapter 3\n\nLand was sighted.\n\nThey went ashore at dawn.\n\n"
    assert spoken(book, "Dedication") == "For my mother.\n\n"


def test_epub3_text_is_flattened_paragraphs_without_markers(tmp_path: Path) -> None:
    book = read_epub(epub3(tmp_path / "three.epub"))
    storm = next(c for c in book.chapters if c.title.startswith("Chapter 1"))
    assert book.text[storm.start:storm.body] == "Chapter 1: The Storm\n\nIn which it rains\n\n"
    assert book.text[storm.body:storm.end].split("\n\n") == [
        "The wind rose & the sea grew loud.",
        "Line one\nline two continued.",
        "“Hold fast,” she said.",
        "rope",
        "sail",
        "",
    ]


def test_epub3_metadata_and_cover_image(tmp_path: Path) -> None:
    book = read_epub(epub3(tmp_path / "three.epub"))
    assert (book.title, book.author, book.language, book.year) == ("The Test Book", "Ann Writer & Bo Helper", "en",
                                                                   "1851")
    assert book.description == "A short book."
    assert book.cover is not None and book.cover.media_type == "image/png"
    assert book.cover.data == png()


def test_nav_that_points_nowhere_falls_back_to_the_ncx(tmp_path: Path) -> None:
    book = epub.EpubBook()
    book.set_identifier("x")
    book.set_title("Both")
    one, two = page("a.xhtml", "<h1>Alpha</h1><p>First.</p>"), page("b.xhtml", "<h1>Beta</h1><p>Second.</p>")
    book.add_item(one)
    book.add_item(two)
    book.toc = [epub.Link("missing.xhtml", "Gone", "g")]
    book.add_item(epub.EpubNav())
    book.spine = [one, two]
    path = tmp_path / "both.epub"
    epub.write_epub(str(path), book, {})
    # The NCX the writer would make mirrors the nav; write one that is right, the way EPUB 2 tools do.
    ncx = epub.EpubBook()
    ncx.set_identifier("x")
    ncx.toc = [epub.Link("a.xhtml", "Alpha from NCX", "a"), epub.Link("b.xhtml", "Beta from NCX", "b")]
    ncx.add_item(epub.EpubNcx())
    ncx.add_item(one)
    ncx.add_item(two)
    ncx.spine = [one, two]
    source = tmp_path / "ncx.epub"
    epub.write_epub(str(source), ncx, {})
    with zipfile.ZipFile(source) as z:
        toc_ncx = z.read("EPUB/toc.ncx")
    opf = zipfile.ZipFile(path).read("EPUB/content.opf").replace(
        b"<spine", b'<spine toc="ncx"').replace(
        b"</manifest>", b'<item href="toc.ncx" id="ncx" media-type="application/x-dtbncx+xml"/></manifest>')
    fixed = rezip(path, tmp_path / "fixed.epub", drop="EPUB/content.opf", add={"EPUB/content.opf": opf,
                                                                              "EPUB/toc.ncx": toc_ncx})
    found = read_epub(fixed)
    assert [c.title for c in found.chapters] == ["Alpha from NCX", "Beta from NCX"]
    assert "chapters come from the NCX" in found.notes[0]
    tiles(found)


# -- EPUB 2 and no table of contents -----------------------------------------------------------------------


def test_epub2_chapters_from_the_ncx_and_cover_from_meta(tmp_path: Path) -> None:
    book = read_epub(epub2(tmp_path / "two.epub"))
    tiles(book)
    assert [(c.title, c.skip) for c in book.chapters] == [("Copyright", "copyright"), ("One", None), ("Two", None)]
    one = book.chapters[1]
    assert book.text[one.start:one.body] == "The First\n\n"
    assert book.chapters[2].body == book.chapters[2].start  # no heading: the body starts at once
    assert (book.title, book.author, book.language) == ("Old Book", "Vieux Auteur", "fr")
    assert book.cover is not None and book.cover.media_type == "image/png"


def test_no_nav_and_no_ncx_gives_one_chapter_per_spine_document(tmp_path: Path) -> None:
    book = read_epub(epub2(tmp_path / "bare.epub", ncx=False))
    tiles(book)
    assert [(c.title, c.skip) for c in book.chapters] == [("Copyright", "copyright"), ("The First", None),
                                                          ("Chapter 3", None)]
    assert "no table of contents" in book.notes[0]


# -- a real book -------------------------------------------------------------------------------------------


def test_childrens_literature_nested_sections() -> None:
    book = read_epub(CHILDRENS)
    tiles(book)
    assert book.title == "Children's Literature"
    assert book.author == "Charles Madison Curry & Erle Elsworth Clippinger"
    assert (book.language, book.year) == ("en", "2008")
    assert book.cover is not None and book.cover.media_type == "image/png" and book.cover.data[:4] == b"\x89PNG"
    skipped = [(c.title, c.skip) for c in book.chapters if not c.kept]
    assert skipped == [("Cover", "front matter"), ("THE CONTENTS", "contents"), ("BIBLIOGRAPHY", "front matter")]
    andersen = [c.title for c in book.chapters if c.part == "Hans Christian Andersen"]
    assert andersen[0] == "192 THE REAL PRINCESS" and len(andersen) == 7
    clover = [c.title for c in book.chapters if c.part == "190 A FOUR-LEAVED CLOVER"]
    assert clover[0] == "I. The Rabbi and the Diadem"
    assert len(kept(book)) == 21
    princess = next(c for c in book.chapters if c.title == "192 THE REAL PRINCESS")
    assert book.text[princess.body:].startswith("By almost common consent Hans Christian Andersen")
    assert "\n\n169\n\n" not in book.text[book.chapters[2].start:]  # page numbers are not read


# -- broken files ------------------------------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.epub"
    path.write_text("just some text", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"notes\.epub: not an EPUB \(not a zip file\)"):
        read_epub(path)


def test_no_container(tmp_path: Path) -> None:
    path = rezip(epub2(tmp_path / "two.epub"), tmp_path / "nocontainer.epub", drop="META-INF/container.xml")
    with pytest.raises(CorpusError, match=r"nocontainer\.epub: not an EPUB \(no META-INF/container\.xml\)"):
        read_epub(path)


def test_missing_spine_item_is_named(tmp_path: Path) -> None:
    path = rezip(epub3(tmp_path / "three.epub"), tmp_path / "holed.epub", drop="EPUB/chapter1.xhtml")
    with pytest.raises(CorpusError, match=r"holed\.epub: the book lists EPUB/chapter1\.xhtml but the archive has "
                                          r"no such file; the EPUB is incomplete"):
        read_epub(path)


ENCRYPTION = """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="{}"/>
    <enc:CipherData><enc:CipherReference URI="{}"/></enc:CipherData></enc:EncryptedData>
</encryption>"""


def test_drm_is_refused_in_one_line(tmp_path: Path) -> None:
    drm = ENCRYPTION.format("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "EPUB/chapter1.xhtml")
    path = rezip(epub3(tmp_path / "three.epub"), tmp_path / "drm.epub", add={"META-INF/encryption.xml": drm.encode()})
    with pytest.raises(CorpusError) as caught:
        read_epub(path)
    assert str(caught.value) == f"{path}: DRM-protected; this tool reads only DRM-free EPUBs"


def test_font_obfuscation_is_not_drm(tmp_path: Path) -> None:
    fonts = ENCRYPTION.format("http://www.idpf.org/2008/embedding", "EPUB/fonts/a.otf")
    path = rezip(epub3(tmp_path / "three.epub"), tmp_path / "fonts.epub",
                 add={"META-INF/encryption.xml": fonts.encode()})
    assert read_epub(path).title == "The Test Book"


def test_library_errors_become_one_line(tmp_path: Path) -> None:
    container = (b'<?xml version="1.0"?><container version="1.0" '
                 b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                 b'<rootfiles><rootfile full-path="EPUB/nowhere.opf" media-type="application/oebps-package+xml"/>'
                 b"</rootfiles></container>")
    source = epub2(tmp_path / "two.epub")
    path = rezip(source, tmp_path / "noopf.epub", drop="META-INF/container.xml",
                 add={"META-INF/container.xml": container})
    with pytest.raises(CorpusError, match=r"noopf\.epub: not a readable EPUB .*; re-export it"):
        read_epub(path)
    garbled = rezip(source, tmp_path / "garbled.epub", drop="EPUB/content.opf", add={"EPUB/content.opf": b"<package"})
    with pytest.raises(CorpusError, match=r"garbled\.epub: not a readable EPUB"):
        read_epub(garbled)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="file not found"):
        read_epub(tmp_path / "absent.epub")


# -- one document to paragraphs ----------------------------------------------------------------------------


def test_html_entities_and_tag_soup_fall_back_to_the_html_parser() -> None:
    doc = parse_document(b"<html><body><p>Caf&eacute;&nbsp;au&nbsp;lait &mdash; <b>yes</b><p>Second<br>line"
                         b"<p>It&apos;s HTML 5&excl;</body></html>")
    assert [b.text for b in doc.blocks] == ["Café au lait — yes", "Second\nline", "It's HTML 5!"]


def test_divs_with_and_without_block_children() -> None:
    doc = parse_document(XHTML.format('<div id="a">Loose text<p>Inner one</p>tail words</div><div>Plain</div>'
                                      '<dl><dt>Term</dt><dd>Meaning</dd></dl><table><tr><td>Cell</td></tr></table>'
                                      ).encode())
    assert [b.text for b in doc.blocks] == ["Loose text", "Inner one", "tail words", "Plain", "Term", "Meaning",
                                            "Cell"]
    assert doc.anchors["a"] == 0


def test_copy_in_fixtures_matches_the_licence_note() -> None:
    readme = CHILDRENS.parent / "README.md"
    assert "CC-BY-SA" in readme.read_text(encoding="utf-8")


# -- invariant ---------------------------------------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(st.lists(st.tuples(WORDS, st.booleans()), min_size=0, max_size=4), min_size=1, max_size=4),
       picks=st.lists(st.integers(0, 15), max_size=6))
def test_any_toc_gives_chapters_that_tile_the_text(tmp_path: Path, docs: list[list[tuple[str, bool]]],
                                                  picks: list[int]) -> None:
    """Whatever the spine and whichever anchors the contents names, chapters tile the text and start at their anchor."""
    book = epub.EpubBook()
    book.set_identifier("prop")
    book.set_title("Prop")
    pages, anchors = [], []
    for d, paragraphs in enumerate(docs):
        body = "".join(f'<{"h2" if head else "p"} id="a{d}-{k}">{words}</{"h2" if head else "p"}>'
                       for k, (words, head) in enumerate(paragraphs))
        pages.append(page(f"d{d}.xhtml", body or "<div></div>"))  # ebooklib cannot write an empty body
        anchors += [(f"d{d}.xhtml#a{d}-{k}", words) for k, (words, _) in enumerate(paragraphs)]
    for p in pages:
        book.add_item(p)
    named = sorted({i % len(anchors) for i in picks}) if anchors else []
    book.toc = [epub.Link(anchors[i][0], f"Entry {i}", f"e{i}") for i in named]
    book.add_item(epub.EpubNav())
    book.spine = pages
    path = tmp_path / f"prop-{len(list(tmp_path.iterdir()))}.epub"
    epub.write_epub(str(path), book, {})
    found = read_epub(path)
    tiles(found)
    for i in named:
        chapter = next(c for c in found.chapters if c.title == f"Entry {i}")
        assert found.text[chapter.start:].startswith(normalise(anchors[i][1]))
