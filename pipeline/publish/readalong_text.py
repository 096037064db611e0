"""What a read-along shows: a work's chapters as paragraphs of timed sentences, as XHTML.

The EPUB with media overlays and the read-along web page show the same markup: each
paragraph a ``<p>``, each spoken sentence a ``<span id="c1-s4" class="ra-s">`` (a quotation's
with the speaker's class and ``title``), each word a ``<span class="ra-w">`` where the page
wants words. Text between sentences (spaces, quotation marks) is plain text, so nothing of
the work's text is lost or doubled.

The markup is generated from the work's text (clean XHTML), also for a work that came from
an EPUB: its own XHTML, styles and images are not carried over.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pipeline.publish.timings import Sentence
from pipeline.reading.paragraphs import paragraphs

NARRATOR = "Narrator"


@dataclass(frozen=True)
class ReadAlongChapter:
    """One chapter file of a work, with its sentences in time."""

    number: int  # 1-based within the work
    title: str
    text_start: int  # the chapter's body in the work's text (after its heading)
    text_end: int
    audio: Path  # the chapter's audio (AAC in MP4: the part the book's M4B is joined from)
    duration: float  # seconds
    sentences: tuple[Sentence, ...]

    def heading(self) -> Sentence | None:
        """The spoken chapter title: the last announcement before the text starts."""
        before = [s for s in self.sentences if s.segment < 0 and not any(
            t.segment >= 0 and t.start <= s.start for t in self.sentences)]
        return before[-1] if before else None

    def in_text(self) -> list[Sentence]:
        """The sentences that are part of the work's text, in order."""
        return sorted((s for s in self.sentences if s.segment >= 0 and s.text_end > s.text_start),
                      key=lambda s: s.text_start)


@dataclass(frozen=True)
class ReadAlongWork:
    """A work as the read-along outputs need it."""

    slug: str
    title: str
    author: str
    language: str  # BCP 47
    narrator: str
    text: str  # the work's text: sentence offsets index into it
    chapters: tuple[ReadAlongChapter, ...]

    def speakers(self) -> list[str]:
        """Every character heard, in order of first appearance."""
        seen = dict.fromkeys(s.speaker for c in self.chapters for s in c.sentences if s.speaker != NARRATOR)
        return list(seen)


def sentence_id(chapter: int, index: int) -> str:
    return f"c{chapter}-s{index}"


def speaker_class(name: str) -> str:
    """A CSS class for a speaker, stable across builds (the name's hash, not its position)."""
    return "sp-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def speaker_colour(name: str) -> str:
    """A colour per character, the same in every build and on every page (hue from the name)."""
    hue = int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:4], 16) % 360
    return f"hsl({hue}, 65%, 36%)"


def _words(work: ReadAlongWork, s: Sentence, cut: tuple[int, int]) -> str:
    """A sentence's text within ``cut``, with a span per timed word (the page highlights them)."""
    a, b = max(s.text_start, cut[0]), min(s.text_end, cut[1])
    out, pos = [], a
    for i, w in enumerate(s.words):
        wa, wb = max(w.text_start, pos), min(w.text_end, b)
        if wb <= wa:
            continue
        out.append(escape(work.text[pos:wa]))
        out.append(f'<span class="ra-w" data-w="{i}">{escape(work.text[wa:wb])}</span>')
        pos = wb
    out.append(escape(work.text[pos:b]))
    return "".join(out)


def _sentence(work: ReadAlongWork, s: Sentence, sid: str, cut: tuple[int, int], words: bool) -> str:
    body = _words(work, s, cut) if words else escape(work.text[max(s.text_start, cut[0]):min(s.text_end, cut[1])])
    if s.speaker == NARRATOR:
        return f'<span id="{sid}" class="ra-s">{body}</span>'
    return f'<span id="{sid}" class="ra-s ra-q {speaker_class(s.speaker)}" title={quoteattr(s.speaker)}>{body}</span>'


def chapter_paragraphs(work: ReadAlongWork, chapter: ReadAlongChapter, words: bool = False) -> list[str]:
    """The chapter's body as ``<p>`` elements, every sentence in it a span with its id.

    A sentence is cut at a paragraph break only if the text has one inside it (never, since a
    clip stays within a paragraph); sentences are numbered in the order ``in_text`` gives.
    """
    sentences = chapter.in_text()
    ids = {id(s): sentence_id(chapter.number, i) for i, s in enumerate(sentences, 1)}
    body = work.text[chapter.text_start:chapter.text_end]
    out = []
    k = 0
    for para in paragraphs(body):
        a, b = chapter.text_start + para.start, chapter.text_start + para.end
        pos, parts = a, []
        while k < len(sentences) and sentences[k].text_start < b:
            s = sentences[k]
            if s.text_start >= pos:
                parts.append(escape(work.text[pos:s.text_start]))
                parts.append(_sentence(work, s, ids[id(s)], (a, b), words))
                pos = min(s.text_end, b)
            k += 1
        parts.append(escape(work.text[pos:b]))
        text = "".join(parts)
        out.append(f"<p>{_line_breaks(text)}</p>")
    return out


def _line_breaks(markup: str) -> str:
    # A paragraph's own line breaks (verse, letters) are whitespace in prose; fold them.
    return re.sub(r"\s*\n\s*", " ", markup)


def timed(chapter: ReadAlongChapter) -> list[tuple[str, Sentence]]:
    """(element id, sentence) for every sentence shown, heading first, in the order they are spoken."""
    out = [(sentence_id(chapter.number, i), s) for i, s in enumerate(chapter.in_text(), 1)]
    heading = chapter.heading()
    if heading is not None:
        out.append((f"c{chapter.number}-h", heading))
    return sorted(out, key=lambda p: p[1].start)


def clock(seconds: float) -> str:
    """A SMIL full clock value: h:mm:ss.fff."""
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h}:{m:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def speaker_css(speakers: Sequence[str]) -> str:
    return "\n".join(f".{speaker_class(n)} {{ color: {speaker_colour(n)}; }}" for n in speakers)
