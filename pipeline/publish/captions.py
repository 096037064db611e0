"""Captions: WebVTT and SRT for one story file, one cue per spoken segment.

Cues come from the assembly timeline, which is counted in samples, so they are as
exact as the audio (the encoder keeps every sample in place). WebVTT names the
speaker with a voice span (``<v Madame Dupont>``); SRT, which has no such thing,
starts the cue with the name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import atomic_open

NARRATOR = "Narrator"


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the file
    end: float
    speaker: str  # who reads it, as shown to the viewer
    text: str


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _one_line(text: str) -> str:
    # A blank line ends a cue in both formats, and "-->" starts a timing line.
    return " ".join(text.split()).replace("-->", "->")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Iterable[Cue]) -> str:
    out = ["WEBVTT", ""]
    for i, cue in enumerate(cues, start=1):
        out += [str(i), f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}",
                f"<v {_vtt_escape(_one_line(cue.speaker))}>{_vtt_escape(_one_line(cue.text))}", ""]
    return "\n".join(out)


def srt(cues: Iterable[Cue]) -> str:
    out = []
    for i, cue in enumerate(cues, start=1):
        out += [str(i), f"{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}",
                f"{_one_line(cue.speaker)}: {_one_line(cue.text)}", ""]
    return "\n".join(out)


def write_captions(vtt_path: Path, srt_path: Path, cues: Iterable[Cue]) -> None:
    """Write both caption files atomically; cues without duration are left out."""
    spoken = [c for c in cues if c.end > c.start and c.text.strip()]
    with atomic_open(vtt_path) as fh:
        fh.write(webvtt(spoken))
    with atomic_open(srt_path) as fh:
        fh.write(srt(spoken))
