"""Measure finished audio files the way audiobook stores do, and judge them by ACX's rules.

Levels are measured on the decoded file as a whole, the way ACX's check does: RMS over
every sample (pauses included), the sample peak and the true peak (ffmpeg's ebur128,
4x oversampled), the noise floor as the RMS of the quietest half second, and the room
tone at head and tail as the time before the first and after the last 10 ms window
louder than -50 dBFS. Stream facts (rate, bitrate, CBR) and chapters (ID3 CHAP frames,
MP4 chapter lists, Vorbis CHAPTERnnn comments) come from mutagen, which reads them the
same whichever ffmpeg wrote the file.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen import FileType
from mutagen.flac import FLAC
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from pipeline.audio.levels import AUDIBLE_DBFS, FULL_SCALE, WINDOW, db
from pipeline.errors import OutputError
from pipeline.formats import ACX_MAX_MINUTES
from pipeline.publish.export import ffmpeg_exe
from pipeline.publish.tags import Chapter

#: File suffixes `audiobook check` picks up in a build folder.
AUDIO_SUFFIXES = (".mp3", ".m4b", ".m4a", ".opus", ".flac", ".wav")

NOISE_WINDOW = 0.5  # seconds: the noise floor is the RMS of the quietest stretch this long


@dataclass(frozen=True)
class AcxRules:
    """ACX's audio submission requirements (audible.com/acx, "Audio Submission Requirements")."""

    rms_min: float = -23.0
    rms_max: float = -18.0
    peak_max: float = -3.0
    noise_floor_max: float = -60.0
    head_min: float = 0.5
    head_max: float = 1.0
    tail_min: float = 1.0
    tail_max: float = 5.0
    max_minutes: float = ACX_MAX_MINUTES
    mp3_rate: int = 44100
    mp3_min_kbps: int = 192


@dataclass(frozen=True)
class Measurement:
    """What one file is, as read back from disk."""

    path: Path
    codec: str  # mutagen's name for the stream, e.g. "MP3", "MP4"
    duration: float  # seconds, from the decoded samples
    sample_rate: int
    channels: int
    bitrate: int  # bits per second (nominal)
    cbr: bool | None  # None when the format has no such notion
    rms_dbfs: float
    peak_dbfs: float  # sample peak
    true_peak_dbfs: float | None  # 4x oversampled (None if ffmpeg did not report it)
    loudness_lufs: float | None  # integrated loudness, for information
    noise_floor_dbfs: float
    head_silence: float  # seconds
    tail_silence: float
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True)
class Verdict:
    rule: str  # short name shown in the report, e.g. "rms"
    ok: bool
    why: str  # the rule and the measured value, e.g. "RMS -25.1 dB below -23"


@dataclass(frozen=True)
class Report:
    measurement: Measurement
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    def failed(self, rule: str) -> bool:
        return any(v.rule == rule and not v.ok for v in self.verdicts)


def find_audio(folder: Path) -> list[Path]:
    """The audio files directly in a build folder (not its cache), by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                  and not p.name.startswith("."))


def measure(path: Path) -> Measurement:
    """Decode ``path`` once with ffmpeg and read its stream facts with mutagen."""
    try:
        info = mutagen.File(str(path))
    except mutagen.MutagenError as exc:
        raise OutputError(f"{path}: not an audio file we can read ({exc})") from exc
    if info is None or info.info is None:
        raise OutputError(f"{path}: not an audio file we can read")
    # Opus always decodes at 48 kHz; mutagen reports only the (informative) input rate, if anything.
    rate = 48000 if isinstance(info, OggOpus) else int(getattr(info.info, "sample_rate", 0) or 0)
    channels = int(getattr(info.info, "channels", 0) or 0)
    # What the decoder will produce wins: ffmpeg before 7 writes 2 as an MP4 sample entry's channel
    # count whatever the stream, and mutagen cannot tell mono AAC apart from that. Decoding a mono
    # file as stereo would mix it down 3 dB per channel and fail the RMS rule.
    rate, channels = _decoded_layout(path) or (rate, channels)
    bitrate = int(getattr(info.info, "bitrate", 0) or 0)
    cbr = info.info.bitrate_mode == BitrateMode.CBR if isinstance(info, MP3) else None
    levels = _decode_levels(path, rate or 44100, channels or 1)
    return Measurement(path=path, codec=type(info).__name__, sample_rate=rate, channels=channels,
                       bitrate=bitrate, cbr=cbr, chapters=tuple(read_chapters(path, info)), **asdict(levels))


_STREAM = re.compile(r"Stream #\d+:\d+\S*: Audio: [^\n]*?, (\d+) Hz, (mono|stereo|\d+ channels)[,\s]")


def _decoded_layout(path: Path) -> tuple[int, int] | None:
    """(rate, channels) of the first audio stream as ffmpeg decodes it; None if its summary says otherwise."""
    # Without an output ffmpeg only describes its input (and exits 1, which says nothing here).
    result = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path)],
                            capture_output=True, text=True, encoding="utf-8", errors="replace")
    found = _STREAM.search(result.stderr)
    if not found:
        return None
    layout = found[2]
    channels = 1 if layout == "mono" else 2 if layout == "stereo" else int(layout.split()[0])
    return int(found[1]), channels


def _window_levels(pcm: bytes, size: int) -> list[tuple[int, int]]:
    """(mean square, peak) of each window of ``size`` 16-bit samples, as audioop gave them: the
    RMS rounded down to an integer before squaring, the peak as the largest magnitude."""
    import numpy as np  # here, not at the top: the build imports this module for AcxRules alone

    if len(pcm) < 2 * size or size <= 0:
        return []
    blocks = np.frombuffer(pcm, dtype="<i2").reshape(-1, size).astype(np.int64)
    rms = np.floor(np.sqrt(np.einsum("ij,ij->i", blocks, blocks) / size)).astype(np.int64)
    return list(zip((rms * rms).tolist(), np.abs(blocks).max(axis=1).tolist(), strict=True))


@dataclass(frozen=True)
class Levels:
    """What one decoding pass measures of a file."""

    duration: float  # seconds, from the decoded samples
    rms_dbfs: float  # over the whole file, pauses included (as ACX measures)
    peak_dbfs: float  # sample peak
    true_peak_dbfs: float | None  # ebur128's, when ffmpeg reports it
    loudness_lufs: float | None
    noise_floor_dbfs: float  # the quietest NOISE_WINDOW
    head_silence: float  # seconds before the first audible window
    tail_silence: float  # seconds after the last


def _decode_levels(path: Path, rate: int, channels: int) -> Levels:
    """One ffmpeg pass: PCM on stdout (analysed window by window here), ebur128 summary on stderr."""
    frames = max(1, round(rate * WINDOW))
    step = frames / rate  # a window's exact length: 220 samples at 22.05 kHz are 9.98 ms, not 10
    window = frames * channels * 2
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
           # framelog=verbose, not quiet: ffmpeg 5.x knows only info and verbose (quiet fails the
           # whole decode), and per-frame lines at verbose stay out of the info-level log parsed below.
           "-af", "ebur128=peak=true:framelog=verbose", "-ar", str(rate), "-ac", str(channels),
           "-f", "s16le", "pipe:1"]
    squares: list[float] = []  # mean square of each window
    total_sq = 0.0
    samples = 0
    peak = 0
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        assert proc.stdout is not None
        pending = b""
        while True:
            chunk = proc.stdout.read(window * 256)
            if not chunk:
                break
            pending += chunk
            usable = len(pending) - len(pending) % window
            for ms, top in _window_levels(pending[:usable], window // 2):
                squares.append(ms)
                total_sq += ms * (window // 2)  # one float sum in file order, as before
                peak = max(peak, top)
            samples += usable // 2
            pending = pending[usable:]
        if len(pending) >= 2:
            pending = pending[:len(pending) - len(pending) % 2]
            for ms, top in _window_levels(pending, len(pending) // 2):
                squares.append(ms)
                total_sq += ms * (len(pending) // 2)
                peak = max(peak, top)
            samples += len(pending) // 2
        if proc.wait() != 0:
            log.seek(0)
            last = (log.read().decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise OutputError(f"{path}: ffmpeg cannot decode it: {last}")
        log.seek(0)
        stderr = log.read().decode("utf-8", "replace")
    full = float(FULL_SCALE)
    loud = [i for i, ms in enumerate(squares) if db(math.sqrt(ms) / full) > AUDIBLE_DBFS]
    duration = samples / channels / rate
    head = loud[0] * step if loud else duration
    tail = duration - (loud[-1] + 1) * step if loud else duration
    return Levels(
        duration=duration,
        rms_dbfs=db(math.sqrt(total_sq / samples) / full) if samples else -math.inf,
        peak_dbfs=db(peak / full),
        true_peak_dbfs=_last_float(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf)", stderr),
        loudness_lufs=_last_float(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)", stderr),
        noise_floor_dbfs=_noise_floor(squares, max(1, round(NOISE_WINDOW / step))),
        head_silence=max(0.0, head),
        tail_silence=max(0.0, tail),
    )


def _last_float(pattern: str, text: str) -> float | None:
    found = re.findall(pattern, text)
    if not found:
        return None
    return -math.inf if found[-1] == "-inf" else float(found[-1])


def _noise_floor(squares: Sequence[float], n: int) -> float:
    """RMS (dBFS) of the quietest ``n`` consecutive windows (NOISE_WINDOW) of the file."""
    if len(squares) < n:
        return db(math.sqrt(sum(squares) / max(1, len(squares))) / FULL_SCALE)
    run = sum(squares[:n])
    best = run
    for i in range(n, len(squares)):
        run += squares[i] - squares[i - n]
        best = min(best, run)
    return db(math.sqrt(max(0.0, best) / n) / FULL_SCALE)


def read_chapters(path: Path, audio: FileType | None = None) -> list[Chapter]:
    """The file's chapters as mutagen reads them: ID3 CHAP frames (MP3, WAV), the MP4 'chpl'
    list (what ffmpeg writes into M4B), or Vorbis CHAPTERnnn comments (FLAC, Opus)."""
    if audio is None:
        try:
            audio = mutagen.File(str(path))
        except mutagen.MutagenError as exc:
            raise OutputError(f"{path}: not an audio file we can read ({exc})") from exc
        if audio is None:
            raise OutputError(f"{path}: not an audio file we can read")
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if isinstance(audio, MP4):
        # 'chpl' has starts only: each chapter ends where the next begins, the last at the end.
        return _ends_at_next([(c.start, c.title) for c in audio.chapters or ()], length)
    if isinstance(audio.tags, ID3):
        return _id3_chapters(audio.tags)
    if isinstance(audio, FLAC | OggOpus) and audio.tags is not None:
        return _ends_at_next(_vorbis_chapter_starts(audio.tags), length)
    return []


def _ends_at_next(starts: Sequence[tuple[float, str]], length: float) -> list[Chapter]:
    ends = [s for s, _ in starts[1:]] + [max(length, starts[-1][0])] if starts else []
    return [Chapter(title=title, start=start, end=end) for (start, title), end in zip(starts, ends, strict=True)]


def _id3_chapters(id3: ID3) -> list[Chapter]:
    """CHAP frames in the order of the top-level CTOC (by start time where there is none)."""
    chaps = {f.element_id: f for f in id3.getall("CHAP")}
    order: list[str] = []
    for toc in id3.getall("CTOC"):
        if toc.flags & CTOCFlags.TOP_LEVEL:
            order = [e for e in toc.child_element_ids if e in chaps]
            break
    if not order:
        order = sorted(chaps, key=lambda e: chaps[e].start_time)
    marks = []
    for eid in order:
        frame = chaps[eid]
        title = frame.sub_frames.get("TIT2")
        marks.append(Chapter(title=str(title) if title is not None else "", start=frame.start_time / 1000,
                                 end=frame.end_time / 1000))
    return marks


def _vorbis_chapter_starts(comments: Any) -> list[tuple[float, str]]:
    """CHAPTER001=HH:MM:SS.mmm and CHAPTER001NAME=title, numbered from 1 without gaps."""
    starts: list[tuple[float, str]] = []
    for i in itertools.count(1):
        stamp = comments.get(f"CHAPTER{i:03d}")
        if not stamp:
            return starts
        try:
            h, m, sec = stamp[0].split(":")
            start = int(h) * 3600 + int(m) * 60 + float(sec)
        except ValueError:
            return starts
        starts.append((start, (comments.get(f"CHAPTER{i:03d}NAME") or [""])[0]))
    return starts


def judge(m: Measurement, rules: AcxRules = AcxRules()) -> Report:
    """Each ACX rule, passed or failed, with the measured value."""
    v: list[Verdict] = []
    v.append(Verdict("rms", rules.rms_min <= m.rms_dbfs <= rules.rms_max,
                     f"RMS {m.rms_dbfs:.1f} dB (ACX: {rules.rms_min:g} to {rules.rms_max:g})"))
    peak = max(m.peak_dbfs, m.true_peak_dbfs if m.true_peak_dbfs is not None else -math.inf)
    v.append(Verdict("peak", peak <= rules.peak_max, f"peak {peak:.1f} dB (ACX: at most {rules.peak_max:g})"))
    v.append(Verdict("noise", m.noise_floor_dbfs <= rules.noise_floor_max,
                     f"noise floor {m.noise_floor_dbfs:.1f} dB (ACX: at most {rules.noise_floor_max:g})"))
    v.append(Verdict("head", rules.head_min <= m.head_silence <= rules.head_max,
                     f"head room tone {m.head_silence:.2f} s (ACX: {rules.head_min:g}-{rules.head_max:g} s)"))
    v.append(Verdict("tail", rules.tail_min <= m.tail_silence <= rules.tail_max,
                     f"tail room tone {m.tail_silence:.2f} s (ACX: {rules.tail_min:g}-{rules.tail_max:g} s)"))
    if len(m.chapters) <= 1:  # an anthology with many chapters is not one ACX upload
        v.append(Verdict("duration", m.duration <= rules.max_minutes * 60,
                         f"duration {m.duration / 60:.1f} min (ACX: at most {rules.max_minutes:g})"))
    if m.codec == "MP3":
        v.append(Verdict("rate", m.sample_rate == rules.mp3_rate,
                         f"sample rate {m.sample_rate} Hz (ACX: {rules.mp3_rate})"))
        # mutagen derives a CBR file's bitrate from its size: a short file reads a little low.
        v.append(Verdict("bitrate", bool(m.cbr) and m.bitrate >= rules.mp3_min_kbps * 990,
                         f"{m.bitrate // 1000} kbps {'CBR' if m.cbr else 'VBR'} "
                         f"(ACX: {rules.mp3_min_kbps} kbps CBR or more)"))
    return Report(m, tuple(v))


def check_files(paths: Iterable[Path], rules: AcxRules = AcxRules()) -> list[Report]:
    """Measure and judge every file; a mix of mono and stereo files fails (ACX: all one or the other)."""
    reports = [judge(measure(p), rules) for p in paths]
    layouts = {r.measurement.channels for r in reports}
    out = []
    for r in reports:
        mixed = len(layouts) > 1
        ch = r.measurement.channels
        out.append(Report(r.measurement, (*r.verdicts, Verdict(
            "channels", not mixed, f"{'mono' if ch == 1 else f'{ch} channels'}"
            + (" among files of other layouts (ACX: all mono or all stereo)" if mixed else "")))))
    return out
