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
