"""The speech engine: pyttsx3 driving eSpeak NG, loaded from pip wheels only.

pyttsx3 looks for ``libespeak-ng.so.1`` by name. We load the library shipped in the
``espeakng-loader`` wheel first (its SONAME is ``libespeak-ng.so.1``, so the later
lookup by name finds it already in the process) and point eSpeak at the wheel's data
with ``ESPEAK_DATA_PATH``. A system eSpeak NG is used instead when the wheel is absent.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import functools
import hashlib
import json
import os
import subprocess
import sys
import wave
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.errors import EngineError
from pipeline.model import VoiceSettings

#: eSpeak NG renders 16-bit mono PCM at this rate.
SAMPLE_RATE = 22050
SAMPLE_WIDTH = 2


@dataclass(frozen=True)
class VoiceInfo:
    """A voice pyttsx3 reports."""

    id: str  # e.g. "gmw/en-us"
    name: str  # e.g. "English (America)"
    language: str  # e.g. "en-us"
    gender: str | None  # "Male", "Female" or None


@dataclass(frozen=True)
class VariantInfo:
    """An eSpeak NG voice variant (``+f3``, ``+klatt``, ``+Annie``, ...)."""

    name: str
    gender: str | None  # "male", "female" or None when the variant file does not say


@functools.cache
def data_path() -> Path | None:
    """Where eSpeak NG's data lives (the wheel's copy), or None to use the system's."""
    try:
        import espeakng_loader
    except ImportError:
        return None
    return Path(espeakng_loader.get_data_path())


@functools.cache
def _load_library() -> None:
    path = data_path()
    if path is not None:
        import espeakng_loader

        os.environ.setdefault("ESPEAK_DATA_PATH", str(path))
        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)


class Engine:
    """One pyttsx3 eSpeak engine. eSpeak keeps global state: use one per process.

    Voices come from pyttsx3's engine. For rendering we call eSpeak through pyttsx3's
    own ctypes binding with a callback of ours: pyttsx3's run loop sleeps 10 ms per
    utterance, prints a line per saved file and grows its audio buffer quadratically,
    none of which a long book can afford.
    """

    def __init__(self) -> None:
        global _loaded
        _load_library()
        _loaded = True
        try:
            import pyttsx3
            from pyttsx3.drivers import _espeak

            self._tts: Any = pyttsx3.init("espeak")  # initialises eSpeak in retrieval mode
        except Exception as exc:  # pyttsx3 raises RuntimeError or OSError variants
            raise EngineError(
                f"cannot start the eSpeak NG speech engine ({exc}); reinstall with `make audiobook`"
            ) from exc
        self._espeak: Any = _espeak
        self._chunks: list[bytes] = []
        _espeak.SetSynthCallback(self._on_synth)
        # pyttsx3's driver cleans up in __del__, which fails if it runs during interpreter
        # teardown (modules already gone): release it while the interpreter is whole.
        atexit.register(self._close)

    def _close(self) -> None:
        self._tts = None

    def _on_synth(self, wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * SAMPLE_WIDTH))
        return 0  # continue

    def render_pcm(self, text: str, voice: VoiceSettings) -> bytes:
        """Synthesise ``text`` with ``voice``: 16-bit mono PCM at SAMPLE_RATE."""
        es = self._espeak
        if es.SetVoiceByName(voice.espeak_name.encode("utf-8")) != 0:
            raise EngineError(f"eSpeak NG has no voice {voice.espeak_name!r}; run `audiobook voices`")
        es.SetParameter(es.RATE, int(voice.rate), 0)
        es.SetParameter(es.PITCH, int(voice.pitch), 0)
        es.SetParameter(es.VOLUME, round(voice.volume * 100), 0)
        self._chunks = []
        # PHONEMES: the lexicon may give eSpeak phonemes as [[...]] inside the text.
        es.Synth(text.encode("utf-8"), flags=es.ENDPAUSE | es.CHARS_UTF8 | es.PHONEMES)
        es.Synchronize()
        pcm = b"".join(self._chunks)
        self._chunks = []
        return pcm

    def render_to_file(self, text: str, voice: VoiceSettings, path: Path) -> None:
        """Synthesise ``text`` with ``voice`` into a WAV file at ``path``."""
        pcm = self.render_pcm(text, voice)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(SAMPLE_WIDTH)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(pcm)

    def voices(self) -> list[VoiceInfo]:
        out = []
        for v in self._tts.getProperty("voices"):
            langs = list(v.languages or [])
            lang = langs[0] if langs else ""
            if isinstance(lang, bytes):
                lang = lang.decode("utf-8", "replace")
            out.append(VoiceInfo(id=v.id, name=v.name, language=str(lang), gender=v.gender))
        return out


@functools.cache
def engine() -> Engine:
    """This process's engine, created on first use."""
    return Engine()


_loaded = False


def loaded() -> bool:
    """True once this process has started eSpeak (which runs a thread of its own, so a
    process that has started it must not fork workers)."""
    return _loaded


@functools.cache
def voice_catalog() -> tuple[VoiceInfo, ...]:
    """Every voice pyttsx3 reports, sorted by id.

    Asking pyttsx3 means starting eSpeak. A build only needs the list to check
    voices.yaml, so it is asked once in a child process and kept in the user's cache
    folder (keyed by the engine's version): the build process itself stays free of
    eSpeak, a no-op rebuild never starts it, and render workers can be forked cheaply.
    """
    if _loaded:
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
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(f"{engine_version()}|{data_path()}".encode()).hexdigest()[:16]
    return base / "audiobook" / f"voices-{key}.json"


def _package_root() -> str:
    root = str(Path(__file__).resolve().parent.parent)
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root


def _print_catalog() -> None:
    """Child-process side of ``voice_catalog``."""
    voices = sorted(engine().voices(), key=lambda v: v.id)
    sys.stdout.write(json.dumps([dataclasses.asdict(v) for v in voices]))


@functools.cache
def variant_catalog() -> tuple[VariantInfo, ...]:
    """Every eSpeak NG voice variant available, read from the data folder's ``voices/!v``."""
    base = data_path()
    candidates = [base] if base else []
    candidates += [Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data"), Path("/usr/share/espeak-ng-data")]
    for root in candidates:
        folder = root / "voices" / "!v"
        if folder.is_dir():
            out = []
            for f in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
                gender = None
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
                        parts = line.split()
                        if len(parts) >= 2 and parts[0] == "gender":
                            gender = parts[1].lower()
                            break
                out.append(VariantInfo(name=f.name, gender=gender))
            return tuple(out)
    return ()


@functools.cache
def engine_version() -> str:
    """Identifies the engine build; part of every clip's cache key."""
    versions = []
    for dist in ("pyttsx3", "espeakng-loader"):
        try:
            versions.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}=none")
    return ";".join(versions)


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
