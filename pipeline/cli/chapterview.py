"""`audiobook chapters WORK`: what was found in a work, so a user can check before a long build."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.cli.checkview import fmt_duration
from pipeline.reading.book import Book
from pipeline.reading.corpus import MANIFEST, title_from_filename
from pipeline.reading.works import ChapterChoices, estimate_minutes, listed

FIRST_WORDS = 8


def render_chapters(name: str, book: Book, choices: ChapterChoices, console: Console) -> None:
    book_title = book.title or title_from_filename(Path(name))
    heading = book_title + (f" by {book.author}" if book.author else "")
    table = Table(title=heading, title_justify="left")
    for column in ("#", "title", "first words", "words", "time", ""):
        table.add_column(column, justify="right" if column in ("#", "words", "time") else "left")
    total = 0.0
    read = 0
    for n, ch, keep in listed(book, choices):
        body = book.text[ch.body:ch.end] or book.text[ch.start:ch.end]
        words = len(body.split())
        minutes = estimate_minutes(body)
        if keep:
            total += minutes
            read += 1
        first = " ".join(body.split()[:FIRST_WORDS])
        title = choices.titles.get(n) or ch.title or "(untitled)"
        status = "[green]read[/]" if keep else f"[yellow]skipped: {ch.skip or 'corpus.yaml'}[/]"
        table.add_row(str(n), title, first, f"{words:,}", fmt_duration(minutes * 60), status)
    console.print(table)
    for note in [*book.notes, *_missing(name, book, book_title)]:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"{read} chapter(s) read, about {fmt_duration(total * 60)} of audio "
                  "(estimated at the default rate).", highlight=False)


def _missing(name: str, book: Book, title: str) -> list[str]:
    """What the book does not say of itself, and where to say it instead."""
    out = []
    if not book.title:
        out.append(f"no title page: titled '{title}' after the file name; give its title in {MANIFEST} "
                   f"(stories: - file: {name} / title: ...)")
    if not book.author:
        out.append(f"no author found on its title page: its folder and tags will say 'Unknown Author'; "
                   f"give one in {MANIFEST} (stories: - file: {name} / author: ...)")
    return out
