"""Captions: WebVTT and SRT from the sample-exact timeline, checked against the audio itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.publish.captions import Cue, srt, webvtt
from pipeline.quality.check import measure
from tests.exportkit import make_corpus, run

STAMP = re.compile(r"(\d\d):(\d\d):(\d\d)[.,](\d\d\d) --> (\d\d):(\d\d):(\d\d)[.,](\d\d\d)")


def _times(text: str) -> list[tuple[float, float]]:
    out = []
    for m in STAMP.finditer(text):
        h1, m1, s1, f1, h2, m2, s2, f2 = map(int, m.groups())
        out.append((h1 * 3600 + m1 * 60 + s1 + f1 / 1000, h2 * 3600 + m2 * 60 + s2 + f2 / 1000))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = make_corpus(tmp_path_factory.mktemp("captions"))
    run(options)
    return options.build_dir


def test_vtt_names_speakers_and_matches_the_manifest(built: Path) -> None:
    vtt = (built / "01-rain.vtt").read_text()
    assert vtt.startswith("WEBVTT\n")
    assert "<v Madame Dupont>You are late," in vtt and "<v Narrator>Rain" in vtt
    manifest = json.loads((built / "manifest.json").read_text())
    dialogue = [s for s in manifest["stories"][0]["segments"] if s["kind"] == "dialogue"]
    times = _times(vtt)
    for seg in dialogue:  # each cue is the audible part of its segment's clip
        assert any(seg["start"] <= a < b <= seg["end"] + 0.001 for a, b in times), seg


def test_srt_has_the_same_cues(built: Path) -> None:
    assert _times((built / "01-rain.srt").read_text()) == _times((built / "01-rain.vtt").read_text())
    assert "Madame Dupont: You are late," in (built / "01-rain.srt").read_text()


@pytest.mark.parametrize("name", ["01-rain", "02-cups"])
def test_cues_line_up_with_the_audio_within_50_ms(built: Path, name: str) -> None:
    times = _times((built / f"{name}.vtt").read_text())
    m = measure(built / f"{name}.mp3")
    # the first cue starts where the sound starts, the last ends where it stops
    assert times[0][0] == pytest.approx(m.head_silence, abs=0.05)
    assert times[-1][1] == pytest.approx(m.duration - m.tail_silence, abs=0.05)
    assert all(a < b for a, b in times) and all(times[i][1] <= times[i + 1][0] for i in range(len(times) - 1))


def test_markup_and_newlines_cannot_break_a_cue() -> None:
    cue = Cue(1.0, 2.5, "Dr <Who> & co", "line one\n\nline --> two")
    vtt = webvtt([cue])
    assert "<v Dr &lt;Who&gt; &amp; co>line one line -&gt; two" in vtt
    assert "00:00:01.000 --> 00:00:02.500" in vtt
    assert srt([cue]).splitlines()[1] == "00:00:01,000 --> 00:00:02,500"
