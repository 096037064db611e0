"""Sort the held-out attribution errors into kinds, per deciding rule.

Reads the per-quote outcomes `train_ranker.py --json-out F` writes (leave one book out) and, for each
wrong line decided by a rule that reads the exchange (turn-taking, pronoun-tag, ranker, action-beat,
fallback, previous-paragraph), puts it in the first kind that fits, reading the annotations of the
lines around it:
  cast          the speaker given is a name no annotated person answers to
  narrator      the first-person narrator (the annotated speaker of "I said" lines) is the gold or the given one
  pronoun       a pronoun tag given to another person of the same gender
  vocative      the line names, addressing them, the person it was given to
  newcomer      the annotated speaker is none of the last six speakers (a third person joining)
  carried       narration (over 40 words or a paragraph) stands between the lines and a recent speaker was given
  missed turn   the other participant was given (one of the last four speakers, or the person addressed)
  outsider      the annotated speaker is one of the last three, but someone else was given

    .venv/bin/python benchmarks/attribution_errors.py OUTCOMES.json [--examples N]
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import bench_novels as bn

RULES = ("turn-taking", "pronoun-tag", "ranker", "action-beat", "fallback", "previous-paragraph")


def narrator_of(quotes: list[dict[str, Any]]) -> str | None:
    """The annotated speaker of most lines tagged with "I" ("I said", "said I"), if at least three."""
    said_i = Counter(q["speaker"] for q in quotes
                     if "i" in re.findall(r"[a-z]+", (q.get("referring_expression") or "").lower()))
    top = said_i.most_common(1)
    return top[0][0] if top and top[0][1] >= 3 else None


def kind_of(o: dict[str, Any], k: int, order: list[str], nov: Any, at: dict[str, Any]) -> str:
    """The kind of the wrong line ``o`` (the ``k``-th of its book); ``at`` holds what the book shares."""
    q, got, gold, ok = at["quotes"][o["id"]], o["speaker"], o["gold"], nov.speaker_ok
    chars = at["chars"]
    prev = at["quotes"][order[k - 1]] if k else None
    recent = [at["quotes"][order[j]]["speaker"] for j in range(max(0, k - 6), k)]
    got_char = next((c for name, c in chars.items() if ok(name, got)), None)
    addressees = q.get("addressees") or []
    if got_char is None:
        return "cast"
    if at["narrator"] and (gold == at["narrator"] or ok(at["narrator"], got)):
        return "narrator"
    if o["rule"] == "pronoun-tag":
        return "pronoun" if got_char.get("gender") == chars.get(gold, {}).get("gender") else "pronoun, other"
    if any(ok(a, got) and _named_in(q["text"], a, chars) for a in addressees):
        return "vocative"
    if gold not in recent:
        return "newcomer"
    para = at["para"]
    between = nov.text[prev["end"] : q["start"]] if prev else ""
    words = len(re.findall(r"[A-Za-z]+", re.sub(r'"[^"]*"', "", between)))
    if prev and (para(q["start"]) - para(prev["end"]) > 2 or words > 40) and any(ok(s, got) for s in recent):
        return "carried"
    if any(ok(s, got) for s in recent[-4:]) or any(ok(a, got) for a in addressees):
        return "missed turn"
    return "outsider" if gold in recent[-3:] else "other"


def _named_in(text: str, person: str, chars: dict[str, Any]) -> bool:
    forms = [person.split()[0], person.split()[-1], *chars.get(person, {}).get("aliases", [])]
    return any(re.search(r"\b" + re.escape(w) + r"\b", text) for w in forms if w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outcomes", type=Path, help="the --json-out file of train_ranker.py")
    parser.add_argument("--examples", type=int, default=0, help="wrong lines to show per kind")
    args = parser.parse_args()
    books = json.loads(args.outcomes.read_text(encoding="utf-8"))["books"]
    score = bn.load_scorer()
    kinds: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {r: Counter() for r in RULES}
    shown: dict[str, list[str]] = {}
    for book, result in books.items():
        found = bn.novel_path(book)
        if found is None:
            print(f"skipped: ../shared/novels is absent ({bn.NOVELS})")
            return
        nov = bn.load_novel(score, book, found[0])
        starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", nov.text)]
        at = {"quotes": {q["id"]: q for q in nov.quotes}, "chars": {c["name"]: c for c in nov.characters},
              "narrator": narrator_of(nov.quotes), "para": lambda off, s=starts: bisect.bisect_right(s, off) - 1}
        outs = result["ranker"]
        order = [o["id"] for o in outs]
        for k, o in enumerate(outs):
            if o["found"] and not o["correct"] and o.get("rule") in RULES:
                kind = kind_of(o, k, order, nov, at)
                kinds[kind] += 1
                by_rule[o["rule"]][kind] += 1
                if len(shown.get(kind, [])) < args.examples:
                    line = f"{book} {o['id']} {o['rule']}: {o['gold']} given to {o['speaker']}"
                    shown.setdefault(kind, []).append(line)
    print(f"{'kind':16s} {'lines':>6s} " + " ".join(f"{r[:12]:>12s}" for r in RULES))
    for kind, n in kinds.most_common():
        print(f"{kind:16s} {n:6d} " + " ".join(f"{by_rule[r][kind]:12d}" for r in RULES))
    print(f"{'all wrong':16s} {sum(kinds.values()):6d} " + " ".join(f"{sum(by_rule[r].values()):12d}" for r in RULES))
    for kind, lines in shown.items():
        print(f"\n{kind}:\n  " + "\n  ".join(lines))


if __name__ == "__main__":
    main()
