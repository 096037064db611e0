"""The learned ranker: the last stage after the sieves, which ranks each line's candidate speakers.

The model is a small set of gradient-boosted trees (trained by benchmarks/train_ranker.py with
LightGBM, leave-one-book-out over the annotated novels) stored as plain JSON in data/ranker.json:
the feature names it was built for, each tree as arrays, and the calibration that turns the best
candidate's score into the accuracy held-out books vouch for (the lower end, one standard error
down, of what lines scored alike got right on books the model never saw). Loading it runs no
code from the file. A line whose best candidate is the sieves' own choice keeps the sieves' rule;
one the ranker gives to someone else is marked ``ranker``. Pins are never re-ranked.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.speakers.attribution.features import FEATURES, candidate_table
from pipeline.speakers.attribution.rules import Decision, Rule
from pipeline.speakers.attribution.scene import Scene

_ADDRESSED = FEATURES.index("addressed_here")
_BY_TAG = FEATURES.index("by_tag")
_NAMING = [FEATURES.index(f"rule_{r.value}") for r in (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE)]
MODEL = Path(__file__).resolve().parent / "data" / "ranker.json"
FORMAT = "audiobook-ranker/1"


def _shift(child: int, nodes: int, leaves: int) -> int:
    """A tree's child pointer in the shared arrays: a node offset by ``nodes``, a leaf by ``leaves``."""
    return child + nodes if child >= 0 else ~(~child + leaves)


class _Forest:
    """All trees in one set of node arrays, walked together: every row goes down every tree one
    level per step (as many numpy steps as the deepest tree has levels, not one Python loop per
    tree). A child below zero is the leaf ``~child``; each tree's nodes and leaves are offset into
    the shared arrays."""

    def __init__(self, trees: list[dict[str, list[Any]]]) -> None:
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        nodes = leaves = 0
        for t in trees:
            roots.append(nodes if t["feature"] else ~leaves)
            feature += t["feature"]
            threshold += t["threshold"]
            left += [_shift(c, nodes, leaves) for c in t["left"]]
            right += [_shift(c, nodes, leaves) for c in t["right"]]
            value += t["value"]
            nodes, leaves = nodes + len(t["feature"]), leaves + len(t["value"])
        self.feature = np.asarray(feature, dtype=np.int64)
        self.threshold = np.asarray(threshold, dtype=float)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.value = np.asarray(value, dtype=float)
        self.roots = np.asarray(roots, dtype=np.int64)

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Per row, the sum of its leaves over all trees."""
        node = np.tile(self.roots, (len(x), 1))
        rows = np.repeat(np.arange(len(x)), len(self.roots)).reshape(node.shape)
        inner = node >= 0
        while inner.any():
            r, n = rows[inner], node[inner]
            go_left = x[r, self.feature[n]] <= self.threshold[n]
            node[inner] = np.where(go_left, self.left[n], self.right[n])
            inner = node >= 0
        return self.value[~node].sum(axis=1) if len(self.roots) else np.zeros(len(x))


class Model:
    """Trees over `FEATURES` and a calibration table, read from the JSON the training script writes."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a ranker model of format {FORMAT}")
        if tuple(data["features"]) != FEATURES:
            raise ValueError("the ranker model was built for other features: rebuild it (benchmarks/train_ranker.py)")
        self.data = data
        self.forest = _Forest(data["trees"])
        table = data["calibration"]
        self.calibration = (np.asarray(table["share"], dtype=float), np.asarray(table["right"], dtype=float))

    @classmethod
    def load(cls, path: Path = MODEL) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Per row, the probability that its candidate is the speaker."""
        return 1.0 / (1.0 + np.exp(-self.forest.raw(x)))

    def calibrated(self, p: float) -> float:
        """The accuracy measured on held-out books for lines whose best candidate scored ``p``."""
        xs, ys = self.calibration
        return float(np.interp(p, xs, ys)) if len(xs) else p


def addressed(x: np.ndarray) -> np.ndarray:
    """Per row, whether its candidate is someone the line addresses, who is never its speaker (the
    sieves' addressee veto), unless a tag names them as the speaker ("said Joe")."""
    named_by_tag = (x[:, _BY_TAG] > 0) & (x[:, _NAMING].max(axis=1) > 0)
    return (x[:, _ADDRESSED] > 0) & ~named_by_tag


@cache
def default_model() -> Model:
    return Model.load()


class Ranker:
    """The stage after the sieves: each line goes to its best-scored candidate, with the model's confidence."""

    rules = (Rule.RANKER,)

    def __init__(self, model: Model | None = None) -> None:
        self.model = model or default_model()

    def __call__(self, s: Scene, decisions: list[Decision]) -> list[Decision]:
        table = candidate_table(s, decisions)
        rows = [r for c in table for r in c.rows]
        if not rows:
            return decisions
        x = np.asarray(rows, dtype=float)
        # a person the line addresses is never its speaker, whatever the scores
        probs = np.where(addressed(x), 0.0, self.model.probabilities(x))
        out, at = list(decisions), 0
        for c in table:
            p, at = probs[at : at + len(c.rows)], at + len(c.rows)
            d = decisions[c.qi]
            if d.rule == Rule.PIN or not len(p) or not p.max() > 0.0:
                continue
            best = int(np.argmax(p))
            confidence = round(self.model.calibrated(float(p[best])), 2)
            who = c.speakers[best]
            if who == d.speaker:
                out[c.qi] = Decision(who, d.rule, confidence, d.pronoun, d.at, d.basis)
            else:
                out[c.qi] = Decision(who, Rule.RANKER, confidence, basis=f"over-{d.rule}")
        return out
