"""How fast is a build, next to the floor, measured side by side in one run.

The floor is what no build can beat: eSpeak synthesising the same text in one call
(everything the build speaks: titles, stories, credits), plus ffmpeg encoding that audio
into the same outputs (per-story MP3 and the anthology's AAC) with the same settings.
Best of --repeat runs on both sides. Then, on a copy of the corpus:

- a clean `audiobook build` (a fresh build folder, no cache), and the same with eSpeak's state
  reset before each clip turned off (AUDIOBOOK_ESPEAK_RESET=0), the two alternating: what
  deterministic clips cost (target within 5%);
- a no-op rebuild (nothing changed);
- a rebuild after changing one character's voice (a character who speaks in one story);
- the corpus repeated N times (default 100, about 11 hours of audio): time per hour of
  audio against the 1x corpus's, and peak memory (RSS summed over every process of the build).

Run: `.venv/bin/python benchmarks/bench_build.py [--scale 100] [--jobs 2]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import formats  # noqa: E402
from pipeline.publish import export  # noqa: E402
from pipeline.runner import stages as build  # noqa: E402
from pipeline.voices import engine  # noqa: E402
from pipeline.voices.casting import load_casting  # noqa: E402

AUDIOBOOK = Path(sys.executable).with_name("audiobook")


# --------------------------------------------------------------------------- measuring


def _statm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/statm", encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc), less those that share their parent's memory
    (a child between vfork and exec, on its way to becoming ffmpeg, has its parent's pages)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c in parents.get(p, []) if _statm(c) != _statm(p))
    return out


def _proc_kb(pid: int, name: str, key: str) -> int | None:
    """A ``key:`` figure in kB from ``/proc/PID/name``, or None when there is none."""
    try:
        with open(f"/proc/{pid}/{name}", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_kb(pid: int) -> int:
    return _proc_kb(pid, "status", "VmRSS:") or 0


def _pss_kb(pid: int) -> int:
    """Proportional set size: each page shared by n processes counts 1/n (RSS would count the
    pages a forked render worker shares with the build, and every shared library, in each)."""
    pss = _proc_kb(pid, "smaps_rollup", "Pss:")
    return _rss_kb(pid) if pss is None else pss


@dataclass(frozen=True)
class BuildRun:
    """One `audiobook build`, measured."""

    seconds: float  # wall clock
    cpu: float  # user + system seconds of the build and every process it started
    pss_mb: int  # peak memory of the process tree, summed as PSS (shared pages counted once)
    rss_mb: int  # the same peak summed as RSS (shared pages counted in every process: an upper bound)


def run_build(project: Path, jobs: int, watch_memory: bool = False, reset: bool = True) -> tuple[float, int]:
    """Run `audiobook build` as a user would; returns (seconds, peak memory of the process tree in MB,
    summed as PSS: what the build really holds, shared pages counted once). ``reset=False``: without
    eSpeak's state reset before each clip (for measuring its cost only)."""
    run = measured_build(project, jobs, watch_memory, reset)
    return run.seconds, run.pss_mb


def measured_build(project: Path, jobs: int, watch_memory: bool = False, reset: bool = True) -> BuildRun:
    """``run_build``, with the CPU time of the build's processes and its peak RSS as well."""
    cmd = [str(AUDIOBOOK), "build", "--corpus", str(project / "corpus"), "--voices",
           str(project / "voices.yaml"), "--build-dir", str(project / "build"), "--jobs", str(jobs)]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "AUDIOBOOK_ESPEAK_RESET": "1" if reset else "0"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    pss = rss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal pss, rss
        while not stop.is_set():
            tree = _children(proc.pid)
            pss = max(pss, sum(_pss_kb(p) for p in tree))
            rss = max(rss, sum(_rss_kb(p) for p in tree))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if watch_memory:
        sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    if watch_memory:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build failed: {err.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return BuildRun(seconds, cpu, pss // 1024, rss // 1024)


def audio_hours(project: Path) -> float:
    data = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    return float(sum(s["duration"] for s in data["stories"])) / 3600


def spoken_text(project: Path) -> str:
    """Everything a build of ``project`` speaks (titles, stories, credits), as it is sent to eSpeak."""
    options = build.BuildOptions(corpus=project / "corpus", voices=project / "voices.yaml",
                                 build_dir=project / "build")
    _, plans = build.spoken_plans(options)
    return "\n\n".join(c.utterance.text for p in plans for c in p.clips)


def clip_count(project: Path) -> int:
    options = build.BuildOptions(corpus=project / "corpus", voices=project / "voices.yaml",
                                 build_dir=project / "build")
    return sum(len(p.clips) for p in build.spoken_plans(options)[1])


def floor(project: Path) -> tuple[float, float, float, float]:
    """eSpeak on the whole spoken text in one call, then ffmpeg into MP3 and AAC (the same
    commands and settings a build uses, mastering filter included): (total, synth, mp3, aac)."""
    voice = load_casting(project / "voices.yaml").narrator()
    text = spoken_text(project)
    eng = engine.engine()
    eng.render("warm up", voice)
    t0 = time.perf_counter()
    pcm = eng.render(text, voice).pcm
    synth = time.perf_counter() - t0
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for codec in (formats.MP3, formats.AAC):
            cmd = export.encoder_command([(codec, build.MASTERING, Path(tmp) / f"floor{codec.suffix}")])
            t0 = time.perf_counter()
            subprocess.run(cmd, input=pcm, check=True)
            times.append(time.perf_counter() - t0)
    return synth + sum(times), synth, times[0], times[1]


def restore_seconds(n: int = 2000) -> float:
    """What putting eSpeak's state back costs per clip, in this process (best of 3 x ``n``)."""
    eng = engine.engine()
    eng.render("warm up", load_casting(ROOT / "voices.yaml").narrator())
    state = getattr(eng, "_state", None)
    if state is None or not state.available():
        return 0.0
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            state.fresh_state()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


# --------------------------------------------------------------------------- projects


def make_project(root: Path, copies: int = 1) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    works = sorted((ROOT / "corpus").glob("*.txt"))
    if copies == 1:
        for f in works:
            shutil.copy(f, corpus / f.name)
        shutil.copy(ROOT / "corpus" / "corpus.yaml", corpus / "corpus.yaml")
    else:
        for i in range(copies):
            for f in works:
                shutil.copy(f, corpus / f"{i:03d}-{f.name}")
    shutil.copy(ROOT / "voices.yaml", root / "voices.yaml")
    return root


def change_one_voice(project: Path) -> str:
    """Change the pitch of a character who speaks in one story only; returns the name."""
    voices = project / "voices.yaml"
    text = voices.read_text(encoding="utf-8")
    name = "Kamil Moreau"
    block = re.search(rf"^  {re.escape(name)}:[^\n]*\n((?:    .*\n)+)", text, re.M)
    if block is None:
        raise SystemExit(f"{name} not found in voices.yaml")
    body = block.group(1)
    new_body = re.sub(r"pitch: (\d+)", lambda m: f"pitch: {(int(m.group(1)) + 7) % 100}", body, count=1)
    if new_body == body:
        new_body = body + "    pitch: 57\n"
    voices.write_text(text[:block.start(1)] + new_body + text[block.end(1):], encoding="utf-8")
    return name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=100, help="copies of the corpus for the scale run (0 to skip)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs for the builds")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the floor and the clean build (best is kept)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = Path(tmp)
        project = make_project(base / "x1")
        # Best of --repeat runs, both sides: this machine's timings vary by 20% from run to run.
        floor_total, synth, mp3, aac = min(floor(project) for _ in range(args.repeat))
        clean, clean_peak, unreset = float("inf"), 0, float("inf")
        for _ in range(args.repeat):  # with and without the reset in turn, so that both see the same load
            shutil.rmtree(project / "build", ignore_errors=True)
            unreset = min(unreset, run_build(project, args.jobs, reset=False)[0])
            shutil.rmtree(project / "build", ignore_errors=True)
            seconds, peak = run_build(project, args.jobs, watch_memory=True)
            clean, clean_peak = min(clean, seconds), max(clean_peak, peak)
        per_clip = restore_seconds()
        clips = clip_count(project)
        hours = audio_hours(project)
        noop, _ = run_build(project, args.jobs)
        name = change_one_voice(project)
        one_voice, _ = run_build(project, args.jobs)

        print(f"corpus: {hours * 60:.1f} min of audio, {os.cpu_count()} cores, --jobs {args.jobs}")
        print(f"floor: {floor_total:.2f} s  (eSpeak one call {synth:.2f} s + MP3 {mp3:.2f} s + AAC {aac:.2f} s)")
        print(f"clean build:            {clean:6.2f} s  ratio to floor      {clean / floor_total:.2f}x"
              f"  (target <= 1.0x; peak memory {clean_peak} MB PSS)")
        print(f"eSpeak state reset:     {clean:6.2f} s  with, {unreset:.2f} s without: {clean / unreset - 1:+.1%}"
              f"  (target <= +5%; the restore itself {per_clip * 1e6:.0f} us per clip x {clips} clips"
              f" = {per_clip * clips * 1e3:.1f} ms)")
        print(f"no-op rebuild:          {noop:6.2f} s  ratio to clean build {noop / clean:.1%}  (target <= 5%)")
        print(f"one voice changed ({name}): {one_voice:6.2f} s  ratio to clean build {one_voice / clean:.1%}"
              "  (target <= 50%)")

        if args.scale > 1:
            big = make_project(base / f"x{args.scale}", copies=args.scale)
            seconds, peak = run_build(big, args.jobs, watch_memory=True)
            big_hours = audio_hours(big)
            per_hour_1x = clean / hours
            per_hour = seconds / big_hours
            print(f"scale x{args.scale}: {big_hours:.2f} h of audio in {seconds:.1f} s; "
                  f"{per_hour:.1f} s per audio hour vs {per_hour_1x:.1f} s at 1x: ratio {per_hour / per_hour_1x:.2f}x"
                  f"  (target <= 1.2x); peak memory {peak} MB PSS (target < 400 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
