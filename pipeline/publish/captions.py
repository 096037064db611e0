"""Captions: WebVTT and SRT for one chapter file, cues per sentence, short enough to read.

Cues come from the sentence timings (``timings.py``), counted in samples, so they are as
exact as the audio. A sentence too long for one cue is cut between words into cues of at
most ``MAX_LINES`` lines of ``MAX_LINE`` characters and ``MAX_SECONDS`` seconds (the limits
subtitle guidelines give for comfortable reading), each cut timed by the engine's word
marks. WebVTT names the speaker with a voice span (``<v Nora Quill>``); SRT, which has no
such thing, starts the cue with the name when the speaker is a character other than the
last one heard. The word-level WebVTT has the same cues with a timestamp tag before every
word (karaoke style), for players that highlight words.

Writing goes through webvtt-py; every file ends with a newline (webvtt-py's SRT writer leaves
the last cue's text as the file's last byte, which strict readers refuse). The tests read them
back with webvtt-py and pysubs2 and check the SRT grammar line by line.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import webvtt

from pipeline.fsutil import atomic_open
from pipeline.publish.timings import Sentence

NARRATOR = "Narrator"
MAX_LINE = 42  # characters a line
MAX_LINES = 2
MAX_SECONDS = 7.0


@dataclass(frozen=True)
class Cue:
    start: float  # seconds from the start of the file
    end: float
    speaker: str  # who reads it, as shown to the viewer
    text: str
    words: tuple[tuple[float, str], ...] = ()  # (start, word) of each word, for word-level WebVTT


def _one_line(text: str) -> str:
    # A blank line ends a cue in both formats, and "-->" starts a timing line.
    return " ".join(text.split()).replace("-->", "->")


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, MAX_LINE, break_on_hyphens=False) or [""]


def _fits(text: str) -> bool:
    return len(_lines(text)) <= MAX_LINES


def _tokens(sentence: Sentence) -> list[tuple[float, str]]:
    """The sentence's words as shown, each with the time it starts (from the word marks, or by
    the share of the sentence's characters before it when the engine gave none)."""
    found = list(re.finditer(r"\S+", sentence.text))
    span = sentence.end - sentence.start
    total = max(1, len(sentence.text))
    times = [sentence.start + span * m.start() / total for m in found]
    if sentence.words and sentence.text_start >= 0:
        # The sentence's text is the work's own (whitespace and all): word offsets line up with it.
        by_offset = sorted((w.text_start - sentence.text_start, w.start) for w in sentence.words)
        for i, m in enumerate(found):
            a, b = m.start(), m.end()
            hit = next((t for off, t in by_offset if a <= off < b), None)
            times[i] = hit if hit is not None else (times[i - 1] if i else sentence.start)
    times = [min(max(t, times[i - 1] if i else sentence.start), sentence.end) for i, t in enumerate(times)]
    return [(t, m.group(0)) for t, m in zip(times, found, strict=True)]


def sentence_cues(sentence: Sentence, prefix: str = "") -> list[Cue]:
    """One sentence as one or more cues within the limits; ``prefix`` (SRT's speaker name) counts
    against the first cue's room."""
    tokens = _tokens(sentence)
    cues: list[Cue] = []
    chunk: list[tuple[float, str]] = []
    for t, word in tokens:
        room = prefix if not cues else ""
        candidate = " ".join(w for _, w in [*chunk, (t, word)])
        if chunk and (not _fits(room + candidate) or t - chunk[0][0] > MAX_SECONDS):
            cues.append(_cue(sentence, chunk, t))
            chunk = []
        chunk.append((t, word))
    if chunk:
        cues.append(_cue(sentence, chunk, sentence.end))
    return _cap_length(cues)


def _cue(sentence: Sentence, chunk: Sequence[tuple[float, str]], end: float) -> Cue:
    return Cue(chunk[0][0], end, sentence.speaker, " ".join(w for _, w in chunk), tuple(chunk))


def _cap_length(cues: list[Cue]) -> list[Cue]:
    """A cue whose last word is drawn out past the limit (a long pause inside the sentence) ends
    at the limit: better a blank moment than a cue that overstays."""
    return [Cue(c.start, min(c.end, c.start + MAX_SECONDS), c.speaker, c.text, c.words) for c in cues]


def cues_of(sentences: Iterable[Sentence]) -> list[Cue]:
    """Every sentence's cues, in order, leaving out those with nothing to show or no duration."""
    out: list[Cue] = []
    for s in sentences:
        out += [c for c in sentence_cues(s, _srt_prefix(s.speaker, out)) if c.end > c.start and c.text.strip()]
    return out


def _srt_prefix(speaker: str, before: Sequence[Cue]) -> str:
    if speaker == NARRATOR or (before and before[-1].speaker == speaker):
        return ""
    return f"{speaker}: "


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_text(cue: Cue, words: bool) -> str:
    if words and cue.words:
        first, *rest = cue.words
        body = " ".join([_escape(_one_line(first[1]))] + [f"<{_stamp(t)}>{_escape(_one_line(w))}" for t, w in rest])
        # Wrap on the words, not the tags: the tags take no room on screen.
        lines = _lines(_one_line(cue.text))
        sizes = [len(line.split()) for line in lines]
        parts = body.split(" ")
        body = "\n".join(" ".join(parts[sum(sizes[:i]):sum(sizes[:i + 1])]) for i in range(len(sizes)))
    else:
        body = "\n".join(_escape(line) for line in _lines(_one_line(cue.text)))
    return f"<v {_escape(_one_line(cue.speaker))}>{body}"


def _caption(i: int, cue: Cue, text: str) -> webvtt.Caption:
    return webvtt.Caption(_stamp(cue.start), _stamp(cue.end), text, identifier=str(i))


def _ended(text: str) -> str:
    """``text`` ending with exactly one newline (an empty file stays empty)."""
    return text.rstrip("\n") + "\n" if text.strip() else ""


def webvtt_text(cues: Sequence[Cue], words: bool = False) -> str:
    return _ended(webvtt.WebVTT(captions=[_caption(i, c, _vtt_text(c, words)) for i, c in enumerate(cues, 1)]).content)


def srt_text(cues: Sequence[Cue]) -> str:
    captions = []
    for i, cue in enumerate(cues, 1):
        text = _srt_prefix(cue.speaker, cues[:i - 1]) + _one_line(cue.text)
        captions.append(_caption(i, cue, "\n".join(_lines(text))))
    out = io.StringIO()
    webvtt.WebVTT(captions=captions).write(out, format="srt")
    return _ended(out.getvalue())


def write_captions(vtt_path: Path, srt_path: Path, cues: Iterable[Cue], words_path: Path | None = None) -> None:
    """Write the caption files atomically (the word-level WebVTT too, when given a path); cues
    without duration or text are left out."""
    spoken = [c for c in cues if c.end > c.start and c.text.strip()]
    with atomic_open(vtt_path) as fh:
        fh.write(webvtt_text(spoken))
    with atomic_open(srt_path) as fh:
        fh.write(srt_text(spoken))
    if words_path is not None:
        with atomic_open(words_path) as fh:
            fh.write(webvtt_text(spoken, words=True))
