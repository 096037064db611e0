"""The cast as a listener hears it: is each person one voice? Over the annotated novels of novel_dev/.

"One person, two voices" (issue 21): of the annotated characters with at least 20 lines found in the
annotated chapters, the share whose lines go out under two or more names that each carry at least a tenth
of their lines. A name stands for the annotated character most of its lines belong to (the listener hears
it as that person's voice), so "Tom" and "Tom Buchanan", "Myrtle" and "Mrs. Wilson", or "Jordan" and
"the girl" for one person all count as a split, whether the scorer accepts the name or not.

Beside it, per book: end-to-end accuracy (the bench_novels scorer) and the number of names that speak.
``--save F`` keeps the figures; ``--compare F`` prints them before (F) and now side by side.

    .venv/bin/python benchmarks/bench_cast.py [--books a,b] [--save F] [--compare F] [--show BOOK]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_novels as bn  # a sibling script, not a package

MIN_LINES = 20  # characters with fewer lines are not judged
SHARE = 0.10  # a name that carries at least this share of a person's lines is one of their voices


def splits(rows: list[dict[str, Any]], nov: Any) -> tuple[int, list[tuple[str, list[tuple[str, int]], int]]]:
    """(characters judged, [(character, [(name, lines)...], lines)]) for the characters heard in 2+ voices.

    A name is one of C's when the scorer accepts it for C, when it is one of the descriptions the
    annotators list for C, or when it is a description or a label (no one's proper name: "the butler",
    "Narrator") most of whose lines are C's. Another proper name on C's lines ("Edgar" for Paul) is a
    wrong attribution, not a second name of C's."""
    found = [r for r in rows if r["found"] and r.get("speaker")]
    by_name: dict[str, Counter[str]] = defaultdict(Counter)
    for r in found:
        by_name[r["speaker"]][r["gold"]] += 1
    described = {c["name"]: {bn_norm(d) for d in c.get("descriptions", [])} for c in nov.characters}

    def names_c(name: str, c: str) -> bool:
        if nov.speaker_ok(c, name) or bn_norm(name) in described.get(c, set()):
            return True
        label = name[:1].islower() or name.lower().startswith("narrator")
        return label and by_name[name].most_common(1)[0][0] == c

    lines: Counter[str] = Counter(r["gold"] for r in found)
    judged = [c for c, n in lines.items() if n >= MIN_LINES and not c.startswith("_")]
    out = []
    for c in sorted(judged):
        names = Counter(r["speaker"] for r in found if r["gold"] == c)
        voices = [(name, n) for name, n in names.most_common() if n >= SHARE * lines[c] and names_c(name, c)]
        if len(voices) >= 2:
            out.append((c, voices, lines[c]))
    return len(judged), out


def bn_norm(s: str) -> str:
    """A name or description as the scorer compares them: lower case, no full stops, "the" dropped."""
    words = s.replace("\u2019", "'").replace(".", " ").lower().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def gold_novel(score: Any, book: str, path: Path) -> Any:
    """The scorer's view of a book's annotations (its cast and the names it accepts for each person)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{book}.txt").symlink_to(path)
        for ext in (".quotes.jsonl", ".characters.json"):
            shutil.copyfile(bn.DEV / f"{book}{ext}", Path(tmp) / f"{book}{ext}")
        return score.Novel(tmp, book)


def measure(books: list[str]) -> dict[str, dict[str, Any]]:
    score = bn.load_scorer()
    out: dict[str, dict[str, Any]] = {}
    for book in books:
        located = bn.novel_path(book)
        if located is None:
            continue
        path, meta = located
        segments, _wall, _cpu = bn.run_program(path)
        text = path.read_text(encoding="utf-8")
        scored = bn.score_book(score, book, path, bn.in_chapters(segments, meta, len(text)))
        result = scored["result"]
        judged, split = splits(scored["quotes"], gold_novel(score, book, path))
        speakers = Counter(s["speaker"] for s in segments if s["kind"] == "dialogue" and s.get("speaker"))
        out[book] = {
            "quotes": result["quotes"], "correct": result["correct"], "judged": judged,
            "split": [[c, voices, n] for c, voices, n in split], "speakers": len(speakers),
            "cast": speakers.most_common(),
        }
    return out


def print_table(now: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]] | None) -> None:
    if before:
        print(f"{'book':26s} {'e2e before':>10s} {'e2e now':>8s} {'split before':>13s} {'split now':>10s}"
              f" {'speakers before':>16s} {'now':>5s}")
    else:
        print(f"{'book':26s} {'e2e':>6s} {'split':>8s} {'speakers':>9s}")
    for book, r in now.items():
        e2e = r["correct"] / r["quotes"]
        cell = f"{len(r['split'])}/{r['judged']}"
        b = (before or {}).get(book)
        if before and b:
            print(f"{book:26s} {b['correct'] / b['quotes']:10.3f} {e2e:8.3f} {len(b['split'])}/{b['judged']:>3}"
                  f"{'':7s} {cell:>10s} {b['speakers']:16d} {r['speakers']:5d}")
        else:
            print(f"{book:26s} {e2e:6.3f} {cell:>8s} {r['speakers']:9d}")
    for label, data in (("before", before), ("now", now)):
        if not data:
            continue
        rows = [data[b] for b in now if b in data]
        quotes, correct = sum(r["quotes"] for r in rows), sum(r["correct"] for r in rows)
        judged, split = sum(r["judged"] for r in rows), sum(len(r["split"]) for r in rows)
        print(f"overall {label:7s} e2e {correct / quotes:.3f} ({correct}/{quotes}); one person, two voices: "
              f"{split}/{judged} = {split / max(1, judged):.1%} of the characters with >= {MIN_LINES} lines")
    print("\nsplit characters now (name: lines):")
    for book, r in now.items():
        for c, voices, n in r["split"]:
            print(f"  {book}: {c} ({n} lines) -> " + ", ".join(f"{name!r}: {k}" for name, k in voices))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", help="comma-separated books (default: all 28)")
    parser.add_argument("--save", type=Path, help="write the figures here (JSON)")
    parser.add_argument("--compare", type=Path, help="figures saved before, to print beside today's")
    parser.add_argument("--show", help="print the whole cast of this book (names and lines)")
    args = parser.parse_args()
    books = [b.strip() for b in args.books.split(",")] if args.books else list(bn.SPLITS["all"])
    unknown = [b for b in books if b not in bn.SPLITS["all"]]
    if unknown:
        parser.error(f"unknown books: {', '.join(unknown)}")
    if any(bn.novel_path(b) is None for b in books):
        print(f"skipped: ../shared/novels is absent ({bn.NOVELS})")
        return 0
    now = measure(books)
    before = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    print_table(now, before)
    if args.show and args.show in now:
        print(f"\ncast of {args.show} (every speaking name in the whole book, lines):")
        print("  " + ", ".join(f"{name} {n}" for name, n in now[args.show]["cast"]))
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
