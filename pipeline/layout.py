"""Where things are: the default inputs, and the build folder's layout, named once.

The CLI's fast path imports this before anything else, so it uses the standard library only.

    build/
      NN-slug.mp3 (.vtt .srt .timeline.json .epub)   a story's files
      anthology.m4b, anthology.mp3, manifest.json
      cover.jpg                                      drawn when the corpus has no cover
      library/<author>/<title>/                      a book's M4B, chapters, cover, metadata, read-along
      read-along/<NN-slug>/index.html                a story's read-along page
      previews/                                      `audiobook preview` WAVs
      cache/                                         nothing a user needs: the build's memory
        clips/  parts/  state.json  uptodate.json  cover*.json
"""

from __future__ import annotations

from pathlib import Path

#: What the commands read and write when not told otherwise (relative to where they run).
DEFAULT_CORPUS = Path("corpus")
DEFAULT_VOICES = Path("voices.yaml")
DEFAULT_BUILD_DIR = Path("build")

MANIFEST = "manifest.json"
CACHE = "cache"
PREVIEWS = "previews"
LIBRARY = "library"
READ_ALONG = "read-along"


class BuildLayout:
    """The places inside one build folder. (A plain class: ``dataclasses`` alone would cost the
    fast path 7 ms, a third of its time.)"""

    __slots__ = ("root",)

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"BuildLayout({self.root!r})"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    @property
    def clips(self) -> Path:
        """The clip cache, keyed by content."""
        return self.cache / "clips"

    @property
    def analysis(self) -> Path:
        """Each work's analysis (who says what), kept by the hash of its text, pins and the program."""
        return self.cache / "analysis"

    @property
    def parts(self) -> Path:
        """The AAC parts the anthology joins, and each chapter's timing."""
        return self.cache / "parts"

    @property
    def state(self) -> Path:
        """Which inputs made each output."""
        return self.cache / "state.json"

    @property
    def uptodate(self) -> Path:
        """The fast path's stamp: the inputs and outputs of the last successful build."""
        return self.cache / "uptodate.json"

    def book_folder(self, author: str | None, title: str) -> Path:
        """Where a book's files go, the way audiobook servers (Audiobookshelf) read a library."""
        from pipeline.fsutil import safe_name  # not at the top: the fast path needs none of it

        return self.library / safe_name(author or "Unknown Author") / safe_name(title)

    @property
    def previews(self) -> Path:
        return self.root / PREVIEWS

    @property
    def library(self) -> Path:
        return self.root / LIBRARY

    @property
    def cover(self) -> Path:
        """The anthology's cover, when drawn."""
        return self.root / "cover.jpg"

    @property
    def cover_stamp(self) -> Path:
        return self.cache / "cover.json"

    def book_cover_stamp(self, name: str) -> Path:
        return self.cache / f"cover-{name}.json"

    def read_along_page(self, name: str) -> Path:
        """A story's read-along page (a book's is in its library folder)."""
        return self.root / READ_ALONG / name / "index.html"

    def shared_probe(self, token: str) -> Path:
        """A file Dask workers look for, to show they share the build folder."""
        return self.root.absolute() / CACHE / f".shared-{token}"
