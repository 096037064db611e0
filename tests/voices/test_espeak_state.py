"""Every eSpeak clip starts from the same state: the same text and voice give the same samples,
whatever the process rendered before and whichever process renders it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from pipeline.model import VoiceSettings
from pipeline.voices import engine
from pipeline.voices.engines.espeak import fresh_clips, library_path
from pipeline.voices.espeak_state import read_layout
from tests.conftest import ROOT

TEXT = "It was 1,234 times the best of times; Café au lait? [[h@'loU]] \"No,\" she said."
VOICES = (
    VoiceSettings("gmw/en-us"),
    VoiceSettings("gmw/en", "f3", 160, 60),  # f3 breathes: eSpeak's random numbers, seeded from the clock
    VoiceSettings("gmw/en-us", "klatt", 190, 40),
    VoiceSettings("roa/fr", "m2", 120, 70, 0.8),
)
BEFORE = (  # what a process may have said before: other voices, languages, lengths, numbers
    ("Hello there, said the old man, with a sigh.", VoiceSettings("gmw/en", "m3", 200, 30)),
    ("Bonjour, monsieur Dupont. Quarante-deux!", VoiceSettings("roa/fr")),
    ("The quick brown fox jumps over the lazy dog. " * 6, VoiceSettings("gmw/en", "whisper", 140, 50, 0.5)),
    ("Wie geht's? 17.", VoiceSettings("gmw/de", "klatt3", 450, 10)),
)

# Run in a fresh process: the digests of TEXT in every voice, after saying BEFORE[:n].
_CHILD = """
import hashlib, json, sys
from pipeline.model import VoiceSettings
from pipeline.voices import engine
before, voices, text, n = json.loads(sys.stdin.read())
eng = engine.engine()
for t, v in before[:n]:
    eng.render(t, VoiceSettings(**v))
r = [eng.render(text, VoiceSettings(**v)) for v in voices]
print(json.dumps([hashlib.sha256(x.pcm).hexdigest() + repr(x.marks) for x in r]))
"""


def digest(voice: VoiceSettings) -> str:
    r = engine.engine().render(TEXT, voice)
    return hashlib.sha256(r.pcm).hexdigest() + repr(r.marks)


def test_the_wheels_library_has_what_the_reset_needs() -> None:
    library = library_path()
    assert library is not None and read_layout(library) is not None
    assert fresh_clips() and engine.engine_version().endswith(";state=fresh")


def test_the_same_text_gives_the_same_samples_whatever_came_before() -> None:
    first = [digest(v) for v in VOICES]
    for text, voice in BEFORE:
        engine.engine().render(text, voice)
        assert [digest(v) for v in reversed(VOICES)] == first[::-1]
    engine.engine().voices()  # listing the voices rebuilds eSpeak's voice list on the heap
    assert [digest(v) for v in VOICES] == first


def test_another_process_renders_the_same_samples() -> None:
    here = [digest(v) for v in VOICES]
    before, voices = [(t, v.__dict__) for t, v in BEFORE], [v.__dict__ for v in VOICES]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for n in (0, len(BEFORE)):  # a process that said nothing before, one that said a lot
        data = json.dumps([before, voices, TEXT, n])
        out = subprocess.run([sys.executable, "-c", _CHILD], input=data, capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True).stdout
        assert json.loads(out) == here, f"after {n} other clips"


def test_without_the_reset_clips_are_keyed_apart() -> None:
    code = "from pipeline.voices import engine; print(engine.engine_version())"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUDIOBOOK_ESPEAK_RESET": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().endswith(";state=carried") and out.strip() != engine.engine_version()
