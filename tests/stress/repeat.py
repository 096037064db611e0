"""A pytest plugin for tests/stress/stress_timing.py: ``--stress-runs N`` runs each selected test
function N times in all (its parametrized cases share the runs, each at least once)."""

from __future__ import annotations

import math
from typing import Any


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--stress-runs", type=int, default=1, help="runs of each test function, in all")


def pytest_generate_tests(metafunc: Any) -> None:
    runs = metafunc.config.getoption("stress_runs")
    if runs <= 1:
        return
    cases = 1
    for mark in metafunc.definition.iter_markers("parametrize"):
        values = mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", [])
        cases *= max(1, len(values))
    metafunc.fixturenames.append("stress_run")
    metafunc.parametrize("stress_run", range(math.ceil(runs / cases)), ids=lambda i: f"run{i + 1}")
