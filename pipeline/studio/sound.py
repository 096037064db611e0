"""A line's sound: its clips from the build's clip cache, or rendered on demand.

Rendering runs on one worker thread that owns this process's speech engines (eSpeak is called
through ctypes and Piper through ONNX Runtime, both letting go of the interpreter while they
speak), so the server's event loop never waits on them. A clip rendered here is stored in the
cache under the key a build uses, so the next build does not render it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.audio.synth import ClipCache, PlannedClip, apply_lexicon
from pipeline.errors import AudiobookError
from pipeline.layout import BuildLayout
from pipeline.model import VoiceSettings
from pipeline.voices import engine

#: The silence before a line that is heard on its own: enough to hear where it starts.
LEAD = 0.05


def wav_bytes(pcm: bytes) -> bytes:
    """16-bit mono PCM at the engine's rate, as a WAV file in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(engine.SAMPLE_WIDTH)
        w.setframerate(engine.SAMPLE_RATE)
        w.writeframes(pcm)
    return buf.getvalue()


def _silence(seconds: float) -> bytes:
    return b"\0" * (round(seconds * engine.SAMPLE_RATE) * engine.SAMPLE_WIDTH)


class Voicebox:
    """Renders and fetches clips for the studio; one engine thread."""

    def __init__(self, build_dir: Path) -> None:
        self.cache = ClipCache(BuildLayout(build_dir).clips)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="studio-engine")
        self.rendered = 0  # clips rendered on demand, for the tests and the log

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def line(self, clips: Sequence[PlannedClip]) -> bytes:
        """The WAV of a line: its clips in order, with the pauses a build puts between them."""
        parts = [_silence(LEAD)]
        for n, clip in enumerate(clips):
            if n:
                parts.append(_silence(clip.utterance.pause_before))
            parts.append(await self._clip(clip))
        return wav_bytes(b"".join(parts))

    async def say(self, texts: Sequence[str], voice: VoiceSettings, lexicon: dict[str, str]) -> bytes:
        """A preview: ``texts`` in ``voice`` with ``lexicon``, half a second apart; not cached."""
        loop = asyncio.get_running_loop()
        pcm = [await loop.run_in_executor(self._thread, self._render, apply_lexicon(t, lexicon), voice)
               for t in texts]
        return wav_bytes(_silence(LEAD) + _silence(0.5).join(pcm))

    async def _clip(self, clip: PlannedClip) -> bytes:
        loop = asyncio.get_running_loop()
        path = self.cache.path(clip.key)
        if await loop.run_in_executor(None, self.cache.is_valid, clip.key):
            with contextlib.suppress(OSError, ValueError):
                return await loop.run_in_executor(None, engine.read_wav_pcm, path)
        return await loop.run_in_executor(self._thread, self._render_and_store, clip)

    def _render(self, text: str, voice: VoiceSettings) -> bytes:
        eng = engine.engine(voice.engine)
        return engine.to_work_rate(eng.render(text, voice).pcm, eng.sample_rate(voice))

    def _render_and_store(self, clip: PlannedClip) -> bytes:
        voice = clip.utterance.voice
        eng = engine.engine(voice.engine)
        rendering = eng.render(clip.utterance.text, voice)
        self.rendered += 1
        # The cache is shared with builds: a build that starts meanwhile may clear our temporary
        # file; the line is still heard, and the build renders the clip itself.
        with contextlib.suppress(OSError, AudiobookError):
            self.cache.store(clip.key, rendering, eng.sample_rate(voice))
        return engine.to_work_rate(rendering.pcm, eng.sample_rate(voice))
