"""A build with a Piper narrator and eSpeak characters: the anthology, levels, checks, rebuilds, recasting,
the order of the work."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from mutagen.mp4 import MP4

from pipeline.audio import workers
from pipeline.audio.ostweaks import pool_processes
from pipeline.audio.synth import ClipCache, PlannedClip, Renderer, render_cost
from pipeline.audio.workers import Pool, _warm_up
from pipeline.quality.check import check_files
from pipeline.runner import executors
from pipeline.runner.stages import build, spoken_plans, voices_to_load
from tests.conftest import TINY_STORY, Project
from tests.publish.test_books import TEXT_BOOK

NARRATOR = "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n"
SECOND = 'The Short One\n\nThe lamp went out.\n\n"Who is there?" asked Tom.\n'


@pytest.fixture
def piper_project(small_project: Project) -> Project:
    text = small_project.voices.read_text(encoding="utf-8")
    text = text.replace("narrator:\n  voice: gmw/en-gb-x-rp\n  variant: m3\n  rate: 165\n  pitch: 45\n", NARRATOR)
    assert NARRATOR in text
    small_project.voices.write_text(text, encoding="utf-8")
    (small_project.corpus / "02-the-short-one.txt").write_text(SECOND, encoding="utf-8")
    return small_project


@pytest.fixture
def short_first(piper_project: Project) -> Project:
    """The short story before the other in the corpus's order."""
    (piper_project.corpus / "02-the-short-one.txt").rename(piper_project.corpus / "00-the-short-one.txt")
    return piper_project


def clips_of(project: Project) -> list[PlannedClip]:
    """Every clip a build of the project says, in order."""
    return [c for p in spoken_plans(project.options(jobs=2))[1] for c in p.clips]


def loudness_by_voice(build_dir: Path, entry: dict) -> dict[str, float]:
    """Integrated loudness (ffmpeg's ebur128) of each voice's speech in a chapter file: its segments'
    100 ms windows above -45 dBFS, joined (the pauses between clips are not the voice's)."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    decoded = subprocess.run([ffmpeg, "-v", "quiet", "-i", str(build_dir / Path(entry["file"]).name),
                              "-f", "s16le", "-ar", "22050", "-ac", "1", "-"], capture_output=True, check=True).stdout
    pcm = np.frombuffer(decoded, dtype="<i2").astype(np.float64)
    parts: dict[str, list[np.ndarray]] = {}
    for seg in entry["segments"]:
        x = pcm[int(seg["start"] * 22050):int(seg["end"] * 22050)]
        windows = x[:len(x) // 2205 * 2205].reshape(-1, 2205)
        loud = windows[np.sqrt((windows ** 2).mean(axis=1)) > 32768 * 10 ** (-45 / 20)]
        parts.setdefault(seg["voice"], []).append(loud.reshape(-1))
    out = {}
    for voice, chunks in parts.items():
        joined = np.concatenate(chunks).astype("<i2").tobytes()
        meter = subprocess.run([ffmpeg, "-hide_banner", "-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0",
                                "-af", "ebur128", "-f", "null", "-"], input=joined, capture_output=True, check=True)
        out[voice] = float(re.findall(r"I:\s*(-?[\d.]+) LUFS", meter.stderr.decode())[-1])
    return out


def test_a_piper_narrator_beside_espeak_characters(piper_project: Project) -> None:
    result = build(piper_project.options(jobs=2))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    visit = manifest["stories"][0]
    assert len(manifest["stories"]) == 2
    voices = {seg["voice"] for seg in visit["segments"]}
    narration = {seg["voice"] for seg in visit["segments"] if seg["kind"] == "narration"}
    assert narration == {"piper:en_US-joe-medium"} and len(voices) == 3  # Nora and Tom on eSpeak
    assert all(not v.startswith("piper:") for v in voices - narration)
    reports = check_files([piper_project.build_dir / Path(e["file"]).name for e in manifest["stories"]]
                          + [result.anthology] if result.anthology else [])
    assert reports and all(r.ok for r in reports), [r for r in reports if not r.ok]
    chapters = MP4(result.anthology).chapters if result.anthology else None
    assert chapters is not None and [c.title for c in chapters] == ["The Visit", "The Short One"]
    levels = loudness_by_voice(piper_project.build_dir, visit)
    # Every voice, male and female, eSpeak or Piper: within 1 LU of the Piper narrator.
    assert len(levels) == 3 and all(abs(levels["piper:en_US-joe-medium"] - lu) <= 1.0 for lu in levels.values()), levels
    vtt = (piper_project.build_dir / "01-the-visit.vtt").read_text(encoding="utf-8")
    assert "Nora Quill opened the door" in vtt and "You're late" in vtt


def test_rebuilds_and_recasting_a_character_render_only_what_changed(piper_project: Project) -> None:
    first = build(piper_project.options(jobs=2))
    assert first.clips_rendered == first.clips_total
    assert build(piper_project.options(jobs=2)).clips_rendered == 0
    text = piper_project.voices.read_text(encoding="utf-8")
    tom = re.search(r"\n  Tom:[^\n]*\n(?:    [^\n]*\n)+", text)
    assert tom is not None
    piper_project.voices.write_text(text.replace(tom.group(0), re.sub(r"rate: \d+", "rate: 140", tom.group(0))),
                                    encoding="utf-8")
    manifest = json.loads(first.manifest.read_text(encoding="utf-8"))
    toms = sum(1 for e in manifest["stories"] for s in e["segments"] if s["speaker"] == "Tom")
    assert build(piper_project.options(jobs=2)).clips_rendered == toms
    # Tom moved from eSpeak onto the narrator's Piper voice: his lines only. The credits, which name
    # the engines and the cast, say the same (they once counted the voices: 3, then 2).
    assert any(c.utterance.text.startswith("Read by") and "eSpeak NG and Piper's en_US-joe-medium" in c.utterance.text
               for c in clips_of(piper_project))
    text = piper_project.voices.read_text(encoding="utf-8")
    tom = re.search(r"\n  Tom:[^\n]*\n(?:    [^\n]*\n)+", text)
    assert tom is not None
    kept = "".join(line for line in tom.group(0).splitlines(keepends=True)
                   if line.split(":")[0].strip() not in ("voice", "variant", "pitch", "rate"))
    before = {c.key for c in clips_of(piper_project)}
    piper_project.voices.write_text(text.replace(tom.group(0), kept + "    engine: piper\n    voice: en_US-joe-medium\n"
                                                 "    rate: 150\n"), encoding="utf-8")
    assert build(piper_project.options(jobs=2)).clips_rendered == toms
    assert len({c.key for c in clips_of(piper_project)} - before) == toms
    # The narrator switched to another Piper rate: its clips only, the characters' are kept.
    text = piper_project.voices.read_text(encoding="utf-8")
    piper_project.voices.write_text(text.replace(NARRATOR, NARRATOR + "  rate: 150\n"), encoding="utf-8")
    narrated = build(piper_project.options(jobs=2))
    spoken_by_characters = sum(1 for e in manifest["stories"] for s in e["segments"] if s["speaker"])
    assert narrated.clips_rendered == narrated.clips_total - spoken_by_characters


def integrated_loudness(path: Path) -> float:
    """A file's integrated loudness (LUFS), as ffmpeg's ebur128 filter measures it."""
    meter = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-af", "ebur128",
                            "-f", "null", "-"], capture_output=True, check=True)
    return float(re.findall(r"I:\s*(-?[\d.]+) LUFS", meter.stderr.decode())[-1])


def test_stories_of_espeak_alone_and_of_piper_aim_at_one_loudness(small_project: Project) -> None:
    # The same story twice, the second read by Piper: levelled each its own way (by RMS, by loudness),
    # the first, eSpeak's alone, came out 0.8 LU louder.
    story = TINY_STORY.read_text(encoding="utf-8")
    (small_project.corpus / "02-the-visit-again.txt").write_text(story, encoding="utf-8")
    text = small_project.voices.read_text(encoding="utf-8")
    small_project.voices.write_text(text + "\nstories:\n  02-the-visit-again:\n    narrator:\n      engine: piper\n"
                                    "      voice: en_US-joe-medium\n", encoding="utf-8")
    result = build(small_project.options(jobs=2))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    files = [small_project.build_dir / Path(e["file"]).name for e in manifest["stories"]]
    engines = [{seg["voice"].startswith("piper:") for seg in e["segments"]} for e in manifest["stories"]]
    assert engines == [{False}, {True, False}]
    loudness = [integrated_loudness(f) for f in files]
    assert abs(loudness[0] - loudness[1]) <= 0.4, loudness  # 0.1 measured, 0.8 before
    reports = check_files([*files, result.anthology] if result.anthology else files)
    assert all(r.ok for r in reports), [r for r in reports if not r.ok]


def cost(clips: Sequence[PlannedClip]) -> list[float]:
    return [render_cost(c.utterance.text, c.utterance.voice) for c in clips]


def test_works_with_most_to_render_go_first_each_its_longest_chapters_and_clips_first(short_first: Project) -> None:
    (short_first.corpus / "03-the-lantern.txt").write_text(TEXT_BOOK, encoding="utf-8")  # a book of 2 chapters
    plans = spoken_plans(short_first.options())[1]
    missing = ClipCache(short_first.options().layout.clips).missing([c for p in plans for c in p.clips])
    order, queue = executors.longest_first(plans, missing)
    assert sorted(order) == list(range(len(plans))) and len(queue) == len(plans)  # each has clips to render
    works = [plans[i].work.slug for i in order]
    assert works[0] == "03-the-lantern"  # the book has the most to say, though the corpus has it last
    # A work's chapters one after another: a book's M4B is joined while the next works render.
    assert all(works[works.index(w):len(works) - works[::-1].index(w)] == [w] * works.count(w) for w in works)
    keys = {c.key for c in missing}
    left = [sum(cost(list({c.key: c for c in plans[i].clips if c.key in keys}.values()))) for i in order]
    by_work = [[n for n, w in zip(left, works, strict=True) if w == slug] for slug in dict.fromkeys(works)]
    assert [sum(c) for c in by_work] == sorted((sum(c) for c in by_work), reverse=True)  # works, the most first
    assert all(c == sorted(c, reverse=True) for c in by_work)  # a work's chapters, the most first
    assert all(cost(q) == sorted(cost(q), reverse=True) for q in queue)  # a chapter's clips, the longest first
    queued = [c.key for q in queue for c in q]
    assert sorted(queued) == sorted(c.key for c in missing)  # each missing clip once
    # Once the clips are in, nothing is left to render: every chapter is ready, in plan order.
    assert executors.longest_first(plans, []) == (list(range(len(plans))), [])


def outputs(project: Project) -> dict[str, bytes]:
    """Every file a build made (the clip cache aside), by its path in the build folder."""
    clips = project.build_dir / "cache" / "clips"
    return {str(p.relative_to(project.build_dir)): p.read_bytes() for p in sorted(project.build_dir.rglob("*"))
            if p.is_file() and clips not in p.parents and p.name not in ("state.json", "uptodate.json", ".lock")}


def encoded_again(project: Project) -> dict[str, bytes]:
    """The build's files made again from the clips it rendered (everything else deleted first)."""
    for path in project.build_dir.iterdir():
        if path.name != "cache":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in (project.build_dir / "cache").iterdir():
        if path.name != "clips":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    clips = sorted((project.build_dir / "cache" / "clips").rglob("*.wav"))
    cli_build(project)
    assert sorted((project.build_dir / "cache" / "clips").rglob("*.wav")) == clips  # none rendered again
    return outputs(project)


def cli_build(project: Project) -> None:
    """`audiobook build` in a process of its own, as a user runs it: its render workers are forked
    as it starts, and load the Piper voice while it reads the works."""
    subprocess.run([str(Path(sys.executable).with_name("audiobook")), "build", "--corpus", str(project.corpus),
                    "--voices", str(project.voices), "--build-dir", str(project.build_dir), "--jobs", "2"],
                   check=True, capture_output=True)


def test_files_made_longest_first_are_those_made_in_plan_order(short_first: Project) -> None:
    # Rendered longest first, each chapter encoded while the workers render the next ones...
    cli_build(short_first)
    made = outputs(short_first)
    assert any(Path(name).suffix == ".mp3" for name in made) and any(name.endswith(".vtt") for name in made)
    # ...the same bytes as the same clips encoded once they are all in (in plan order; the workers
    # started for them are not needed), every time.
    assert encoded_again(short_first) == made
    assert encoded_again(short_first) == made


def test_the_workers_load_the_piper_voices_voices_yaml_names_while_the_build_reads(
        piper_project: Project, small_project: Project) -> None:
    loaded = voices_to_load(piper_project.voices)
    assert [(v.engine, v.voice) for v in loaded] == [("piper", "en_US-joe-medium")]  # once, whatever the rates
    assert voices_to_load(small_project.voices.with_name("absent.yaml")) == []  # eSpeak's defaults
    piper_project.voices.write_text("narrator: [\n", encoding="utf-8")
    assert voices_to_load(piper_project.voices) == []  # casting says what is wrong, in its turn


def test_a_build_with_nothing_to_render_leaves_no_worker_behind(piper_project: Project) -> None:
    build(piper_project.options(jobs=2))
    again = build(piper_project.options(jobs=2))  # its workers started loading joe, then were not needed
    assert again.clips_rendered == 0 and all(not c.rebuilt for c in again.works)
    assert multiprocessing.active_children() == []


def test_workers_that_die_as_they_load_the_voice_are_replaced(piper_project: Project,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    clips = [c for c in clips_of(piper_project) if c.utterance.voice.engine == "piper"][:4]
    joe = clips[0].utterance.voice
    # Forked, as workers warmed up always are (this test process may have started eSpeak, which would
    # make it spawn them; the forked ones only speak with Piper here).
    monkeypatch.setattr(workers, "can_fork", lambda: True)
    pool = Pool(2)
    pool.submit(_warm_up, [joe])
    for proc in pool_processes(pool.executor):
        proc.kill()
    with pytest.raises(BrokenProcessPool):  # raised at once, or by the task: the pool is broken from then on
        pool.submit(os.getpid).result()
    cache = ClipCache(piper_project.options().layout.clips)
    with Renderer(cache, 2, pool=pool) as renderer:
        assert renderer.wait(set(renderer.submit(clips).values())) == len({c.key for c in clips})
    assert not cache.missing(clips) and multiprocessing.active_children() == []
