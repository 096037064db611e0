"""Which speech engine this process uses, and what the pipeline keeps about it.

The engine itself is behind ``speech.SpeechEngine``; eSpeak NG (``espeak.py``) is the
only one today, and ``engine()`` is where another would be chosen. This module also
keeps the engine's voice list in the user's cache folder, so that a build can check
voices.yaml without starting the engine, and reads back the clips engines render.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import platformdirs

from pipeline.errors import EngineError
from pipeline.voices.espeak import EspeakEngine
from pipeline.voices.speech import SAMPLE_WIDTH, SpeechEngine, VariantInfo, VoiceInfo

__all__ = [
    "SAMPLE_RATE", "SAMPLE_WIDTH", "VariantInfo", "VoiceInfo", "engine", "engine_version", "loaded",
    "read_wav_pcm", "variant_catalog", "voice_catalog", "write_wav",
]

#: The rate of every clip: the chosen engine's own, known without starting it.
SAMPLE_RATE = EspeakEngine.sample_rate


@functools.cache
def engine() -> SpeechEngine:
    """This process's engine, created on first use (it starts on its first render)."""
    return EspeakEngine()


def loaded() -> bool:
    """True once this process has started the engine (eSpeak runs a thread of its own, so a
    process that has started it must not fork workers)."""
    return engine.cache_info().currsize > 0 and engine().started()


def engine_version() -> str:
    """Identifies the engine build; part of every clip's cache key."""
    return engine().version()


@functools.cache
def variant_catalog() -> tuple[VariantInfo, ...]:
    """Every variant the engine can apply to a voice."""
    return tuple(engine().variants())


@functools.cache
def voice_catalog() -> tuple[VoiceInfo, ...]:
    """Every voice the engine offers, sorted by id.

    Asking means starting the engine. A build only needs the list to check voices.yaml,
    so it is asked once in a child process and kept in the user's cache folder (keyed by
    the engine's version): the build process itself stays free of eSpeak, a no-op rebuild
    never starts it, and render workers can be forked cheaply.
    """
    if loaded():
        return tuple(sorted(engine().voices(), key=lambda v: v.id))
    path = _catalog_path()
    try:
        return tuple(VoiceInfo(**v) for v in json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    result = subprocess.run(
        [sys.executable, "-c", "from pipeline.voices.engine import _print_catalog; _print_catalog()"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": _package_root()},
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise EngineError(f"cannot start the eSpeak NG speech engine ({last}); reinstall with `make audiobook`")
    voices = json.loads(result.stdout)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(voices), encoding="utf-8")
        os.replace(tmp, path)
    return tuple(VoiceInfo(**v) for v in voices)


def _catalog_path() -> Path:
    eng = engine()
    key = hashlib.sha256(f"{type(eng).__name__}|{eng.version()}".encode()).hexdigest()[:16]
    # ~/.cache/audiobook on Linux (honouring XDG_CACHE_HOME), the platform's own elsewhere.
    return platformdirs.user_cache_path("audiobook", appauthor=False) / f"voices-{key}.json"


def _package_root() -> str:
    root = str(Path(__file__).resolve().parent.parent.parent)
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root


def _print_catalog() -> None:
    """Child-process side of ``voice_catalog``."""
    voices = sorted(engine().voices(), key=lambda v: v.id)
    sys.stdout.write(json.dumps([dataclasses.asdict(v) for v in voices]))


def read_wav_pcm(path: Path) -> bytes:
    """The PCM frames of a clip WAV; raises ValueError if it is truncated or not ours."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != SAMPLE_WIDTH or w.getframerate() != SAMPLE_RATE:
            raise ValueError(f"{path}: unexpected WAV format")
        n = w.getnframes()
        data = w.readframes(n)
    if len(data) != n * SAMPLE_WIDTH:
        raise ValueError(f"{path}: truncated WAV ({len(data)} of {n * SAMPLE_WIDTH} bytes)")
    return data


def write_wav(path: Path, pcm: bytes) -> None:
    """Write clip PCM as a WAV at ``path`` (callers write to a temporary name and rename)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
