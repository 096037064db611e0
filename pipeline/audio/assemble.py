"""Clips -> one story's audio: pauses, fades, loudness, and where every clip lands in time.

Assembly streams: each clip is loaded with pydub, levelled, faded at its edges (no
clicks at joins) and handed to a sink (the encoders) one at a time, so memory stays
bounded by the longest clip and the work stays linear in the story's length.

Loudness is decided per clip, before stitching, from numbers that are known up front:
every clip is brought to one RMS level, chosen so that the whole file (pauses
included, which is how ACX measures) lands on ``Loudness.target_rms_dbfs``. Clips are
handed over ``headroom_db`` quieter than that; the encoder's lookahead limiter adds the
headroom back in floating point and holds the peaks under the ceiling (speech from
eSpeak peaks about 20 dB above its RMS, more than 16-bit PCM leaves room for).
"""

from __future__ import annotations

import array
import functools
import math
import random
import sys
import warnings
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.voices import engine

if TYPE_CHECKING:
    import numpy as np

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is on PATH; we only use it on raw PCM here.
    # pydub imports audioop, deprecated in 3.11/3.12 (audioop-lts provides it from 3.13).
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
from pipeline.audio.levels import (
    AUDIBLE_DBFS,
    ESPEAK_K_WEIGHTED_DB,
    SAMPLE_MAX,
    SAMPLE_MIN,
    WINDOW,
    amplitude,
    level_by_loudness,
)
from pipeline.audio.synth import ClipCache, PlannedClip
from pipeline.model import DEFAULT_ENGINE, ChapterAudio, Segment, TimedSegment, Work

FADE_MS = 6  # short enough to be inaudible, long enough to remove clicks at the joins
HEAD_SILENCE = 0.75  # seconds of room tone before the title (ACX: 0.5-1 s)
TAIL_SILENCE = 2.0  # seconds after the last line (ACX: 1-5 s)

BYTES_PER_SECOND = engine.SAMPLE_RATE * engine.SAMPLE_WIDTH

Sink = Callable[[bytes], None]
#: Told where each clip's sound landed: (clip, start, end) in seconds from the start of the file,
#: without the engine's own silence at the clip's edges (captions start when the voice does).
ClipHook = Callable[[PlannedClip, float, float], None]
#: Told where each clip's samples landed, silence and all: (clip, first sample, samples); the
#: engine's timing marks count from the clip's first sample, so read-along timings are exact.
PlaceHook = Callable[[PlannedClip, int, int], None]


class CorruptClip(Exception):
    """A cached clip turned out unreadable; the caller re-renders it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Loudness:
    """How loud a story file is: one level for every clip, whole-file RMS on target."""

    target_rms_dbfs: float = -19.6  # whole-file RMS with pauses (ACX: -23..-18); the limiter takes ~0.3 dB
    # The same for a chapter whose clips are limited here (a build with a Piper voice): Piper's peaks stand
    # ~20 dB over its RMS, so each dB nearer ACX's floor is a dB less limiting (at -19.6, 12 dB off the
    # median clip's peaks and 23% of its samples turned down by over 3 dB; at -21.5, 7 dB and 6%).
    mixed_target_rms_dbfs: float = -21.5
    max_clip_rms_dbfs: float = -14.0  # never push a clip above this, however much of the file is pause
    headroom_db: float = 9.0  # clips reach the encoder this much quieter; its limiter adds it back
    ceiling_dbfs: float = -4.0  # the limiter's ceiling: ACX allows -3 dB peaks; MP3/AAC overshoot a little
    limit_margin_db: float = 2.0  # mixed-engine clips are limited this far under the ceiling (every codec's margin)
    room_tone_dbfs: float | None = -75.0  # RMS of a faint noise bed under everything (None: digital silence)

    @property
    def gain_db(self) -> float:
        """The gain the encoder applies (before limiting) to the PCM handed to it."""
        return self.headroom_db


def clip_frames(cache: ClipCache, key: str) -> int:
    """A cached clip's length in samples at the work's rate, from its WAV header alone."""
    try:
        with wave.open(str(cache.path(key)), "rb") as w:
            return engine.work_frames(w.getnframes(), w.getframerate())
    except (OSError, EOFError, wave.Error) as exc:
        raise CorruptClip(key) from exc


def clip_level(loudness: Loudness, speech_frames: int, total_frames: int, mixed: bool = False) -> float:
    """The RMS (dBFS) every clip gets so that the whole file averages to the target (``mixed``: the
    target of a chapter whose clips are limited here).

    The file's mean square is the clips' shared mean square times the share of the file
    they fill (pauses are near silence), so one level per clip puts the file on target.
    """
    target = loudness.mixed_target_rms_dbfs if mixed else loudness.target_rms_dbfs
    if speech_frames <= 0 or total_frames <= 0:
        return target
    level = target - 10 * math.log10(speech_frames / total_frames)
    return min(level, loudness.max_clip_rms_dbfs)


@functools.lru_cache(maxsize=2)
def _noise(dbfs: float) -> bytes:
    """A second of the room tone's noise (the same every time: builds are reproducible; made once a
    process, not once a chapter)."""
    rng = random.Random(20240611)
    sigma = amplitude(dbfs)
    samples = [max(SAMPLE_MIN, min(SAMPLE_MAX, round(rng.gauss(0.0, sigma)))) for _ in range(engine.SAMPLE_RATE)]
    return b"".join(s.to_bytes(2, "little", signed=True) for s in samples)


class RoomTone:
    """A faint, steady noise bed (deterministic, so builds are reproducible)."""

    def __init__(self, dbfs: float | None) -> None:
        self._pos = 0
        if dbfs is None:
            self._buf = b""
            return
        self._buf = _noise(dbfs)

    def take(self, nbytes: int) -> bytes:
        """The next ``nbytes`` of the bed (all zeros when there is none)."""
        if not self._buf:
            return b"\x00" * nbytes
        out = bytearray()
        while len(out) < nbytes:
            chunk = self._buf[self._pos:self._pos + nbytes - len(out)]
            out += chunk
            self._pos = (self._pos + len(chunk)) % len(self._buf)
        return bytes(out)

    def under(self, pcm: bytes) -> bytes:
        """``pcm`` with the bed mixed in."""
        if not self._buf:
            return pcm
        import numpy as np  # on first use: see _samples

        # Saturating, as audioop.add was: a peak at full scale stays there instead of wrapping.
        # In place: a clip can be minutes long, and the main process should not grow with it.
        mixed = _samples(pcm).astype(np.int32)
        mixed += _samples(self.take(len(pcm)))
        np.clip(mixed, SAMPLE_MIN, SAMPLE_MAX, out=mixed)
        return mixed.astype("<i2").tobytes()


_STEP = round(engine.SAMPLE_RATE * WINDOW) * engine.SAMPLE_WIDTH


def audible_span(pcm: bytes, threshold_dbfs: float) -> tuple[int, int]:
    """Byte offsets of the first and past the last 10 ms window louder than ``threshold_dbfs`` RMS."""
    level = amplitude(threshold_dbfs)
    samples = _samples(pcm[:len(pcm) - len(pcm) % engine.SAMPLE_WIDTH])
    step = _STEP // engine.SAMPLE_WIDTH
    a, b = 0, len(samples)
    while a < b and _rms(samples[a:a + step]) <= level:
        a += step
    while b > a and _rms(samples[max(a, b - step):b]) <= level:
        b -= step
    width = engine.SAMPLE_WIDTH
    return min(a * width, len(pcm)), max(a, b) * width


def _samples(pcm: bytes) -> np.ndarray:
    """16-bit little-endian samples, as in the WAV files and the encoders' input.

    numpy is imported on first use, not with this module: a build forks its render
    workers before it assembles the first clip, and each of them would otherwise carry
    numpy's 15 MB (and every process that imports the build its 50-200 ms of loading).
    """
    import numpy as np

    return np.frombuffer(pcm, dtype="<i2")


def _rms(samples: np.ndarray) -> int:
    """RMS of 16-bit samples, rounded down as audioop.rms did (the sum of squares is exact
    in int64, so the result is the same to the bit)."""
    if not len(samples):
        return 0
    wide = samples.astype("<i8")
    return int(math.sqrt(int(wide @ wide) / len(samples)))


def silence(seconds: float) -> bytes:
    frames = round(seconds * engine.SAMPLE_RATE)
    return b"\x00" * (frames * engine.SAMPLE_WIDTH)


def load_clip(cache: ClipCache, key: str, level_dbfs: float | None, peak_dbfs: float | None = None) -> bytes:
    """A cached clip's PCM, brought to ``level_dbfs`` RMS (None: as rendered) and faded at both ends.
    ``peak_dbfs``: in a chapter of several engines, to the loudness an eSpeak narration clip of
    that RMS has instead, limited to peaks under ``peak_dbfs`` (clips of one engine alone are
    levelled by RMS and left to the encoder's limiter, as they always were)."""
    try:
        pcm = engine.read_wav_pcm(cache.path(key))
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptClip(key) from exc
    if level_dbfs is not None and peak_dbfs is not None:
        return _faded(level_by_loudness(pcm, engine.SAMPLE_RATE, level_dbfs + ESPEAK_K_WEIGHTED_DB, peak_dbfs))
    clip = AudioSegment(data=pcm, sample_width=engine.SAMPLE_WIDTH, frame_rate=engine.SAMPLE_RATE, channels=1)
    if level_dbfs is not None and clip.rms > 0:
        # Never clip the 16-bit PCM: a clip with an unusual crest factor just stays quieter.
        clip = clip.apply_gain(min(level_dbfs - clip.dBFS, -0.5 - clip.max_dBFS))
    return _faded(bytes(clip.raw_data))


def _faded(pcm: bytes) -> bytes:
    """``pcm`` with linear fades of FADE_MS at both ends, sample for sample as long as it was.

    pydub's fades work in whole milliseconds and dropped or repeated a few samples of each clip
    (22.05 samples a millisecond), so the file drifted from the length its clips add up to.
    """
    samples = array.array("h", pcm)
    if sys.byteorder == "big":
        samples.byteswap()  # WAV PCM is little-endian
    n = len(samples)
    fade = min(round(FADE_MS * engine.SAMPLE_RATE / 1000), n // 4)
    for i in range(fade):
        gain = i / fade
        samples[i] = int(samples[i] * gain)
        samples[n - 1 - i] = int(samples[n - 1 - i] * gain)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def planned_frames(cache: ClipCache, clips: Sequence[PlannedClip]) -> tuple[int, int]:
    """(speech, total) samples of the assembled story, from the clips' WAV headers and the pauses."""
    speech = sum(clip_frames(cache, c.key) for c in clips)
    pauses = sum(len(silence(c.utterance.pause_before)) for c in clips) + len(silence(HEAD_SILENCE)) + len(
        silence(TAIL_SILENCE))
    return speech, speech + pauses // engine.SAMPLE_WIDTH


def planned_seconds(cache: ClipCache, clips: Sequence[PlannedClip]) -> float:
    """How long the assembled story will be, before assembling it."""
    return planned_frames(cache, clips)[1] / engine.SAMPLE_RATE


def _levels(loudness: Loudness | None, cache: ClipCache, clips: Sequence[PlannedClip], by_loudness: bool | None,
            ) -> tuple[float | None, float | None, RoomTone]:
    """For ``assemble_chapter``: the level each clip is brought to (None: as rendered), the peak each is
    limited to (None: left to the encoder) and the room tone under them."""
    if loudness is None:
        return None, None, RoomTone(None)
    mixed = by_loudness if by_loudness is not None else any(c.utterance.voice.engine != DEFAULT_ENGINE for c in clips)
    peak = loudness.ceiling_dbfs - loudness.limit_margin_db - loudness.headroom_db if mixed else None
    level = clip_level(loudness, *planned_frames(cache, clips), mixed=mixed) - loudness.headroom_db
    tone = RoomTone(None if loudness.room_tone_dbfs is None else loudness.room_tone_dbfs - loudness.headroom_db)
    return level, peak, tone


def assemble_chapter(
    work: Work,
    segments: Sequence[Segment],
    clips: Sequence[PlannedClip],
    cache: ClipCache,
    sink: Sink,
    voice_names: Callable[[PlannedClip], str],
    loudness: Loudness | None = Loudness(),
    on_clip: ClipHook | None = None,
    on_place: PlaceHook | None = None,
    by_loudness: bool | None = None,
) -> ChapterAudio:
    """Stream the story's audio into ``sink`` and return its timeline (seconds). ``by_loudness``: level
    every clip by its loudness, peak-limited here, at the mixed target (None: when the chapter has a
    voice of another engine than eSpeak; a build that has one anywhere says True for all its chapters)."""
    written = 0  # bytes so far: timings are exact sample counts, not estimates
    level, peak, tone = _levels(loudness, cache, clips, by_loudness)

    def emit(data: bytes) -> None:
        nonlocal written
        if data:
            sink(tone.under(data))
            written += len(data)

    spans: dict[int, list[float]] = {}
    voices: dict[int, str] = {}
    emit(silence(HEAD_SILENCE))
    for clip in clips:
        emit(silence(clip.utterance.pause_before))
        start = written / BYTES_PER_SECOND
        pcm = load_clip(cache, clip.key, level, peak)
        emit(pcm)
        end = written / BYTES_PER_SECOND
        if on_place is not None:
            on_place(clip, (written - len(pcm)) // engine.SAMPLE_WIDTH, len(pcm) // engine.SAMPLE_WIDTH)
        if on_clip is not None:
            gain = loudness.headroom_db if loudness is not None else 0.0
            a, b = audible_span(pcm, AUDIBLE_DBFS - gain)
            on_clip(clip, start + a / BYTES_PER_SECOND, start + b / BYTES_PER_SECOND)
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
    return ChapterAudio(work=work, duration=written / BYTES_PER_SECOND, timeline=tuple(timeline))
