"""Whole books: the chapters found in each, and a clean build of one next to its floor.

For every book in ../shared/novels and ../shared/books (skipped cleanly when absent): the
chapters read against the count the book's own contents (or its numbering) gives, how many of
them its contents list names, the title and author found on its title page, and every chapter
read with fewer than 40 words. Then one book (--book, default pinocchio) is built from scratch with its default
outputs (an M4B of 64 kbps AAC with a chapter mark per chapter), against the floor for the
same outputs measured in the same run: eSpeak speaking each chapter's text in one call plus
ffmpeg encoding that audio with the build's AAC command. Prints audio hours, seconds per audio
hour, the ratio to the floor and the peak memory of all the build's processes (summed PSS:
shared pages counted once).

With `--book all`, every book is built from scratch in turn (no floor): a row each with its
audio hours, build time, seconds per audio hour and peak memory, for the closing figures.

Run: `.venv/bin/python benchmarks/bench_book.py [--book pinocchio|all] [--jobs 2] [--no-build]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import audio_hours, run_build  # noqa: E402

from pipeline import formats  # noqa: E402
from pipeline.publish import export  # noqa: E402
from pipeline.reading.book import Book  # noqa: E402
from pipeline.reading.works import read_book, read_text  # noqa: E402
from pipeline.runner import stages as build  # noqa: E402
from pipeline.voices import engine  # noqa: E402
from pipeline.voices.casting import load_casting  # noqa: E402

#: The chapters each book's own table of contents lists, or where it has none its own numbering
#: (counted by hand from the books): what a reader would expect to be able to jump to.
OWN_CHAPTERS = {
    "anne_avonlea.txt": 30, "dracula.txt": 27, "little_women.txt": 47, "peter_pan.txt": 17,
    "pinocchio.txt": 36, "sherlock_holmes.txt": 12,  # 12 adventures (the first's three numbered sections inside it)
    "tom_sawyer.txt": 37,  # preface, 35 chapters, conclusion
    "two_cities.txt": 45, "moby-dick.epub": 138,  # Etymology, Extracts, 135 chapters, Epilogue
    "childrens-literature.epub": None,  # an anthology: its contents nests works in sections
    "cranford.txt": 16, "great_expectations.txt": 59, "great_gatsby.txt": 9, "hound_of_the_baskervilles.txt": 15,
    "house_of_mirth.txt": 29,  # Book One 15, Book Two 14
    "huckleberry_finn.txt": 43,  # I-XLII and "Chapter the Last"
    "jane_eyre.txt": 40,  # preface, note to the third edition, 38 chapters
    "main_street.txt": 39,  # its numbered sections (I, II, ... in every chapter) inside them
    "moonstone.txt": 57,  # the contents' entries: prologue, 23 + 8 + 3 + 10 chapters, narratives, epilogue I-III
    "north_and_south.txt": 52, "prisoner_of_zenda.txt": 22, "secret_adversary.txt": 29,  # prologue, 28 chapters
    "secret_garden.txt": 27, "sons_and_lovers.txt": 15, "treasure_island.txt": 34, "voyage_out.txt": 27,
    "washington_square.txt": 35, "wind_in_the_willows.txt": 12,
    "wizard_of_oz.txt": 25,  # introduction, 24 chapters
    "wuthering_heights.txt": 34,
}
SHORT_WORDS = 40  # a chapter read with fewer words than this is flagged


def books() -> list[Path]:
    return sorted([*(SHARED / "novels").glob("*.txt"), *(SHARED / "books").glob("*.epub")])


def _letters(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.casefold()).split())


def in_contents(book: Book) -> str:
    """How many chapters read are named in the book's own contents list (their own title, the
    part before it dropped), of those read; "-" when the text has no contents list."""
    listed = _letters(" ".join(book.text[c.start:c.end] for c in book.chapters if c.skip == "contents"))
    kept = [c for c in book.chapters if c.kept]
    if not listed or len(listed.split()) < 2 * len(kept):
        return "-"
    named = sum(_letters(c.title.rsplit(" — ", 1)[-1].split(": ", 1)[-1]) in listed for c in kept)
    return f"{named}/{len(kept)}"


def chapter_table() -> None:
    """Every book: chapters read against its own count, how many its contents names, title and
    author found, and every chapter read with fewer than SHORT_WORDS words."""
    print(f"{'book':28} {'found':>5} {'own':>4} {'listed':>7}  {'title':32} {'author':26} short (<{SHORT_WORDS} words)")
    right = 0
    for path in books():
        book = read_book(path, None if path.suffix == ".epub" else read_text(path))
        kept = [c for c in book.chapters if c.kept]
        own = OWN_CHAPTERS.get(path.name)
        right += own is None or own == len(kept)
        short = [f"{c.title[:30]} ({n})" for c in kept if (n := len(book.text[c.body:c.end].split())) < SHORT_WORDS]
        mark = "" if own is None or own == len(kept) else " *"
        print(f"{path.name:28} {len(kept):5} {own if own is not None else '-':>4} {in_contents(book):>7}  "
              f"{(book.title or '(none)')[:32]:32} {(book.author or '(none)')[:26]:26} "
              f"{'; '.join(short) or '-'}{mark}")
    print(f"{right} of {len(books())} books with the chapters their own contents or numbering gives "
          "(* where not)")


def floor(project: Path) -> tuple[float, float, float]:
    """(total, synth, aac): eSpeak on each chapter's spoken text in one call, then the build's AAC command."""
    options = build.BuildOptions(corpus=project / "corpus", voices=project / "voices.yaml",
                                 build_dir=project / "build")
    _, plans = build.spoken_plans(options)
    voice = load_casting(project / "voices.yaml").narrator()
    eng = engine.engine()
    eng.render("warm up", voice)
    synth = aac = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n, plan in enumerate(plans):
            text = "\n\n".join(c.utterance.text for c in plan.clips)
            t0 = time.perf_counter()
            pcm = eng.render(text, voice).pcm
            synth += time.perf_counter() - t0
            cmd = export.encoder_command([(formats.AAC, build.MASTERING, Path(tmp) / f"{n}.m4a")])
            t0 = time.perf_counter()
            subprocess.run(cmd, input=pcm, check=True)
            aac += time.perf_counter() - t0
    return synth + aac, synth, aac


def fresh_project(tmp: str, source: Path) -> Path:
    project = Path(tmp)
    (project / "corpus").mkdir()
    shutil.copy(source, project / "corpus" / source.name)
    shutil.copy(ROOT / "voices.yaml", project / "voices.yaml")
    return project


def bench_all(jobs: int) -> None:
    """Every book built from scratch, one after the other: time and peak memory of each."""
    print(f"\n{'book':28} {'audio':>7} {'build':>7} {'s/audio h':>9} {'peak PSS':>9}")
    for source in books():
        with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
            project = fresh_project(tmp, source)
            seconds, peak = run_build(project, jobs, watch_memory=True)
            hours = audio_hours(project)
            print(f"{source.name:28} {hours:6.1f}h {seconds:6.0f}s {seconds / hours:9.1f} {peak:6d} MB", flush=True)


def bench_build(name: str, jobs: int) -> None:
    source = next((p for p in books() if p.stem == name), None)
    if source is None:
        print(f"no book {name!r} in {SHARED}; skipped")
        return
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        project = fresh_project(tmp, source)
        seconds, peak = run_build(project, jobs, watch_memory=True)
        hours = audio_hours(project)
        total, synth, aac = floor(project)
        size = sum(p.stat().st_size for p in (project / "build" / "library").rglob("*.m4b")) / 1e6
        print(f"{source.name}: {hours:.2f} h of audio, M4B {size:.0f} MB ({size / hours:.0f} MB an hour)")
        print(f"clean build: {seconds:.1f} s = {seconds / hours:.1f} s per audio hour ({hours * 3600 / seconds:.0f}x "
              f"real time); floor {total:.1f} s (eSpeak {synth:.1f} s + AAC {aac:.1f} s): "
              f"ratio {seconds / total:.2f}x; peak memory of all processes {peak} MB PSS (target < 400 MB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--book", default="pinocchio", help="the book to build (file name without suffix)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-build", action="store_true", help="only the table of chapters")
    args = ap.parse_args()
    if not books():
        print(f"{SHARED} has no novels or books (it is not on a user's machine): skipped")
        return 0
    chapter_table()
    if args.no_build:
        return 0
    if args.book == "all":
        bench_all(args.jobs)
    else:
        bench_build(args.book, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
