"""Casting every work: voices.yaml validated, new speakers given voices, the file kept up to date.

Orchestration over the voices stage (the config module reads and checks the file, auto-casting
chooses voices, the writer appends to it), so it lives with the build, not in the config module.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from pipeline.errors import CastingError, OutputError
from pipeline.fsutil import atomic_open, cause
from pipeline.model import DEFAULT_ENGINE, Analysis, Work
from pipeline.voices import castfile
from pipeline.voices.autocast import CastLine, cast_lines, clashes, language_warnings, plan_cast
from pipeline.voices.casting import (
    Casting,
    CastingFile,
    check_work_slugs,
    default_voice,
    full_voice_id,
    load_tree,
    parse,
    variant_name,
)
from pipeline.voices.engines import piper_voices
from pipeline.yamlutil import line_of


@dataclass(frozen=True)
class CastResult:
    """voices.yaml after auto-casting, and what changed."""

    casting: Casting
    cast: tuple[CastLine, ...]
    created: bool  # the file did not exist and was written
    updated: bool  # the file existed and new characters or marks were written
    warnings: tuple[str, ...] = ()  # e.g. two characters of a story with the same voice
    text: str = ""  # voices.yaml's text with the cast in it (what is, or with write=False would be, written)


def cast_works(
    path: Path, works: Sequence[Work], analyses: Sequence[Analysis], write: bool = True,
    required: bool = False,
) -> CastResult:
    """Validate voices.yaml, cast every speaker who has no entry, and write the file.

    A missing file is created, complete and commented. An existing one only grows:
    new entries are appended and unused ones marked; when nothing changes it is not
    written at all. With ``write=False`` the result is the same but the disk is not touched.
    A file that cannot be written is a warning (the cast is used in memory), or an error when
    saving it is ``required`` (`audiobook cast`, which exists to write it).
    """
    exists = path.exists()
    if exists:
        tree = load_tree(path)  # first: it turns unreadable or non-UTF-8 files into one-line errors
        text = path.read_text(encoding="utf-8")
    else:
        defaults = Casting(CastingFile())
        text = castfile.template(defaults.narrator(), defaults.defaults())
        tree = YAML(typ="rt").load(text)
    books = frozenset(s.slug for s in works if s.is_book)
    casting = parse(path, tree, books)
    warnings = check_work_slugs(casting, tree, works)
    plan = plan_cast(casting, works, analyses)
    used = [n for n in casting.spec.characters if n not in plan.unused]
    chars = tree.get("characters")
    if plan.new and isinstance(chars, CommentedMap) and chars and chars.fa.flow_style():
        raise CastingError(path, "characters", "new characters cannot be appended to a one-line {...} "
                           "mapping; write one character per line", line_of(tree, ("characters",)))
    new_text = castfile.update_text(text, tree, plan.new, plan.unused, used)
    if new_text != text:
        try:
            casting = parse(path, YAML(typ="rt").load(new_text), books)
        except (CastingError, MarkedYAMLError) as exc:  # a bug of ours: never write a broken file
            raise CastingError(path, None, f"could not update the file safely ({exc}); nothing was written") from exc
    for speaker, entry, work in plan.links:
        casting.link(speaker, entry, work)
    changed = new_text != text or not exists
    warnings += clashes(casting, plan.speakers, works)
    warnings += [*plan.notes, *language_warnings(casting, plan.speakers, works)]
    if write and changed:
        unsaved = _save(path, new_text, required)
        if unsaved:
            warnings.append(unsaved)
            changed = False
    return CastResult(casting, tuple(cast_lines(casting, plan)), created=changed and not exists,
                      updated=changed and exists, warnings=tuple(warnings), text=new_text)


def _save(path: Path, text: str, required: bool) -> str | None:
    """Write voices.yaml atomically; if it cannot be, the warning to give (or, if ``required``, fail).

    A file the user made read-only is left alone even where its folder would let us replace it,
    and a symlink stays one: the file it points to is the one replaced.
    """
    try:
        real = path.resolve()
        if real.exists() and not os.access(real, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        with atomic_open(real) as fh:
            fh.write(text)
        return None
    except (OSError, OutputError) as exc:
        reason = exc.__cause__ if isinstance(exc, OutputError) else exc
        why = cause(reason) if isinstance(reason, OSError) else str(exc)
        if required:
            raise OutputError(f"{path}: could not save it ({why}); make the file and its folder writable, "
                              "or pass --voices a file that can be written") from exc
        return (f"{path}: could not save it ({why}); the new characters' voices are used for this build "
                "only: make the file writable to keep them")


def switch_narrator(path: Path, choice: str) -> str:
    """`audiobook cast --narrator CHOICE`: the narrator's block of voices.yaml rewritten for an engine
    (``piper``, ``espeak``) or a voice (``en_US-joe-medium``, ``gmw/en-us+f3``); returns its label."""
    if not path.exists():
        defaults = Casting(CastingFile())
        text = castfile.template(defaults.narrator(), defaults.defaults())
    else:
        load_tree(path)
        text = path.read_text(encoding="utf-8")
    tree = YAML(typ="rt").load(text)
    casting = parse(path, tree)
    knobs = narrator_knobs(choice, casting)
    new_text = castfile.set_narrator(text, tree, knobs)
    narrator = parse(path, YAML(typ="rt").load(new_text)).narrator()
    _save(path, new_text, required=True)
    return narrator.label


def narrator_knobs(choice: str, casting: Casting) -> dict[str, Any]:
    """What ``--narrator`` asks for, as the narrator's knobs in voices.yaml."""
    current = casting.narrator()
    inherited = casting.defaults().engine
    name = choice.removeprefix("piper:")
    if choice == "piper" or choice.startswith("piper:") or piper_voices.find(name) is not None:
        voice = default_voice("piper") if choice == "piper" else name
        if not voice or piper_voices.find(voice) is None:
            raise CastingError(None, "--narrator", f"no Piper voice {voice or ''!r}; "
                               f"{piper_voices.how_to_install(voice or 'NAME')}")
        return {"engine": "piper" if inherited != "piper" else None, "voice": voice, "rate": current.rate}
    engine_line = DEFAULT_ENGINE if inherited != DEFAULT_ENGINE else None
    if choice == DEFAULT_ENGINE:
        spec = CastingFile().narrator
        return {"engine": engine_line, "voice": spec.voice, "variant": spec.variant, "rate": spec.rate,
                "pitch": spec.pitch}
    voice, _, variant = choice.partition("+")
    if full_voice_id(voice) is None or (variant and variant_name(variant) is None):
        raise CastingError(None, "--narrator", f"unknown voice {choice!r}; use piper, espeak, a Piper voice "
                           "(`audiobook voices --engine piper`) or an eSpeak voice such as gmw/en-us+m3")
    return {"engine": engine_line, "voice": full_voice_id(voice), "variant": variant_name(variant) if variant else None,
            "rate": current.rate, "pitch": current.pitch}
