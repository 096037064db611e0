"""Chapters in plain text, found the way a reader sees them.

A heading is a short paragraph of its own: ``CHAPTER ONE``, ``Chapter 1 PETER BREAKS THROUGH``,
``CHAPTER I.`` followed by a title line, ``I. The Period``, a numeral alone (``III``) with or
without a title line, ``PREFACE``, or ``Book the First--Recalled to Life`` above chapters. Levels
come from the heading's style (volume > book > part > chapter > ``N. Title`` > ``N``), except
that a heading whose number continues a higher level's sequence joins that level (Sherlock
Holmes's ``VII. THE ADVENTURE OF ...`` after ``ADVENTURE VI.``). A heading followed at once by a
deeper one is a part: its title prefixes its chapters'. A book with no numbered heading may
still have title-only headings: short Title Case lines set off by blank lines before prose.

Front and back matter is found around the headings: a Project Gutenberg header and licence
(gutenberg.py), the title page (the short paragraphs before the first heading, a dedication or a
motto among them), a table of contents or list of illustrations (a "Contents" paragraph and the
entries after it, up to the first heading with prose of its own), a transcriber's note and "The
End". Before the first chapter, a title line over prose opens a section of its own ("NOTE TO THE
THIRD EDITION", Moby-Dick's "ETYMOLOGY.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from pipeline.reading import gutenberg
from pipeline.reading.book import Book, FoundChapter, Section, SkipReason
from pipeline.reading.contents import CONTENTS, is_list, skip_contents
from pipeline.reading.headings import (
    KEYWORDS,
    PROSE_WORDS,
    Block,
    Heading,
    blocks_of,
    heading_at,
    is_title_page_block,
    rank,
)
from pipeline.reading.numerals import NUM
from pipeline.reading.structure import in_sequence, levels, sections
from pipeline.reading.titlepage import is_signature, read_title_page
from pipeline.reading.titles import is_title_text, tidy

_COPYRIGHT = re.compile(r"^\W*(?:copyright|all rights reserved)\b", re.I)
_BACKMATTER = re.compile(r"^(?:foot ?notes|end ?notes|index)\W*$", re.I)
_THE_END = re.compile(r"^(?:the end|finis|end)\W*$", re.I)
#: A contents entry's number before its title ("21  ", "XVI. ", "CHAPTER I.   ").
_NUMBERING = re.compile(rf"^\W*(?:(?:{'|'.join(KEYWORDS)})\.?\s+)?{NUM}\.?(?=\s)", re.I)
_BY = re.compile(r"^_?by_?\s*(?P<name>.*)$", re.I)
#: Headings of what is not read: a table of contents, a transcriber's note.
MATTER: dict[str, SkipReason] = {"contents": "contents", "note": "front matter"}
#: A heading with fewer words than this under it, none of them prose, is not a chapter that is read.
WORDLESS = 40
OPENING_WORDS = 250  # untitled text before the first heading shorter than this is a dedication, not a chapter


def find_chapters(text: str, pattern: str | None = None) -> Book:
    """The chapters of a plain-text work, its front and back matter, and its title and author.

    ``pattern`` (a regular expression, from corpus.yaml) says which paragraphs are headings,
    instead of finding them.
    """
    body_start, body_end = gutenberg.body_span(text)
    blocks = blocks_of(text, body_start, body_end)
    if pattern:
        rx = re.compile(pattern)
        headings = [Heading(i, 1, "chapter", None, "", tidy(b.lines[0])) for i, b in enumerate(blocks)
                    if len(b.lines) <= 3 and rx.search(b.lines[0])]
    else:
        headings = in_sequence(_front_sections(blocks, _headings(blocks)))
    if len([h for h in headings if h.style not in MATTER]) < 2 and not pattern:
        titled = _title_lines(blocks)
        if len(titled) >= 3:
            headings = _with_matter(titled, [h for h in headings if h.style in MATTER])
    title, author = gutenberg.header_meta(text[:body_start]) if body_start else (None, None)
    language = gutenberg.header_language(text[:body_start]) if body_start else None
    if not headings:
        chapters = [FoundChapter("", body_start, body_end, body_start)]
        return Book(text, _frame(chapters, text, body_start, body_end), title=title, author=author,
                    language=language)
    notes = {h.block for h in headings if h.style == "note"}
    page = read_title_page([b for k, b in enumerate(blocks[:headings[0].block])
                            if k not in notes and not gutenberg.is_editorial(b.text)])
    opening, inside = sections(levels(headings))
    chapters = _chapters(text, blocks, opening, inside, body_start, body_end)
    return Book(text, _frame(chapters, text, body_start, body_end),
                title=title or page.title, author=author or page.author, year=page.year, language=language)


def _frame(chapters: list[FoundChapter], text: str, start: int, end: int) -> tuple[FoundChapter, ...]:
    """The chapters with the Gutenberg header and licence around them, tiling the whole text."""
    out = list(chapters)
    if start > 0:
        out.insert(0, FoundChapter("Project Gutenberg header", 0, start, start, skip="licence"))
    if end < len(text):
        out.append(FoundChapter("Project Gutenberg licence", end, len(text), len(text), skip="licence"))
    return tuple(out)


def _headings(blocks: Sequence[Block]) -> list[Heading]:
    """Every heading in reading order; a table of contents is one heading of style "contents".
    Where most numbered headings have a title line, one in quotation marks is a title too
    ("CHAPTER VI" over "“THERE WAS SOMEONE CRYING”"); elsewhere it is the chapter's first line."""
    found: list[Heading] = []
    i = 0
    while i < len(blocks):
        if CONTENTS.match(blocks[i].text):
            end = skip_contents(blocks, i + 1)
            found.append(Heading(i, end - i, "contents", None, "Contents", ""))
            i = end
            continue
        head = heading_at(blocks, i)
        if head is None:
            i += 1
            continue
        found.append(head)
        i += head.blocks
    numbered = [h for h in found if h.number is not None]
    if 2 * sum(bool(h.title) for h in numbered) > len(numbered):
        found = [(heading_at(blocks, h.block, quoted=True) or h) if h.number is not None and not h.title else h
                 for h in found]
    return _titles_from_contents(blocks, found)


def _titles_from_contents(blocks: Sequence[Block], found: list[Heading]) -> list[Heading]:
    """A title line that the book's contents lists is the title of the heading above it, however
    it is set ("CHAPTER 21" over "If love were all!", "XVI" over "“I WON’T!” SAID MARY")."""
    listed = {_letters(_NUMBERING.sub("", ln)) for h in found if h.style == "contents"
              for b in blocks[h.block + 1:h.block + h.blocks] for ln in b.lines}
    listed.discard("")
    if not listed:
        return found
    out = []
    for h in found:
        j = h.block + h.blocks
        while j < len(blocks) - 1 and gutenberg.is_editorial(blocks[j].text):
            j += 1
        if h.number is not None and not h.title and j < len(blocks) and len(blocks[j].lines) <= 2 \
                and _letters(blocks[j].text) in listed and heading_at(blocks, j) is None:
            h = replace(h, blocks=j - h.block + 1, title=tidy(" ".join(blocks[j].lines)))
        out.append(h)
    return out


def _front_sections(blocks: Sequence[Block], headings: list[Heading]) -> list[Heading]:
    """The headings with the sections before the first chapter added: a title line followed by
    prose ("ETYMOLOGY.", "NOTE TO THE THIRD EDITION"), a transcriber's note (not read)."""
    first = next((h.block for h in headings if h.style not in ("special", *MATTER)), None)
    if first is None:
        return headings  # no chapter: perhaps a book of titled stories (_title_lines)
    taken = {i for h in headings for i in range(h.block, h.block + h.blocks)}
    special = next((h.block for h in headings if h.style == "special"), first)
    listed = [_letters(ln) for h in headings if h.style == "contents"
              for b in blocks[h.block + 1:h.block + h.blocks] for ln in b.lines]
    found = []
    for i in range(1, first - 1):  # the first paragraph is the book's title
        b = blocks[i]
        if i in taken or i + 1 in taken or len(b.lines) > 2 or gutenberg.is_editorial(b.text) \
                or _COPYRIGHT.match(b.text) or _letters(b.text) == _letters(blocks[0].text):
            continue  # ... or the book's title again, over its dedication
        if gutenberg.is_transcribers_note(b.text):
            found.append(Heading(i, 1, "note", None, tidy(b.text), ""))
        elif listed and not any(_letters(b.text) in e for e in listed):
            continue  # the book's contents does not list it: front matter (Huckleberry Finn's EXPLANATORY)
        elif _opens_section(blocks, i, first) and (i < special or b.text.isupper()):
            found.append(Heading(i, 1, "special", None, tidy(b.text), ""))  # after a preface, in capitals only
    return sorted([*headings, *found], key=lambda h: h.block)


def _letters(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]|\d", "", s.lower()).split())


def _opens_section(blocks: Sequence[Block], i: int, first: int) -> bool:
    """A title line over prose, or over a short line ("(Supplied by ...)") and then prose; not a
    signature under the text before it (a name, or a place and a date: "Chicago, April, 1900.")."""
    b = blocks[i]
    return len(b.lines) == 1 and is_title_text(b.text, 60) and not _BY.match(b.text) and not is_signature(b.text) \
        and any(_is_section_text(n) for n in blocks[i + 1:min(i + 3, first)]) \
        and (_is_section_text(blocks[i + 1]) or blocks[i + 1].words < 15)


def _is_section_text(block: Block) -> bool:
    return block.words >= PROSE_WORDS and not is_list(block) and not gutenberg.is_editorial(block.text)


def _with_matter(titled: list[Heading], matter: list[Heading]) -> list[Heading]:
    """Title-only headings with the contents and notes found before: a contents list ends at
    the first title after it (the first story's, which no prose of the list comes before)."""
    out = list(titled)
    for h in matter:
        nxt = min((t.block for t in titled if t.block > h.block), default=h.block + h.blocks)
        out.append(replace(h, blocks=min(h.blocks, nxt - h.block)))
    return sorted(out, key=lambda h: h.block)


def _title_lines(blocks: Sequence[Block]) -> list[Heading]:
    """Title-only headings: a short Title Case line set off by blank lines, followed by prose."""
    found = []
    for i, b in enumerate(blocks[:-1]):
        nxt = i + 2 if i + 2 < len(blocks) and _BY.match(blocks[i + 1].text) else i + 1  # "By O. Henry"
        if (len(b.lines) == 1 and is_title_text(b.text.rstrip("!"), 60) and not b.text.endswith(".")
                and max(b.blank_before, b.blank_after) >= 2 and blocks[nxt].words >= PROSE_WORDS):
            found.append(Heading(i, 1, "title-line", None, "", tidy(b.text)))
    return found


def _chapters(text: str, blocks: Sequence[Block], headings: list[Heading], inside: dict[int, list[Heading]],
              start: int, end: int) -> list[FoundChapter]:
    """Chapters from the headings: parts fold into their first chapter, a heading with no words
    under it is not read, the title page and "The End" skipped."""
    out: list[FoundChapter] = []
    first = blocks[headings[0].block].start
    # where the next chapter starts when that is before its heading: a part heading with no
    # text of its own, or blank lines at the start
    pending: int | None = start if first > start else None
    if text[start:first].strip():
        out.extend(_before_first_heading(text, blocks[: headings[0].block], start, first))
        pending = None
    parts: dict[int, str] = {}
    for n, h in enumerate(headings):
        stop = headings[n + 1].block if n + 1 < len(headings) else len(blocks)
        a, b = blocks[h.block].start, (blocks[stop].start if stop < len(blocks) else end)
        own = inside.get(h.block, [])
        k = _body_block(blocks, h, stop, own)
        body = blocks[k - 1].end
        if h.style in MATTER:
            out.extend(_matter(text, blocks, h, pending if pending is not None else a, b, stop))
            pending = None
            continue
        for d in [d for d in parts if d >= h.level]:
            del parts[d]
        deeper_next = n + 1 < len(headings) and headings[n + 1].level > h.level
        wordless = _wordless(blocks[k:stop], part=deeper_next)
        if wordless and (deeper_next or not out or not any(c.kept for c in out)):
            if deeper_next:
                parts[h.level] = h.name
            pending = a if pending is None else pending  # a part's title, or an entry of a contents
            continue
        part = " — ".join(parts[d] for d in sorted(parts)) or None
        title = f"{part} — {h.name}" if part else h.name
        cut = _title_page_before(blocks, k, stop) if n + 1 < len(headings) and rank(headings[n + 1]) <= 1 else None
        secs = tuple(Section(s.name, blocks[s.block].start, blocks[s.block + s.blocks - 1].end) for s in own
                     if s.block >= k)
        if wordless:
            out.append(FoundChapter(title, pending if pending is not None else a, b, b, skip="no text", part=part))
        elif cut is not None:
            out += [FoundChapter(title, pending if pending is not None else a, blocks[cut].start, body, part=part,
                                 sections=secs),
                    FoundChapter("Title page", blocks[cut].start, b, b, skip="title page")]
        else:
            out.append(FoundChapter(title, pending if pending is not None else a, b, body, part=part, sections=secs))
        pending = None
        if deeper_next and h.style not in ("special", "title-line"):
            parts[h.level] = h.name  # a preface with text of its own holds no chapters
    if pending is not None:
        out.append(FoundChapter(out[-1].title if out else "", pending, end, end, skip="no text"))
    return _cut_the_end(text, out)


def _wordless(blocks: Sequence[Block], part: bool = False) -> bool:
    """Nothing to read: fewer than WORDLESS words in all, and only short lines of a title page or
    an imprint ("LONDON:" / "SMITH, ELDER AND CO." / "1847."), or over a part's chapters a line
    or two under its title ("_The Events related by GABRIEL BETTEREDGE ..._")."""
    return sum(b.words for b in blocks) < WORDLESS and all(
        gutenberg.is_editorial(b.text) or is_title_page_block(b) or (part and b.words < PROSE_WORDS)
        for b in blocks)


def _title_page_before(blocks: Sequence[Block], lo: int, stop: int) -> int | None:
    """Where a volume's own title page starts at the end of the chapter before it (the book's
    title, its author, "VOL. II", a printer's imprint), if the chapter ends with one."""
    k = stop
    while k > lo and (is_title_page_block(blocks[k - 1]) or gutenberg.is_editorial(blocks[k - 1].text)):
        k -= 1
    if k in (stop, lo) or sum(b.words for b in blocks[k:stop]) >= 3 * WORDLESS:
        return None
    return k


def _matter(text: str, blocks: Sequence[Block], h: Heading, a: int, b: int, stop: int) -> list[FoundChapter]:
    """A transcriber's note up to the next heading; a table of contents up to its last entry,
    then what follows it before the next heading as if before the first (a dedication, or a
    book whose chapters have no heading)."""
    end = h.block + h.blocks
    if h.style != "contents" or end >= stop:
        return [FoundChapter(h.label, a, b, b, skip=MATTER[h.style])]
    cut = blocks[end].start
    return [FoundChapter(h.label, a, cut, cut, skip="contents"), *_before_first_heading(text, blocks[end:stop], cut, b)]


def _body_block(blocks: Sequence[Block], h: Heading, stop: int, own: Sequence[Heading] = ()) -> int:
    """The block where a chapter's text starts: after its heading, any [Illustration] right
    under it and the heading of a first section right under it ("CHAPTER I" over "I")."""
    k = h.block + h.blocks
    firsts = {s.block: s.blocks for s in own}
    while k < stop and (gutenberg.is_editorial(blocks[k].text) or k in firsts):
        k += firsts.get(k, 1)
    return k


def _before_first_heading(text: str, blocks: Sequence[Block], start: int, first: int) -> list[FoundChapter]:
    """The title page; and when prose follows it before the first heading, an untitled first chapter."""
    prose = next((i for i, b in enumerate(blocks) if b.words >= PROSE_WORDS and not is_list(b)
                  and not gutenberg.is_editorial(b.text) and not gutenberg.is_transcribers_note(b.text)), None)
    if prose is None or sum(b.words for b in blocks[prose:]) < OPENING_WORDS:
        return [FoundChapter("Title page", start, first, first, skip="title page")]  # a dedication, a motto
    cut = blocks[prose].start
    title = ""
    if prose and len(blocks[prose - 1].lines) == 1 and is_title_text(blocks[prose - 1].text, 60) \
            and not _BY.match(blocks[prose - 1].text) and prose - 1 > 0:
        cut, title = blocks[prose - 1].start, tidy(blocks[prose - 1].text)
    out = []
    if cut > start:
        out.append(FoundChapter("Title page", start, cut, cut, skip="title page"))
    body = blocks[prose].start
    out.append(FoundChapter(title or "Opening", cut, first, body))
    return out


def _cut_the_end(text: str, chapters: list[FoundChapter]) -> list[FoundChapter]:
    """ "THE END" (and whatever follows it) is not part of the last chapter, nor are its
    footnotes or the book's index."""
    if not chapters:
        return chapters
    last = chapters[-1]
    for b in blocks_of(text, last.body, last.end):
        the_end = _THE_END.match(b.text) and len(text[b.end:last.end].split()) < 400
        if the_end or _BACKMATTER.match(b.text):
            return [*chapters[:-1], FoundChapter(last.title, last.start, b.start, last.body, part=last.part),
                    FoundChapter("The End" if the_end else tidy(b.text), b.start, last.end, last.end,
                                 skip="end" if the_end else "back matter")]
    return chapters
