"""Runs of capitalised words that may be names, and what the words around one say about it.

A run is a title and its name ("Mr. Josiah Bell"), or capitalised words alone ("Jo March").
Runs stop where a new name starts: at a title inside them ("told Meg Mr. Brooke's news" holds
"Meg" and "Mr. Brooke"), and a title takes a full stop only when it is an abbreviation ("Yes,
Aunt. Mrs. Chester asked" is no "Aunt Mrs"). The tests here are the evidence the cast is built
from: a speech verb next to the run, a vocative, a pronoun after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.reading.lexicon import ABBREVIATIONS, NOT_NAMES, PERSON_NOUNS, SPEECH_VERBS, TITLES, WEAK_SPEECH_VERBS
from pipeline.speakers.tokens import Token

PARTICLES = frozenset({"de", "du", "van", "von", "der", "den", "le", "la", "di", "da", "del", "d'", "ter"})
MONTHS = frozenset({"april", "may", "june", "august"})  # also first names
# months that are family names after a title or a first name ("Mrs. March", "Jo March")
_MONTH_SURNAMES = frozenset({"march", "april", "may", "june", "august"})


#: Verbs after "said NAME" that make NAME the subject of what was said, not the one who says it.
_REPORTED = frozenset(
    {"was", "were", "is", "are", "had", "has", "would", "could", "will", "should", "might", "must", "did", "does"}
)


def split_name(words: tuple[str, ...]) -> tuple[str | None, str]:
    """(given name, family name) of a name of two words or more: "Jo March" (Jo, March), "van der Berg"
    (None, "van der Berg"), "Pieter van der Berg" (Pieter, "van der Berg"), "Mary Ann Hale" (Mary, Hale)."""
    k = next((i for i, w in enumerate(words[:-1]) if w.lower() in PARTICLES), len(words) - 1)
    return (words[0] if k > 0 else None), " ".join(words[k:])


@dataclass
class NameRun:
    """One occurrence of a name in the text."""

    first: int  # token index of the first token (title included)
    last: int  # token index of the last token
    title: str | None
    words: tuple[str, ...]  # the capitalised words, as written (no title)
    surface: str


def name_runs(tokens: list[Token]) -> list[NameRun]:
    """Every run of capitalised words that could be a name, with its title."""
    runs: list[NameRun] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if not tok.cap:  # neither a title nor a name's word (both are capitalised): most tokens, passed over
            i += 1
            continue
        title, j = _title_at(tokens, i)
        if title is None and not name_word(tok):
            i += 1
            continue
        if title is None and tok.sent_start and tok.low in NOT_NAMES:
            i += 1
            continue
        words = _run_words(tokens, j, title is not None)
        if title is None and len(words) == 1 and tok.low in ABBREVIATIONS:
            words = []  # "Mr" whose name the run could not read is no one's name
        if not words:
            i += 1
            continue
        last = j + len(words) - 1
        if (tail := _of_the(tokens, last)) is not None:  # "the Witch of the North", "the King of Bohemia"
            words, last = words + [tokens[k].text for k in range(last + 1, tail + 1)], tail
        words = [re.sub(r"[’']s$", "", w) for w in words]
        surface = " ".join(words)
        if title:
            surface = tokens[i].text + ("." if tokens[i + 1].text == "." else "") + " " + surface
        runs.append(NameRun(i, last, title, tuple(words), surface))
        i = last + 1
    return runs


# a person's noun that a name of the form "the <noun> of <X>" is built on; not the master or the mistress
# of a house, whom the text also calls by their own names
_OF_HEADS = PERSON_NOUNS - {"master", "mistress", "mister", "madam", "madame", "miss"}


def _of_the(tokens: list[Token], last: int) -> int | None:
    """The last token of an "of" phrase that completes a name ending in a person's noun at ``last``:
    "Witch" + "of the North", "King" + "of Bohemia", "Guardian" + "of the Gates"; None when there is none."""
    n = len(tokens)
    head = tokens[last]
    if head.poss or head.low not in _OF_HEADS or last + 2 >= n or tokens[last + 1].low != "of":
        return None
    k = last + 2 + (tokens[last + 2].low == "the")
    end = None
    while k < n and k <= last + 5 and _capitalised(tokens[k]) and tokens[k].spaced and tokens[k].para == head.para:
        end = k
        if tokens[k].poss:
            break
        k += 1
    if end is None or any(t.quote != head.quote for t in tokens[last : end + 1]):
        return None
    return end


def _capitalised(tok: Token) -> bool:
    """A capitalised word inside a sentence ("North" of "the Witch of the North")."""
    return tok.cap and not tok.sent_start and tok.text.isalpha() and not tok.text.isupper()


def _title_at(tokens: list[Token], i: int) -> tuple[str | None, int]:
    """The title opening a name at token ``i`` and the index of the name's first word."""
    tok, n = tokens[i], len(tokens)
    if tok.low not in TITLES or not tok.cap or tok.poss or (len(tok.text) > 1 and tok.text.isupper()):
        return None, i
    k = i + 1
    if k < n and tokens[k].text == "." and tokens[k].start == tok.end:
        if tok.low not in ABBREVIATIONS:
            return None, i  # "Yes, Aunt. Mrs. Chester ...": the full stop ends a sentence
        k += 1
    if k < n and (name_word(tokens[k]) or (tokens[k].cap and tokens[k].low in _MONTH_SURNAMES)):
        return tok.low, k
    if k < n and _particle_at(tokens, k):
        return tok.low, k  # "Mr. van der Berg", "Madame de Staël"
    return None, i


def _particle_at(tokens: list[Token], k: int) -> bool:
    """Token ``k`` opens a family name's particles ("van der", "de", "von") before a capitalised word."""
    n = len(tokens)
    j = k
    while j < n and j < k + 3 and tokens[j].low in PARTICLES and not tokens[j].quote:
        j += 1
    return k < j < n and name_word(tokens[j]) and tokens[j].spaced


def _run_words(tokens: list[Token], j: int, titled: bool) -> list[str]:
    """The capitalised words of a name from token ``j``, to the first gap, possessive or new title."""
    words: list[str] = []
    n = len(tokens)
    k = j
    while k < n:
        tok = tokens[k]
        if words and tok.low in TITLES and _title_at(tokens, k)[0] is not None:
            break  # "told Meg Mr. Brooke's news": a second name starts
        if words and _initial_at(tokens, k):
            k += 2  # "Julius P. Hersheimmer" is Julius Hersheimmer: the middle initial is no word of the name
            continue
        month = tok.cap and tok.low in _MONTH_SURNAMES and (words or titled) and not tok.text.isupper()
        particle = tok.low in PARTICLES and (bool(words) or titled) and _particle_at(tokens, k)
        if not (name_word(tok) or month or particle):
            break
        words.append(tok.text)
        # a name is one phrase: the next word follows after one space or line break (LF or CRLF alike),
        # in the same paragraph
        if tok.poss or (k + 1 < n and not (tokens[k + 1].spaced and tokens[k + 1].para == tok.para)):
            break
        k += 1
    return words


def _initial_at(tokens: list[Token], k: int) -> bool:
    """Token ``k`` is a middle initial: one capital letter, its full stop, then the name goes on."""
    if k + 2 >= len(tokens) or len(tokens[k].text) != 1 or not tokens[k].text.isupper():
        return False
    stop, after = tokens[k + 1], tokens[k + 2]
    return stop.text == "." and stop.start == tokens[k].end and after.spaced and after.para == stop.para and (
        name_word(after) and len(after.text) > 1
    )


def name_word(tok: Token) -> bool:
    if not tok.cap or not tok.text[0].isalpha():
        return False
    if tok.low in NOT_NAMES and tok.low not in MONTHS:
        return False
    if ("'" in tok.low or "’" in tok.low) and re.split(r"[’']", tok.low)[0] in NOT_NAMES:
        return False  # I'd, Don't, You'll
    return not (len(tok.text) > 1 and tok.text.isupper())


def speech_subject(tokens: list[Token], run: NameRun) -> bool:
    after = tokens[run.last + 1 : run.last + 4]
    before = tokens[max(0, run.first - 2) : run.first]
    if any(t.low in SPEECH_VERBS and t.low not in WEAK_SPEECH_VERBS and not t.quote for t in after[:2]):
        return True
    return bool(
        before
        and before[-1].low in SPEECH_VERBS
        and before[-1].low not in WEAK_SPEECH_VERBS
        and not before[-1].quote
        and not (after and after[0].low in _REPORTED)  # "said Chicago was calling": what was said
    )


def vocative(tokens: list[Token], run: NameRun) -> bool:
    prev = tokens[run.first - 1] if run.first else None
    nxt = tokens[run.last + 1] if run.last + 1 < len(tokens) else None
    before_ok = prev is None or prev.text in ",“‘\"'" or not prev.quote
    after_ok = nxt is None or nxt.text in ",.!?;—" or not nxt.quote
    return before_ok and after_ok


def addressed(tokens: list[Token], run: NameRun) -> bool:
    """Set off by a comma, or a whole short line ("Pip?"): "Yes, Pip," but not "Quick!" alone."""
    prev = tokens[run.first - 1] if run.first else None
    nxt = tokens[run.last + 1] if run.last + 1 < len(tokens) else None
    if (prev is not None and prev.text == ",") or (nxt is not None and nxt.text == ","):
        return True
    return nxt is not None and nxt.text == "?"


def pronoun_follows(tokens: list[Token], last: int) -> str:
    """Gender of the first third-person pronoun in the next few narration words (to the end of
    the next sentence), if no other name comes first."""
    ends = 0
    for tok in tokens[last + 1 : last + 30]:
        if tok.quote:
            return "U"
        if tok.low in ("he", "his", "himself"):
            return "M"
        if tok.low in ("she", "herself"):
            return "F"
        if tok.cap and not tok.sent_start and tok.low not in NOT_NAMES:
            return "U"
        if tok.text in ".!?;":
            ends += 1
            if ends == 2:
                return "U"
    return "U"
