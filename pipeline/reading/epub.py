"""Read an EPUB (2 or 3) into a ``Book``: its spine as plain text, its chapters from the table of contents.

ebooklib opens the package; ``xhtml`` turns each spine document into paragraphs. Chapters come
from the EPUB 3 navigation document, else the EPUB 2 NCX, else one per spine document. Cover,
title page, copyright, contents and notes are found (epub:type, landmarks, guide, titles) and
marked skipped, so that by default only the book itself is read aloud.
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import ebooklib
from ebooklib import epub
from lxml import etree

from pipeline.errors import CorpusError
from pipeline.reading.book import Book, Cover, FoundChapter, SkipReason
from pipeline.reading.xhtml import Document, nav_links, normalise, parse_document, plain_text

#: Encryption that only obfuscates embedded fonts: the text itself is readable.
FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
ENC_NS = "http://www.w3.org/2001/04/xmlenc#"
SEPARATOR = "\n\n"

#: epub:type words (and EPUB 2 guide types) of pieces that are not read by default.
TYPE_SKIPS: dict[str, SkipReason] = {
    "cover": "front matter", "titlepage": "title page", "halftitlepage": "title page", "title-page": "title page",
    "copyright-page": "copyright", "toc": "contents", "toc-brief": "contents", "loi": "contents", "lot": "contents",
    "landmarks": "contents",
}
#: Not prose a listener wants: front or back matter, by where it sits.
MATTER_TYPES = frozenset((
    "colophon", "imprint", "index", "glossary", "bibliography", "footnotes", "endnotes", "rearnotes", "notes",
    "errata", "other-credits", "contributors", "seriespage", "frontispiece",
))
#: Front and back matter that people do want read.
KEPT_TYPES = frozenset((
    "dedication", "epigraph", "preface", "foreword", "introduction", "prologue", "preamble", "epilogue",
    "afterword", "appendix", "conclusion", "chapter", "part", "bodymatter", "acknowledgments",
))
#: A bare "frontmatter"/"backmatter" piece shorter than this is taken for a half-title or a list of titles.
PROSE_WORDS = 100
TITLE_SKIPS: dict[str, SkipReason] = {
    "cover": "front matter", "cover page": "front matter", "title page": "title page", "titlepage": "title page",
    "copyright": "copyright", "copyright page": "copyright", "contents": "contents", "table of contents": "contents",
    "brief contents": "contents", "colophon": "back matter", "footnotes": "back matter", "endnotes": "back matter",
}
_TITLE_KEY = re.compile(r"[^\w ]+")


@dataclass(frozen=True)
class _Item:
    """One spine document."""

    name: str  # its path in the package, relative to the package document (as hrefs are)
    doc: Document
    linear: bool  # linear="no": auxiliary content outside the reading order
    first: int  # index of its first block among all the book's blocks


@dataclass(frozen=True)
class _Entry:
    """A table-of-contents entry, flattened."""

    label: str
    href: str  # relative to the package document, fragment included
    part: str | None  # the label of the entry it is nested in


@dataclass(frozen=True)
class _Mark:
    """Where a chapter starts: spine item and block within it."""

    item: int
    block: int
    title: str | None  # None: named after its first heading
    part: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.item, self.block)


def read_epub(path: Path) -> Book:
    """Read an EPUB file; every failure is a ``CorpusError`` naming the file and what to do."""
    _check_archive(path)
    ebook = _load(path, ignore_ncx=True)
    items = _spine(path, ebook)
    text, starts = _join(items)
    # With ignore_ncx, ebooklib reads the navigation document when there is one, else the NCX.
    has_nav = any(isinstance(i, epub.EpubNav) for i in ebook.get_items())
    marks = _toc_marks(ebook, items, _flatten(ebook.toc, None), nav=has_nav)
    notes: list[str] = []
    if not marks and has_nav and _has_ncx(ebook):
        ncx = _load(path, ignore_ncx=False)  # ebooklib reads the NCX only when told to
        marks = _toc_marks(ncx, items, _flatten(ncx.toc, None), nav=False)
        if marks:
            notes.append("the navigation document points at nothing in the book: chapters come from the NCX")
    landmarks = _landmarks(ebook, items)
    if not marks:
        notes.append("no table of contents: one chapter per spine document")
        marks = [_Mark(i, 0, None) for i in range(len(items))]
    else:
        marks = _add_untitled(marks, items, landmarks)
    chapters = _chapters(marks, items, text, starts, landmarks, notes)
    return Book(text=text, chapters=tuple(chapters), notes=tuple(notes), cover=_cover(ebook), **_metadata(ebook))


# -- opening the file ---------------------------------------------------------------------------------------


def _check_archive(path: Path) -> None:
    """What ebooklib does not say clearly: not a zip, no container, DRM."""
    if not path.is_file():
        raise CorpusError(path, "file not found")
    if not zipfile.is_zipfile(path):
        raise CorpusError(path, "not an EPUB (not a zip file); check that it is the right file and fully downloaded")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            encryption = archive.read("META-INF/encryption.xml") if "META-INF/encryption.xml" in names else None
    except (zipfile.BadZipFile, OSError) as error:
        raise CorpusError(path, f"not a readable EPUB ({error}); re-download or re-export it") from error
    if "META-INF/container.xml" not in names:
        raise CorpusError(path, "not an EPUB (no META-INF/container.xml); re-export it from your e-book software")
    if encryption is not None and _encrypts_content(encryption):
        raise CorpusError(path, "DRM-protected; this tool reads only DRM-free EPUBs")


def _encrypts_content(data: bytes) -> bool:
    """True when encryption.xml lists anything but font obfuscation (which leaves the text readable)."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return True  # an unreadable encryption manifest: assume the worst rather than read garbage
    methods = [m.get("Algorithm", "") for m in root.iter(f"{{{ENC_NS}}}EncryptionMethod")]
    return any(m not in FONT_OBFUSCATION for m in methods) or (not methods and len(root) > 0)


def _load(path: Path, *, ignore_ncx: bool) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ebooklib's deprecation chatter is not the user's concern
            return epub.read_epub(str(path), {"ignore_ncx": ignore_ncx})
    except KeyError as error:
        missing = re.search(r"named '(.+?)'", str(error))
        name = missing.group(1) if missing else str(error).strip("'\"")
        raise CorpusError(path, f"the book lists {name} but the archive has no such file; "
                                "the EPUB is incomplete: re-download or re-export it") from error
    except epub.EpubException as error:
        raise CorpusError(path, f"not a readable EPUB ({error.msg}); re-export it from your e-book software") from error
    # ebooklib lets its parsers' errors through (a malformed package or navigation document):
    # the user gets one line, not a traceback from inside a library.
    except (etree.Error, ValueError, AttributeError, IndexError, TypeError) as error:
        raise CorpusError(path, f"not a readable EPUB ({type(error).__name__}: {error}); "
                                "check it with EPUBCheck or re-export it") from error


def _spine(path: Path, ebook: Any) -> list[_Item]:
    items: list[_Item] = []
    first = 0
    for idref, linear in ebook.spine:
        item = ebook.get_item_with_id(idref)
        if item is None:
            raise CorpusError(path, f"the spine names {idref!r}, which the package manifest does not list; "
                                    "re-export the EPUB")
        if item.get_type() not in (ebooklib.ITEM_DOCUMENT, ebooklib.ITEM_NAVIGATION):
            continue
        try:
            doc = parse_document(item.content or b"")
        except ValueError as error:
            raise CorpusError(path, f"{item.file_name}: {error}; re-export the EPUB") from error
        items.append(_Item(item.file_name, doc, linear != "no", first))
        first += len(doc.blocks)
    if not items:
        raise CorpusError(path, "the spine lists no readable documents; re-export the EPUB")
    return items


def _join(items: Sequence[_Item]) -> tuple[str, list[int]]:
    """The book's text and the offset of each block in it (plus one past the end)."""
    texts = [b.text for item in items for b in item.doc.blocks]
    starts, offset = [], 0
    for t in texts:
        starts.append(offset)
        offset += len(t) + len(SEPARATOR)
    text = SEPARATOR.join(texts)
    starts.append(len(text))
    return text, starts


# -- the table of contents ----------------------------------------------------------------------------------


def _flatten(toc: Sequence[Any], part: str | None) -> Iterator[_Entry]:
    """ebooklib's nested (Section, children) / Link list, in reading order, each entry with its parent's label."""
    for node in toc:
        if isinstance(node, tuple | list) and len(node) == 2:
            section, children = node
            label = normalise(section.title or "")
            if getattr(section, "href", ""):
                yield _Entry(label, section.href, part)
            yield from _flatten(children, label or part)
        elif isinstance(node, epub.Link):
            yield _Entry(normalise(node.title or ""), node.href or "", part)


def _has_ncx(ebook: Any) -> bool:
    return any(isinstance(i, epub.EpubNcx) for i in ebook.get_items())


def _resolve(href: str, base: str, items: Sequence[_Item]) -> tuple[int, int] | None:
    """An href (relative to ``base``, a folder in the package) as (spine item, block), or None."""
    file, _, fragment = href.partition("#")
    if not file:
        return None
    name = posixpath.normpath(posixpath.join(base, unquote(file)))
    for index, item in enumerate(items):
        if item.name == name:
            # An unknown fragment still names the file: its start is the best guess.
            return index, item.doc.anchors.get(unquote(fragment), 0) if fragment else 0
    return None


def _toc_marks(ebook: Any, items: Sequence[_Item], entries: Iterator[_Entry], *, nav: bool) -> list[_Mark]:
    """Entries placed in the text, in order; entries that go backwards or point nowhere are dropped."""
    base = ""
    ncx = next((i for i in ebook.get_items() if isinstance(i, epub.EpubNcx)), None)
    if not nav and ncx is not None:  # ebooklib leaves NCX hrefs relative to the NCX; nav hrefs it has resolved
        base = posixpath.dirname(ncx.file_name)
    marks: list[_Mark] = []
    for entry in entries:
        place = _resolve(entry.href, base, items)
        if place is None:
            continue
        mark = _Mark(place[0], place[1], entry.label or None, entry.part)
        if marks and mark.key == marks[-1].key:
            if entry.part is not None and entry.part == marks[-1].title:
                marks[-1] = mark  # a part and its first chapter at one place: the chapter, in its part
            continue
        if marks and mark.key < marks[-1].key:
            continue
        marks.append(mark)
    return marks


def _landmarks(ebook: Any, items: Sequence[_Item]) -> dict[tuple[int, int], frozenset[str]]:
    """EPUB 3 landmarks and the EPUB 2 guide: what kind of piece starts at a place."""
    found: dict[tuple[int, int], frozenset[str]] = {}
    navs = [i for i in ebook.get_items() if isinstance(i, epub.EpubNav)]
    pairs = [(types, href, posixpath.dirname(n.file_name)) for n in navs
             for types, href in nav_links(n.content or b"", "landmarks")]
    pairs += [(frozenset({(g.get("type") or "").lower()}), g.get("href") or "", "") for g in ebook.guide]
    for types, href, base in pairs:
        place = _resolve(href, base, items)
        if place is not None:
            found[place] = found.get(place, frozenset()) | types
    return found


def _add_untitled(marks: list[_Mark], items: Sequence[_Item],
                  landmarks: dict[tuple[int, int], frozenset[str]]) -> list[_Mark]:
    """Spine documents the contents do not name: own chapters before the first entry, or when marked as matter.

    Elsewhere an unnamed document is taken to continue the chapter before it (a chapter split
    across files names only its first file).
    """
    named = {m.item for m in marks}
    extra = [_Mark(i, 0, None) for i in range(marks[0].item)]
    if marks[0].block > 0:
        extra.append(_Mark(marks[0].item, 0, None))
    for i in range(marks[0].item + 1, len(items)):
        if i not in named and (not items[i].linear or _own_piece(items[i], _types_at(items, i, 0, landmarks))):
            extra.append(_Mark(i, 0, None))
    return sorted(marks + extra, key=lambda m: m.key)


def _own_piece(item: _Item, types: frozenset[str]) -> bool:
    """An unnamed document that is matter of its own (a contents page, a colophon), not a chapter's next file."""
    if _type_skip(types, 0) is not None:
        return True
    blocks = item.doc.blocks
    return bool(blocks) and blocks[0].heading and _title_skip(blocks[0].text) is not None


# -- chapters -----------------------------------------------------------------------------------------------


def _types_at(items: Sequence[_Item], item: int, block: int,
              landmarks: dict[tuple[int, int], frozenset[str]]) -> frozenset[str]:
    doc = items[item].doc
    types = landmarks.get((item, block), frozenset())
    if block < len(doc.blocks):
        return types | doc.blocks[block].types
    return types | (doc.all_types if not doc.blocks else frozenset())


def _type_skip(types: frozenset[str], words: int, *, front: bool = True) -> SkipReason | None:
    for word, reason in TYPE_SKIPS.items():
        if word in types:
            return reason
    side: SkipReason = "back matter" if "backmatter" in types or ("frontmatter" not in types and not front) \
        else "front matter"
    if types & MATTER_TYPES:
        return side
    if types & KEPT_TYPES:
        return None
    if types & {"frontmatter", "backmatter"} and words < PROSE_WORDS:
        return side
    return None


def _title_skip(title: str | None) -> SkipReason | None:
    key = _TITLE_KEY.sub("", (title or "").lower()).strip()
    return TITLE_SKIPS.get(key)


def _chapters(marks: Sequence[_Mark], items: Sequence[_Item], text: str, starts: Sequence[int],
              landmarks: dict[tuple[int, int], frozenset[str]], notes: list[str]) -> list[FoundChapter]:
    chapters = []
    blocks = [b for item in items for b in item.doc.blocks]
    for n, mark in enumerate(marks):
        g = items[mark.item].first + mark.block
        g_end = items[marks[n + 1].item].first + marks[n + 1].block if n + 1 < len(marks) else len(starts) - 1
        start, end = starts[g], starts[g_end]
        heads = 0
        while g + heads < g_end and blocks[g + heads].heading:
            heads += 1
        body = starts[g + heads] if g + heads < g_end else end
        title = mark.title or (blocks[g].text.replace("\n", " ") if heads else None)
        spoken, wordless = text[body:end].strip(), not text[start:end].strip()
        types = _types_at(items, mark.item, mark.block, landmarks)
        if mark.item == 0 and mark.block == 0 and wordless and items[0].doc.images:
            types |= {"cover"}  # a first page with a picture and no words is the cover
        skip = _skip(types, title, spoken, front=2 * start < len(text))
        if skip is None and wordless and _has_images(items, mark, marks[n + 1] if n + 1 < len(marks) else None):
            skip = "images only"
            notes.append(f"{title or f'chapter {n + 1}'}: only images, skipped")
        elif skip is None and wordless:
            skip = "no text"
        title = title or _untitled(skip, types, n)
        chapters.append(FoundChapter(title, start, end, body, skip, mark.part))
    return chapters


def _skip(types: frozenset[str], title: str | None, spoken: str, *, front: bool) -> SkipReason | None:
    reason = _type_skip(types, len(spoken.split()), front=front)
    if reason is None and not types & KEPT_TYPES:
        reason = _title_skip(title)
        if reason in ("front matter", "back matter"):
            reason = "front matter" if front else "back matter"
    return reason


def _has_images(items: Sequence[_Item], mark: _Mark, after: _Mark | None) -> bool:
    stop = after.key if after else (len(items), 0)
    for i in range(mark.item, min(stop[0] + 1, len(items))):
        if any(mark.key <= (i, b) < stop for b in items[i].doc.images):
            return True
    return False


def _untitled(skip: SkipReason | None, types: frozenset[str], n: int) -> str:
    if "cover" in types:
        return "Cover"
    names = {"front matter": "Front matter", "back matter": "Back matter", "title page": "Title page",
             "copyright": "Copyright", "contents": "Contents"}
    return names.get(skip or "", f"Chapter {n + 1}")


# -- what the book says of itself ---------------------------------------------------------------------------


def _dc(ebook: Any, name: str) -> list[str]:
    return [normalise(str(v)) for v, _ in ebook.get_metadata("DC", name) if v and str(v).strip()]


def _metadata(ebook: Any) -> dict[str, str | None]:
    creators = list(dict.fromkeys(_dc(ebook, "creator")))
    descriptions = _dc(ebook, "description")
    years = [m.group(0) for d in _dc(ebook, "date") if (m := re.search(r"\d{4}", d))]
    languages = _dc(ebook, "language")
    titles = _dc(ebook, "title")
    return {
        "title": titles[0] if titles else None,
        "author": " & ".join(creators) or None,
        "language": languages[0] if languages else None,
        "description": plain_text(descriptions[0]) or None if descriptions else None,
        "year": years[0] if years else None,
    }


def _cover(ebook: Any) -> Cover | None:
    """EPUB 3 ``properties="cover-image"``, else EPUB 2 ``<meta name="cover" content="id">``."""
    candidates = list(ebook.get_items_of_type(ebooklib.ITEM_COVER))
    # ebooklib files <meta name="cover"> under "meta" (it misses the namespace braces); later versions may not.
    metas = ebook.get_metadata("OPF", "meta") + ebook.get_metadata("OPF", "cover")
    for _, attrs in metas:
        if (attrs or {}).get("name") == "cover" and (item := ebook.get_item_with_id(attrs.get("content", ""))):
            candidates.append(item)
    for item in candidates:
        media = "image/jpeg" if item.media_type in ("image/jpg", "image/jpeg") else item.media_type
        if item.content and media.startswith("image/"):
            return Cover(bytes(item.content), media)
    return None
