"""Who is in a work: names, aliases and gender.

Names are runs of capitalised words, with an optional title ("Mr. Josiah Bell").
A run is kept as a person when something says so: a title, a known first name, a
speech tag, a vocative, or a pronoun that follows it. Short forms are folded into
the full name they belong to ("Stéphane" -> "Stéphane Cara", "Mr. Bell" -> the only
male Bell with that title), but never across titles that exclude each other
("Mrs. Bell" is not "Miss Prudence Bell"). Gender comes from the pronouns that
follow a name, then the title, then a list of first names.

People who are never named ("the porter", "the young woman") are added by the
attribution stage when they speak; see ``Cast.describe``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from pipeline.reading.lexicon import NOT_NAMES, NOUN_GENDER
from pipeline.reading.segment import Layout
from pipeline.reading.titles import is_title_text
from pipeline.speakers.cast import Cast, Entity
from pipeline.speakers.folding import cluster
from pipeline.speakers.nameruns import (
    MONTHS,
    NameRun,
    addressed,
    name_runs,
    pronoun_follows,
    speech_subject,
    vocative,
)
from pipeline.speakers.names import FEMALE_NAMES, MALE_NAMES, name_gender
from pipeline.speakers.nicknames import join_nicknames
from pipeline.speakers.nonpersons import non_persons
from pipeline.speakers.tokens import Token

_NAMING_VERBS = frozenset({"call", "called", "calls", "calling", "named", "christened"})
__all__ = ["Cast", "Entity", "NameRun", "find_cast", "narrator_name", "noun_gender"]


def _not_a_name_here(word: str, lower_vocab: set[str]) -> bool:
    """A capitalised sentence opener that is an ordinary word: "Tell Abel", "Finally Marilla",
    "Resisting Stapleton"."""
    low = word.lower()
    if low in lower_vocab:
        return True
    # "Finally Marilla", "Resisting Stapleton's ...": an adverb or a participle opening the sentence
    return (low.endswith("ly") or low.endswith("ing")) and len(low) > 5 and name_gender(word) == "U"


def find_cast(layout: Layout, tokens: list[Token]) -> tuple[Cast, list[NameRun]]:
    """The named characters of the story, and every name occurrence."""
    runs = _clean_runs(layout, tokens)
    evidence: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    for run in runs:
        key = run.surface.lower()
        first = tokens[run.first]
        if run.title or not first.sent_start or len(run.words) > 1 or name_gender(run.words[0]) != "U":
            mid_sentence.add(key)
        if run.title:
            evidence[key] += 2
        if name_gender(run.words[0]) != "U" and (run.words[0].lower() not in MONTHS or len(run.words) > 1):
            evidence[key] += 2
        if speech_subject(tokens, run):
            evidence[key] += 2
        if first.quote and vocative(tokens, run):
            evidence[key] += 1
        if not first.quote and pronoun_follows(tokens, run.last) != "U":
            evidence[key] += 1

    def is_person(run: NameRun) -> bool:
        key = run.surface.lower()
        if key not in mid_sentence:
            return False
        if evidence[key] >= 2:
            return True
        return len(run.words) > 1 and any(evidence[w.lower()] >= 2 for w in run.words)

    nobody = non_persons(runs, tokens)
    people = [r for r in runs if is_person(r) and r.surface.lower() not in nobody]
    # a single word is a person when it belongs to a longer name that is
    in_full = {w for r in people if len(r.words) > 1 for w in r.words}
    people += [
        r for r in runs if len(r.words) == 1 and not is_person(r) and r.words[0] in in_full
        and r.surface.lower() not in nobody
    ]
    cast = cluster(people, tokens)
    join_nicknames(cast, runs, tokens)
    return cast, runs


def _clean_runs(layout: Layout, tokens: list[Token]) -> list[NameRun]:
    """The name runs outside headings, without initials or an ordinary word in front ("Tell Abel",
    "Poor Clara", "Dearest Margaret": a capitalised word the text also writes in lower case), and
    two first names of either sex seen together once split in two ("Tell Beth Frank asked")."""
    lower_vocab = {t.text for t in tokens if t.text.islower()}
    # given names that are also words ("bill", "rose", "will"), capitalised inside a sentence
    named_mid = Counter(t.low for t in tokens if t.cap and not t.sent_start and t.low in lower_vocab)
    headings = _headings(layout)
    runs = []
    stripped: Counter[str] = Counter()  # runs whose ordinary first word was dropped ("West Egg" -> "Egg")
    tagged: Counter[str] = Counter()
    all_runs = name_runs(tokens)
    juniors = _juniors(all_runs, tokens)
    for run in all_runs:
        if tokens[run.first].para in headings or all(len(w) == 1 for w in run.words):
            continue  # initials: "C.C.H.", "M.R.C.S."
        if _listed_heading(layout.text, tokens[run.first].start) or _contents_entry(layout, tokens[run.first].para):
            continue  # "3.  How Dorothy Saved the Scarecrow" in a table of contents
        lead = run.words[0]
        ordinary = _not_a_name_here(lead, lower_vocab) or bool(re.search(r"-[a-z]", lead))
        ordinary = ordinary and run.words[1:2] != ("of",)  # the "Witch" of "the Witch of the North" is the name
        # ... and so is the "Wicked" of "the Wicked Witch of the West", after "the" inside a sentence
        epithet = run.words[2:3] == ("of",) and run.first > 0 and tokens[run.first - 1].low == "the"
        ordinary = ordinary and not (epithet and not tokens[run.first].sent_start)
        if run.first in juniors:  # "Young Jerry": the son, not his father Jerry
            word = tokens[run.first - 1].text
            run = NameRun(run.first - 1, run.last, None, (word, *run.words), f"{word} {run.surface}")
            lead, ordinary = word, False
        if not run.title and ordinary and (len(run.words) > 1 or tokens[run.first].sent_start):
            if len(run.words) == 1 and not (name_gender(lead) != "U" and named_mid[lead.lower()] >= 2):
                continue  # "Tell", "Finally"; but "Bill said" when the text writes "to Bill" too
            if name_gender(lead) == "U":
                spoke = speech_subject(tokens, run) and not tokens[run.first].quote  # "said Black Dog"
                run = NameRun(run.first + 1, run.last, None, run.words[1:], " ".join(run.words[1:]))
                stripped[run.surface.lower()] += 1
                tagged[run.surface.lower()] += spoke
        runs.append(run)
    seen = Counter(r.surface.lower() for r in runs)
    # a word the text mostly writes after a capitalised common word is the tail of a place's name: the
    # "Egg" of "West Egg" and "East Egg" (a once-met "Tell Abel" or the "Poor" of a "Poor Beth" now and
    # then is not); it is nobody, unless it speaks or is a given name
    tails = {
        k for k, n in stripped.items()
        if n >= 3 and 2 * n >= seen[k] and not tagged[k] and name_gender(k) == "U" and " " not in k
    }
    out = []
    for run in runs:
        a, b = (*run.words, "", "")[:2]
        if run.surface.lower() in tails:
            continue
        if not run.title and len(run.words) == 2 and seen[run.surface.lower()] == 1 and _two_people(a, b):
            out += [NameRun(run.first, run.first, None, (a,), a), NameRun(run.last, run.last, None, (b,), b)]
        else:
            out.append(run)
    return out


def _juniors(runs: list[NameRun], tokens: list[Token]) -> set[int]:
    """The runs that are a son's or a daughter's name of their own, "Young Jerry" beside his father Jerry
    Cruncher: "Young" or "Little" written with a capital inside a sentence three times or more before a
    given name someone else bears in full ("old Hannah", "Old Orlick" are the one person, and stay so)."""
    given = {r.words[0].lower() for r in runs if len(r.words) == 2 and not r.title}

    def lead(r: NameRun) -> str | None:
        before = tokens[r.first - 1] if r.first else None
        if r.title or len(r.words) != 1 or before is None or before.text not in ("Young", "Little"):
            return None
        return None if before.sent_start or r.words[0].lower() not in given else r.words[0].lower()

    heads = Counter(lead(r) for r in runs)
    return {r.first for r in runs if (k := lead(r)) is not None and heads[k] >= 3}


_NUMBERED = re.compile(r"\s*(?:\d+|[IVXLC]+)\.?\s+\S")


def _listed_heading(text: str, pos: int) -> bool:
    """The line at ``pos`` is a numbered entry of a list of chapters: a number, then a title."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    return bool(_NUMBERED.match(line)) and is_title_text(_NUMBERED_PREFIX.sub("", line))


_NUMBERED_PREFIX = re.compile(r"^\s*(?:\d+|[IVXLC]+)\.?\s+")
_CHAPTER_PREFIX = re.compile(r"\s*(?:CHAPTER|Chapter|BOOK|Book|PART|Part)\s+(?:\d+|[IVXLC]+)\.?\s+(?=\S)")
_LONG_WORD = re.compile(r"[^\W\d_][\w'’-]{3,}")


@functools.lru_cache(maxsize=4096)
def _title_cased(entry: str) -> bool:
    """Most words of four letters or more capitalised: a list of a chapter's events, not a sentence."""
    long = _LONG_WORD.findall(entry)
    return len(long) >= 2 and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def _contents_entry(layout: Layout, para: int) -> bool:
    """Paragraph ``para`` is a contents entry: "CHAPTER VI. He Went for Judge Thatcher.--Huck Decided to
    Leave.--Political Economy." (a chapter's number, then its events in Title Case)."""
    a, b = layout.paragraphs[para]
    if b - a > 400:
        return False
    m = _CHAPTER_PREFIX.match(layout.text, a, b)
    return m is not None and _title_cased(layout.text[m.end() : b])


def _two_people(a: str, b: str) -> bool:
    """Two listed first names of different sexes: no one's full name."""
    sexes = {name_gender(w) for w in (a, b) if w.lower() in FEMALE_NAMES | MALE_NAMES}
    return sexes == {"M", "F"}


def narrator_name(
    tokens: list[Token], runs: list[NameRun], spoken_by_narrator: set[int], nearby: bool = False
) -> str | None:
    """The first-person narrator's name: a name others call them by in dialogue that the
    narration never uses (it says "I"). ``spoken_by_narrator`` holds the paragraphs of their lines;
    lines next to one of them count double (the narrator is the one being answered), and with
    ``nearby`` only they count (a book of several writers: the others' names are everywhere)."""
    # a name the narration tags as a speaker belongs to someone else; a name the narration merely
    # mentions ("I called myself Pip") may still be the narrator's if others call them by it more often
    tagged = {
        w.lower()
        for r in runs
        if not tokens[r.first].quote
        and speech_subject(tokens, r)
        and not (r.first and tokens[r.first - 1].low in _NAMING_VERBS)  # "they called me Pip"
        for w in r.words
    }
    in_narration: Counter[str] = Counter(
        t.low for t in tokens if t.cap and not t.quote and not t.sent_start and t.low not in NOT_NAMES
    )
    votes: Counter[str] = Counter()
    longest: dict[str, str] = {}
    for r in runs:
        first = tokens[r.first]
        if not first.quote or first.para in spoken_by_narrator:
            continue
        adjacent = first.para - 1 in spoken_by_narrator or first.para + 1 in spoken_by_narrator
        if nearby and not adjacent:
            continue
        if any(w.lower() in tagged for w in r.words):
            continue
        if not vocative(tokens, r) or not addressed(tokens, r):
            continue
        form = " ".join(r.words)
        key = next((k for k in longest if set(k.split()) & {w.lower() for w in r.words}), form.lower())
        votes[key] += 2 if adjacent else 1
        if len(form) > len(longest.get(key, "")):
            longest[key] = form
    for key in list(votes):
        if sum(in_narration[w] for w in key.split()) >= votes[key]:
            del votes[key]
    if not votes:
        return None
    (key, n), *rest = votes.most_common()
    if rest and rest[0][1] == n:
        return None
    return longest[key]


def _headings(layout: Layout) -> set[int]:
    """Paragraphs that are titles or chapter headings: short, and not ended like a sentence."""
    text = layout.text
    out = set()
    for i, (a, b) in enumerate(layout.paragraphs):
        if b - a <= 80 and text[b - 1] not in ".!?\"”’'—…:;,-":  # "so I said:--" is no heading
            out.add(i)
    return out


def noun_gender(word: str) -> str:
    """The sex a person noun says: "woman", and the "barge-woman" of a compound."""
    return NOUN_GENDER.get(word.lower().rsplit("-", 1)[-1], "U")
