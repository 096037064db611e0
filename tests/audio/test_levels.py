"""Levels in numpy: the same numbers, to the bit, as the audioop code they replace."""

from __future__ import annotations

import random
import re
import warnings

import pytest

from pipeline.audio import assemble
from pipeline.model import VoiceSettings
from pipeline.quality.check import _window_levels
from pipeline.voices import engine
from tests.conftest import ROOT


def test_our_code_does_not_import_audioop() -> None:
    # audioop is gone in Python 3.13 (pydub still imports it: audioop-lts covers that).
    users = [p for p in (ROOT / "pipeline").rglob("*.py")
             if re.search(r"^\s*(import audioop|from audioop)", p.read_text(encoding="utf-8"), re.M)]
    assert users == []


def _clips() -> list[bytes]:
    rng = random.Random(7)
    eng = engine.engine()
    spoken = [eng.render(text, VoiceSettings("gmw/en-us", rate=rate)).pcm
              for text in ("Hello there.", "A pause; then more words!", ".") for rate in (120, 400)]
    full_scale = b"\xff\x7f" * 300 + b"\x00\x80" * 300
    noise = bytes(rng.getrandbits(8) for _ in range(20000))
    return [*spoken, b"", b"\0\0" * 5, full_scale, noise]


def test_levels_match_audioop_bit_for_bit() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")  # the reference: present up to 3.12, audioop-lts after

    def span(pcm: bytes, threshold: float) -> tuple[int, int]:  # the audioop version of audible_span
        level, step = 32768 * 10 ** (threshold / 20), assemble._STEP
        a, b = 0, len(pcm)
        while a < b and audioop.rms(pcm[a:a + step], 2) <= level:
            a += step
        while b > a and audioop.rms(pcm[max(a, b - step):b], 2) <= level:
            b -= step
        return min(a, len(pcm)), max(a, b)

    for pcm in _clips():
        for threshold in (-80.0, -59.0, -50.0, -10.0, 0.0):
            assert assemble.audible_span(pcm, threshold) == span(pcm, threshold)
        for dbfs in (-75.0, 0.0):  # a loud bed saturates instead of wrapping around
            mine, theirs = assemble.RoomTone(dbfs), assemble.RoomTone(dbfs)
            for data in (pcm, audioop.mul(pcm, 2, 30.0)):
                assert mine.under(data) == audioop.add(data, theirs.take(len(data)), 2)
        for size in (220, 441, 1):
            usable = len(pcm) - len(pcm) % (2 * size)
            assert _window_levels(pcm[:usable], size) == [
                (audioop.rms(pcm[i:i + 2 * size], 2) ** 2, audioop.max(pcm[i:i + 2 * size], 2))
                for i in range(0, usable, 2 * size)]


def test_the_limiter_dips_smoothly_around_each_peak() -> None:
    import numpy as np

    from pipeline.audio import levels

    rate = engine.SAMPLE_RATE
    t = np.arange(rate) / rate
    x = 0.1 * np.sin(2 * np.pi * 150 * t)
    x[rate // 2] = 0.9  # one click, 19 dB over the tone
    ceiling = 0.2
    y = levels._limited(x, ceiling, rate)
    assert np.max(np.abs(y)) <= ceiling + 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(np.abs(x) > 1e-3, y / x, np.nan)
    down = np.flatnonzero(gain < 0.999)
    # Turned down from LIMIT_ATTACK before the click to LIMIT_RELEASE after it, and nowhere else...
    assert rate // 2 - down[0] <= rate * levels.LIMIT_ATTACK + 1
    assert down[-1] - rate // 2 <= rate * levels.LIMIT_RELEASE + 1
    assert rate // 2 - down[0] > rate * levels.LIMIT_ATTACK / 2  # ...starting well ahead of it
    # ...in small steps (a 15 dB dip over 10 ms: no step in gain of more than a few percent).
    steps = np.abs(np.diff(gain[down[0] - 2:down[-1] + 3]))
    steps = steps[np.isfinite(steps)]
    assert steps.max() < 0.05, steps.max()
