"""Levels on the one scale that assembly aims at and `audiobook check` measures by.

Both sides must agree: assembly trims each clip to where it becomes audible so that the
head and tail silences come out as planned, and `check` finds the head and tail by the
same threshold. Defined once here, below both of them.
"""

from __future__ import annotations

import math

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

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE
    total = float(np.mean(x ** 2)) if len(x) else 0.0
    if total <= 0:
        return 0.0
    s = 1j * np.fft.rfftfreq(len(x), 1 / rate)
    g, f_shelf, f_high = 10 ** (4.0 / 20), 1681.97, 38.135
    shelf = (g * (s / f_shelf) ** 2 + g ** 0.5 * (s / f_shelf) / 0.7072 + 1) / (
        (s / f_shelf) ** 2 + (s / f_shelf) / 0.7072 + 1)
    high_pass = (s / f_high) ** 2 / ((s / f_high) ** 2 + (s / f_high) / 0.5003 + 1)
    y2 = np.fft.irfft(np.fft.rfft(x) * shelf * high_pass, len(x)) ** 2
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
