"""Which signals tell a ranked line that is right from one that is wrong, measured on held-out books.

Reads the candidate rows train_ranker.py keeps (``--cache DIR``, a run of train_ranker.py with the same
DIR first), scores each book's annotated lines with the fold model that never saw the book (first and
second pass, as ranker.py picks), and describes every line by the signals a confidence could use:
the first pass's share of its pick (what the shipped calibration reads), the margins over the next
candidate of both passes, the second pass's score, the sieves agreeing, the deciding rule, the turns
since the last tag, the people in the scene, and the book's own reliability (the share of its tagged
lines, seen with the tag hidden, that the model gives back to the tag's person; its mean share). Then,
leave one book out, each confidence model is fitted on the other 27 books' held-out lines and judged on
the book left out: AUC over all lines, the most lines that can be sure at 95% right (threshold chosen in
hindsight over all books), and with the threshold chosen on the other books as train_ranker.py chooses
it, the unsure share and sure accuracy per book (their average, the worst book, the books meeting the
goal). Deterministic; a minute or two on 2 cores once the cache is warm.

    .venv/bin/python benchmarks/confidence_signals.py --cache DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bench_novels as bn
import numpy as np
import train_ranker as tr
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from pipeline.speakers.attribution.calibration import SURE_TARGET, logit, most_sure, sure_from
from pipeline.speakers.attribution.features import FEATURES
from pipeline.speakers.attribution.ranker import addressed, for_second, shares_by_line
from pipeline.speakers.attribution.stacking import SECOND, picks

_F = {n: i for i, n in enumerate(FEATURES)}
_RULES = [n for n in FEATURES if n.startswith("rule_") and n not in ("rule_conf", "rule_choice")]
#: Per line: the signals, by name (rule is one-hot over _RULES).
LINE = ("logit_share", "margin", "second_margin", "second_score", "tagged", "sieves_agree", "sieves_conf",
        "log_candidates", "in_run", "run_len", "prev_tag", "narration_between", "recent_speakers",
        "exchange_lines", "exchange_margin")
BOOK = ("book_share", "book_recovered")


def _lines(h: tr.HeldOut, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per gold line that picks someone: its signals (LINE), its rule's one-hot, and whether the pick is right."""
    q = np.where(h.vetoed, 0.0, np.where(for_second(h.rows, h.sizes.tolist()), q, h.first))
    chosen = picks(q, h.sizes, h.tagged)
    rows, rules, right = [], [], []
    start = 0
    for n in h.sizes.tolist():
        idx = np.arange(start, start + n)
        start += n
        hit = idx[chosen[idx]]
        if not len(hit):
            continue
        c = int(hit[0])
        others = idx[idx != c]
        p_other = float(h.first[others].max()) if len(others) else 0.0
        q_other = float(q[others].max()) if len(others) else 0.0
        r = h.rows[c]
        rows.append([float(logit(np.asarray(h.first[c]))), h.first[c] - p_other, q[c] - q_other, q[c],
                     float(h.tagged[idx].any()), r[_F["rule_choice"]], r[_F["rule_conf"]], np.log(n), r[_F["in_run"]],
                     r[_F["run_len"]], r[_F["prev_tag"]], r[_F["narration_between"]], r[_F["recent_speakers"]],
                     h.x[c, SECOND.index("run_lines")], h.x[c, SECOND.index("run_margin")]])
        rules.append([r[_F[k]] for k in _RULES])
        right.append(float(h.y[c] > 0))
    return np.asarray(rows), np.asarray(rules), np.asarray(right)


def _recovered(booster: Any, book: tr.Book) -> float:
    """The share of the book's silver lines (tagged, the tag hidden) whose best candidate is the tag's person."""
    gold = len(book.gold_groups)
    sizes = book.groups[gold:]
    if not sizes:
        return float("nan")
    first = sum(book.groups[:gold])
    x = np.asarray(book.x[first:], dtype=float)
    y = np.asarray(book.y[first:])
    p = shares_by_line(booster.predict(x, raw_score=True), addressed(x), sizes, False)
    starts = np.cumsum(sizes) - np.asarray(sizes)
    return float(np.mean([y[s + int(np.argmax(p[s : s + n]))] > 0 for s, n in zip(starts, sizes, strict=True)]))


Data = dict[str, dict[str, np.ndarray]]


def gather(cache: Path) -> Data:
    books = []
    for name in bn.SPLITS["all"]:
        kept = json.loads((cache / f"{name}.json").read_text(encoding="utf-8"))
        if kept.pop("features", None) != list(FEATURES):
            sys.exit(f"error: {cache}/{name}.json holds rows of other features: run train_ranker.py --cache {cache}")
        books.append(tr.Book(name, Path(), {}, "", **kept))
    models, held = tr.fold_models(books, len(books), tr.SCORES, cache)
    seconds, _pts = tr.second_models(books, len(books), held, cache)
    out: Data = {}
    for b in books:
        h = held[b.name]
        line, rules, right = _lines(h, np.asarray(seconds[b.name].predict(h.x)))
        book = np.tile([np.mean(h.first[picks(h.first, h.sizes, h.tagged)]), _recovered(models[b.name], b)],
                       (len(line), 1))
        out[b.name] = {"line": line, "rules": rules, "book": book, "right": right}
    return out


def _x(d: dict[str, np.ndarray], spec: tuple[str, ...]) -> np.ndarray:
    cols = [d["line"][:, LINE.index(k)] for k in spec if k in LINE]
    cols += [d["book"][:, BOOK.index(k)] for k in spec if k in BOOK]
    parts = [np.column_stack(cols)] if cols else []
    if "rule" in spec:
        parts.append(d["rules"])
    return np.hstack(parts)


Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def isotonic(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    fit = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x[:, 0], y)
    return lambda z: np.asarray(fit.predict(z[:, 0]))


def logistic(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    fit = LogisticRegression(C=1.0, max_iter=2000).fit((x - mu) / sd, y)
    return lambda z: np.asarray(fit.predict_proba((z - mu) / sd)[:, 1])


def judge(data: Data, spec: tuple[str, ...], fit: Fit) -> dict[str, Any]:
    """Leave one book out: fitted on the other books' held-out lines, judged on the book left out."""
    per, conf_all, right_all = {}, [], []
    for name, d in data.items():
        rest = [v for k, v in data.items() if k != name]
        x = np.vstack([_x(v, spec) for v in rest])
        y = np.concatenate([v["right"] for v in rest])
        model = fit(x, y)
        threshold = sure_from(np.round(model(x), 2), y)
        conf = np.round(model(_x(d, spec)), 2)
        sure = conf >= threshold
        per[name] = (1 - sure.mean(), float(d["right"][sure].mean()) if sure.any() else 1.0)
        conf_all.append(conf)
        right_all.append(d["right"])
    conf, right = np.concatenate(conf_all), np.concatenate(right_all)
    unsure, sure_right = zip(*per.values(), strict=True)
    return {"auc": float(roc_auc_score(right, conf)), "most_sure": most_sure(conf, right),
            "unsure": float(np.mean(unsure)), "sure_right": float(np.mean(sure_right)),
            "worst_unsure": max(unsure), "worst_sure_right": min(sure_right),
            "books_met": sum(u <= 0.35 and a >= SURE_TARGET for u, a in per.values())}


CANDIDATES: tuple[tuple[str, tuple[str, ...], Fit], ...] = (
    ("isotonic on the share (before)", ("logit_share",), isotonic),
    ("logistic on logit(share) (shipped)", ("logit_share",), logistic),
    ("+ margins, second pass", ("logit_share", "margin", "second_margin", "second_score"), logistic),
    ("+ tag, sieves agree, rule", ("logit_share", "margin", "second_margin", "second_score", "tagged",
                                   "sieves_agree", "sieves_conf", "rule"), logistic),
    ("+ scene (turns, people, exchange)", (*LINE, "rule"), logistic),
    ("+ the book's own reliability", (*LINE, "rule", *BOOK), logistic),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="train_ranker.py's --cache directory")
    args = parser.parse_args()
    if not all((args.cache / f"{b}.json").is_file() for b in bn.SPLITS["all"]):
        print(f"skipped: no candidate rows in {args.cache} (run train_ranker.py --cache {args.cache} first)")
        return 0
    data = gather(args.cache)
    print(f"{sum(len(d['right']) for d in data.values())} held-out annotated lines of {len(data)} books; leave one "
          f"book out; unsure/sure right with the threshold chosen on the other books (average of books)")
    print(f"{'confidence from':38s} {'AUC':>6s} {'most sure':>9s} {'unsure':>7s} {'sure ok':>7s} "
          f"{'worst unsure':>12s} {'worst sure ok':>13s} {'books met':>9s}")
    for label, spec, fit in CANDIDATES:
        r = judge(data, spec, fit)
        print(f"{label:38s} {r['auc']:6.3f} {r['most_sure']:9.1%} {r['unsure']:7.1%} {r['sure_right']:7.3f} "
              f"{r['worst_unsure']:12.1%} {r['worst_sure_right']:13.3f} {r['books_met']:9d}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
