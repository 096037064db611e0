"""Numbers as books write them in headings: ``12``, ``XII``, ``twelve``, ``twenty-one``, ``the first``."""

from __future__ import annotations

import re

from pipeline.reading.lexicon import words

_UNITS = words("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
               "sixteen seventeen eighteen nineteen")
_TENS = words("twenty thirty forty fifty sixty seventy eighty ninety")
_ORDINALS = words("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                  "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth")
_WORD = "|".join(sorted([*_UNITS, *_TENS, *_ORDINALS, "last", "final"], key=len, reverse=True))
#: An ordinal in words ("first" ... "twentieth"), as a regular expression.
ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
#: A heading's number, as a regular expression (a canonical value is checked by number_value).
NUM = rf"(?:\d{{1,3}}|[IVXLCDM]+\b|(?:{_WORD})(?:[- ](?:{_WORD}))?)"


def number_value(num: str) -> int | None:
    """``12``, ``XII``, ``twelve``, ``twenty-one``, ``the first`` -> an int (None if it is none)."""
    low = num.lower().strip()
    if low.isdigit():
        return int(low)
    if re.fullmatch(r"[ivxlcdm]+", low):
        return roman_value(low)
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


def roman_value(s: str) -> int | None:
    """``XII`` -> 12 (None when it is not a canonical numeral under 400)."""
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
