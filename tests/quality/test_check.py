"""`audiobook check`: real files measured with ffmpeg, judged by ACX's rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.publish.export import ffmpeg_exe
from pipeline.quality.check import check_files, measure
from tests.exportkit import make_corpus, run


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = make_corpus(tmp_path_factory.mktemp("check"))
    run(options)
    return options.build_dir


def _tone(path: Path, volume: str, seconds: float = 3.0) -> Path:
    """A sine with no room tone at all: fails head, tail and (when loud) RMS and peak."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                    "-af", f"volume={volume}", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "128k", str(path)],
                   check=True)
    return path


def test_built_files_pass_every_acx_rule(built: Path) -> None:
    reports = check_files([*sorted(built.glob("*.mp3")), built / "anthology.m4b"])
    for r in reports:
        m = r.measurement
        assert r.ok, [v.why for v in r.verdicts if not v.ok]
        assert -23 <= m.rms_dbfs <= -18
        assert m.peak_dbfs <= -3 and m.true_peak_dbfs is not None and m.true_peak_dbfs <= -3
        assert m.noise_floor_dbfs <= -60
        assert 0.5 <= m.head_silence <= 1.0 and 1.0 <= m.tail_silence <= 5.0


def test_story_files_are_acx_mp3s(built: Path) -> None:
    m = measure(built / "01-rain.mp3")
    assert (m.codec, m.sample_rate, m.channels, m.bitrate, m.cbr) == ("MP3", 44100, 1, 192000, True)


def test_a_loud_file_without_room_tone_fails_with_reasons(tmp_path: Path) -> None:
    loud = _tone(tmp_path / "loud.mp3", "7.0")  # sine peaks at 1/8: about -1 dBFS
    result = CliRunner().invoke(app, ["check", str(loud)])
    assert result.exit_code == 1
    for words in ("RMS", "peak", "head room tone", "tail room tone", "kbps CBR (ACX"):
        assert words in result.output


def test_cli_check_defaults_to_the_build_folder(built: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--build-dir", str(built)])
    assert result.exit_code == 0, result.output
    assert "ACX check" in result.output and "All 3 file(s) pass" in result.output  # 2 stories + anthology


def test_not_audio_is_a_one_line_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("not audio")
    result = CliRunner().invoke(app, ["check", str(bogus)])
    assert result.exit_code == 1
    assert "notes.mp3" in result.output and "Traceback" not in result.output
