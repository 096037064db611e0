"""Automatic casting: give every speaking character of the anthology a voice.

Who is who across stories: a speaker is the same character as an entry of
voices.yaml when its name is the entry's name or one of the entry's aliases, or
when one of the names the story uses for it is the entry's name ("Jean-Pierre
Dupuis", also called "Jean-Pierre", is the entry "Jean-Pierre"). Two aliases alone
are not enough: two Maries in two stories stay two characters. Names are matched within
a scope: the anthology's short stories share one, and each book is one of its own (a
novel's Jean-Pierre is not a story's Jean-Pierre unless voices.yaml lists both works on
one entry); the chapters of a book share its cast.

Characters are cast in anthology order (story by story, most lines first), each
with the least used voice of its gender's palette that no one else in its stories
has and that is not the narrator's. Entries already in the file are never changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.model import DEFAULT_ENGINE, GROUP, Analysis, Gender, VoiceSettings, Work
from pipeline.voices import engine, palette
from pipeline.voices.castfile import NewEntry
from pipeline.voices.casting import Casting, scopes

Status = Literal["kept", "new", "unused"]


@dataclass
class Speaker:
    """One character of the anthology, as the stories show it."""

    entry: str  # the name of its entry in voices.yaml (existing or to be written)
    scope: str | None = None  # the book it belongs to, or None for the anthology's stories
    names: dict[str, None] = field(default_factory=dict)  # names the stories use, in order met
    seen: dict[tuple[str, str], None] = field(default_factory=dict)  # (work slug, name) as met
    aliases: dict[str, None] = field(default_factory=dict)  # aliases as written in the text
    gender: Gender = Gender.unknown
    lines: dict[str, int] = field(default_factory=dict)  # story slug -> lines spoken there
    new: bool = False

    def known_as(self) -> set[str]:
        return {n.casefold() for n in (self.entry, *self.names)}


@dataclass(frozen=True)
class CastLine:
    """One character of the cast, for `audiobook cast`."""

    name: str
    voice: VoiceSettings  # outside any story override
    gender: Gender
    works: tuple[str, ...]  # slugs of the stories it speaks in
    lines: int
    status: Status


@dataclass(frozen=True)
class CastPlan:
    """What auto-casting decided: entries to add, names to link, entries nobody uses."""

    new: tuple[NewEntry, ...]
    links: tuple[tuple[str, str, str], ...]  # (speaker name in a work, entry name, work slug)
    unused: tuple[str, ...]
    speakers: tuple[Speaker, ...]
    notes: tuple[str, ...] = ()  # what the user should know (too few voices of an engine)


def clashes(casting: Casting, speakers: Sequence[Speaker], works: Sequence[Work]) -> list[str]:
    """Characters of one story who sound exactly alike, or like its narrator (hand edits can do that)."""
    out = []
    for work in works:
        voices: dict[VoiceSettings, list[str]] = {casting.narrator(work.slug): ["the narrator"]}
        for sp in speakers:
            if work.slug in sp.lines:
                voices.setdefault(casting.character(sp.entry, work.slug), []).append(sp.entry)
        for voice, names in voices.items():
            if len(names) > 1:
                out.append(f"{work.slug}: {' and '.join(names)} have the same voice ({voice.label}, "
                           f"rate {voice.rate}, pitch {voice.pitch})")
    return out


def language_warnings(casting: Casting, speakers: Sequence[Speaker], works: Sequence[Work]) -> list[str]:
    """A voice of another engine than eSpeak whose language is not the work's (a French book read
    by an American voice): said once per work and voice, and left as the user chose."""
    out = []
    for work in works:
        if not work.language:
            continue
        voices = [("the narrator", casting.narrator(work.slug))]
        voices += [(sp.entry, casting.character(sp.entry, work.slug)) for sp in speakers if work.slug in sp.lines]
        seen: set[str] = set()
        for who, voice in voices:
            if voice.engine == DEFAULT_ENGINE or voice.label in seen:
                continue
            seen.add(voice.label)
            language = next((v.language for v in engine.voice_catalog(voice.engine) if v.id == voice.voice), "")
            if language and language.replace("_", "-").split("-")[0].casefold() != \
                    work.language.split("-")[0].casefold():
                out.append(f"{work.slug}: {who}'s voice {voice.voice} speaks {language}, the work is in "
                           f"{work.language}; choose a voice of its language in voices.yaml")
    return out


def scope_of(work: Work) -> str | None:
    """The scope a work's names are matched in: a book's own, or the stories' shared one (None)."""
    return work.slug if work.is_book else None


def find_speakers(casting: Casting, works: Sequence[Work], analyses: Sequence[Analysis]) -> list[Speaker]:
    """Every speaking character of the anthology, matched to entries where they exist."""
    by_entry: dict[str, Speaker] = {}  # speakers of entries already in the file
    by_key: dict[tuple[str | None, str], Speaker] = {}  # (scope, casefolded name) -> speaker
    out: list[Speaker] = []
    for work, analysis in zip(works, analyses, strict=True):
        scope = scope_of(work)
        for char in analysis.characters:
            if char.lines <= 0 or char.name == GROUP:
                continue
            aliases = [_as_written(a, work.text) for a in char.aliases]
            entry = casting.canonical(char.name, work.slug) or next(
                (e for a in aliases if (e := casting.canonical(a, work.slug)) and e.casefold() == a.casefold()), None)
            speaker = by_entry.get(entry) if entry else None
            if speaker is None:
                speaker = next((by_key[(scope, k.casefold())] for k in (entry or char.name, *aliases)
                                if (scope, k.casefold()) in by_key), None)
            if speaker is None:
                speaker = Speaker(entry=entry or char.name, scope=scope, new=entry is None)
                out.append(speaker)
                if entry:
                    by_entry[entry] = speaker
            speaker.names.setdefault(char.name)
            speaker.seen.setdefault((work.slug, char.name))
            for alias in aliases:
                speaker.aliases.setdefault(alias)
            if speaker.gender is Gender.unknown:
                speaker.gender = Gender(char.gender)
            speaker.lines[work.slug] = speaker.lines.get(work.slug, 0) + char.lines
            for key in speaker.known_as():
                by_key.setdefault((scope, key), speaker)
    return out


def _as_written(alias: str, text: str) -> str:
    """An alias as the story first writes it ('stéphane' -> 'Stéphane')."""
    found = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text, re.IGNORECASE)
    return found.group(0) if found else alias


def plan_cast(casting: Casting, works: Sequence[Work], analyses: Sequence[Analysis]) -> CastPlan:
    """Cast every speaker without an entry; find the entries no story needs any more."""
    speakers = find_speakers(casting, works, analyses)
    narrators = {s.slug: casting.narrator(s.slug) for s in works}
    # Voices in use, per story and across the anthology, by the entries that exist.
    in_work: dict[str, set[VoiceSettings]] = {s.slug: set() for s in works}
    usage: Counter[tuple[str, str]] = Counter()
    for name in casting.spec.characters:
        v = casting.character(name)
        usage[(v.voice, v.variant or "")] += 1
    for sp in speakers:
        if not sp.new:
            for slug in sp.lines:
                in_work[slug].add(casting.character(sp.entry, slug))

    claimed = _claimed(casting, speakers)
    keys = {name.casefold() for name in casting.spec.characters}
    defaults = casting.defaults()
    new: list[NewEntry] = []
    short: list[str] = []  # characters left on eSpeak: too few voices of the defaults' engine
    for sp in speakers:
        if not sp.new:
            continue
        sp.entry = _entry_name(max(sp.names, key=len), sp, works, keys)  # the fullest name the works use
        keys.add(sp.entry.casefold())
        taken = set().union(*(in_work[slug] for slug in sp.lines))
        voice = None
        entry: tuple[str, str | None, int | None, int, str | None, int | None]  # voice .. speaker
        if defaults.engine != DEFAULT_ENGINE:
            voice = palette.pick_engine_voice(defaults.engine, taken | {narrators[s] for s in sp.lines}, usage)
            if voice is None:
                short.append(sp.entry)
        if voice is not None:
            settings = VoiceSettings(voice.voice, None, defaults.rate, defaults.pitch, defaults.volume,
                                     defaults.engine, voice.speaker)
            entry = (voice.voice, None, None, defaults.rate, None, voice.speaker)
            usage[(voice.voice, str(voice.speaker))] += 1
        else:
            choice = palette.pick(sp.gender, taken, [narrators[slug] for slug in sp.lines], usage, defaults.volume)
            settings = choice.settings(defaults.volume)
            engine = DEFAULT_ENGINE if defaults.engine != DEFAULT_ENGINE else None
            entry = (choice.voice, choice.variant, choice.pitch, choice.rate, engine, None)
            usage[(choice.voice, choice.variant)] += 1
        for slug in sp.lines:
            in_work[slug].add(settings)
        others = [n for n in (*sp.names, *sp.aliases) if n.casefold() != sp.entry.casefold()]
        mine = claimed.setdefault(sp.scope, set())
        aliases = tuple(dict.fromkeys(
            a for a in others
            if a.casefold() not in mine or a.casefold() in {n.casefold() for n in sp.names}
        ))
        mine |= {a.casefold() for a in aliases}
        scope = (sp.scope,) if sp.scope is not None else ()
        voice_id, variant, pitch, rate, engine, speaker = entry
        new.append(NewEntry(sp.entry, voice_id, variant, pitch, rate, aliases, _comment(sp), scope, engine, speaker))
    used = {sp.entry for sp in speakers if not sp.new}
    unused = tuple(n for n in casting.spec.characters if n not in used)
    links = tuple((name, sp.entry, slug) for sp in speakers for slug, name in sp.seen)
    notes = (_too_few(defaults.engine, short),) if short else ()
    return CastPlan(tuple(new), links, unused, tuple(speakers), notes)


def _too_few(engine_name: str, names: Sequence[str]) -> str:
    have = len(palette.engine_voices(engine_name))
    return (f"{have} {engine_name} voice{'s' if have != 1 else ''} installed, too few for distinct voices: "
            f"{', '.join(names[:3])}{f' and {len(names) - 3} more' if len(names) > 3 else ''} "
            f"cast on distinct eSpeak voices instead; install more (`audiobook voices --download NAME`) "
            f"and delete their entries to recast them")


def _claimed(casting: Casting, speakers: Sequence[Speaker]) -> dict[str | None, set[str]]:
    """The names taken in each scope, by the file's entries and by the speakers met."""
    claimed: dict[str | None, set[str]] = {}
    for name, char in casting.spec.characters.items():
        for scope in scopes(char):
            claimed.setdefault(scope, set()).update(k.casefold() for k in (name, *char.aliases))
    for sp in speakers:
        claimed.setdefault(sp.scope, set()).update(sp.known_as())
    return claimed


def _entry_name(name: str, sp: Speaker, works: Sequence[Work], keys: set[str]) -> str:
    """A key for a new entry: its name, or, when another work's character has that key already,
    the name with its work's title ("Jean-Pierre (Moby-Dick)"; the name stays as an alias)."""
    if name.casefold() not in keys:
        return name
    titles = {s.slug: s.title for s in works}
    base = f"{name} ({titles[sp.scope] if sp.scope is not None else titles[next(iter(sp.lines))]})"
    candidate, n = base, 2
    while candidate.casefold() in keys:
        candidate, n = f"{base} {n}", n + 1
    return candidate


def _comment(sp: Speaker) -> str:
    who = {Gender.female: "woman", Gender.male: "man", Gender.unknown: "gender unknown"}[sp.gender]
    lines = sum(sp.lines.values())
    where = ", ".join(sp.lines)
    return f"{who}, {lines} line{'s' if lines != 1 else ''}: {where}"


def cast_lines(casting: Casting, plan: CastPlan) -> list[CastLine]:
    """The whole cast for display: speakers first, in anthology order, then unused entries."""
    new_names = {e.name for e in plan.new}
    out = [
        CastLine(sp.entry, casting.character(sp.entry), sp.gender, tuple(sp.lines), sum(sp.lines.values()),
                 "new" if sp.entry in new_names else "kept")
        for sp in plan.speakers
    ]
    out += [CastLine(n, casting.character(n), Gender.unknown, (), 0, "unused") for n in plan.unused]
    return out
