"""The tag sieve: a speech verb next to the quotation, with its subject.

"said Mrs. Bell", "she retorted", "Mrs. Bell whispered back, ...", "all the ducks shouted": the subject
of the first speech verb after a part, else of the last one before the quotation (or before the line
that leads into it with a colon).
"""

from __future__ import annotations

import bisect

from pipeline.model import GROUP
from pipeline.reading.lexicon import GROUP_WORDS, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.mentions import Mention

_ADVERBS = frozenset(
    {
        "then",
        "back",
        "again",
        "now",
        "at",
        "last",
        "once",
        "only",
        "just",
        "still",
        "too",
        "also",
        "finally",
        "suddenly",
        "quietly",
        "out",
        "up",
        "in",
        "on",
    }
)


class Tag:
    """ "said Mrs. Bell", "she retorted": the tag's subject speaks (a name, a description, a pronoun, a group)."""

    rules = (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE, Rule.PRONOUN_TAG, Rule.GROUP_TAG)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        return d if d is not None else _tagged(s, s.quotes[qi])


def _tagged(s: Scene, q: Quotation) -> Decision | None:
    for i, (_a, b) in enumerate(q.parts):
        after = s.after(b)
        open_ended = bool(after) and s.tokens[after[-1]].text not in ".!?;"
        if i == len(q.parts) - 1 and open_ended and s.leads_on(q.paragraphs[-1]):
            break  # '... hearty?" I saw an opening, so I said:--' introduces the next paragraph's line
        found = _tag_in(s, after, first=True)
        if found:
            return _decide_tag(s, found, "after")
    a = q.parts[0][0]
    found = _tag_in(s, s.before(a), first=False)
    if found:
        return _decide_tag(s, found, "before")
    para = q.paragraphs[0]
    if para and para - 1 in s.quoted_paras and s.leads_on(para - 1):
        found = _tag_in(s, s.before(s.layout.paragraphs[para - 1][1]), first=False)
        if found:
            return _decide_tag(s, found, "before")
    return None


def _tag_in(s: Scene, idx: list[int], first: bool) -> Mention | None:
    """The subject of the first (or last) speech verb among the tokens ``idx``."""
    lows = [s.tokens[i].low for i in idx]
    order = range(len(idx)) if first else range(len(idx) - 1, -1, -1)
    for p in order:
        if lows[p] in WEAK_SPEECH_VERBS or not speech_verb_at(lows, p):
            continue
        if s.tokens[idx[p]].quote or (s.tokens[idx[p]].cap and p == 0 and not first):
            continue
        span = speech_verb_at(lows, p)
        v, v_end = idx[p], idx[p + span - 1]
        inverted = _inverted_subject(s, v_end)
        if inverted is None and any(
            t.low in GROUP_WORDS and t.low != "together" for t in s.tokens[v_end + 1 : v_end + 4]
        ):
            inverted = Mention(v_end + 1, v_end + 1, "group", None, True, s.tokens[v].para)
        before = _mention_ending_before(s, v, idx)
        if before is not None:
            return before
        if inverted is not None:
            return inverted
    return None


#: Words a tag's subject never stands behind: "said that Tom ...", "said to Tom", "said nothing".
_NOT_MODIFIERS = frozenset(
    {"that", "to", "with", "as", "in", "at", "on", "of", "for", "and", "but", "so", "nothing", "something", "it",
     "this", "him", "her", "them", "me", "us", "you", "not", "what", "how", "if", "when", "while", "who", "which",
     "by", "from"}
)


def _inverted_subject(s: Scene, v_end: int) -> Mention | None:
    """The subject right after a speech verb ("said Tom"), also behind up to three modifiers the
    cast's mention leaves out: "said the Witch", "said poor Miss Matty", "asked the brisk Young Jerry"."""
    for k in range(v_end + 1, min(len(s.tokens), v_end + 5)):
        m = s.by_first.get(k)
        if m is not None:
            return m
        t = s.tokens[k]
        if not t.text.isalpha() or t.low in _NOT_MODIFIERS or t.quote or t.para != s.tokens[v_end].para:
            return None
    return None


def _mention_ending_before(s: Scene, v: int, idx: list[int]) -> Mention | None:
    k = v - 1
    lo = idx[0]
    while k >= lo and (s.tokens[k].low.endswith("ly") or s.tokens[k].low in _ADVERBS):
        k -= 1
    if k < lo:
        return None
    m = s.by_last.get(k)
    if m is not None and m.first >= lo:
        return m
    if s.tokens[k].low in ("who", "and"):
        return _clause_subject(s, k, lo)
    # "the man from Flat 9 said": a description whose phrase ends before the verb
    pos = bisect.bisect_right(s.mention_firsts, k) - 1
    if pos >= 0:
        m = s.mentions[pos]
        if m.first >= lo and m.last <= k and k - m.last <= 4 and m.kind == "description":
            return m
    # "all the ducks shouted", "they all said"
    if s.tokens[k].low in GROUP_WORDS:
        return Mention(k, k, "group", None, True, s.tokens[k].para)
    return None


def _clause_subject(s: Scene, k: int, lo: int) -> Mention | None:
    """The speaker of a verb after "who" or "and": "a stately old gentleman, who said", "Miss Jenkyns
    shook her head ... and then sighed out", "Joe backed up against a wall, and said to me"."""
    if s.tokens[k].low == "who":
        m = s.by_last.get(k - 2) if k - 2 >= lo and s.tokens[k - 1].text == "," else s.by_last.get(k - 1)
        return m if m is not None and m.first >= lo and m.kind != "group" else None
    start = k
    while start > lo and not s.tokens[start].sent_start:
        start -= 1
    subjects = [m for m in s.mentions_between(s.tokens[start].start, s.tokens[k].start) if m.subject]
    if len(subjects) != 1 or subjects[0].kind == "group" or s.tokens[subjects[0].first].quote:
        return None
    return subjects[0]


def _decide_tag(s: Scene, m: Mention, where: str) -> Decision | None:
    follow = [t.low for t in s.tokens[m.last + 1 : m.last + 4]]
    if m.kind == "name" and follow[:1] == ["and"] and s.by_first.get(m.last + 2) is not None:
        m = Mention(m.first, m.last, "group", None, True, m.para)  # "Mrs. Ridley and Freddie"
    if m.kind == "group":
        return Decision(GROUP, Rule.GROUP_TAG, CONFIDENCE[Rule.GROUP_TAG])
    if m.entity is None:
        return None
    if m.kind in ("pronoun", "narrator"):
        basis = "pronoun" if m.kind == "pronoun" else "first-person"
        return Decision(m.entity, Rule.PRONOUN_TAG, CONFIDENCE[Rule.PRONOUN_TAG], m.kind == "pronoun", m.first, basis)
    ent = s.cast.entities[m.entity]
    if m.kind == "description" and ent.kind == "unnamed" and m.entity not in s.renamed:
        # call an unnamed speaker the way the tag does: "the driver", not "the bus driver"
        words = [t.text for t in s.tokens[m.first : m.last + 1]]
        if words[0].lower() in ("the", "a", "an", "this", "that"):
            ent.name = "the " + " ".join(words[1:])
            s.renamed.add(m.entity)
    rule = Rule.EXPLICIT_TAG_AFTER if where == "after" else Rule.EXPLICIT_TAG_BEFORE
    return Decision(m.entity, rule, CONFIDENCE[rule], basis="description" if ent.kind == "unnamed" else "name")
