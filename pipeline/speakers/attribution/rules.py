"""What decides a line: the rules (an enum), their default confidence, and a decision."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """The rule that decided a quotation's speaker; its value is what `script --json` shows."""

    PIN = "pin"
    EXPLICIT_TAG_AFTER = "explicit-tag-after"
    EXPLICIT_TAG_BEFORE = "explicit-tag-before"
    PRONOUN_TAG = "pronoun-tag"
    GROUP_TAG = "group-tag"
    ACTION_BEAT = "action-beat"
    PREVIOUS_PARAGRAPH = "previous-paragraph"
    VOCATIVE = "vocative"
    TURN_TAKING = "turn-taking"
    NEXT_PARAGRAPH = "next-paragraph"
    FALLBACK = "fallback"
    RANKER = "ranker"


#: A rule's confidence before calibration (confidence.py measures the real figures).
CONFIDENCE: dict[Rule, float] = {
    Rule.PIN: 1.0,
    Rule.EXPLICIT_TAG_AFTER: 0.95,
    Rule.EXPLICIT_TAG_BEFORE: 0.9,
    Rule.PRONOUN_TAG: 0.85,
    Rule.GROUP_TAG: 0.85,
    Rule.ACTION_BEAT: 0.75,
    Rule.PREVIOUS_PARAGRAPH: 0.6,
    Rule.VOCATIVE: 0.65,
    Rule.TURN_TAKING: 0.6,
    Rule.NEXT_PARAGRAPH: 0.4,
    Rule.FALLBACK: 0.3,
}


@dataclass
class Decision:
    """The speaker chosen for one quotation, and why."""

    speaker: int | str | None  # entity index, GROUP, or None when nothing fits
    rule: Rule
    confidence: float
    pronoun: bool = False  # decided by a pronoun ("he said", "She shrugged.")
    at: int = -1  # the token of that pronoun
    basis: str = ""  # which case of the rule decided it, for the calibration table ("name", "after-tag")

    @property
    def key(self) -> str:
        """The row of the calibration table this decision is measured in."""
        return f"{self.rule}/{self.basis}" if self.basis else str(self.rule)
