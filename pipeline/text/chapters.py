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
from dataclasses import dataclass, replace

from pipeline.text import gutenberg
from pipeline.text.book import Book, FoundChapter, SkipReason
from pipeline.text.numerals import NUM, number_value
from pipeline.text.paragraphs import paragraphs
from pipeline.text.titles import is_title_text, tidy

#: Keyword headings, in level order (a volume holds books, a book holds parts, a part chapters;
#: a play's acts hold scenes).
_KEYWORDS = {"volume": 0, "vol": 0, "book": 1, "part": 2, "act": 2, "chapter": 3, "chap": 3, "adventure": 3,
             "stave": 3, "canto": 3, "letter": 3, "scene": 3}
_KEYWORD = re.compile(
    r"^(?:[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*){0,2}:\s+)?"  # "Inferno: Canto I"
    rf"(?P<kw>{'|'.join(_KEYWORDS)})\.?\s+(?:the\s+)?(?P<num>{NUM})(?![\w'’])\.?"
    r"(?:\s*(?:[.:\u2014\u2013]|--?)\s*|\s+)?(?P<title>.*)$", re.I)
_NUMERAL_TITLE = re.compile(r"^(?P<num>[IVXLCDM]+|\d{1,3})\.\s+(?P<title>\S.{0,90})$")
_NUMERAL = re.compile(r"^(?P<num>[IVXLCDM]+|\d{1,3})\.?$")
_SPECIAL = re.compile(
    r"^(?:(?:the|an?|first|second|third|last|final|(?:author|translator|editor)(?:'s|’s))\s+)?"
    r"(?P<title>preface|prologue|epilogue|introduction|foreword|afterword|conclusion|postscript|interlude|"
    r"author'?s note|a note on the text|to the reader)\b\.?"
    r"(?:\s*(?:[:.\u2014\u2013]|--?)\s*(?P<rest>.*)|\s+(?P<tail>(?:to|by|of|for)\s+[^.:]{1,50}?)\.?)?$", re.I)
_CONTENTS = re.compile(r"^(?:(?:the |table of )?contents|(?:list of )?illustrations)\W*$", re.I)
_ENTRY = re.compile(rf"^(?:{'|'.join(_KEYWORDS)})?\.?\s*{NUM}\b|\S\s{{3,}}\S|\W\d{{1,3}}$", re.I)
_COPYRIGHT = re.compile(r"^\W*(?:copyright|all rights reserved)\b", re.I)
_BACK_MATTER = re.compile(r"^(?:foot ?notes|end ?notes|index)\W*$", re.I)
_THE_END = re.compile(r"^(?:the end|finis|end)\W*$", re.I)
_BY = re.compile(r"^_?by_?\s*(?P<name>.*)$", re.I)
#: A level below every keyword: "N. Title" headings, then bare numerals.
_STYLE_RANK = {"numeral-title": 4, "numeral": 5, "special": 3, "title-line": 3}
#: Headings of what is not read: a table of contents, a transcriber's note.
_MATTER: dict[str, SkipReason] = {"contents": "contents", "note": "front matter"}
OPENING_WORDS = 250  # untitled text before the first heading shorter than this is a dedication, not a chapter
PROSE_WORDS = 25  # a paragraph with at least this many words is prose, not a heading or a title page line


@dataclass(frozen=True)
class Block:
    """A paragraph: text between blank lines, with its offsets."""

    start: int
    end: int
    text: str
    blank_before: int  # blank lines before it (0 at the start of the text)
    blank_after: int

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def lines(self) -> list[str]:
        return [ln.strip() for ln in self.text.splitlines() if ln.strip()]


@dataclass(frozen=True)
class Heading:
    block: int  # index of its first block
    blocks: int  # how many blocks it takes (2 with a title line)
    style: str  # a keyword ("chapter", "book", ...) or numeral-title / numeral / special / title-line
    number: int | None
    label: str  # "Chapter One", "I", "Preface"
    title: str  # the title after the label, if any
    level: int = 0

    @property
    def name(self) -> str:
        if not (self.title and self.label):
            return self.title or self.label
        if self.style in ("numeral", "numeral-title"):
            return f"{self.label.rstrip('.')}. {self.title}"  # "I. The Period"
        return f"{self.label}: {self.title}"  # "Chapter One: Playing Pilgrims"


def blocks_of(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """The paragraphs of ``text[start:end]`` (the one paragraph model), with offsets into ``text``
    and the blank lines around each (a heading is often set off by more than one)."""
    end = len(text) if end is None else end
    paras = [(start + p.start, start + p.end) for p in paragraphs(text[start:end])]
    gaps = [_breaks(text[a:b]) for a, b in zip([start] + [e for _, e in paras], [s for s, _ in paras] + [end],
                                                strict=True)]
    return [Block(a, b, text[a:b], max(0, gaps[i] - 1), max(0, gaps[i + 1] - 1))
            for i, (a, b) in enumerate(paras)]


def _breaks(gap: str) -> int:
    return gap.count("\n") + gap.count("\r") - gap.count("\r\n")


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
        headings = _front_sections(blocks, _headings(blocks))
    if len([h for h in headings if h.style not in _MATTER]) < 2 and not pattern:
        titled = _title_lines(blocks)
        if len(titled) >= 3:
            headings = _with_matter(titled, [h for h in headings if h.style in _MATTER])
    title, author = gutenberg.header_meta(text[:body_start]) if body_start else (None, None)
    if not headings:
        chapters = [FoundChapter("", body_start, body_end, body_start)]
        return Book(text, _frame(chapters, text, body_start, body_end), title=title, author=author)
    read = next((h.block for h in headings if h.style not in _MATTER), headings[0].block)
    notes = {h.block for h in headings if h.style == "note"}
    page_title, page_author = _title_page([b for k, b in enumerate(blocks[:read])
                                           if k not in notes and not gutenberg.is_editorial(b.text)])
    chapters = _chapters(text, blocks, _levels(headings), body_start, body_end)
    return Book(text, _frame(chapters, text, body_start, body_end),
                title=title or page_title, author=author or page_author)


def _frame(chapters: list[FoundChapter], text: str, start: int, end: int) -> tuple[FoundChapter, ...]:
    """The chapters with the Gutenberg header and licence around them, tiling the whole text."""
    out = list(chapters)
    if start > 0:
        out.insert(0, FoundChapter("Project Gutenberg header", 0, start, start, skip="licence"))
    if end < len(text):
        out.append(FoundChapter("Project Gutenberg licence", end, len(text), len(text), skip="licence"))
    return tuple(out)


def _heading_at(blocks: Sequence[Block], i: int) -> Heading | None:
    """The heading that starts at block ``i``, if it is one."""
    block = blocks[i]
    lines = block.lines
    if len(lines) > 4 or len(block.text) > 320 or block.words > 45:
        return None
    first = lines[0].strip("_*").strip()
    rest = " ".join(lines[1:])
    if (len(lines) > 3 or len(block.text) > 160 or block.words > 18) and not _is_caps_title(rest):
        return None  # only a long title in capitals ("CHAPTER I" then two lines of "TREATS OF ...")
    m = _KEYWORD.match(first)
    if m and _is_number(m["num"]):
        title = " ".join(x for x in (m["title"].strip(), rest) if x)
        if title and not _is_caps_title(title) and (
                len(title) > 120 or title.rstrip("_*").endswith((",", ";")) or len(title.split()) > 15):
            return None  # a sentence that opens with "Part" or "Book", not a heading
        kw = m["kw"].lower().rstrip(".")
        label = tidy(first[: m.end("num")])
        inner = _KEYWORD.match(title)
        if inner and _is_number(inner["num"]):  # "ACT I. SCENE II."
            label, title = f"{label}, {tidy(title[: inner.end('num')])}", title[inner.start("title"):]
        return _with_title_line(blocks, i, Heading(i, 1, kw, number_value(m["num"]), label, tidy(title)))
    m = _NUMERAL_TITLE.match(first)
    if m and len(lines) == 1 and _is_number(m["num"]) and is_title_text(m["title"]) \
            and re.search(r"[^\W\d_]{2}", m["title"]):  # not initials ("C. D.")
        return Heading(i, 1, "numeral-title", number_value(m["num"]), m["num"] + ".", tidy(m["title"]))
    m = _NUMERAL.match(first)
    if m and _is_number(m["num"]) and (len(lines) == 1 or (len(lines) <= 3 and is_title_text(rest))):
        head = Heading(i, 1, "numeral", number_value(m["num"]), m["num"], tidy(rest))  # "I." over "THE EVE OF THE WAR."
        return _with_title_line(blocks, i, head)
    m = _SPECIAL.match(first)
    if m and is_title_text(first) and not rest:
        label = tidy(first[: m.end("title")] + (" " + m["tail"] if m["tail"] else ""))
        return Heading(i, 1, "special", None, label, tidy(m["rest"] or ""))
    return None


def _is_number(num: str) -> bool:
    return number_value(num) is not None or num.lower() in ("last", "final")  # "CHAPTER THE LAST"


def _is_caps_title(s: str) -> bool:
    """A title in capitals, as long as Dickens's ("IN WHICH OLIVER IS TAKEN BETTER CARE OF ...")."""
    s = s.strip().strip("_*")
    return bool(s) and s.isupper() and len(s) <= 250 and len(s.split()) <= 40 and s[0] not in "\"'“‘([" \
        and not s.endswith((",", ";"))


def _with_title_line(blocks: Sequence[Block], i: int, head: Heading) -> Heading:
    """``CHAPTER I`` then ``JONATHAN HARKER'S JOURNAL``: the next short line is the title (an
    [Illustration] between them is passed over)."""
    j = i + 1
    while j < len(blocks) - 1 and gutenberg.is_editorial(blocks[j].text):
        j += 1
    if head.title or j >= len(blocks):
        return head
    nxt = blocks[j]
    text = nxt.text.strip().strip("_*").strip()
    if _is_caps_title(text) and len(nxt.lines) <= 3 and _heading_at(blocks, j) is None:
        return Heading(head.block, j - i + 1, head.style, head.number, head.label, tidy(text))
    if len(nxt.lines) != 1 or not is_title_text(nxt.text, 100) or _heading_at(blocks, j) is not None:
        return head
    if nxt.text.rstrip().endswith(".") and not nxt.text.isupper():
        return head  # a one-line paragraph of prose ("It was night."), not an italic "_Letter, Mina to Lucy._"
    return Heading(head.block, j - i + 1, head.style, head.number, head.label, tidy(nxt.text))


def _headings(blocks: Sequence[Block]) -> list[Heading]:
    """Every heading in reading order; a table of contents is one heading of style "contents"."""
    found: list[Heading] = []
    i = 0
    while i < len(blocks):
        if _CONTENTS.match(blocks[i].text):
            end = _skip_contents(blocks, i + 1)
            found.append(Heading(i, end - i, "contents", None, "Contents", ""))
            i = end
            continue
        head = _heading_at(blocks, i)
        if head is None:
            i += 1
            continue
        found.append(head)
        i += head.blocks
    return found


def _skip_contents(blocks: Sequence[Block], i: int) -> int:
    """Past a table of contents: up to the first heading with prose of its own (with the part
    headings right above it), or to the first paragraph of prose."""
    listed: list[Heading] = []
    top = i
    while i < len(blocks):
        head = _heading_at(blocks, i)
        if head is None:
            if gutenberg.is_transcribers_note(blocks[i].text):
                return i
            if _is_prose(blocks[i]) and not _is_list(blocks[i]):
                above = blocks[i - 1]  # its title ("EXPLANATORY"), not an entry of the contents
                return i - 1 if i - 1 > top and len(above.lines) == 1 and is_title_text(above.text, 60) else i
            i += 1
            continue
        if _has_prose(blocks, i + head.blocks):
            while listed and listed[-1].block + listed[-1].blocks == i and _rank(listed[-1]) < _rank(head):
                head = listed.pop()  # "PART ONE" right above "1", not an entry of the contents
                i = head.block
            return i
        listed.append(head)
        i += head.blocks
    return i


def _has_prose(blocks: Sequence[Block], i: int) -> bool:
    """Whether prose follows before the next heading (or before a line in capitals right
    under this one: EXPLANATORY, the heading of its own text)."""
    if i < len(blocks) and len(blocks[i].lines) == 1 and blocks[i].text.isupper() and is_title_text(blocks[i].text):
        return False
    while i < len(blocks) and _heading_at(blocks, i) is None and not _CONTENTS.match(blocks[i].text) \
            and not gutenberg.is_transcribers_note(blocks[i].text):
        if _is_prose(blocks[i]) and not _is_list(blocks[i]):
            return True
        i += 1
    return False


def _is_list(block: Block) -> bool:
    """A list of contents or illustrations: most lines start with a number, end with a page
    number, or are titles."""
    lines = block.lines
    return len(lines) >= 2 and sum(bool(_ENTRY.search(ln)) or ln.isupper() or is_title_text(ln, 60)
                                   for ln in lines) >= 0.6 * len(lines)


def _is_prose(block: Block) -> bool:
    """Running text, not a line of a list of contents: long, or a few sentences."""
    if gutenberg.is_editorial(block.text):
        return False
    if block.words >= PROSE_WORDS:
        return True
    return block.words >= 6 and len(block.lines) <= 3 and block.text.rstrip("\"”’'_*)").endswith((".", "!", "?"))


def _rank(h: Heading) -> int:
    return _KEYWORDS.get(h.style, _STYLE_RANK.get(h.style, 3))


def _levels(headings: list[Heading]) -> list[Heading]:
    """Each heading's depth: by style, unless its number continues a shallower level's sequence
    and not its own level's across parts (Treasure Island's chapter 7 under PART TWO). A preface
    or epilogue with chapters right under it ("FIRST EPILOGUE" over "CHAPTER I") holds them."""
    ranks = sorted({_rank(h) for h in headings if h.style not in _MATTER})
    depth_of = {r: d for d, r in enumerate(ranks)}
    last: dict[int, int | None] = {}
    ever: dict[int, int | None] = {}  # the last number at each depth, not counted again in a new part
    out = []
    for n, h in enumerate(headings):
        if h.style in _MATTER:
            out.append(h)
            continue
        depth = depth_of[_rank(h)]
        own = last.get(depth)
        nxt = headings[n + 1] if n + 1 < len(headings) else None
        if h.number is not None and h.number != 1 and (own is None or h.number != own + 1) \
                and h.number != (ever.get(depth) or 0) + 1:
            for up in range(depth):
                if last.get(up) is not None and h.number == (last[up] or 0) + 1:
                    depth = up
                    break
        elif h.style == "special" and depth and nxt and nxt.block == h.block + h.blocks \
                and nxt.style in _KEYWORDS and depth_of[_rank(nxt)] == depth:
            depth -= 1
        last[depth] = ever[depth] = h.number
        for deeper in [d for d in last if d > depth]:
            last[deeper] = None  # a new part starts its chapters' count again
        out.append(Heading(h.block, h.blocks, h.style, h.number, h.label, h.title, depth))
    return out


def _front_sections(blocks: Sequence[Block], headings: list[Heading]) -> list[Heading]:
    """The headings with the sections before the first chapter added: a title line followed by
    prose ("ETYMOLOGY.", "NOTE TO THE THIRD EDITION"), a transcriber's note (not read)."""
    first = next((h.block for h in headings if h.style not in ("special", *_MATTER)), None)
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
                or _COPYRIGHT.match(b.text):
            continue
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
    """A title line over prose, or over a short line ("(Supplied by ...)") and then prose."""
    b = blocks[i]
    return len(b.lines) == 1 and is_title_text(b.text, 60) and not _BY.match(b.text) \
        and any(_is_section_text(n) for n in blocks[i + 1:min(i + 3, first)]) \
        and (_is_section_text(blocks[i + 1]) or blocks[i + 1].words < 15)


def _is_section_text(block: Block) -> bool:
    return block.words >= PROSE_WORDS and not _is_list(block) and not gutenberg.is_editorial(block.text)


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


def _chapters(text: str, blocks: Sequence[Block], headings: list[Heading], start: int, end: int,
              ) -> list[FoundChapter]:
    """Chapters from the headings: parts fold into their first chapter, the title page and "The End" skipped."""
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
        a = blocks[h.block].start
        b = blocks[headings[n + 1].block].start if n + 1 < len(headings) else end
        body = _body_start(blocks, h, headings[n + 1].block if n + 1 < len(headings) else len(blocks))
        if h.style in _MATTER:
            stop = headings[n + 1].block if n + 1 < len(headings) else len(blocks)
            out.extend(_matter(text, blocks, h, pending if pending is not None else a, b, stop))
            pending = None
            continue
        for d in [d for d in parts if d >= h.level]:
            del parts[d]
        deeper_next = n + 1 < len(headings) and headings[n + 1].level > h.level
        if deeper_next and not text[body:b].strip():
            parts[h.level] = h.name
            pending = a if pending is None else pending
            continue
        part = " — ".join(parts[d] for d in sorted(parts)) or None
        title = f"{part} — {h.name}" if part else h.name
        out.append(FoundChapter(title, pending if pending is not None else a, b, body, part=part))
        pending = None
        if deeper_next and h.style not in ("special", "title-line"):
            parts[h.level] = h.name  # a preface with text of its own holds no chapters
    return _cut_the_end(text, out)


def _matter(text: str, blocks: Sequence[Block], h: Heading, a: int, b: int, stop: int) -> list[FoundChapter]:
    """A transcriber's note up to the next heading; a table of contents up to its last entry,
    then what follows it before the next heading as if before the first (a dedication, or a
    book whose chapters have no heading)."""
    end = h.block + h.blocks
    if h.style != "contents" or end >= stop:
        return [FoundChapter(h.label, a, b, b, skip=_MATTER[h.style])]
    cut = blocks[end].start
    return [FoundChapter(h.label, a, cut, cut, skip="contents"), *_before_first_heading(text, blocks[end:stop], cut, b)]


def _body_start(blocks: Sequence[Block], h: Heading, stop: int) -> int:
    """Where a chapter's text starts: after its heading and any [Illustration] right under it."""
    k = h.block + h.blocks
    while k < stop and gutenberg.is_editorial(blocks[k].text):
        k += 1
    return blocks[k - 1].end


def _before_first_heading(text: str, blocks: Sequence[Block], start: int, first: int) -> list[FoundChapter]:
    """The title page; and when prose follows it before the first heading, an untitled first chapter."""
    prose = next((i for i, b in enumerate(blocks) if b.words >= PROSE_WORDS and not _is_list(b)
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
        if the_end or _BACK_MATTER.match(b.text):
            return [*chapters[:-1], FoundChapter(last.title, last.start, b.start, last.body, part=last.part),
                    FoundChapter("The End" if the_end else tidy(b.text), b.start, last.end, last.end,
                                 skip="end" if the_end else "back matter")]
    return chapters


def _title_page(blocks: Sequence[Block]) -> tuple[str | None, str | None]:
    """The book's title and author from the short paragraphs before the first heading."""
    short = [b for b in blocks if b.words < PROSE_WORDS]
    if not short:
        return None, None
    title = tidy(short[0].lines[0])
    author = None
    for k, b in enumerate(short):
        m = _BY.match(b.lines[0])
        if m:
            name = m["name"].strip() or (short[k + 1].lines[0] if k + 1 < len(short) else "")
            name = re.sub(r"\s*[\[(].*?[\])]", "", name).strip("_* ")
            author = tidy(name) if name else None
            break
    return (title or None), author
