"""The speech engines behind ``base.SpeechEngine``, registered in ``catalog.ENGINES``."""
