"""Hand annotation of whole chapters of ../shared/novels, in the attribution-dev format.

The annotator reads the book, not the program: this tool knows nothing of the pipeline's attribution. It
only finds the quoted stretches (by their marks) so that nobody counts offsets by hand, numbers them through
the whole book (q1, q2, ...; the numbering depends on the text alone), and turns a compact hand-written
annotation into the `<book>.quotes.jsonl` and `<book>.chapters.json` that bench_novels.py and score.py read.

    python benchmarks/novel_dev/annotate.py headings BOOK            # heading-like lines with their offsets
    python benchmarks/novel_dev/annotate.py show BOOK START [END]    # paragraphs and their quote candidates
    python benchmarks/novel_dev/annotate.py compile BOOK             # ann/BOOK.ann -> BOOK.quotes.jsonl, .chapters.json
    python benchmarks/novel_dev/annotate.py compile BOOK --ann F --check   # check another annotation, write nothing
    python benchmarks/novel_dev/annotate.py stats [BOOK ...]         # counts per book and type
    python benchmarks/novel_dev/annotate.py agree A.ann B.ann        # agreement of two annotations of one book

BOOK is a file stem of ../shared/novels (e.g. jane_eyre). START and END are character offsets, or a line of
`headings` (its offset). The annotation, `ann/BOOK.ann`, is plain text:

    @chapter 12345 23456 CHAPTER III          a chapter annotated whole: [start, end) and its title
    q101 | Jane Eyre | explicit | said I | to: Mrs. Reed
    q102+q103 | Mrs. Reed | anaphoric | she said          one speech act over two quoted stretches
    q104 | -                                               quoted, but not speech (a title, a sign, scare quotes)
    q105 | Bessie | implicit
    @span 23000-23050,23060-23100 | Bessie | implicit     spans given by hand where the marks mislead the finder
    # a comment

Every candidate that starts inside an annotated chapter must be listed (with a speaker or `-`), so that
nothing is forgotten; `compile` says which are missing. Types may be abbreviated e/a/i. The referring
expression is copied verbatim from the quote's paragraph (or, for a tag before the quote, the paragraph that
leads into it); `to:` lists addressees separated by `;`. Speakers and addressees are canonical names of
`BOOK.characters.json` (or `_group`).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOVELS = HERE.parent.parent.parent / "shared" / "novels"
ANN = HERE / "ann"
TYPES = {"e": "explicit", "a": "anaphoric", "i": "implicit"}
PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")

# Each style: (opener, closer) characters of the outer quotation marks.
STYLES = {"curly": ("\u201c", "\u201d"), "straight": ('"', '"'), "single": ("\u2018", "\u2019"),
          "ascii-single": ("'", "'")}


@dataclass
class Candidate:
    """A quoted stretch found by its marks: one or more spans (a quote continued over paragraphs)."""

    id: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    unclosed: bool = False


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph (blocks between blank lines), trailing white space excluded."""
    out, pos = [], 0
    for m in PARA_BREAK.finditer(text):
        block = text[pos:m.start()]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            out.append((pos + lead, pos + len(block.rstrip())))
        pos = m.end()
    block = text[pos:]
    if block.strip():
        lead = len(block) - len(block.lstrip())
        out.append((pos + lead, pos + len(block.rstrip())))
    return out


def style_of(text: str) -> str:
    """The book's outer marks: curly doubles, straight doubles, curly singles or ASCII singles."""
    counts = {
        "curly": text.count("\u201c"),
        "straight": text.count('"') // 2,
        "single": len(re.findall(r"(?:^|(?<=[\s(—-]))\u2018", text)),
        "ascii-single": len(re.findall(r"(?:^|(?<=[\s(]))'(?=[A-Za-z])", text)),
    }
    return max(counts, key=lambda k: counts[k])


def _is_letter(c: str) -> bool:
    return c.isalnum()


def _opens(text: str, i: int, style: str) -> bool:
    opener, _ = STYLES[style]
    if text[i] != opener:
        return False
    if style in ("curly", "straight"):
        return True
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not _is_letter(before) and not after.isspace()  # not an elision like o'clock, 'tis (handled as opener)


def _closes(text: str, i: int, style: str) -> bool:
    _, closer = STYLES[style]
    if text[i] != closer:
        return False
    if style in ("curly", "straight"):
        return True
    after = text[i + 1] if i + 1 < len(text) else " "
    before = text[i - 1] if i > 0 else " "
    return not _is_letter(after) and not before.isspace()


def find_candidates(text: str, style: str) -> list[Candidate]:
    """Quoted stretches of the whole text, in order. A paragraph that ends inside a quote continues it into
    the next paragraph when that one opens with a mark (the printers' convention); otherwise the quote is
    marked unclosed and runs to its paragraph's end."""
    paras = paragraphs(text)
    out: list[Candidate] = []
    carry: Candidate | None = None
    for pi, (ps, pe) in enumerate(paras):
        i = ps
        current: Candidate | None = None
        start = -1
        if carry is not None:
            j = ps
            while j < pe and text[j] in " \t":
                j += 1
            if j < pe and _opens(text, j, style):
                current, start, i = carry, j + 1, j + 1
            else:
                carry.unclosed = True
            carry = None
        while i < pe:
            if current is None:
                if _opens(text, i, style):
                    current = Candidate(id=f"q{len(out) + 1}")
                    out.append(current)
                    start = i + 1
            elif _closes(text, i, style):
                if i > start:
                    current.spans.append((start, i))
                elif not current.spans:
                    out.remove(current)
                current = None
            i += 1
        if current is not None:
            current.spans.append((start, pe))
            nxt = paras[pi + 1][0] if pi + 1 < len(paras) else None
            if nxt is not None:
                carry = current
            else:
                current.unclosed = True
    for n, c in enumerate(out, 1):
        c.id = f"q{n}"
    return [c for c in out if c.spans]


@dataclass
class Book:
    stem: str
    path: Path
    text: str
    style: str
    candidates: dict[str, Candidate]
    paras: list[tuple[int, int]]

    @classmethod
    def load(cls, stem: str, style: str | None = None) -> Book:
        path = NOVELS / f"{stem}.txt"
        if not path.is_file():
            sys.exit(f"error: no {path}")
        text = path.read_bytes().decode("utf-8")
        style = style or style_of(text)
        cands = find_candidates(text, style)
        return cls(stem, path, text, style, {c.id: c for c in cands}, paragraphs(text))

    def para_index(self, offset: int) -> int:
        lo, hi = 0, len(self.paras) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paras[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo


def oneline(s: str) -> str:
    return re.sub(r"\s*\n\s*", " ", s)


def cmd_headings(book: Book, _args: argparse.Namespace) -> None:
    pat = re.compile(r"^(?:[A-Z][A-Z .,'’\-]{0,60}|(?:Chapter|Book|Part|Volume|Letter|Prologue|Epilogue|Stave)\b.*"
                     r"|[IVXLC]+\.?(?:\s+[^a-z]*)?|\d+\.?)$")
    pos = 0
    for line in book.text.split("\n"):
        s = line.strip()
        if s and len(s) < 80 and pat.match(s) and any(ch.isalpha() or ch.isdigit() for ch in s):
            print(f"{pos + line.index(s):8d}  {s}")
        pos += len(line) + 1


def cmd_show(book: Book, args: argparse.Namespace) -> None:
    start, end = int(args.start), int(args.end) if args.end else len(book.text)
    by_para: dict[int, list[tuple[Candidate, int, int]]] = {}
    for c in book.candidates.values():
        for k, (a, _b) in enumerate(c.spans):
            if start <= a < end:
                by_para.setdefault(book.para_index(a), []).append((c, k, a))
    print(f"# {book.stem}: marks {book.style}; [{start}, {end})")
    first, last = book.para_index(start), book.para_index(max(start, end - 1))
    for pi in range(first, last + 1):
        ps, pe = book.paras[pi]
        print(f"\n[p{pi} @{ps}] {oneline(book.text[ps:pe])}")
        for c, k, _a in sorted(by_para.get(pi, []), key=lambda t: t[2]):
            a, b = c.spans[k]
            part = f" part {k + 1}/{len(c.spans)}" if len(c.spans) > 1 else ""
            flag = " UNCLOSED" if c.unclosed else ""
            snippet = oneline(book.text[a:b])
            if len(snippet) > 70:
                snippet = snippet[:40] + " ... " + snippet[-25:]
            print(f"    {c.id:>6s} {a}-{b}{part}{flag}: «{snippet}»")


@dataclass
class Entry:
    line: int
    ids: list[str]
    spans: list[tuple[int, int]]
    speaker: str | None
    type: str | None
    expr: str | None
    addressees: list[str]


def parse_ann(path: Path) -> tuple[list[tuple[int, int, str]], list[Entry], list[str]]:
    chapters: list[tuple[int, int, str]] = []
    entries: list[Entry] = []
    errors: list[str] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = re.sub(r"\s+#\s.*$", "", raw).strip()  # a comment, on its own line or after an entry
        if not line or line.startswith("#"):
            continue
        if line.startswith("@chapter"):
            m = re.match(r"@chapter\s+(\d+)\s+(\d+)\s+(.+)$", line)
            if not m:
                errors.append(f"{path.name}:{n}: @chapter START END TITLE")
                continue
            chapters.append((int(m[1]), int(m[2]), m[3].strip()))
            continue
        fields = [f.strip() for f in line.split("|")]
        head, rest = fields[0], fields[1:]
        ids: list[str] = []
        spans: list[tuple[int, int]] = []
        if head.startswith("@span"):
            for part in head[5:].strip().split(","):
                m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", part)
                if not m:
                    errors.append(f"{path.name}:{n}: @span takes START-END[,START-END...], not {part!r}")
                    break
                spans.append((int(m[1]), int(m[2])))
        else:
            ids = [x.strip() for x in head.split("+")]
            if not all(re.fullmatch(r"q\d+", x) for x in ids):
                errors.append(f"{path.name}:{n}: expected qN[+qM...] or @span, not {head!r}")
                continue
        if not rest:
            errors.append(f"{path.name}:{n}: no speaker (write `| -` for a quote that is not speech)")
            continue
        if rest[0] == "-":
            entries.append(Entry(n, ids, spans, None, None, None, []))
            continue
        speaker = rest[0]
        typ = TYPES.get(rest[1][:1].lower()) if len(rest) > 1 and rest[1] else None
        if typ is None or (len(rest) > 1 and rest[1].lower() not in (typ, typ[0])):
            errors.append(f"{path.name}:{n}: type must be explicit/anaphoric/implicit (e/a/i)")
            continue
        expr: str | None = None
        addressees: list[str] = []
        for extra in rest[2:]:
            if extra.startswith("to:"):
                addressees = [a.strip() for a in extra[3:].split(";") if a.strip()]
            elif extra:
                expr = extra
        entries.append(Entry(n, ids, spans, speaker, typ, expr, addressees))
    return chapters, entries, errors


def _char_names(stem: str) -> tuple[set[str], dict[str, object]]:
    meta = json.loads((HERE / f"{stem}.characters.json").read_text(encoding="utf-8"))
    return {c["name"] for c in meta["characters"]}, meta


def cmd_compile(book: Book, args: argparse.Namespace) -> None:
    ann = Path(args.ann) if args.ann else ANN / f"{book.stem}.ann"
    chapters, entries, errors = parse_ann(ann)
    names, _meta = _char_names(book.stem)
    names.add("_group")
    seen: dict[str, int] = {}
    records = []
    for e in entries:
        spans = list(e.spans)
        for cid in e.ids:
            if cid not in book.candidates:
                errors.append(f"{ann.name}:{e.line}: no candidate {cid}")
                continue
            if cid in seen:
                errors.append(f"{ann.name}:{e.line}: {cid} already listed on line {seen[cid]}")
            seen[cid] = e.line
            spans.extend(book.candidates[cid].spans)
        if e.speaker is None or not spans:
            continue
        spans.sort()
        for a, b in spans:
            inner = book.text[a:b]
            if not inner.strip() or inner[:1].isspace():
                errors.append(f"{ann.name}:{e.line}: span {a}-{b} is empty or starts with white space")
            if inner[:1] in "\"“”‘" or inner[-1:] in "\"“”":
                errors.append(f"{ann.name}:{e.line}: span {a}-{b} includes a quotation mark")
        if e.speaker not in names:
            errors.append(f"{ann.name}:{e.line}: speaker {e.speaker!r} is not in {book.stem}.characters.json")
        for who in e.addressees:
            if who not in names:
                errors.append(f"{ann.name}:{e.line}: addressee {who!r} is not in {book.stem}.characters.json")
        if e.type == "implicit" and e.expr:
            errors.append(f"{ann.name}:{e.line}: an implicit quote has no referring expression")
        if e.type != "implicit":
            if not e.expr:
                errors.append(f"{ann.name}:{e.line}: a {e.type} quote needs its referring expression")
            else:
                first, last = book.para_index(spans[0][0]), book.para_index(spans[-1][0])
                lo = book.paras[max(0, first - 1)][0]
                hi = book.paras[min(len(book.paras) - 1, last + 1)][1]
                if oneline(e.expr) not in oneline(book.text[lo:hi]):
                    errors.append(f"{ann.name}:{e.line}: referring expression {e.expr!r} is not in the text around it")
        subs = [book.text[a:b] for a, b in spans]
        records.append({"spans": [list(s) for s in spans], "start": spans[0][0], "end": spans[-1][1],
                        "sub_texts": subs, "text": " ".join(subs), "speaker": e.speaker,
                        "addressees": e.addressees, "type": e.type, "referring_expression": e.expr})
    chapters.sort()
    for (_a1, b1, t1), (a2, _b2, t2) in itertools.pairwise(chapters):
        if a2 < b1:
            errors.append(f"chapters overlap: {t1!r} and {t2!r}")
    missing = [c.id for c in book.candidates.values()
               if any(a <= c.spans[0][0] < b for a, b, _t in chapters) and c.id not in seen]
    if missing:
        errors.append(f"{len(missing)} candidates inside annotated chapters are not listed: {' '.join(missing[:40])}")
    outside = [r for r in records if not any(a <= r["start"] < b for a, b, _t in chapters)]
    if outside:
        errors.append(f"{len(outside)} annotated quotes lie outside every @chapter, the first at {outside[0]['start']}")
    records.sort(key=lambda r: r["start"])
    for r1, r2 in itertools.pairwise(records):
        if r2["start"] < r1["end"]:
            errors.append(f"quotes overlap at {r1['start']} and {r2['start']}")
    if errors:
        for msg in errors:
            print("error:", msg, file=sys.stderr)
        sys.exit(1)
    if args.check:
        print(f"{ann.name}: {len(records)} quotations in {len(chapters)} chapters, no errors (nothing written)")
        return
    with open(HERE / f"{book.stem}.quotes.jsonl", "w", encoding="utf-8") as f:
        for i, r in enumerate(records):
            f.write(json.dumps({"id": f"Q{i}", **r}, ensure_ascii=False) + "\n")
    digest = hashlib.sha256(book.path.read_bytes()).hexdigest()
    meta = {"file": book.path.name, "sha256": digest,
            "chapters": [{"title": t, "start": a, "end": b} for a, b, t in chapters]}
    (HERE / f"{book.stem}.chapters.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    types = Counter(r["type"] for r in records)
    print(f"{book.stem}: {len(records)} quotations in {len(chapters)} chapters "
          + ", ".join(f"{t} {types[t]}" for t in TYPES.values()))


def cmd_stats(args: argparse.Namespace) -> None:
    stems = args.books or sorted(p.name.split(".")[0] for p in HERE.glob("*.quotes.jsonl"))
    total: Counter[str] = Counter()
    print(f"{'book':28s} {'quotes':>6s} {'explicit':>8s} {'anaphoric':>9s} {'implicit':>8s} {'speakers':>8s}")
    for stem in stems:
        rows = [json.loads(x) for x in (HERE / f"{stem}.quotes.jsonl").read_text(encoding="utf-8").splitlines()]
        t = Counter(r["type"] for r in rows)
        total.update(t)
        total["quotes"] += len(rows)
        print(f"{stem:28s} {len(rows):6d} {t['explicit']:8d} {t['anaphoric']:9d} {t['implicit']:8d} "
              f"{len({r['speaker'] for r in rows}):8d}")
    print(f"{'total':28s} {total['quotes']:6d} {total['explicit']:8d} {total['anaphoric']:9d} {total['implicit']:8d}")


def cmd_agree(args: argparse.Namespace) -> None:
    """Agreement of two annotations of the same book on the quotations both list (keyed by first candidate)."""
    _, a_entries, _ = parse_ann(Path(args.a))
    _, b_entries, _ = parse_ann(Path(args.b))

    def key(e: Entry) -> str:
        return e.ids[0] if e.ids else f"@{e.spans[0][0]}" if e.spans else "?"

    a = {key(e): e for e in a_entries}
    b = {key(e): e for e in b_entries}
    both = sorted(set(a) & set(b), key=lambda k: int(k[1:]) if k[1:].isdigit() else 0)
    speech = [k for k in both if a[k].speaker and b[k].speaker]
    same_speaker = sum(a[k].speaker == b[k].speaker for k in speech)
    same_type = sum(a[k].type == b[k].type for k in speech)
    speech_agree = sum((a[k].speaker is None) == (b[k].speaker is None) for k in both)
    print(f"listed by both: {len(both)} (only A: {len(set(a) - set(b))}, only B: {len(set(b) - set(a))})")
    print(f"speech or not, agreed: {speech_agree}/{len(both)}")
    if speech:
        print(f"speaker agreed: {same_speaker}/{len(speech)} = {same_speaker / len(speech):.3f}")
        print(f"type agreed:    {same_type}/{len(speech)} = {same_type / len(speech):.3f}")
    for k in speech:
        if a[k].speaker != b[k].speaker:
            print(f"  {k}: A {a[k].speaker!r} / B {b[k].speaker!r}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("headings", "show", "compile"):
        p = sub.add_parser(name)
        p.add_argument("book")
        p.add_argument("--style", choices=sorted(STYLES), help="override the detected quotation marks")
        if name == "show":
            p.add_argument("start")
            p.add_argument("end", nargs="?")
        if name == "compile":
            p.add_argument("--ann", help="the annotation file (default: ann/BOOK.ann)")
            p.add_argument("--check", action="store_true", help="check the annotation, write nothing")
    p = sub.add_parser("stats")
    p.add_argument("books", nargs="*")
    p = sub.add_parser("agree")
    p.add_argument("a")
    p.add_argument("b")
    args = ap.parse_args(argv)
    if args.cmd == "stats":
        cmd_stats(args)
    elif args.cmd == "agree":
        cmd_agree(args)
    else:
        book = Book.load(args.book, args.style)
        {"headings": cmd_headings, "show": cmd_show, "compile": cmd_compile}[args.cmd](book, args)


if __name__ == "__main__":
    main()
