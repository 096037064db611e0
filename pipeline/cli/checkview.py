"""The `audiobook check` report as a Rich table: one row per file, failing values in red."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from pipeline.clock import fmt_duration
from pipeline.quality.check import Report


def _db(value: float | None) -> str:
    if value is None:
        return "?"
    return "silent" if math.isinf(value) else f"{value:.1f}"


def render_reports(reports: Sequence[Report], console: Console) -> None:
    table = Table(title="ACX check", title_justify="left")
    columns = [("File", "left", None), ("Duration", "right", "duration"), ("Rate", "right", "rate"),
               ("kbps", "right", "bitrate"), ("Ch", "right", "channels"), ("RMS dB", "right", "rms"),
               ("Peak dB", "right", "peak"), ("Noise dB", "right", "noise"), ("Head s", "right", "head"),
               ("Tail s", "right", "tail"), ("Chapters", "right", None), ("", "left", None)]
    for name, justify, _ in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in reports:
        m = r.measurement
        peak = max(m.peak_dbfs, m.true_peak_dbfs if m.true_peak_dbfs is not None else -math.inf)
        bitrate = f"{m.bitrate // 1000}" + (" CBR" if m.cbr else " VBR" if m.cbr is False else "")
        values = [m.path.name, fmt_duration(m.duration), str(m.sample_rate), bitrate, str(m.channels),
                  _db(m.rms_dbfs), _db(peak), _db(m.noise_floor_dbfs), f"{m.head_silence:.2f}",
                  f"{m.tail_silence:.2f}", str(len(m.chapters)),
                  "[green]pass[/]" if r.ok else "[bold red]FAIL[/]"]
        cells = [f"[red]{v}[/]" if rule and r.failed(rule) else v
                 for v, (_, _, rule) in zip(values, columns, strict=True)]
        table.add_row(*cells)
    console.print(table)
