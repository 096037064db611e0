"""What a build is asked to do: the choices, defined once as enums and validated once, up front."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline import formats
from pipeline.errors import OptionsError
from pipeline.layout import DEFAULT_BUILD_DIR, DEFAULT_CORPUS, DEFAULT_VOICES, BuildLayout


class Format(StrEnum):
    """The per-story (per-chapter) file format; each names a codec in ``formats.FORMATS``."""

    mp3 = "mp3"
    m4b = "m4b"
    opus = "opus"
    flac = "flac"
    wav = "wav"

    @property
    def codec(self) -> formats.Codec:
        return formats.FORMATS[self.value]


class Profile(StrEnum):
    """A set of rules the outputs follow."""

    default = "default"
    acx = "acx"  # MP3 192 kbps CBR, credits as their own files, at most 120 minutes a file


class Captions(StrEnum):
    """Which captions each chapter file gets besides its sentence-level WebVTT and SRT."""

    sentences = "sentences"
    words = "words"  # also a word-level WebVTT (a timestamp before every word)


class ReadAlong(StrEnum):
    """The read-along outputs made per work: text and audio in step."""

    off = "off"
    epub = "epub"  # an EPUB 3 with media overlays
    page = "page"  # a web page that opens from the file system
    both = "both"

    @property
    def makes_epub(self) -> bool:
        return self.value in ("epub", "both")

    @property
    def makes_page(self) -> bool:
        return self.value in ("page", "both")


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; validated once, before any work."""

    corpus: Path = DEFAULT_CORPUS
    voices: Path = DEFAULT_VOICES
    build_dir: Path = DEFAULT_BUILD_DIR
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # worker processes for rendering
    format: Format | None = None  # per-story and per-chapter files; None: MP3 for stories, none for books
    profile: Profile = Profile.default
    anthology_mp3: bool = False  # also join the story MP3s into anthology.mp3 with ID3 chapters
    credits: bool = True  # speak opening and closing credits
    allow_outside_corpus: bool = False  # read corpus files that link to elsewhere
    captions: Captions = Captions.sentences
    read_along: ReadAlong = ReadAlong.off  # off by default: the EPUB and the page copy every chapter's audio
    # Render and encode on Dask: a scheduler's address (tcp://host:8786), or local:N for a cluster
    # of N single-threaded workers started for this build; None: this machine's worker processes.
    scheduler: str | None = None

    def __post_init__(self) -> None:
        # Plain strings (from a script or a test) become the enums, or a one-line error.
        enums: tuple[tuple[str, type[StrEnum]], ...] = (
            ("format", Format), ("profile", Profile), ("captions", Captions), ("read_along", ReadAlong))
        for name, enum in enums:
            value = getattr(self, name)
            if value is not None and not isinstance(value, enum):
                try:
                    object.__setattr__(self, name, enum(value))
                except ValueError:
                    choices = ", ".join(e.value for e in enum)
                    flag = name.replace("_", "-")
                    raise OptionsError(f"--{flag} {value}: unknown {flag}; choose one of {choices}") from None

    @property
    def codec(self) -> formats.Codec:
        """The codec of story files (and of chapter files, when a book gets them)."""
        return (self.format or Format.mp3).codec

    @property
    def word_captions(self) -> bool:
        return self.captions is Captions.words

    @property
    def chapter_files(self) -> bool:
        """A book gets a file per chapter besides its M4B: when a format is asked for, or ACX's rules."""
        return self.format is not None or self.profile is Profile.acx

    @property
    def layout(self) -> BuildLayout:
        """The places inside the build folder."""
        return BuildLayout(self.build_dir)

    def validate(self) -> None:
        """Reject choices that do not go together, naming them."""
        if self.profile is Profile.acx and self.format not in (None, Format.mp3):
            raise OptionsError(f"--profile acx makes MP3 files (ACX accepts nothing else); "
                               f"drop --format {self.format} or the profile")
        if self.anthology_mp3 and self.format not in (None, Format.mp3):
            raise OptionsError(f"--anthology-mp3 joins the story MP3s; it needs --format mp3, not {self.format}")
        if self.jobs < 1:
            raise OptionsError(f"--jobs {self.jobs}: use 1 or more worker processes")
        if self.scheduler is not None and not _SCHEDULER.fullmatch(self.scheduler):
            raise OptionsError(f"--scheduler {self.scheduler}: give a scheduler's address (tcp://HOST:8786) "
                               "or local:N for N workers on this machine")

    @property
    def local_workers(self) -> int | None:
        """N for ``--scheduler local:N`` (``local`` alone: --jobs); None for a remote scheduler or none."""
        if self.scheduler is None or not self.scheduler.startswith("local"):
            return None
        _, _, count = self.scheduler.partition(":")
        return int(count) if count else self.jobs


#: local, local:N (N >= 1), or an address Dask connects to: [scheme://]host:port.
_SCHEDULER = re.compile(r"local(:[1-9][0-9]*)?|([a-z]+://)?[^\s:/]+:[0-9]{1,5}|[a-z]+://\S+")
