"""What both hand-edited YAML files (voices.yaml, corpus.yaml) need to turn a mistake into one line:
where a key is, what the user probably meant, and the tree as plain values for validation."""

from __future__ import annotations

import datetime
import difflib
import json
import re
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


# --------------------------------------------------------------------------- editing the text in place
# A YAML dumper re-indents, re-quotes and re-wraps; these edit the text of one value and leave every
# other byte of a hand-edited file as it was. The round-trip tree says where things are.

_PLAIN = re.compile(r"[^\W\d_][\w .'’-]*", re.UNICODE)
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

#: What YAML refuses raw in a file (DEL, C1 controls, non-characters, a BOM past the start) or
#: reads as a line break (NEL, LS, PS); JSON leaves all of these unescaped.
UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")

# A scalar on one line, as it starts at the value's column: quoted, or plain up to a comment.
_SCALAR = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^#\r\n]*?)(?=[ \t]+#|[ \t]*$)""")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def yaml_str(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is safe, double-quoted otherwise."""
    if _PLAIN.fullmatch(text) and text.casefold() not in _RESERVED and not text.endswith(" "):
        return text
    # A JSON string is a YAML double-quoted scalar, once the characters above are escaped too.
    return UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def yaml_key(text: str) -> str:
    """A mapping key for ``text`` (a name with a colon or a quote in it is quoted)."""
    return yaml_str(text)


class TextEditError(ValueError):
    """The value cannot be edited in place (a multi-line value, a one-line ``{...}`` block)."""


def set_scalar(text: str, tree: Any, keys: Sequence[str], value: str) -> str:
    """``text`` with the scalar at ``keys`` (a path of mapping keys) set to ``value``, already
    written as YAML (``yaml_str`` for strings). A missing key is added at the end of its mapping,
    with the indentation its siblings have; missing mappings on the way are made. Nothing else
    changes: comments, order, spacing and the line endings stay."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    node, parent_row, parent_col = tree, -1, -2
    for depth, key in enumerate(keys):
        if isinstance(node, CommentedMap) and node.fa.flow_style() and depth < len(keys):
            raise TextEditError(f"{'.'.join(keys[:depth])}: a one-line {{...}} mapping; write one key per line")
        if not isinstance(node, CommentedMap) or key not in node:
            at, col = _insert_point(lines, node, parent_row, parent_col)
            body = [f"{' ' * (col + 2 * i)}{yaml_key(k)}:" for i, k in enumerate(keys[depth:])]
            body[-1] += f" {value}"
            lines[at:at] = [line + newline for line in body]
            return "".join(lines)
        row, col = node.lc.key(key)
        if depth == len(keys) - 1:
            child = node[key]
            if isinstance(child, dict | list):
                raise TextEditError(f"{'.'.join(keys)}: holds a mapping or a list, not one value")
            vrow, vcol = node.lc.value(key) if child is not None else (row, None)
            if vrow != row:
                raise TextEditError(f"{'.'.join(keys)}: a value over several lines; edit it by hand")
            lines[row] = _replace_value(lines[row], col, vcol, value)
            return "".join(lines)
        node, parent_row, parent_col = node[key], row, col
    return "".join(lines)


def remove_key(text: str, tree: Any, keys: Sequence[str]) -> str:
    """``text`` without the line of the one-line entry at ``keys`` (its comment goes with it)."""
    node = tree
    for key in keys[:-1]:
        node = node[key]
    row = node.lc.key(keys[-1])[0]
    value = node[keys[-1]]
    if isinstance(value, dict | list) and value:
        raise TextEditError(f"{'.'.join(keys)}: holds a mapping or a list; remove it by hand")
    lines = text.splitlines(keepends=True)
    del lines[row]
    return "".join(lines)


def _replace_value(line: str, key_col: int, value_col: int | None, value: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if value_col is None:  # `key:` with nothing after it (or only a comment)
        colon = body.index(":", key_col)
        rest = body[colon + 1:]
        comment = rest[len(rest) - len(rest.lstrip()):] if rest.strip().startswith("#") else ""
        return f"{body[:colon + 1]} {value}{'  ' + comment.strip() if comment else ''}{ending}"
    m = _SCALAR.match(body, value_col)
    end = m.end() if m else len(body)
    return f"{body[:value_col]}{value}{body[end:]}{ending}"


def _insert_point(lines: list[str], node: Any, parent_row: int, parent_col: int) -> tuple[int, int]:
    """Where a new key goes in ``node`` (the mapping under the key at ``parent_row``; the document
    when that is -1), and its column."""
    if isinstance(node, CommentedMap) and node:
        keys = list(node)
        col = node.lc.key(keys[0])[1]
        last = node.lc.key(keys[-1])[0]
        return _block_end(lines, last, col), col
    if parent_row < 0:  # an empty document
        return len(lines), 0
    return parent_row + 1, parent_col + 2


def _block_end(lines: list[str], row: int, col: int) -> int:
    """The line after the entry starting at ``row`` (key at ``col``): its deeper lines belong to it;
    comments and blank lines after it belong to what follows."""
    last = row
    for i in range(row + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[i]) - len(lines[i].lstrip(" ")) <= col:
            break
        last = i
    return last + 1
