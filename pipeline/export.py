"""Audio -> files: encoders fed as a stream, tags, the chaptered anthology, the manifest.

ffmpeg comes from the ``imageio-ffmpeg`` wheel unless a system ffmpeg is on PATH.
Every output is written to a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import ID3, TALB, TCON, TIT2, TPE1, TPE2, TRCK, ID3NoHeaderError

from . import engine
from .errors import EngineError, OutputError
from .files import atomic_path


@dataclass(frozen=True)
class Codec:
    """How one output format is encoded."""

    suffix: str
    rate: int  # output sample rate
    args: tuple[str, ...]


# MP3 at 44.1 kHz / 192 kbps CBR: what audiobook stores (ACX) ask for.
MP3 = Codec(".mp3", 44100, ("-c:a", "libmp3lame", "-b:a", "192k", "-write_xing", "1", "-f", "mp3"))
# The anthology's AAC keeps eSpeak's own rate (upsampling speech gains nothing), and uses
# ffmpeg's fast AAC coder: the default "twoloop" search is 4x slower (measured: 3.8 s vs
# 0.8 s for 160 s of speech) and was the slowest step of a whole build.
AAC = Codec(".m4a", 22050, ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k",
                            "-movflags", "+faststart", "-f", "mp4"))


@functools.cache
def ffmpeg_exe() -> str:
    """A system ffmpeg when one is installed, else the one from the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise EngineError("ffmpeg not found; reinstall with `make audiobook`") from exc


class Encoder:
    """An ffmpeg process reading raw PCM on stdin and writing one file atomically."""

    def __init__(self, target: Path, codec: Codec) -> None:
        self.target = target
        self._atomic = atomic_path(target)
        self._tmp = self._atomic.__enter__()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in commit/abort
        cmd = [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "s16le", "-ar", str(engine.SAMPLE_RATE), "-ac", "1", "-i", "pipe:0",
            "-ar", str(codec.rate), "-ac", "1", *codec.args, str(self._tmp),
        ]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
        except BrokenPipeError as exc:
            self.abort()
            raise OutputError(f"{self.target}: ffmpeg stopped: {self._error_text()}") from exc

    def _error_text(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else "no message"

    def finish(self) -> Path:
        """Wait for ffmpeg and return the temporary file (renamed by ``commit``)."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        code = self._proc.wait()
        if code != 0:
            msg = self._error_text()
            self.abort()
            raise OutputError(f"{self.target}: ffmpeg failed: {msg}")
        return self._tmp

    def commit(self) -> None:
        """Rename the finished file into place."""
        self._atomic.__exit__(None, None, None)
        self._log.close()

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        with contextlib.suppress(Exception):
            self._atomic.__exit__(OutputError, OutputError("aborted"), None)
        self._log.close()


@contextlib.contextmanager
def encoders(targets: Sequence[tuple[Path, Codec]]) -> Iterator[list[Encoder]]:
    """Run several encoders on one PCM stream; all files appear together or none does."""
    started: list[Encoder] = []
    try:
        for target, codec in targets:
            started.append(Encoder(target, codec))
        yield started
        for enc in started:
            enc.finish()
    except BaseException:
        for enc in started:
            enc.abort()
        raise
    for enc in started:
        enc.commit()


# --------------------------------------------------------------------------- tags


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    track: int
    total: int
    narrator: str = "eSpeak NG voices via audiobook"


def tag_mp3(path: Path, tags: Tags) -> None:
    """Write ID3v2 title/album/artist/track tags in place."""
    try:
        id3 = ID3(str(path))
    except ID3NoHeaderError:
        id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TPE2(encoding=3, text=tags.artist))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.total}"))
    id3.add(TCON(encoding=3, text="Audiobook"))
    id3.save(str(path), v2_version=3)


# --------------------------------------------------------------------------- anthology


def ffmeta_escape(value: str) -> str:
    """Escape user text for ffmpeg's FFMETADATA format ('=', ';', '#', '\\' and newlines)."""
    out = []
    for ch in value:
        if ch in "=;#\\\n":
            out.append("\\" + ch)
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds from the start of the anthology
    end: float


def write_anthology(
    target: Path, parts: Sequence[Path], chapters: Sequence[Chapter], title: str, artist: str
) -> None:
    """Join per-story AAC files (no re-encoding) into an M4B with one chapter per story."""
    with tempfile.TemporaryDirectory(prefix="audiobook-") as tmpdir:
        listing = Path(tmpdir) / "parts.txt"
        listing.write_text(
            "".join("file '{}'\n".format(str(p.resolve()).replace("'", "'\\''")) for p in parts),
            encoding="utf-8",
        )
        meta = Path(tmpdir) / "chapters.txt"
        lines = [";FFMETADATA1", f"title={ffmeta_escape(title)}", f"album={ffmeta_escape(title)}",
                 f"artist={ffmeta_escape(artist)}", "genre=Audiobook"]
        for ch in chapters:
            lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(ch.start * 1000)}",
                      f"END={round(ch.end * 1000)}", f"title={ffmeta_escape(ch.title)}"]
        meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with atomic_path(target) as tmp:
            cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(meta),
                   "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                   "-c", "copy", "-movflags", "+faststart", "-f", "ipod", str(tmp)]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                last = (result.stderr.strip().splitlines() or ["no message"])[-1]
                raise OutputError(f"{target}: ffmpeg failed: {last}")
