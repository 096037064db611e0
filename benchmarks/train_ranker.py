"""Train the attribution ranker and measure it leave-one-book-out on the 28 annotated novels.

For every book of benchmarks/novel_dev/ (whole texts from ../shared/novels), the sieves run alone
(`examine(text, ranker=sieves_only)`) and each quotation's candidates get their feature rows
(pipeline/speakers/attribution/features.py), labelled two ways:
  gold    the quotations of the annotated chapters: a candidate is right when its name picks out the
          annotated speaker (the benchmark's lenient matching);
  silver  every other quotation an explicit tag gives to a named person, seen with its own paragraph
          hidden (no tag, no beat, no names in its narration): the tag's person is right.
Then, for each book, a model trained on the OTHER 27 books' rows (gold and silver) ranks that book's
candidates inside `analyse(text, ranker=...)`, and the result is scored end to end exactly as
bench_novels.py scores `audiobook script --json`: per book, per style group, per quotation type and per
deciding rule, next to the sieves alone. The confidence of a held-out book is calibrated on the other
books' held-out predictions only. Last, the model trained on all 28 books, with the calibration of all
held-out predictions, is written to pipeline/speakers/attribution/data/ranker.json (unless --no-write).

Deterministic (LightGBM with deterministic=True, fixed seeds, row-wise histograms, 2 threads) and a
few minutes on 2 cores. Skips cleanly without ../shared/novels.

    .venv/bin/python benchmarks/train_ranker.py [--books a,b] [--no-silver] [--no-write] [--json-out F]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench_novels as bn
import lightgbm as lgb
import numpy as np
from sklearn.isotonic import IsotonicRegression

from pipeline.cli.scriptview import LOW_CONFIDENCE, to_json
from pipeline.model import GROUP
from pipeline.speakers.analyse import analyse, examine, sieves_only
from pipeline.speakers.attribution.features import FEATURES, candidate_table, hidden_table
from pipeline.speakers.attribution.ranker import FORMAT, MODEL, Model, Ranker, addressed, choose, line_shares

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.12,
    "max_bin": 63,
    "num_leaves": 15,
    "max_depth": 8,  # walked level by level at run time (ranker.py): the deepest tree sets the steps
    "min_data_in_leaf": 40,
    "lambda_l2": 1.0,
    "feature_fraction": 0.9,
    "use_missing": False,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "seed": 7,
    "verbose": -1,
}
ROUNDS = 100
SILVER_WEIGHT = 0.5
GROUPS: dict[str, str] = {b: g for g, books in json.loads((bn.DEV / "groups.json").read_text()).items() for b in books}


@dataclass
class Book:
    """One book's text, its sieves-only segments and its labelled candidate rows."""

    name: str
    path: Path
    meta: dict[str, Any]
    text: str
    sieve_segments: list[dict[str, Any]]
    x: list[tuple[float, ...]] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    gold_groups: list[tuple[int, int, bool]] = field(default_factory=list)  # (first row, rows, any right) per gold line
    groups: list[int] = field(default_factory=list)  # rows per line, gold and silver, in the order of x


def _quote_index(ex: Any) -> tuple[list[int], list[tuple[int, int, int]]]:
    parts = sorted((a, b, qi) for qi, q in enumerate(ex.layout.quotations) for a, b in q.parts)
    return [p[0] for p in parts], parts


def _find(starts: list[int], parts: list[tuple[int, int, int]], a: int, b: int) -> int | None:
    """The quotation whose part overlaps the gold span [a, b) most."""
    k = bisect.bisect_right(starts, a)
    best, best_overlap = None, 0
    for pa, pb, qi in parts[max(0, k - 2) : k + 2]:
        overlap = min(b, pb) - max(a, pa)
        if overlap > best_overlap:
            best, best_overlap = qi, overlap
    return best


def gather(score: Any, name: str, path: Path, meta: dict[str, Any], silver: bool) -> Book:
    text = path.read_text(encoding="utf-8")
    book = Book(name, path, meta, text, to_json(analyse(text, ranker=sieves_only))["segments"])
    ex = examine(text, ranker=sieves_only)
    nov = bn.load_novel(score, name, path)
    names = [e.name for e in ex.cast.entities]
    table = candidate_table(ex.scene, ex.sieved)
    starts, parts = _quote_index(ex)
    ranges = [(c["start"], c["end"]) for c in meta["chapters"]]
    gold_lines: set[int] = set()
    for q in nov.quotes:
        a, b = q["spans"][0]
        qi = _find(starts, parts, a, b)
        if qi is None or qi in gold_lines:
            continue
        gold_lines.add(qi)
        cands = table[qi]
        right = [nov.speaker_ok(q["speaker"], GROUP if s == GROUP else names[s]) for s in cands.speakers]  # type: ignore[index]
        book.gold_groups.append((len(book.x), len(cands.rows), any(right)))
        book.groups.append(len(cands.rows))
        book.x += cands.rows
        book.y += [float(r) for r in right]
        book.weight += [1.0] * len(right)
    if silver:
        quotes = ex.layout.quotations
        in_chapters = {qi for qi, q in enumerate(quotes) if any(a <= q.parts[0][0] < b for a, b in ranges)}
        for cands, label in hidden_table(ex.scene, ex.sieved, exclude=in_chapters | gold_lines):
            book.groups.append(len(cands.rows))
            book.x += cands.rows
            book.y += [float(s == label) for s in cands.speakers]
            book.weight += [SILVER_WEIGHT] * len(cands.speakers)
    return book


#: How the trees learn: "rank" (LightGBM's lambdarank over each line's candidates, scored at run time by a
#: softmax over the line) or "binary" (each candidate row on its own, scored by its probability).
SCORES = "binary"
RANKING: dict[str, Any] = {"objective": "lambdarank", "lambdarank_truncation_level": 4, "eval_at": [1]}


def train(books: list[Book], scores: str = SCORES) -> lgb.Booster:
    x = np.asarray([r for b in books for r in b.x], dtype=float)
    y = np.asarray([v for b in books for v in b.y], dtype=float)
    w = np.asarray([v for b in books for v in b.weight], dtype=float)
    if scores == "rank":
        data = lgb.Dataset(x, y.astype(int), weight=w, group=[g for b in books for g in b.groups],
                           feature_name=list(FEATURES), free_raw_data=True)
        return lgb.train({**PARAMS, **RANKING}, data, num_boost_round=ROUNDS)
    data = lgb.Dataset(x, y, weight=w, feature_name=list(FEATURES), free_raw_data=True)
    return lgb.train(PARAMS, data, num_boost_round=ROUNDS)


def _tree(node: dict[str, Any], out: dict[str, list[Any]]) -> int:
    if "split_feature" not in node:
        out["value"].append(round(float(node["leaf_value"]), 7))
        return ~(len(out["value"]) - 1)
    if node["decision_type"] != "<=":
        raise ValueError(f"unexpected split {node['decision_type']}")
    i = len(out["feature"])
    out["feature"].append(int(node["split_feature"]))
    out["threshold"].append(float(node["threshold"]))
    out["left"].append(0)
    out["right"].append(0)
    out["left"][i] = _tree(node["left_child"], out)
    out["right"][i] = _tree(node["right_child"], out)
    return i


@dataclass(frozen=True)
class Calibration:
    """What held-out books vouch for: accuracy as a function of the best candidate's score, and the
    confidence from which a line is marked sure."""

    share: list[float]  # scores of the best candidate ...
    right: list[float]  # ... and the accuracy of lines scored so, on books the model never saw (interpolated)
    sure_from: float  # the least confidence at which the lines at or above it were at least SURE_TARGET right


#: The lines marked sure must be this accurate on held-out books (issue 21: "at least 95% right").
SURE_TARGET = 0.95


def calibrate(points: list[tuple[float, bool]]) -> Calibration:
    """Isotonic regression (scikit-learn) of "the best candidate is right" on its score, over held-out
    lines, and the threshold chosen on the same held-out curve: the lowest confidence whose lines at or
    above it were at least `SURE_TARGET` right."""
    if not points:
        return Calibration([], [], 1.0)
    x = np.asarray([p for p, _ in points], dtype=float)
    y = np.asarray([float(r) for _, r in points], dtype=float)
    fit = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    conf = np.round(fit.predict(x), 2)
    order = np.argsort(-conf, kind="stable")
    ranked, hits = conf[order], np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    # where a confidence level ends (ties end together): the lines at or above it
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    good = [float(ranked[k]) for k in ends if hits[k] >= SURE_TARGET]
    return Calibration([round(float(v), 4) for v in fit.X_thresholds_], [round(float(v), 4) for v in fit.y_thresholds_],
                       min(good) if good else 1.0)


def export(booster: lgb.Booster, calibration: Calibration) -> dict[str, Any]:
    trees = []
    for info in booster.dump_model()["tree_info"]:
        out: dict[str, list[Any]] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}
        _tree(info["tree_structure"], out)
        trees.append(out)
    rank = _ranks(booster)
    return {"format": FORMAT, "features": list(FEATURES), "trees": trees, "scores": "rank" if rank else "binary",
            "calibration": {"share": calibration.share, "right": calibration.right, "sure_from": calibration.sure_from},
            "trained": {"params": {**PARAMS, **RANKING} if rank else PARAMS, "rounds": ROUNDS,
                        "silver_weight": SILVER_WEIGHT, "sure_target": SURE_TARGET}}


def _ranks(booster: lgb.Booster) -> bool:
    """The booster was trained to rank a line's candidates (lambdarank), not each row on its own."""
    return str(booster.params.get("objective")) == "lambdarank"


def held_out_shares(booster: lgb.Booster, book: Book) -> list[tuple[float, bool]]:
    """(top candidate's score, top is right) for each gold line of ``book``."""
    if not book.gold_groups:
        return []
    x = np.asarray(book.x, dtype=float)
    raw, vetoed = booster.predict(x, raw_score=True), addressed(x)  # as the ranker sees them (ranker.py)
    out = []
    for first, n, _any in book.gold_groups:
        if n:
            q = line_shares(raw[first : first + n], vetoed[first : first + n], _ranks(booster))
            best = choose(q, x[first : first + n])
            out.append((float(q[best]), bool(book.y[first + best])))
    return out


def check_export(booster: lgb.Booster, data: dict[str, Any], book: Book) -> None:
    """The exported trees must score as LightGBM does."""
    x = np.asarray(book.x[:2000], dtype=float)
    theirs = booster.predict(x, raw_score=True)
    ours = Model(data).forest.raw(x)
    if len(x) and float(np.max(np.abs(theirs - ours))) > 1e-4:
        sys.exit("error: the exported trees disagree with LightGBM")


def folds_of(books: list[Book], n: int) -> list[list[Book]]:
    """``n`` groups of whole books (every n-th book of the sorted list): n = the number of books is leave-one-out."""
    ordered = sorted(books, key=lambda b: b.name)
    return [ordered[k::n] for k in range(min(n, len(books)))]


Shares = dict[str, list[tuple[float, bool]]]  # per book, (best candidate's share, it is right) per gold line


def fold_models(books: list[Book], n: int, scores: str) -> tuple[dict[str, lgb.Booster], Shares]:
    """Per book, the model trained on the books of the other folds, and its (share, right) on the book's gold lines."""
    models, shares = {}, {}
    for fold in folds_of(books, n):
        booster = train([b for b in books if b not in fold], scores)
        for book in fold:
            models[book.name], shares[book.name] = booster, held_out_shares(booster, book)
        print(f"  fold {', '.join(b.name for b in fold)}: trained on {len(books) - len(fold)} books",
              file=sys.stderr, flush=True)
    return models, shares


def calibration_for(book: Book, books: list[Book], n: int, shares: dict[str, list[tuple[float, bool]]]) -> Calibration:
    """The calibration a held-out book is given: fitted on the other books of its fold (scored by the same model,
    which saw none of them), or on all other books when the fold is the book alone."""
    fold = next(f for f in folds_of(books, n) if book in f)
    others = [b.name for b in fold if b is not book] or [b.name for b in books if b is not book]
    return calibrate([s for name in others for s in shares[name]])


def _marked(quotes: list[dict[str, Any]], sure_from: float) -> list[dict[str, Any]]:
    """Each found line marked sure or not, as the script view marks it with this threshold."""
    for q in quotes:
        q["sure"] = bool(q["found"]) and (q.get("confidence") or 0) >= sure_from
    return quotes


def _unsure(quotes: list[dict[str, Any]]) -> float:
    """The share of the found lines not marked sure."""
    return 1 - sum(q["sure"] for q in quotes) / max(1, sum(q["found"] for q in quotes))


def _row(label: str, quotes: list[dict[str, Any]], base: list[dict[str, Any]] | None = None) -> str:
    n = len(quotes)
    right = sum(bool(q.get("correct")) for q in quotes)
    found = [q for q in quotes if q["found"]]
    sure = [q for q in found if q.get("sure")]
    sure_acc = sum(bool(q["correct"]) for q in sure) / len(sure) if sure else 0.0
    was = f"{sum(bool(q.get('correct')) for q in base) / len(base):7.3f}" if base else f"{'':7s}"
    return (f"{label:26s} {n:6d} {was} {right / max(1, n):7.3f} {1 - len(sure) / max(1, len(found)):7.1%} "
            f"{sure_acc:7.3f}")


def report(results: dict[str, dict[str, Any]], folds: int) -> dict[str, Any]:
    """Per book, group, type and deciding rule: sieves alone vs. the held-out ranker, unsure share, sure accuracy."""
    head = f"{'':26s} {'quotes':>6s} {'sieves':>7s} {'ranker':>7s} {'unsure':>7s} {'sure ok':>7s}"
    how = "leave one book out" if folds >= len(results) else f"{folds} grouped folds by book"
    print(f"\nheld-out books ({how}), end to end (lenient names); unsure: confidence below the threshold chosen on the"
          " other books' held-out lines (the sieves' own confidence below the script view's LOW_CONFIDENCE)")
    print(head)
    everything = [q for r in results.values() for q in r["ranker"]]
    base = [q for r in results.values() for q in r["sieves"]]
    for name, r in results.items():
        print(_row(name, r["ranker"], r["sieves"]))
    print("-" * len(head))
    for group in sorted(set(GROUPS.values())):
        names = [b for b in results if GROUPS.get(b) == group]
        if names:
            print(_row(f"group {group}", [q for b in names for q in results[b]["ranker"]],
                       [q for b in names for q in results[b]["sieves"]]))
    for kind in bn.TYPES:
        of_kind = [q for q in everything if q["type"] == kind]
        print(_row(f"type {kind}", of_kind, [q for q in base if q["type"] == kind]))
    for rule in sorted({str(q.get("rule")) for q in everything if q["found"]}):
        print(_row(f"rule {rule}", [q for q in everything if q["found"] and str(q.get("rule")) == rule]))
    print(_row("overall (quotations)", everything, base))
    per_book = {b: sum(bool(q.get("correct")) for q in r["ranker"]) / len(r["ranker"]) for b, r in results.items()}
    per_book_base = {b: sum(bool(q.get("correct")) for q in r["sieves"]) / len(r["sieves"]) for b, r in results.items()}
    explicit = [q for q in everything if q["type"] == "explicit"]
    found = [q for q in everything if q["found"]]
    sure = [q for q in found if q["sure"]]
    summary = {
        "books": len(results),
        "average_of_books": sum(per_book.values()) / len(per_book),
        "average_of_books_sieves": sum(per_book_base.values()) / len(per_book_base),
        "worst_book": min(per_book.items(), key=lambda kv: kv[1]),
        "explicit": sum(bool(q.get("correct")) for q in explicit) / max(1, len(explicit)),
        "unsure": 1 - len(sure) / max(1, len(found)),
        "sure_accuracy": sum(bool(q["correct"]) for q in sure) / max(1, len(sure)),
        "most_unsure_book": max(((b, _unsure(r["ranker"])) for b, r in results.items()), key=lambda kv: kv[1]),
    }
    print(f"average of books {summary['average_of_books']:.3f} (sieves alone {summary['average_of_books_sieves']:.3f});"
          f" worst book {summary['worst_book'][0]} {summary['worst_book'][1]:.3f}; explicit {summary['explicit']:.3f}")
    print(f"unsure {summary['unsure']:.1%} of found lines (most: {summary['most_unsure_book'][0]} "
          f"{summary['most_unsure_book'][1]:.1%}); sure lines {summary['sure_accuracy']:.3f} right")
    return summary


CURVE = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95)


def _sure(quotes: list[dict[str, Any]], at: float) -> str:
    """"share of the found lines marked sure (confidence >= at) / accuracy of those" """
    found = [q for q in quotes if q["found"]]
    sure = [q for q in found if (q.get("confidence") or 0) >= at]
    right = sum(bool(q["correct"]) for q in sure) / len(sure) if sure else 0.0
    return f"{len(sure) / max(1, len(found)):6.1%} {right:5.3f}"


def confidence_curve(results: dict[str, dict[str, Any]]) -> None:
    """Lines marked sure at each confidence threshold, and how many of them are right: all books, then per book."""
    print("\nconfidence curve (held out): share of found lines marked sure / accuracy of the sure lines")
    print(f"{'sure when confidence >=':26s} " + " ".join(f"{t:>12.2f}" for t in CURVE) + "   chosen (threshold)")
    everything = [q for r in results.values() for q in r["ranker"]]
    chosen = [q for q in everything if q["found"]]
    right = sum(bool(q["correct"]) for q in chosen if q["sure"]) / max(1, sum(q["sure"] for q in chosen))
    print(f"{'all books':26s} " + " ".join(_sure(everything, t) for t in CURVE)
          + f"  {sum(q['sure'] for q in chosen) / max(1, len(chosen)):6.1%} {right:5.3f}")
    for name, r in results.items():
        print(f"{name:26s} " + " ".join(_sure(r["ranker"], t) for t in CURVE)
              + f"  {_sure(r['ranker'], r['sure_from'])} ({r['sure_from']:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", help="comma-separated books (default: all 28)")
    parser.add_argument("--folds", type=int, default=0,
                        help="groups of whole books (default: one per book, leave one book out)")
    parser.add_argument("--no-silver", action="store_true", help="train on the annotated lines only")
    parser.add_argument("--no-write", action="store_true", help="measure only; leave the packaged model alone")
    parser.add_argument("--json-out", type=Path, help="write per-quote outcomes and the summary here")
    parser.add_argument("--cache", type=Path, help="reuse candidate rows kept here (empty it when features change)")
    parser.add_argument("--scores", choices=("rank", "binary"), default=SCORES,
                        help=f"train to rank each line's candidates, or each row on its own (default {SCORES})")
    args = parser.parse_args()
    names = [b.strip() for b in args.books.split(",")] if args.books else list(bn.SPLITS["all"])
    located = {b: bn.novel_path(b) for b in names}
    if any(p is None for p in located.values()):
        print(f"skipped: ../shared/novels is absent ({bn.NOVELS})")
        return 0
    start = time.perf_counter()
    score = bn.load_scorer()
    books = []
    for name, found in located.items():
        assert found is not None
        cached = args.cache / f"{name}.json" if args.cache else None
        if cached is not None and cached.is_file():
            data = json.loads(cached.read_text(encoding="utf-8"))
            books.append(Book(name, found[0], found[1], found[0].read_text(encoding="utf-8"), **data))
            continue
        books.append(gather(score, name, *found, silver=not args.no_silver))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            keep = ("sieve_segments", "x", "y", "weight", "gold_groups", "groups")
            cached.write_text(json.dumps({k: getattr(books[-1], k) for k in keep}), encoding="utf-8")
    gathered = time.perf_counter()
    folds = args.folds or len(books)
    models, shares = fold_models(books, folds, args.scores)
    trained = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for book in books:
        calibration = calibration_for(book, books, folds, shares)
        data = export(models[book.name], calibration)
        check_export(models[book.name], data, book)
        segs = to_json(analyse(book.text, ranker=Ranker(Model(data))))["segments"]
        kept = bn.in_chapters(segs, book.meta, len(book.text))
        base = bn.in_chapters(book.sieve_segments, book.meta, len(book.text))
        results[book.name] = {"ranker": _marked(bn.score_book(score, book.name, book.path, kept)["quotes"],
                                                calibration.sure_from),
                              "sieves": _marked(bn.score_book(score, book.name, book.path, base)["quotes"],
                                                LOW_CONFIDENCE),
                              "sure_from": calibration.sure_from}
    summary = report(results, folds)
    confidence_curve(results)
    rows = sum(len(b.x) for b in books)
    lines = sum(len(b.gold_groups) for b in books)
    print(f"\n{rows} candidate rows from {len(books)} books ({lines} annotated lines); "
          f"gather {gathered - start:.0f} s, {len(books)} fold models {trained - gathered:.0f} s, "
          f"evaluate {time.perf_counter() - trained:.0f} s on {os.cpu_count()} cores")
    if not args.no_write and len(books) == len(bn.SPLITS["all"]):
        data = export(train(books, args.scores), calibrate([s for pts in shares.values() for s in pts]))
        MODEL.parent.mkdir(parents=True, exist_ok=True)
        tmp = MODEL.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        os.replace(tmp, MODEL)
        print(f"wrote {MODEL.relative_to(bn.REPO)} ({MODEL.stat().st_size / 1024:.0f} KiB, {len(data['trees'])} trees)")
    if args.json_out:
        args.json_out.write_text(json.dumps({"summary": summary, "books": results}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
