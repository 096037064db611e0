"""The learned ranker: candidates and features, the packaged model, and trees read as LightGBM wrote them."""

from __future__ import annotations

import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

from pipeline.speakers.analyse import LOW_CONFIDENCE, analyse, examine, sieves_only
from pipeline.speakers.attribution.features import FEATURES, candidate_table
from pipeline.speakers.attribution.ranker import FORMAT, MODEL, Model, Ranker
from tests.conftest import CORPUS

STORY = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


def test_every_line_has_candidates_with_one_row_of_named_features_each() -> None:
    ex = examine(STORY, ranker=sieves_only)
    table = candidate_table(ex.scene, ex.sieved)
    assert len(table) == len(ex.layout.quotations)
    for c, d in zip(table, ex.sieved, strict=True):
        assert len(c.speakers) == len(c.rows) == len(set(c.speakers))
        assert all(len(row) == len(FEATURES) for row in c.rows)
        if d.speaker is not None:
            assert c.speakers[0] == d.speaker  # the sieves' own choice is always a candidate
            assert c.rows[0][FEATURES.index("rule_choice")] == 1.0


def test_the_packaged_model_is_small_json_built_for_these_features() -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and tuple(data["features"]) == FEATURES
    assert MODEL.stat().st_size < 1_000_000
    model = Model(data)
    _shares, ys = model.calibration
    assert list(ys) == sorted(ys) and all(0.0 <= y <= 1.0 for y in ys)  # accuracy rises with the share
    # the threshold for sure lines comes with the model (chosen on held-out books) and is the script view's
    assert 0.5 < model.sure_from <= 1.0 and model.sure_from == LOW_CONFIDENCE


def test_a_model_for_other_features_is_refused_with_the_way_to_rebuild_it(tmp_path: Path) -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    data["features"] = [*data["features"][:-1], "something-else"]
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="train_ranker"):
        Model.load(bad)


def _lightgbm_tree_arrays(node: dict, out: dict[str, list]) -> int:  # type: ignore[type-arg]
    if "split_feature" not in node:
        out["value"].append(node["leaf_value"])
        return ~(len(out["value"]) - 1)
    i = len(out["feature"])
    out["feature"].append(node["split_feature"])
    out["threshold"].append(node["threshold"])
    out["left"].append(0)
    out["right"].append(0)
    out["left"][i] = _lightgbm_tree_arrays(node["left_child"], out)
    out["right"][i] = _lightgbm_tree_arrays(node["right_child"], out)
    return i


def test_the_trees_score_as_lightgbm_does() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(600, len(FEATURES))).astype(float)
    y = ((x[:, 0] + x[:, 5] * 0.5 + rng.normal(0, 0.5, 600)) > 2).astype(float)
    params = {"objective": "binary", "num_leaves": 7, "verbose": -1, "deterministic": True, "num_threads": 1,
              "use_missing": False}
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=20)
    trees = []
    for info in booster.dump_model()["tree_info"]:
        out: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}  # type: ignore[type-arg]
        _lightgbm_tree_arrays(info["tree_structure"], out)
        trees.append(out)
    model = Model({"format": FORMAT, "features": list(FEATURES), "trees": trees,
                   "calibration": {"share": [0.0, 1.0], "right": [0.0, 1.0], "sure_from": 0.9}})
    assert np.allclose(model.probabilities(x), booster.predict(x), atol=1e-9)


def test_the_ranker_keeps_pins_and_gives_confidences_between_0_and_1() -> None:
    plain = analyse(STORY)
    seg = next(s for s in plain.segments if s.kind == "dialogue")
    other = next(c.name for c in plain.characters if c.name != seg.speaker)
    pinned = analyse(STORY, pins={str(seg.quote_id): other}, ranker=Ranker())
    assert [(s.speaker, s.rule) for s in pinned.segments if s.quote_id == seg.quote_id] == [(other, "pin")]
    for s in analyse(STORY).segments:
        if s.kind == "dialogue":
            assert s.confidence is not None and 0.0 <= s.confidence <= 1.0
