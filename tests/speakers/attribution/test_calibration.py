"""The ranker's confidence curve and the threshold for sure lines (attribution/calibration.py)."""

from __future__ import annotations

import numpy as np

from pipeline.speakers.attribution.calibration import at_least, calibrate, fit_curve, logit, most_sure, sure_from


def _lines(a: float, b: float, n: int, seed: int = 3) -> list[tuple[float, bool]]:
    """``n`` lines whose pick was right with probability sigmoid(a * logit(share) + b)."""
    rng = np.random.default_rng(seed)
    share = rng.beta(4, 1.2, n)
    truth = 1 / (1 + np.exp(-(a * logit(share) + b)))
    return list(zip(share.tolist(), (rng.random(n) < truth).tolist(), strict=True))


def test_the_curve_recovers_the_law_the_lines_follow() -> None:
    lines = _lines(0.8, 0.6, 40_000)
    x = logit(np.asarray([p for p, _ in lines]))
    y = np.asarray([float(r) for _, r in lines])
    a, b = fit_curve(x, y)
    assert abs(a - 0.8) < 0.05 and abs(b - 0.6) < 0.08


def test_the_table_is_smooth_rising_and_read_as_the_model_reads_it() -> None:
    cal = calibrate(_lines(0.8, 0.6, 5_000))
    assert cal.share[0] == 0.0 and cal.share[-1] == 1.0 and cal.share == sorted(cal.share)
    assert all(b > a for a, b in zip(cal.right, cal.right[1:], strict=False))  # no flat steps
    shares = np.linspace(0, 1, 101)
    assert len(set(cal.confidence(shares).tolist())) > 50  # no coarse steps: shares apart are told apart
    model_table = {"share": cal.share, "right": cal.right}
    read = np.interp(shares, model_table["share"], model_table["right"])
    assert np.allclose(np.round(read, 2), cal.confidence(shares))
    curve = 1 / (1 + np.exp(-(cal.curve[0] * logit(shares) + cal.curve[1])))
    assert float(np.max(np.abs(read - curve))) < 0.01  # the table follows the fitted curve


def test_the_threshold_is_the_lowest_confidence_whose_lines_above_are_surely_right_enough() -> None:
    conf = np.asarray([0.99] * 400 + [0.9] * 400 + [0.7] * 400)
    right = np.asarray([1.0] * 396 + [0.0] * 4 + [1.0] * 388 + [0.0] * 12 + [1.0] * 200 + [0.0] * 200)
    assert sure_from(conf, right) == 0.9  # 784 of 800 right: 0.98, and its Wilson bound is above 0.95
    right[400:800] = [1.0] * 340 + [0.0] * 60  # 736 of 800: 0.92
    assert sure_from(conf, right) == 0.99
    assert sure_from(conf, np.zeros(len(conf))) == 1.0  # nothing was right enough: every line unsure
    assert at_least(0.96, 10) < 0.95 < at_least(0.96, 5_000)  # ten lines at 96% vouch for little


def test_a_share_that_tells_nothing_gives_every_line_the_average() -> None:
    rng = np.random.default_rng(5)
    lines = [(float(p), bool(r)) for p, r in zip(rng.random(2_000), rng.random(2_000) < 0.7, strict=True)]
    cal = calibrate([(p, r) for p, r in lines])
    assert max(cal.right) - min(cal.right) < 0.15
    assert calibrate([]).sure_from == 1.0


def test_most_sure_is_the_largest_top_share_that_stays_right_enough_ties_together() -> None:
    conf = np.asarray([0.99] * 50 + [0.9] * 50 + [0.5] * 100)
    right = np.asarray([1.0] * 50 + [1.0] * 45 + [0.0] * 5 + [1.0] * 50 + [0.0] * 50)
    assert most_sure(conf, right) == 0.5  # the top 100 lines are 95 right; with the next level only 145 of 200
    assert most_sure(conf, right, target=0.99) == 0.25
    assert most_sure(conf, np.zeros(len(conf))) == 0.0 and most_sure(np.zeros(0), np.zeros(0)) == 0.0
