"""The speech engines a voice can name in voices.yaml (``engine: piper``): one line each.

An engine is a module of its own with a class that follows ``base.SpeechEngine``; adding
one is that module and a line in ``ENGINES``. Engines import their libraries when first
used, so naming them here costs nothing at start-up.
"""

from __future__ import annotations

from pipeline.voices.engines.base import SpeechEngine
from pipeline.voices.engines.espeak import EspeakEngine
from pipeline.voices.engines.piper import PiperEngine

ENGINES: dict[str, type[SpeechEngine]] = {
    "espeak": EspeakEngine,  # eSpeak NG through pyttsx3: tiny, fast, robotic; the default
    "piper": PiperEngine,  # Piper: neural voices on ONNX Runtime, from pip packages or voice files
}
