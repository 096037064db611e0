"""Levels on the one scale that assembly aims at and `audiobook check` measures by.

Both sides must agree: assembly trims each clip to where it becomes audible so that the
head and tail silences come out as planned, and `check` finds the head and tail by the
same threshold. Defined once here, below both of them.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: 16-bit PCM: the magnitude of a full-scale (0 dBFS) sample, and the range samples clip to.
FULL_SCALE = 32768
SAMPLE_MIN, SAMPLE_MAX = -32768, 32767
#: A 10 ms window louder than this (RMS, in the finished file) is sound, not room tone.
AUDIBLE_DBFS = -50.0
#: Seconds: the window the audible threshold applies to.
WINDOW = 0.01


def db(ratio: float) -> float:
    """Linear full-scale fraction -> dBFS (-inf for silence)."""
    return 20 * math.log10(ratio) if ratio > 0 else -math.inf


def amplitude(dbfs: float) -> float:
    """dBFS -> a 16-bit sample magnitude (or RMS)."""
    return FULL_SCALE * 10 ** (dbfs / 20)


#: How much louder than its RMS level eSpeak's narration measures by ``k_weighted_db``, in dB:
#: 1.13 on average over eight voices of the cast palette reading a paragraph (0.50 for m7 to
#: 1.66 for Annie; a short line measures about 0.8 dB more, with no pauses in it). A chapter
#: whose clips come from more than one engine sets each clip to the loudness an eSpeak
#: narration clip of the chapter's RMS level has: Piper, which normalises each sentence to
#: full scale and pauses longer, was 0.6 LU under eSpeak's m3 at the same RMS, and a short
#: eSpeak line 2 LU over a Piper narrator.
ESPEAK_K_WEIGHTED_DB = 1.13


def k_weighted_db(pcm: bytes, rate: int) -> float:
    """A clip's integrated loudness (ITU-R BS.1770, as loudness meters and ffmpeg's ebur128 measure
    it: K-weighted, 400 ms blocks overlapping by 75%, gated at -70 LUFS and 10 LU below the
    ungated level) relative to its RMS level, in dB (0.0 for silence)."""
    import numpy as np  # on first use, as in assemble

    return _k_weighted_db(np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE, rate)


def _k_weighted_db(x: np.ndarray, rate: int) -> float:
    """``k_weighted_db`` of full-scale-relative float samples."""
    import numpy as np

    total = float(np.mean(x ** 2)) if len(x) else 0.0
    if total <= 0:
        return 0.0
    gated = _gated_mean(_k_filtered(x, rate) ** 2, rate)
    return 10 * math.log10(gated / total) if gated > 0 else 0.0


def _k_filtered(x: np.ndarray, rate: int) -> np.ndarray:
    """``x`` through BS.1770's K-weighting filter."""
    import numpy as np

    # Zero-padded to a length of small prime factors: numpy's FFT of a clip whose length has
    # a large prime factor is 10-15x slower (measured: 0.55 s against 0.04 s for 40 s of speech).
    size = fft_size(len(x))
    return np.fft.irfft(np.fft.rfft(x, size) * _k_filter(size, rate), size)[:len(x)]


def _gated_mean(y2: np.ndarray, rate: int) -> float:
    """The mean of K-weighted squares over BS.1770's gated 400 ms blocks (0.0 when every block is gated)."""
    import numpy as np

    size, step = int(rate * 0.4), int(rate * 0.1)
    if len(y2) < size:
        blocks = np.array([y2.mean()])
    else:  # a block is 4 steps: summed step by step (no running sum as long as the clip: memory)
        steps = y2[:len(y2) // step * step].reshape(-1, step).sum(axis=1)
        blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * step)
    blocks = blocks[blocks > 10 ** ((-70 + 0.691) / 10)]
    if not len(blocks):
        return 0.0
    return float(blocks[blocks >= blocks.mean() * 10 ** (-10 / 10)].mean())


@functools.lru_cache(maxsize=2)  # a clip is measured several times over while it is levelled
def _k_filter(size: int, rate: int) -> np.ndarray:
    """BS.1770's K-weighting (its high shelf, then its high pass) at each frequency of an FFT of ``size``."""
    import numpy as np

    # Each stage is a ratio of polynomials in s = jw: with u = w / f, (s / f)^2 = -u^2, written out
    # in real and imaginary parts (complex powers of the whole array took a third of levelling's time).
    w = np.fft.rfftfreq(size, 1 / rate)
    g, f_shelf, f_high = 10 ** (4.0 / 20), 1681.97, 38.135
    u, v = w / f_shelf, w / f_high
    shelf = (1 - g * u * u + 1j * (g ** 0.5 / 0.7072) * u) / (1 - u * u + 1j / 0.7072 * u)
    high_pass = -(v * v) / (1 - v * v + 1j / 0.5003 * v)
    return shelf * high_pass


def fft_size(n: int) -> int:
    """The least length of at least ``n`` whose only prime factors are 2, 3 and 5."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            size = p35 << max(0, (-(-n // p35) - 1).bit_length())  # p35 times the power of 2 that reaches n
            best = min(best, size)
            p35 *= 3
        p5 *= 5
    return best


#: Seconds: how far ahead of a peak ``level_by_loudness``'s limiter starts turning down, and how
#: long it takes to come back up: each peak sits in a smooth dip (a triangle's corners rounded off:
#: the least gain held over half of each, eased over the other half twice), with no corner for a
#: gain step to click on. The release is shorter than the encoder's 50 ms: with that, Piper's
#: sentences (peaks 23 dB above their loudness) could not reach eSpeak's loudness at all.
LIMIT_ATTACK, LIMIT_RELEASE = 0.01, 0.01
#: Bumped whenever ``level_by_loudness`` changes what it makes of a clip: part of every file's
#: fingerprint, with the constants above, so that files levelled the old way are made again.
LEVELS_VERSION = 3  # 3: levelled by the estimate, then measured (``loudness_gain``)
#: One clip levelled at a time in a process: a long clip's arrays come to some 60 MB, and a build
#: assembles several chapters at once (two at a time held 150 MB, one 90), while the CPU it takes is
#: a tenth of what the render workers beside it take.
_ONE_AT_A_TIME = threading.Lock()


def level_by_loudness(pcm: bytes, rate: int, loudness_db: float, peak_dbfs: float) -> bytes:
    """16-bit ``pcm`` at ``loudness_db`` integrated loudness (``k_weighted_db`` above its RMS level)
    with no sample above ``peak_dbfs``: gained, peak-limited, and measured again after limiting.

    The encoder's limiter takes loudness from a clip by how far its peaks stand above its
    loudness, which differs from engine to engine and voice to voice (Piper 1.7 LU, eSpeak's
    m7 0.9, Annie 0.3, so a chapter's voices parted by 1.4 LU): limited here first, under the
    encoder's ceiling, clips of every voice reach it as loud as each other and it leaves them so.
    """
    import numpy as np

    with _ONE_AT_A_TIME:
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE
        if not np.any(x):
            return pcm
        _, y = loudness_gain(x, rate, loudness_db, peak_dbfs)
        return np.clip(np.round(y * FULL_SCALE), SAMPLE_MIN, SAMPLE_MAX).astype("<i2").tobytes()


def loudness_gain(x: np.ndarray, rate: int, loudness_db: float, peak_dbfs: float) -> tuple[float, np.ndarray]:
    """The gain (dB) that, with peaks limited to ``peak_dbfs``, brings ``x`` (not silent) to ``loudness_db``,
    and ``x`` so gained and limited.

    K-weighting is linear and the limiter's gain moves slowly (over 10 ms) next to the filter's
    frequencies, so the K-weighted clip is filtered once and each trial gain is measured on it times
    that gain (no FFT); the result is then measured for real, and the aim corrected by what the
    estimate missed (filtering each trial took four FFTs a clip; now two, one for a clip the limiter
    leaves alone). With the limiter worked out near peaks only, levelling 7.4 minutes of Piper's
    clips took 1.6-1.8 s of CPU instead of 2.8-2.9, to the same loudness (within 0.05 dB).
    """
    ceiling, k2 = 10 ** (peak_dbfs / 20), _k_filtered(x, rate) ** 2
    aim, gain = loudness_db, loudness_db - _db_power(_gated_mean(k2, rate))
    for _ in range(4):
        gain, envelope = _gain_for(x, k2, rate, aim, gain, ceiling)
        y = x * envelope
        if envelope.min() == envelope.max():  # not limited: the estimate is exact
            break
        miss = loudness_db - _db_power(_gated_mean(_k_filtered(y, rate) ** 2, rate))
        if abs(miss) < 0.05:
            break
        aim += miss
    return gain, y


def _gain_for(x: np.ndarray, k2: np.ndarray, rate: int, aim: float, gain: float, ceiling: float,
              ) -> tuple[float, np.ndarray]:
    """The gain (dB) that brings ``x``, limited, to ``aim`` as estimated from its K-weighted squares ``k2``
    (the limited clip's being ``k2`` times the square of each sample's gain), and that gain per sample:
    the secant method, from ``gain``."""
    slope, last = 1.0, None  # loudness gained per dB of gain: under 1 once the limiter acts
    for _ in range(8):
        applied = gain
        scale = 10 ** (gain / 20)
        envelope = _limiter_gain(x, ceiling / scale, rate)  # the limiter's gain for x times scale
        envelope *= scale
        weighted = envelope * envelope
        weighted *= k2
        miss = aim - _db_power(_gated_mean(weighted, rate))
        del weighted
        if abs(miss) < 0.05:
            break
        if last is not None and last[1] != miss:
            slope = min(1.0, max(0.1, (last[1] - miss) / (gain - last[0])))
        last = gain, miss
        gain += miss / slope
    return applied, envelope


def _db_power(power: float) -> float:
    """A mean square as dB (-inf for none)."""
    return 10 * math.log10(power) if power > 0 else -math.inf


def _limited(x: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """``x`` under a lookahead limiter: each sample's gain at most what keeps it within ``ceiling``,
    turned down smoothly over LIMIT_ATTACK before a peak and back up over LIMIT_RELEASE after it."""
    return x * _limiter_gain(x, ceiling, rate)


def _limiter_gain(x: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """The gain ``_limited`` gives each sample of ``x`` (all ones when no sample is over ``ceiling``)."""
    import numpy as np

    need = np.abs(x)  # then, in place (a clip can be 40 s long): the gain that keeps each sample in
    np.maximum(need, 1e-12, out=need)
    np.divide(ceiling, need, out=need)
    np.minimum(need, 1.0, out=need)
    over = need < 1.0
    if not over.any():
        return need
    ahead, behind = max(2, int(rate * LIMIT_ATTACK / 2)), max(2, int(rate * LIMIT_RELEASE / 2))
    # A sample's gain dips only within `reach` of a sample over the ceiling: the dips are worked out on
    # the stretches within twice that of one (each then starts and ends with `reach` samples that need
    # nothing, so that stretches put end to end do not reach each other), and the gain is 1 elsewhere.
    # Peaks are few (6% of Piper's samples are turned down by over 3 dB): over whole clips, the limiter
    # was over two fifths of levelling's time.
    reach = 2 * (ahead + behind)
    near = np.flatnonzero(_near(over, reach)[:len(x)])
    gain = np.ones(len(x))
    gain[near] = _dips(need[near], ahead, behind)
    return np.minimum(gain, need)


def _dips(need: np.ndarray, ahead: int, behind: int) -> np.ndarray:
    """Each sample's gain under the limiter, from what each sample needs (1: nothing)."""
    import numpy as np

    # The least gain needed from `behind` samples before to `ahead` samples after each sample...
    held = _running_min(np.concatenate((np.ones(behind), need, np.ones(ahead))), behind + ahead + 1)[:len(need)]
    # ...averaged, twice over, from `ahead` samples before to `behind` samples after each: every
    # sample in reach of a sample's averages holds that sample's need (triangular weights, so the
    # gain eases into and out of each dip), and the first average ends at `behind // 2`.
    first = _moving_mean(held, ahead // 2, behind // 2)
    return _moving_mean(first, ahead - ahead // 2, behind - behind // 2)


def _near(mask: np.ndarray, reach: int) -> np.ndarray:
    """True for every sample of the ``reach``-long blocks within two blocks of one with a True in ``mask``
    (so for every sample within ``2 * reach`` of a True; a few more at the end)."""
    import numpy as np

    blocks = -(-len(mask) // reach)
    hit = np.concatenate((np.zeros(2, bool), np.pad(mask, (0, blocks * reach - len(mask))).reshape(
        blocks, reach).any(axis=1), np.zeros(2, bool)))
    near = hit[:-4] | hit[1:-3] | hit[2:-2] | hit[3:-1] | hit[4:]
    return np.repeat(near, reach)


def _moving_mean(v: np.ndarray, before: int, after: int) -> np.ndarray:
    """The mean of ``v[i - before:i + after + 1]`` for each i, ``v``'s ends held beyond it."""
    import numpy as np

    padded = np.concatenate((np.full(before, v[0]), v, np.full(after, v[-1])))
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    width = before + after + 1
    return (sums[width:] - sums[:-width]) / width


def _running_min(v: np.ndarray, width: int) -> np.ndarray:
    """The minimum of ``v[i:i + width]`` for each i (fewer at the end), in log2(width) passes."""
    import numpy as np

    out, span = v.copy(), 1
    while span * 2 <= width:
        out[:-span] = np.minimum(out[:-span], out[span:])
        span *= 2
    rest = width - span
    if rest:
        out[:-rest] = np.minimum(out[:-rest], out[rest:])
    return out
