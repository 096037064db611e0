"""eSpeak NG through pyttsx3, loaded from pip wheels only: the SpeechEngine of today.

pyttsx3 looks for ``libespeak-ng.so.1`` by name. We load the library shipped in the
``espeakng-loader`` wheel first (its SONAME is ``libespeak-ng.so.1``, so the later
lookup by name finds it already in the process) and point eSpeak at the wheel's data
with ``ESPEAK_DATA_PATH``. A system eSpeak NG is used instead when the wheel is absent.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import os
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.errors import EngineError
from pipeline.model import Gender, VoiceSettings
from pipeline.voices.engines.base import SAMPLE_WIDTH, Mark, Rendering, VariantInfo, VoiceInfo
from pipeline.voices.espeak_state import State, enabled, read_layout

#: eSpeak NG renders 16-bit mono PCM at this rate.
SAMPLE_RATE = 22050

#: Where a system eSpeak NG keeps its data, when the wheel's copy is absent.
_SYSTEM_DATA = (Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data"), Path("/usr/share/espeak-ng-data"))

#: espeak_ng_OUTPUT_MODE (espeak-ng.h): the callback gets every sample before Synth returns.
_SYNCHRONOUS = 0x0001
_BUFFER_MS = 1000  # what pyttsx3 initialises eSpeak with

# espeak_EVENT types (speak_lib.h) that we keep, and the one that ends an event list.
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_SENTENCE = 2

#: espeak_SetPhonemeTrace's mode (speak_lib.h): the phonemes read, in IPA.
_PHONEMES_IPA = 0x02

_PHONEME_BLOCK = re.compile(r"\[\[.*?\]\]", re.DOTALL)

_started = False


@functools.cache
def data_path() -> Path | None:
    """Where eSpeak NG's data lives (the wheel's copy), or None to use the system's."""
    try:
        import espeakng_loader
    except ImportError:
        return None
    return Path(espeakng_loader.get_data_path())


@functools.cache
def library_path() -> Path | None:
    """The wheel's libespeak-ng, or None to use the system's."""
    if data_path() is None:
        return None
    import espeakng_loader

    return Path(espeakng_loader.get_library_path())


@functools.cache
def _load_library() -> ctypes.CDLL | None:
    path = data_path()
    library = library_path()
    if path is None or library is None:
        return None
    os.environ.setdefault("ESPEAK_DATA_PATH", str(path))
    # Loaded local: pyttsx3 finds it by its SONAME all the same, and its symbols must not
    # override those of the eSpeak that piper-tts links into its own module (Piper then
    # segfaulted in any process that had started eSpeak first).
    return ctypes.CDLL(str(library), mode=ctypes.RTLD_LOCAL)


@functools.cache
def fresh_clips() -> bool:
    """True when every clip is rendered from the same eSpeak state (see espeak_state.py)."""
    library = library_path()
    return library is not None and enabled() and read_layout(library) is not None


class EspeakEngine:
    """eSpeak NG. It keeps global state: use one per process (``engine.engine()``).

    Nothing starts until the first ``render`` or ``voices``: listing variants reads the
    data folder only, so a process that never speaks stays free of eSpeak's thread.

    Voices come from pyttsx3's public API (``getProperty("voices")``). Rendering does not:
    # Why pyttsx3's private binding (the one place we use it): its public API (save_to_file,
    # runAndWait, "started-word" callbacks) took 0.70 s for 60 short clips against 0.23 s here
    # (3x; it sleeps 10 ms an utterance and writes a file each), and gives words no audio position.
    So we call eSpeak through pyttsx3's own ctypes binding with a synth callback of ours,
    which keeps the samples and eSpeak's word and sentence events with their positions.
    """

    name = "espeak"
    title = "eSpeak NG"  # how credits name it
    knobs: tuple[str, ...] = ("voice", "variant", "rate", "pitch", "volume")  # what voices.yaml may set for it
    batch_chars = 20_000  # well over 1,000x real time: batches are bounded by their count of clips

    _process: EspeakEngine | None = None  # see shared()

    @classmethod
    def shared(cls) -> EspeakEngine:
        """This process's eSpeak engine. eSpeak NG is one library with one state per process: the
        engine registry and Piper (which has eSpeak read the lexicon's phonemes) drive it through one."""
        if cls._process is None:
            cls._process = cls()
        return cls._process

    def __init__(self) -> None:
        self._tts: Any = None
        self._espeak: Any = None
        self._chunks: list[bytes] = []
        self._events: list[tuple[int, int, int, int]] = []  # (type, sample, text position, length)
        self._synchronous = False  # see _synchronous()
        self._state = State()  # eSpeak as it was right after starting: each clip starts from it

    def _start(self) -> Any:
        """pyttsx3's binding of eSpeak, initialised on first use."""
        global _started
        if self._espeak is not None:
            return self._espeak
        dll = _load_library()
        _started = True
        try:
            import pyttsx3
            from pyttsx3.drivers import _espeak

            self._tts = pyttsx3.init("espeak")  # initialises eSpeak in retrieval mode
        except Exception as exc:  # pyttsx3 raises RuntimeError or OSError variants
            raise EngineError(
                f"cannot start the eSpeak NG speech engine ({exc}); reinstall with `make audiobook`"
            ) from exc
        _espeak.SetSynthCallback(self._on_synth)
        # pyttsx3's start queued its own settings (its rate of 200 among them) for eSpeak's
        # thread: let that thread apply them now, or it may do so in the middle of the first
        # clip after the switch, which then comes out at the wrong rate (seen under load).
        _espeak.Synchronize()
        self._synchronous = _synchronous(_espeak.dll)
        if self._synchronous and dll is not None and fresh_clips():
            self._state.capture(dll, library_path())
        self._espeak = _espeak
        # pyttsx3's driver cleans up in __del__, which fails if it runs during interpreter
        # teardown (modules already gone): release it while the interpreter is whole.
        atexit.register(self._close)
        return _espeak

    def _close(self) -> None:
        self._tts = None

    def started(self) -> bool:
        return _started

    def _on_synth(self, wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * SAMPLE_WIDTH))
        i = 0
        while (event := events[i]).type != _EVENT_LIST_TERMINATED:
            if event.type in (_EVENT_WORD, _EVENT_SENTENCE):
                # ``sample`` counts from the start of this Synth call (``audio_position`` is
                # the same in whole milliseconds); ``text_position`` is 1-based, in characters.
                self._events.append((event.type, event.sample, event.text_position, event.length))
            i += 1
        return 0  # continue

    def sample_rate(self, voice: VoiceSettings) -> int:
        return SAMPLE_RATE

    def key(self, voice: VoiceSettings) -> dict[str, Any]:
        # The form clip keys have always had: users' cached clips stay valid.
        knobs = {"voice": voice.voice, "variant": voice.variant, "rate": voice.rate, "pitch": voice.pitch,
                 "volume": voice.volume}
        return {"voice": knobs, "engine": engine_version(), "rate": SAMPLE_RATE, "phonemes": True}

    def render(self, text: str, voice: VoiceSettings) -> Rendering:
        """Synthesise ``text`` with ``voice``: 16-bit mono PCM at SAMPLE_RATE, and its marks."""
        es = self._start()
        self._state.fresh_state()  # before the voice: setting it builds a new translator
        name = espeak_name(voice)
        if es.SetVoiceByName(name.encode("utf-8")) != 0:
            raise EngineError(f"eSpeak NG has no voice {name!r}; run `audiobook voices`")
        es.SetParameter(es.RATE, int(voice.rate), 0)
        es.SetParameter(es.PITCH, int(voice.pitch), 0)
        es.SetParameter(es.VOLUME, round(voice.volume * 100), 0)
        self._chunks, self._events = [], []
        # PHONEMES: the lexicon may give eSpeak phonemes as [[...]] inside the text.
        es.Synth(text.encode("utf-8"), flags=es.ENDPAUSE | es.CHARS_UTF8 | es.PHONEMES)
        if not self._synchronous:
            es.Synchronize()
        pcm = b"".join(self._chunks)
        events, self._chunks, self._events = self._events, [], []
        return Rendering(pcm, _marks(events, text, len(pcm) // SAMPLE_WIDTH))

    def ipa(self, phonemes: str, voice_name: str) -> str:
        """eSpeak phonemes in its own ASCII names (the lexicon's ``[[ste'fan]]``, brackets and all)
        in IPA, as eSpeak reads them with the voice ``voice_name``: what Piper, whose own eSpeak
        turns text into IPA, takes as raw phonemes. eSpeak says what it reads into a stream
        (``espeak_SetPhonemeTrace``) while it synthesises, in a few milliseconds a word."""
        es = self._start()
        self._state.fresh_state()
        if es.SetVoiceByName(voice_name.encode("utf-8")) != 0:
            raise EngineError(f"eSpeak NG has no voice {voice_name!r} to read the lexicon's phonemes with")
        libc = ctypes.CDLL(None)
        libc.open_memstream.restype = ctypes.c_void_p
        libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.free.argtypes = [ctypes.c_void_p]
        trace = es.dll.espeak_SetPhonemeTrace
        trace.argtypes = [ctypes.c_int, ctypes.c_void_p]
        buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
        stream = libc.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
        if not stream:
            raise EngineError("cannot read eSpeak NG's phonemes (no memory stream)")
        try:
            trace(_PHONEMES_IPA, stream)
            es.Synth(phonemes.encode("utf-8"), flags=es.CHARS_UTF8 | es.PHONEMES)
            if not self._synchronous:
                es.Synchronize()
        finally:
            trace(0, None)
            libc.fclose(stream)
            self._chunks, self._events = [], []
        said = ctypes.string_at(buffer, size.value).decode("utf-8", "replace")
        libc.free(ctypes.cast(buffer, ctypes.c_void_p))
        return " ".join(said.split())

    def voices(self) -> list[VoiceInfo]:
        self._start()
        out = []
        for v in self._tts.getProperty("voices"):
            langs = list(v.languages or [])
            lang = langs[0] if langs else ""
            if isinstance(lang, bytes):
                lang = lang.decode("utf-8", "replace")
            out.append(VoiceInfo(id=v.id, name=v.name, language=str(lang), gender=Gender.of(v.gender)))
        return out

    def variants(self) -> list[VariantInfo]:
        return list(variant_catalog())

    def version(self) -> str:
        return engine_version()


def espeak_name(voice: VoiceSettings) -> str:
    """The name eSpeak NG's SetVoiceByName understands: id plus ``+variant``."""
    return f"{voice.voice}+{voice.variant}" if voice.variant else voice.voice


def _synchronous(dll: Any) -> bool:
    """Switch eSpeak, which pyttsx3 starts in its asynchronous retrieval mode, to synchronous
    output: True when it took. Asynchronously, eSpeak synthesises in a thread of its own and
    Synchronize() polls it every 20 ms: a clip waited 14 ms on average for 5 ms of work (581
    clips in one process: 11.1 s, now 2.9 s), and a single-threaded renderer (a Dask worker)
    sat idle for three quarters of its rendering. Rendered in the same order, every clip has
    the lengths and marks of the asynchronous mode."""
    switch = getattr(dll, "espeak_ng_InitializeOutput", None)  # eSpeak NG only, not the old eSpeak
    return switch is not None and switch(_SYNCHRONOUS, _BUFFER_MS, None) == 0


def _marks(events: list[tuple[int, int, int, int]], text: str, samples: int) -> tuple[Mark, ...]:
    """eSpeak's events as marks. eSpeak gives a sentence no length: it runs to the next
    sentence (or the end of the text), without the spaces before it. In ``[[phonemes]]``
    eSpeak points inside the brackets: a mark there covers the whole bracketed word."""
    blocks = [(m.start(), m.end()) for m in _PHONEME_BLOCK.finditer(text)] if "[[" in text else []
    starts: list[tuple[int, int]] = []  # (offset, length) as eSpeak gives them, snapped to blocks
    for _, _, pos, length in events:
        offset = min(max(pos - 1, 0), len(text))
        for a, b in blocks:
            if a < offset < b:
                offset, length = a, b - a
                break
        starts.append((offset, min(length, len(text) - offset)))
    sentence_starts = [starts[i][0] for i, event in enumerate(events) if event[0] == _EVENT_SENTENCE]
    ends = iter([*sentence_starts[1:], len(text)])
    marks = []
    for (kind, sample, _, _), (offset, length) in zip(events, starts, strict=True):
        sample = min(max(sample, 0), samples)
        if kind == _EVENT_SENTENCE:
            end = max(offset, next(ends))
            marks.append(Mark("sentence", sample, offset, len(text[offset:end].rstrip())))
        else:
            marks.append(Mark("word", sample, offset, length))
    return tuple(marks)


@functools.cache
def variant_catalog() -> tuple[VariantInfo, ...]:
    """Every eSpeak NG voice variant available, read from the data folder's ``voices/!v``."""
    base = data_path()
    for root in ([base] if base else []) + list(_SYSTEM_DATA):
        folder = root / "voices" / "!v"
        if folder.is_dir():
            return tuple(
                VariantInfo(name=f.name, gender=_variant_gender(f))
                for f in sorted(folder.iterdir(), key=lambda p: p.name.lower())
            )
    return ()


def _variant_gender(path: Path) -> Gender:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "gender":
                return Gender.of(parts[1])
    return Gender.unknown


@functools.cache
def engine_version() -> str:
    """Identifies the engine build; part of every clip's cache key (keep its form: a
    change re-renders every user's clips)."""
    versions = []
    for dist in ("pyttsx3", "espeakng-loader"):
        try:
            versions.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}=none")
    # Clips rendered from a fresh state and clips that carry the state of earlier ones differ.
    versions.append("state=fresh" if fresh_clips() else "state=carried")
    return ";".join(versions)
