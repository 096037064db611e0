"""Headings as a reader sees them in plain text: what shape a short paragraph has to have to
open a chapter, a part or a book, and the paragraphs (``Block``) they are found among.

A heading is a short paragraph of its own: ``CHAPTER ONE``, ``Chapter 1 PETER BREAKS THROUGH``,
``CHAPTER I.`` followed by a title line, ``I. The Period``, a numeral alone (``III``) with or
without a title line, ``PREFACE``, or ``Book the First--Recalled to Life`` above chapters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.reading import gutenberg
from pipeline.reading.numerals import NUM, ORDINAL, number_value
from pipeline.reading.paragraphs import paragraphs
from pipeline.reading.titles import is_title_text, tidy, unquoted

#: Keyword headings, in level order (a volume holds books, a book holds parts, a part chapters;
#: a play's acts hold scenes).
KEYWORDS = {"volume": 0, "vol": 0, "book": 1, "part": 2, "act": 2, "chapter": 3, "chap": 3, "adventure": 3,
             "stave": 3, "canto": 3, "letter": 3, "scene": 3}
_KEYWORD = re.compile(
    r"^(?:[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*){0,2}:\s+)?"  # "Inferno: Canto I"
    rf"(?P<kw>{'|'.join(KEYWORDS)})\.?\s+(?:the\s+)?(?P<num>{NUM})(?![\w'’])\.?"
    r"(?:\s*(?:[.:\u2014\u2013]|--?)\s*|\s+)?(?P<title>.*)$", re.I)
_NUMERAL_TITLE = re.compile(r"^(?P<num>[IVXLCDM]+|\d{1,3})\.\s+(?P<title>\S.{0,90})$")
#: A numeral alone, bare or set between ornaments ("III", "12.", "- 4 -", "[ 7 ]", "~ IX ~").
_NUMERAL = re.compile(r"^(?:([-\u2013\u2014~*\[(§])\s*)?(?P<num>[IVXLCDM]+|\d{1,3})\.?(?(1)\s*[-\u2013\u2014~*\])])?$")
SPECIAL = re.compile(
    r"^(?:(?:the|an?|first|second|third|last|final|(?:author|translator|editor)(?:'s|’s))\s+)?"
    r"(?P<title>preface|prologue|epilogue|introduction|foreword|afterword|conclusion|postscript|interlude|prelude|finale|"
    r"author'?s note|a note on the text|to the reader)\b\.?"
    r"(?:\s*(?:[:.\u2014\u2013]|--?)\s*(?P<rest>.*)|\s+(?P<tail>(?:to|by|of|for)\s+[^.:]{1,50}?)\.?)?$", re.I)
#: A division named by an ordinal and a noun: "FIRST PERIOD.", "SECOND NARRATIVE", "The Third Day".
_ORDINAL = re.compile(rf"^(?:the\s+)?(?P<num>{ORDINAL})\s+(?P<kw>[^\W\d_]{{3,}})\.?$"
                      rf"|^(?P<kw2>[^\W\d_]{{3,}})\s+the\s+(?P<num2>{ORDINAL})\b\.?"  # "Phase the First: The Maiden"
                      r"(?:\s*(?:[.:\u2014\u2013]|--?)\s*(?P<title>\S.*))?$", re.I)
#: A level below every keyword: "N. Title" headings, then bare numerals.
STYLE_RANK = {"numeral-title": 4, "numeral": 5, "special": 3, "title-line": 3}
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
    gaps = [breaks(text[a:b]) for a, b in zip([start] + [e for _, e in paras], [s for s, _ in paras] + [end],
                                                strict=True)]
    return [Block(a, b, text[a:b], max(0, gaps[i] - 1), max(0, gaps[i + 1] - 1))
            for i, (a, b) in enumerate(paras)]


def breaks(gap: str) -> int:
    return gap.count("\n") + gap.count("\r") - gap.count("\r\n")


def heading_at(blocks: Sequence[Block], i: int, quoted: bool = False) -> Heading | None:
    """The heading that starts at block ``i``, if it is one (``quoted``: with a title line in
    quotation marks, as in a book whose other headings have title lines)."""
    block = blocks[i]
    lines = block.lines
    volume = _volume_page(block, i)
    if volume is not None:
        return volume
    if len(lines) > 4 or len(block.text) > 320 or block.words > 45:
        return None
    first = lines[0].strip("_*").strip()
    rest = " ".join(lines[1:])
    if (len(lines) > 3 or len(block.text) > 160 or block.words > 18) and not is_caps_title(rest):
        return None  # only a long title in capitals ("CHAPTER I" then two lines of "TREATS OF ...")
    m = _KEYWORD.match(first)
    if m and is_number(m["num"]):
        title = " ".join(x for x in (m["title"].strip(), rest) if x)
        if title and not is_caps_title(title) and (
                len(title) > 120 or title.rstrip("_*").endswith((",", ";")) or len(title.split()) > 15):
            return None  # a sentence that opens with "Part" or "Book", not a heading
        kw = m["kw"].lower().rstrip(".")
        label = tidy(first[: m.end("num")])
        inner = _KEYWORD.match(title)
        if inner and is_number(inner["num"]):  # "ACT I. SCENE II."
            label, title = f"{label}, {tidy(title[: inner.end('num')])}", title[inner.start("title"):]
        return _with_title_line(blocks, i, Heading(i, 1, kw, number_value(m["num"]), label, tidy(title)), quoted=quoted)
    m = _NUMERAL_TITLE.match(first)
    if m and len(lines) == 1 and is_number(m["num"]) and is_title_text(m["title"], quoted=True) \
            and re.search(r"[^\W\d_]{2}", m["title"]):  # not initials ("C. D.")
        return Heading(i, 1, "numeral-title", number_value(m["num"]), m["num"] + ".", tidy(m["title"]))
    m = _NUMERAL.match(first)
    if m and is_number(m["num"]) and (len(lines) == 1 or (len(lines) <= 3 and is_title_text(rest))):
        head = Heading(i, 1, "numeral", number_value(m["num"]), m["num"], tidy(rest))  # "I." over "THE EVE OF THE WAR."
        return _with_title_line(blocks, i, head, quoted=quoted)
    m = SPECIAL.match(first)
    if m and is_title_text(first) and not rest:
        label = tidy(first[: m.end("title")] + (" " + m["tail"] if m["tail"] else ""))
        head = Heading(i, 1, "special", None, label, tidy(m["rest"] or ""))
        return _with_title_line(blocks, i, head, caps_only=True)  # "PROLOGUE" over "THE STORMING OF ..."
    m = _ORDINAL.match(first)
    if m and not rest and is_title_text(first):
        kw, num = (m["kw"] or m["kw2"]).lower(), m["num"] or m["num2"]
        label = tidy(first[: m.end("num2")]) if m["num2"] else tidy(first)
        style = kw if kw in KEYWORDS else f"ordinal {kw}"
        head = Heading(i, 1, style, number_value(num), label, tidy(m["title"] or ""))
        return _with_title_line(blocks, i, head, caps_only=True)
    return None


def _volume_page(block: Block, i: int) -> Heading | None:
    """A volume's title page set as one paragraph, its "VOL. II." among the book's title and
    imprint lines (not the first): the volume's heading, none of it read."""
    if len(block.lines) < 2 or not is_title_page_block(block):
        return None
    for line in block.lines[1:]:
        m = _KEYWORD.match(line.strip("_*"))
        if m and m["kw"].lower() in ("vol", "volume") and is_number(m["num"]) and not m["title"].strip():
            return Heading(i, 1, "volume", number_value(m["num"]), tidy(line[: m.end("num")]), "")
    return None


def is_entry(block: Block) -> bool:
    """A contents entry too long to be a heading, wrapped over lines of its own ("CHAPTER XVIII.
    Col. Grangerford.--Aristocracy.--Feuds.--The" / "Testament.--Recovering the Raft.")."""
    m = _KEYWORD.match(block.lines[0].strip("_*")) if block.lines else None
    return m is not None and is_number(m["num"]) and len(block.lines) <= 4 and block.words <= 60


def is_number(num: str) -> bool:
    return number_value(num) is not None or num.lower() in ("last", "final")  # "CHAPTER THE LAST"


def is_caps_title(s: str, quoted: bool = False) -> bool:
    """A title in capitals, as long as Dickens's ("IN WHICH OLIVER IS TAKEN BETTER CARE OF ...");
    ``quoted``: in quotation marks too ("‘LIKE SUMMER TEMPESTS CAME HIS TEARS’")."""
    s = s.strip().strip("_*")
    if quoted:
        s = unquoted(s)
    return bool(s) and s.isupper() and len(s) <= 250 and len(s.split()) <= 40 \
        and (quoted or s[0] not in "\"'“‘([") and not s.endswith((",", ";"))


def _with_title_line(blocks: Sequence[Block], i: int, head: Heading, caps_only: bool = False,
                     quoted: bool = False) -> Heading:
    """``CHAPTER I`` then ``JONATHAN HARKER'S JOURNAL``: the next short line is the title (an
    [Illustration] between them is passed over); ``caps_only``: only a line in capitals."""
    j = i + 1
    while j < len(blocks) - 1 and gutenberg.is_editorial(blocks[j].text):
        j += 1
    if head.title or j >= len(blocks):
        return head
    nxt = blocks[j]
    text = nxt.text.strip().strip("_*").strip()
    below = heading_at(blocks, j)
    if below is not None and below.style.startswith("ordinal "):
        below = None  # "CHAPTER I" over "THE FIRST DAY": a title, not a division
    if is_caps_title(text, quoted) and len(nxt.lines) <= 3 and below is None:
        return Heading(head.block, j - i + 1, head.style, head.number, head.label, tidy(text))
    if caps_only or len(nxt.lines) != 1 or not is_title_text(nxt.text, 100, quoted) or below is not None:
        return head
    if nxt.text.rstrip().endswith(".") and not nxt.text.isupper():
        return head  # a one-line paragraph of prose ("It was night."), not an italic "_Letter, Mina to Lucy._"
    return Heading(head.block, j - i + 1, head.style, head.number, head.label, tidy(nxt.text))


def rank(h: Heading) -> float:
    """A heading's level by its style alone; a division by an ordinal and a noun of no keyword's
    ("FIRST PERIOD") holds chapters (see ``structure.levels`` for several such nouns)."""
    if h.style.startswith("ordinal "):
        return KEYWORDS["part"] + 0.5
    return KEYWORDS.get(h.style, STYLE_RANK.get(h.style, 3))


def is_title_page_block(block: Block) -> bool:
    """A paragraph of a title page or a printer's imprint, not of prose: short lines, each in
    capitals, in Title Case, or only a year or an ornament ("LONDON:", "SMITH, ELDER AND CO.", "1847.")."""
    return bool(block.lines) and block.words <= 40 and all(_title_page_line(ln) for ln in block.lines)


def _title_page_line(line: str) -> bool:
    s = line.strip().strip("_*[]() ").strip()
    if len(s.split()) > 10:
        return False
    return not re.search(r"[^\W\d_]", s) or s.upper() == s or is_title_text(s, 80)
