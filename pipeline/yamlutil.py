"""What both hand-edited YAML files (voices.yaml, corpus.yaml) need to turn a mistake into one line:
where a key is, what the user probably meant, and the tree as plain values for validation."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq


def line_of(node: Any, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the key at ``loc`` in a round-trip YAML tree, as deep as it goes."""
    line = None
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def did_you_mean(word: str, choices: Sequence[str], display: dict[str, str] | None = None) -> str:
    """``"did you mean 'pitch'? "`` for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if not close:
        return ""
    return f"did you mean {(display or {}).get(close[0], close[0])!r}? "


def plain(node: Any) -> Any:
    """Round-trip YAML nodes as plain dicts, lists and scalars, for validation."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, datetime.date):  # ``year: 2024-05-01``
        return node.isoformat()
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node
