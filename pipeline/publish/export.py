"""Audio -> files: encoders fed as a stream, tags and covers, chapters, the anthology.

ffmpeg comes from the ``imageio-ffmpeg`` wheel (one known build everywhere), or from
``$AUDIOBOOK_FFMPEG`` when the user names another; a system ffmpeg on PATH is ignored.
Every output is written to a temporary name, tagged there, and renamed into place
when complete, so a reader never sees a half-written or untagged file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError

from pipeline.errors import EngineError, OutputError
from pipeline.formats import Codec, Mastering
from pipeline.fsutil import CAUSES, PART, atomic_path, output_error, space_problem, temporary
from pipeline.publish.tags import Chapter, Tags, clean_text, tag_mp3, tag_mp4
from pipeline.voices import engine

#: The environment variable naming an ffmpeg to run instead of the bundled one.
FFMPEG_ENV = "AUDIOBOOK_FFMPEG"
#: The oldest ffmpeg every command here was run against (Debian 12's); older ones are refused up front.
OLDEST_FFMPEG = (5, 1)


def ffmpeg_exe() -> str:
    """The ffmpeg every command runs: ``$AUDIOBOOK_FFMPEG`` if set, else the imageio-ffmpeg wheel's.

    A system ffmpeg on PATH is deliberately not picked up: its version (and so the filters'
    behaviour) would change from machine to machine without anyone choosing it.
    """
    return _resolve_ffmpeg(os.environ.get(FFMPEG_ENV, "").strip())


@functools.cache
def _resolve_ffmpeg(chosen: str) -> str:
    if not chosen:
        try:
            import imageio_ffmpeg

            return str(imageio_ffmpeg.get_ffmpeg_exe())
        except (ImportError, RuntimeError) as exc:
            raise EngineError(f"ffmpeg not found in the imageio-ffmpeg wheel; reinstall with `make audiobook` "
                              f"or set {FFMPEG_ENV}=/path/to/ffmpeg") from exc
    path = Path(chosen).expanduser()
    fix = f"set it to ffmpeg {OLDEST_FFMPEG[0]}.{OLDEST_FFMPEG[1]} or newer, or unset it to use the bundled ffmpeg"
    if not path.exists():
        raise EngineError(f"{FFMPEG_ENV}={chosen}: no such file; {fix}")
    if not path.is_file() or not os.access(path, os.X_OK):
        raise EngineError(f"{FFMPEG_ENV}={chosen}: not an executable file; {fix}")
    version = _ffmpeg_version(path)
    if version is not None and version < OLDEST_FFMPEG:
        raise EngineError(f"{FFMPEG_ENV}={chosen}: ffmpeg {version[0]}.{version[1]} is too old; {fix}")
    return str(path)


def _ffmpeg_version(path: Path) -> tuple[int, int] | None:
    """(major, minor) from ``ffmpeg -version``; None for a build without a release number (git snapshots)."""
    try:
        out = subprocess.run([str(path), "-hide_banner", "-version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(f"{FFMPEG_ENV}={path}: cannot run it ({exc}); unset it to use the bundled ffmpeg") from exc
    if not out.startswith("ffmpeg version"):
        raise EngineError(f"{FFMPEG_ENV}={path}: not ffmpeg (`-version` says nothing of ffmpeg); "
                          "unset it to use the bundled ffmpeg")
    found = re.match(r"ffmpeg version \D*(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else None


#: Called on the finished temporary file before it is renamed into place (tags, cover).
Finalizer = Callable[[Path], None]


@dataclass(frozen=True)
class Output:
    """One file to encode from the PCM stream."""

    target: Path
    codec: Codec
    mastering: Mastering | None = None
    finalize: Finalizer | None = None


def encoder_command(targets: Sequence[tuple[Codec, Mastering | None, Path]]) -> list[str]:
    """One ffmpeg command that reads eSpeak's PCM on stdin and encodes it into every target.

    One process per stream, not per file: the input is read once, and a story costs one
    process start (a large static binary) instead of one per output.
    """
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "s16le", "-ar", str(engine.SAMPLE_RATE), "-ac", "1", "-i", "pipe:0"]
    graph = [f"[0:a]asplit={len(targets)}" + "".join(f"[in{i}]" for i in range(len(targets)))]
    for i, (codec, mastering, _) in enumerate(targets):
        chain = mastering.filters(codec.rate, codec.peak_margin_db) if mastering else "anull"
        graph.append(f"[in{i}]{chain}[out{i}]")
    cmd += ["-filter_complex", ";".join(graph)]
    for i, (codec, _, target) in enumerate(targets):
        cmd += ["-map", f"[out{i}]", "-ar", str(codec.rate), "-ac", "1", *codec.args, str(target)]
    return cmd


class Encoder:
    """An ffmpeg process reading raw PCM on stdin and writing its files atomically."""

    def __init__(self, outputs: Sequence[Output], threaded: bool = False) -> None:
        self.outputs = list(outputs)
        self.target = self.outputs[0].target  # named in error messages
        self._atomics = [atomic_path(o.target) for o in self.outputs]
        self._tmps: list[Path] = []
        try:
            for atomic in self._atomics:
                self._tmps.append(atomic.__enter__())
        except BaseException:
            self._abort_files()
            raise
        cmd = encoder_command([(o.codec, o.mastering, tmp) for o, tmp in zip(self.outputs, self._tmps, strict=True)])
        try:
            # ffmpeg's messages, in the build folder like every temporary (anonymous where the
            # file system allows; else a hidden ".part" name the next build removes).
            self._log = tempfile.TemporaryFile(dir=self.target.parent, prefix=".log.", suffix=PART)  # noqa: SIM115
        except OSError as exc:
            self._abort_files()
            raise output_error(self.target, exc) from exc
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        except OSError as exc:
            self._log.close()
            self._abort_files()
            raise EngineError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror or exc}") from exc
        # Threaded: writes go through a small queue to a thread of their own, so that
        # encoders fed the same stream don't wait on each other's pipes.
        self._queue: queue.Queue[bytes | None] | None = queue.Queue(maxsize=8) if threaded else None
        self._failed: BaseException | None = None
        self._writer: threading.Thread | None = None
        if self._queue is not None:
            self._writer = threading.Thread(target=self._drain, daemon=True)
            self._writer.start()

    def _drain(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            if self._failed is None:
                try:
                    self._write_now(data)
                except BaseException as exc:  # reported by the next write() or finish()
                    self._failed = exc

    def _write_now(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
        except BrokenPipeError as exc:
            try:  # it closed its input: it is exiting, or dead
                code: int | None = self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
            raise OutputError(f"{self.target}: ffmpeg stopped: {ffmpeg_failure(code, self._log_text())}") from exc

    def write(self, data: bytes) -> None:
        try:
            if self._failed is not None:
                raise self._failed
            if self._queue is None:
                self._write_now(data)
            else:
                self._queue.put(data)
        except OutputError:
            self.abort()
            raise

    def _stop_writer(self) -> None:
        if self._writer is not None and self._queue is not None:
            if self._failed is not None:  # unblock a put() on a full queue: drain it
                with contextlib.suppress(queue.Empty):
                    while True:
                        self._queue.get_nowait()
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def _log_text(self) -> str:
        try:
            self._log.seek(0)
            return self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):  # ValueError: already closed
            return ""

    def finish(self) -> list[Path]:
        """Wait for ffmpeg, tag the temporary files and return them (renamed by ``commit``)."""
        assert self._proc.stdin is not None
        self._stop_writer()
        if self._failed is not None:
            self.abort()
            raise self._failed
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        code = self._proc.wait()
        if code != 0:
            msg = ffmpeg_failure(code, self._log_text())
            self.abort()
            raise OutputError(f"{self.target}: ffmpeg failed: {msg}")
        for output, tmp in zip(self.outputs, self._tmps, strict=True):
            if output.finalize is not None:
                try:
                    finish_file(output.finalize, tmp, output.target)
                except OutputError:
                    self.abort()
                    raise
        return self._tmps

    def commit(self) -> None:
        """Rename the finished files into place."""
        for atomic in self._atomics:
            atomic.__exit__(None, None, None)
        self._log.close()

    def _abort_files(self) -> None:
        for atomic in self._atomics[:len(self._tmps)]:
            with contextlib.suppress(Exception):
                atomic.__exit__(OutputError, OutputError("aborted"), None)

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._failed = self._failed or OutputError(f"{self.target}: aborted")
        self._stop_writer()
        self._abort_files()
        self._log.close()


def finish_file(finalize: Finalizer, tmp: Path, target: Path) -> None:
    """Tag a finished temporary; a write that fails there (a size limit, a full disk: the cover
    makes the file grow) is one line naming ``target``, not mutagen's traceback."""
    try:
        finalize(tmp)
    except (OSError, MutagenError) as exc:
        cause = next((e for e in (exc, *exc.args, exc.__cause__, exc.__context__) if isinstance(e, OSError)), None)
        if cause is None:
            raise OutputError(f"{target}: could not write its tags: {exc}") from exc
        raise output_error(target, cause) from exc


#: The errnos whose AVERROR ffmpeg's exit status can be read as (255, its exit on a signal, is not EPERM).
_FFMPEG_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES)


def ffmpeg_failure(code: int | None, stderr: str) -> str:
    """Why ffmpeg stopped, in words a user can act on: its own last message, the cause of a
    full disk or a size limit named in it, or what the signal that killed it means."""
    lines = stderr.strip().splitlines()
    last = re.sub(r"^\[[^]]* @ 0x[0-9a-f]+\]\s*", "", lines[-1].strip()) if lines else ""  # "[out#0/mp3 @ 0x5f..]"
    for number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        if os.strerror(number) in stderr:
            return f"{space_problem(number)} ({last})"
    # ffmpeg exits with a failed write's AVERROR(errno) as its status, often without a word
    # (measured: a full disk gives status 228, -ENOSPC & 0xff, and no message).
    if code is not None and code > 128 and (number := 256 - code) in _FFMPEG_ERRNOS:
        problem = space_problem(number) or f"{CAUSES[number]}; check the build folder"
        return f"{problem} ({last})" if last else problem
    if code is not None and code < 0:
        sig = -code
        if sig == signal.SIGXFSZ:  # what a write over RLIMIT_FSIZE does to a process that does not ignore it
            return space_problem(errno.EFBIG) or ""
        if sig == signal.SIGKILL:
            return "killed (out of memory, or by another program); build again"
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"killed by {name}" + (f" ({last})" if last else "")
    if last:
        return last
    return "stopped without a message" if code is None else f"exited with status {code} without a message"


@contextlib.contextmanager
def encoders(outputs: Sequence[Output], separate: bool = False) -> Iterator[list[Encoder]]:
    """Encode one PCM stream into several files; all files appear together or none does.

    By default one ffmpeg process writes every file: the cheapest when other stories keep
    the cores busy. ``separate`` gives each file its own process, fed from its own thread,
    for when this story is the only work (measured for 160 s of speech, MP3 + AAC: one
    process 1.3 s, two processes side by side 0.9 s on two cores).
    """
    groups = [[o] for o in outputs] if separate else [list(outputs)]
    started: list[Encoder] = []
    try:
        for group in groups:
            started.append(Encoder(group, threaded=separate))
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


# --------------------------------------------------------------------------- anthology


def ffmeta_escape(value: str) -> str:
    """Escape user text for ffmpeg's FFMETADATA format ('=', ';', '#', '\\' and newlines).

    A value ending in a backslash gets a space after it: ffmpeg's reader (ffmetadec.c, still
    in 9.0) takes any backslash before a newline as a line continuation, even an escaped one,
    and would swallow the next line into this value. No escaping can say "a backslash, then
    the end of the line" to it.
    """
    out = []
    for ch in value:
        if ch in "=;#\\\n":
            out.append("\\" + ch)
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    if out and out[-1] == "\\\\":
        out.append(" ")
    return "".join(out)


#: An MP4 'chpl' chapter title is at most this many bytes of UTF-8 (its length is one byte).
CHPL_TITLE_BYTES = 255


def chapter_text(title: str) -> str:
    """A chapter title exactly as an M4B will hold it, and a reader give it back.

    ``clean_text`` (one line), then cut to 255 bytes of UTF-8 on a character boundary: ffmpeg
    cuts 'chpl' titles at 255 bytes mid-character, and mutagen then refuses the whole file.
    A title ending in a backslash gets the space ``ffmeta_escape`` adds, where it fits.
    """
    text = clean_text(title)
    data = text.encode("utf-8")
    if len(data) > CHPL_TITLE_BYTES:
        text = data[:CHPL_TITLE_BYTES].decode("utf-8", "ignore")
    if text.endswith("\\") and len(text.encode("utf-8")) < CHPL_TITLE_BYTES:
        text += " "
    return text


def _concat(target: Path, parts: Sequence[Path], args: Sequence[str], meta_lines: Sequence[str],
            finalize: Finalizer | None) -> None:
    """Join encoded parts without re-encoding, with FFMETADATA tags/chapters, atomically.

    The listing and the metadata are temporaries beside the target, never in $TMPDIR: a build
    killed here leaves them in the build folder, where the next build removes them.
    """
    listing_text = "".join("file '{}'\n".format(str(p.resolve()).replace("'", "'\\''")) for p in parts)
    with temporary(target, ".txt") as listing, temporary(target, ".txt") as meta, atomic_path(target) as tmp:
        listing.write_text(listing_text, encoding="utf-8")
        meta.write_text("\n".join([";FFMETADATA1", *meta_lines]) + "\n", encoding="utf-8")
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(meta),
               "-map", "0:a", "-map_metadata", "1", "-c", "copy", *args, str(tmp)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise OutputError(f"{target}: ffmpeg failed: {ffmpeg_failure(result.returncode, result.stderr)}")
        if finalize is not None:
            finish_file(finalize, tmp, target)


def write_anthology(target: Path, parts: Sequence[Path], chapters: Sequence[Chapter], tags: Tags) -> None:
    """Join per-story AAC files (no re-encoding) into an M4B with one chapter per story."""
    lines = [f"title={ffmeta_escape(clean_text(tags.album))}", f"album={ffmeta_escape(clean_text(tags.album))}",
             f"artist={ffmeta_escape(clean_text(tags.artist))}", "genre=Audiobook"]
    for ch in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(ch.start * 1000)}",
                  f"END={round(ch.end * 1000)}", f"title={ffmeta_escape(chapter_text(ch.title))}"]
    _concat(target, parts, ["-map_chapters", "1", "-movflags", "+faststart", "-f", "ipod"], lines,
            lambda tmp: tag_mp4(tmp, tags))


def write_anthology_mp3(target: Path, parts: Sequence[Path], chapters: Sequence[Chapter], tags: Tags) -> None:
    """Join per-story MP3s (no re-encoding) into one MP3 with ID3 CHAP/CTOC chapter frames."""
    tagged = Tags(**{**tags.__dict__, "chapters": tuple(chapters)})
    _concat(target, parts, ["-write_xing", "1", "-id3v2_version", "3", "-f", "mp3"], [],
            lambda tmp: tag_mp3(tmp, tagged))
