"""Sentence and word timings of a chapter file, from the speech engine's marks.

eSpeak tells where each sentence and word of a clip starts, in samples of the clip and in
characters of the text it was given. Assembly tells where each clip's first sample lands in
the chapter file. Together they place every sentence and word of the chapter in time, exact
to the sample at clip edges; inside a clip, as exact as eSpeak's events (a few ms).

The engine's text is the *spoken* text: whitespace folded to single spaces and the lexicon's
respellings substituted. Offsets are mapped back to the work's own text, so a read-along can
highlight the words as printed.

A "sentence" here is one of eSpeak's sentences within one clip: a clip never crosses a
paragraph or a change of speaker, so each sentence has one speaker. A clip cached before
marks were kept has no marks: it becomes one sentence without words (no re-render).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.voices.engines.base import Mark

#: Characters trimmed from the ends of a sentence's text: the quotation marks belong to no one.
_TRIM = " \t\r\n\"“”«»„'‘’"
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Word:
    """One spoken word, placed in the chapter file."""

    start: float  # seconds from the start of the chapter file
    end: float
    text_start: int  # offsets into the work's text
    text_end: int


@dataclass(frozen=True)
class Sentence:
    """One spoken sentence (within one clip), placed in the chapter file."""

    start: float  # seconds from the start of the chapter file
    end: float
    text_start: int  # offsets into the work's text; -1 when it is not in the text (a title, credits)
    text_end: int
    text: str  # the work's text[text_start:text_end] as is (quotation marks trimmed), or what was announced
    speaker: str  # who reads it, as captions name them
    segment: int  # index into the chapter's segments; -1 when not in the text
    words: tuple[Word, ...] = ()  # empty when the engine gave no word marks

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 4), "end": round(self.end, 4), "text_start": self.text_start,
                "text_end": self.text_end, "text": self.text, "speaker": self.speaker, "segment": self.segment,
                "words": [[round(w.start, 4), round(w.end, 4), w.text_start, w.text_end] for w in self.words]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sentence:
        words = tuple(Word(float(a), float(b), int(c), int(d)) for a, b, c, d in data["words"])
        return cls(float(data["start"]), float(data["end"]), int(data["text_start"]), int(data["text_end"]),
                   str(data["text"]), str(data["speaker"]), int(data["segment"]), words)


@dataclass(frozen=True)
class ClipPlace:
    """Where one clip's samples landed and what it said."""

    first: int  # its first sample in the chapter file
    samples: int  # its length in samples
    rate: int  # samples per second
    spoken: str  # the text the engine was given


def offset_map(spoken: str, raw: str, raw_start: int) -> Callable[[int], int]:
    """Maps an offset into ``spoken`` to one into the work's text, where ``raw`` starts at ``raw_start``.

    ``spoken`` is ``raw`` with its whitespace folded, then (perhaps) respelt by the lexicon: folding is
    undone exactly; a respelt stretch maps to the start of the words it replaced.
    """
    folded_to_raw: list[int] = []
    for i, m in enumerate(_TOKEN.finditer(raw)):
        if i:
            folded_to_raw.append(m.start() - 1)  # the folded space: the last blank before the token
        folded_to_raw.extend(range(m.start(), m.end()))
    folded_to_raw.append(len(raw))
    folded = " ".join(raw.split())
    if spoken == folded:
        return lambda i: raw_start + folded_to_raw[min(max(i, 0), len(folded))]
    ops = difflib.SequenceMatcher(None, spoken, folded, autojunk=False).get_opcodes()

    def to_folded(i: int) -> int:
        for tag, i1, i2, j1, _ in ops:
            if i1 <= i < i2:
                return j1 + (i - i1) if tag == "equal" else j1
        return len(folded)

    return lambda i: raw_start + folded_to_raw[min(max(to_folded(i), 0), len(folded))]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def clip_sentences(place: ClipPlace, marks: Sequence[Mark] | None, text: str, span: tuple[int, int],
                   speaker: str, segment: int) -> list[Sentence]:
    """The sentences (with their words) of one clip of the chapter, in order.

    ``span`` is the clip's stretch of the work's ``text``; with ``segment`` < 0 the clip says
    something not in the text (``text`` is then what it said, shown as one sentence).
    """
    def at(sample: int) -> float:
        return (place.first + min(max(sample, 0), place.samples)) / place.rate

    end_sample = place.samples
    if segment < 0 or not marks or not any(m.kind == "sentence" for m in marks):
        a, b = _trimmed(text, *span) if segment >= 0 else (-1, -1)
        shown = text[a:b] if segment >= 0 else text.strip()
        return [Sentence(at(0), at(end_sample), a, b, shown, speaker, segment)] if shown.strip() else []
    to_text = offset_map(place.spoken, text[span[0]:span[1]], span[0])
    sentences = [m for m in marks if m.kind == "sentence"]
    words = [m for m in marks if m.kind == "word"]
    out = []
    for i, s in enumerate(sentences):
        s_end = sentences[i + 1].sample if i + 1 < len(sentences) else end_sample
        a, b = _trimmed(text, to_text(s.offset), min(span[1], to_text(s.offset + max(s.length, 1) - 1) + 1))
        if not re.search(r"\w", text[a:b]):
            continue  # a lone quotation mark or dash: nothing to show or to highlight
        mine = [w for w in words if s.offset <= w.offset < s.offset + max(s.length, 1)]
        placed = []
        for j, w in enumerate(mine):
            w_end = mine[j + 1].sample if j + 1 < len(mine) else s_end
            wa, wb = to_text(w.offset), min(span[1], to_text(w.offset + max(w.length, 1) - 1) + 1)
            placed.append(Word(at(w.sample), at(max(w_end, w.sample)), wa, max(wa, wb)))
        out.append(Sentence(at(s.sample), at(max(s_end, s.sample)), a, b, text[a:b], speaker,
                            segment, tuple(placed)))
    if out:  # the clip's lead-in (silence, a quotation mark eSpeak pauses on) is its first sentence's
        out[0] = dataclasses.replace(out[0], start=at(0))
    return out


def sentences_json(sentences: Sequence[Sentence]) -> list[dict[str, Any]]:
    return [s.to_json() for s in sentences]


def sentences_from_json(data: Any) -> tuple[Sentence, ...]:
    """The inverse of ``sentences_json``; raises ValueError on anything else."""
    try:
        return tuple(Sentence.from_json(d) for d in data)
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"not a list of sentences: {exc}") from exc


