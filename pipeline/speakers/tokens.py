"""The text as tokens: words and marks with their paragraph, sentence start and whether they are quoted.

Every stage of attribution (the cast, mentions, the sieves) reads the same token list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.reading.lexicon import ABBREVIATIONS
from pipeline.reading.segment import Layout

# words are letters and digits: the underscores of _italics_ ("Mina Murray_.") are marks, not letters
_TOKEN = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*|[^\w\s]|_")
_OPEN_MARKS = "“‘\"'„«"
_CLOSE_MARKS = "”’\"'»"


@dataclass(slots=True)
class Token:
    """A word or punctuation mark of the text."""

    start: int
    end: int
    text: str
    low: str  # lower case, possessive 's removed
    cap: bool  # starts with a capital letter
    poss: bool  # ended in 's
    quote: bool  # inside a dialogue part
    para: int
    sent_start: bool = False
    spaced: bool = False  # one space or one line break (LF or CRLF) before it: the next word of a phrase


def tokenize(layout: Layout) -> list[Token]:
    """Tokens of the whole text with paragraph, sentence-start and in-quote flags."""
    text = layout.text
    end = len(text) + 1
    parts = sorted(p for q in layout.quotations for p in q.parts)
    parts.append((end, end))
    paras = [a for a, _ in layout.paragraphs] + [end, end]
    tokens: list[Token] = []
    append = tokens.append
    prev_para = -1
    boundary = True
    k = 0  # the next (or current) dialogue part
    part_start, part_end = parts[0]
    para = 0
    next_para = paras[1]
    prev_low = ""
    prev_end = -2
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        word = text[s:e]
        while part_end <= s:
            k += 1
            part_start, part_end = parts[k]
        while next_para <= s:
            para += 1
            next_para = paras[para + 1]
        if para != prev_para:
            boundary, prev_para = True, para
            if len(word) > 1 and word.isupper() and text[e : e + 1] == " " and text[e + 1 : e + 2].islower():
                word = word[0] + word[1:].lower()  # a chapter's opening word in capitals: "MARILLA came"
        low = word.lower()
        poss = False
        if "'" in low or "’" in low:
            if len(low) > 2 and low[-2:] in ("'s", "’s"):
                low, poss = low[:-2], True
            elif len(low) > 2 and low[-2:] in ("s'", "s’"):
                low = low[:-1]
        first = word[0]
        tok = Token(s, e, word, low, first.isupper(), poss, part_start <= s, para)
        gap = s - prev_end
        tok.spaced = gap == 1 or (gap == 2 and text[prev_end:s] == "\r\n")
        prev_end = e
        if first.isalnum():
            tok.sent_start = boundary
            boundary = False
        elif first in ".!?…":
            if not (first == "." and prev_low in ABBREVIATIONS):
                boundary = True
        elif first in _OPEN_MARKS and not part_start <= s:
            boundary = True
        prev_low = low
        append(tok)
    return tokens
