"""Levels on the one scale that assembly aims at and `audiobook check` measures by.

Both sides must agree: assembly trims each clip to where it becomes audible so that the
head and tail silences come out as planned, and `check` finds the head and tail by the
same threshold. Defined once here, below both of them.
"""

from __future__ import annotations

import functools
import math
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
    # Zero-padded to a length of small prime factors: numpy's FFT of a clip whose length has
    # a large prime factor is 10-15x slower (measured: 0.55 s against 0.04 s for 40 s of speech).
    size = fft_size(len(x))
    y2 = np.fft.irfft(np.fft.rfft(x, size) * _k_filter(size, rate), size)[:len(x)] ** 2
    size, step = int(rate * 0.4), int(rate * 0.1)
    if len(y2) < size:
        blocks = np.array([y2.mean()])
    else:
        sums = np.concatenate(([0.0], np.cumsum(y2)))
        starts = np.arange(0, len(y2) - size + 1, step)
        blocks = (sums[starts + size] - sums[starts]) / size
    blocks = blocks[blocks > 10 ** ((-70 + 0.691) / 10)]
    if not len(blocks):
        return 0.0
    blocks = blocks[blocks >= blocks.mean() * 10 ** (-10 / 10)]
    return 10 * math.log10(float(blocks.mean()) / total)


@functools.lru_cache(maxsize=2)  # a clip is measured several times over while it is levelled
def _k_filter(size: int, rate: int) -> np.ndarray:
    """BS.1770's K-weighting (its high shelf, then its high pass) at each frequency of an FFT of ``size``."""
    import numpy as np

    s = 1j * np.fft.rfftfreq(size, 1 / rate)
    g, f_shelf, f_high = 10 ** (4.0 / 20), 1681.97, 38.135
    shelf = (g * (s / f_shelf) ** 2 + g ** 0.5 * (s / f_shelf) / 0.7072 + 1) / (
        (s / f_shelf) ** 2 + (s / f_shelf) / 0.7072 + 1)
    high_pass = (s / f_high) ** 2 / ((s / f_high) ** 2 + (s / f_high) / 0.5003 + 1)
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
#: long it takes to come back up. The release is shorter than the encoder's 50 ms: with that,
#: Piper's sentences (peaks 23 dB above their loudness) could not reach eSpeak's loudness at all.
LIMIT_ATTACK, LIMIT_RELEASE = 0.005, 0.01


def level_by_loudness(pcm: bytes, rate: int, loudness_db: float, peak_dbfs: float) -> bytes:
    """16-bit ``pcm`` at ``loudness_db`` integrated loudness (``k_weighted_db`` above its RMS level)
    with no sample above ``peak_dbfs``: gained, peak-limited, and measured again after limiting.

    The encoder's limiter takes loudness from a clip by how far its peaks stand above its
    loudness, which differs from engine to engine and voice to voice (Piper 1.7 LU, eSpeak's
    m7 0.9, Annie 0.3, so a chapter's voices parted by 1.4 LU): limited here first, under the
    encoder's ceiling, clips of every voice reach it as loud as each other and it leaves them so.
    """
    import numpy as np

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE
    if not np.any(x):
        return pcm
    _, y = loudness_gain(x, rate, loudness_db, peak_dbfs)
    out = np.clip(np.round(y * FULL_SCALE), SAMPLE_MIN, SAMPLE_MAX)
    return out.astype("<i2").tobytes()


def loudness_gain(x: np.ndarray, rate: int, loudness_db: float, peak_dbfs: float) -> tuple[float, np.ndarray]:
    """The gain (dB) that, with peaks limited to ``peak_dbfs``, brings ``x`` (not silent) to ``loudness_db``,
    and ``x`` so gained and limited."""
    import numpy as np

    rms = float(np.sqrt(np.mean(x ** 2)))
    ceiling, gain = 10 ** (peak_dbfs / 20), loudness_db - db(rms) - _k_weighted_db(x, rate)
    slope, last = 1.0, None  # loudness gained per dB of gain: under 1 once the limiter acts
    for _ in range(8):
        applied, y = gain, _limited(x * 10 ** (gain / 20), ceiling, rate)
        y_rms = float(np.sqrt(np.mean(y ** 2)))
        miss = loudness_db - db(y_rms) - _k_weighted_db(y, rate) if y_rms > 0 else 0.0
        if abs(miss) < 0.05:
            break
        if last is not None and last[1] != miss:
            slope = min(1.0, max(0.1, (last[1] - miss) / (gain - last[0])))
        last = gain, miss
        gain += miss / slope
    return applied, y


def _limited(x: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """``x`` under a lookahead limiter: each sample's gain at most what keeps it within ``ceiling``,
    reached over LIMIT_ATTACK before a peak and released over LIMIT_RELEASE after it."""
    import numpy as np

    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x), 1e-12))
    if need.min() >= 1.0:
        return x
    attack, release = max(1, int(rate * LIMIT_ATTACK)), max(1, int(rate * LIMIT_RELEASE))
    # The least gain needed from `release` samples before to `attack` samples after each sample...
    held = _running_min(np.concatenate((np.ones(release), need, np.ones(attack))), release + attack + 1)[:len(x)]
    # ...averaged over the `attack` samples up to each: every one of them already holds its need.
    padded = np.concatenate((np.full(attack, held[0]), held))
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    gain = (sums[attack + 1:] - sums[:-attack - 1]) / (attack + 1)
    return x * np.minimum(gain, need)


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
