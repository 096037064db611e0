"""Stress the render workers of real builds, many times: not part of the test suite.

    .venv/bin/python tests/stress/stress_build.py [--runs N] [--case ctrl-c|cache|worker|all]

Each run builds a fresh copy of the project's first story (or the whole corpus, for the
cache case) and abuses it as tests/runner/test_workers.py does, with varied timings; it
prints one line per run that went wrong and a summary, and exits 1 if any did.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mutagen.mp3 import MP3  # noqa: E402

from tests.runner.workers import (  # noqa: E402 - after the path is set
    AUDIOBOOK,
    Outcome,
    cache_deleted_mid_build,
    ctrl_c_at_fork,
    kill_a_worker,
)

# Seconds two builds' MP3s may differ by: eSpeak's clips vary by a sample or so between processes
# (clean builds differ by an MP3 frame or two); a lost clip is a word and a pause, 0.3 s or more.
TOLERANCE = 0.25

Case = Callable[[Path, Path, Path, random.Random], tuple[Outcome, tuple[int, ...]]]


def ctrl_c(corpus: Path, voices: Path, build: Path, rng: random.Random) -> tuple[Outcome, tuple[int, ...]]:
    # Mostly at the very moment of the fork, sometimes a little later (while the others fork).
    delay = 0.0 if rng.random() < 0.6 else rng.uniform(0.0, 0.05)
    return ctrl_c_at_fork(corpus, voices, build, delay), (130,)


def cache(corpus: Path, voices: Path, build: Path, rng: random.Random) -> tuple[Outcome, tuple[int, ...]]:
    return cache_deleted_mid_build(corpus, voices, build, clips=rng.randint(1, 40)), (0,)


def worker(corpus: Path, voices: Path, build: Path, rng: random.Random) -> tuple[Outcome, tuple[int, ...]]:
    return kill_a_worker(corpus, voices, build), (0,)


CASES: dict[str, tuple[Case, bool]] = {"ctrl-c": (ctrl_c, False), "cache": (cache, True), "worker": (worker, True)}


def project(root: Path, whole: bool) -> tuple[Path, Path]:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    works = sorted((ROOT / "corpus").glob("*.txt"))
    for work in works if whole else works[:1]:
        shutil.copy(work, corpus / work.name)
    shutil.copy(ROOT / "voices.yaml", root / "voices.yaml")
    return corpus, root / "voices.yaml"


def lengths(build: Path) -> dict[str, float]:
    return {mp3.name: MP3(mp3).info.length for mp3 in build.glob("*.mp3")}


def clean_build(corpus: Path, voices: Path, build: Path) -> dict[str, float]:
    """The MP3s' lengths in a build nobody disturbed, to compare the abused builds with."""
    subprocess.run([str(AUDIOBOOK), "build", "--corpus", str(corpus), "--voices", str(voices), "--build-dir",
                    str(build)], capture_output=True, check=True)
    return lengths(build)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failed = 0
    for name, (case, whole) in CASES.items():
        if args.case not in (name, "all"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            corpus, voices = project(Path(tmp), whole)
            reference = clean_build(corpus, voices, Path(tmp) / "reference")
            bad = 0
            for run in range(args.runs):
                outcome, allowed = case(corpus, voices, Path(tmp) / "build", rng)
                problems = outcome.problems(allowed)
                made = lengths(Path(tmp) / "build") if outcome.returncode == 0 else reference
                if made.keys() != reference.keys() or any(abs(made[k] - reference[k]) > TOLERANCE for k in made):
                    problems.append(f"audio unlike a clean build's: {made} vs {reference}")
                if problems:
                    bad += 1
                    last = (outcome.stderr.strip().splitlines() or [""])[-1][:200]
                    print(f"{name} run {run + 1}: {'; '.join(problems)} | {last}", flush=True)
            print(f"{name}: {args.runs - bad}/{args.runs} runs as they should be", flush=True)
            failed += bad
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
