"""One file of the corpus as a work: read by its kind (.txt, .md, .epub), its chapters found,
the user's chapter choices from corpus.yaml applied.

A text with no chapter headings stays what a short story always was: one chapter of all its
text, titled as corpus.yaml (or its file name) says.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.errors import CorpusError
from pipeline.model import Chapter, Work
from pipeline.reading.book import Book, FoundChapter, without_wordless
from pipeline.reading.chapters import find_chapters
from pipeline.reading.paragraphs import paragraphs

SUFFIXES = (".txt", ".md", ".markdown", ".epub")
#: About how fast the default narrator speaks, for estimates before anything is rendered.
WORDS_PER_MINUTE = 165
LONG_MINUTES = 120  # a single chapter longer than this gets a note (ACX's limit per file)


@dataclass(frozen=True)
class ChapterChoices:
    """What corpus.yaml says about one work's chapters (all optional)."""

    pattern: str | None = None  # a regex for heading lines, instead of finding them
    skip: tuple[int | str, ...] = ()  # chapter numbers (as `audiobook chapters` lists them) or titles
    keep: tuple[int | str, ...] = ()  # front matter to read after all, by number or title
    titles: dict[int, str] = field(default_factory=dict)  # number -> the title to use


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: UTF-16 is read when its byte-order mark says so. A UTF-8 mark stays in the text as U+FEFF:
#: offsets index the file's text exactly as Python's UTF-8 decoder gives it.
_BOMS = (("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


def read_text(path: Path) -> str:
    """A text work as UTF-8 (UTF-16 with a byte-order mark too), naming the line of the first
    bad byte or control character: speech would stop there without a word."""
    try:
        if not path.is_file():
            raise CorpusError(path, "not a regular file (a folder, pipe or device); remove it from the corpus")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CorpusError(path, "file not found") from exc
    except OSError as exc:
        raise CorpusError(path, f"cannot read: {exc.strerror}") from exc
    encoding = next((enc for enc, bom in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                                "re-save the file as UTF-8", line) from exc
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        what = "a NUL byte (is it UTF-16 without a byte-order mark?)" if bad.group() == "\x00" else \
            f"the control character U+{ord(bad.group()):04X}"
        raise CorpusError(path, f"{what} in the text; re-save the file as UTF-8 text", line)
    return text


def check_inside(folder: Path, path: Path, allow_outside: bool = False) -> None:
    """A corpus file must be a regular file that resolves inside the corpus folder (a link to
    elsewhere would read, speak and publish a file the user never put in the corpus)."""
    try:
        resolved = path.resolve(strict=True)
        inside = resolved.is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError) as exc:
        raise CorpusError(path, "cannot follow this link; remove it or point it at a file in the corpus") from exc
    if not inside and not allow_outside:
        raise CorpusError(path, f"links to {resolved}, outside {folder}; copy the file into the corpus "
                                "(or build with --allow-outside-corpus)")
    if not resolved.is_file():
        raise CorpusError(path, "not a regular file (a folder, pipe or device); remove it from the corpus")


def read_book(path: Path, text: str | None = None, pattern: str | None = None) -> Book:
    """The file as a Book, whatever its kind (``text``: a .txt/.md file's text, already read)."""
    suffix = path.suffix.lower()
    if suffix == ".epub":
        from pipeline.reading.epub import read_epub

        return without_wordless(read_epub(path))
    if text is None:
        raise CorpusError(path, "internal: text files are read before their chapters are found")
    if suffix in (".md", ".markdown"):
        from pipeline.reading.markdown import read_markdown

        return without_wordless(read_markdown(text))
    return find_chapters(text, pattern)


def listed(book: Book, choices: ChapterChoices) -> list[tuple[int, FoundChapter, bool]]:
    """Every chapter found, numbered from 1, with whether it is read (the user's choices applied)."""
    out = []
    for n, ch in enumerate(book.chapters, start=1):
        keep = ch.kept
        if _chosen(n, ch, choices.skip):
            keep = False
        elif _chosen(n, ch, choices.keep):
            keep = True
        out.append((n, ch, keep))
    return out


def _chosen(n: int, ch: FoundChapter, picks: Sequence[int | str]) -> bool:
    for p in picks:
        if isinstance(p, int) and p == n:
            return True
        if isinstance(p, str) and p.casefold() in (ch.title.casefold(), _own_title(ch).casefold()):
            return True
    return False


def _own_title(ch: FoundChapter) -> str:
    return ch.title.rsplit(" — ", 1)[-1]


def to_work(path: Path, slug: str, title: str | None, number: int, book: Book, choices: ChapterChoices,
             ) -> Work:
    """The work as the pipeline reads it: the kept chapters, numbered from 1, and what was skipped."""
    found = listed(book, choices)
    kept = [(n, ch) for n, ch, keep in found if keep]
    work_title = title or book.title or path.stem
    if not kept:
        raise CorpusError(path, "every chapter is skipped; keep one in corpus.yaml (chapters: keep: [N])")
    if len(found) == 1 or (len(kept) == 1 and not kept[0][1].title):
        # a story: one chapter of all its text, as it always was
        chapters: tuple[Chapter, ...] = ()
    else:
        chapters = tuple(
            Chapter(i, choices.titles.get(n) or ch.title or f"Chapter {i}", ch.start, ch.end, ch.body,
                    unread=_numbers_only(ch))
            for i, (n, ch) in enumerate(kept, start=1))
    skipped = tuple(Chapter(n, ch.title, ch.start, ch.end, ch.body) for n, ch, keep in found if not keep)
    notes = list(book.notes)
    minutes = estimate_minutes(book.text)
    if not chapters and minutes > LONG_MINUTES and len(found) == 1:
        notes.append(f"no chapters found: one chapter of about {minutes / 60:.1f} hours; mark chapter headings "
                     "(CHAPTER 1, # Title in Markdown) or set chapters: pattern: in corpus.yaml")
    return Work(slug=slug, title=work_title, path=path, text=book.text, number=number, chapters=chapters,
                 author=book.author, language=book.language, description=book.description, year=book.year,
                 skipped=skipped, cover=book.cover.data if book.cover else None,
                 notes=tuple(notes))


def _numbers_only(ch: FoundChapter) -> tuple[tuple[int, int], ...]:
    """Where a chapter's sections are headed by a number alone ("II"): not read aloud. A section
    with a title ("III. From the Weekly Paper", a list's "1. Buy the Milk") is read as it stands."""
    return tuple((s.start, s.body) for s in ch.sections if re.fullmatch(r"[IVXLCDM]+|\d+", s.title))


def estimate_minutes(text: str) -> float:
    """How long a stretch of text takes to speak, roughly (before anything is rendered)."""
    return len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE


def split_long(work: Work, minutes: float, wpm: float) -> tuple[Work, list[str]]:
    """The book with every chapter estimated longer than ``minutes`` cut at paragraphs into parts
    that are not (ACX takes at most 120 minutes a file), and a note for each chapter cut."""
    out: list[Chapter] = []
    notes = []
    for ch in work.chapters:
        words = len(re.findall(r"\w+", work.text[ch.text_start:ch.end]))
        parts = int(words / wpm // minutes) + 1
        if parts == 1:
            out.append(ch)
            continue
        target = words / parts
        cuts = [ch.start]
        count = 0
        for para in paragraphs(work.text[ch.text_start:ch.end]):
            count += len(re.findall(r"\w+", work.text[ch.text_start + para.start:ch.text_start + para.end]))
            if count >= target * len(cuts) and len(cuts) < parts:
                cuts.append(ch.text_start + para.end)
        edges = [*cuts, ch.end]
        for k, (a, b) in enumerate(itertools.pairwise(edges), start=1):
            out.append(Chapter(0, f"{ch.title}, part {k}", a, b, ch.body if k == 1 else -1,
                               unread=tuple(u for u in ch.unread if a <= u[0] < b)))
        notes.append(f"'{ch.title}' would last about {words / wpm:.0f} minutes: read as {len(edges) - 1} parts "
                     f"of at most {minutes:.0f} (cut at paragraphs)")
    numbered = tuple(replace(c, number=i) for i, c in enumerate(out, start=1))
    return replace(work, chapters=numbered), notes
