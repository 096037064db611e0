"""The speech engines of this process, and what the pipeline keeps about them.

Each voice names its engine (``VoiceSettings.engine``); the engines themselves are behind
``engines.base.SpeechEngine`` and registered in ``engines.catalog.ENGINES``. This module
creates each engine once per process, keeps eSpeak's voice list in the user's cache folder
(so a build can check voices.yaml without starting eSpeak), and reads back the clips the
engines render, at the rate every work is assembled at.
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
from pipeline.model import DEFAULT_ENGINE, VoiceSettings
from pipeline.voices.engines.base import SAMPLE_WIDTH, SpeechEngine, VariantInfo, VoiceInfo
from pipeline.voices.engines.catalog import ENGINES
from pipeline.voices.engines.espeak import EspeakEngine

__all__ = [
    "SAMPLE_RATE", "SAMPLE_WIDTH", "VariantInfo", "VoiceInfo", "clip_identity", "engine", "engine_version",
    "fingerprint", "loaded", "read_wav_pcm", "to_work_rate", "variant_catalog", "voice_catalog", "work_frames",
    "write_wav",
]

#: The rate every work is assembled at (eSpeak's, and that of Piper's medium and high voices):
#: a clip rendered at another rate is converted when it is read.
SAMPLE_RATE = 22050


_engines: dict[str, SpeechEngine] = {}


def engine(name: str = DEFAULT_ENGINE) -> SpeechEngine:
    """This process's engine of that name, created on first use (it starts on its first render)."""
    if name not in _engines:
        if name not in ENGINES:
            raise EngineError(f"no speech engine {name!r}; engines: {', '.join(ENGINES)}")
        _engines[name] = EspeakEngine.shared() if ENGINES[name] is EspeakEngine else ENGINES[name]()
    return _engines[name]


def loaded() -> bool:
    """True once this process has started an engine (eSpeak runs a thread of its own, ONNX Runtime
    a pool of them, so a process that has started one must not fork workers)."""
    return any(e.started() for e in _engines.values())


def engine_version(name: str = DEFAULT_ENGINE) -> str:
    """Identifies the engine's build."""
    return engine(name).version()


def fingerprint() -> str:
    """Every engine's build and voice models: what a render worker must share with the build."""
    return " ".join(f"{name}:{engine(name).version()}" for name in ENGINES)


def batch_chars(name: str) -> int:
    """How much text of the engine ``name`` a render worker is given at once (see SpeechEngine)."""
    return ENGINES[name].batch_chars if name in ENGINES else 1


def clip_identity(voice: VoiceSettings) -> dict[str, object]:
    """What, besides its text, shapes a clip spoken by ``voice`` (the engine's build, the voice's
    model, every setting): the clip cache key is made of it."""
    return engine(voice.engine).key(voice)


@functools.cache
def variant_catalog(name: str = DEFAULT_ENGINE) -> tuple[VariantInfo, ...]:
    """Every variant the engine can apply to a voice."""
    return tuple(engine(name).variants())


@functools.cache
def voice_catalog(name: str = DEFAULT_ENGINE) -> tuple[VoiceInfo, ...]:
    """Every voice the engine offers, sorted by id.

    Asking eSpeak means starting it. A build only needs the list to check voices.yaml,
    so it is asked once in a child process and kept in the user's cache folder (keyed by
    the engine's version): the build process itself stays free of eSpeak, a no-op rebuild
    never starts it, and render workers can be forked cheaply. Other engines list their
    voices from files, without starting.
    """
    if name != DEFAULT_ENGINE or loaded():
        return tuple(sorted(engine(name).voices(), key=lambda v: v.id))
    path = _catalog_path()
    try:
        return tuple(VoiceInfo.from_json(v) for v in json.loads(path.read_text(encoding="utf-8")))
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
    return tuple(VoiceInfo.from_json(v) for v in voices)


def _catalog_path() -> Path:
    eng = engine(DEFAULT_ENGINE)
    key = hashlib.sha256(f"{type(eng).__name__}|{eng.version()}".encode()).hexdigest()[:16]
    # ~/.cache/audiobook on Linux (honouring XDG_CACHE_HOME), the platform's own elsewhere.
    return platformdirs.user_cache_path("audiobook", appauthor=False) / f"voices-{key}.json"


def _package_root() -> str:
    root = str(Path(__file__).resolve().parent.parent.parent)
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root


def _print_catalog() -> None:
    """Child-process side of ``voice_catalog``."""
    voices = sorted(engine(DEFAULT_ENGINE).voices(), key=lambda v: v.id)
    sys.stdout.write(json.dumps([dataclasses.asdict(v) for v in voices]))


def read_wav_pcm(path: Path) -> bytes:
    """The PCM frames of a clip WAV at SAMPLE_RATE (converted from the clip's own rate);
    raises ValueError if it is truncated or not ours."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"{path}: unexpected WAV format")
        n, rate = w.getnframes(), w.getframerate()
        data = w.readframes(n)
    if len(data) != n * SAMPLE_WIDTH:
        raise ValueError(f"{path}: truncated WAV ({len(data)} of {n * SAMPLE_WIDTH} bytes)")
    return to_work_rate(data, rate)


def work_frames(frames: int, rate: int) -> int:
    """How many samples ``frames`` samples at ``rate`` become at SAMPLE_RATE."""
    return frames if rate == SAMPLE_RATE else frames * SAMPLE_RATE // rate


def to_work_rate(pcm: bytes, rate: int) -> bytes:
    """16-bit mono PCM at ``rate`` brought to SAMPLE_RATE (band-limited: a Piper voice of
    16 kHz has nothing above 8 kHz to alias), exactly ``work_frames`` samples long."""
    if rate == SAMPLE_RATE or not pcm:
        return pcm
    import numpy as np  # on first use: render workers fork before it is needed

    src = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    n = work_frames(len(src), rate)
    at = np.arange(n, dtype=np.float64) * (rate / SAMPLE_RATE)
    out = np.interp(at, np.arange(len(src), dtype=np.float64), src)
    return np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes()


def write_wav(path: Path, pcm: bytes, rate: int = SAMPLE_RATE) -> None:
    """Write clip PCM at ``rate`` as a WAV at ``path`` (callers write to a temporary name and rename)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(rate)
        w.writeframes(pcm)
