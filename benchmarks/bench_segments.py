"""Segmentation alone on the annotated novels: which quotations have no segment of their own, and why.

Splits each WHOLE book of ../shared/novels into narration and quotations (`pipeline.reading.segment.split`,
what `audiobook script` does first) and matches the quotation parts that start inside the annotated chapters
against the gold spans of benchmarks/novel_dev with the attribution-dev scorer's one-to-one matching. A gold
quotation the scorer would not count as found cannot be attributed right, whatever the attribution does.
Each such quotation is put down to one cause:

  merged     a part covers it but also another gold quotation, which took the part (two speakers or a
             quote inside narration in one segment)
  cut        parts overlap it, none covers half of it (a quotation split or ended in the wrong place)
  dropped    no part overlaps it (marks not paired, or the pair judged not to be speech)

and to the shape of its text (single-quoted book, several paragraphs, a mark missing, a nested quote...).
Also counted: parts that match no gold quotation (`extra`: quoted words the annotators did not call speech,
which still take a turn in the attribution). Reads ../shared/novels; without it, says so and exits 0.

    .venv/bin/python benchmarks/bench_segments.py [--books a,b] [--show N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_novels

from pipeline.reading.segment import Layout, split

CAUSES = ("merged", "cut", "dropped", "grouped", "split")


def parts_in_chapters(layout: Layout, meta: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, quote id) of each quotation part that starts inside an annotated chapter."""
    ranges = [(c["start"], c["end"]) for c in meta["chapters"]]
    return sorted((a, b, q.quote_id) for q in layout.quotations for a, b in q.parts
                  if any(lo <= a < hi for lo, hi in ranges))


def shape(text: str, quote: dict[str, Any]) -> str:
    """What is unusual about a gold quotation's text: the likely reason the marks misled the splitter."""
    a = quote["spans"][0][0]
    opener = text[a - 1] if a > 0 else ""
    closer = text[quote["spans"][-1][1]] if quote["spans"][-1][1] < len(text) else ""
    inner = "".join(text[x:y] for x, y in quote["spans"])
    if any("\n\n" in text[x:y] or "\n \n" in text[x:y] for x, y in quote["spans"]):
        return "several paragraphs in one span"
    if opener in "‘'" :
        return "single-quoted"
    if opener not in "“\"" or closer not in "”\"":
        return "no mark at an edge"
    if any(c in inner for c in "“”\""):
        return "double marks inside"
    return "plain double-quoted"


def analyse_book(score: Any, book: str, path: Path, meta: dict[str, Any], show: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    layout = split(text)
    seconds = time.perf_counter() - start
    nov = bench_novels.load_novel(score, book, path)
    parts = parts_in_chapters(layout, meta)
    preds = [(a, b, qid) for a, b, qid in parts]
    spans = [(a, b) for q in nov.quotes for a, b in q["spans"]]
    owner = [qi for qi, q in enumerate(nov.quotes) for _ in q["spans"]]
    g2p = score.match(spans, preds)
    matched_parts = set(g2p.values())
    causes: Counter[str] = Counter()
    shapes: Counter[tuple[str, str]] = Counter()
    examples: list[str] = []
    for qi, q in enumerate(nov.quotes):
        own = [i for i, o in enumerate(owner) if o == qi]
        total = sum(b - a for a, b in q["spans"])
        covered = sum(spans[i][1] - spans[i][0] for i in own if i in g2p)
        if total > 0 and covered >= 0.5 * total:
            continue
        overlapping = [j for i in own for j, (pa, pb, _id) in enumerate(preds)
                       if min(pb, spans[i][1]) > max(pa, spans[i][0])]
        half = [j for i in own for j in overlapping
                if min(preds[j][1], spans[i][1]) - max(preds[j][0], spans[i][0]) >= 0.5 * (spans[i][1] - spans[i][0])]
        cause = "merged" if half else "cut" if overlapping else "dropped"
        causes[cause] += 1
        shapes[(cause, shape(text, q))] += 1
        if len(examples) < show:
            a, b = q["spans"][0][0], q["spans"][-1][1]
            got = "; ".join(repr(text[preds[j][0]:preds[j][1]][:60]) for j in sorted(set(overlapping))[:3])
            examples.append(f"  {book} {q['id']} [{cause}] {text[max(0, a - 30):b + 30]!r}\n      parts: {got or '-'}")
    # parts of one quotation share one speaker: gold quotations of different speakers grouped together
    p2g = {j: owner[i] for i, j in g2p.items()}
    by_quote: dict[str, set[int]] = {}
    for j, (_a, _b, qid) in enumerate(preds):
        if j in p2g:
            by_quote.setdefault(qid, set()).add(p2g[j])
    for qid, golds in by_quote.items():
        speakers = {nov.quotes[g]["speaker"] for g in golds}
        if len(speakers) > 1:
            causes["grouped"] += len(golds) - 1
            if len(examples) < show:
                a = min(nov.quotes[g]["spans"][0][0] for g in golds)
                b = max(nov.quotes[g]["spans"][-1][1] for g in golds)
                examples.append(f"  {book} {qid} [grouped] {sorted(speakers)} {text[max(0, a - 30):b + 30]!r}")
    split_speech = sum(1 for qi in range(len(nov.quotes))
                       if len({preds[g2p[i]][2] for i, o in enumerate(owner) if o == qi and i in g2p}) > 1)
    causes["split"] += split_speech
    extra = len(preds) - len(matched_parts)
    return {"quotes": len(nov.quotes), "causes": causes, "shapes": shapes, "extra": extra,
            "parts": len(preds), "seconds": seconds, "words": len(text.split()), "examples": examples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", help="comma-separated books (default: all)")
    parser.add_argument("--show", type=int, default=0, help="print up to N unfound quotations per book")
    args = parser.parse_args()
    books = [b.strip() for b in args.books.split(",") if b.strip()] if args.books else list(bench_novels.SPLITS["all"])
    located = {b: bench_novels.novel_path(b) for b in books}
    if any(p is None for p in located.values()):
        print(f"skipped: ../shared/novels is absent ({bench_novels.NOVELS})")
        return 0
    score = bench_novels.load_scorer()
    rows = {}
    for book in books:
        found = located[book]
        assert found is not None
        rows[book] = analyse_book(score, book, found[0], found[1], args.show)
    print(f"{'book':26s} {'quotes':>6s} {'unfound':>7s} {'%':>6s}" + "".join(f" {c:>7s}" for c in CAUSES)
          + f" {'extra':>6s} {'words/s':>8s}")
    total: Counter[str] = Counter()
    shapes: Counter[tuple[str, str]] = Counter()
    n = extra = 0
    for book, r in rows.items():
        bad = sum(r["causes"][c] for c in CAUSES[:4])
        n, extra = n + r["quotes"], extra + r["extra"]
        total.update(r["causes"])
        shapes.update(r["shapes"])
        print(f"{book:26s} {r['quotes']:6d} {bad:7d} {bad / r['quotes']:6.1%}"
              + "".join(f" {r['causes'][c]:7d}" for c in CAUSES)
              + f" {r['extra']:6d} {r['words'] / max(r['seconds'], 1e-9):8.0f}")
    bad = sum(total[c] for c in CAUSES[:4])
    print(f"{'overall':26s} {n:6d} {bad:7d} {bad / max(n, 1):6.1%}" + "".join(f" {total[c]:7d}" for c in CAUSES)
          + f" {extra:6d}")
    print("\nby cause and shape of the quotation")
    for (cause, kind), count in sorted(shapes.items(), key=lambda kv: -kv[1]):
        print(f"  {cause:8s} {kind:32s} {count:5d}")
    for r in rows.values():
        if r["examples"]:
            print("\n".join(r["examples"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
