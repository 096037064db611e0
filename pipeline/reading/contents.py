"""A book's own table of contents (or list of illustrations) in plain text: where it ends, so
that it is not read, and what it lists.

A contents list is a "Contents" paragraph and the entries after it, up to the first heading with
prose of its own; its entries may be one paragraph or one each, and may wrap over two lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.reading import gutenberg
from pipeline.reading.headings import KEYWORDS, PROSE_WORDS, Block, Heading, heading_at, is_entry, rank
from pipeline.reading.numerals import NUM
from pipeline.reading.titles import is_title_text

CONTENTS = re.compile(r"^(?:(?:the |table of )?contents|(?:list of )?illustrations)\W*$", re.I)
_ENTRY = re.compile(rf"^(?:{'|'.join(KEYWORDS)})?\.?\s*{NUM}\b|\S\s{{3,}}\S|\W\d{{1,3}}$", re.I)


def skip_contents(blocks: Sequence[Block], i: int) -> int:
    """Past a table of contents: up to the first heading with prose of its own (with the part
    headings right above it), or to the first paragraph of prose."""
    listed: list[Heading] = []
    top = i
    while i < len(blocks):
        head = heading_at(blocks, i)
        if head is None:
            if gutenberg.is_transcribers_note(blocks[i].text):
                return i
            if CONTENTS.match(blocks[i].text):
                return i  # a list of illustrations after the contents: a list of its own
            if _ends_list(blocks[i]):
                above = blocks[i - 1]  # its title ("EXPLANATORY"), not an entry of the contents
                return i - 1 if i - 1 > top and len(above.lines) == 1 and is_title_text(above.text, 60) else i
            i += 1
            continue
        if has_prose(blocks, i + head.blocks):
            while listed and _just_above(blocks, listed[-1], i) and rank(listed[-1]) < rank(head):
                head = listed.pop()  # "PART ONE" right above "1", not an entry of the contents
                i = head.block
            return i
        listed.append(head)
        i += head.blocks
    return i


def _ends_list(block: Block) -> bool:
    """Prose that ends a list: not an entry however it wraps, nor one line of a list of
    illustrations ("“By rights I am a Duke!”")."""
    return is_prose(block) and not is_list(block) and not is_entry(block) \
        and not (len(block.lines) == 1 and block.words <= 12)


def _just_above(blocks: Sequence[Block], head: Heading, i: int) -> bool:
    """Whether ``head`` is right above block ``i``, or above it with only a line or two between
    that are not prose ("PROLOGUE" / "_(Extracted from a Family Paper.)_" / "I")."""
    between = blocks[head.block + head.blocks:i]
    return len(between) <= 2 and all(len(b.lines) == 1 and b.words < PROSE_WORDS for b in between)


def has_prose(blocks: Sequence[Block], i: int) -> bool:
    """Whether prose follows before the next heading (or before a line in capitals right
    under this one: EXPLANATORY, the heading of its own text)."""
    if i < len(blocks) and len(blocks[i].lines) == 1 and blocks[i].text.isupper() and is_title_text(blocks[i].text):
        return False
    while i < len(blocks) and heading_at(blocks, i) is None and not CONTENTS.match(blocks[i].text) \
            and not gutenberg.is_transcribers_note(blocks[i].text):
        if is_prose(blocks[i]) and not is_list(blocks[i]) and not is_entry(blocks[i]):
            return True
        i += 1
    return False


def is_list(block: Block) -> bool:
    """A list of contents or illustrations: most lines start with a number, end with a page
    number, or are titles."""
    lines = block.lines
    return len(lines) >= 2 and sum(bool(_ENTRY.search(ln)) or ln.isupper() or is_title_text(ln, 60)
                                   for ln in lines) >= 0.6 * len(lines)


def is_prose(block: Block) -> bool:
    """Running text, not a line of a list of contents: long, or a few sentences."""
    if gutenberg.is_editorial(block.text):
        return False
    if block.words >= PROSE_WORDS:
        return True
    return block.words >= 6 and len(block.lines) <= 3 and block.text.rstrip("\"”’'_*)").endswith((".", "!", "?"))
