"""Paragraphs: the one definition that segmentation, synthesis, the script view and the
credits share, so a pause in the audio falls where the script starts a new line.

A line ends at LF, CRLF or a lone CR, and a line holding only whitespace is blank. When
blank lines separate text, paragraphs are the runs of lines between them and a single
line break only wraps a line (hard-wrapped text). A text without any such blank line
has one paragraph per line. A paragraph's offsets point into the original text and
exclude its leading and trailing whitespace, so the same words give the same
paragraphs whichever line ends the file uses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: One line and the break that ends it (none for the last line).
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
#: Characters that end a line; `str.isspace` counts them as whitespace too.
LINE_BREAKS = "\r\n"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph's span in the text, whitespace at either end excluded."""

    start: int
    end: int


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """The paragraphs of ``text``, in order (see the module's docstring for the rule)."""
    lines = _lines(text)
    blank = [text[a:b].isspace() or a == b for a, b in lines]
    wrapped = _has_separating_blank(blank)
    out: list[Paragraph] = []
    run: list[tuple[int, int]] = []  # the non-blank lines of the paragraph being gathered
    for (a, b), is_blank in zip(lines, blank, strict=True):
        if not is_blank:
            run.append((a, b))
            if wrapped:
                continue
        if run:
            out.append(_trimmed(text, run[0][0], run[-1][1]))
            run = []
    if run:
        out.append(_trimmed(text, run[0][0], run[-1][1]))
    return tuple(out)


def paragraph_at(paras: Sequence[Paragraph], offset: int) -> int | None:
    """The index of the paragraph holding ``offset``, or None between paragraphs."""
    i = bisect.bisect_right(paras, offset, key=lambda p: p.start) - 1
    if i >= 0 and offset < paras[i].end:
        return i
    return None


def separators(paras: Sequence[Paragraph], length: int) -> tuple[tuple[int, int], ...]:
    """The stretches of a text of ``length`` characters that lie outside every paragraph:
    blank lines, line breaks and the whitespace around them, in order."""
    out = []
    pos = 0
    for p in paras:
        if p.start > pos:
            out.append((pos, p.start))
        pos = p.end
    if pos < length:
        out.append((pos, length))
    return tuple(out)


def pieces(paras: Sequence[Paragraph], start: int, end: int) -> list[tuple[int, int, int]]:
    """The parts of ``[start, end)`` that lie inside paragraphs, as (start, end, paragraph
    index): a span that crosses a paragraph break comes back in one piece per paragraph."""
    out = []
    i = bisect.bisect_right(paras, start, key=lambda p: p.end)
    while i < len(paras) and paras[i].start < end:
        a, b = max(start, paras[i].start), min(end, paras[i].end)
        if a < b:
            out.append((a, b, i))
        i += 1
    return out


def line_number(text: str, offset: int) -> int:
    """The 1-based line of ``offset``, counting LF, CRLF and lone CR as one break each."""
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, line breaks excluded."""
    out = []
    for m in _LINE.finditer(text):
        out.append((m.start(1), m.end(1)))
        if not m.group(2):
            break  # the last line (its empty match at the end would repeat forever)
    return out


def _has_separating_blank(blank: list[bool]) -> bool:
    """True when a blank line lies between two lines with text: the text is laid out in
    blank-separated paragraphs. Blank lines only before or after the text don't count."""
    try:
        first, last = blank.index(False), len(blank) - 1 - blank[::-1].index(False)
    except ValueError:
        return False
    return any(blank[first:last])


def _trimmed(text: str, a: int, b: int) -> Paragraph:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Paragraph(a, b)
