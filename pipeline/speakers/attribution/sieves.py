"""The sieves, in order, and the driver that passes every quotation through them.

A sieve is a small rule object over the shared `Scene`: called with a quotation's index and the
decision so far, it returns that decision, a better one, or one of its own where there was none
(`Sieve`). The list is data, read top to bottom, from the most certain rule to the least:

1. ``pin``: the user said so.
2. ``explicit-tag-after`` / ``explicit-tag-before`` / ``pronoun-tag`` / ``group-tag``: a speech verb
   next to the quotation, with its subject ("said Mrs. Bell", "she retorted").
3. ``action-beat``: someone acts in the quotation's own paragraph ("Tom shrugged.").
4. a pronoun's decision refined by the exchange (not the addressee; the other person of its gender).
5. ``previous-paragraph``: a narration paragraph just before sets the speaker up.
6. A person addressed by name in a quotation is never its speaker.

The lines still without a speaker then go, once every line has been through those, through the
context sieves (`CONTEXT`), which may use the speakers decided after them: ``vocative``,
``turn-taking``, ``next-paragraph`` and the ``fallback``. Untagged runs that clash with the tag after
them are re-read backwards (runs.py), and each decision takes its measured confidence.
"""

from __future__ import annotations

from typing import Protocol

from pipeline.speakers.attribution.beats import Beat
from pipeline.speakers.attribution.confidence import calibrated
from pipeline.speakers.attribution.pronouns import LastToAct, NotTheAddressee, PronounInExchange
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.runs import reread_backwards
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.tags import Tag
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


class Sieve(Protocol):
    """One rule: given the decision so far for quotation ``qi`` (None when nothing decided it yet),
    the decision to go on with."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules its decisions carry."""

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None: ...


class Pin:
    """The user's pin (quotation index -> entity) decides the line."""

    rules = (Rule.PIN,)

    def __init__(self, pinned: dict[int, int]) -> None:
        self.pinned = pinned

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is None and qi in self.pinned:
            return Decision(self.pinned[qi], Rule.PIN, CONFIDENCE[Rule.PIN])
        return d


#: Every line, in order, from the most certain rule to the least (after the pins).
SIEVES: tuple[Sieve, ...] = (
    Tag(),
    Beat(),
    NotTheAddressee(),
    LastToAct(),
    PronounInExchange(),
    PreviousParagraph(),
    AddresseeVeto(),
)
#: The lines the sieves left without a speaker, once all lines went through them.
CONTEXT: tuple[Sieve, ...] = (
    PreviousParagraph(outside_exchanges=True),
    Vocative(),
    SaidTo(),
    TurnTaking(),
    PreviousParagraph(),
    NextLines(),
    NextParagraph(),
    LatestMentioned(),
)


def through(sieves: tuple[Sieve, ...], s: Scene, qi: int) -> Decision:
    d: Decision | None = None
    for sieve in sieves:
        d = sieve(s, qi, d)
    return d or Decision(None, Rule.FALLBACK, 0.0)


def decide(s: Scene, pinned: dict[int, int] | None = None) -> list[Decision]:
    """A decision per quotation; ``pinned`` (quotation index -> entity) are the user's pins."""
    first = (Pin(pinned or {}), *SIEVES)
    s.decisions = []
    for qi in range(len(s.quotes)):
        s.decisions.append(through(first, s, qi))
    for qi in range(len(s.quotes)):
        if s.decisions[qi].speaker is None:
            s.decisions[qi] = through(CONTEXT, s, qi)
    return [calibrated(d) for d in reread_backwards(s.quotes, s.decisions)]
