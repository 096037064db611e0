"""The attribution dev set must not get worse: detection, end-to-end and explicit-quote floors.

Scored with the set's own scorer (tests/fixtures/attribution-dev/score.py), imported here,
on ``to_json(analyse(text))`` for each story, exactly as `audiobook script --json` prints it.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

import pytest

from pipeline.cli.scriptview import to_json
from pipeline.speakers.analyse import analyse
from tests.conftest import FIXTURES

DEV = FIXTURES / "attribution-dev"

# Just under what the current rules reach; raise them when attribution improves.
FLOOR_DETECTION_F1 = 0.99
FLOOR_END_TO_END = 0.89
FLOOR_EXPLICIT = 0.98


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("attribution_dev_score", DEV / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def overall() -> dict[str, Any]:
    score = load_scorer()
    results = []
    for slug in score.list_slugs(str(DEV)):
        novel = score.Novel(str(DEV), slug)
        segments = to_json(analyse(novel.text))["segments"]
        results.append(score.score_novel(novel, score.preds_from_segments(segments)))
    total = score.aggregate(results)
    _p, _r, f1, _acc, e2e = score.ratios(total)
    n, _found, correct = total["by_type"]["explicit"]
    return {"f1": f1, "e2e": e2e, "explicit": correct / n}


def test_detection_f1(overall: dict[str, Any]) -> None:
    assert overall["f1"] >= FLOOR_DETECTION_F1


def test_end_to_end_accuracy(overall: dict[str, Any]) -> None:
    assert overall["e2e"] >= FLOOR_END_TO_END


def test_explicit_quotations(overall: dict[str, Any]) -> None:
    assert overall["explicit"] >= FLOOR_EXPLICIT
