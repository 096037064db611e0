"""End to end: the corpus becomes per-story MP3s, a chaptered M4B and a manifest."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from pipeline.errors import AudiobookError, BuildLocked
from pipeline.runner.stages import BuildResult, build, build_lock
from tests.conftest import Project

TITLES = ["The Margins", "A Whispered Promise", "Behind the Counter"]


def manifest(project: Project) -> dict:
    return json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))


def test_one_mp3_per_story_with_tags(built: tuple[Project, BuildResult]) -> None:
    project, _ = built
    data = manifest(project)
    assert [s["title"] for s in data["stories"]] == TITLES
    for number, work in enumerate(data["stories"], start=1):
        audio = MP3(project.build_dir / work["file"])
        assert audio.info.sample_rate == 44100 and audio.info.channels == 1
        # the file as a player sees it lasts what the manifest says, within 1%
        assert audio.info.length == pytest.approx(work["duration"], rel=0.01)
        tags = audio.tags
        assert tags is not None
        assert str(tags["TIT2"]) == work["title"]
        assert str(tags["TALB"]) == data["title"]
        assert str(tags["TPE1"]) == data["author"]
        assert str(tags["TRCK"]) == f"{number}/3"


def test_anthology_has_a_chapter_per_story(built: tuple[Project, BuildResult]) -> None:
    project, result = built
    data = manifest(project)
    m4b = MP4(project.build_dir / "anthology.m4b")
    chapters = list(m4b.chapters or [])
    assert [c.title for c in chapters] == TITLES
    starts = [c["start"] for c in data["anthology"]["chapters"]]
    assert [c.start for c in chapters] == pytest.approx(starts, abs=0.01)
    # chapters start where each story begins: the running sum of the story durations
    running = 0.0
    for chapter, work in zip(chapters, data["stories"], strict=True):
        assert chapter.start == pytest.approx(running, abs=0.01)
        running += work["duration"]
    mp3_total = sum(MP3(project.build_dir / s["file"]).info.length for s in data["stories"])
    assert m4b.info.length == pytest.approx(mp3_total, abs=0.5)
    assert result.anthology_duration == pytest.approx(m4b.info.length, abs=0.5)


def test_manifest_segments_are_timed_and_tile_the_story(built: tuple[Project, BuildResult]) -> None:
    project, _ = built
    for work in manifest(project)["stories"]:
        text = Path(work["source"]).read_text(encoding="utf-8")
        segs = work["segments"]
        assert segs[0]["text_start"] == 0 and segs[-1]["text_end"] == len(text)
        for a, b in itertools.pairwise(segs):
            assert a["text_end"] == b["text_start"]
            assert a["end"] <= b["start"] + 1e-9  # time never runs backwards
        for s in segs:
            assert s["kind"] in ("narration", "dialogue")
            assert 0 <= s["start"] <= s["end"] <= work["duration"]
            assert text[s["text_start"]:s["text_end"]] == s["text"]
            if s["kind"] == "dialogue":
                assert s["speaker"] and s["voice"]


def test_each_speaker_has_its_own_voice(built: tuple[Project, BuildResult]) -> None:
    project, _ = built
    voices: dict[str, set[str]] = {}
    narrator: set[str] = set()
    for work in manifest(project)["stories"]:
        for s in work["segments"]:
            if s["kind"] == "dialogue":
                voices.setdefault(s["speaker"], set()).add(s["voice"])
            elif s["voice"]:
                narrator.add(s["voice"])
    assert set(voices) == {"Madame Dupont", "Stéphane Cara", "Kamil Moreau", "the young woman"}
    assert all(len(v) == 1 for v in voices.values())  # one voice per character
    assert len({next(iter(v)) for v in voices.values()} | narrator) == len(voices) + 1


def test_second_build_renders_and_rewrites_nothing(project: Project) -> None:
    first = project.build()
    assert first.clips_rendered == first.clips_total > 0
    outputs = sorted(p for p in project.build_dir.iterdir() if p.is_file() and p.name != ".lock")
    mtimes = {p: p.stat().st_mtime_ns for p in outputs}
    second = project.build()
    assert second.clips_rendered == 0
    assert not any(r.rebuilt for r in second.works)
    assert {p: p.stat().st_mtime_ns for p in outputs} == mtimes


def test_a_truncated_clip_is_rendered_again(small_project: Project) -> None:
    small_project.build()
    clips = sorted((small_project.build_dir / "cache" / "clips").rglob("*.wav"))
    victim = clips[len(clips) // 2]
    whole = victim.read_bytes()
    victim.write_bytes(whole[: len(whole) // 3])
    result = small_project.build()
    assert result.clips_rendered == 1
    again = victim.read_bytes()
    # whole again (eSpeak's output can differ by a few samples from run to run)
    assert len(again) == pytest.approx(len(whole), rel=0.1)
    from pipeline.voices.engine import read_wav_pcm

    assert len(read_wav_pcm(victim)) == len(again) - 44


def test_a_second_build_in_the_same_folder_is_refused(small_project: Project) -> None:
    small_project.build_dir.mkdir()
    with build_lock(small_project.build_dir), pytest.raises(BuildLocked, match="another build is running"):
        small_project.build()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a build folder but the lock, by relative name."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _bad_voice(project: Project) -> None:
    # found when the build casts the stories it has analysed, under the lock
    text = project.voices.read_text(encoding="utf-8")
    project.voices.write_text(text.replace("\ncharacters:\n", "\ncharacters:\n  Nobody:\n    pitch: 160\n", 1),
                              encoding="utf-8")


def _bad_cover(project: Project) -> None:
    # found when the build reads the anthology's metadata, under the lock, before any output is written
    (project.corpus / "cover.jpg").write_bytes(b"not a JPEG at all")


def _anthology_mp3_blocked(project: Project) -> None:
    # found at the very end, after every story was encoded: the file's place is taken by a folder
    (project.build_dir / "anthology.mp3").mkdir()
    (project.build_dir / "anthology.mp3" / "keep").write_text("mine", encoding="utf-8")


@pytest.mark.parametrize(("breakage", "error"), [(_bad_voice, "Nobody.pitch: 160 is out of range"),
                                                 (_bad_cover, "cover.jpg: not a readable image"),
                                                 (_anthology_mp3_blocked, "anthology.mp3: Is a directory")])
def test_lock_is_released_after_a_build_fails_under_it(
        small_project: Project, breakage: Callable[[Project], None], error: str) -> None:
    options = dataclasses.replace(small_project.options(), anthology_mp3=True)
    # two works: one alone makes no anthology
    shutil.copy(small_project.corpus / "01-the-visit.txt", small_project.corpus / "02-the-visit-again.txt")
    small_project.build()
    before = snapshot(small_project.build_dir)
    voices = small_project.voices.read_bytes()
    breakage(small_project)
    lock = small_project.build_dir / ".lock"
    lock.unlink()
    with pytest.raises(AudiobookError, match=error):
        build(options)
    assert lock.exists(), "the build failed before it took the lock: this test would prove nothing"
    after = snapshot(small_project.build_dir)
    assert {k: v for k, v in after.items() if not k.startswith("anthology.mp3/")} == before  # nothing lost
    with build_lock(small_project.build_dir):  # raises BuildLocked if the failed build still holds it
        pass
    small_project.voices.write_bytes(voices)
    (small_project.corpus / "cover.jpg").unlink(missing_ok=True)
    shutil.rmtree(small_project.build_dir / "anthology.mp3", ignore_errors=True)
    again = build(options)
    assert again.clips_rendered == 0 and MP3(small_project.build_dir / "anthology.mp3").info.length > 1.0


def test_outputs_are_readable_files(built: tuple[Project, BuildResult]) -> None:
    project, _ = built
    for f in project.build_dir.glob("*.m*"):
        assert f.stat().st_mode & 0o044, f"{f} is not readable by others"
    assert not list(project.build_dir.glob(".*.part*")), "temporary files left behind"


def test_jobs_one_and_two_give_the_same_audio(small_project: Project, tmp_path: Path) -> None:
    a = small_project.build(jobs=1)
    other = Project(tmp_path / "other")
    os.makedirs(other.root)
    os.symlink(small_project.corpus, other.corpus)
    os.symlink(small_project.voices, other.voices)
    b = other.build(jobs=2)
    assert [r.duration for r in a.works] == pytest.approx([r.duration for r in b.works], rel=0.01)


def test_a_renamed_story_leaves_no_stale_files(small_project: Project) -> None:
    small_project.build()
    old = {p.name for p in small_project.build_dir.iterdir() if p.is_file()}
    (small_project.corpus / "corpus.yaml").write_text(
        f"title: Tests\nstories:\n  - file: {small_project.work.name}\n    title: A Promise\n", encoding="utf-8")
    small_project.build()
    now = {p.name for p in small_project.build_dir.iterdir() if p.is_file()}
    assert "01-a-promise.mp3" in now and "01-a-promise.vtt" in now
    assert not {n for n in now - old if n.endswith(".mp3")} - {"01-a-promise.mp3"}
    assert not [n for n in now if "visit" in n], now  # the old title's files are gone
