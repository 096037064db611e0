"""Find and load the stories of a corpus folder.

A corpus is a folder of UTF-8 ``.txt`` files. An optional ``corpus.yaml`` beside
them gives the anthology's title and author and, per story, its title and place in
the anthology::

    title: Café Stories
    author: Jane Writer
    year: 2024                 # optional: tags
    narrator: eSpeak NG voices  # optional: the narrator credit in tags
    credits:                   # optional: what the opening and closing credits say
      opening: Café Stories, written by Jane Writer.
      closing: This has been Café Stories.
    stories:
      - file: 01-the-margins.txt
        title: The Margins

Stories in the manifest come first, in its order; any other ``.txt`` file follows in
file-name order, titled after its file name (``04-the-last-train.txt`` becomes
"The Last Train"). Story files are never modified: offsets index their text as read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from pipeline.errors import CorpusError
from pipeline.model import Story

MANIFEST = "corpus.yaml"


@dataclass(frozen=True)
class Corpus:
    """The stories of a corpus folder, in anthology order, with the anthology's metadata."""

    folder: Path
    title: str  # the anthology's title
    author: str  # who wrote the stories (tags and credits)
    stories: tuple[Story, ...]
    year: str | None = None  # for tags
    narrator: str | None = None  # the narrator credit for tags (None: name the voices)
    opening_credits: str | None = None  # spoken before the first story (None: a default)
    closing_credits: str | None = None  # spoken after the last story (None: a default)


def title_from_filename(path: Path) -> str:
    """``04-the_last-train.txt`` -> ``The Last Train``."""
    stem = re.sub(r"^[\d\s._-]+", "", path.stem) or path.stem
    words = re.split(r"[\s_-]+", stem)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def read_text(path: Path) -> str:
    """Read a story as UTF-8, naming the line of the first bad byte on failure."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CorpusError(path, "file not found") from exc
    except OSError as exc:
        raise CorpusError(path, f"cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
            line,
        ) from exc
    return text


def _load_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise CorpusError(path, f"invalid YAML: {exc.problem}; fix the syntax", line) from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(path, "not UTF-8 text; re-save the file as UTF-8") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CorpusError(path, "expected a mapping with 'title', 'author' and 'stories'")
    unknown = set(data) - {"title", "author", "stories", "year", "narrator", "credits"}
    if unknown:
        raise CorpusError(path, f"unknown key {sorted(unknown)[0]!r}; "
                                "valid keys: title, author, year, narrator, credits, stories")
    credits = data.get("credits")
    if credits is not None and (not isinstance(credits, dict) or set(credits) - {"opening", "closing"}):
        raise CorpusError(path, "credits: expected a mapping with 'opening' and/or 'closing' text")
    return data


def load_corpus(folder: Path) -> Corpus:
    """Load every story of ``folder`` in anthology order; raise CorpusError on bad input."""
    if not folder.exists():
        raise CorpusError(folder, "corpus folder not found; create it and put .txt stories in it")
    if not folder.is_dir():
        raise CorpusError(folder, "not a folder; pass the folder that holds the .txt stories")
    manifest = _load_manifest(folder)
    entries: list[tuple[Path, str]] = []
    listed: set[str] = set()
    for i, entry in enumerate(manifest.get("stories") or [], start=1):
        if not isinstance(entry, dict) or "file" not in entry:
            raise CorpusError(folder / MANIFEST, f"stories entry {i} needs a 'file' (and optional 'title')")
        path = folder / str(entry["file"])
        if path.resolve().parent != folder.resolve():
            raise CorpusError(folder / MANIFEST, f"story file {entry['file']!r} must be inside {folder}")
        if not path.is_file():
            raise CorpusError(folder / MANIFEST, f"story file {entry['file']!r} not found in {folder}")
        listed.add(path.name)
        entries.append((path, str(entry.get("title") or title_from_filename(path))))
    for path in sorted(folder.glob("*.txt")):
        if path.name not in listed:
            entries.append((path, title_from_filename(path)))
    if not entries:
        raise CorpusError(folder, "no stories found; add UTF-8 .txt files to this folder")
    stories = []
    for number, (path, title) in enumerate(entries, start=1):
        text = read_text(path)
        if not text.strip():
            raise CorpusError(path, "story is empty; add its text or remove the file")
        stories.append(Story(slug=path.stem, title=title, path=path, text=text, number=number))
    return Corpus(
        folder=folder,
        title=str(manifest.get("title") or title_from_filename(folder.resolve())),
        author=str(manifest.get("author") or "Unknown"),
        stories=tuple(stories),
        year=_optional(manifest.get("year")),
        narrator=_optional(manifest.get("narrator")),
        opening_credits=_optional((manifest.get("credits") or {}).get("opening")),
        closing_credits=_optional((manifest.get("credits") or {}).get("closing")),
    )


def _optional(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()
