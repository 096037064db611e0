"""What a build remembers: story timings and input hashes round-trip; stale outputs go, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import ChapterAudio, TimedSegment, Work
from pipeline.publish import records
from pipeline.publish.captions import NARRATOR, Cue
from pipeline.speakers.analyse import analyse

TEXT = '"You are late," said Madame Dupont.\n\n"The tram was slow," Anna said, and smiled.\n'
STORY = Work(slug="01-rain", title="Rain", path=Path("corpus/01-rain.txt"), text=TEXT, number=1)
SEGMENTS = analyse(TEXT).segments

SECONDS = st.floats(min_value=0, max_value=36_000, allow_nan=False)
VOICES = st.sampled_from(["", "gmw/en-us+f3", "gmw/en-gb-x-rp+m1"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(st.tuples(SECONDS, SECONDS, VOICES), min_size=len(SEGMENTS), max_size=len(SEGMENTS)),
       extras=st.lists(st.tuples(SECONDS, SECONDS, st.text(max_size=20)), max_size=3), duration=SECONDS)
def test_timing_round_trips_through_save_and_load(
        tmp_path: Path, times: list[tuple[float, float, str]], extras: list[tuple[float, float, str]],
        duration: float) -> None:
    timeline = tuple(TimedSegment(seg, voice, start, end) for seg, (start, end, voice) in zip(SEGMENTS, times,
                                                                                               strict=True))
    audio = ChapterAudio(STORY, duration, timeline)
    cues = [Cue(start, end, NARRATOR, text) for start, end, text in extras]
    path = tmp_path / "cache" / "parts" / "01-rain.json"
    records.save_timing(path, audio, cues)
    loaded = records.load_timing(path, STORY, SEGMENTS)
    assert loaded == (audio, cues)  # exact: seconds are saved as JSON floats, which keep every bit


def test_timing_that_no_longer_fits_the_story_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "timing.json"
    audio = ChapterAudio(STORY, 3.0, tuple(TimedSegment(s, "v", 1.0, 2.0) for s in SEGMENTS))
    records.save_timing(path, audio, [])
    assert records.load_timing(path, STORY, SEGMENTS[:-1]) is None  # the story was edited: other segments
    for broken in ("", "{", "[]", '{"duration": 1}', '{"duration": "x", "times": [], "extras": []}'):
        path.write_text(broken, encoding="utf-8")
        assert records.load_timing(path, STORY, ()) is None, broken
    assert records.load_timing(tmp_path / "missing.json", STORY, SEGMENTS) is None


def manifest(*works: str, mp3: str | None = None) -> dict:
    return {"anthology": {"file": "anthology.m4b", "mp3": mp3},
            "stories": [{"file": f"{s}.mp3", "captions": {"vtt": f"{s}.vtt", "srt": f"{s}.srt"}} for s in works]}


def test_listed_files_are_names_inside_the_build_folder() -> None:
    assert records.listed_files(manifest("01-rain")) == {
        "manifest.json", "anthology.m4b", "01-rain.mp3", "01-rain.vtt", "01-rain.srt"}
    hostile = {"anthology": {"file": "../../etc/passwd", "mp3": "."},
               "stories": [{"file": "/tmp/x.mp3", "captions": {"vtt": "..", "srt": 7}}, {"file": None}]}
    assert records.listed_files(hostile) == {"manifest.json"}


def test_outputs_the_last_build_listed_and_this_one_does_not_are_removed(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    old = manifest("01-rain", "02-cups", mp3="anthology.mp3")
    for name in records.listed_files(old) | {"mine.txt"}:
        (build_dir / name).write_text(name, encoding="utf-8")
    (build_dir / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    gone = records.remove_outdated(build_dir, build_dir / "manifest.json", manifest("01-rain"))
    assert gone == ["02-cups.mp3", "02-cups.srt", "02-cups.vtt", "anthology.mp3"]
    assert sorted(p.name for p in build_dir.iterdir()) == [
        "01-rain.mp3", "01-rain.srt", "01-rain.vtt", "anthology.m4b", "manifest.json", "mine.txt"]


@pytest.mark.parametrize("old", ["not json", "[]", json.dumps({"stories": [{"file": "../outside.txt"}]})])
def test_a_broken_or_hostile_old_manifest_removes_nothing(tmp_path: Path, old: str) -> None:
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")
    (build_dir / "manifest.json").write_text(old, encoding="utf-8")
    assert records.remove_outdated(build_dir, build_dir / "manifest.json", manifest()) == []
    assert (tmp_path / "outside.txt").read_text(encoding="utf-8") == "keep"
