"""voices.yaml: load, validate and resolve the casting of narrator and characters.

The file is read with a round-trip YAML parser so that errors can name the line of
the offending key, and validated into typed objects (pydantic) once, up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from pipeline.errors import CastingError
from pipeline.model import DEFAULT_ENGINE, GROUP, VoiceSettings, Work
from pipeline.voices import engine
from pipeline.voices.engines import piper_voices
from pipeline.voices.schema import (
    PITCH_RANGE,
    RATE_RANGE,
    CastingFile,
    CharacterSpec,
    Pauses,
    VoiceSpec,
    WorkOverride,
)
from pipeline.voices.voicecheck import check_voices, full_voice_id, variant_name
from pipeline.yamlutil import did_you_mean, line_of, plain

BASE_DEFAULTS = VoiceSettings(voice="gmw/en-us", variant=None, rate=175, pitch=50, volume=1.0)


def settings(merged: dict[str, Any], base: Path | None) -> VoiceSettings:
    """Merged knobs as the settings their engine renders: ids in full, and only the knobs it takes."""
    if merged["engine"] == DEFAULT_ENGINE:
        merged["voice"] = full_voice_id(merged["voice"]) or merged["voice"]
        if merged["variant"] is not None:
            merged["variant"] = variant_name(merged["variant"]) or merged["variant"]
        merged["speaker"] = None
        return VoiceSettings(**merged)
    takes = engine.engine(merged["engine"]).knobs
    merged.update({k: getattr(BASE_DEFAULTS, k) for k in ("variant", "pitch") if k not in takes})
    merged["voice"] = merged["voice"] or default_voice(merged["engine"])
    if merged["engine"] == "piper":
        found = piper_voices.find(merged["voice"], base)
        if found is not None and found.source == "file":
            merged["voice"] = str(found.model)
    return VoiceSettings(**merged)


def default_voice(engine_name: str) -> str:
    """The voice of an engine that a voices.yaml entry gets when it names the engine alone."""
    ids = [v.id for v in engine.voice_catalog(engine_name)]
    preferred = {"piper": "en_US-joe-medium"}.get(engine_name)
    return preferred if preferred in ids else (ids[0] if ids else "")


def scopes(char: CharacterSpec) -> list[str | None]:
    """Where an entry's names are looked up: its works, or (None) the anthology's stories."""
    return list(char.works) or [None]


class Casting:
    """A validated voices.yaml, able to say which voice speaks a line.

    Names are looked up per scope: first among the entries (and the links) of the work
    itself, then, for a work that is not a book (``books``), among the stories' shared
    entries. A book never borrows another work's character by name alone.
    """

    def __init__(self, spec: CastingFile, path: Path | None = None, books: frozenset[str] = frozenset()) -> None:
        self.spec = spec
        self.path = path
        self.books = books
        self._names: dict[str | None, dict[str, str]] = {}  # scope -> casefolded name or alias -> entry
        for name, char in spec.characters.items():
            for scope in scopes(char):
                self._names.setdefault(scope, {})[name.casefold()] = name
        for name, char in spec.characters.items():
            for scope in scopes(char):
                for alias in char.aliases:
                    self._names[scope].setdefault(alias.casefold(), name)
        # Story overrides may name a character by an alias: key them by the entry's name.
        self._overrides: dict[str, dict[str, VoiceSpec]] = {
            slug: {self.canonical(who, slug) or who: vs for who, vs in work.characters.items()}
            for slug, work in spec.stories.items()
        }

    @property
    def pauses(self) -> Pauses:
        return self.spec.pauses

    @property
    def lexicon(self) -> dict[str, str]:
        return self.spec.lexicon

    def canonical(self, speaker: str, work: str | None = None) -> str | None:
        """The character entry a speaker name (or alias) refers to in a work, if any."""
        key = speaker.casefold()
        if work is not None and (entry := self._names.get(work, {}).get(key)) is not None:
            return entry
        if work in self.books:
            return None
        return self._names.get(None, {}).get(key)

    def entry_named(self, name: str) -> str | None:
        """The entry a user means by a name, in any work: its key, else a stories' name, else any work's."""
        key = name.casefold()
        exact = [e for e in self.spec.characters if e.casefold() == key]
        found = exact or [e for names in (self._names.get(None, {}), *self._names.values()) if (e := names.get(key))]
        return found[0] if found else None

    def link(self, speaker: str, entry: str, work: str | None = None) -> None:
        """Let a name the attribution found in a work (not written in the file) speak with an entry's voice.

        The name joins the entry's scope: the book's, or, for an entry the stories share, theirs.
        """
        char = self.spec.characters.get(entry)
        own = work is not None and (work in self.books or (char is not None and bool(char.works)))
        self._names.setdefault(work if own else None, {}).setdefault(speaker.casefold(), entry)

    def _resolve(self, *layers: VoiceSpec | None) -> VoiceSettings:
        merged: dict[str, Any] = {**asdict(BASE_DEFAULTS), "variant": None, "speaker": None}
        for layer in (self.spec.defaults, *layers):
            if layer is None:
                continue
            if layer.engine is not None and layer.engine != merged["engine"]:
                # Another engine: the voice and its engine's own knobs do not carry over.
                merged.update(engine=layer.engine, voice=None, variant=None, speaker=None)
            for key in merged:
                value = getattr(layer, key)
                if value is not None:
                    merged[key] = value
        return settings(merged, self.path.parent if self.path else None)

    def defaults(self) -> VoiceSettings:
        """What a voice with no knobs of its own sounds like."""
        return self._resolve()

    def narrator(self, work_slug: str | None = None) -> VoiceSettings:
        override = self.spec.stories.get(work_slug) if work_slug else None
        return self._resolve(self.spec.narrator, override.narrator if override else None)

    def character(self, name: str, work_slug: str | None = None) -> VoiceSettings:
        """The voice of a character entry (by its name in the file), in a story."""
        override = self._overrides.get(work_slug, {}) if work_slug else {}
        return self._resolve(self.spec.characters[name], override.get(name))

    def named(self) -> list[VoiceSettings]:
        """The voices the file itself gives: the narrator's, the defaults, each story's narrator and each
        character's (those the auto-caster adds to a work are not known before it casts the work)."""
        return [self.narrator(), self.defaults(), *(self.narrator(slug) for slug in self.spec.stories),
                *(self.character(name) for name in self.spec.characters)]

    def voice_for(self, speaker: str | None, work_slug: str | None = None) -> VoiceSettings:
        """The voice for a line: the narrator's for narration, the character's for dialogue.

        Group speech and speakers without an entry are read by the narrator.
        """
        if speaker is None or speaker == GROUP:
            return self.narrator(work_slug)
        name = self.canonical(speaker, work_slug)
        if name is None:
            return self.narrator(work_slug)
        return self.character(name, work_slug)


# --------------------------------------------------------------------------- loading


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(k) for k in loc)


#: Valid ranges, quoted when a value falls outside.
RANGES: dict[str, tuple[float, float]] = {
    "rate": RATE_RANGE, "pitch": PITCH_RANGE, "volume": (0.0, 1.0),
    "sentence": (0.0, 10.0), "paragraph": (0.0, 10.0), "chapter": (0.0, 30.0),
}


def _validation_error(path: Path, tree: Any, exc: ValidationError) -> CastingError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    line = line_of(tree, loc)
    if err["type"] == "extra_forbidden":
        model_fields = _fields_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), model_fields)
        why = f"unknown key {loc[-1]!r}; {hint}valid keys: {', '.join(model_fields)}"
    elif err["type"] in ("greater_than_equal", "less_than_equal") and str(loc[-1]) in RANGES:
        lo, hi = RANGES[str(loc[-1])]
        why = f"{err.get('input')!r} is out of range; use {_num(lo)} to {_num(hi)}"
    else:
        why = f"{err['msg'].lower()} (got {err.get('input')!r})"
    return CastingError(path, _dotted(loc), why, line)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and not isinstance(x, float) else str(x)


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The valid keys at a position of the file, for 'did you mean' messages."""
    model: type[BaseModel] = CastingFile
    i = 0
    while i < len(loc):
        key = loc[i]
        if model is CastingFile and key == "characters":
            model, i = CharacterSpec, i + 2
        elif model is CastingFile and key == "stories":
            model, i = WorkOverride, i + 2
        elif model is WorkOverride and key == "characters":
            model, i = VoiceSpec, i + 2
        else:
            annotation = model.model_fields[str(key)].annotation if str(key) in model.model_fields else None
            candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
            sub = next((a for a in candidates if issubclass(a, BaseModel)), None)
            if sub is None:
                break
            model, i = sub, i + 1
    return list(model.model_fields)


def _check_overrides(path: Path, tree: Any, casting: Casting) -> None:
    """A story override must name a character entry, or it would silently do nothing."""
    names = list(casting.spec.characters)
    for slug, work in casting.spec.stories.items():
        for who in work.characters:
            if casting.canonical(who, slug) is None:
                hint = did_you_mean(who, names)
                raise CastingError(
                    path, f"stories.{slug}.characters.{who}",
                    f"no character {who!r} under `characters:`; {hint}add it there first",
                    line_of(tree, ("stories", slug, "characters", who)),
                )


def _check_lexicon(path: Path, tree: Any, spec: CastingFile) -> None:
    for word, say in spec.lexicon.items():
        if not word.strip() or not say.strip():
            raise CastingError(path, f"lexicon.{word}", "a lexicon entry needs a word and how to say it",
                               line_of(tree, ("lexicon", word)))
        if say.count("[[") != say.count("]]"):
            raise CastingError(path, f"lexicon.{word}",
                               f"unbalanced phoneme brackets in {say!r}; write phonemes as [[ste'fan]]",
                               line_of(tree, ("lexicon", word)))


def check_work_slugs(casting: Casting, tree: Any, works: Sequence[Work]) -> list[str]:
    """Overrides must name stories of the corpus (by file name without .txt).

    An entry's ``works`` naming a work the corpus does not hold is a warning, returned, not an
    error: a book taken out of the corpus leaves its characters behind, as a story does.
    """
    slugs = [s.slug for s in works]
    for slug in casting.spec.stories:
        if slug not in slugs:
            hint = did_you_mean(slug, slugs)
            raise CastingError(
                casting.path, f"stories.{slug}",
                f"no story {slug!r} in the corpus; {hint}stories: {', '.join(slugs)}",
                line_of(tree, ("stories", slug)),
            )
    warnings = []
    for name, char in casting.spec.characters.items():
        for i, work in enumerate(char.works):
            if work not in slugs:
                line = line_of(tree, ("characters", name, "works", i))
                warnings.append(f"{casting.path}:{line}: characters.{name}.works: no work {work!r} in the corpus; "
                                f"{did_you_mean(work, slugs)}works: {', '.join(slugs)}")
    return warnings


def _check_aliases(path: Path, tree: Any, spec: CastingFile) -> None:
    """No name may stand for two entries of one scope (a work, or the stories together)."""
    owner: dict[str | None, dict[str, str]] = {}
    for name, char in spec.characters.items():
        for scope in scopes(char):
            owner.setdefault(scope, {})[name.casefold()] = name
    for name, char in spec.characters.items():
        for i, alias in enumerate(char.aliases):
            for scope in scopes(char):
                other = owner[scope].get(alias.casefold())
                if other is not None and other != name:
                    raise CastingError(
                        path, f"characters.{name}.aliases",
                        f"alias {alias!r} is claimed by both {other!r} and {name!r}; keep it on one of them",
                        line_of(tree, ("characters", name, "aliases", i)),
                    )
                owner[scope][alias.casefold()] = name


def load_tree(path: Path) -> Any:
    """Parse voices.yaml keeping comments and positions; raise CastingError on bad YAML."""
    try:
        if not path.is_file():  # a folder, or a FIFO that would block the read for ever
            raise CastingError(path, None, "not a regular file; pass --voices a YAML file")
        data = path.read_bytes()
    except OSError as exc:
        raise CastingError(path, None, f"cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = data.count(b"\n", 0, exc.start) + 1
        raise CastingError(path, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); re-save the file as UTF-8",
                           where) from exc
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CastingError(path, None, f"invalid YAML: {exc.problem or exc.context}; fix the syntax", line) from exc


def parse(path: Path, tree: Any, books: frozenset[str] = frozenset()) -> Casting:
    """Validate a parsed voices.yaml tree into a Casting (``books``: the slugs of the works that are books)."""
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, dict):
        raise CastingError(path, None, "expected a mapping with narrator, defaults, characters, ...", 1)
    try:
        spec = CastingFile.model_validate(_without_empty(plain(tree)))
    except ValidationError as exc:
        raise _validation_error(path, tree, exc) from exc
    check_voices(path, tree, spec)
    _check_aliases(path, tree, spec)
    _check_lexicon(path, tree, spec)
    casting = Casting(spec, path, books)
    _check_overrides(path, tree, casting)
    return casting


def load_casting(path: Path) -> Casting:
    """Load and validate voices.yaml (all defaults when the file does not exist)."""
    if not path.exists():
        return Casting(CastingFile(), path)
    return parse(path, load_tree(path))


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """A section left with only comments (``lexicon:``) reads as empty, not as an error."""
    out = {k: v for k, v in data.items() if v is not None}
    if isinstance(out.get("stories"), dict):
        out["stories"] = {
            slug: ({k: v for k, v in work.items() if v is not None} if isinstance(work, dict) else work)
            for slug, work in out["stories"].items()
        }
    return out
