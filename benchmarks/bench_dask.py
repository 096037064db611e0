"""A catalogue on a Dask cluster next to the same build on this machine, side by side in one run.

The catalogue: 20 works, the corpus's stories and chapters of ../shared/novels (each
chapter a work of its own, cut to --words words at a paragraph's end). On fresh copies:

- `audiobook build --jobs N` (the local build);
- `audiobook build --scheduler tcp://...` on a cluster already running: a `dask scheduler`
  and N `dask worker --nthreads 1` processes on 127.0.0.1, as a user would start them;
- `audiobook build --scheduler local:N` (the build starts its own cluster: startup included).

It prints the cluster build's time against the local one's (target at most 1.1x), the peak
memory of each worker (its process and its ffmpeg children; target under 400 MB), and the
per-task figures (seconds of work per chapter task, per audio hour, scheduler round trip)
that the README's estimate for a 1,000-book catalogue is drawn from.

Run: `.venv/bin/python benchmarks/bench_dask.py [--jobs 2] [--words 700]`. Without Dask or
without ../shared/novels it says so and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import _children, _rss_kb  # noqa: E402

AUDIOBOOK = Path(sys.executable).with_name("audiobook")
WORKS = 20


def find_novels() -> Path | None:
    """../shared/novels beside the repository (or beside the folder of worktrees it sits in)."""
    for parent in ROOT.parents:
        novels = parent / "shared" / "novels"
        if novels.is_dir():
            return novels
    return None


def excerpt(text: str, words: int) -> str:
    """The first paragraphs of ``text`` holding at least ``words`` words."""
    out, count = [], 0
    for para in text.split("\n\n"):
        out.append(para)
        count += len(para.split())
        if count >= words:
            break
    return "\n\n".join(out).strip() + "\n"


def make_catalogue(root: Path, novels: Path, words: int) -> Path:
    """The corpus's stories, then novel chapters round-robin across the books, up to WORKS works."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    works = sorted((ROOT / "corpus").glob("*.txt"))
    for f in works:
        shutil.copy(f, corpus / f.name)
    shutil.copy(ROOT / "voices.yaml", root / "voices.yaml")
    books = []
    for index in sorted((ROOT / "benchmarks" / "novel_dev").glob("*.chapters.json")):
        data = json.loads(index.read_text(encoding="utf-8"))
        text = (novels / data["file"]).read_text(encoding="utf-8")
        books.append([(Path(data["file"]).stem, c["title"], text[c["start"]:c["end"]]) for c in data["chapters"]])
    number = len(works)
    while number < WORKS and any(books):
        for chapters in books:
            if chapters and number < WORKS:
                book, title, text = chapters.pop(0)
                number += 1
                name = f"{number:02d}-{book}-{title.lower().replace(' ', '-')}.txt"
                (corpus / name).write_text(excerpt(text, words), encoding="utf-8")
    return root


# --------------------------------------------------------------------------- a cluster


@contextlib.contextmanager
def cluster(root: Path, workers: int) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A `dask scheduler` and single-threaded `dask worker`s on 127.0.0.1; always stopped."""
    file = root / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        while not file.exists():
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        # No nanny: each worker is one process (and its ffmpeg children), measured as such.
        procs += [subprocess.Popen([*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                    "--host", "127.0.0.1"], cwd=root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(workers)]
        import distributed

        with distributed.Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class PeakMemory:
    """Samples the RSS of each watched process tree every 50 ms; keeps each one's peak (MB)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peaks = [0] * len(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for i, pid in enumerate(self.pids):
                self.peaks[i] = max(self.peaks[i], sum(_rss_kb(p) for p in _children(pid)) // 1024)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds(pid: int) -> float:
    """CPU time of a live process and of the children it has waited for (ffmpeg), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def run_build(project: Path, *extra: str, workers: Sequence[int] = ()) -> tuple[float, float]:
    """One `audiobook build`: (wall seconds, CPU seconds of it, its children and the ``workers``)."""
    cmd = [str(AUDIOBOOK), "build", "--corpus", str(project / "corpus"), "--voices", str(project / "voices.yaml"),
           "--build-dir", str(project / "build"), *extra]
    before = sum(cpu_seconds(w) for w in workers)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(extra)}): {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime + sum(cpu_seconds(w) for w in workers) - before


def task_figures(address: str, since: float) -> list[tuple[float, float]]:
    """When each chapter task since ``since`` ran on its worker (epoch seconds: start, stop),
    from the scheduler's task stream."""
    import distributed

    with distributed.Client(address, timeout=30, set_as_default=False) as client:
        stream = client.get_task_stream(start=since, plot=False)
    return [(s["start"], s["stop"]) for t in stream if str(t["key"]).startswith("chapter-")
            for s in t["startstops"] if s["action"] == "compute"]


def timeline(tasks: list[tuple[float, float]], began: float, ended: float, workers: int) -> str:
    """Where the cluster build's wall time went: before the first task, the workers' idle time
    while tasks ran (the tail's imbalance, the round trips), after the last one."""
    first, last = min(a for a, _ in tasks), max(b for _, b in tasks)
    idle = workers * (last - first) - sum(b - a for a, b in tasks)
    return (f"{first - began:.1f} s before the first task (start-up, analysis, checks), {idle / workers:.1f} s "
            f"of workers idle between tasks (per worker), {ended - last:.1f} s after the last (joins, "
            "anthology, manifest)")


def audio_seconds(project: Path) -> float:
    data = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    return float(sum(s["duration"] for s in data["stories"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the local build; workers of the cluster")
    ap.add_argument("--words", type=int, default=700, help="words per novel chapter (a paragraph's end)")
    ap.add_argument("--repeat", type=int, default=1, help="alternating runs of the three builds (best is kept)")
    args = ap.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("skipped: Dask is not installed (pip install '.[dask]')")
        return 0
    novels = find_novels()
    if novels is None:
        print("skipped: ../shared/novels is absent")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        base = Path(tmp)
        local_s = dask_s = own_s = float("inf")
        peaks: list[int] = []
        with cluster(base, args.jobs) as (address, workers):
            task_figures(address, time.time())  # starts the scheduler's task stream
            # Side by side, alternating, best of --repeat: other work on this machine comes and goes.
            for run in range(args.repeat):
                local, remote, own = (make_catalogue(base / f"{name}{run}", novels, args.words)
                                      for name in ("local", "tcp", "own"))
                here, cpu = run_build(local, "--jobs", str(args.jobs))
                if here < local_s:
                    local_s, local_cpu = here, cpu
                since = time.time()
                with PeakMemory([w.pid for w in workers]) as memory:
                    wall, cpu = run_build(remote, "--scheduler", address, workers=[w.pid for w in workers])
                peaks = [max(a, b) for a, b in zip(memory.peaks, peaks or memory.peaks, strict=True)]
                if wall < dask_s:
                    dask_s, dask_cpu, tasks = wall, cpu, task_figures(address, since)
                    spans = (since, since + wall)
                mine, _ = run_build(own, "--scheduler", f"local:{args.jobs}")
                own_s = min(own_s, mine)
                print(f"run {run + 1}: local {here:.1f} s, tcp:// {wall:.1f} s = {wall / here:.2f}x, local:{args.jobs} "
                      f"{mine:.1f} s = {mine / here:.2f}x (load average {os.getloadavg()[0]:.1f})", flush=True)
        hours = audio_seconds(local) / 3600
        same = json.loads((local / "build" / "manifest.json").read_text())["stories"]
        other = json.loads((remote / "build" / "manifest.json").read_text())["stories"]
        drift = max(abs(a["duration"] - b["duration"]) for a, b in zip(same, other, strict=True))

    print(f"catalogue: {WORKS} works, {hours * 60:.1f} min of audio, {os.cpu_count()} cores")
    print(f"local --jobs {args.jobs}: {local_s:6.1f} s ({local_cpu:.1f} s of CPU)")
    print(f"cluster tcp:// ({args.jobs} workers x 1 thread): {dask_s:6.1f} s ({dask_cpu:.1f} s of CPU)  "
          f"ratio {dask_s / local_s:.2f}x  (target <= 1.1x; CPU {dask_cpu / local_cpu:.2f}x)")
    print(f"--scheduler local:{args.jobs} (cluster start included): {own_s:6.1f} s  ratio {own_s / local_s:.2f}x")
    print(f"peak memory per worker: {', '.join(f'{m} MB' for m in peaks)}  (target < 400 MB)")
    if tasks:
        seconds = [b - a for a, b in tasks]
        work = sum(seconds)
        print(f"chapter tasks: {len(tasks)}, {statistics.mean(seconds):.2f} s mean, {max(seconds):.2f} s max; "
              f"{work / hours:.0f} s of worker time per audio hour; scheduling and start-up "
              f"{dask_s - work / args.jobs:.1f} s of the {dask_s:.1f} s")
        print(f"cluster build's time: {timeline(tasks, *spans, args.jobs)}")
    print(f"largest chapter duration difference, cluster vs local: {drift * 1000:.0f} ms (eSpeak's samples "
          "depend on what each process said before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
