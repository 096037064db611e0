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
from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.anchors import ANCHOR_FEATURES, Anchors
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
from pipeline.speakers.cast import Entity
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
    "prev_tag",
    "narration_between",
    "scene_break",
    "asks",
    "after_question",
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
    "pronoun_gender",
    "book_rank",
    "since_narrated",
    "scene_share",
    "since_introduced",  # the log of the tokens since the text first named them (20: not yet, above any book's)
    *ANCHOR_FEATURES,
)
#: The ranker's features, in the order of a row.
FEATURES: tuple[str, ...] = (*_PER_LINE, *_PER_CANDIDATE)
_MAX_CANDIDATES = 16
_RECENT = 10  # lines that make "recent" for a candidate's share of the turns
_SCENE = 40  # lines that make the scene, for a candidate's share of its lines
_RANKED = 8  # distinct people ranked by how lately the text mentioned them
_LEADS = 3  # the book's most frequent speakers, always candidates
_PRONOUN_GENDER = {
    **dict.fromkeys(("he", "him", "his", "himself"), "M"),
    **dict.fromkeys(("she", "her", "hers", "herself"), "F"),
}


@dataclass(frozen=True)
class Candidates:
    """The candidate speakers of one quotation and a feature row for each."""

    qi: int  # the quotation's index
    speakers: tuple[int | str, ...]  # entity indexes (or GROUP)
    rows: tuple[tuple[float, ...], ...]  # one row of FEATURES per speaker


#: A paragraph whose narration names no one (shared, read only: not a new pair for each of three asks a line).
_NO_ONE: tuple[Counter[int], set[int]] = (Counter(), set())


class _Book:
    """What the features of every line share: the decisions, who speaks how often, mentions by entity."""

    def __init__(self, s: Scene, decisions: list[Decision]) -> None:
        self.s = s
        self.decisions = decisions
        counts = Counter(d.speaker for d in decisions if isinstance(d.speaker, int))
        total = max(1, sum(counts.values()))
        self.share = {e: n / total for e, n in counts.items()}
        self.leads = [e for e, _n in counts.most_common(_LEADS)]  # the book's most frequent speakers
        self.rank = {e: k + 1 for k, (e, _n) in enumerate(counts.most_common())}  # 1: the most lines
        # breaks[p]: section breaks ("* * *", a heading with no lower-case letter) among paragraphs before p
        self.breaks = [0]
        for a, b in s.layout.paragraphs:
            chunk = s.layout.text[a:b]
            self.breaks.append(self.breaks[-1] + (not any(ch.islower() for ch in chunk)))
        quotes = s.quotes
        # joined[k]: quotation k + 1 opens the paragraph right after (or the one of) quotation k
        self.joined = [quotes[k + 1].paragraphs[0] <= quotes[k].paragraphs[-1] + 1 for k in range(len(quotes) - 1)]
        self.mentioned_at: dict[int, list[int]] = {}
        self.narrated_at: dict[int, list[int]] = {}  # mentions in the narration only: who is in the scene
        # per paragraph, who its narration names (not pronouns) and who is a sentence's subject: one pass
        self.named: dict[int, tuple[Counter[int], set[int]]] = {}
        for m in s.mentions:
            if not isinstance(m.entity, int):
                continue
            self.mentioned_at.setdefault(m.entity, []).append(m.first)
            if not s.tokens[m.first].quote:
                self.narrated_at.setdefault(m.entity, []).append(m.first)
            if m.kind != "pronoun" and not s.tokens[m.first].quote:
                names, subjects = self.named.setdefault(m.para, (Counter(), set()))
                names[m.entity] += 1
                if m.subject:
                    subjects.add(m.entity)
        self.anchors = Anchors(s, decisions, self.joined)

    def paragraph_mentions(self, para: int, hide: bool = False) -> tuple[Counter[int], set[int]]:
        """Who the narration of paragraph ``para`` names (not pronouns), and who is a sentence's subject."""
        if hide:
            return _NO_ONE
        return self.named.get(para, _NO_ONE)

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


@dataclass(slots=True)  # not frozen: made for every line, and a frozen one sets each field the slow way
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
    scene: Counter[int | str]  # who spoke the last `_SCENE` lines
    prev_gender: str | None  # the gender of the last line's speaker, when it is a person
    latest: list[int]  # the people mentioned last before the line, latest first
    pronoun_gender: str | None  # the gender of the pronoun that decided the line ("she said"), if one did
    speaker_gender: str | None  # the gender of the person the sieves gave the line to
    addressed_here: set[int]  # who the line addresses by name
    own: Counter[int]
    own_subj: set[int]
    prev: Counter[int]
    prev_subj: set[int]
    nxt: Counter[int]
    narrator: int | None  # the "I" of the line's own section
    anchors: dict[int, list[float]]  # per person the exchange's tags and vocatives anchor, by parity (anchors.py)


#: Columns of `_PER_CANDIDATE` that are 1 for the candidate a single value of the line names.
_ONE_OF = {name: _PER_CANDIDATE.index(name) for name in ("rule_choice", "by_tag", "said_to_prev", "is_narrator",
                                                          "is_group", "said_to_here")}
_AT = {name: _PER_CANDIDATE.index(name) for name in _PER_CANDIDATE}
_PROPOSED = _PER_CANDIDATE.index(next(iter(_PROPOSERS)))  # the first of the proposers' columns
_AROUND = _PER_CANDIDATE.index("prev1")  # the first of prev1, prev2, prev3, next1, next2
_ANCHORED = _PER_CANDIDATE.index(ANCHOR_FEATURES[0])


def _rows(s: Scene, d: Decision, book: _Book, pool: list[int | str], tag: bool, seen: _Seen) -> list[tuple[float, ...]]:
    """The per-candidate part of the rows (`_PER_CANDIDATE`) of a line's candidates ``pool``, filled column by
    column: what names one person (a proposer, a neighbour, an addressee) marks that person's row alone."""
    n = len(pool)
    at = {c: i for i, c in enumerate(pool)}
    cols = [[0.0] * n for _ in _PER_CANDIDATE]

    def mark(col: int, who: object, value: float = 1.0) -> None:
        i = at.get(who)  # type: ignore[call-overload]
        if i is not None:
            cols[col][i] = value

    mark(_ONE_OF["rule_choice"], d.speaker)
    if tag:
        mark(_ONE_OF["by_tag"], d.speaker)
    # mark() written out in the loops, which make most of the calls
    for first, named in ((_PROPOSED, seen.proposed), (_AROUND, seen.around)):
        for j, one in enumerate(named):
            if one is not None and (i := at.get(one)) is not None:
                cols[first + j][i] = 1.0
    for name, people in (("addressed_here", seen.addressed_here), ("addressed_prev", seen.addressed_prev),
                         ("addressed_next", seen.addressed_next), ("own_subject", seen.own_subj),
                         ("prev_subject", seen.prev_subj), ("addressed_prev2", seen.addressed_prev2)):
        col = cols[_AT[name]]
        for e in people:
            if (i := at.get(e)) is not None:
                col[i] = 1.0
    mark(_ONE_OF["said_to_prev"], seen.said_to_prev)
    mark(_ONE_OF["is_narrator"], seen.narrator)
    mark(_ONE_OF["is_group"], GROUP)
    mark(_ONE_OF["said_to_here"], seen.said_to_here)
    for name, counts, per in (("own_para", seen.own, 1), ("prev_para", seen.prev, 1), ("next_para", seen.nxt, 1),
                              ("recent_share", seen.recent, _RECENT), ("scene_share", seen.scene, _SCENE)):
        col = cols[_AT[name]]
        for who, k in counts.items():
            if (i := at.get(who)) is not None:
                col[i] = k / per
    cols[_AT["mention_rank"]] = [float(_RANKED + 1)] * n
    ranked = cols[_AT["mention_rank"]]
    for k, who in enumerate(seen.latest):
        if (i := at.get(who)) is not None:
            ranked[i] = float(k + 1)
    for who, values in seen.anchors.items():
        if (i := at.get(who)) is not None:
            for j, v in enumerate(values):
                cols[_ANCHORED + j][i] = v
    _person_columns(s, d, book, pool, seen, cols)
    return list(zip(*cols, strict=True))


def _person_columns(s: Scene, d: Decision, book: _Book, pool: list[int | str], seen: _Seen,
                    cols: list[list[float]]) -> None:
    """The columns each candidate fills from who they are: how lately they spoke, were mentioned, were named
    in the narration and first named; their share and rank of the book's lines; their name and gender."""
    since_mention, spoke, share, rank = (cols[_AT[name]] for name in ("since_mention", "since_spoke", "line_share",
                                                                      "book_rank"))
    unnamed, agrees, as_prev, pronoun = (cols[_AT[name]] for name in ("is_unnamed", "gender_agrees", "gender_as_prev",
                                                                      "pronoun_gender"))
    narrated, introduced = cols[_AT["since_narrated"]], cols[_AT["since_introduced"]]
    for i, c in enumerate(pool):
        spoke[i] = float(seen.spoke.get(c, 21))
        if not isinstance(c, int):
            since_mention[i], rank[i], narrated[i], introduced[i] = 12.0, 99.0, 12.0, 20.0
            continue
        ent = s.cast.entities[c]
        mentioned = book.mentioned_at.get(c, ())
        since_mention[i] = _since(mentioned, seen.start)
        narrated[i] = _since(book.narrated_at.get(c, ()), seen.start)
        introduced[i] = math.log1p(seen.start - mentioned[0]) if mentioned and mentioned[0] < seen.start else 20.0
        share[i] = book.share.get(c, 0.0)
        rank[i] = float(book.rank.get(c, 99))
        unnamed[i] = float(ent.kind == "unnamed")
        agrees[i] = float(d.pronoun and ent.gender == seen.speaker_gender)
        as_prev[i] = float(ent.gender != "U" and ent.gender == seen.prev_gender)
        pronoun[i] = _gender_match(ent, seen.pronoun_gender)


def _since(at: list[int] | tuple[()], start: int) -> float:
    """The log of the tokens from the last of ``at`` before ``start`` to it (12 when none is)."""
    k = bisect.bisect_left(at, start) - 1
    return math.log1p(start - at[k]) if k >= 0 else 12.0


def _gender_match(ent: Entity | None, gender: str | None) -> float:
    """1 when the candidate is of the pronoun's gender, -1 when of the other, 0 when either is unknown."""
    if ent is None or gender is None or ent.gender not in ("M", "F"):
        return 0.0
    return 1.0 if ent.gender == gender else -1.0


def _read_around(s: Scene, decisions: list[Decision], qi: int, book: _Book, hide: bool, d: Decision) -> _Seen:
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
        narrator=first_person_at(s.cast, q.paragraphs[0]),
        anchors=book.anchors.of(qi),
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
        scene=Counter(who for e in decisions[max(0, qi - _SCENE) : qi] if (who := e.speaker) is not None),
        prev_gender=s.cast.entities[prev_speaker].gender if isinstance(prev_speaker, int) else None,
        latest=_latest_mentioned(s, start),
        pronoun_gender=_PRONOUN_GENDER.get(s.tokens[d.at].low) if d.pronoun and d.at >= 0 else None,
        speaker_gender=s.cast.entities[d.speaker].gender if isinstance(d.speaker, int) else None,
        addressed_here=s.vocatives[qi],
        own=own,
        own_subj=own_subj,
        prev=prev,
        prev_subj=prev_subj,
        nxt=nxt,
    )


def _since_last_line(s: Scene, decisions: list[Decision], qi: int, book: _Book) -> tuple[float, float, float]:
    """How the line before was tagged (2 a name, 1 a pronoun, 0 no tag), how much narration stands between
    it and this line (log of words), and whether a section break does."""
    if not qi:
        return 0.0, 12.0, 1.0
    prev, q = s.quotes[qi - 1], s.quotes[qi]
    rule = decisions[qi - 1].rule
    tag = 2.0 if rule in (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE) else float(rule == Rule.PRONOUN_TAG)
    a, b = bisect.bisect_left(s.starts, prev.parts[-1][1]), bisect.bisect_left(s.starts, q.parts[0][0])
    words = sum(1 for t in s.tokens[a:b] if t.text[0].isalnum()) if b - a < 400 else b - a
    broken = book.breaks[q.paragraphs[0]] - book.breaks[prev.paragraphs[-1] + 1] > 0
    return tag, math.log1p(words), float(broken)


def _asks(s: Scene, q: Quotation) -> bool:
    """The quotation ends with a question."""
    a, b = q.parts[-1]
    return s.layout.text[a:b].rstrip(" \n'\"’”_-—").endswith("?")


def candidates_of(
    s: Scene, decisions: list[Decision], qi: int, book: _Book, hide: bool = False, alternative: Decision | None = None
) -> Candidates:
    """The candidates of quotation ``qi``; ``hide`` hides its own paragraph, and then ``alternative``
    is the decision the sieves take without it."""
    d = alternative if hide and alternative is not None else decisions[qi]
    q = s.quotes[qi]
    seen = _read_around(s, decisions, qi, book, hide, d)
    pool = _pool(
        d.speaker,
        *seen.props.values(),
        *seen.around,
        *sorted(seen.addressed_prev),
        seen.said_to_prev,
        seen.narrator,  # the "I" of this line's section
        *seen.own,
        *seen.prev,
        *(who for who, _n in seen.recent.most_common()),
        *seen.latest,
        *seen.nxt,
        *seen.anchors,
        *book.leads,
    )
    tag = d.rule in _TAG_RULES and not hide
    line = [float(d.rule == r) for r in _RULES]
    line += [
        d.confidence,
        float(tag and d.pronoun),
        float(seen.around[0] is not None),
        float(book.run_length(qi)),
        float(len(pool)),
        float(seen.narrator is not None),
        float(hide),
        math.log1p(q.paragraphs[0] - s.quotes[qi - 1].paragraphs[-1]) if qi else 12.0,
        float(len(seen.recent)),
        *_since_last_line(s, decisions, qi, book),
        float(_asks(s, q)),
        float(bool(qi) and seen.around[0] is not None and _asks(s, s.quotes[qi - 1])),
    ]
    head = tuple(line)
    rows = [head + r for r in _rows(s, d, book, pool, tag, seen)]
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
