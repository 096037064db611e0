"""What the cast tests read of a text they write: its cast, and who speaks each line of dialogue."""

from __future__ import annotations

from pipeline.reading.segment import split
from pipeline.speakers.analyse import analyse
from pipeline.speakers.characters import Cast, find_cast
from pipeline.speakers.tokens import tokenize


def cast_of(text: str) -> Cast:
    layout = split(text)
    cast, _ = find_cast(layout, tokenize(layout))
    return cast


def speakers(text: str) -> list[str | None]:
    return [s.speaker for s in analyse(text).segments if s.kind == "dialogue"]
