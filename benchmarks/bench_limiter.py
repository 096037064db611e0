"""How hard the pre-limiter works on the clips of a mixed-engine chapter (issue 20, item 5).

In a chapter of more than one engine, each clip is brought to the loudness an eSpeak clip of
the chapter's level has, with peaks limited under the encoder's ceiling (levels.loudness_gain:
5 ms attack, LIMIT_RELEASE). This measures, per engine, on the clips of a built Piper-narrated
project (the first chapters of a book of ../shared/novels, built here, or a project folder
given with --project): the largest peak reduction, the share of samples turned down by more
than 0.1/1/3/6 dB, the crest factor before and after, the difference between the limited and
the unlimited clip (at the same gain) relative to the clip, and the log-spectral distance
between them (100 Hz to 8 kHz). Each figure for the limiter's release as it is and at 50 ms
(the encoder's own limiter, which levels single-engine chapters, releases over 50 ms).

Run: `.venv/bin/python benchmarks/bench_limiter.py [--book wizard_of_oz] [--chapters 2]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_piper import SHARED, make_project, options  # noqa: E402

from pipeline.audio import assemble, levels  # noqa: E402
from pipeline.audio.synth import ClipCache  # noqa: E402
from pipeline.plan.chapters import LOUDNESS  # noqa: E402
from pipeline.runner import stages as build  # noqa: E402
from pipeline.voices import engine  # noqa: E402


def _spectrum(v: np.ndarray) -> np.ndarray:
    n = 2048
    frames = np.lib.stride_tricks.sliding_window_view(v, n)[::n // 2] * np.hanning(n)
    return (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0) + 1e-20


def _crest(v: np.ndarray) -> float:
    return float(20 * np.log10(np.max(np.abs(v)) / np.sqrt(np.mean(v ** 2))))


def figures(project: Path) -> dict[tuple[float, str], list[tuple[float, ...]]]:
    """Per (release, engine), one row per clip of a second or more."""
    _, plans = build.spoken_plans(options(project))
    cache = ClipCache(options(project).layout.clips)
    peak = LOUDNESS.ceiling_dbfs - LOUDNESS.limit_margin_db - LOUDNESS.headroom_db
    band = (lambda f: (f > 100) & (f < 8000))(np.fft.rfftfreq(2048, 1 / engine.SAMPLE_RATE))
    rows: dict[tuple[float, str], list[tuple[float, ...]]] = {}
    release = levels.LIMIT_RELEASE
    for levels.LIMIT_RELEASE in (release, 0.05):
        for plan in plans:
            if len({c.utterance.voice.engine for c in plan.clips}) < 2:
                continue  # one engine: the encoder's limiter alone
            level = assemble.clip_level(LOUDNESS, *assemble.planned_frames(cache, plan.clips)) - LOUDNESS.headroom_db
            for clip in {c.key: c for c in plan.clips}.values():
                x = np.frombuffer(engine.read_wav_pcm(cache.path(clip.key)), dtype="<i2") / levels.FULL_SCALE
                if len(x) < engine.SAMPLE_RATE:
                    continue
                gain, y = levels.loudness_gain(x, engine.SAMPLE_RATE, level + levels.ESPEAK_K_WEIGHTED_DB, peak)
                ref = x * 10 ** (gain / 20)
                heard = np.abs(ref) > 10 ** (-60 / 20)
                down = np.zeros_like(ref)
                down[heard] = -20 * np.log10(np.clip(y[heard] / ref[heard], 1e-6, 1.0))
                lsd = np.sqrt(np.mean((10 * np.log10(_spectrum(y)[band] / _spectrum(ref)[band])) ** 2))
                rows.setdefault((levels.LIMIT_RELEASE, clip.utterance.voice.engine), []).append((
                    down.max(), *((down > t).mean() for t in (0.1, 1, 3, 6)), _crest(ref), _crest(y),
                    10 * np.log10(np.sum((y - ref) ** 2) / np.sum(ref ** 2)), lsd))
    levels.LIMIT_RELEASE = release
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--book", default="wizard_of_oz")
    ap.add_argument("--chapters", type=int, default=2)
    ap.add_argument("--project", type=Path, help="a project built already (corpus/, voices.yaml, build/)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-limiter-") as tmp:
        project = args.project
        if project is None:
            source = SHARED / f"{args.book}.txt"
            if not source.is_file():
                print(f"no {source}; skipped")
                return 0
            project = make_project(Path(tmp), source, args.chapters)
            build.build(options(project))
        for (release, name), rows in figures(project).items():
            a = np.array(rows)
            print(f"release {release * 1000:.0f} ms, {name} ({len(a)} clips of 1 s or more): peak reduction "
                  f"max {a[:, 0].max():.1f} dB, median over clips {np.median(a[:, 0]):.1f} dB; samples turned down "
                  f"{a[:, 1].mean():.1%} (> 1 dB {a[:, 2].mean():.1%}, > 3 dB {a[:, 3].mean():.1%}, "
                  f"> 6 dB {a[:, 4].mean():.1%}); crest factor {a[:, 5].mean():.1f} -> {a[:, 6].mean():.1f} dB; "
                  f"limited - unlimited {a[:, 7].mean():.1f} dB re the clip; log-spectral distance "
                  f"{a[:, 8].mean():.2f} dB (worst clip {a[:, 8].max():.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
