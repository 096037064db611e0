"""A book's title page read as a reader reads it: the title, over one line or several, the
author after "by" (on the same line, alone on the next, or with no "by" at all), ``Title:`` and
``Author:`` labels, and the year it gives.

What is not the author: an illustrator's, translator's or editor's line ("Illustrated by F. H.
Townsend", "With twenty-five coloured illustrations / by C. E. Brock"), an edition or subtitle
line ("An Autobiography", "(Tom Sawyer's Comrade)", "Complete"), a dedication's "BY THE AUTHOR".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.reading.headings import Block
from pipeline.reading.lexicon import words
from pipeline.reading.titles import tidy

_LABEL = re.compile(r"^(?P<key>title|author|authors?|by)\s*:\s*(?P<value>\S.*)$", re.I)
_BY = re.compile(r"^(?:written\s+)?by\b[\s:]*(?P<name>.*)$", re.I)
#: A contributor who is not the author, named on the line or the one before its "by".
_CREDIT = re.compile(r"\b(?:illustrat\w*|translat\w*|edit(?:ed|or|ion)\w*|introduc\w*|notes|drawings|pictures|"
                     r"decorations|foreword|preface|plates|engrav\w*|adapted|abridged|author of)\b", re.I)
#: A line under the title that is a subtitle or an edition's, not more of the title.
_SUBTITLE = re.compile(r"^(?:or\b|an?\s|being\b|complete\b|in\s+\w+\s+(?:vol|book|part)|[(\[])", re.I)
#: Short words a title line can end with when it goes on over the next line, and begin with
#: when it goes on from the line before ("ADVENTURES" / "OF" / "HUCKLEBERRY FINN").
_JOINING = frozenset(words("of the and in a an to for on at by with from or"))
_JOINS_BACK = frozenset(words("of and in for on at with from"))  # not "to": a dedication starts so
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_FIRST_PUBLISHED = re.compile(r"first\s+published\b\D{0,60}?(1[5-9]\d\d|20\d\d)", re.I | re.S)
_PARTICLES = frozenset(words("de de' van von der den du la le da di del della st. st saint mac mc of y bin ibn"))
_HONORIFICS = frozenset(words("sir mrs. mrs mr. mr dr. dr miss lady lord rev. rev"))


@dataclass(frozen=True)
class TitlePage:
    title: str | None
    author: str | None
    year: str | None


def read_title_page(blocks: Sequence[Block]) -> TitlePage:
    """The title, author and year that the paragraphs before the first heading give."""
    lines = [(s, k) for k, b in enumerate(blocks) for s in (_clean(ln) for ln in b.lines)
             if _has_letters(s) or _YEAR.fullmatch(s.strip(".,"))]
    text = "\n".join(s for s, _ in lines)
    year = _year(text, lines)
    labels = {m["key"].lower().rstrip("s"): m["value"] for s, _ in lines if (m := _LABEL.match(s))}
    if "title" in labels or "author" in labels:
        return TitlePage(_title_text(labels.get("title")), _name(labels.get("author") or labels.get("by") or ""),
                         year)
    if not lines:
        return TitlePage(None, None, year)
    end = _title_end(lines)
    title = _title_text(" ".join(s.rstrip(".;:,") for s, _ in lines[:end]))
    return TitlePage(title, _author(lines, end, title), year)


def _clean(line: str) -> str:
    return line.strip().strip("_*").strip().replace("_", "")


def _has_letters(s: str) -> bool:
    return bool(re.search(r"[^\W\d_]", s)) and not (s.startswith("[") and s.endswith("]"))


def _title_end(lines: Sequence[tuple[str, int]]) -> int:
    """How many lines the title takes: it goes on over a line in the same paragraph set the same
    way ("WASHINGTON" / "SQUARE"), and over any line that a short word joins ("ADVENTURES" / "OF" /
    "HUCKLEBERRY FINN"); it stops at "by", a subtitle, or a line ending in ";" ("MOBY-DICK;")."""
    end = 1
    while end < len(lines) and end < 6:
        prev, prev_block = lines[end - 1]
        line, block = lines[end]
        if _BY.match(line) or _SUBTITLE.match(line) or _CREDIT.search(line) or prev.endswith((";", ",")):
            break
        joined = prev.split()[-1].lower().strip(".,") in _JOINING or line.split()[0].lower() in _JOINS_BACK
        same_style = block == prev_block and (line.isupper() == prev.isupper())
        if not (joined or same_style) or len(" ".join(s for s, _ in lines[:end + 1]).split()) > 14:
            break
        end += 1
    return end


def _title_text(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = re.sub(r"\s*\((?:\d{4}|[^)]*\d{4}[^)]*)\)", "", raw)  # "THE VOYAGE OUT (1915)"
    words = raw.split()
    if sum(w.isupper() for w in words) * 2 > len(words):  # "PRIDE and PREJUDICE" set in capitals
        raw = " ".join(w.upper() if w.lower() in _JOINING else w for w in words)
    return tidy(raw) or None


def _author(lines: Sequence[tuple[str, int]], end: int, title: str | None) -> str | None:
    """After a "by" that credits no one else; else a name on the line under the title (and its
    subtitle lines), with no "by" at all ("SONS AND LOVERS" / "D. H. LAWRENCE")."""
    for i in range(end, len(lines)):
        line, block = lines[i]
        m = _BY.match(line)
        if not m:
            continue
        before = lines[i - 1][0] if i > end and lines[i - 1][1] == block else ""
        if _CREDIT.search(before) or _CREDIT.search(line):
            continue
        name = m["name"] or (lines[i + 1][0] if i + 1 < len(lines) else "")
        found = _name(name, strict=not m["name"])
        if found:
            return found
    k = end
    while k < len(lines) and k < end + 3 and _SUBTITLE.match(lines[k][0]):
        k += 1
    if k < len(lines) and not _BY.match(lines[k][0]):
        found = _name(lines[k][0], strict=True)
        if found and found != title:
            return found
    return None


def _name(raw: str, strict: bool = False) -> str | None:
    """A person's name as the page gives it, tidied ("CHARLOTTE BRONTE" -> "Charlotte Bronte");
    None for what is no name ("THE AUTHOR", "Illustrated by ..."). ``strict``: a line with no
    "by" before it on the line is a name only if it looks like one."""
    name = re.sub(r"\s*[\[(][^\])]*[\])]", "", raw).strip(" ,.;:_*")  # "(Godwin)", "(1882-1941)"
    name = re.sub(r",?\s+(?:esq|author of)\b.*$", "", name, flags=re.I).strip(" ,")
    words = name.split()
    if not words or len(words) > 7 or _CREDIT.search(name) or words[0].lower() in ("the", "a", "an"):
        return None
    if strict and (len(words) < 2 or re.search(r"\d", name) or not all(
            w[0].isupper() or w.lower() in _PARTICLES or w.lower() in _HONORIFICS for w in words)):
        return None
    return tidy(name)


def is_signature(line: str) -> bool:
    """A line that signs a preface or a letter: a person's name ("L. Frank Baum", "CURRER BELL."),
    or a place and a date ("Chicago, April, 1900.")."""
    s = _clean(line)
    return bool(_YEAR.search(s) and "," in s) or (_name(s, strict=True) is not None and bool(re.search(
        r"(?:^|\s)[A-Z]\.|[a-z]", s)) and len(s.split()) <= 4 and not _BY.match(s))


def _year(text: str, lines: Sequence[tuple[str, int]]) -> str | None:
    """"First published in 1881", else a year in the title line ("(1915)"), else the imprint's
    year (a line that is only a year)."""
    m = _FIRST_PUBLISHED.search(text)
    if m:
        return m.group(1)
    if lines and (m := re.search(r"\((1[5-9]\d\d|20\d\d)\)", lines[0][0])):
        return m.group(1)
    alone = [m.group(1) for s, _ in lines if (m := re.fullmatch(r"\W*(1[5-9]\d\d|20\d\d)\W*", s))]
    return alone[0] if alone else None
