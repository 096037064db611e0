"""Do two builds say the same thing? Compare their manifest.json files: the same chapter files,
segments (kind, speaker, voice, text offsets, text), announcements and cast, with times equal
within a tolerance (eSpeak's output varies by a few milliseconds between runs).

Run: `.venv/bin/python benchmarks/compare_manifests.py BEFORE/manifest.json AFTER/manifest.json [--ms 5]`.
Prints what differs and the largest time difference; exits 1 when they differ.
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
                gap = abs(a[key] - b[key])
                worst.append(gap)
                if gap > tolerance:
                    out.append(f"{where}.{key}: {a[key]} -> {b[key]}")
            else:
                compare(a[key], b[key], f"{where}.{key}", tolerance, out, worst)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items -> {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            compare(x, y, f"{where}[{i}]", tolerance, out, worst)
    elif a != b:
        out.append(f"{where}: {str(a)[:80]!r} -> {str(b)[:80]!r}")


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
    segments = sum(len(s.get("segments") or []) for s in a.get("stories") or [])
    print(f"{len(a.get('stories') or [])} chapter files, {segments} segments, {len(worst)} times compared; "
          f"largest time difference {1000 * max(worst, default=0):.1f} ms")
    for line in out[:40]:
        print(line)
    if len(out) > 40:
        print(f"... and {len(out) - 40} more")
    print("same" if not out else f"{len(out)} differences")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
