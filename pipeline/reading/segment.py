"""Split a text into narration and dialogue segments.

A quotation is found by pairing quotation marks inside a paragraph. The text's
dialogue marks are guessed once (double marks, curly or straight, or British
single marks); marks of the other family inside a quotation are nested quotes and
stay inside it. A quotation left open at the end of a paragraph continues into
the next paragraph when that paragraph opens with a quotation mark (the usual
way to print a long speech); otherwise it ends there, with a warning.

Quoted stretches that are not speech (a sign in capitals, a title, a quoted
word in the middle of a sentence) stay narration. Which parts make one speech act
(one line, one speaker) is `speeches.py`'s to say.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.model import Segment
from pipeline.reading.lexicon import ELISIONS, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.paragraphs import line_number
from pipeline.reading.paragraphs import paragraphs as find_paragraphs
from pipeline.reading.speeches import Part, speeches

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‛"
SINGLE_CLOSE = "’"
#: Characters after which a straight mark opens rather than closes.
_OPEN_CONTEXT = " \t\r\n([{—–-/…"
#: Punctuation that ends speech just before a closing mark.
_END_PUNCT = ".,!?;:—–-…"
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "von",
        "van",
    ]
)


@dataclass(frozen=True)
class Quotation:
    """One speech act: one or more parts (character spans excluding the marks)."""

    quote_id: str
    parts: tuple[tuple[int, int], ...]
    paragraphs: tuple[int, ...]  # index into Layout.paragraphs, one per part


@dataclass(frozen=True)
class Layout:
    """The structure of a text: paragraphs and quotations, in text order."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]  # (start, end) of each paragraph, newlines excluded
    quotations: tuple[Quotation, ...]
    warnings: tuple[str, ...]


def segment(text: str) -> tuple[list[Segment], list[str]]:
    """Tile ``text`` with narration and dialogue segments; return them and any warnings."""
    layout = split(text)
    return segments_of(layout), list(layout.warnings)


def segments_of(layout: Layout) -> list[Segment]:
    """Narration fills the gaps between the parts of the quotations."""
    text = layout.text
    parts = sorted((a, b, q.quote_id) for q in layout.quotations for a, b in q.parts)
    out: list[Segment] = []
    pos = 0
    for a, b, qid in parts:
        if a > pos:
            out.append(Segment("narration", pos, a, text[pos:a]))
        out.append(Segment("dialogue", a, b, text[a:b], quote_id=qid))
        pos = b
    if pos < len(text):
        out.append(Segment("narration", pos, len(text), text[pos:]))
    return out


def split(text: str) -> Layout:
    """Find the paragraphs and quotations of ``text``."""
    paragraphs = [(p.start, p.end) for p in find_paragraphs(text)]
    family = _dialogue_family(text)
    warnings: list[str] = []
    parts: list[Part] = []
    pending: Part | None = None  # a quotation left open at the end of the previous paragraph
    for index, (a, b) in enumerate(paragraphs):
        para_family = family
        if not _has_family(text, a, b, family) and _has_family(text, a, b, _other(family)):
            para_family = _other(family)
        lead = _first_visible(text, a, b)
        starts_open = lead < b and _is_opener(text, lead, a, b, para_family)
        continuing = False
        if pending is not None:
            if starts_open:
                pending.continues = continuing = True
            else:
                warnings.append(_unclosed_warning(text, pending.mark))
            pending = None
        found, left_open = _scan(text, a, b, para_family)
        if continuing:
            for part in [*found, left_open]:
                if part is not None and part.mark == lead:
                    part.continued = True
        for part in found:
            if part.end > part.start:
                part.para = index
                parts.append(part)
        if left_open is not None:
            left_open.para = index
            parts.append(left_open)
            pending = left_open
    if pending is not None:
        warnings.append(_unclosed_warning(text, pending.mark))
    parts = [
        p
        for p in parts
        if p.end > p.start and (p.continued or p.continues or _is_speech(text, p, paragraphs))
    ]
    return Layout(text, tuple(paragraphs), _quotations(text, parts), tuple(warnings))


# --------------------------------------------------------------------------- paragraphs


def _first_visible(text: str, a: int, b: int) -> int:
    while a < b and text[a].isspace():
        a += 1
    return a


# --------------------------------------------------------------------------- marks


def _dialogue_family(text: str) -> str:
    """'double' or 'single': which marks this text uses for dialogue."""
    doubles = sum(text.count(c) for c in DOUBLE_OPEN) + text.count('"') / 2
    singles = len(re.findall(r"(?:^|(?<=[\s(—–-]))[‘'](?=\w)", text))
    singles -= len(re.findall(r"(?:^|(?<=[\s(—–-]))[‘'’](?:" + "|".join(ELISIONS) + r")\b", text, re.I))
    return "single" if singles > doubles else "double"


def _other(family: str) -> str:
    return "single" if family == "double" else "double"


#: The marks that may open or close a part, and those that may open one; found by a regular expression, not by
#: looking at every character of the text in Python (the same marks, a fraction of the time)
_MARKS = re.compile("[“„«”»‘‛’\"']")
_OPENING_MARKS = re.compile("[“„«‘‛\"']")


def _has_family(text: str, a: int, b: int, family: str) -> bool:
    return any(_is_opener(text, m.start(), a, b, family) for m in _OPENING_MARKS.finditer(text, a, b))


def _is_opener(text: str, i: int, a: int, b: int, family: str) -> bool:
    c = text[i]
    prev = text[i - 1] if i > a else " "
    nxt = text[i + 1] if i + 1 < b else " "
    if family == "double":
        if c in DOUBLE_OPEN:
            return True
        return c == '"' and (prev in _OPEN_CONTEXT or prev in "'‘") and not nxt.isspace()
    if c in SINGLE_OPEN:
        return not prev.isalnum()
    if c in "'’":
        if prev.isalnum() or nxt.isspace() or i + 1 >= b:
            return False
        if prev not in _OPEN_CONTEXT and prev not in '"“':
            return False
        if nxt.isdigit():
            return False  # '53
        word = re.match(r"[A-Za-z]+", text[i + 1 : b])
        if word and word.group(0).lower() in ELISIONS:
            return False
        return c == "'"  # a curly ’ before a word is an apostrophe (’tis); ‘ opens
    return False


def _closer_strength(text: str, i: int, a: int, b: int, family: str) -> int:
    """2 for a sure closing mark, 1 for one that may be an apostrophe, 0 for none."""
    c = text[i]
    prev = text[i - 1] if i > a else " "
    nxt = text[i + 1] if i + 1 < b else " "
    if family == "double":
        if c in DOUBLE_CLOSE:
            return 2
        if c == '"':
            return 2 if not prev.isspace() or nxt.isspace() or i + 1 >= b else 1
        return 0
    if c not in "'’":
        return 0
    if prev.isspace() or i == a:
        return 0
    if nxt.isalnum():
        return 0  # don't, o'clock
    if prev in _END_PUNCT or prev in '”"':
        return 2
    return 0 if _dialect_elision(text, i, b) else 1


#: Words dialect cuts short at the end ("I'd ha' thought yo' a knave", "wi' a hammer i' th' road").
_CUT_SHORT = frozenset(["ha", "yo", "wi", "o", "i", "th", "t", "gi", "an", "hev", "fro", "mysel", "nobbut"])


def _dialect_elision(text: str, i: int, b: int) -> bool:
    """An apostrophe that ends a word cut short inside a sentence that goes on: "ha' much",
    "goin' home" (a closing mark after a bare word is followed by its tag, "'Stop' he said")."""
    word = re.search(r"[A-Za-z]+$", text[max(0, i - 12) : i])
    if word is None:
        return False
    w = word.group(0).lower()
    if w not in _CUT_SHORT and not (len(w) >= 5 and w.endswith("in")):
        return False
    rest = text[i + 1 : min(b, i + 4)]
    return bool(re.match(r"[ \t]*\n?[ \t]*[a-z]", rest)) and not _tag_follows(text[i + 1 : min(b, i + 30)])


def _tag_follows(rest: str) -> bool:
    words = re.findall(r"[a-z]+", rest.lower())[:3]
    return any(w not in WEAK_SPEECH_VERBS and speech_verb_at(words, k) for k, w in enumerate(words))


def _scan(text: str, a: int, b: int, family: str) -> tuple[list[Part], Part | None]:
    """Pair the marks of one paragraph; return closed parts and the part left open."""
    found: list[Part] = []
    open_at: int | None = None
    marks = [m.start() for m in _MARKS.finditer(text, a, b)]
    for k, i in enumerate(marks):
        if open_at is None:
            if _is_opener(text, i, a, b, family):
                open_at = i
            continue
        strength = _closer_strength(text, i, a, b, family)
        if strength == 1 and _sure_closer_follows(text, marks[k + 1 :], a, b, family):
            continue  # the Ashleys' garden party: an apostrophe, the real closing mark comes later
        if strength:
            found.append(Part(open_at + 1, i, -1, open_at))
            open_at = None
        elif family == "double" and text[i] in DOUBLE_OPEN:
            # an opening mark while one is open: the first was never closed
            found.append(Part(open_at + 1, _trim_end(text, open_at + 1, i), -1, open_at))
            open_at = i
    if open_at is None:
        return found, None
    return found, Part(open_at + 1, _trim_end(text, open_at + 1, b), -1, open_at)


def _sure_closer_follows(text: str, rest: list[int], a: int, b: int, family: str) -> bool:
    for j in rest:
        if _closer_strength(text, j, a, b, family) == 2:
            return True
        if _is_opener(text, j, a, b, family):
            return False
    return False


def _trim_end(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def _unclosed_warning(text: str, mark: int) -> str:
    line = line_number(text, mark)
    return (
        f"line {line}: opening quotation mark never closed; ended the quotation at the end of its paragraph"
    )


# --------------------------------------------------------------------------- speech or not


def _is_speech(text: str, part: Part, paragraphs: list[tuple[int, int]]) -> bool:
    """False for quoted stretches that are not speech: signs, titles, a quoted word."""
    content = text[part.start : part.end].strip()
    letters = "".join(filter(str.isalpha, content))
    if not letters:
        return False
    if len(letters) >= 4 and all(map(str.isupper, letters)):
        return False  # a sign or a notice: "NO ARRIVALS AFTER MIDNIGHT"
    para_start = paragraphs[part.para][0]
    before = text[para_start : part.mark].rstrip()
    mid_sentence = bool(before) and (before[-1].isalnum() or before[-1] == "’")
    if not mid_sentence:
        return True
    words = content.split()
    if content[0].islower() and len(words) <= 4:
        return False  # a quoted word or phrase: the word "economy"
    if content[-1] in ".!?" or len(words) > 8:
        return True
    return not _title_case(words)


def _title_case(words: list[str]) -> bool:
    core = [w.strip(",;:") for w in words]
    if any("," in w for w in words[:-1]):
        return False
    return all(w[:1].isupper() or w.lower() in _FUNCTION_WORDS or not w[:1].isalpha() for w in core if w)


# --------------------------------------------------------------------------- quotations


def _quotations(text: str, parts: list[Part]) -> tuple[Quotation, ...]:
    """The quotations the parts make (see `speeches`), each with an id from its own words."""
    seen: dict[str, int] = {}
    out = []
    for group in speeches(text, parts):
        key = _normalise(" ".join(text[p.start : p.end] for p in group))
        n = seen.get(key, 0)
        seen[key] = n + 1
        digest = hashlib.sha1(f"{key}\x00{n}".encode() if n else key.encode()).hexdigest()[:8]
        out.append(
            Quotation(f"q-{digest}", tuple((p.start, p.end) for p in group), tuple(p.para for p in group))
        )
    return tuple(out)


def _normalise(s: str) -> str:
    s = (
        unicodedata.normalize("NFC", s)
        .replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
    )
    return " ".join(s.split())


def split_segments(text: str, segments: Sequence[Segment], cuts: Iterable[int]) -> tuple[Segment, ...]:
    """The segments cut at each offset in ``cuts`` (chapter edges), so that none crosses one.

    A piece keeps its segment's kind, speaker and rule; the segments still tile the text.
    """
    marks = sorted(set(cuts))
    out: list[Segment] = []
    for seg in segments:
        inside = [c for c in marks[bisect.bisect_right(marks, seg.start):] if c < seg.end]
        edges = [seg.start, *inside, seg.end]
        for a, b in itertools.pairwise(edges):
            out.append(replace(seg, start=a, end=b, text=text[a:b]))
    return tuple(out)
