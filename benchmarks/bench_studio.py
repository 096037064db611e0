"""How fast the studio opens a whole book: from `audiobook studio` to its first chapter on the page.

For the longest novel of ../shared/novels (or --book NAME), in a fresh project: start the studio,
then time (1) the printed address, (2) the page's data (works, chapter list) and (3) the first
chapter's script, each from the moment the command started; then chapters 2-5 opened one after
another. Twice: the first opening ever (the book analysed in the studio's worker) and the next
(the analysis read back from build/cache/studio). With chromium on PATH, also the time a real
browser takes from opening the address to the first chapter shown. Skips without ../shared.

Run: `.venv/bin/python benchmarks/bench_studio.py [--book moonstone]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "novels"
sys.path.insert(0, str(ROOT))

from pipeline.reading.works import estimate_minutes, read_text  # noqa: E402
from tests.browser import CHROMIUM, DRIVER  # noqa: E402
from tests.studio.conftest import start_studio, stop_studio  # noqa: E402


def _get(base: str, token: str, path: str) -> object:
    req = urllib.request.Request(base + path, headers={"X-Studio-Token": token})
    with urllib.request.urlopen(req, timeout=120) as res:
        return json.loads(res.read())


def opening(root: Path, slug: str, browser: bool) -> dict[str, float]:
    started = time.perf_counter()
    server = start_studio(root)
    out = {"address printed": time.perf_counter() - started}
    try:
        _get(server.base, server.token, "/api/works")
        out["works and chapters listed"] = time.perf_counter() - started
        _get(server.base, server.token, f"/api/chapter?work={slug}&n=1")
        out["first chapter's script"] = time.perf_counter() - started
        for n in range(2, 6):
            t = time.perf_counter()
            _get(server.base, server.token, f"/api/chapter?work={slug}&n={n}")
            out[f"chapter {n} opened"] = time.perf_counter() - t
        if browser:
            out["in chromium: address to first chapter shown"] = _in_browser(server.url)
    finally:
        stop_studio(server)
    return out


def _in_browser(url: str) -> float:
    from tests.browser import chromium, wait_for

    with chromium() as driver:
        t = time.perf_counter()
        driver.get(url)
        wait_for(driver, "return document.body.dataset.ready", timeout=120)
        return time.perf_counter() - t


def cpu_seconds(root: Path, slug: str) -> dict[str, float]:
    """The same steps in this process, in CPU seconds (what the machine's load does not change)."""
    out: dict[str, float] = {}

    def timed(label: str, f: Any) -> Any:
        t = time.process_time()
        value = f()
        out[label] = time.process_time() - t
        return value

    import pipeline.studio.app  # noqa: F401  (the server's code: its imports are the studio's start)
    from pipeline.reading.corpus import load_corpus
    from pipeline.speakers import analysed
    from pipeline.studio.project import chapter_view

    corpus = timed("read the corpus (chapters found)", lambda: load_corpus(root / "corpus"))
    work = next(w for w in corpus.works if w.slug == slug)
    found = timed("analyse the whole book (first opening)", lambda: analysed.analysed(work, None))
    analysed.keep(root / "build", found.key, analysed.to_json(found.analysis))
    cached = timed("read the analysis back (next openings)", lambda: analysed.read(root / "build", found.key))
    segments = timed("cut it at the chapters", lambda: analysed_segments(work, cached))
    timed("chapter 1 as the page gets it", lambda: chapter_view(work, work.chapters[0],
                                                                 work.chapters[0].segments(segments), cached))
    return out


def analysed_segments(work: Any, analysis: Any) -> Any:
    from pipeline.plan.chapters import work_segments

    return work_segments(work, analysis)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--book", help="a file name in ../shared/novels without .txt (default: the longest)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: no {SHARED}")
        return
    books = sorted(SHARED.glob("*.txt"), key=lambda p: len(read_text(p).split()), reverse=True)
    book = next((b for b in books if b.stem == args.book), None) if args.book else books[0]
    if book is None:
        sys.exit(f"no {args.book}.txt in {SHARED}")
    text = read_text(book)
    print(f"{book.name}: {len(text.split())} words, about {estimate_minutes(text) / 60:.1f} hours of audio")
    browser = CHROMIUM is not None and DRIVER is not None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "corpus").mkdir()
        shutil.copy(book, root / "corpus" / book.name)
        shutil.copy(ROOT / "voices.yaml", root / "voices.yaml")
        slug = book.stem
        print(f"\nin one process, CPU seconds (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for what, seconds in cpu_seconds(root, slug).items():
            print(f"  {what:48s} {seconds:6.2f} s")
        shutil.rmtree(root / "build")
        for label in ("first opening (analysed now)", "next opening (analysis cached)"):
            print(f"\n{label}")
            for what, seconds in opening(root, slug, browser).items():
                print(f"  {what:48s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
