"""Measure finished audio files the way audiobook stores do, and judge them by ACX's rules.

Levels are measured on the decoded file as a whole, the way ACX's check does: RMS over
every sample (pauses included), the sample peak and the true peak (ffmpeg's ebur128,
4x oversampled), the noise floor as the RMS of the quietest half second, and the room
tone at head and tail as the time before the first and after the last 10 ms window
louder than -50 dBFS. Stream facts (rate, bitrate, CBR) come from mutagen; chapters
from ffmpeg's own reading of the file, so ID3 CHAP frames and MP4 chapter tracks alike.
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import mutagen
from mutagen.mp3 import MP3, BitrateMode
from mutagen.oggopus import OggOpus

from pipeline.errors import OutputError
from pipeline.publish.export import ffmpeg_exe

#: File suffixes `audiobook check` picks up in a build folder.
AUDIO_SUFFIXES = (".mp3", ".m4b", ".m4a", ".opus", ".flac", ".wav")

WINDOW = 0.01  # seconds: the resolution of head/tail silence
SPEECH_DBFS = -50.0  # a window louder than this is not room tone
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
    max_minutes: float = 120.0
    mp3_rate: int = 44100
    mp3_min_kbps: int = 192


@dataclass(frozen=True)
class ChapterMark:
    title: str
    start: float
    end: float


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
    chapters: tuple[ChapterMark, ...] = ()


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


def db(value: float) -> float:
    """Linear full-scale fraction -> dBFS (-inf for silence)."""
    return 20 * math.log10(value) if value > 0 else -math.inf


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
    bitrate = int(getattr(info.info, "bitrate", 0) or 0)
    cbr = info.info.bitrate_mode == BitrateMode.CBR if isinstance(info, MP3) else None
    levels = _decode_levels(path, rate or 44100, channels or 1)
    return Measurement(path=path, codec=type(info).__name__, sample_rate=rate, channels=channels,
                       bitrate=bitrate, cbr=cbr, chapters=tuple(read_chapters(path)), **levels)


def _window_levels(pcm: bytes, size: int) -> list[tuple[int, int]]:
    """(mean square, peak) of each window of ``size`` 16-bit samples, as audioop gave them: the
    RMS rounded down to an integer before squaring, the peak as the largest magnitude."""
    import numpy as np  # here, not at the top: the build imports this module for AcxRules alone

    if len(pcm) < 2 * size or size <= 0:
        return []
    blocks = np.frombuffer(pcm, dtype="<i2").reshape(-1, size).astype(np.int64)
    rms = np.floor(np.sqrt(np.einsum("ij,ij->i", blocks, blocks) / size)).astype(np.int64)
    return list(zip((rms * rms).tolist(), np.abs(blocks).max(axis=1).tolist(), strict=True))


def _decode_levels(path: Path, rate: int, channels: int) -> dict:
    """One ffmpeg pass: PCM on stdout (analysed window by window here), ebur128 summary on stderr."""
    frames = max(1, round(rate * WINDOW))
    step = frames / rate  # a window's exact length: 220 samples at 22.05 kHz are 9.98 ms, not 10
    window = frames * channels * 2
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
           "-af", "ebur128=peak=true:framelog=quiet", "-ar", str(rate), "-ac", str(channels),
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
    full = 32768.0
    loud = [i for i, ms in enumerate(squares) if db(math.sqrt(ms) / full) > SPEECH_DBFS]
    duration = samples / channels / rate
    head = loud[0] * step if loud else duration
    tail = duration - (loud[-1] + 1) * step if loud else duration
    return {
        "duration": duration,
        "rms_dbfs": db(math.sqrt(total_sq / samples) / full) if samples else -math.inf,
        "peak_dbfs": db(peak / full),
        "true_peak_dbfs": _last_float(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf)", stderr),
        "loudness_lufs": _last_float(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)", stderr),
        "noise_floor_dbfs": _noise_floor(squares, max(1, round(NOISE_WINDOW / step))),
        "head_silence": max(0.0, head),
        "tail_silence": max(0.0, tail),
    }


def _last_float(pattern: str, text: str) -> float | None:
    found = re.findall(pattern, text)
    if not found:
        return None
    return -math.inf if found[-1] == "-inf" else float(found[-1])


def _noise_floor(squares: Sequence[float], n: int) -> float:
    """RMS (dBFS) of the quietest ``n`` consecutive windows (NOISE_WINDOW) of the file."""
    if len(squares) < n:
        return db(math.sqrt(sum(squares) / max(1, len(squares))) / 32768)
    run = sum(squares[:n])
    best = run
    for i in range(n, len(squares)):
        run += squares[i] - squares[i - n]
        best = min(best, run)
    return db(math.sqrt(max(0.0, best) / n) / 32768)


def read_chapters(path: Path) -> list[ChapterMark]:
    """The file's chapters as ffmpeg reads them (MP4 chapter tracks, ID3 CHAP frames, ...), titles unescaped."""
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"]
    result = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
    chapters: list[ChapterMark] = []
    for block in result.stdout.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line and not line.startswith("["))
        num, _, den = fields.get("TIMEBASE", "1/1000").partition("/")
        base = int(num) / int(den or 1)
        title = re.sub(r"\\(.)", r"\1", fields.get("title", ""))  # FFMETADATA escapes =;#\ with a backslash
        chapters.append(ChapterMark(title=title, start=int(fields.get("START", 0)) * base,
                                    end=int(fields.get("END", 0)) * base))
    return chapters


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
