"""Speaker attribution on whole novels: the hand-annotated chapters of benchmarks/novel_dev/.

Runs `audiobook script FILE --json` on each WHOLE book of ../shared/novels (casts are book-wide), keeps
the dialogue segments that start inside the annotated chapters and scores them with the attribution-dev
scorer (tests/fixtures/attribution-dev/score.py): detection F1, attribution accuracy and end-to-end
accuracy per book, overall and per split; then how well `confidence` predicts a right speaker, and how
long the analysis took. Reads ../shared/novels, which a plain clone lacks: then it says so and exits 0.

    .venv/bin/python benchmarks/bench_novels.py [--books a,b] [--split tune|held-out|all] [--json-out F]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "benchmarks" / "novel_dev"
NOVELS = REPO.parent / "shared" / "novels"
SCORER = REPO / "tests" / "fixtures" / "attribution-dev" / "score.py"

# Rules are tuned on TUNE only. The HELD_OUT books are never used to tune rules: they measure generalisation.
TUNE = ("tom_sawyer", "dracula", "little_women", "two_cities", "pinocchio")
HELD_OUT = ("sherlock_holmes", "peter_pan", "anne_avonlea")
# The twenty books annotated for issue 21 (never used to tune the hand rules).
NEW = tuple(sorted(p.name.split(".")[0] for p in DEV.glob("*.quotes.jsonl")
                   if p.name.split(".")[0] not in TUNE + HELD_OUT))
SPLITS = {"tune": TUNE, "held-out": HELD_OUT, "new": NEW, "all": TUNE + HELD_OUT + NEW}
TYPES = ("explicit", "anaphoric", "implicit")
BINS = ((0.0, 0.5, "<0.5"), (0.5, 0.7, "0.5-0.7"), (0.7, 0.9, "0.7-0.9"), (0.9, float("inf"), ">=0.9"))


def _unsure_below() -> float:
    """`LOW_CONFIDENCE` of the script view (lines below it are shown as unsure), else 0.6."""
    try:
        from pipeline.cli.scriptview import LOW_CONFIDENCE
    except Exception:  # the package is importable only when installed and whole
        return 0.6
    return float(LOW_CONFIDENCE)


UNSURE_BELOW = _unsure_below()


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("attribution_dev_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def novel_path(book: str) -> tuple[Path, dict[str, Any]] | None:
    """The book's text and chapters.json; None when the file is absent; exits when its sha256 differs."""
    meta = json.loads((DEV / f"{book}.chapters.json").read_text(encoding="utf-8"))
    path = NOVELS / meta["file"]
    if not path.is_file():
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != meta["sha256"]:
        sys.exit(f"error: {path} has sha256 {digest}, but {book}.chapters.json expects {meta['sha256']}: "
                 "the annotations' offsets do not fit this text")
    return path, meta


def _child_cpu() -> float:
    return sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])  # user + system seconds of waited-for children


def run_program(path: Path) -> tuple[list[dict[str, Any]], float, float]:
    """`audiobook script PATH --json`: its segments, and the wall-clock and CPU seconds it took."""
    exe = Path(sys.executable).parent / "audiobook"
    cmd = [str(exe) if exe.exists() else shutil.which("audiobook") or "audiobook", "script", str(path), "--json"]
    start, cpu = time.perf_counter(), _child_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        sys.exit(f"error: `audiobook script {path.name} --json` exited {proc.returncode}:\n{tail}")
    return json.loads(proc.stdout)["segments"], elapsed, cpu


def startup_seconds() -> tuple[float, float]:
    """What the CLI costs on a one-line text (interpreter and imports): wall and CPU seconds, the least of 3."""
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text('"Hello," said Ann.\n', encoding="utf-8")
        runs = [run_program(tiny)[1:] for _ in range(3)]
        return min(w for w, _ in runs), min(c for _, c in runs)


def in_chapters(segments: list[dict[str, Any]], meta: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """The non-empty dialogue segments that start inside an annotated chapter [start, end)."""
    ranges = [(c["start"], c["end"]) for c in meta["chapters"]]
    return [s for s in segments if s["kind"] == "dialogue" and 0 <= s["start"] < s["end"] <= size
            and any(a <= s["start"] < b for a, b in ranges)]


def outcomes(score: ModuleType, nov: Any, preds: list[tuple[int, int, Any]],
             segs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per gold quotation, as score_novel decides it: found, right speaker, and the deciding segment."""
    spans = [(a, b) for q in nov.quotes for a, b in q["spans"]]
    owner = [qi for qi, q in enumerate(nov.quotes) for _ in q["spans"]]
    g2p = score.match(spans, preds)
    got: dict[int, list[int]] = {}
    for i in g2p:
        got.setdefault(owner[i], []).append(i)
    out = []
    for qi, q in enumerate(nov.quotes):
        idx = got.get(qi, [])
        total = sum(b - a for a, b in q["spans"])
        row: dict[str, Any] = {"id": q["id"], "type": q.get("type"), "gold": q["speaker"], "found": False}
        if idx and total > 0 and sum(spans[i][1] - spans[i][0] for i in idx) >= 0.5 * total:
            seg = segs[g2p[max(idx, key=lambda i: (spans[i][1] - spans[i][0], -i))]]
            row.update(found=True, speaker=seg["speaker"], confidence=seg.get("confidence"), rule=seg.get("rule"),
                       correct=nov.speaker_ok(q["speaker"], seg["speaker"]))
        out.append(row)
    return out


def lenient(score: ModuleType, nov: Any) -> Any:
    """The issue's name leniency on top of the scorer's: a name that picks out the right person and
    no one else counts. A title or not ("Mr. Grey" for Grey; the scorer itself takes "Grey" for Mr. Grey
    when no one else is a Grey), and a full name where
    the book's list has only the first name and the family name is one the book uses ("Anna Grey" for
    Anna: the surname occurs capitalised in the text). A name two people answer to never counts, nor
    a description ("the tall Professor")."""
    strict = nov.speaker_ok
    golds = [c["name"] for c in nov.characters]
    capitalised = set(re.findall(r"\b[A-Z][a-z]+", nov.text))

    def only(name: str) -> str | None:
        """The one character ``name`` names by the scorer's own rule; None for nobody or several."""
        who = [g for g in golds if strict(g, name)]
        return who[0] if len(who) == 1 else None

    def ok(gold: str, pred: Any) -> bool:
        if strict(gold, pred):
            return True
        if not isinstance(pred, str) or not pred.strip():
            return False
        words = score.norm(pred).split()
        bare = [w for w in words if w not in score.STOP_TOKENS]
        if not bare or len(bare) < len(words) - 1 or any(w in ("the", "a", "an") for w in words):
            return False  # a description, not a name
        if bare != words and only(" ".join(bare)) == gold:
            return True  # "Mr. Grey" for Grey
        family = bare[-1].capitalize()
        return len(bare) == 2 and only(bare[0]) == gold and family in capitalised and only(pred) in (None, gold)

    return ok


def load_novel(score: ModuleType, book: str, path: Path) -> Any:
    """The scorer's Novel for ``book`` (the text symlinked beside a copy of its annotations), lenient."""
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp)
        (gold / f"{book}.txt").symlink_to(path)
        for ext in (".quotes.jsonl", ".characters.json"):
            shutil.copyfile(DEV / f"{book}{ext}", gold / f"{book}{ext}")
        nov = score.Novel(str(gold), book)
    nov.speaker_ok = lenient(score, nov)
    return nov


def score_book(score: ModuleType, book: str, path: Path, segs: list[dict[str, Any]]) -> dict[str, Any]:
    """Score the kept segments against the book's annotations, as `score.py` scores a prediction file."""
    nov = load_novel(score, book, path)
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / f"{book}.json"
        pred.write_text(json.dumps({"segments": segs}, ensure_ascii=False), encoding="utf-8")
        preds = score.load_pred(str(pred), len(nov.text), lambda m: print("warning:", m))
    result = score.score_novel(nov, preds)
    rows = outcomes(score, nov, preds, segs)
    found, correct = sum(r["found"] for r in rows), sum(r.get("correct", False) for r in rows)
    if (found, correct) != (result["found"], result["correct"]):  # the calibration must see what the scorer saw
        sys.exit(f"error: {book}: the calibration's per-quote outcomes disagree with score_novel")
    return {"result": result, "quotes": rows}


def print_scores(score: ModuleType, rows: list[tuple[str, dict[str, Any]]]) -> None:
    head = f"{'':18s} {'quotes':>6s} {'found':>6s} {'det_F1':>6s} {'attr':>6s} {'e2e':>6s}"
    print(head + "".join(f" {t + ' e2e (n)':>19s}" for t in TYPES))
    for name, r in rows:
        if name.startswith(("overall", "split")):
            print("-" * (len(head) + 20 * len(TYPES)))
        _p, _r, f1, acc, e2e = score.ratios(r)
        cells = []
        for t in TYPES:
            n, _found, ok = r["by_type"].get(t, [0, 0, 0])
            cells.append(f"{ok / n if n else 0:.3f} ({n:4d})")
        print(f"{name:18s} {r['quotes']:6d} {r['found']:6d} {f1:6.3f} {acc:6.3f} {e2e:6.3f}"
              + "".join(f" {c:>19s}" for c in cells))


def _calibration_line(label: str, group: list[dict[str, Any]]) -> None:
    if group:
        confs = [r["confidence"] for r in group if r["confidence"] is not None]
        mean = f"{sum(confs) / len(confs):9.3f}" if confs else f"{'-':>9s}"
        print(f"{label:24s} {len(group):5d} {sum(r['correct'] for r in group) / len(group):6.3f} {mean}")


def print_calibration(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy per confidence bin and per rule over found quotations; the sure/unsure split at UNSURE_BELOW."""
    found = [r for r in rows if r["found"]]
    print(f"\nconfidence calibration ({len(found)} found quotations of {len(rows)})")
    print(f"{'confidence':24s} {'n':>5s} {'acc':>6s} {'mean conf':>9s}")
    for lo, hi, label in BINS:
        _calibration_line(label, [r for r in found if r["confidence"] is not None and lo <= r["confidence"] < hi])
    _calibration_line("(none)", [r for r in found if r["confidence"] is None])
    print(f"{'rule':24s} {'n':>5s} {'acc':>6s} {'mean conf':>9s}")
    for rule in sorted({str(r["rule"]) for r in found}):
        _calibration_line(rule, [r for r in found if str(r["rule"]) == rule])
    unsure = [r for r in found if r["confidence"] is None or r["confidence"] < UNSURE_BELOW]
    sure = [r for r in found if r["confidence"] is not None and r["confidence"] >= UNSURE_BELOW]
    errors = [r for r in found if not r["correct"]]
    missed = sum(not r["correct"] for r in unsure)
    sure_acc = sum(r["correct"] for r in sure) / len(sure) if sure else 0.0
    print(f"threshold UNSURE_BELOW={UNSURE_BELOW}: {len(sure)} sure lines, accuracy {sure_acc:.3f}; "
          f"{len(unsure)} unsure ({len(unsure) / max(1, len(found)):.1%} of found) hold {missed} of {len(errors)} "
          f"errors ({missed / max(1, len(errors)):.1%})")
    return {"sure": len(sure), "sure_accuracy": sure_acc, "unsure": len(unsure), "errors": len(errors),
            "errors_among_unsure": missed}


def print_timing(times: dict[str, dict[str, float]], startup: tuple[float, float]) -> None:
    print(f"\nanalysis time: CPU s of `audiobook script --json` less {startup[1]:.2f} s of CLI start-up "
          f"(start-up wall {startup[0]:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    heads = ("words", "wall s", "CPU s", "analysis s", "words/s", "s/100k words")
    print(f"{'':18s}" + "".join(f" {h:>{max(7, len(h))}s}" for h in heads))
    total = {k: sum(t[k] for t in times.values()) for k in ("words", "wall", "cpu", "seconds")}
    for book, t in [*times.items(), ("overall", total)]:
        speed = t["words"] / t["seconds"] if t["seconds"] > 0 else float("inf")
        print(f"{book:18s} {int(t['words']):7d} {t['wall']:7.2f} {t['cpu']:7.2f} {t['seconds']:10.2f} {speed:7.0f} "
              f"{t['seconds'] * 100_000 / t['words']:12.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", help="comma-separated books (overrides --split)")
    parser.add_argument("--split", choices=list(SPLITS), default="all", help="which books to run")
    parser.add_argument("--json-out", type=Path, help="write the scores, per-quote outcomes and times here")
    args = parser.parse_args()
    books = [b.strip() for b in args.books.split(",") if b.strip()] if args.books else list(SPLITS[args.split])
    unknown = [b for b in books if b not in SPLITS["all"]]
    if unknown:
        parser.error(f"unknown books: {', '.join(unknown)}; known: {', '.join(SPLITS['all'])}")
    found = {b: novel_path(b) for b in books}
    located = {b: p for b, p in found.items() if p is not None}
    if len(located) < len(books):
        absent = ", ".join(f"{b}.txt" for b in books if b not in located)
        print(f"skipped: ../shared/novels is absent ({NOVELS} lacks {absent})")
        return 0
    score = load_scorer()
    startup = startup_seconds()
    scored: dict[str, dict[str, Any]] = {}
    times: dict[str, dict[str, float]] = {}
    for book in books:
        path, meta = located[book]
        segments, wall, cpu = run_program(path)
        text = path.read_text(encoding="utf-8")
        scored[book] = score_book(score, book, path, in_chapters(segments, meta, len(text)))
        times[book] = {"words": len(text.split()), "wall": wall, "cpu": cpu, "seconds": max(0.0, cpu - startup[1])}
    results = {b: s["result"] for b, s in scored.items()}
    rows = [*results.items(), ("overall", score.aggregate(list(results.values())))]
    for split in ("tune", "held-out", "new"):
        part = [results[b] for b in SPLITS[split] if b in results]
        if part:
            rows.append((f"split {split}", score.aggregate(part)))
    print(f"novel development set: {len(books)} books, scorer {SCORER.relative_to(REPO)}")
    print_scores(score, rows)
    calibration = print_calibration([q for s in scored.values() for q in s["quotes"]])
    print_timing(times, startup)
    if args.json_out:
        data = {"books": scored, "rows": dict(rows), "calibration": calibration, "times": times,
                "startup_seconds": startup, "unsure_below": UNSURE_BELOW}
        args.json_out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
