"""The output formats: how each file a build writes is encoded, and the levels it is mastered to.

Plain data, read by the plan (what each --format makes, what shapes a file's bytes), by the
encoders (publish/export.py runs them) and by `audiobook check` (ACX's longest file).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Codec:
    """How one output format is encoded."""

    name: str  # the --format choice
    suffix: str
    rate: int  # output sample rate
    args: tuple[str, ...]
    peak_margin_db: float = 0.0  # extra limiter headroom: low-bitrate codecs overshoot the input's peaks


# MP3 at 44.1 kHz / 192 kbps CBR, mono: what audiobook stores (ACX) ask for.
# LAME's quality 7 (ffmpeg's compression_level): half the encoding time of the default
# (measured 0.50 s vs 0.92 s for 160 s of speech); at 192 kbps for speech band-limited
# to 11 kHz by eSpeak there is nothing its slower psychoacoustic search would save.
MP3 = Codec("mp3", ".mp3", 44100, ("-c:a", "libmp3lame", "-b:a", "192k", "-compression_level", "7",
                                   "-write_xing", "1", "-f", "mp3"))
# The anthology's AAC parts keep eSpeak's own rate (upsampling speech gains nothing), and use
# ffmpeg's fast AAC coder: the default "twoloop" search is 4x slower (measured: 3.8 s vs
# 0.8 s for 160 s of speech) and was the slowest step of a whole build.
AAC = Codec("m4a", ".m4a", 22050, ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k",
                                   "-movflags", "+faststart", "-f", "mp4"), peak_margin_db=1.0)
# A per-story M4B is the same AAC stream, so it doubles as the anthology's part.
M4B = Codec("m4b", ".m4b", 22050, ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k",
                                   "-movflags", "+faststart", "-f", "ipod"), peak_margin_db=1.0)
# Measured: Opus at 48 kbps peaks ~1.8 dB over its input, AAC at 64 kbps ~1.4 dB, MP3 at 192 ~0.3 dB.
OPUS = Codec("opus", ".opus", 48000, ("-c:a", "libopus", "-b:a", "48k", "-application", "voip", "-f", "ogg"),
             peak_margin_db=2.0)
FLAC_CODEC = Codec("flac", ".flac", 44100, ("-c:a", "flac", "-f", "flac"))
WAV = Codec("wav", ".wav", 44100, ("-c:a", "pcm_s16le", "-f", "wav"))

#: The per-story formats, by their --format name.
FORMATS: dict[str, Codec] = {c.name: c for c in (MP3, M4B, OPUS, FLAC_CODEC, WAV)}


@dataclass(frozen=True)
class Mastering:
    """Gain and peak limiting applied by the encoder, in floating point, after resampling."""

    gain_db: float  # added back to the (headroom-lowered) PCM handed over
    ceiling_dbfs: float  # the lookahead limiter's ceiling

    def filters(self, rate: int, margin_db: float = 0.0) -> str:
        gain = 10 ** (self.gain_db / 20)
        limit = 10 ** ((self.ceiling_dbfs - margin_db) / 20)
        # latency=1: compensate the lookahead, so the output has exactly the input's samples
        # (the captions and chapters are timed from sample counts); level=0: no auto make-up gain.
        return (f"aresample={rate},alimiter=level_in={gain:.6f}:limit={limit:.6f}"
                ":attack=5:release=50:level=0:latency=1")


#: ACX refuses a file longer than this: the encoder stops before writing one, `audiobook check` reports one.
ACX_MAX_MINUTES = 120.0
