"""voices.yaml's schema: the typed objects the file is validated into (pydantic), once, up front."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

RATE_RANGE = (80, 450)  # eSpeak words per minute that stay intelligible
PITCH_RANGE = (0, 99)


class VoiceSpec(BaseModel):
    """A voice, possibly partial: missing knobs come from ``defaults``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: str | None = None  # espeak (the default) or piper; see engines/catalog.py
    voice: str | None = None  # the engine's voice: gmw/en-us (eSpeak), en_US-joe-medium (Piper)
    variant: str | None = None  # eSpeak variant, e.g. f3, m2, klatt, Annie
    speaker: int | None = Field(default=None, ge=0)  # one speaker of a multi-speaker Piper voice
    rate: int | None = Field(default=None, ge=RATE_RANGE[0], le=RATE_RANGE[1])
    pitch: int | None = Field(default=None, ge=PITCH_RANGE[0], le=PITCH_RANGE[1])
    volume: float | None = Field(default=None, ge=0.0, le=1.0)


class CharacterSpec(VoiceSpec):
    """A character's voice plus what helps the user (aliases, the works it is in, a free note).

    ``works`` scopes the entry: a book's characters are its own (its Jean-Pierre is not a
    story's Jean-Pierre), so an entry written for a book names it there. An entry without
    ``works`` belongs to the anthology's short stories, which share one cast; listing
    several works shares one voice across them (a series).
    """

    aliases: list[str] = Field(default_factory=list)
    works: list[str] = Field(default_factory=list)  # work slugs; empty: the anthology's stories
    note: str | None = None

    @field_validator("works", mode="before")
    @classmethod
    def _one_work(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Pauses(BaseModel):
    """Silences in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sentence: float = Field(default=0.3, ge=0.0, le=10.0)  # between clips in one paragraph
    paragraph: float = Field(default=0.8, ge=0.0, le=10.0)  # between paragraphs
    chapter: float = Field(default=1.5, ge=0.0, le=30.0)  # after the spoken title


class WorkOverride(BaseModel):
    """Per-story changes: a different narrator or different character voices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    narrator: VoiceSpec | None = None
    characters: dict[str, VoiceSpec] = Field(default_factory=dict)


class CastingFile(BaseModel):
    """The whole of voices.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    narrator: VoiceSpec = VoiceSpec(voice="gmw/en-gb-x-rp", variant="m3", rate=165, pitch=45)
    defaults: VoiceSpec = VoiceSpec(voice="gmw/en-us", rate=175, pitch=50, volume=1.0)
    pauses: Pauses = Pauses()
    lexicon: dict[str, str] = Field(default_factory=dict)
    characters: dict[str, CharacterSpec] = Field(default_factory=dict)
    stories: dict[str, WorkOverride] = Field(default_factory=dict)
