"""Titles as books write them, and as we show them: a heading's title in capitals put in title
case, and what looks like a title line rather than a sentence."""

from __future__ import annotations

import re

from pipeline.reading.lexicon import words
from pipeline.reading.numerals import roman_value

#: Words a title leaves in lower case after its first.
SMALL_WORDS = frozenset(words("a an and as at but by for from in into of on or the to with"))
_SMALL = SMALL_WORDS


def tidy(title: str) -> str:
    """A heading as people write it: ALL CAPS in title case, trailing dots and dashes dropped."""
    title = re.sub(r"\s*--\s*", " — ", re.sub(r"\s+", " ", title)).replace("_", "").strip("* ")
    title = re.sub(r"[\s.,;:\u2014\u2013-]+$", "", title)
    title = title[:1].upper() + title[1:]
    if any(c.isalpha() for c in title) and title == title.upper():
        words = title.lower().split(" ")
        title = " ".join(_title_word(i, w) for i, w in enumerate(words))
    return title


def _title_word(i: int, w: str) -> str:
    if roman_value(w.rstrip(".")) is not None or re.fullmatch(r"[a-z](?:\.[a-z])+\.?", w):
        return w.upper()  # "XII", "D.D."
    return w if i and w in _SMALL else _cap(w)


def _cap(word: str) -> str:
    """Capitalise each part between hyphens and dashes at its first letter (after any opening quote mark)."""
    return "".join(re.sub(r"^\W*[^\W\d_]", lambda m: m.group().upper(), p, count=1)
                   for p in re.split(r"([-\u2014])", word))


#: Quotation marks that open a title and the marks that may close it.
_QUOTES = {"\"": "\"", "'": "'", "“": "”", "‘": "’"}


def unquoted(s: str) -> str:
    """A title wholly in quotation marks without them ("“I AM COLIN”" -> "I AM COLIN"), else as it is."""
    s = s.strip()
    close = _QUOTES.get(s[:1])
    inner = s[1:].rstrip(".")
    if close and len(inner) > 1 and inner.endswith(close):
        return inner[:-1].strip()
    return s


def is_title_text(s: str, limit: int = 90, quoted: bool = False) -> bool:
    """A title line: short, not a sentence, Title Case or ALL CAPS (``quoted``: or one of
    those wholly in quotation marks); not an epigraph's attribution ("—Job", "-- BYRON.")."""
    s = s.strip().strip("_*")
    if quoted:
        s = unquoted(s)
    if not s or len(s) > limit or s[0] in "\"'“‘([-\u2013\u2014" or s[-1] in ",;" or s.endswith(("!", "?\"", "?”")):
        return False
    if s.endswith(".") and not s.isupper() and len(s.split()) > 6:
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", s)]
    if not words:
        return False
    caps = [w for w in words if w[0].isupper()]
    big = [w for w in words if w.lower() not in _SMALL]
    return words[0][0].isupper() and len(caps) >= max(1, 0.6 * len(big))
