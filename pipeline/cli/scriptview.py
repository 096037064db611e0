"""The `audiobook script` views of an analysis: JSON for tools, a readable script for people.

Pure functions: they take an Analysis and return data or print to a given console.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.model import GROUP, Analysis, Segment
from pipeline.reading.paragraphs import paragraphs, pieces
from pipeline.speakers.analyse import LOW_CONFIDENCE, is_unsure, strip_marks


def to_json(analysis: Analysis) -> dict[str, Any]:
    """``{"segments": [...]}``: kind, offsets, text, speaker, confidence, rule (+ quote_id for dialogue)."""
    out = []
    for s in analysis.segments:
        item: dict[str, Any] = {
            "kind": s.kind,
            "start": s.start,
            "end": s.end,
            "text": s.text,
            "speaker": s.speaker,
            "confidence": s.confidence,
            "rule": s.rule,
        }
        if s.kind == "dialogue":
            item["quote_id"] = s.quote_id
        out.append(item)
    return {"segments": out}


def render_script(analysis: Analysis, console: Console) -> None:
    """Print the story as a script: narration indented and dim, ``Speaker: line`` for dialogue,
    unsure lines in yellow with their quote id; then a table of lines per character."""
    speakers = sorted({s.speaker for s in analysis.segments if s.speaker})
    palette = [
        "cyan",
        "magenta",
        "green",
        "blue",
        "bright_red",
        "bright_cyan",
        "bright_magenta",
        "bright_green",
    ]
    colour = {name: palette[i % len(palette)] for i, name in enumerate(speakers)}
    line: list[str] = []  # the markup of the paragraph being printed
    text = "".join(s.text for s in analysis.segments)  # segments tile the story's text
    paras = paragraphs(text)
    para: int | None = None  # the paragraph ``line`` belongs to

    def flush() -> None:
        if line:
            console.print("".join(line), highlight=False)
            line.clear()

    for seg in analysis.segments:
        if seg.kind == "narration":
            for start, end, index in pieces(paras, seg.start, seg.end):
                if index != para:
                    flush()
                    para = index
                words = " ".join(strip_marks(text[start:end]).split())
                if words:
                    line.append(f"    [dim]{escape(words)}[/]" if not line else f" [dim]{escape(words)}[/]")
            continue
        flush()
        console.print(_dialogue_markup(seg, colour), highlight=False)
    flush()
    console.print()
    console.print(_cast_table(analysis))


def _dialogue_markup(seg: Segment, colour: dict[str, str]) -> str:
    who = seg.speaker or "?"
    shown = "(several)" if who == GROUP else who
    text = escape(" ".join(seg.text.split()))
    if seg.confidence is not None and seg.confidence < LOW_CONFIDENCE:
        return (
            f"[bold yellow]{escape(shown)}?[/] [yellow]{text}[/] "
            f"[dim yellow]({seg.quote_id}, {seg.rule}, {seg.confidence:.2f})[/]"
        )
    return f"[bold {colour.get(who, 'white')}]{escape(shown)}:[/] {text}"


def _cast_table(analysis: Analysis) -> Table:
    table = Table(title="Lines per character", title_justify="left")
    table.add_column("Character")
    table.add_column("Gender", justify="center")
    table.add_column("Lines", justify="right")
    for c in analysis.characters:
        if c.lines:
            table.add_row(escape("(several at once)" if c.name == GROUP else c.name), c.gender, str(c.lines))
    unsure = sum(1 for s in analysis.segments if is_unsure(s))
    table.caption = (
        f"{unsure} unsure line(s) in yellow: pin them in <story>.speakers.yaml as 'q-xxxxxxxx: Name'"
        if unsure
        else None
    )
    return table


def render_unsure(analysis: Analysis, console: Console) -> None:
    """The lines marked unsure, one row each: the id to pin, who we think it is, how sure, why."""
    table = Table(title=f"Unsure lines (confidence under {LOW_CONFIDENCE})", title_justify="left")
    for column in ("id", "speaker?", "sure", "rule", "line"):
        table.add_column(column, justify="right" if column == "sure" else "left")
    seen: set[str] = set()
    for seg in analysis.segments:
        if seg.kind != "dialogue" or seg.quote_id in seen or seg.confidence is None:
            continue
        if seg.confidence >= LOW_CONFIDENCE:
            continue
        seen.add(seg.quote_id or "")
        words = " ".join(seg.text.split())
        table.add_row(seg.quote_id or "", escape(seg.speaker or "?"), f"{seg.confidence:.2f}", seg.rule or "",
                      escape(words[:70] + ("…" if len(words) > 70 else "")))
    console.print(table)
    lines = len({s.quote_id for s in analysis.segments if s.kind == "dialogue" and s.confidence is not None})
    console.print(f"{len(seen)} unsure line(s) of {lines} ({len(seen) / max(1, lines):.0%}; on novels the model "
                  "never saw, 95% of the sure ones were right). Pin one as `ID: Name` in the work's .speakers.yaml; "
                  "the untagged lines around it follow it.", highlight=False)
