"""How long text analysis takes next to speech synthesis, on a novel-sized text.

Builds a ~1 MB text from the attribution dev stories (or reads a book, ``--book``), times
``analyse`` on all of it (the sieves alone and with the learned ranker, CPU seconds, the least of
``--runs``), times eSpeak NG (through pyttsx3, as the build does) on a slice of the same text and
scales that to the whole text (synthesis time is linear in the text; a full 1 MB run would write
an 18-hour WAV). Prints the times and the ratios; the target is at most 5%.

    .venv/bin/python benchmarks/bench_attribution.py [--size-mb 1] [--sample-kb 20] [--book FILE]
    .venv/bin/python benchmarks/bench_attribution.py --book ../shared/novels/moonstone.txt
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from pipeline.model import VoiceSettings
from pipeline.speakers.analyse import Reranker, analyse, sieves_only
from pipeline.voices.engine import engine, write_wav

DEV = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "attribution-dev"


def novel_sized_text(size: int) -> str:
    works = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt")))
    copies = size // len(works) + 1
    return "\n\n".join([works] * copies)[:size]


def time_analysis(text: str, ranker: Reranker | None = None) -> float:
    """CPU seconds of one analysis (the machine is shared: wall clock would time the neighbours)."""
    start = time.process_time()
    analyse(text, ranker=ranker)
    return time.process_time() - start


def time_synthesis(text: str, runs: int = 1) -> float:
    """CPU seconds of eSpeak on ``text`` (it runs in this process, through pyttsx3's driver), the least of
    ``runs``: the ratio's two sides measured alike, as a busy machine slows either."""
    tts = engine()
    voice = VoiceSettings("gmw/en-us")
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        write_wav(Path(tmp) / "warm.wav", tts.render("Warm up.", voice).pcm)
        for _ in range(runs):
            start = time.process_time()
            write_wav(Path(tmp) / "sample.wav", tts.render(text, voice).pcm)
            best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of the analysed text")
    parser.add_argument("--sample-kb", type=float, default=20.0, help="size of the synthesised slice")
    parser.add_argument("--book", type=Path, help="analyse this text file instead of the dev stories")
    parser.add_argument("--runs", type=int, default=3,
                        help="analyses of each kind and syntheses of the slice; the least of each is kept")
    args = parser.parse_args()
    if args.book is not None and not args.book.is_file():
        print(f"skipped: {args.book} is absent")
        return
    text = args.book.read_text(encoding="utf-8") if args.book else novel_sized_text(int(args.size_mb * 1_000_000))
    sample = text[: int(args.sample_kb * 1000)]
    sample = sample[: sample.rfind("\n\n")] if "\n\n" in sample else sample

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    analysis = sieves = float("inf")
    for _ in range(args.runs):  # interleaved, so that both kinds see the same load
        sieves = min(sieves, time_analysis(text, sieves_only))
        analysis = min(analysis, time_analysis(text))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    synth_sample = time_synthesis(sample, args.runs)
    synth = synth_sample * len(text) / len(sample)

    print(f"text: {len(text):,} characters ({len(sample):,} synthesised and scaled); CPU seconds")
    print(f"analyse, sieves alone:                  {sieves:8.2f} s")
    print(f"analyse (segment + cast + attribution): {analysis:8.2f} s  (the ranker adds {analysis / sieves - 1:.0%})")
    print(f"eSpeak synthesis, scaled to the text:   {synth:8.2f} s  ({synth_sample:.2f} s for the slice)")
    print(f"ratio analysis / synthesis: {analysis / synth:.2%}  (target <= 5%)")
    print(f"peak memory growth during analysis: {(rss_after - rss_before) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
