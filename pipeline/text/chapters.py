"""Chapters in plain text, found the way a reader sees them.

A heading is a short paragraph of its own: ``CHAPTER ONE``, ``Chapter 1 PETER BREAKS THROUGH``,
``CHAPTER I.`` followed by a title line, ``I. The Period``, a numeral alone (``III``) with or
without a title line, ``PREFACE``, or ``Book the First--Recalled to Life`` above chapters. Levels
come from the heading's style (volume > book > part > chapter > ``N. Title`` > ``N``), except
that a heading whose number continues a higher level's sequence joins that level (Sherlock
Holmes's ``VII. THE ADVENTURE OF ...`` after ``ADVENTURE VI.``). A heading followed at once by a
deeper one is a part: its title prefixes its chapters'. A book with no numbered heading may
still have title-only headings: short Title Case lines set off by blank lines before prose.

Front and back matter is found around the headings: a Project Gutenberg header and licence,
the title page (the short paragraphs before the first heading), a table of contents (a
"Contents" paragraph and the headings listed after it with no text of their own) and "The End".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text.book import Book, FoundChapter
from pipeline.text.lexicon import words
from pipeline.text.paragraphs import paragraphs

_UNITS = words("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
               "sixteen seventeen eighteen nineteen")
_TENS = words("twenty thirty forty fifty sixty seventy eighty ninety")
_ORDINALS = words("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                  "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth")
_WORD = "|".join(sorted([*_UNITS, *_TENS, *_ORDINALS, "last", "final"], key=len, reverse=True))
_NUM = rf"(?:\d{{1,3}}|[IVXLCDM]+\b|(?:{_WORD})(?:[- ](?:{_WORD}))?)"
#: Keyword headings, in level order (a volume holds books, a book holds parts, a part chapters).
_KEYWORDS = {"volume": 0, "vol": 0, "book": 1, "part": 2, "chapter": 3, "chap": 3, "adventure": 3,
             "stave": 3, "canto": 3, "letter": 3}
_KEYWORD = re.compile(
    rf"^(?P<kw>{'|'.join(_KEYWORDS)})\.?\s+(?:the\s+)?(?P<num>{_NUM})(?![\w'’])\.?"
    r"(?:\s*(?:[.:\u2014\u2013]|--?)\s*|\s+)?(?P<title>.*)$", re.I)
_NUMERAL_TITLE = re.compile(r"^(?P<num>[IVXLCDM]+|\d{1,3})\.\s+(?P<title>\S.{0,90})$")
_NUMERAL = re.compile(r"^(?P<num>[IVXLCDM]+|\d{1,3})\.?$")
_SPECIAL = re.compile(
    r"^(?P<title>preface|prologue|epilogue|introduction|foreword|afterword|conclusion|postscript|interlude|"
    r"author'?s note|a note on the text|to the reader)\b\.?(?:\s*(?:[:.\u2014\u2013]|--?)\s*(?P<rest>.*))?$", re.I)
_CONTENTS = re.compile(r"^(?:table of )?contents\.?$", re.I)
_THE_END = re.compile(r"^(?:the end|finis|end)\W*$", re.I)
_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_BY = re.compile(r"^_?by_?\s*(?P<name>.*)$", re.I)
_SMALL = frozenset(words("a an and as at but by for from in into of on or the to with"))
#: A level below every keyword: "N. Title" headings, then bare numerals.
_STYLE_RANK = {"numeral-title": 4, "numeral": 5, "special": 3, "title-line": 3}
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
    body_start, body_end = _gutenberg_body(text)
    blocks = blocks_of(text, body_start, body_end)
    if pattern:
        rx = re.compile(pattern)
        headings = [Heading(i, 1, "chapter", None, "", tidy(b.lines[0])) for i, b in enumerate(blocks)
                    if len(b.lines) <= 3 and rx.search(b.lines[0])]
    else:
        headings = _headings(blocks)
    if len(headings) < 2 and not pattern:
        titled = _title_lines(blocks)
        if len(titled) >= 3:
            headings = titled
    title, author = _gutenberg_meta(text[:body_start]) if body_start else (None, None)
    if not headings:
        chapters = [FoundChapter("", body_start, body_end, body_start)]
        return Book(text, _frame(chapters, text, body_start, body_end), title=title, author=author)
    page_title, page_author = _title_page(blocks[: headings[0].block])
    chapters = _chapters(text, blocks, _levels(headings), body_start, body_end)
    return Book(text, _frame(chapters, text, body_start, body_end),
                title=title or page_title, author=author or page_author)


def _gutenberg_body(text: str) -> tuple[int, int]:
    start = _GUTENBERG_START.search(text)
    end = _GUTENBERG_END.search(text, start.end() if start else 0)
    return (start.end() if start else 0), (end.start() if end else len(text))


def _gutenberg_meta(header: str) -> tuple[str | None, str | None]:
    title = re.search(r"^Title:\s*(.+)$", header, re.M)
    author = re.search(r"^Author:\s*(.+)$", header, re.M)
    return (title.group(1).strip() if title else None), (author.group(1).strip() if author else None)


def _frame(chapters: list[FoundChapter], text: str, start: int, end: int) -> tuple[FoundChapter, ...]:
    """The chapters with the Gutenberg header and licence around them, tiling the whole text."""
    out = list(chapters)
    if start > 0:
        out.insert(0, FoundChapter("Project Gutenberg header", 0, start, start, skip="licence"))
    if end < len(text):
        out.append(FoundChapter("Project Gutenberg licence", end, len(text), len(text), skip="licence"))
    return tuple(out)


def number_value(num: str) -> int | None:
    """``12``, ``XII``, ``twelve``, ``twenty-one``, ``the first`` -> an int (None if it is none)."""
    low = num.lower().strip()
    if low.isdigit():
        return int(low)
    if re.fullmatch(r"[ivxlcdm]+", low):
        return _roman(low)
    total = 0
    for part in re.split(r"[- ]", low):
        if part in _UNITS:
            total += _UNITS.index(part) + 1
        elif part in _TENS:
            total += 20 + 10 * _TENS.index(part)
        elif part in _ORDINALS:
            total += _ORDINALS.index(part) + 1
        else:
            return None
    return total or None


def _roman(s: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    s = s.lower()
    if not s or any(c not in values for c in s):
        return None
    total = 0
    for a, b in zip(s, [*s[1:], ""], strict=True):
        v = values[a]
        total += -v if b and values[b] > v else v
    # only canonical numerals: "MIX" is a word, not 1009
    return total if 0 < total < 400 and _to_roman(total) == s.upper() else None


def _to_roman(n: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def tidy(title: str) -> str:
    """A heading as people write it: ALL CAPS in title case, trailing dots and dashes dropped."""
    title = re.sub(r"\s*--\s*", " — ", re.sub(r"\s+", " ", title)).replace("_", "").strip("* ")
    title = re.sub(r"[\s.:\u2014\u2013-]+$", "", title)
    title = title[:1].upper() + title[1:]
    if any(c.isalpha() for c in title) and title == title.upper():
        words = title.lower().split(" ")
        title = " ".join(_title_word(i, w) for i, w in enumerate(words))
    return title


def _title_word(i: int, w: str) -> str:
    if _roman(w.rstrip(".")) is not None:
        return w.upper()
    return w if i and w in _SMALL else _cap(w)


def _cap(word: str) -> str:
    """Capitalise each hyphenated part at its first letter (after any opening quote mark)."""
    return "-".join(re.sub(r"[^\W\d_]", lambda m: m.group().upper(), p, count=1) for p in word.split("-"))


def _is_title_text(s: str, limit: int = 90) -> bool:
    """A title line: short, not a sentence, Title Case or ALL CAPS."""
    s = s.strip().strip("_*")
    if not s or len(s) > limit or s[0] in "\"'“‘(" or s[-1] in ",;" or s.endswith(("!", "?\"", "?”")):
        return False
    if s.endswith(".") and not s.isupper() and len(s.split()) > 6:
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", s)]
    if not words:
        return False
    caps = [w for w in words if w[0].isupper()]
    big = [w for w in words if w.lower() not in _SMALL]
    return words[0][0].isupper() and len(caps) >= max(1, 0.6 * len(big))


def _heading_at(blocks: Sequence[Block], i: int) -> Heading | None:
    """The heading that starts at block ``i``, if it is one."""
    block = blocks[i]
    lines = block.lines
    if len(lines) > 3 or len(block.text) > 160 or block.words > 18:
        return None
    first = lines[0].strip("_*").strip()
    rest = " ".join(lines[1:])
    m = _KEYWORD.match(first)
    if m and number_value(m["num"]) is not None:
        title = " ".join(x for x in (m["title"].strip(), rest) if x)
        if title and (len(title) > 120 or title.rstrip("_*").endswith((",", ";")) or len(title.split()) > 15):
            return None  # a sentence that opens with "Part" or "Book", not a heading
        kw = m["kw"].lower().rstrip(".")
        label = tidy(first[: m.end("num")])
        return _with_title_line(blocks, i, Heading(i, 1, kw, number_value(m["num"]), label, tidy(title)))
    if len(lines) == 1:
        m = _NUMERAL_TITLE.match(first)
        if m and number_value(m["num"]) is not None and _is_title_text(m["title"]):
            return Heading(i, 1, "numeral-title", number_value(m["num"]), m["num"] + ".", tidy(m["title"]))
        m = _NUMERAL.match(first)
        if m and number_value(m["num"]) is not None:
            return _with_title_line(blocks, i, Heading(i, 1, "numeral", number_value(m["num"]), m["num"], ""))
    m = _SPECIAL.match(first)
    if m and (first.isupper() or first.istitle()) and not rest:
        return Heading(i, 1, "special", None, tidy(m["title"]), tidy(m["rest"] or ""))
    return None


def _with_title_line(blocks: Sequence[Block], i: int, head: Heading) -> Heading:
    """``CHAPTER I`` then ``JONATHAN HARKER'S JOURNAL``: the next short line is the title."""
    if head.title or i + 1 >= len(blocks):
        return head
    nxt = blocks[i + 1]
    if len(nxt.lines) != 1 or not _is_title_text(nxt.text, 80) or _heading_at(blocks, i + 1) is not None:
        return head
    if nxt.text.rstrip().endswith(".") and not nxt.text.isupper():
        return head  # a one-line paragraph of prose ("It was night.")
    return Heading(head.block, 2, head.style, head.number, head.label, tidy(nxt.text))


def _headings(blocks: Sequence[Block]) -> list[Heading]:
    """Every heading in reading order, with the table of contents left out."""
    found: list[Heading] = []
    i = 0
    while i < len(blocks):
        if _CONTENTS.match(blocks[i].text):
            i = _skip_contents(blocks, i + 1)
            continue
        head = _heading_at(blocks, i)
        if head is None:
            i += 1
            continue
        found.append(head)
        i += head.blocks
    return found


def _skip_contents(blocks: Sequence[Block], i: int) -> int:
    """Past a table of contents: the short lines after "Contents" up to the first heading with prose."""
    while i < len(blocks):
        head = _heading_at(blocks, i)
        nxt = i + (head.blocks if head else 1)
        if head is not None and nxt < len(blocks) and _is_prose(blocks[nxt]):
            return i
        if head is None and _is_prose(blocks[i]):
            return i
        i = nxt
    return i


def _is_prose(block: Block) -> bool:
    """Running text, not a line of a list of contents: long, or a few sentences."""
    if block.words >= PROSE_WORDS:
        return True
    return block.words >= 6 and len(block.lines) <= 3 and block.text.rstrip("\"”’'_*)").endswith((".", "!", "?"))


def _levels(headings: list[Heading]) -> list[Heading]:
    """Each heading's depth: by style, unless its number continues a shallower level's sequence."""
    ranks = sorted({_KEYWORDS.get(h.style, _STYLE_RANK.get(h.style, 3)) for h in headings})
    depth_of = {r: d for d, r in enumerate(ranks)}
    last: dict[int, int | None] = {}
    out = []
    for h in headings:
        depth = depth_of[_KEYWORDS.get(h.style, _STYLE_RANK.get(h.style, 3))]
        own = last.get(depth)
        if h.number is not None and h.number != 1 and (own is None or h.number != own + 1):
            for up in range(depth):
                if last.get(up) is not None and h.number == (last[up] or 0) + 1:
                    depth = up
                    break
        last[depth] = h.number
        for deeper in [d for d in last if d > depth]:
            last[deeper] = None  # a new part starts its chapters' count again
        out.append(Heading(h.block, h.blocks, h.style, h.number, h.label, h.title, depth))
    return out


def _title_lines(blocks: Sequence[Block]) -> list[Heading]:
    """Title-only headings: a short Title Case line set off by blank lines, followed by prose."""
    found = []
    for i, b in enumerate(blocks[:-1]):
        if (len(b.lines) == 1 and _is_title_text(b.text, 60) and not b.text.endswith(".")
                and max(b.blank_before, b.blank_after) >= 2 and blocks[i + 1].words >= PROSE_WORDS):
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
        body = blocks[h.block + h.blocks - 1].end
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
        if deeper_next:
            parts[h.level] = h.name
    return _cut_the_end(text, out)


def _before_first_heading(text: str, blocks: Sequence[Block], start: int, first: int) -> list[FoundChapter]:
    """The title page; and when prose follows it before the first heading, an untitled first chapter."""
    prose = next((i for i, b in enumerate(blocks) if b.words >= PROSE_WORDS), None)
    if prose is None:
        return [FoundChapter("Title page", start, first, first, skip="title page")]
    cut = blocks[prose].start
    title = ""
    if prose and len(blocks[prose - 1].lines) == 1 and _is_title_text(blocks[prose - 1].text, 60) \
            and not _BY.match(blocks[prose - 1].text) and prose - 1 > 0:
        cut, title = blocks[prose - 1].start, tidy(blocks[prose - 1].text)
    out = []
    if cut > start:
        out.append(FoundChapter("Title page", start, cut, cut, skip="title page"))
    body = blocks[prose].start
    out.append(FoundChapter(title or "Opening", cut, first, body))
    return out


def _cut_the_end(text: str, chapters: list[FoundChapter]) -> list[FoundChapter]:
    """ "THE END" (and whatever follows it) is not part of the last chapter."""
    if not chapters:
        return chapters
    last = chapters[-1]
    for b in blocks_of(text, last.body, last.end):
        if _THE_END.match(b.text) and len(text[b.end:last.end].split()) < 400:
            return [*chapters[:-1], FoundChapter(last.title, last.start, b.start, last.body, part=last.part),
                    FoundChapter("The End", b.start, last.end, last.end, skip="end")]
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
