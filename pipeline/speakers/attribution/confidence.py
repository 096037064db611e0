"""How sure each decision is: the accuracy measured for its rule and case.

A line's confidence is the share of lines decided the same way that were right, measured on
the tuning books of benchmarks/novel_dev/ together with the short-story dev set
(tests/fixtures/attribution-dev/); see MEASURED. A case met fewer than 15 times there takes the
figure of all its rule's cases together. Re-measure when the rules change (the figures below were
taken after the last rule change; a script that prints them from the benchmark's per-quote
outcomes is all it takes).
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule

#: rule/case -> (right, decided) on the tuning set; confidence is right / decided.
MEASURED: dict[str, tuple[int, int]] = {
    "action-beat/addressed-before": (1, 2),  # 0.50
    "action-beat/description": (12, 23),  # 0.52
    "action-beat/kept-in-focus": (2, 4),  # 0.50
    "action-beat/name": (82, 114),  # 0.72
    "action-beat/other-of-gender": (1, 3),  # 0.33
    "action-beat/pronoun": (32, 57),  # 0.56
    "explicit-tag-after/description": (76, 86),  # 0.88
    "explicit-tag-after/name": (384, 407),  # 0.94
    "explicit-tag-before/description": (2, 2),  # 1.00
    "explicit-tag-before/name": (24, 26),  # 0.92
    "fallback": (1, 10),  # 0.10
    "fallback/from-the-tag-after": (6, 9),  # 0.67
    "fallback/recent": (37, 93),  # 0.40
    "group-tag": (14, 15),  # 0.93
    "next-paragraph": (1, 9),  # 0.11
    "previous-paragraph/mention": (6, 8),  # 0.75
    "previous-paragraph/subject": (108, 159),  # 0.68
    "pronoun-tag/addressed-before": (5, 8),  # 0.62
    "pronoun-tag/first-person": (51, 59),  # 0.86
    "pronoun-tag/kept-in-focus": (8, 14),  # 0.57
    "pronoun-tag/other-of-gender": (0, 1),  # 0.00
    "pronoun-tag/pronoun": (133, 163),  # 0.82
    "turn-taking/after-action": (22, 34),  # 0.65
    "turn-taking/after-explicit": (59, 80),  # 0.74
    "turn-taking/after-fallback": (44, 61),  # 0.72
    "turn-taking/after-group": (0, 1),  # 0.00
    "turn-taking/after-pronoun": (15, 24),  # 0.62
    "turn-taking/after-vocative": (49, 59),  # 0.83
    "turn-taking/chained": (316, 405),  # 0.78
    "turn-taking/from-the-tag-after": (1, 4),  # 0.25
    "turn-taking/next-lines": (3, 5),  # 0.60
    "vocative": (13, 14),  # 0.93
    "vocative/next-line": (3, 3),  # 1.00
    "vocative/opening": (102, 108),  # 0.94
}

_FEWEST = 15


def confidence_of(key: str, rule: Rule) -> float:
    """The measured accuracy of a rule's case, else of all the rule's cases, else its default."""
    right, total = MEASURED.get(key, (0, 0))
    if total >= _FEWEST:
        return round(right / total, 2)
    rows = [v for k, v in MEASURED.items() if k == rule or k.startswith(rule + "/")]
    right, total = sum(r for r, _n in rows), sum(n for _r, n in rows)
    if total >= _FEWEST:
        return round(right / total, 2)
    return CONFIDENCE.get(rule, 0.3)


def calibrated(d: Decision) -> Decision:
    if d.speaker is None:
        return replace(d, confidence=0.0)
    return replace(d, confidence=confidence_of(d.key, d.rule))
