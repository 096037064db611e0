"""The learned ranker: the last stage after the sieves, which ranks each line's candidate speakers.

The model is a small set of gradient-boosted trees (trained by benchmarks/train_ranker.py with
LightGBM, leave-one-book-out over the annotated novels) stored as plain JSON in data/ranker.json:
the feature names it was built for, each tree as arrays, and the calibration that turns the best
candidate's score into the accuracy held-out books vouch for (an isotonic fit of what lines scored
alike got right on books the model never saw), with the confidence from which a line counts as
sure (the lowest at which the lines at or above it were 95% right there). Loading it runs no
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
FORMAT = "audiobook-ranker/2"


_SLICE = 256  # rows walked at once (the fastest of 128 to 4096 on 62,000 rows)


class _Forest:
    """All trees in one set of node arrays, walked together: every row goes down every tree one
    level per step, as many numpy steps as the deepest tree has levels (not one Python loop per tree
    or per row). Leaves are nodes too, that lead back to themselves, so a row that reached its leaf
    early simply stays there."""

    def __init__(self, trees: list[dict[str, list[Any]]]) -> None:
        inner = sum(len(t["feature"]) for t in trees)
        feature, threshold, left, right = [], [], [], []
        value: list[float] = [0.0] * inner
        roots = []
        nodes, leaves = 0, inner  # where the next tree's inner nodes and leaves begin
        self.depth = 0
        for t in trees:
            roots.append(_at(0 if t["feature"] else ~0, nodes, leaves))
            feature += t["feature"]
            threshold += t["threshold"]
            left += [_at(c, nodes, leaves) for c in t["left"]]
            right += [_at(c, nodes, leaves) for c in t["right"]]
            value += t["value"]
            nodes, leaves = nodes + len(t["feature"]), leaves + len(t["value"])
            self.depth = max(self.depth, _depth(t))
        own = list(range(inner, len(value)))  # each leaf goes on to itself, whatever the row holds
        self.feature = np.asarray(feature + [0] * len(own), dtype=np.intp)
        self.threshold = np.asarray(threshold + [np.inf] * len(own), dtype=float)
        self.left = np.asarray(left + own, dtype=np.intp)
        self.right = np.asarray(right + own, dtype=np.intp)
        self.value = np.asarray(value, dtype=float)
        self.roots = np.asarray(roots, dtype=np.intp)

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Per row, the sum of its leaves over all trees."""
        if not len(self.roots) or not len(x):
            return np.zeros(len(x))
        # in slices of rows whose walk fits the CPU's cache: all 62,000 rows of a 1 MB text at once took 5x as long
        return np.concatenate([self._walk(x[k : k + _SLICE]) for k in range(0, len(x), _SLICE)])

    def _walk(self, x: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(x, dtype=float).ravel()
        row_at = (np.arange(len(x), dtype=np.intp) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            go_left = flat[row_at + self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.value[node].sum(axis=1)


def _at(child: int, nodes: int, leaves: int) -> int:
    """A tree's child in the shared arrays: its inner nodes begin at ``nodes``, its leaves at ``leaves``."""
    return child + nodes if child >= 0 else ~child + leaves


def _depth(tree: dict[str, list[Any]]) -> int:
    """The most splits on any path from the root of ``tree`` to a leaf."""
    if not tree["feature"]:
        return 0
    level, deepest, step = [0], 0, 0
    while level:
        step += 1
        deepest = step
        level = [c for n in level for c in (tree["left"][n], tree["right"][n]) if c >= 0]
    return deepest


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
        #: lines decided with less confidence are unsure: the lowest confidence whose lines at or above it were
        #: 95% right on books the model never saw (chosen by benchmarks/train_ranker.py on the held-out curve)
        self.sure_from = float(table["sure_from"])
        self.ranking = data.get("scores") == "rank"  # trained to rank a line's candidates (else one row at a time)

    @classmethod
    def load(cls, path: Path = MODEL) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Per row, the probability that its candidate is the speaker (a model trained one row at a time)."""
        return 1.0 / (1.0 + np.exp(-self.forest.raw(x)))

    def shares(self, raw: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
        """Per candidate of one line, its share of the line: the probability of a model trained one row at
        a time, or the softmax over the line's candidates of one trained to rank them (``ranking``);
        0 for a ``vetoed`` candidate."""
        return line_shares(raw, vetoed, self.ranking)

    def calibrated(self, p: float) -> float:
        """The accuracy measured on held-out books for lines whose best candidate scored ``p``."""
        xs, ys = self.calibration
        return float(np.interp(p, xs, ys)) if len(xs) else p


def line_shares(raw: np.ndarray, vetoed: np.ndarray, ranking: bool) -> np.ndarray:
    """See `Model.shares`."""
    if not ranking:
        return np.where(vetoed, 0.0, 1.0 / (1.0 + np.exp(-raw)))
    if vetoed.all():
        return np.zeros(len(raw))
    e = np.where(vetoed, 0.0, np.exp(raw - raw[~vetoed].max()))
    return e / e.sum()


def named_by_tag(x: np.ndarray) -> np.ndarray:
    """Per row, whether its candidate is the one an explicit tag names ("said Joe", "the boy called")."""
    return (x[:, _BY_TAG] > 0) & (x[:, _NAMING].max(axis=1) > 0)


def addressed(x: np.ndarray) -> np.ndarray:
    """Per row, whether its candidate is someone the line addresses, who is never its speaker (the
    sieves' addressee veto), unless a tag names them as the speaker ("said Joe")."""
    return (x[:, _ADDRESSED] > 0) & ~named_by_tag(x)


def choose(p: np.ndarray, x: np.ndarray) -> int:
    """The row one line goes to: the person its explicit tag names, else the best scored. (Held out,
    the ranker re-deciding tagged lines won 22 and lost 12 of the novels' 9,101 lines, and lost
    tagged lines of the short-story dev set: a tag is what a listener checks first.)"""
    tagged = np.flatnonzero(named_by_tag(x))
    return int(tagged[0]) if len(tagged) else int(np.argmax(p))


@cache
def _packaged() -> dict[str, Any]:
    return dict(json.loads(MODEL.read_text(encoding="utf-8")))


@cache
def default_model() -> Model:
    return Model(_packaged())


def packaged_sure_from() -> float:
    """The packaged model's threshold for sure lines (read without building the model, which a training
    run with new features must be able to import around)."""
    return float(_packaged()["calibration"]["sure_from"])


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
        raw = self.model.forest.raw(x)
        vetoed = addressed(x)  # a person the line addresses is never its speaker, whatever the scores
        out, at = list(decisions), 0
        for c in table:
            k, at = slice(at, at + len(c.rows)), at + len(c.rows)
            d = decisions[c.qi]
            if d.rule == Rule.PIN or not len(c.rows):
                continue
            p, lines = self.model.shares(raw[k], vetoed[k]), x[k]
            if not p.max() > 0.0:
                continue
            best = choose(p, lines)
            confidence = round(self.model.calibrated(float(p[best])), 2)
            who = c.speakers[best]
            if who == d.speaker:
                out[c.qi] = Decision(who, d.rule, confidence, d.pronoun, d.at, d.basis)
            else:
                out[c.qi] = Decision(who, Rule.RANKER, confidence, basis=f"over-{d.rule}")
        return out
