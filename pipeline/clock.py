"""Durations and times as people read them (``2:57``, ``1:02:03.4``), and back: one formatter for all."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def clock(seconds: float, places: int = 0, hours: bool = True) -> str:
    """``h:mm:ss`` with ``places`` decimals, rounded to the last place shown; without ``hours``,
    ``m:ss`` under an hour (summaries), else ``h:mm:ss`` (SMIL clock values, the times view)."""
    unit = 10**places
    ticks = max(0, round(seconds * unit))
    whole, fraction = divmod(ticks, unit)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if hours or h else f"{m}:{s:02d}"
    return f"{text}.{fraction:0{places}d}" if places else text


def fmt_duration(seconds: float) -> str:
    """A length in a table or a progress line: ``2:57``, or ``12:07:00`` past an hour."""
    return clock(seconds, hours=False)


def seconds_of(text: str) -> float | None:
    """``1:23:45``, ``83:45``, ``45.5`` or ``5025`` in seconds; None when it is no time."""
    text = text.strip()
    m = _CLOCK.match(text)
    if m:
        h, mins, secs = m.groups()
        return int(h or 0) * 3600 + int(mins) * 60 + float(secs)
    try:
        return float(text)
    except ValueError:
        return None
