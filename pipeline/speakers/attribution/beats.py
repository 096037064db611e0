"""The action-beat sieve: someone acts in the quotation's own paragraph ("Tom shrugged.").

The nearest clause subject before the quotation, then anyone in that sentence, then the first
sentence after it, then anyone before it; or whose voice, words or cry leads into it.
"""

from __future__ import annotations

import bisect

from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.mentions import Mention

_CLAUSE_OPENERS = frozenset(
    {
        ",",
        ";",
        "—",
        "and",
        "but",
        "then",
        "while",
        "as",
        "when",
        "so",
        "until",
        "after",
        "before",
        "because",
        "though",
        "although",
        "since",
        "once",
        "where",
    }
)
#: Nouns for what someone says, which lead into the words they say ("his reply, "...").
_VOICE_NOUNS = frozenset(
    {"exclamation", "voice", "words", "reply", "answer", "cry", "question", "remark", "whisper", "comment"}
)


class Beat:
    """ "Tom shrugged. "Who knows?"": the person acting in the line's own paragraph speaks it."""

    rules = (Rule.ACTION_BEAT,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None:
            return d
        if qi not in s.beats:  # the ranker asks again for every line: the paragraph has not changed
            s.beats[qi] = _beat(s, s.quotes[qi], s.vocatives[qi])
        return s.beats[qi]


def _voice_of(s: Scene, start: int, vocatives: set[int]) -> Decision | None:
    """ "his exclamation of horror, "Gott in Himmel!"": whose voice, words or cry leads into a part."""
    k = bisect.bisect_left(s.starts, start) - 1
    lo = max(0, k - 6)
    while k >= lo and not s.tokens[k].quote and s.tokens[k].text not in ".!?":
        tok = s.tokens[k]
        if tok.low in _VOICE_NOUNS and k and s.tokens[k - 1].low in ("his", "her"):
            gender = "M" if s.tokens[k - 1].low == "his" else "F"
            who = s.resolver.pronoun(k - 1, gender)
            if who is not None and who not in vocatives:
                return Decision(who, Rule.ACTION_BEAT, CONFIDENCE[Rule.ACTION_BEAT], True, k - 1, "voice")
            return None
        k -= 1
    return None


def _beat(s: Scene, q: Quotation, vocatives: set[int]) -> Decision | None:
    voice = _voice_of(s, q.parts[0][0], vocatives)
    if voice is not None:
        return voice
    a, b = q.parts[0][0], q.parts[-1][1]
    para = q.paragraphs[0]
    pa, pb = s.layout.paragraphs[para]
    before = [m for m in s.mentions_between(pa, a) if m.entity is not None]
    after = [m for m in s.mentions_between(q.parts[0][1], pb) if m.entity is not None and not s.tokens[m.first].quote]
    if q.paragraphs[-1] != para:
        after = [m for m in after if m.first < bisect.bisect_left(s.starts, pb)]
    after = [m for m in after if s.tokens[m.first].start < b or q.paragraphs[-1] == para]
    # the nearest clause subject before the quotation, then the sentence after it
    last = _last_sentence(s, before)
    nearest = [m for m in reversed(last) if _clause_subject(s, m)]
    for group in (nearest, last, _first_sentence(s, after), before):
        for m in group:
            if m.entity not in vocatives and m.kind != "group":
                basis = "pronoun" if m.kind == "pronoun" else "description" if m.kind == "description" else "name"
                return Decision(
                    m.entity, Rule.ACTION_BEAT, CONFIDENCE[Rule.ACTION_BEAT], m.kind == "pronoun", m.first, basis
                )
    return None


def _clause_subject(s: Scene, m: Mention) -> bool:
    """Starts a sentence or a clause ("..., and Lucie orders", "after she left")."""
    if s.tokens[m.first].sent_start or m.first == 0:
        return True
    return s.tokens[m.first - 1].low in _CLAUSE_OPENERS


def _sentence_of(s: Scene, m: Mention) -> int:
    k = m.first
    while k > 0 and not s.tokens[k].sent_start:
        k -= 1
    return k


def _last_sentence(s: Scene, ms: list[Mention]) -> list[Mention]:
    if not ms:
        return []
    last = _sentence_of(s, ms[-1])
    return [m for m in ms if _sentence_of(s, m) == last]


def _first_sentence(s: Scene, ms: list[Mention]) -> list[Mention]:
    if not ms:
        return []
    first = _sentence_of(s, ms[0])
    return [m for m in ms if _sentence_of(s, m) == first]
