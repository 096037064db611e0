"""One XHTML content document as the paragraphs a narrator reads.

A block element (p, h1-h6, li, blockquote, td, ...) gives one paragraph; inline markup is
flattened to its text; footnote markers, page-break numbers and footnote asides are dropped
(a narrator reading "Ishmael.1" or "169" between paragraphs sounds broken). What an EPUB
reader needs besides the text is kept alongside: which paragraph each ``id`` points at, the
``epub:type`` words around each paragraph, and where the images were.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

#: Elements that start a paragraph of their own.
BLOCKS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "dd", "dt", "dl", "td", "th", "tr", "table",
    "thead", "tbody", "tfoot", "caption", "pre", "figure", "figcaption", "section", "article", "aside", "header",
    "footer", "nav", "main", "ol", "ul", "hr", "address", "center", "hgroup", "details", "summary", "fieldset",
    "legend", "form", "body", "html",
))
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
#: Inside these, every paragraph belongs to the heading ("Chapter 1" then its subtitle).
HEADING_WRAPPERS = frozenset(["header", "hgroup"])
IMAGES = frozenset(["img", "svg", "image"])
#: Never read: metadata, scripts, media, and ruby readings printed over the base text.
DROPPED = frozenset(["head", "script", "style", "noscript", "object", "video", "audio", "iframe", "rt", "rp", "math"])
#: epub:type words of elements that are markers or notes rather than running text.
DROPPED_TYPES = frozenset(["noteref", "pagebreak", "footnote", "endnote", "rearnote", "note", "annoref"])
#: A superscript of only this is a footnote marker.
_NOTE_MARK = re.compile(r"\s*[\[(]?(\d{1,3}|[*†‡§¶]+)[\])]?\s*")
_SPACE = re.compile(r"\s+")
_BREAKS = re.compile(r"\s*\x00[\s\x00]*")
#: Stands for a <br> in the gathered text until normalisation (source newlines are only spaces).
LINE_BREAK = "\x00"


@dataclass(frozen=True)
class Block:
    """One paragraph of a document."""

    text: str  # whitespace normalised; a <br> is a single "\n" inside it
    heading: bool  # an h1-h6, or a paragraph inside a <header>
    types: frozenset[str]  # epub:type words of the elements around it and opened just before it


@dataclass(frozen=True)
class Document:
    """A content document as paragraphs, with what lets a table of contents point into it."""

    blocks: tuple[Block, ...]
    anchors: Mapping[str, int]  # id -> index of the first block at or after the element
    images: tuple[int, ...]  # for each image, the index of the block that follows it
    all_types: frozenset[str]  # every epub:type word in the document (for one with no text)


def parse_document(data: bytes) -> Document:
    """Turn one XHTML document into paragraphs; raises ``ValueError`` when it is not (X)HTML at all."""
    root, soup = _parse(data)
    return _Walker(unescape=soup).run(root)


def _parse(data: bytes) -> tuple[etree._Element, bool]:
    """The tree, and whether it took the HTML parser to get it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is allowed by the spec; lxml wants bytes it can sniff
        data = data.decode("utf-16").encode("utf-8").replace(b'encoding="UTF-16"', b'encoding="UTF-8"')
    try:
        # Strict XML first: the HTML parser treats a self-closed <a id="x"/> as an open tag that
        # swallows the rest of the paragraph.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        return etree.fromstring(data, parser), False
    except etree.XMLSyntaxError:
        # Undefined entities (&nbsp; without a DTD) and tag soup: the forgiving HTML parser.
        try:
            return lxml_html.document_fromstring(data, parser=lxml_html.HTMLParser(encoding="utf-8")), True
        except (etree.ParserError, ValueError) as error:
            raise ValueError(f"not XHTML ({error})") from error


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rpartition("}")[2].lower()


def epub_types(element: etree._Element) -> frozenset[str]:
    """The epub:type words of an element, whichever parser read it."""
    value = element.get(EPUB_TYPE) or element.get("epub:type") or ""
    role = element.get("role") or ""  # DPUB-ARIA roles say the same things ("doc-pagebreak")
    words = value.split() + [r.removeprefix("doc-") for r in role.split() if r.startswith("doc-")]
    return frozenset(w.rpartition(":")[2].lower() for w in words)


def _is_marker(element: etree._Element, name: str) -> bool:
    """A footnote reference or page number: dropped from the spoken text."""
    if epub_types(element) & DROPPED_TYPES:
        return True
    if name == "sup":
        text = "".join(element.itertext())
        return bool(text) and _NOTE_MARK.fullmatch(text) is not None
    return False


def normalise(text: str) -> str:
    """Collapse whitespace to single spaces; a <br> (``LINE_BREAK``) becomes one line break inside the paragraph."""
    text = _SPACE.sub(" ", text.replace("\u00ad", ""))  # soft hyphens would be spelled out by some engines
    return _BREAKS.sub("\n", text).strip()


@dataclass
class _Walker:
    """Walks the tree once, flushing the inline text gathered so far whenever a block begins or ends."""

    blocks: list[Block] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)
    images: list[int] = field(default_factory=list)
    all_types: set[str] = field(default_factory=set)
    buffer: list[str] = field(default_factory=list)
    stack: list[frozenset[str]] = field(default_factory=list)  # epub:type words of the open elements
    pending: set[str] = field(default_factory=set)  # words of elements opened since the last flush
    heading_depth: int = 0
    # The HTML parser knows only HTML 4's entity names and leaves others (HTML 5's "&NewLine;") as text.
    unescape: bool = False

    def run(self, root: etree._Element) -> Document:
        body = next((e for e in root.iter() if _local(e) == "body"), root)
        self._element(body)
        self._flush()
        return Document(tuple(self.blocks), dict(self.anchors), tuple(self.images), frozenset(self.all_types))

    def _flush(self) -> None:
        text = "".join(self.buffer)
        text = normalise(html.unescape(text) if self.unescape else text)
        self.buffer.clear()
        if text:
            around = frozenset().union(*self.stack, self.pending) if self.stack else frozenset(self.pending)
            self.blocks.append(Block(text, self.heading_depth > 0, around))
            self.pending.clear()

    def _element(self, element: etree._Element) -> None:
        name = _local(element)
        # Anchors first: a contents entry may point at a page-break marker that is itself not read.
        for key in ("id", "name") if name == "a" else ("id",):
            anchor = element.get(key)
            if anchor and anchor not in self.anchors:
                self.anchors[anchor] = len(self.blocks)
        if not name or name in DROPPED or _is_marker(element, name):
            return
        types = epub_types(element)
        self.all_types |= types
        if name in IMAGES:
            self.images.append(len(self.blocks))
            return
        if name == "br":
            self.buffer.append(LINE_BREAK)
            return
        block = name in BLOCKS
        if block:
            self._flush()
            self.pending |= types
        self._children(element, name, types)
        if block:
            self._flush()

    def _children(self, element: etree._Element, name: str, types: frozenset[str]) -> None:
        heading = name in HEADINGS or name in HEADING_WRAPPERS
        self.stack.append(types)
        self.heading_depth += heading
        if element.text:
            self.buffer.append(element.text)
        for child in element:
            self._element(child)
            if child.tail:
                self.buffer.append(child.tail)
        if heading:
            self._flush()  # a heading ends before its tail text, and is flushed while still marked a heading
        self.heading_depth -= heading
        self.stack.pop()


def plain_text(fragment: str) -> str:
    """Text of a short HTML snippet such as an EPUB description ("<p>A <i>sea</i> story.</p>")."""
    if "<" not in fragment:
        return normalise(fragment)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalise(fragment)
    walker = _Walker()
    walker.run(root)
    return "\n\n".join(b.text for b in walker.blocks)


def nav_links(data: bytes, kind: str) -> list[tuple[frozenset[str], str]]:
    """The links of a navigation document's ``<nav epub:type=kind>`` (landmarks), as (epub:type words, href)."""
    try:
        root, _ = _parse(data)
    except ValueError:
        return []
    links = []
    for nav in (e for e in root.iter() if _local(e) == "nav" and kind in epub_types(e)):
        for a in (e for e in nav.iter() if _local(e) == "a" and e.get("href")):
            links.append((epub_types(a), str(a.get("href"))))
    return links
