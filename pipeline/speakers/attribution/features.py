"""Candidate speakers for each quotation, and the named features a ranker scores them by.

The candidates of a line are the people the sieves would give it (each sieve asked on its own), the
speakers of the lines around it, the people the last line addressed or was said to, the first-person
narrator, and the people its own and the previous paragraph's narration names. Each candidate gets
one row of `FEATURES`: which sieves propose them, which rule decided the line, how the exchange runs
around it, where the narration mentions them, and how often they speak in the book.

A row can hide the line's own paragraph (its tag, its action beat, the names in its narration): the
silver training data is the lines with an explicit tag, seen as if the tag were not there.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass

from pipeline.model import GROUP
from pipeline.speakers.attribution.beats import Beat
from pipeline.speakers.attribution.confidence import calibrated
from pipeline.speakers.attribution.rules import Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.sieves import CONTEXT, Sieve, through
from pipeline.speakers.attribution.turns import (
    AddresseeVeto,
    LatestMentioned,
    NextLines,
    NextParagraph,
    PreviousParagraph,
    SaidTo,
    TurnTaking,
    Vocative,
)
from pipeline.speakers.narrators import first_person_at

_TAG_RULES = (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE, Rule.PRONOUN_TAG, Rule.GROUP_TAG)
_RULES = tuple(r for r in Rule if r not in (Rule.PIN, Rule.RANKER))
#: The sieves asked on their own for every line (the tag and the pin are read from the decision).
_PROPOSERS: dict[str, Sieve] = {
    "by_beat": Beat(),
    "by_prev_para": PreviousParagraph(),
    "by_vocative": Vocative(),
    "by_said_to": SaidTo(),
    "by_turn": TurnTaking(),
    "by_next_lines": NextLines(),
    "by_next_para": NextParagraph(),
    "by_latest": LatestMentioned(),
}
_PER_LINE = (
    *(f"rule_{r.value}" for r in _RULES),
    "rule_conf",
    "tag_pronoun",
    "in_run",
    "run_len",
    "n_cands",
    "has_narrator",
    "hidden",
    "gap_paras",
    "recent_speakers",
)
_PER_CANDIDATE = (
    "rule_choice",
    "by_tag",
    *_PROPOSERS,
    "prev1",
    "prev2",
    "prev3",
    "next1",
    "next2",
    "addressed_here",
    "addressed_prev",
    "addressed_next",
    "said_to_prev",
    "is_narrator",
    "is_group",
    "is_unnamed",
    "own_para",
    "own_subject",
    "prev_para",
    "prev_subject",
    "next_para",
    "since_mention",
    "since_spoke",
    "line_share",
    "gender_agrees",
    "said_to_here",
    "addressed_prev2",
    "recent_share",
    "gender_as_prev",
    "mention_rank",
)
#: The ranker's features, in the order of a row.
FEATURES: tuple[str, ...] = (*_PER_LINE, *_PER_CANDIDATE)
_MAX_CANDIDATES = 14
_RECENT = 10  # lines that make "recent" for a candidate's share of the turns
_RANKED = 8  # distinct people ranked by how lately the text mentioned them


@dataclass(frozen=True)
class Candidates:
    """The candidate speakers of one quotation and a feature row for each."""

    qi: int  # the quotation's index
    speakers: tuple[int | str, ...]  # entity indexes (or GROUP)
    rows: tuple[tuple[float, ...], ...]  # one row of FEATURES per speaker


class _Book:
    """What the features of every line share: the decisions, who speaks how often, mentions by entity."""

    def __init__(self, s: Scene, decisions: list[Decision]) -> None:
        self.s = s
        self.decisions = decisions
        counts = Counter(d.speaker for d in decisions if isinstance(d.speaker, int))
        total = max(1, sum(counts.values()))
        self.share = {e: n / total for e, n in counts.items()}
        quotes = s.quotes
        # joined[k]: quotation k + 1 opens the paragraph right after (or the one of) quotation k
        self.joined = [quotes[k + 1].paragraphs[0] <= quotes[k].paragraphs[-1] + 1 for k in range(len(quotes) - 1)]
        self.mentioned_at: dict[int, list[int]] = {}
        # per paragraph, who its narration names (not pronouns) and who is a sentence's subject: one pass
        self.named: dict[int, tuple[Counter[int], set[int]]] = {}
        for m in s.mentions:
            if not isinstance(m.entity, int):
                continue
            self.mentioned_at.setdefault(m.entity, []).append(m.first)
            if m.kind != "pronoun" and not s.tokens[m.first].quote:
                names, subjects = self.named.setdefault(m.para, (Counter(), set()))
                names[m.entity] += 1
                if m.subject:
                    subjects.add(m.entity)

    def paragraph_mentions(self, para: int, hide: bool = False) -> tuple[Counter[int], set[int]]:
        """Who the narration of paragraph ``para`` names (not pronouns), and who is a sentence's subject."""
        if hide:
            return Counter(), set()
        return self.named.get(para, (Counter(), set()))

    def neighbour(self, qi: int, step: int) -> int | str | None:
        """The speaker ``step`` lines away when those lines are one unbroken exchange, else None."""
        k = qi
        for _ in range(abs(step)):
            pair = k if step > 0 else k - 1
            if not 0 <= pair < len(self.joined) or not self.joined[pair]:
                return None
            k += 1 if step > 0 else -1
        return self.decisions[k].speaker

    def run_length(self, qi: int) -> int:
        """How many lines before this one, up to 8, run unbroken into it (each with a speaker)."""
        n = 0
        while n < 8 and qi - n - 1 >= 0 and self.joined[qi - n - 1] and self.decisions[qi - n - 1].speaker is not None:
            n += 1
        return n


def _proposals(s: Scene, qi: int, hide: bool) -> dict[str, int | str | None]:
    out: dict[str, int | str | None] = {}
    for name, sieve in _PROPOSERS.items():
        if hide and name == "by_beat":
            out[name] = None
            continue
        d = sieve(s, qi, None)
        out[name] = d.speaker if d is not None else None
    return out


def _pool(*proposed: int | str | None) -> list[int | str]:
    """The first `_MAX_CANDIDATES` people (or GROUP) of ``proposed``, each once, in order."""
    pool: list[int | str] = []
    for c in proposed:
        if c is not None and c not in pool and (isinstance(c, int) or c == GROUP):
            pool.append(c)
    return pool[:_MAX_CANDIDATES]


def _latest_mentioned(s: Scene, start: int) -> list[int]:
    """The last `_RANKED` distinct people mentioned before token ``start``, latest first."""
    out: list[int] = []
    k = bisect.bisect_left(s.mention_firsts, start) - 1
    while k >= 0 and len(out) < _RANKED and start - s.mentions[k].first < 2000:
        e = s.mentions[k].entity
        if isinstance(e, int) and e not in out:
            out.append(e)
        k -= 1
    return out


def _named_in(c: int | str, names: Counter[int], subjects: set[int]) -> tuple[float, float]:
    if not isinstance(c, int):
        return 0.0, 0.0
    return float(names[c]), float(c in subjects)


@dataclass(frozen=True)
class _Seen:
    """What is read around one line, shared by its candidates' rows."""

    start: int  # the token the line's mentions are counted back from
    spoke: dict[int | str, int]  # how many lines back each of the last 20 lines' speakers last spoke
    proposed: tuple[int | str | None, ...]  # props' values, in the order of `_PROPOSERS`
    props: dict[str, int | str | None]
    around: tuple[int | str | None, ...]
    addressed_prev: set[int]
    addressed_next: set[int]
    said_to_prev: int | None
    said_to_here: int | None
    addressed_prev2: set[int]
    recent: Counter[int | str]  # who spoke the last `_RECENT` lines
    prev_gender: str | None  # the gender of the last line's speaker, when it is a person
    latest: list[int]  # the people mentioned last before the line, latest first
    own: Counter[int]
    own_subj: set[int]
    prev: Counter[int]
    prev_subj: set[int]
    nxt: Counter[int]


def _row(
    s: Scene,
    decisions: list[Decision],
    qi: int,
    d: Decision,
    book: _Book,
    c: int | str,
    tag: bool,
    seen: _Seen,
) -> tuple[float, ...]:
    """The per-candidate part of a row (`_PER_CANDIDATE`)."""
    ent = s.cast.entities[c] if isinstance(c, int) else None
    mentioned = book.mentioned_at.get(c, []) if isinstance(c, int) else []
    k = bisect.bisect_left(mentioned, seen.start) - 1
    since_mention = math.log1p(seen.start - mentioned[k]) if k >= 0 else 12.0
    agrees = (
        d.pronoun and isinstance(d.speaker, int) and ent is not None and ent.gender == s.cast.entities[d.speaker].gender
    )
    return (
        float(c == d.speaker),
        float(tag and c == d.speaker),
        *(float(p == c) for p in seen.proposed),
        *(float(a == c) for a in seen.around),
        float(c in s.vocatives[qi]),
        float(c in seen.addressed_prev),
        float(c in seen.addressed_next),
        float(c == seen.said_to_prev),
        float(c == first_person_at(s.cast, s.quotes[qi].paragraphs[0])),
        float(c == GROUP),
        float(ent is not None and ent.kind == "unnamed"),
        *_named_in(c, seen.own, seen.own_subj),
        *_named_in(c, seen.prev, seen.prev_subj),
        float(seen.nxt[c]) if isinstance(c, int) else 0.0,
        since_mention,
        float(seen.spoke.get(c, 21)),
        book.share.get(c, 0.0) if isinstance(c, int) else 0.0,
        float(agrees),
        float(c == seen.said_to_here),
        float(c in seen.addressed_prev2),
        seen.recent[c] / _RECENT,
        float(ent is not None and ent.gender != "U" and ent.gender == seen.prev_gender),
        float(seen.latest.index(c) + 1 if c in seen.latest else _RANKED + 1),
    )


def _read_around(s: Scene, decisions: list[Decision], qi: int, book: _Book, hide: bool) -> _Seen:
    """What the rows of quotation ``qi`` read around it (its own paragraph left out when ``hide``)."""
    q = s.quotes[qi]
    own, own_subj = book.paragraph_mentions(q.paragraphs[0], hide)
    prev, prev_subj = book.paragraph_mentions(q.paragraphs[0] - 1)
    nxt, _ = book.paragraph_mentions(q.paragraphs[-1] + 1)
    around = tuple(book.neighbour(qi, k) for k in (-1, -2, -3, 1, 2))
    recent: Counter[int | str] = Counter()  # oldest first: ties in most_common() go to the earlier speaker
    for j in range(max(0, qi - _RECENT), qi):
        if (who := decisions[j].speaker) is not None:
            recent[who] += 1
    spoke: dict[int | str, int] = {}
    for j in range(1, min(qi, 20) + 1):
        if (who := decisions[qi - j].speaker) is not None:
            spoke.setdefault(who, j)
    props = _proposals(s, qi, hide)
    prev_speaker = decisions[qi - 1].speaker if qi else None
    # a hidden paragraph's own narration (its tag before the line) must not show in what was mentioned last
    start = bisect.bisect_left(s.starts, s.layout.paragraphs[q.paragraphs[0]][0] if hide else q.parts[0][0])
    return _Seen(
        start=start,
        spoke=spoke,
        proposed=tuple(props[name] for name in _PROPOSERS),
        props=props,
        around=around,
        addressed_prev=s.vocatives[qi - 1] if qi and around[0] is not None else set(),
        addressed_next=s.vocatives[qi + 1] if around[3] is not None else set(),
        said_to_prev=s.said_to[qi - 1] if qi and around[0] is not None else None,
        said_to_here=None if hide else s.said_to[qi],
        addressed_prev2=s.vocatives[qi - 2] if qi > 1 and around[1] is not None else set(),
        recent=recent,
        prev_gender=s.cast.entities[prev_speaker].gender if isinstance(prev_speaker, int) else None,
        latest=_latest_mentioned(s, start),
        own=own,
        own_subj=own_subj,
        prev=prev,
        prev_subj=prev_subj,
        nxt=nxt,
    )


def candidates_of(
    s: Scene, decisions: list[Decision], qi: int, book: _Book, hide: bool = False, alternative: Decision | None = None
) -> Candidates:
    """The candidates of quotation ``qi``; ``hide`` hides its own paragraph, and then ``alternative``
    is the decision the sieves take without it."""
    d = alternative if hide and alternative is not None else decisions[qi]
    q = s.quotes[qi]
    seen = _read_around(s, decisions, qi, book, hide)
    pool = _pool(
        d.speaker,
        *seen.props.values(),
        *seen.around,
        *sorted(seen.addressed_prev),
        seen.said_to_prev,
        first_person_at(s.cast, q.paragraphs[0]),  # the "I" of this line's section
        *seen.own,
        *seen.prev,
        *(who for who, _n in seen.recent.most_common()),
        *seen.latest,
        *seen.nxt,
    )
    tag = d.rule in _TAG_RULES and not hide
    line = [float(d.rule == r) for r in _RULES]
    line += [
        d.confidence,
        float(tag and d.pronoun),
        float(seen.around[0] is not None),
        float(book.run_length(qi)),
        float(len(pool)),
        float(first_person_at(s.cast, q.paragraphs[0]) is not None),
        float(hide),
        math.log1p(q.paragraphs[0] - s.quotes[qi - 1].paragraphs[-1]) if qi else 12.0,
        float(len(seen.recent)),
    ]
    rows = [(*line, *_row(s, decisions, qi, d, book, c, tag, seen)) for c in pool]
    return Candidates(qi, tuple(pool), tuple(rows))


def candidate_table(s: Scene, decisions: list[Decision]) -> list[Candidates]:
    """The candidates and feature rows of every quotation, with the sieves' ``decisions`` as context."""
    book = _Book(s, decisions)
    saved, s.decisions = s.decisions, decisions
    try:
        return [candidates_of(s, decisions, qi, book) for qi in range(len(s.quotes))]
    finally:
        s.decisions = saved


def _without_own_paragraph(s: Scene, qi: int) -> Decision:
    """What the sieves decide for a line when its own paragraph tells nothing (no tag, no beat)."""
    d = through((PreviousParagraph(), AddresseeVeto()), s, qi)
    return calibrated(d if d.speaker is not None else through(CONTEXT, s, qi))


def hidden_table(s: Scene, decisions: list[Decision], exclude: set[int]) -> list[tuple[Candidates, int]]:
    """Silver training lines: each line (outside ``exclude``) an explicit tag gives to a named person,
    its candidates seen with its own paragraph hidden, and that person."""
    book = _Book(s, decisions)
    saved, s.decisions = s.decisions, decisions
    out = []
    try:
        for qi, d in enumerate(decisions):
            tagged = d.rule in (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE) and d.basis == "name"
            if qi in exclude or not tagged or not isinstance(d.speaker, int):
                continue
            cands = candidates_of(s, decisions, qi, book, hide=True, alternative=_without_own_paragraph(s, qi))
            if d.speaker in cands.speakers:
                out.append((cands, d.speaker))
    finally:
        s.decisions = saved
    return out
