"""Which ffmpeg runs, and chapter titles through ffmpeg's own metadata reader and back."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mutagen.mp4 import MP4
from typer.testing import CliRunner

from pipeline import formats
from pipeline.cli.app import app
from pipeline.errors import EngineError
from pipeline.publish import export
from pipeline.publish.export import (
    CHPL_TITLE_BYTES,
    FFMPEG_ENV,
    Chapter,
    Tags,
    chapter_text,
    clean_text,
    ffmeta_escape,
    ffmpeg_exe,
    write_anthology,
)
from pipeline.quality.check import read_chapters
from tests.exportkit import make_corpus, run

SYSTEM_FFMPEG = Path("/usr/bin/ffmpeg")


@pytest.fixture
def no_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _plain(path: Path) -> Path:
    path.write_text("not a program")
    return path


def test_the_wheel_ffmpeg_is_used_even_with_another_on_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_choice: None) -> None:
    import imageio_ffmpeg

    _script(tmp_path / "ffmpeg", "echo 'ffmpeg version 5.1'")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()


def test_the_variable_chooses_another_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _script(tmp_path / "my-ffmpeg", "echo 'ffmpeg version 6.1.1 Copyright'")
    monkeypatch.setenv(FFMPEG_ENV, str(fake))
    assert ffmpeg_exe() == str(fake)
    monkeypatch.setenv(FFMPEG_ENV, "")  # set but empty: as if unset
    assert ffmpeg_exe() != str(fake)


@pytest.mark.parametrize(("make", "why"), [
    (lambda d: d / "nowhere" / "ffmpeg", "no such file"),
    (lambda d: d, "not an executable file"),  # a folder
    (lambda d: _plain(d / "plain"), "not an executable file"),
    (lambda d: _script(d / "old", "echo 'ffmpeg version 4.4.2-0ubuntu'"), "ffmpeg 4.4 is too old"),
    (lambda d: _script(d / "other", "echo 'sox: SoX v14.4.2'"), "not ffmpeg"),
])
def test_a_bad_variable_is_a_one_line_error_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: object, why: str) -> None:
    clip = tmp_path / "clip.mp3"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono",
                    "-t", "0.2", str(clip)], check=True)
    bad = make(tmp_path)  # type: ignore[operator]
    monkeypatch.setenv(FFMPEG_ENV, str(bad))
    with pytest.raises(EngineError, match=why):
        ffmpeg_exe()
    result = CliRunner().invoke(app, ["check", str(clip)])
    assert result.exit_code == 1
    message = result.output.strip()
    assert f"{FFMPEG_ENV}={bad}" in message and why in message and "unset it" in message
    assert len(message.splitlines()) == 1 and "Traceback" not in message


@pytest.mark.skipif(not SYSTEM_FFMPEG.exists(), reason="no system ffmpeg at /usr/bin/ffmpeg "
                    "(`apt-get install ffmpeg` gives Debian 12's 5.1, the oldest we support)")
def test_build_and_check_with_the_system_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FFMPEG_ENV, str(SYSTEM_FFMPEG))
    options = make_corpus(tmp_path)
    run(options)
    result = CliRunner().invoke(app, ["check", "--build-dir", str(options.build_dir)])
    assert result.exit_code == 0, result.output
    assert "All 3 file(s) pass" in result.output  # 2 story MP3s + the anthology M4B
    assert [c.title for c in read_chapters(options.build_dir / "anthology.m4b")] == ["Rain", "Cups"]


# --------------------------------------------------------------------------- chapter titles

#: Text that FFMETADATA must escape, near other text; plus anything else Unicode has.
HOSTILE = st.text(alphabet=st.one_of(st.sampled_from("=;#\\\n\r\t []ée中😀"),
                                     st.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
                  max_size=24)


@pytest.fixture(scope="module")
def silent_part() -> Iterator[Path]:
    """Half a second of silence as the anthology's AAC part: the chapters are what is tested."""
    with tempfile.TemporaryDirectory(prefix="audiobook-test-") as tmp:
        part = Path(tmp) / "part.m4a"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono",
                        "-t", "0.5", *formats.AAC.args, str(part)], check=True)
        yield part


def _mp4_titles(part: Path, titles: list[str], raw: bool) -> list[str]:
    """Chapter titles written through FFMETADATA by ffmpeg into an M4B, read back by mutagen.

    ``raw`` writes ``ffmeta_escape(title)`` as it is (newlines and all); otherwise through
    ``write_anthology``, as a build does.
    """
    span = 0.5 / len(titles)
    chapters = [Chapter(t, i * span, (i + 1) * span) for i, t in enumerate(titles)]
    with tempfile.TemporaryDirectory(prefix="audiobook-test-") as tmp:
        target = Path(tmp) / "out.m4b"
        if raw:
            lines = []
            for ch in chapters:
                lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(ch.start * 1000)}",
                          f"END={round(ch.end * 1000)}", f"title={ffmeta_escape(ch.title)}"]
            export._concat(target, [part], ["-map_chapters", "1", "-f", "ipod"], lines, None)
        else:
            write_anthology(target, [part], chapters, Tags(title="T", album="A", artist="B", track=1, total=1))
        return [c.title for c in MP4(target).chapters or ()]


@settings(max_examples=40, deadline=None)
@given(st.lists(HOSTILE, min_size=1, max_size=3))
@example(["ends in \\", "next"])  # the case that swallowed the next chapter before the trailing space
@example(["a=b;c#d\\e\nf", "#not a comment", "[CHAPTER]", ""])
def test_ffmeta_escape_round_trips_through_ffmpeg(silent_part: Path, titles: list[str]) -> None:
    """Every title comes back exactly, newlines included, but for two documented changes: a
    carriage return is dropped (FFMETADATA has no way to keep one) and a trailing backslash
    gets a space after it (ffmpeg's reader would take it for a line continuation)."""
    expected = [t.replace("\r", "") + (" " if t.replace("\r", "").endswith("\\") else "") for t in titles]
    assert _mp4_titles(silent_part, titles, raw=True) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(HOSTILE, st.text(min_size=100, max_size=140)), min_size=1, max_size=3))
@example(["Глава " * 50, "x" * 254 + "\\", " \t\n "])  # cut mid-letter; a backslash at byte 255; empty
def test_anthology_chapter_titles_read_back_as_cleaned(silent_part: Path, titles: list[str]) -> None:
    """What a build writes comes back as ``chapter_text(title)``: ``clean_text`` (control
    characters, newlines included, and runs of whitespace become one space; ends stripped),
    cut to 255 bytes of UTF-8 on a character boundary, a space after a trailing backslash."""
    assert _mp4_titles(silent_part, titles, raw=False) == [chapter_text(t) for t in titles]
    for t in titles:
        cleaned = clean_text(t)
        if len(cleaned.encode()) <= CHPL_TITLE_BYTES and not cleaned.endswith("\\"):
            assert chapter_text(t) == cleaned
        assert "\n" not in chapter_text(t) and len(chapter_text(t).encode()) <= CHPL_TITLE_BYTES


def test_chapter_text_examples() -> None:
    assert chapter_text(" two\nlines\t\\ ") == "two lines \\ "
    assert chapter_text("é" * 200) == "é" * 127  # 254 bytes: the 255th would split an é
    assert ffmeta_escape("ends in \\") == "ends in \\\\ "
