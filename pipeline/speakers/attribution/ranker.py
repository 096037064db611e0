"""The learned ranker: the last stage after the sieves, which ranks each line's candidate speakers.

The model is a small set of gradient-boosted trees (trained by benchmarks/train_ranker.py with
LightGBM, leave-one-book-out over the annotated novels) stored as plain JSON in data/ranker.json:
the feature names it was built for, each tree as arrays, and the calibration that turns the best
candidate's score into the accuracy held-out books vouch for (a logistic curve, calibration.py, of
what lines scored alike got right on books the model never saw), with the confidence from which a line counts as
sure (the lowest at which the lines at or above it were 95% right there). Loading it runs no
code from the file. A line whose best candidate is the sieves' own choice keeps the sieves' rule;
one the ranker gives to someone else is marked ``ranker``. Pins are never re-ranked.
"""

from __future__ import annotations

import json
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.model import GROUP
from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.features import FEATURES, candidate_table
from pipeline.speakers.attribution.rules import Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.stacking import (
    BROKEN,
    COPIED,
    NEXT_PARAGRAPH,
    SAME_PARAGRAPH,
    SECOND,
    picks,
    second_rows,
)

_ADDRESSED = FEATURES.index("addressed_here")
_BY_TAG = FEATURES.index("by_tag")
COPIED_AT = [FEATURES.index(name) for name in COPIED]
_BEAT = FEATURES.index(f"rule_{Rule.ACTION_BEAT.value}")
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
        # node n's children side by side: child[2n] when the row goes right, child[2n + 1] when it goes left
        self.child = np.empty(2 * len(feature + own), dtype=np.intp)
        self.child[0::2], self.child[1::2] = right + own, left + own
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
            node = self.child[2 * node + go_left]
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
        second = data.get("second")
        if second is not None and tuple(second["features"]) != SECOND:
            raise ValueError("the ranker model's second pass was built for other features: rebuild it "
                             "(benchmarks/train_ranker.py)")
        #: the second pass (stacking.py): each candidate rescored with the first pass's reading of its exchange
        self.second = _Forest(second["trees"]) if second is not None else None

    @classmethod
    def load(cls, path: Path = MODEL) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Per row, the probability that its candidate is the speaker (a model trained one row at a time)."""
        return 1.0 / (1.0 + np.exp(-self.forest.raw(x)))

    def scores(self, rows: np.ndarray, sizes: list[int], speakers: list[tuple[int | str, ...]],
               joined: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per row of the lines' candidates (``sizes`` rows each): the first pass's share, and the score a
        line's pick is chosen by (the second pass's, when the model has one); 0 for a person the line
        addresses."""
        vetoed = addressed(rows)
        p = shares_by_line(self.forest.raw(rows), vetoed, sizes, self.ranking)
        if self.second is None:
            return p, p
        ids = np.asarray([-1 if c == GROUP else int(c) for who in speakers for c in who], dtype=np.int64)
        free = for_second(rows, sizes)  # the second pass scores only the lines it may decide
        x = second_rows(p, sizes, ids, named_by_tag(rows), joined, rows[:, COPIED_AT], only=free)
        q = p.copy()
        q[free] = 1.0 / (1.0 + np.exp(-self.second.raw(x)))
        return p, np.where(vetoed, 0.0, q)

    def calibrated(self, p: np.ndarray) -> np.ndarray:
        """The accuracy measured on held-out books for lines whose best candidate scored ``p``."""
        xs, ys = self.calibration
        return np.interp(p, xs, ys) if len(xs) else p


def line_shares(raw: np.ndarray, vetoed: np.ndarray, ranking: bool) -> np.ndarray:
    """Per candidate of one line, its share of the line: the probability of a model trained one row at a
    time, or the softmax over the line's candidates of one trained to rank them (``ranking``); 0 for a
    ``vetoed`` candidate."""
    return shares_by_line(raw, vetoed, [len(raw)], ranking)


def shares_by_line(raw: np.ndarray, vetoed: np.ndarray, sizes: list[int], ranking: bool) -> np.ndarray:
    """`line_shares` of every line at once: the rows of the lines one after another, ``sizes`` rows each
    (a line of no rows is allowed). One pass of numpy over all the rows, not a few numpy calls a line."""
    if not ranking:
        return np.where(vetoed, 0.0, 1.0 / (1.0 + np.exp(-raw)))
    sizes_ = np.asarray(sizes, dtype=np.intp)
    kept = sizes_ > 0
    if not len(raw):
        return np.zeros(0)
    starts = (np.cumsum(sizes_) - sizes_)[kept]
    counts = sizes_[kept]
    top = np.maximum.reduceat(np.where(vetoed, -np.inf, raw), starts)
    top = np.where(np.isfinite(top), top, 0.0)  # a line whose candidates are all vetoed
    e = np.where(vetoed, 0.0, np.exp(raw - np.repeat(top, counts)))
    total = np.repeat(np.add.reduceat(e, starts), counts)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def for_second(x: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Per row, whether the second pass decides its line: not when an explicit tag names someone (that
    person keeps it) nor when the sieves gave it by an action beat ("Billy sniffed."), which the first pass
    reads in the line's own paragraph and the second overturned wrongly (held out, 10 of the 11 novels'
    explicit lines it took from a beat, and both such lines of the short-story dev set)."""
    size = np.asarray(sizes, dtype=np.intp)
    kept = size > 0
    if not len(x):
        return np.zeros(0, dtype=bool)
    tagged = np.add.reduceat(named_by_tag(x).astype(np.intp), (size.cumsum() - size)[kept]) > 0
    return ~np.repeat(tagged, size[kept]) & (x[:, _BEAT] <= 0)


def named_by_tag(x: np.ndarray) -> np.ndarray:
    """Per row, whether its candidate is the one an explicit tag names ("said Joe", "the boy called")."""
    return (x[:, _BY_TAG] > 0) & (x[:, _NAMING].max(axis=1) > 0)


def addressed(x: np.ndarray) -> np.ndarray:
    """Per row, whether its candidate is someone the line addresses, who is never its speaker (the
    sieves' addressee veto), unless a tag names them as the speaker ("said Joe")."""
    return (x[:, _ADDRESSED] > 0) & ~named_by_tag(x)


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
        n = sum(len(c.rows) for c in table)
        if not n:
            return decisions
        # the rows' values read straight into one array (np.asarray on the row tuples took a third longer)
        x = np.fromiter(chain.from_iterable(r for c in table for r in c.rows), dtype=float,
                        count=n * len(FEATURES)).reshape(n, len(FEATURES))
        sizes = [len(c.rows) for c in table]
        p, q = self.model.scores(x, sizes, [c.speakers for c in table], links(s.quotes))
        # each line's pick: the person its explicit tag names, else the best scored (`picks`: held out, the
        # ranker re-deciding tagged lines won 22 and lost 12 of the novels' 9,101 lines, and lost tagged
        # lines of the short-story dev set; a tag is what a listener checks first); its
        # confidence comes from the first pass's share of it, so that a line the second pass gives to
        # someone the line's own reading ranked lower is less sure (held out, as many lines were sure
        # at 95% right as with the first pass alone; the second pass's own score let fewer be)
        chosen = np.flatnonzero(picks(q, np.asarray(sizes, dtype=np.intp), named_by_tag(x)))
        line_of = np.repeat(np.arange(len(table)), sizes)[chosen].tolist()
        starts = np.cumsum([0, *sizes]).tolist()
        confidence = np.round(self.model.calibrated(p[chosen]), 2).tolist()
        out = list(decisions)
        for line, i, sure in zip(line_of, chosen.tolist(), confidence, strict=True):
            c = table[line]
            d = decisions[c.qi]
            if d.rule == Rule.PIN:
                continue
            who = c.speakers[i - starts[line]]
            if who == d.speaker:
                out[c.qi] = Decision(who, d.rule, sure, d.pronoun, d.at, d.basis)
            else:
                out[c.qi] = Decision(who, Rule.RANKER, sure, basis=f"over-{d.rule}")
        return out


def links(quotes: tuple[Quotation, ...] | list[Quotation]) -> list[int]:
    """How each quotation joins the one before (dialogue.py): in its paragraph, in the next one, or not."""
    out = [BROKEN] * len(quotes)
    for qi in range(1, len(quotes)):
        gap = quotes[qi].paragraphs[0] - quotes[qi - 1].paragraphs[-1]
        out[qi] = SAME_PARAGRAPH if gap <= 0 else NEXT_PARAGRAPH if gap == 1 else BROKEN
    return out
