"""The `audiobook script` views of an analysis: JSON, and a readable script."""

from __future__ import annotations

from typing import Any

from pipeline.model import Analysis


def to_json(analysis: Analysis) -> dict[str, Any]:
    """``{"segments": [...]}`` with offsets, text, speaker, confidence and rule."""
    out = []
    for s in analysis.segments:
        item: dict[str, Any] = {"kind": s.kind, "start": s.start, "end": s.end, "text": s.text,
                                "speaker": s.speaker, "confidence": s.confidence, "rule": s.rule}
        if s.kind == "dialogue":
            item["quote_id"] = s.quote_id
        out.append(item)
    return {"segments": out}
