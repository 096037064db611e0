"""Writing voices.yaml without disturbing the person who edits it.

The program only ever adds to the file: new characters are appended as text at the
end of ``characters:``, and a character who no longer speaks in any story gets a
marker comment line above its entry. Every other byte of the file stays as it was,
which a YAML dumper cannot promise (it re-indents, re-quotes and re-wraps), so the
round-trip parser is used to find *where* to write and the writing is done on the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from pipeline.model import VoiceSettings

#: The comment line put above an entry nobody speaks for any more.
UNUSED_MARK = "# not in any story now: kept in case it comes back; delete the entry if you like"

TEMPLATE = """\
# voices.yaml: who reads what in the audiobook. Edit it freely: `audiobook build` keeps your
# comments, order and values. It only appends characters it has not met before, and marks
# (never deletes) a character who no longer speaks in any story.
#
# Every voice below is made of these knobs; what a voice leaves out comes from `defaults`:
#   engine:  espeak (eSpeak NG: the default) or piper (natural neural voices; see the README)
#   voice:   eSpeak NG voice id, e.g. gmw/en-us, gmw/en-gb-x-rp, gmw/en-gb-scotland
#            (`audiobook voices` lists them; the short form en-us works too), or a Piper
#            voice, e.g. en_US-joe-medium (`audiobook voices --engine piper`), or a .onnx file
#   variant: eSpeak only: how the voice sounds: f1-f5, m1-m8, Annie, linda, Storm, klatt, ...
#   speaker: Piper only: the speaker's number in a voice of several speakers
#   rate:    words per minute, 80-450 (both engines)
#   pitch:   eSpeak only: 0-99; 50 is the variant's natural pitch
#   volume:  0.0-1.0
# A natural narrator is two lines: `engine: piper` and `voice: en_US-joe-medium` under
# narrator (or run `audiobook cast --narrator piper`); `engine: piper` under defaults casts
# new characters on Piper voices too.
# Hear one with `audiobook preview "Madame Dupont"` or `audiobook preview gmw/en-us+f3`.

# Who reads the narration and the story titles.
narrator:
  voice: {narrator_voice}
  variant: {narrator_variant}
  rate: {narrator_rate}
  pitch: {narrator_pitch}

# Used for every knob a narrator or character leaves out.
defaults:
  voice: {defaults_voice}
  rate: {defaults_rate}
  pitch: {defaults_pitch}
  volume: {defaults_volume}

# Silences, in seconds.
pauses:
  sentence: 0.3    # between sentences of a paragraph, and between narration and a quotation
  paragraph: 0.8   # between paragraphs
  chapter: 1.5     # after a story's spoken title

# How to say words the engine gets wrong, in every voice: a word or phrase (matched whole,
# any case) -> a respelling, or eSpeak phonemes in double brackets.
lexicon:
  # Stéphane: Stay-fahn
  # n'est-ce pas: "[[nEs p'A]]"

# Changes for one story, named by its file name without .txt:
# stories:
#   01-the-margins:
#     narrator: {{pitch: 40}}
#     characters:
#       Madame Dupont: {{rate: 150}}

# One entry per speaking character: the voice knobs above, plus
#   aliases: other names the story uses for them (`audiobook script STORY` shows who says what)
#   works:   the works they are in: a book's characters are its own; entries without `works`
#            are shared by the short stories. List several works to keep one voice across a series.
#   note:    anything worth remembering; the program never reads it
characters:
"""


@dataclass(frozen=True)
class NewEntry:
    """A character to append, with the voice chosen for it."""

    name: str
    voice: str
    variant: str | None
    pitch: int | None
    rate: int
    aliases: tuple[str, ...] = ()
    comment: str = ""  # why this voice: gender, lines, stories
    works: tuple[str, ...] = ()  # the book it belongs to; () for the anthology's stories
    engine: str | None = None  # written when it is not the one `defaults` gives
    speaker: int | None = None  # of a multi-speaker Piper voice


def template(narrator: VoiceSettings, defaults: VoiceSettings) -> str:
    """A complete, commented voices.yaml with no characters yet."""
    return TEMPLATE.format(**{f"narrator_{k}": v for k, v in asdict(narrator).items()},
                           **{f"defaults_{k}": v for k, v in asdict(defaults).items()})


_PLAIN = re.compile(r"[^\W\d_][\w .'’-]*", re.UNICODE)
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


#: What YAML refuses raw in a file (DEL, C1 controls, non-characters, a BOM past the start) or
#: reads as a line break (NEL, LS, PS); JSON leaves all of these unescaped.
_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def yaml_str(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is safe, double-quoted otherwise."""
    if _PLAIN.fullmatch(text) and text.casefold() not in _RESERVED and not text.endswith(" "):
        return text
    # A JSON string is a YAML double-quoted scalar, once the characters above are escaped too.
    return _UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def entry_lines(entry: NewEntry, indent: int, step: int) -> list[str]:
    """The text of one character entry, without line endings."""
    pad, sub = " " * indent, " " * (indent + step)
    head = f"{pad}{yaml_str(entry.name)}:"
    comment = _UNSAFE.sub(" ", " ".join(entry.comment.splitlines()))  # one line that YAML accepts
    knobs = {"engine": entry.engine, "voice": entry.voice, "speaker": entry.speaker, "variant": entry.variant,
             "pitch": entry.pitch, "rate": entry.rate}
    lines = [f"{head}  # {comment}" if comment else head,
             *(f"{sub}{key}: {value}" for key, value in knobs.items() if value is not None)]
    if entry.aliases:
        lines.append(f"{sub}aliases: [{', '.join(yaml_str(a) for a in entry.aliases)}]")
    if entry.works:
        lines.append(f"{sub}works: [{', '.join(yaml_str(w) for w in entry.works)}]")
    return lines


def update_text(
    text: str,
    tree: CommentedMap,
    new: Sequence[NewEntry],
    unused: Sequence[str],
    back: Sequence[str],
) -> str:
    """``text`` with ``new`` entries appended to ``characters:``, ``unused`` entries marked
    and the mark taken off the entries in ``back``. Nothing else changes."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    chars = tree.get("characters")
    indent, step = _indents(chars)
    if isinstance(chars, CommentedMap) and not chars and chars.fa.flow_style():
        # `characters: {}`: make it a block so entries can follow it.
        row = tree.lc.key("characters")[0]
        lines[row] = re.sub(r"\{\s*\}", "", lines[row], count=1)

    # Work bottom-up so earlier line numbers stay valid: first the append, then the marks.
    edits: list[tuple[int, int, list[str]]] = []  # (line index, lines to remove, lines to insert)
    if new:
        body = [line for e in new for line in entry_lines(e, indent, step)]
        if "characters" not in tree:
            at = len(lines)
            body = ["", "characters:", *body] if lines else ["characters:", *body]
        else:
            at = _end_of_block(lines, tree, "characters")
        edits.append((at, 0, body))
    if isinstance(chars, CommentedMap):
        for name in unused:
            row = chars.lc.key(name)[0]
            if not (row > 0 and lines[row - 1].strip() == UNUSED_MARK):
                edits.append((row, 0, [" " * chars.lc.key(name)[1] + UNUSED_MARK]))
        for name in back:
            row = chars.lc.key(name)[0]
            if row > 0 and lines[row - 1].strip() == UNUSED_MARK:
                edits.append((row - 1, 1, []))
    for at, remove, insert in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[at:at + remove] = [line + newline for line in insert]
    return "".join(lines)


def _indents(chars: Any) -> tuple[int, int]:
    """The indentation of character keys and of their knobs, as the file already has them."""
    if isinstance(chars, CommentedMap) and chars:
        first = next(iter(chars))
        col = chars.lc.key(first)[1]
        body = chars[first]
        if isinstance(body, CommentedMap) and body and not body.fa.flow_style():
            return col, max(1, body.lc.key(next(iter(body)))[1] - col)
        return col, 2
    return 2, 2


def _end_of_block(lines: list[str], tree: CommentedMap, key: str) -> int:
    """The line index just after the last line belonging to a top-level key's block.

    Blank lines and unindented comments before the next top-level key belong to that
    key (they are usually its heading), so new entries go above them.
    """
    keys = list(tree)
    start = tree.lc.key(key)[0]
    pos = keys.index(key)
    end = tree.lc.key(keys[pos + 1])[0] if pos + 1 < len(keys) else len(lines)
    last = start
    for i in range(start + 1, end):
        stripped = lines[i].strip()
        if stripped and (not stripped.startswith("#") or lines[i][:1] in (" ", "\t")):
            last = i
    return last + 1


def set_narrator(text: str, tree: CommentedMap, knobs: dict[str, Any]) -> str:
    """``text`` with the narrator's block replaced by ``knobs`` (a block of its own when it was a
    one-line mapping or absent); comments above and below it, and every other line, stay."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    body = [f"  {key}: {value}" for key, value in knobs.items() if value is not None]
    if "narrator" not in tree:
        return "".join([f"narrator:{newline}", *(line + newline for line in body), newline, *lines])
    row = tree.lc.key("narrator")[0]
    end = _end_of_block(lines, tree, "narrator")
    while end > row + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")) \
            and not lines[end - 1].startswith((" ", "\t")):
        end -= 1  # keep the comment heading of the next key where it is
    comment = re.search(r"\s#.*$", lines[row].rstrip("\r\n"))
    lines[row:end] = [f"narrator:{comment.group(0) if comment else ''}{newline}", *(line + newline for line in body)]
    return "".join(lines)
