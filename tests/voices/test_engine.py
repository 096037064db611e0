"""The speech engine behind its protocol: real eSpeak NG, real clip cache, real files."""

from __future__ import annotations

import array
import hashlib
import json
import math
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from pipeline.audio.synth import ClipCache, PlannedClip, clip_key, render_clips
from pipeline.errors import EngineError
from pipeline.model import Gender, Utterance, VoiceSettings
from pipeline.voices import engine
from pipeline.voices.engines.base import Mark, Rendering, SpeechEngine, VoiceInfo, marks_from_json, marks_to_json
from pipeline.voices.engines.catalog import ENGINES
from pipeline.voices.engines.espeak import EspeakEngine
from tests.conftest import ROOT

VOICE = VoiceSettings("gmw/en-us")


def words(text: str, rendering: Rendering, kind: str = "word") -> list[str]:
    return [text[m.offset:m.offset + m.length] for m in rendering.marks if m.kind == kind]


def test_espeak_is_a_speech_engine() -> None:
    eng = engine.engine()
    assert isinstance(eng, EspeakEngine) and isinstance(eng, SpeechEngine)
    assert eng.sample_rate(VOICE) == engine.SAMPLE_RATE == 22050 and eng.name == "espeak"
    assert engine.engine("espeak") is eng and ENGINES["espeak"] is EspeakEngine
    assert "gmw/en-us" in {v.id for v in eng.voices()}
    assert {"f3", "m3", "klatt"} <= {v.name for v in eng.variants()}
    assert eng.version() == engine.engine_version() and "pyttsx3=" in eng.version()


def test_render_gives_pcm_with_word_and_sentence_marks() -> None:
    text = "Good evening. The last train left an hour ago!"
    rendering = engine.engine().render(text, VOICE)
    samples = len(rendering.pcm) // 2
    assert samples / engine.SAMPLE_RATE > 2.0
    assert words(text, rendering) == ["Good", "evening", "The", "last", "train", "left", "an", "hour", "ago"]
    assert words(text, rendering, "sentence") == ["Good evening.", "The last train left an hour ago!"]
    starts = [m.sample for m in rendering.marks if m.kind == "word"]
    assert starts[0] == 0 and starts == sorted(set(starts)) and starts[-1] < samples
    # A sentence starts after the pause that ends the one before: the 10 ms before it are silent.
    second = [m for m in rendering.marks if m.kind == "sentence"][1]
    before = array.array("h", rendering.pcm)[second.sample - 220:second.sample]
    assert math.sqrt(sum(x * x for x in before) / len(before)) < 50


def test_marks_count_characters_not_bytes_and_cover_phonemes() -> None:
    text = "Café, Noël, là. Say [[h@l'oU]] there."
    rendering = engine.engine().render(text, VOICE)
    assert words(text, rendering) == ["Café", "Noël", "là", "Say", "[[h@l'oU]]", "there"]
    assert words(text, rendering, "sentence") == ["Café, Noël, là.", "Say [[h@l'oU]] there."]


def test_the_voice_settings_shape_the_sound() -> None:
    eng = engine.engine()
    plain = eng.render("The same words, said twice.", VOICE)
    again = eng.render("The same words, said twice.", VOICE)
    # eSpeak carries a little state from one call to the next: the same text comes out
    # within a few samples of the same length, not always bit for bit the same.
    assert abs(len(again.pcm) - len(plain.pcm)) < len(plain.pcm) / 100
    assert [(m.kind, m.offset, m.length) for m in again.marks] == [(m.kind, m.offset, m.length) for m in plain.marks]
    slow = eng.render("The same words, said twice.", VoiceSettings("gmw/en-us", rate=100))
    assert len(slow.pcm) > 1.5 * len(plain.pcm)
    assert slow.marks[-1].sample > 1.5 * plain.marks[-1].sample


def test_an_unknown_voice_is_an_error_not_a_fallback() -> None:
    with pytest.raises(EngineError, match="no voice 'gmw/xx-nowhere'"):
        engine.engine().render("Hello.", VoiceSettings("gmw/xx-nowhere"))


def test_marks_round_trip_through_json() -> None:
    marks = (Mark("sentence", 0, 0, 5), Mark("word", 10, 0, 5))
    assert marks_from_json(marks_to_json(marks)) == marks
    with pytest.raises(ValueError):
        marks_from_json('[{"kind": "word"}]')


def _clip(text: str) -> PlannedClip:
    utt = Utterance(segment_index=0, text=text, voice=VOICE, pause_before=0.0, kind="narration")
    return PlannedClip(utt, clip_key(text, VOICE), 0, len(text))


def test_the_clip_cache_keeps_each_clips_marks_beside_it(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "clips")
    clips = [_clip("First clip. Two sentences."), _clip("Second clip.")]
    assert render_clips(clips, cache) == 2
    for clip in clips:
        text = clip.utterance.text
        frames = len(engine.read_wav_pcm(cache.path(clip.key))) // 2
        marks = cache.marks(clip.key)
        assert marks is not None and (marks[0].kind, marks[0].sample, marks[0].offset) == ("sentence", 0, 0)
        assert text[:marks[0].length] in ("First clip.", "Second clip.")
        assert [text[m.offset:m.offset + m.length] for m in marks if m.kind == "word"] == text.replace(
            ".", "").split()
        assert 0 < marks[-1].sample < frames
    assert not [p for p in tmp_path.rglob(".*")], "temporaries left behind"


def test_a_clip_cached_before_marks_were_kept_stays_valid(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "clips")
    clip = _clip("An old clip.")
    render_clips([clip], cache)
    cache.marks_path(clip.key).unlink()
    assert cache.is_valid(clip.key) and cache.missing([clip]) == []
    assert cache.marks(clip.key) is None
    cache.marks_path(clip.key).write_text("not json", encoding="utf-8")
    assert cache.marks(clip.key) is None


def test_clip_keys_did_not_change() -> None:
    # Users' clip caches stay valid: a clip's key is the one earlier versions computed. It changed
    # once on purpose, when clips began to be rendered from a fresh eSpeak state ("state=fresh").
    version = ";".join(f"{d}={metadata.version(d)}" for d in ("pyttsx3", "espeakng-loader")) + ";state=fresh"
    payload = {"text": "Hello.", "voice": {"voice": "gmw/en-us", "variant": None, "rate": 175, "pitch": 50,
                                           "volume": 1.0}, "engine": version, "rate": 22050, "phonemes": True}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    assert clip_key("Hello.", VoiceSettings("gmw/en-us", None, 175, 50, 1.0)) == digest


def test_the_voice_list_is_kept_in_the_user_cache_folder(tmp_path: Path) -> None:
    """A process that has not started eSpeak asks a child once, then reads the cached list."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("from pipeline.voices import engine; v = engine.voice_catalog(); "
            "print(len(v), engine.loaded())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout.split()
    assert int(out[0]) > 50 and out[1] == "False"
    cached = list((tmp_path / "audiobook").glob("voices-*.json"))
    assert len(cached) == 1
    ids = [v["id"] for v in json.loads(cached[0].read_text(encoding="utf-8"))]
    assert ids == sorted(v.id for v in engine.engine().voices())


def test_voices_and_variants_say_their_gender_as_the_enum() -> None:
    voices = engine.voice_catalog()
    assert {v.gender for v in voices} <= set(Gender) and any(v.gender is Gender.male for v in voices)
    variants = {v.name: v.gender for v in engine.variant_catalog()}
    assert variants["f3"] is Gender.female and variants["m3"] is Gender.male
    # the voice list cached by an earlier version holds eSpeak's own spelling
    cached = {"id": "gmw/en-us", "name": "English (America)", "language": "en-us", "gender": "Male"}
    assert VoiceInfo.from_json(cached).gender is Gender.male
    assert VoiceInfo.from_json({**cached, "gender": None}).gender is Gender.unknown
