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
deciding rule, next to the sieves alone. The model scores each candidate row on its own (`--scores rank`
trains it to rank each line's candidates instead, LightGBM's lambdarank: see SCORES). The confidence of a
held-out book is calibrated on the other books' held-out predictions only (a logistic curve on the logit of the first
pass's share: attribution/calibration.py), and so is its threshold for sure lines: the lowest confidence whose lines at
or above it were 95% right there.
Last, the model trained on all 28 books, with the calibration and threshold of all held-out predictions,
is written to pipeline/speakers/attribution/data/ranker.json (unless --no-write).

Deterministic (LightGBM with deterministic=True, fixed seeds, row-wise histograms, 2 threads) and a
few minutes on 2 cores. Skips cleanly without ../shared/novels.

    .venv/bin/python benchmarks/train_ranker.py [--books a,b] [--folds N] [--scores rank|binary] [--cache DIR]
                                                [--no-silver] [--no-write] [--json-out F]
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
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
from sklearn.metrics import roc_auc_score

from pipeline.cli.scriptview import LOW_CONFIDENCE, to_json
from pipeline.model import GROUP
from pipeline.speakers.analyse import analyse, examine, sieves_only
from pipeline.speakers.attribution.calibration import SURE_TARGET, Calibration, calibrate, most_sure
from pipeline.speakers.attribution.features import FEATURES, candidate_table, hidden_table
from pipeline.speakers.attribution.ranker import (
    COPIED_AT,
    FORMAT,
    MODEL,
    Model,
    Ranker,
    addressed,
    for_second,
    links,
    named_by_tag,
    shares_by_line,
)
from pipeline.speakers.attribution.stacking import BROKEN, SECOND, picks, second_rows

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
    gold_speakers: list[list[int]] = field(default_factory=list)  # per gold line, its candidates (GROUP as -1)
    gold_links: list[int] = field(default_factory=list)  # per gold line, how it joins the gold line before
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
    joined, last = links(ex.layout.quotations), -2
    for q in nov.quotes:
        a, b = q["spans"][0]
        qi = _find(starts, parts, a, b)
        if qi is None or qi in gold_lines:
            continue
        gold_lines.add(qi)
        cands = table[qi]
        right = [nov.speaker_ok(q["speaker"], GROUP if s == GROUP else names[s]) for s in cands.speakers]  # type: ignore[index]
        book.gold_groups.append((len(book.x), len(cands.rows), any(right)))
        book.gold_speakers.append([-1 if c == GROUP else int(c) for c in cands.speakers])
        book.gold_links.append(joined[qi] if qi == last + 1 else BROKEN)
        last = qi
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


#: How the trees learn: "binary" (each candidate row on its own, scored by its probability) or "rank"
#: (LightGBM's lambdarank over each line's candidates, scored at run time by a softmax over the line).
#: Measured leave one book out on main after issue 21's cast: rank 0.778 on average vs 0.772, but the
#: short-story dev set fell to 0.884 with it (0.897 binary; it must stay at 0.89 or more).
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


def _trees(booster: lgb.Booster) -> list[dict[str, list[Any]]]:
    trees = []
    for info in booster.dump_model()["tree_info"]:
        out: dict[str, list[Any]] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}
        _tree(info["tree_structure"], out)
        trees.append(out)
    return trees


def export(booster: lgb.Booster, calibration: Calibration, second: lgb.Booster | None) -> dict[str, Any]:
    rank = _ranks(booster)
    data = {"format": FORMAT, "features": list(FEATURES), "trees": _trees(booster),
            "scores": "rank" if rank else "binary",
            "calibration": calibration.table(),
            "trained": {"params": {**PARAMS, **RANKING} if rank else PARAMS, "rounds": ROUNDS,
                        "silver_weight": SILVER_WEIGHT, "sure_target": SURE_TARGET}}
    if second is not None:
        data["second"] = {"features": list(SECOND), "trees": _trees(second),
                          "trained": {"params": SECOND_PARAMS, "rounds": SECOND_ROUNDS}}
    return data


def _ranks(booster: lgb.Booster) -> bool:
    """The booster was trained to rank a line's candidates (lambdarank), not each row on its own."""
    return str(booster.params.get("objective")) == "lambdarank"


@dataclass(frozen=True)
class HeldOut:
    """A book's gold lines as a first pass that never saw the book scores them: the second pass's rows
    (stacking.py), which candidates are right, and what picking a line's candidate needs."""

    first: np.ndarray  # the first pass's share per row (0 when vetoed)
    x: np.ndarray  # the second pass's features per row
    y: np.ndarray  # 1 for a right candidate
    sizes: np.ndarray  # rows per gold line
    tagged: np.ndarray  # the row a line's explicit tag names
    vetoed: np.ndarray  # a person the line addresses
    rows: np.ndarray  # the first pass's features


def held_out(booster: lgb.Booster, book: Book) -> HeldOut:
    """The gold lines of ``book`` scored by ``booster``, as ranker.Model.scores reads them."""
    at = np.asarray([i for first, n, _any in book.gold_groups for i in range(first, first + n)], dtype=np.intp)
    x = np.asarray(book.x, dtype=float).reshape(-1, len(FEATURES))[at]
    sizes = [n for _first, n, _any in book.gold_groups]
    vetoed, tagged = addressed(x), named_by_tag(x)
    raw = np.asarray(booster.predict(x, raw_score=True)) if len(x) else np.zeros(0)
    p = shares_by_line(raw, vetoed, sizes, _ranks(booster))
    ids = np.asarray([c for who in book.gold_speakers for c in who], dtype=np.int64)
    x2 = second_rows(p, sizes, ids, tagged, book.gold_links, x[:, COPIED_AT])
    y = np.asarray(book.y, dtype=float)[at]
    return HeldOut(p, x2, y, np.asarray(sizes, dtype=np.intp), tagged, vetoed, x)


def outcomes(held: HeldOut, q: np.ndarray) -> list[tuple[float, bool]]:
    """(the first pass's share of the line's pick, it is right) per gold line that picks someone, picked by
    ``q`` (as ranker.Ranker picks and gives confidence)."""
    q = np.where(held.vetoed, 0.0, np.where(for_second(held.rows, held.sizes.tolist()), q, held.first))
    chosen = np.flatnonzero(picks(q, held.sizes, held.tagged))
    return list(zip(held.first[chosen].tolist(), (held.y[chosen] > 0).tolist(), strict=True))


#: The second pass's trees: fewer and shallower than the first's, as it reads 23 features, not 60 (each level
#: of the deepest tree is one numpy step over the rows at run time: analysis stays under 5% of eSpeak's time).
SECOND_PARAMS: dict[str, Any] = {**PARAMS, "max_depth": 6}
SECOND_ROUNDS = 60
#: Measured leave one book out: on main before issue 21's final cast the second pass took the average of
#: books from 0.772 to 0.776 (annotated lines 0.774 -> 0.778); on the final cast from 0.790 to 0.791 (lines
#: 0.792 -> 0.793), and the short-story dev set from 0.897 to 0.901 (explicit lines 143 -> 144 of 146), for
#: 5% more analysis time (1 MB: 2.44 -> 2.57 CPU s; 4.95% of eSpeak's time). `--no-second` leaves it out.
SECOND_PASS = True


def train_second(held: list[HeldOut]) -> lgb.Booster:
    """The second pass, on the first pass's held-out predictions only (each book scored by a model that never
    saw it), gold lines only: one row per candidate, right or not."""
    data = lgb.Dataset(np.vstack([h.x for h in held]), np.concatenate([h.y for h in held]),
                       feature_name=list(SECOND), free_raw_data=True)
    return lgb.train(SECOND_PARAMS, data, num_boost_round=SECOND_ROUNDS)


def check_export(booster: lgb.Booster, second: lgb.Booster | None, data: dict[str, Any], book: Book,
                 held: HeldOut) -> None:
    """The exported trees must score as LightGBM does."""
    model = Model(data)
    pairs = [(booster, model.forest, np.asarray(book.x[:2000], dtype=float))]
    if second is not None and model.second is not None:
        pairs.append((second, model.second, held.x[:2000]))
    for trees, forest, x in pairs:
        if len(x) and float(np.max(np.abs(trees.predict(x, raw_score=True) - forest.raw(x)))) > 1e-4:
            sys.exit("error: the exported trees disagree with LightGBM")


def folds_of(books: list[Book], n: int) -> list[list[Book]]:
    """``n`` groups of whole books (every n-th book of the sorted list): n = the number of books is leave-one-out."""
    ordered = sorted(books, key=lambda b: b.name)
    return [ordered[k::n] for k in range(min(n, len(books)))]


Shares = dict[str, list[tuple[float, bool]]]  # per book, (best candidate's share, it is right) per gold line


def fold_models(books: list[Book], n: int, scores: str,
                cache: Path | None = None) -> tuple[dict[str, lgb.Booster], dict[str, HeldOut]]:
    """Per book, the model trained on the books of the other folds, and the book's gold lines as it scores them.
    With ``cache``, a fold's model is kept there under a digest of what trained it, and reused."""
    models, held = {}, {}
    digests = {b.name: _digest(b) for b in books} if cache else {}
    for fold in folds_of(books, n):
        rest = [b for b in books if b not in fold]
        kept = cache / f"model-{_key(rest, digests, scores)}.txt" if cache else None
        if kept is not None and kept.is_file():
            booster = lgb.Booster(model_str=kept.read_text(encoding="utf-8"))
        else:
            booster = train(rest, scores)
            if kept is not None:
                kept.write_text(booster.model_to_string(), encoding="utf-8")
        for book in fold:
            models[book.name], held[book.name] = booster, held_out(booster, book)
        print(f"  fold {', '.join(b.name for b in fold)}: trained on {len(rest)} books",
              file=sys.stderr, flush=True)
    return models, held


def _digest(book: Book) -> str:
    h = hashlib.sha256()
    for part in (book.x, book.y, book.weight):
        h.update(np.asarray(part, dtype=float).tobytes())
    return h.hexdigest()


def _key(books: list[Book], digests: dict[str, str], scores: str) -> str:
    """A digest of a model's training: its rows, parameters and features."""
    what = [PARAMS, RANKING if scores == "rank" else {}, ROUNDS, SILVER_WEIGHT, FEATURES,
            sorted(digests[b.name] for b in books)]
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:20]


def second_models(books: list[Book], n: int, held: dict[str, HeldOut],
                  cache: Path | None) -> tuple[dict[str, lgb.Booster], dict[str, list[tuple[float, bool]]]]:
    """Per book, the second pass trained on the held-out first-pass predictions of the books of the other
    folds, and (its pick's score, right) per gold line of the book as that second pass scores it."""
    models, out = {}, {}
    for fold in folds_of(books, n):
        rest = [held[b.name] for b in books if b not in fold]
        key = hashlib.sha256(json.dumps([SECOND_PARAMS, SECOND_ROUNDS, SECOND]).encode())
        for h in rest:
            key.update(h.x.tobytes() + h.y.tobytes())
        kept = cache / f"second-{key.hexdigest()[:20]}.txt" if cache else None
        if kept is not None and kept.is_file():
            booster = lgb.Booster(model_str=kept.read_text(encoding="utf-8"))
        else:
            booster = train_second(rest)
            if kept is not None:
                kept.write_text(booster.model_to_string(), encoding="utf-8")
        for book in fold:
            h = held[book.name]
            models[book.name] = booster
            out[book.name] = outcomes(h, np.asarray(booster.predict(h.x)) if len(h.x) else np.zeros(0))
    return models, out


def _passes_report(held: dict[str, HeldOut], second: dict[str, list[tuple[float, bool]]]) -> None:
    """The annotated lines right by the first pass alone and with the second, both held out."""
    first = [r for h in held.values() for _p, r in outcomes(h, h.first)]
    then = [r for pts in second.values() for _p, r in pts]
    print(f"annotated lines the held-out ranker got right: first pass {sum(first) / max(1, len(first)):.3f}, "
          f"with the second pass {sum(then) / max(1, len(then)):.3f}")


def others_of(book: Book, books: list[Book], n: int) -> list[str]:
    """The books a held-out book's turn weights and calibration are chosen on: the other books of its fold
    (scored by the same model, which saw none of them), or all other books when the fold is the book alone."""
    fold = next(f for f in folds_of(books, n) if book in f)
    return [b.name for b in fold if b is not book] or [b.name for b in books if b is not book]


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


def discrimination(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How well confidence tells right lines from wrong, held out: per book and over all, the AUC of the
    confidence (the chance a right line is more confident than a wrong one) and the most lines that could be
    sure at `SURE_TARGET` right if the threshold were chosen on the book itself (an upper bound no threshold
    chosen elsewhere reaches), next to the unsure share and sure accuracy the chosen threshold gave."""
    print(f"\ndiscrimination (held out): AUC of confidence; at most sure at {SURE_TARGET:.0%} right (threshold chosen"
          " on the book itself); unsure / sure right with the threshold chosen on the other books")
    out: dict[str, Any] = {}
    found_of = {name: [q for q in r["ranker"] if q["found"]] for name, r in results.items()}
    for name, found in [*found_of.items(), ("all books", [q for f in found_of.values() for q in f])]:
        conf = np.asarray([q.get("confidence") or 0.0 for q in found], dtype=float)
        right = np.asarray([bool(q["correct"]) for q in found], dtype=float)
        auc = roc_auc_score(right, conf) if 0 < right.sum() < len(right) else float("nan")
        sure = [q for q in found if q["sure"]]
        row = {"auc": float(auc), "most_sure": most_sure(conf, right), "unsure": 1 - len(sure) / max(1, len(found)),
               "sure_right": sum(bool(q["correct"]) for q in sure) / max(1, len(sure))}
        out[name] = row
        print(f"{name:26s} AUC {row['auc']:.3f}  at most sure {row['most_sure']:6.1%}  unsure {row['unsure']:6.1%}"
              f"  sure right {row['sure_right']:.3f}")
    books = [v for k, v in out.items() if k != "all books"]
    print(f"average of books: unsure {np.mean([b['unsure'] for b in books]):.1%}, sure right"
          f" {np.mean([b['sure_right'] for b in books]):.3f}; books with unsure <= 35%:"
          f" {sum(b['unsure'] <= 0.35 for b in books)}, with sure lines >= {SURE_TARGET:.0%} right:"
          f" {sum(b['sure_right'] >= SURE_TARGET for b in books)} of {len(books)}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", help="comma-separated books (default: all 28)")
    parser.add_argument("--folds", type=int, default=0,
                        help="groups of whole books (default: one per book, leave one book out)")
    parser.add_argument("--no-silver", action="store_true", help="train on the annotated lines only")
    parser.add_argument("--no-write", action="store_true", help="measure only; leave the packaged model alone")
    parser.add_argument("--second", action=argparse.BooleanOptionalAction, default=SECOND_PASS,
                        help="add the second pass over each exchange (stacking.py; default: yes)")
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
            if data.pop("features", None) == list(FEATURES):  # rows of other features are gathered again
                books.append(Book(name, found[0], found[1], found[0].read_text(encoding="utf-8"), **data))
                continue
        books.append(gather(score, name, *found, silver=not args.no_silver))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            keep = ("sieve_segments", "x", "y", "weight", "gold_groups", "groups", "gold_speakers", "gold_links")
            cached.write_text(json.dumps({"features": FEATURES, **{k: getattr(books[-1], k) for k in keep}}),
                              encoding="utf-8")
    gathered = time.perf_counter()
    folds = args.folds or len(books)
    models, held = fold_models(books, folds, args.scores, args.cache)
    trained = time.perf_counter()
    first_pts = {name: outcomes(h, h.first) for name, h in held.items()}
    seconds, second_pts = second_models(books, folds, held, args.cache) if args.second else ({}, first_pts)
    tuned = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for book in books:
        others = others_of(book, books, folds)
        calibration = calibrate([p for name in others for p in second_pts[name]])
        data = export(models[book.name], calibration, seconds.get(book.name))
        check_export(models[book.name], seconds.get(book.name), data, book, held[book.name])
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
    summary["discrimination"] = discrimination(results)
    rows = sum(len(b.x) for b in books)
    lines = sum(len(b.gold_groups) for b in books)
    print(f"\n{rows} candidate rows from {len(books)} books ({lines} annotated lines); "
          f"gather {gathered - start:.0f} s, {len(books)} fold models {trained - gathered:.0f} s, "
          f"second passes {tuned - trained:.0f} s, evaluate {time.perf_counter() - tuned:.0f} s"
          f" on {os.cpu_count()} cores")
    if args.second:
        _passes_report(held, second_pts)
    if not args.no_write and len(books) == len(bn.SPLITS["all"]):
        calibration = calibrate([p for pts in second_pts.values() for p in pts])
        data = export(train(books, args.scores), calibration,
                      train_second(list(held.values())) if args.second else None)
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
