"""The calibration table of text/attribution/confidence.py, measured afresh.

Runs the attribution on the TUNE books of the novel development set (benchmarks/novel_dev/, whole
books read from ../shared/novels) and on the short-story dev set (tests/fixtures/attribution-dev/),
and prints, for each rule and case a decision can be made by, how many found quotations it decided
and how many of them it got right: the MEASURED rows to paste into confidence.py. The held-out
books are never used. Skips cleanly when ../shared/novels is absent.

    .venv/bin/python benchmarks/calibrate_attribution.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import bench_novels as bn

import pipeline.speakers.attribution.attribute as attribute
from pipeline.cli.scriptview import to_json
from pipeline.speakers.analyse import analyse

DEV = bn.REPO / "tests" / "fixtures" / "attribution-dev"


def _segments_by_case(text: str) -> list[dict[str, Any]]:
    """`to_json(analyse(text))`'s dialogue segments, each with its decision's rule/case as its rule."""
    run = attribute.Sieves.run

    def by_case(self: attribute.Sieves) -> list[attribute.Decision]:
        return [replace(d, rule=d.key) for d in run(self)]

    attribute.Sieves.run = by_case  # type: ignore[method-assign]
    try:
        segments = to_json(analyse(text))["segments"]
    finally:
        attribute.Sieves.run = run  # type: ignore[method-assign]
    return [s for s in segments if s["kind"] == "dialogue" and s["start"] < s["end"]]


def main() -> int:
    located = {b: bn.novel_path(b) for b in bn.TUNE}
    if any(p is None for p in located.values()):
        print(f"skipped: ../shared/novels is absent ({bn.NOVELS})")
        return 0
    score = bn.load_scorer()
    rows: list[dict[str, Any]] = []
    for book, found in located.items():
        assert found is not None
        path, meta = found
        text = path.read_text(encoding="utf-8")
        kept = bn.in_chapters(_segments_by_case(text), meta, len(text))
        rows += bn.score_book(score, book, path, kept)["quotes"]
    for slug in score.list_slugs(str(DEV)):
        nov = score.Novel(str(DEV), slug)
        segs = _segments_by_case(nov.text)
        with tempfile.TemporaryDirectory() as tmp:
            pred = Path(tmp) / "pred.json"
            pred.write_text(json.dumps({"segments": segs}), encoding="utf-8")
            preds = score.load_pred(str(pred), len(nov.text), lambda m: print("warning:", m))
        rows += bn.outcomes(score, nov, preds, segs)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r["found"]:
            stats[str(r["rule"])][0] += bool(r["correct"])
            stats[str(r["rule"])][1] += 1
    for key in sorted(stats):
        right, total = stats[key]
        print(f'    "{key}": ({right}, {total}),  # {right / total:.2f}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
