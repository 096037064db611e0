"""The ranker's second pass: what each candidate reads of the first pass around it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.speakers.attribution.ranker import MODEL, Model
from pipeline.speakers.attribution.stacking import BROKEN, NEXT_PARAGRAPH, SECOND, picks, second_rows

# four lines of an exchange (the third found no candidate) and a fifth after a break:
# A (tagged), then B/A, nothing, B/A/GROUP, and a new scene with A alone
P = np.array([0.9, 0.2, 0.5, 0.6, 0.3, 0.1, 0.8, 0.0, 0.7])
SIZES = [2, 2, 0, 4, 1]
IDS = np.array([1, 2, 2, 1, 2, 1, 3, -1, 1])
TAGGED = np.zeros(len(P), dtype=bool)
TAGGED[0] = True
LINKS = [BROKEN, NEXT_PARAGRAPH, NEXT_PARAGRAPH, NEXT_PARAGRAPH, BROKEN]
COPIED = np.zeros((len(P), 2))  # the sieves' confidence and choice, copied from the first pass as they are
COPIED[[0, 2, 5, 8], 1] = 1.0


def _row(x: np.ndarray, i: int) -> dict[str, float]:
    return dict(zip(SECOND, x[i].tolist(), strict=True))


def test_each_line_picks_the_row_its_tag_names_else_its_best() -> None:
    assert picks(P, np.asarray(SIZES), TAGGED).tolist() == [True, False, False, True, False, False, True, False, True]
    assert not picks(np.zeros(3), np.asarray([3]), np.zeros(3, dtype=bool)).any()  # all vetoed: no pick


def test_a_candidate_reads_who_the_first_pass_heard_in_the_lines_around_it() -> None:
    x = second_rows(P, SIZES, IDS, TAGGED, LINKS, COPIED)
    assert x.shape == (len(P), len(SECOND))
    b_in_second_line = _row(x, 2)
    assert b_in_second_line["own"] == 0.5 and b_in_second_line["own_rank"] == 1.0
    assert b_in_second_line["own_margin"] == pytest.approx(-0.1)
    assert b_in_second_line["share_before1"] == 0.2 and b_in_second_line["best_before1"] == 0.0
    assert b_in_second_line["share_after2"] == 0.3  # B in the fourth line, past the line with no candidate
    a_in_fourth = _row(x, 5)
    assert a_in_fourth["share_before2"] == 0.6 and a_in_fourth["best_before2"] == 1.0  # A was the 2nd line's pick
    assert a_in_fourth["even_best"] == 1.0 and a_in_fourth["odd_tag"] == 1.0  # the tag three lines back names A
    assert a_in_fourth["best_after1"] == -1.0  # the next line is across a break: unknown, not "someone else"
    assert _row(x, 0)["own_tag"] == 1.0 and _row(x, 1)["own_tag"] == -1.0  # the tag's person, and the others
    assert _row(x, 2)["sieves_choice"] == 1.0 and _row(x, 3)["sieves_choice"] == 0.0
    alone = _row(x, 8)
    assert alone["run_lines"] == pytest.approx(np.log1p(1)) and alone["share_before1"] == 0.0


def test_the_share_of_the_exchange_counts_every_line_of_it() -> None:
    x = second_rows(P, SIZES, IDS, TAGGED, LINKS, COPIED)
    # the exchange is lines 0-3: A scored 0.9, 0.6, 0.1 there; B 0.2, 0.5, 0.3
    assert _row(x, 0)["run_share"] == pytest.approx(1.6 / 4)
    assert _row(x, 1)["run_share"] == pytest.approx(1.0 / 4)
    assert _row(x, 0)["run_margin"] == pytest.approx(0.6 / 4)


def test_a_second_pass_built_for_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    data["second"] = {"features": [*SECOND[:-1], "something-else"], "trees": []}
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="train_ranker"):
        Model.load(bad)


def test_the_rows_asked_for_alone_are_those_of_all_rows() -> None:
    only = np.array([False, True, True, False, True, True, False, False, True])
    every = second_rows(P, SIZES, IDS, TAGGED, LINKS, COPIED)
    assert np.array_equal(second_rows(P, SIZES, IDS, TAGGED, LINKS, COPIED, only=only), every[only])
