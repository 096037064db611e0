"""Do two builds say the same thing? Compare their manifest.json files: the same chapter files,
segments (kind, speaker, voice, text offsets, text), announcements and cast, and each segment as
long within a tolerance. eSpeak's clips vary by a few milliseconds between two runs of the same
build, and those add up along a chapter, so absolute times are reported, not required to match.

Run: `.venv/bin/python benchmarks/compare_manifests.py BEFORE/manifest.json AFTER/manifest.json [--ms 5]`.
Prints what differs, the largest segment-length and the largest absolute-time difference; exits 1
when anything but time differs or a segment's length differs by more than the tolerance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

TIMES = {"start", "end", "duration", "anthology_start"}


def compare(a: Any, b: Any, where: str, tolerance: float, out: list[str], worst: list[float]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{where}.{key}: only in {'after' if key in b else 'before'}")
            elif key in TIMES and isinstance(a[key], int | float) and isinstance(b[key], int | float):
                worst.append(abs(a[key] - b[key]))
            else:
                compare(a[key], b[key], f"{where}.{key}", tolerance, out, worst)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items -> {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            compare(x, y, f"{where}[{i}]", tolerance, out, worst)
    elif a != b:
        out.append(f"{where}: {str(a)[:80]!r} -> {str(b)[:80]!r}")


def lengths(manifest: dict[str, Any]) -> list[float]:
    return [s["end"] - s["start"] for f in manifest.get("stories") or [] for s in f.get("segments") or []]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ms", type=float, default=5.0, help="time tolerance in milliseconds")
    args = parser.parse_args()
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (args.before, args.after))
    out: list[str] = []
    worst: list[float] = []
    compare(a, b, "manifest", args.ms / 1000, out, worst)
    gaps = [abs(x - y) for x, y in zip(lengths(a), lengths(b), strict=False)]
    out += [f"segment {i}: {1000 * g:.1f} ms longer or shorter" for i, g in enumerate(gaps) if g > args.ms / 1000]
    print(f"{len(a.get('stories') or [])} chapter files, {len(gaps)} segments; largest difference in a segment's "
          f"length {1000 * max(gaps, default=0):.1f} ms, in an absolute time {1000 * max(worst, default=0):.1f} ms")
    for line in out[:40]:
        print(line)
    if len(out) > 40:
        print(f"... and {len(out) - 40} more")
    print("same" if not out else f"{len(out)} differences")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
