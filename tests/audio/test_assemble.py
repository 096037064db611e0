"""Stitching real eSpeak clips: a story's length is its clips plus its pauses, and every clip lands where the
timeline says."""

from __future__ import annotations

import audioop
import itertools
import math
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.audio import assemble
from pipeline.audio.synth import ClipCache, PlannedClip, clip_key, render_clips
from pipeline.model import Segment, Utterance, VoiceSettings, Work
from pipeline.voices import engine

RATE = engine.SAMPLE_RATE
LINES = ["Yes.", "The rain had stopped.", "You are late, said Madame Dupont.", "Nine cups.", "Oh!"]
VOICES = [VoiceSettings("gmw/en-us", "f3"), VoiceSettings("gmw/en-gb-x-rp", "m1", rate=220)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClipCache, list[Utterance]]:
    """A few real clips in a cache, rendered once (in worker processes, like a build)."""
    cache = ClipCache(tmp_path_factory.mktemp("assemble") / "clips")
    utterances = [Utterance(-1, text, voice, 0.0) for text, voice in zip(LINES, itertools.cycle(VOICES))]
    clips = [PlannedClip(u, clip_key(u.text, u.voice), 0, 0) for u in utterances]
    assert render_clips(clips, cache, jobs=2) == len(clips)
    return cache, utterances


def frames(cache: ClipCache, key: str) -> int:
    with wave.open(str(cache.path(key)), "rb") as w:
        return w.getnframes()


def chapter_of(picks: list[tuple[int, float, bool]], utterances: list[Utterance]
             ) -> tuple[Work, list[Segment], list[PlannedClip]]:
    """A story whose segments are the picked lines, some with a segment of nothing speakable before them."""
    text, segments, clips = "", [], []
    for which, pause, dash_before in picks:
        if dash_before:  # e.g. the lone comma between two quotations: a segment with no clip
            segments.append(Segment("narration", len(text), len(text) + 2, " —"))
            text += " —"
        u = utterances[which]
        start = len(text)
        text += u.text
        segments.append(Segment("dialogue", start, len(text), u.text, speaker=f"S{which}"))
        utt = Utterance(len(segments) - 1, u.text, u.voice, pause, "dialogue")
        clips.append(PlannedClip(utt, clip_key(u.text, u.voice), start, len(text)))
    return Work("s", "S", Path("s.txt"), text, 1), segments, clips


PICKS = st.lists(st.tuples(st.integers(0, len(LINES) - 1),
                           st.one_of(st.sampled_from([0.0, 0.3, 0.8, 1.5]), st.floats(0, 2.5)),
                           st.booleans()),
                 min_size=1, max_size=6)
LEVELS = st.sampled_from([None, assemble.Loudness(), assemble.Loudness(room_tone_dbfs=None)])


@settings(max_examples=40, deadline=None)
@given(picks=PICKS, loudness=LEVELS)
def test_a_stitched_story_lasts_its_clips_and_pauses(
        rendered: tuple[ClipCache, list[Utterance]], picks: list[tuple[int, float, bool]],
        loudness: assemble.Loudness | None) -> None:
    cache, utterances = rendered
    work, segments, clips = chapter_of(picks, utterances)
    chunks: list[bytes] = []
    heard: list[tuple[PlannedClip, float, float]] = []
    audio = assemble.assemble_chapter(work, segments, clips, cache, chunks.append, lambda c: c.utterance.voice.voice,
                                    loudness=loudness, on_clip=lambda c, a, b: heard.append((c, a, b)))
    pause_frames = [round(c.utterance.pause_before * RATE) for c in clips]
    total = (round(assemble.HEAD_SILENCE * RATE) + sum(frames(cache, c.key) for c in clips) + sum(pause_frames)
             + round(assemble.TAIL_SILENCE * RATE))
    pcm = b"".join(chunks)
    assert len(pcm) == total * engine.SAMPLE_WIDTH
    assert audio.duration == total / RATE == assemble.planned_seconds(cache, clips)
    # each clip starts after everything before it and its own pause, to the sample
    cursor = round(assemble.HEAD_SILENCE * RATE)
    placed = {}
    for clip, pause in zip(clips, pause_frames, strict=True):
        cursor += pause
        placed[clip.utterance.segment_index] = (cursor / RATE, (cursor + frames(cache, clip.key)) / RATE)
        cursor += frames(cache, clip.key)
    latest = assemble.HEAD_SILENCE
    assert [t.segment for t in audio.timeline] == segments
    for index, timed in enumerate(audio.timeline):
        if index in placed:
            assert (timed.start, timed.end) == pytest.approx(placed[index], abs=1e-9)
            assert timed.voice == clips[[c.utterance.segment_index for c in clips].index(index)].utterance.voice.voice
            latest = timed.end
        else:  # nothing to say: an instant where the last line ended
            assert timed.start == timed.end == pytest.approx(latest) and timed.voice == ""
    # what a caption shows is the sound inside the clip: never outside its place, never empty
    assert [c for c, _, _ in heard] == clips
    for clip, start, end in heard:
        lo, hi = placed[clip.utterance.segment_index]
        assert lo - 1e-9 <= start < end <= hi + 1e-9


def test_levelling_changes_loudness_not_length(rendered: tuple[ClipCache, list[Utterance]]) -> None:
    cache, utterances = rendered
    work, segments, clips = chapter_of([(1, 0.3, False), (2, 0.8, False)], utterances)
    quiet = assemble.Loudness(target_rms_dbfs=-30.0, room_tone_dbfs=None)
    loud = assemble.Loudness(target_rms_dbfs=-20.0, room_tone_dbfs=None)
    out: dict[str, bytes] = {}
    for name, level in (("quiet", quiet), ("loud", loud)):
        chunks: list[bytes] = []
        assemble.assemble_chapter(work, segments, clips, cache, chunks.append, str, loudness=level)
        out[name] = b"".join(chunks)
    assert len(out["quiet"]) == len(out["loud"])
    ratio = audioop.rms(out["loud"], engine.SAMPLE_WIDTH) / audioop.rms(out["quiet"], engine.SAMPLE_WIDTH)
    assert 20 * math.log10(ratio) == pytest.approx(10.0, abs=0.5)  # the 10 dB asked for, pauses and all


def test_clip_level_puts_the_whole_file_on_target() -> None:
    loudness = assemble.Loudness()
    assert assemble.clip_level(loudness, 100, 100) == loudness.target_rms_dbfs
    assert assemble.clip_level(loudness, 50, 100) == pytest.approx(loudness.target_rms_dbfs + 3.01, abs=0.01)
    assert assemble.clip_level(loudness, 1, 100) == loudness.max_clip_rms_dbfs  # mostly pause: capped
    assert assemble.clip_level(loudness, 0, 0) == loudness.target_rms_dbfs


def test_an_unreadable_clip_is_reported_by_its_key(rendered: tuple[ClipCache, list[Utterance]],
                                                   tmp_path: Path) -> None:
    cache, utterances = rendered
    work, segments, clips = chapter_of([(0, 0.3, False), (3, 0.3, False)], utterances)
    broken = ClipCache(tmp_path / "clips")
    for clip in clips:
        broken.path(clip.key).parent.mkdir(parents=True, exist_ok=True)
        broken.path(clip.key).write_bytes(cache.path(clip.key).read_bytes())
    broken.path(clips[1].key).write_bytes(b"RIFF, but not really")
    with pytest.raises(assemble.CorruptClip) as bad:
        assemble.assemble_chapter(work, segments, clips, broken, lambda _: None, str)
    assert bad.value.key == clips[1].key
