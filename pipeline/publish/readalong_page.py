"""The read-along web page: one index.html that opens from the file system, with no server and
no network (its style, script and timings are inside it; the chapters' audio sits beside it
in ``audio/``).

It shows the text with the sentence being spoken highlighted, and the word within it; the
speaker's name and colour; a click on a sentence plays from there (the arrow keys step by sentence); play/pause,
speed, chapters, keyboard shortcuts; the place is remembered (localStorage). It is laid out
for a phone as for a desktop, and labelled for screen readers (ARIA). The template, style
and script live in ``pipeline/data/readalong/``.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pipeline.fsutil import atomic_path, write_if_changed
from pipeline.publish.readalong_text import (
    NARRATOR,
    ReadAlongChapter,
    ReadAlongWork,
    chapter_paragraphs,
    sentence_id,
    speaker_class,
    speaker_colour,
    speaker_css,
)


def _asset(name: str) -> str:
    return resources.files("pipeline").joinpath("data", "readalong", name).read_text(encoding="utf-8")


def _audio_name(chapter: ReadAlongChapter) -> str:
    return f"audio/chapter-{chapter.number:03d}.m4a"


def page_data(work: ReadAlongWork) -> dict[str, Any]:
    """The timings the page's script reads: per chapter its audio and, per sentence shown,
    [element id, start, end, speaker index, [[word start, word end], ...]]."""
    speakers = [NARRATOR, *work.speakers()]
    index = {name: i for i, name in enumerate(speakers)}
    chapters = []
    for c in work.chapters:
        rows: list[list[Any]] = []
        for i, s in enumerate(c.in_text(), 1):
            rows.append([sentence_id(c.number, i), round(s.start, 3), round(s.end, 3), index[s.speaker],
                         [[round(w.start, 3), round(w.end, 3)] for w in s.words]])
        heading = c.heading()
        if heading is not None:
            rows.append([f"c{c.number}-h", round(heading.start, 3), round(heading.end, 3), 0, []])
        rows.sort(key=lambda r: float(r[1]))
        chapters.append({"n": c.number, "title": c.title, "audio": _audio_name(c), "duration": round(c.duration, 3),
                         "s": rows})
    return {"slug": work.slug, "title": work.title, "speakers": speakers,
            "classes": [""] + [speaker_class(n) for n in speakers[1:]], "chapters": chapters}


def _chapter_html(work: ReadAlongWork, c: ReadAlongChapter) -> str:
    paras = "\n".join(chapter_paragraphs(work, c, words=True))
    # Sentences are not Tab stops (a book would have thousands): the arrow keys step the player
    # by sentence instead, and a screen reader reads the text as prose, the playing one aria-current.
    return (f'<section id="chapter-{c.number}" aria-labelledby="c{c.number}-h" hidden>\n'
            f'<h2 id="c{c.number}-h" class="ra-s">{escape(c.title)}</h2>\n{paras}\n</section>')


def _cast(speakers: list[str]) -> str:
    if not speakers:
        return ""
    names = " ".join(f'<span class="{speaker_class(n)}">{escape(n)}</span>' for n in speakers)
    # A book may have a hundred speakers: the list stays folded until asked for.
    return (f"<details><summary>Voices: {escape(NARRATOR)} and {len(speakers)} character"
            f"{'s' if len(speakers) > 1 else ''}</summary><p><span>{escape(NARRATOR)}</span> {names}</p></details>")


def render_page(work: ReadAlongWork) -> str:
    """The page's HTML, everything but the audio inside it."""
    options = "".join(f'<option value="{i}">{escape(c.title)}</option>' for i, c in enumerate(work.chapters))
    data = json.dumps(page_data(work), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    colours = "\n".join(f".bar .speaker.{speaker_class(n)} {{ color: {speaker_colour(n)}; }}" for n in work.speakers())
    parts = {
        "@LANG@": escape(work.language), "@TITLE@": escape(work.title), "@AUTHOR@": escape(work.author),
        "@CSS@": _asset("page.css"), "@SPEAKERS@": speaker_css(work.speakers()) + "\n" + colours,
        "@CHAPTER_OPTIONS@": options, "@CAST@": _cast(work.speakers()),
        "@CHAPTERS@": "\n".join(_chapter_html(work, c) for c in work.chapters),
        "@DATA@": data, "@JS@": _asset("page.js"),
    }
    html = _asset("page.html")
    for key, value in parts.items():
        html = html.replace(key, value)
    return html


def _place_audio(source: Path, target: Path) -> None:
    """The chapter's audio beside the page: a hard link where the disk allows (no second copy)."""
    if target.exists() and target.stat().st_size == source.stat().st_size and \
            target.stat().st_mtime >= source.stat().st_mtime:
        return
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)


def write_page(index: Path, work: ReadAlongWork) -> Path:
    """Write the page (``index``) and its audio folder."""
    for c in work.chapters:
        _place_audio(c.audio, index.parent / _audio_name(c))
    write_if_changed(index, render_page(work))
    return index
