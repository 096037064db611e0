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


#: How much louder than its RMS eSpeak's speech measures with the K-weighting of loudness
#: meters (ITU-R BS.1770), in dB: 0.78 on average over seven voices of the cast palette
#: (0.22 for m7 to 1.34 for Annie). Clips of every engine are set to one RMS; a clip of another
#: engine is set so that its K-weighted level sits where an eSpeak clip's would (Piper's
#: joe voice measures 0.29: left at the same RMS it was 0.5 LU quieter than eSpeak).
ESPEAK_K_WEIGHTED_DB = 0.78


def k_weighted_db(pcm: bytes, rate: int) -> float:
    """A clip's K-weighted level minus its RMS level, in dB (0.0 for silence).

    The weighting (a +4 dB shelf above ~1.7 kHz and a high-pass at 38 Hz, BS.1770's two
    stages) is applied to the clip's power spectrum, which gives the same energy as filtering
    it would (Parseval) without a filter loop.
    """
    import numpy as np  # on first use, as in assemble

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    power = np.abs(np.fft.rfft(x)) ** 2
    total = float(power.sum())
    if total <= 0:
        return 0.0
    s = 1j * np.fft.rfftfreq(len(x), 1 / rate)
    shelf_gain = 10 ** (4.0 / 20)
    shelf = (shelf_gain * (s / 1681.97) ** 2 + shelf_gain ** 0.5 * (s / 1681.97) / 0.7072 + 1) / (
        (s / 1681.97) ** 2 + (s / 1681.97) / 0.7072 + 1)
    high_pass = (s / 38.135) ** 2 / ((s / 38.135) ** 2 + (s / 38.135) / 0.5003 + 1)
    weighted = float((power * np.abs(shelf * high_pass) ** 2).sum())
    return 10 * math.log10(weighted / total)
