"""Voice palettes for automatic casting, and the rule that picks a voice from them.

A palette is an ordered list of voices that sound unlike each other: eSpeak NG's
English accents crossed with its voice variants, then the same variants again on
other accents at other pitches and speeds. Measured on "Good morning. Would you
like a coffee?" (median F0): the female variants span 172-259 Hz (f1 172, f3 205,
Annie 229, anika 259), the male ones 78-109 Hz (Storm 78, m8 80, m1 90, m7 104);
the accents change vowels and rhythm, which is what tells two voices of one pitch
apart. Variants eSpeak cannot find are left out (eSpeak falls back to its default
voice silently), so the palette is built from what the installed engine offers.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.model import Gender, VoiceSettings
from pipeline.voices import engine

#: English accents, most familiar first; gmw/en-shaw (Shavian spelling) is left out.
ACCENTS = (
    "gmw/en-us", "gmw/en", "gmw/en-gb-scotland", "gmw/en-029", "gmw/en-gb-x-rp",
    "gmw/en-gb-x-gbclan", "gmw/en-us-nyc", "gmw/en-gb-x-gbcwmd",
)
#: Variants in the order they are handed out: the most unlike each other first.
FEMALE_VARIANTS = ("f2", "Annie", "f4", "anika", "f3", "linda", "f1", "Andrea", "f5",
                   "belinda", "steph", "Alicia", "aunty", "grandma")
MALE_VARIANTS = ("m1", "m7", "m2", "Storm", "m4", "Hugo", "m8", "travis", "m5", "Lee",
                 "m6", "antonio", "Andy", "Denis", "sandro", "croak")
#: Each round re-uses the variants on other accents, at another pitch and speed.
ROUNDS = ((0, 50, 170), (3, 64, 160), (5, 38, 182))  # (accent shift, pitch, rate)


@dataclass(frozen=True)
class Choice:
    """A voice the caster may hand out."""

    voice: str
    variant: str
    pitch: int
    rate: int

    def settings(self, volume: float) -> VoiceSettings:
        return VoiceSettings(self.voice, self.variant, self.rate, self.pitch, volume)


def build_palette(variants: Sequence[str], accents: Sequence[str]) -> tuple[Choice, ...]:
    """Every variant on an accent of its own, round after round at other pitches and speeds."""
    if not variants or not accents:
        return ()
    out = []
    for shift, pitch, rate in ROUNDS:
        for i, variant in enumerate(variants):
            out.append(Choice(accents[(i + shift) % len(accents)], variant, pitch, rate))
    return tuple(out)


@functools.cache
def palette(gender: Gender) -> tuple[Choice, ...]:
    """The voices for a gender, from what the installed eSpeak NG offers.

    Unknown gender alternates female and male voices, so a story's unknowns differ.
    """
    voice_ids = {v.id for v in engine.voice_catalog()}
    variant_names = {v.name for v in engine.variant_catalog()}
    accents = [a for a in ACCENTS if a in voice_ids] or sorted(voice_ids)[:1]
    female = build_palette([v for v in FEMALE_VARIANTS if v in variant_names], accents)
    male = build_palette([v for v in MALE_VARIANTS if v in variant_names], accents)
    if gender is Gender.female:
        return female
    if gender is Gender.male:
        return male
    mixed: list[Choice] = []
    for pair in zip(female, male, strict=False):
        mixed.extend(pair)
    return tuple(mixed)


def pick(
    gender: Gender,
    taken: Iterable[VoiceSettings],
    avoid: Iterable[VoiceSettings],
    usage: Mapping[tuple[str, str], int],
    volume: float = 1.0,
) -> Choice:
    """Choose a voice for a new character, deterministically.

    ``taken`` are the voices of the stories the character speaks in (no two of a
    story may be identical), ``avoid`` are the narrators (no character may share
    their voice and variant), ``usage`` counts how often each voice+variant is cast
    across the anthology already. The least used acceptable voice wins (by voice+variant,
    then by variant alone); ties go to palette order, so the same stories always get
    the same cast.
    """
    options = palette(gender) or palette(Gender.unknown)
    taken_set = set(taken)
    by_variant: Counter[str] = Counter()
    for (_voice, variant), n in usage.items():
        by_variant[variant] += n
    avoid_pairs = {(v.voice, v.variant) for v in avoid}
    taken_pairs = {(v.voice, v.variant) for v in taken_set}
    # Best: a voice+variant nobody in these stories uses. Then: any settings not taken.
    for acceptable in (
        lambda c: (c.voice, c.variant) not in avoid_pairs and (c.voice, c.variant) not in taken_pairs,
        lambda c: (c.voice, c.variant) not in avoid_pairs and c.settings(volume) not in taken_set,
    ):
        fits = [c for c in options if acceptable(c)]
        if fits:
            return min(enumerate(fits), key=lambda ic: (
                usage.get((ic[1].voice, ic[1].variant), 0), by_variant[ic[1].variant], ic[0]))[1]
    # More characters in one story than the palette holds: shift the pitch until unique.
    base = options[0]
    for pitch in range(99, -1, -1):
        candidate = Choice(base.voice, base.variant, pitch, base.rate)
        if candidate.settings(volume) not in taken_set:
            return candidate
    return base


@dataclass(frozen=True)
class EngineVoice:
    """A voice of an engine without variants (Piper): a voice file, and a speaker of it if it has several."""

    voice: str
    speaker: int | None


def engine_voices(engine_name: str) -> tuple[EngineVoice, ...]:
    """Every voice (and speaker) an engine such as Piper offers, in catalogue order."""
    return tuple(EngineVoice(v.id, s if v.speakers > 1 else None)
                 for v in engine.voice_catalog(engine_name) for s in range(max(v.speakers, 1)))


def pick_engine_voice(
    engine_name: str, taken: Iterable[VoiceSettings], usage: Mapping[tuple[str, str], int],
) -> EngineVoice | None:
    """The least used voice of an engine that no one in a character's stories (narrators included)
    has, or None when every one is taken. The engine says nothing of gender, so it is not matched."""
    busy = {(v.voice, v.speaker) for v in taken if v.engine == engine_name}
    free = [v for v in engine_voices(engine_name) if (v.voice, v.speaker) not in busy]
    if not free:
        return None
    return min(enumerate(free), key=lambda iv: (usage.get((iv[1].voice, str(iv[1].speaker)), 0), iv[0]))[1]
