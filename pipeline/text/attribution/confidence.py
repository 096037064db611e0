"""How sure each decision is: the accuracy measured for its rule and case.

A line's confidence is the share of lines decided the same way that were right, measured on
the tuning books of benchmarks/novel_dev/ together with the short-story dev set
(tests/fixtures/attribution-dev/); see MEASURED. A case met fewer than 15 times there takes its
rule's figure.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.text.attribution.conversation import CONFIDENCE, Decision

#: rule/case -> (right, decided) on the tuning set; confidence is right / decided.
MEASURED: dict[str, tuple[int, int]] = {
    "action-beat/description": (12, 23),  # 0.52
    "action-beat/kept-in-focus": (3, 6),  # 0.50
    "action-beat/name": (80, 116),  # 0.69
    "action-beat/other-of-gender": (1, 3),  # 0.33
    "action-beat/pronoun": (36, 66),  # 0.55
    "explicit-tag-after/description": (77, 87),  # 0.89
    "explicit-tag-after/name": (383, 408),  # 0.94
    "explicit-tag-before/description": (2, 2),  # 1.00
    "explicit-tag-before/name": (20, 21),  # 0.95
    "fallback": (1, 9),  # 0.11
    "fallback/recent": (46, 111),  # 0.41
    "group-tag": (14, 16),  # 0.88
    "next-paragraph": (1, 9),  # 0.11
    "previous-paragraph/mention": (6, 8),  # 0.75
    "previous-paragraph/subject": (105, 156),  # 0.67
    "pronoun-tag/first-person": (44, 61),  # 0.72
    "pronoun-tag/kept-in-focus": (3, 6),  # 0.50
    "pronoun-tag/other-of-gender": (0, 2),  # 0.00
    "pronoun-tag/pronoun": (119, 152),  # 0.78
    "turn-taking/after-action": (22, 43),  # 0.51
    "turn-taking/after-explicit": (58, 79),  # 0.73
    "turn-taking/after-fallback": (48, 69),  # 0.70
    "turn-taking/after-group": (0, 1),  # 0.00
    "turn-taking/after-pronoun": (11, 24),  # 0.46
    "turn-taking/after-vocative": (45, 56),  # 0.80
    "turn-taking/chained": (311, 424),  # 0.73
    "turn-taking/next-lines": (4, 6),  # 0.67
    "vocative": (12, 13),  # 0.92
    "vocative/next-line": (4, 4),  # 1.00
    "vocative/opening": (86, 89),  # 0.97
}

_FEWEST = 15


def confidence_of(key: str, rule: str) -> float:
    """The measured accuracy of a rule's case, else of the rule, else its default."""
    for row in (key, rule):
        right, total = MEASURED.get(row, (0, 0))
        if total >= _FEWEST:
            return round(right / total, 2)
    return CONFIDENCE.get(rule, 0.3)


def calibrated(d: Decision) -> Decision:
    if d.speaker is None:
        return replace(d, confidence=0.0)
    return replace(d, confidence=confidence_of(d.key, d.rule))
