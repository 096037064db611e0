"""What the rest of an exchange says about one line's speaker: firm anchors read by the parity of turns.

Two people taking turns speak at even distances from each other. A line an explicit tag gives to
someone ("said Carton") an even number of turns away says that person speaks this line too, an odd
number says they do not; a line that addresses someone by name ("Heaven grant I may, Carton!") says
the opposite, as the person addressed speaks the turns next to it. A turn is a paragraph: quotations
in one paragraph are one turn. The ranker reads the nearest such anchor before and after a line, in
the same unbroken exchange, for each candidate: +1 / (1 + turns) when it says they speak it, minus
that when it says they do not (features.py); pronoun tags ("she said") apart, as softer anchors. A third
person joining breaks the parity: the ranker weighs the anchors with the other readings of the exchange.

And who is physically in the scene: the narration (not the dialogue, which talks of people who are
elsewhere) mentions those present; features.py's `_Book.narrated_at` gives, per person, where it did.
"""

from __future__ import annotations

from pipeline.speakers.attribution.rules import Decision, Rule
from pipeline.speakers.attribution.scene import Scene

_FIRM = (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE)
_REACH = 10  # lines read on each side
#: The anchor features, per candidate, in the order `Anchors.of` returns them.
ANCHOR_FEATURES = ("tag_before", "tag_after", "voc_before", "voc_after", "pronoun_before", "pronoun_after")


class Anchors:
    """Per line: its exchange, its turn (paragraph changes so far) and the firm anchors it carries."""

    def __init__(self, s: Scene, decisions: list[Decision], joined: list[bool]) -> None:
        quotes = s.quotes
        self.run: list[int] = []
        self.turn: list[int] = []
        run = turn = 0
        for k, q in enumerate(quotes):
            if k:
                run += not joined[k - 1]
                turn += q.paragraphs[0] > quotes[k - 1].paragraphs[-1]
            self.run.append(run)
            self.turn.append(turn)
        self.tag = [d.speaker if d.rule in _FIRM and isinstance(d.speaker, int) else None for d in decisions]
        #: the pronoun tags' people ("she said"): softer anchors, as the sieves may read the pronoun wrong
        self.pronoun = [d.speaker if d.rule == Rule.PRONOUN_TAG and isinstance(d.speaker, int) else None
                        for d in decisions]
        self.vocatives = s.vocatives

    def of(self, qi: int) -> dict[int, list[float]]:
        """Per person some other line of the exchange anchors, their `ANCHOR_FEATURES` at line ``qi``
        (the line's own tag and vocatives are features of their own)."""
        out: dict[int, list[float]] = {}
        run, turn = self.run[qi], self.turn[qi]
        for side, step in ((0, -1), (1, 1)):
            j = qi + step
            while 0 <= j < len(self.run) and abs(j - qi) <= _REACH and self.run[j] == run:
                turns = abs(self.turn[j] - turn)
                weight = 1.0 / (1 + turns)
                even = turns % 2 == 0
                for at, who in ((side, self.tag[j]), (4 + side, self.pronoun[j])):
                    if who is not None:
                        row = out.setdefault(who, [0.0] * 6)
                        if not row[at]:
                            row[at] = weight if even else -weight
                for e in self.vocatives[j]:
                    row = out.setdefault(e, [0.0] * 6)
                    if not row[2 + side]:
                        row[2 + side] = -weight if even else weight
                j += step
        return out
