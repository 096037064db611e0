"""The render pool stopped in a hurry (an error or Ctrl-C): nothing of it is left running when
the build exits. A manager thread still closing its pipes as the interpreter exits races
ProcessPoolExecutor's exit hook, which then prints "OSError: [Errno 9] Bad file descriptor" and a
traceback under the build's one error line (seen once in CI, in test_a_file_size_limit_is_named)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from pipeline.audio.workers import Pool


def test_kill_leaves_no_manager_thread_running() -> None:
    pool = Pool(2)
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()  # the workers exist
    before = set(threading.enumerate())
    managers = [t for t in before if "ExecutorManagerThread" in type(t).__name__]
    assert managers, "the pool has a manager thread once it has taken work"
    pool.kill(everyone=True)
    assert not [t for t in managers if t.is_alive()]


def test_a_killed_pool_exits_quietly() -> None:
    """The whole path, in a process of its own, many times: an error's exit prints nothing more."""
    script = ("import os\nfrom pipeline.audio.workers import Pool\n"
              "for _ in range(20):\n"
              "    pool = Pool(2)\n    pool.submit(os.getpid).result(timeout=60)\n    pool.kill(everyone=True)\n")
    for _ in range(5):
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and result.stderr == "", result.stderr
