"""Clips -> one story's audio: pauses, fades, and where every segment lands in time.

Assembly streams: each clip is loaded with pydub, faded at its edges (no clicks at
joins) and handed to a sink (the encoders) one at a time, so memory stays bounded by
the longest clip and the work stays linear in the story's length.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import engine

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is on PATH; we only use it on raw PCM here.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
from .model import Segment, Story, StoryAudio, TimedSegment
from .synth import ClipCache, PlannedClip

FADE_MS = 6  # short enough to be inaudible, long enough to remove clicks at the joins
HEAD_SILENCE = 0.75  # seconds of room tone before the title
TAIL_SILENCE = 2.0  # seconds after the last line

BYTES_PER_SECOND = engine.SAMPLE_RATE * engine.SAMPLE_WIDTH

Sink = Callable[[bytes], None]


class CorruptClip(Exception):
    """A cached clip turned out unreadable; the caller re-renders it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Loudness:
    """Per-clip loudness target, so that voices of different levels sound even."""

    target_dbfs: float = -20.0  # RMS level every clip is brought to
    peak_ceiling_dbfs: float = -3.5  # never push a clip's peak above this


def silence(seconds: float) -> bytes:
    frames = round(seconds * engine.SAMPLE_RATE)
    return b"\x00" * (frames * engine.SAMPLE_WIDTH)


def load_clip(cache: ClipCache, key: str, loudness: Loudness | None) -> bytes:
    """A cached clip's PCM, faded at both ends and levelled."""
    try:
        pcm = engine.read_wav_pcm(cache.path(key))
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptClip(key) from exc
    clip = AudioSegment(data=pcm, sample_width=engine.SAMPLE_WIDTH, frame_rate=engine.SAMPLE_RATE, channels=1)
    if loudness is not None and clip.rms > 0:
        gain = loudness.target_dbfs - clip.dBFS
        headroom = loudness.peak_ceiling_dbfs - clip.max_dBFS
        clip = clip.apply_gain(min(gain, headroom))
    fade = min(FADE_MS, len(clip) // 4)
    if fade > 0:
        clip = clip.fade_in(fade).fade_out(fade)
    return bytes(clip.raw_data)


def assemble_story(
    story: Story,
    segments: Sequence[Segment],
    clips: Sequence[PlannedClip],
    cache: ClipCache,
    sink: Sink,
    voice_names: Callable[[PlannedClip], str],
    loudness: Loudness | None = Loudness(),
) -> StoryAudio:
    """Stream the story's audio into ``sink`` and return its timeline (seconds)."""
    written = 0  # bytes so far: timings are exact sample counts, not estimates

    def emit(data: bytes) -> None:
        nonlocal written
        if data:
            sink(data)
            written += len(data)

    spans: dict[int, list[float]] = {}
    voices: dict[int, str] = {}
    emit(silence(HEAD_SILENCE))
    for clip in clips:
        emit(silence(clip.utterance.pause_before))
        start = written / BYTES_PER_SECOND
        emit(load_clip(cache, clip.key, loudness))
        end = written / BYTES_PER_SECOND
        idx = clip.utterance.segment_index
        if idx >= 0:
            span = spans.setdefault(idx, [start, end])
            span[1] = end
            voices.setdefault(idx, voice_names(clip))
    emit(silence(TAIL_SILENCE))

    timeline = []
    cursor = HEAD_SILENCE
    for idx, seg in enumerate(segments):
        if idx in spans:
            start, end = spans[idx]
            cursor = end
        else:  # nothing speakable (e.g. a lone comma between two quotations)
            start = end = cursor
        timeline.append(TimedSegment(segment=seg, voice=voices.get(idx, ""), start=start, end=end))
    return StoryAudio(story=story, duration=written / BYTES_PER_SECOND, timeline=tuple(timeline))
