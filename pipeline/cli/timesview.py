"""`audiobook script --times` and `--at`: each line with where it is heard in the last build."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.clock import clock
from pipeline.model import GROUP, Segment
from pipeline.publish.linetimes import LineTime


def render_times(segments: Sequence[Segment], times: dict[int, LineTime], only: Sequence[int] | None,
                 console: Console) -> None:
    """A table of the lines (dialogue, or every segment in ``only``) with their file and start time."""
    table = Table(title="Heard in the last build", title_justify="left")
    book = any(t.in_book is not None for t in times.values())
    columns = [("Starts", "right"), *([("In the book", "right")] if book else []), ("File", "left"),
               ("Line", "left"), ("Speaker", "left"), ("Text", "left")]
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    picked = list(only) if only is not None else [i for i, s in enumerate(segments) if s.kind == "dialogue"]
    for i in picked:
        seg = segments[i]
        t = times.get(i)
        who = "(several)" if seg.speaker == GROUP else (seg.speaker or ("Narrator" if seg.kind == "narration" else "?"))
        words = " ".join(seg.text.split())
        row = [clock(t.start, 1) if t else "-"]
        if book:
            row.append(clock(t.in_book, 1) if t and t.in_book is not None else "-")
        row += [escape(t.where) if t else "(not in the last build)", seg.quote_id or "", escape(who),
                escape(words if len(words) <= 60 else words[:57] + "...")]
        table.add_row(*row)
    console.print(table)
    if only is not None and not picked:
        console.print("Nothing is heard at that time in that file.")
