"""How long text analysis takes next to speech synthesis, on a novel-sized text.

Builds a ~1 MB text from the attribution dev stories, times ``analyse`` on all of it,
times eSpeak NG (through pyttsx3, as the build does) on a slice of the same text and
scales that to the whole text (synthesis time is linear in the text; a full 1 MB run
would write an 18-hour WAV). Prints both times and the ratio; the target is at most 5%.

    .venv/bin/python benchmarks/bench_attribution.py [--size-mb 1] [--sample-kb 20]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from pipeline.model import VoiceSettings
from pipeline.speakers.analyse import analyse
from pipeline.voices.engine import engine, write_wav

DEV = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "attribution-dev"


def novel_sized_text(size: int) -> str:
    works = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt")))
    copies = size // len(works) + 1
    return "\n\n".join([works] * copies)[:size]


def time_analysis(text: str) -> float:
    start = time.perf_counter()
    analyse(text)
    return time.perf_counter() - start


def time_synthesis(text: str) -> float:
    tts = engine()
    voice = VoiceSettings("gmw/en-us")
    with tempfile.TemporaryDirectory() as tmp:
        write_wav(Path(tmp) / "warm.wav", tts.render("Warm up.", voice).pcm)
        start = time.perf_counter()
        write_wav(Path(tmp) / "sample.wav", tts.render(text, voice).pcm)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of the analysed text")
    parser.add_argument("--sample-kb", type=float, default=20.0, help="size of the synthesised slice")
    args = parser.parse_args()
    text = novel_sized_text(int(args.size_mb * 1_000_000))
    sample = text[: int(args.sample_kb * 1000)]
    sample = sample[: sample.rfind("\n\n")] if "\n\n" in sample else sample

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    analysis = min(time_analysis(text) for _ in range(2))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    synth_sample = time_synthesis(sample)
    synth = synth_sample * len(text) / len(sample)

    print(f"text: {len(text):,} characters ({len(sample):,} synthesised and scaled)")
    print(f"analyse (segment + cast + attribution): {analysis:8.2f} s")
    print(f"eSpeak synthesis, scaled to the text:   {synth:8.2f} s  ({synth_sample:.2f} s for the slice)")
    print(f"ratio analysis / synthesis: {analysis / synth:.2%}  (target <= 5%)")
    print(f"peak memory growth during analysis: {(rss_after - rss_before) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
