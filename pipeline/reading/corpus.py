"""Find and load the stories of a corpus folder.

A corpus is a folder of UTF-8 ``.txt`` files. An optional ``corpus.yaml`` beside
them gives the anthology's title and author and, per story, its title and place in
the anthology::

    title: Café Stories
    author: Jane Writer
    year: 2024                 # optional: tags
    language: en               # optional: BCP 47, for works that do not say (else the narrator's)
    narrator: eSpeak NG voices  # optional: the narrator credit in tags ("A & B" for two)
    credits:                   # optional: what the opening and closing credits say
      opening: Café Stories, written by Jane Writer.
      closing: This has been Café Stories.
    stories:
      - file: 01-the-margins.txt
        title: The Margins
        author: Jane Writer      # optional, like year, description and language: over the work's own

Stories in the manifest come first, in its order; any other ``.txt`` file follows in
file-name order, titled after its file name (``04-the-last-train.txt`` becomes
"The Last Train"). Story files are never modified: offsets index their text as read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from pipeline.errors import CorpusError
from pipeline.model import Work
from pipeline.reading.titles import SMALL_WORDS
from pipeline.reading.works import SUFFIXES, ChapterChoices, check_inside, read_book, read_text, to_work
from pipeline.yamlutil import did_you_mean, line_of, plain

MANIFEST = "corpus.yaml"

# Numbers are fine where text is expected (``year: 2024``, ``title: 1984``).
_STRICT = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Credits(BaseModel):
    """What the spoken credits say."""

    model_config = _STRICT

    opening: str | None = None  # spoken before the first story (None: a default)
    closing: str | None = None  # spoken after the last story (None: a default)


class ChapterSpec(BaseModel):
    """A work's chapters as the user wants them (see `audiobook chapters WORK`)."""

    model_config = _STRICT

    pattern: str | None = None  # a regular expression for heading lines, instead of finding them
    skip: list[int | str] = []  # chapter numbers or titles not to read
    keep: list[int | str] = []  # front or back matter to read after all
    titles: dict[int, str] = {}  # chapter number -> the title to use


class ListedWork(BaseModel):
    """One work of the anthology, in its place."""

    model_config = _STRICT

    file: str  # a work's file in the corpus folder: .txt, .md or .epub
    title: str | None = None  # None: the book's own title, else made from the file name
    author: str | None = None  # None: the book's own author (a book's folder is named after it)
    year: str | None = None  # None: the year its title page or EPUB gives
    description: str | None = None  # None: the EPUB's own, if any (players show it)
    language: str | None = None  # BCP 47 ("en", "fr-CA"); None: the book's own, else its narrator's
    chapters: ChapterSpec | None = None


class CorpusFile(BaseModel):
    """The whole of corpus.yaml."""

    model_config = _STRICT

    title: str | None = None  # None: made from the folder's name
    author: str | None = None
    year: str | None = None
    language: str | None = None  # every work's language, unless the work or its entry says
    narrator: str | None = None
    credits: Credits | None = None
    stories: list[ListedWork] | None = None


@dataclass(frozen=True)
class Corpus:
    """The stories of a corpus folder, in anthology order, with the anthology's metadata."""

    folder: Path
    title: str  # the anthology's title
    author: str  # who wrote the stories (tags and credits)
    works: tuple[Work, ...]
    year: str | None = None  # for tags
    narrator: str | None = None  # the narrator credit for tags (None: name the voices)
    opening_credits: str | None = None  # spoken before the first story (None: a default)
    closing_credits: str | None = None  # spoken after the last story (None: a default)


def title_from_filename(path: Path) -> str:
    """``04-the_last-train.txt`` -> ``The Last Train``; ``a_room_with_a_view.txt`` -> ``A Room with a View``."""
    stem = re.sub(r"^[\d\s._-]+", "", path.stem) or path.stem
    words = [w for w in re.split(r"[\s_-]+", stem) if w]
    return " ".join(w if k and w in SMALL_WORDS else w[:1].upper() + w[1:] for k, w in enumerate(words))


def load_corpus(folder: Path, allow_outside: bool = False) -> Corpus:
    """Load every work of ``folder`` in anthology order; raise CorpusError on bad input.

    ``allow_outside``: read files that resolve outside the folder (links to elsewhere).
    """
    if not folder.exists():
        raise CorpusError(folder, "corpus folder not found; create it and put .txt stories in it")
    if not folder.is_dir():
        raise CorpusError(folder, "not a folder; pass the folder that holds the .txt stories")
    manifest = load_manifest(folder)
    entries = _listed_works(folder, manifest)
    listed = {path.name for path, _ in entries}
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        if path.name not in listed and not path.name.startswith("."):
            entries.append((path, None))
    if not entries:
        raise CorpusError(folder, "no stories found; add UTF-8 .txt files (or .md, .epub) to this folder")
    works = []
    for number, (path, entry) in enumerate(entries, start=1):
        check_inside(folder, path, allow_outside)
        choices = _choices(entry.chapters if entry else None)
        text = None if path.suffix.lower() == ".epub" else read_text(path)
        if text is not None and not text.strip():
            raise CorpusError(path, "story is empty; add its text or remove the file")
        book = read_book(path, text, choices.pattern)
        title = _optional(entry.title) if entry else None
        if title is None and book.title is None:
            title = title_from_filename(path)
        work = to_work(path, path.stem, title, number, book, choices)
        works.append(_with_entry(work, entry, manifest.spec))
    spec = manifest.spec
    credits = spec.credits or Credits()
    return Corpus(
        folder=folder,
        title=_optional(spec.title) or title_from_filename(folder.resolve()),
        author=_optional(spec.author) or "Unknown",
        works=tuple(works),
        year=_optional(spec.year),
        narrator=_optional(spec.narrator),
        opening_credits=_optional(credits.opening),
        closing_credits=_optional(credits.closing),
    )


def _with_entry(work: Work, entry: ListedWork | None, spec: CorpusFile) -> Work:
    """What corpus.yaml says of a work over what the work says of itself."""
    own = {key: _optional(getattr(entry, key)) if entry is not None else None
           for key in ("author", "year", "description", "language")}
    work = replace(work, author=own["author"] or work.author, year=own["year"] or work.year,
                    description=own["description"] or work.description,
                    language=own["language"] or work.language or _optional(spec.language))
    if work.is_book and not work.author:
        work = replace(work, notes=(*work.notes, "no author found on its title page: filed under 'Unknown "
                                      f"Author'; give one in {MANIFEST} (stories: - file: {work.path.name} / "
                                      "author: ...)"))
    return work


# --------------------------------------------------------------------------- corpus.yaml


@dataclass(frozen=True)
class Manifest:
    """A validated corpus.yaml and where its keys are (for errors that name a line)."""

    path: Path
    spec: CorpusFile
    tree: Any  # the round-trip YAML tree (None when there is no file)

    def line(self, *loc: str | int) -> int | None:
        return line_of(self.tree, loc)


def load_manifest(folder: Path) -> Manifest:
    """Read and validate ``folder/corpus.yaml`` (an empty manifest when there is none)."""
    path = folder / MANIFEST
    if not path.exists():
        return Manifest(path, CorpusFile(), None)
    try:
        tree = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CorpusError(path, f"invalid YAML: {exc.problem or exc.context}; fix the syntax", line) from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(path, "not UTF-8 text; re-save the file as UTF-8") from exc
    except OSError as exc:
        raise CorpusError(path, f"cannot read: {exc.strerror}") from exc
    if tree is None:
        return Manifest(path, CorpusFile(), None)
    if not isinstance(tree, dict):
        raise CorpusError(path, "expected a mapping with 'title', 'author' and 'stories'", 1)
    try:
        spec = CorpusFile.model_validate(plain(tree))
    except ValidationError as exc:
        raise _validation_error(path, tree, exc) from exc
    return Manifest(path, spec, tree)


def _choices(spec: ChapterSpec | None) -> ChapterChoices:
    if spec is None:
        return ChapterChoices()
    return ChapterChoices(spec.pattern, tuple(spec.skip), tuple(spec.keep), dict(spec.titles))


def _listed_works(folder: Path, manifest: Manifest) -> list[tuple[Path, ListedWork | None]]:
    """The stories corpus.yaml lists, checked: inside the folder, present, each listed once."""
    entries: list[tuple[Path, ListedWork | None]] = []
    first_line: dict[str, int | None] = {}
    for i, entry in enumerate(manifest.spec.stories or []):
        key, line = f"stories[{i}].file", manifest.line("stories", i, "file")
        name = os.path.normpath(entry.file)
        if Path(name).is_absolute() or len(Path(name).parts) != 1 or name in (".", ".."):
            raise CorpusError(manifest.path, f"{key}: {entry.file!r} is not a file of this folder; "
                                             f"put the story in {folder} and give its file name", line)
        path = folder / name
        if not path.is_file():
            names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
            hint = did_you_mean(name, names) or "check the file name; "
            raise CorpusError(manifest.path, f"{key}: story file {entry.file!r} not found in {folder}; "
                                             f"{hint}stories there: {', '.join(names) or 'none'}", line)
        if name in first_line:
            at = f" at line {first_line[name]}" if first_line[name] else ""
            raise CorpusError(manifest.path, f"{key}: {entry.file!r} is already listed{at}; "
                                             "list each story once", line)
        first_line[name] = line
        entries.append((path, entry))
    return entries


def _validation_error(path: Path, tree: Any, exc: ValidationError) -> CorpusError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    key = _dotted(loc)
    if err["type"] == "extra_forbidden":
        fields = list(_model_at(loc[:-1]).model_fields)
        why = f"unknown key {loc[-1]!r}; {did_you_mean(str(loc[-1]), fields)}valid keys: {', '.join(fields)}"
    elif err["type"] == "missing":
        why = "missing; each story needs a 'file' (and may have a 'title')"
    elif err["type"] in ("model_type", "dict_type"):
        why = f"expected a mapping with keys {', '.join(_model_at(loc).model_fields)} (got {err.get('input')!r})"
    elif err["type"] == "list_type":
        why = f"expected a list of stories, each with '- file: ...' (got {err.get('input')!r})"
    else:
        why = f"{err['msg'].lower()} (got {err.get('input')!r})"
    return CorpusError(path, f"{key}: {why}", line_of(tree, loc))


_SECTIONS: dict[str, type[BaseModel]] = {"credits": Credits, "stories": ListedWork}


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model that validates the value at ``loc``."""
    if len(loc) >= 3 and loc[0] == "stories" and loc[2] == "chapters":
        return ChapterSpec
    return _SECTIONS.get(str(loc[0]), CorpusFile) if loc else CorpusFile



def _dotted(loc: Sequence[Any]) -> str:
    """``("stories", 2, "file")`` -> ``stories[2].file``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _optional(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()
