"""How a book's headings nest, and which of them open chapters.

A book numbers its chapters: a numbered heading that fits no count (``6.`` then ``8.`` in a list,
the ``L.`` of "L. Frank Baum" under a preface) is not a heading. Levels come from the heading's
style (volume > book > part > chapter > ``N. Title`` > ``N``), except that a heading whose number
continues a shallower level's sequence joins that level (Sherlock Holmes's ``VII. THE ADVENTURE
OF ...`` after ``ADVENTURE VI.``). Numbered headings that start again inside every chapter are
that chapter's sections (Main Street's ``I``, ``II`` under each ``CHAPTER``), and so are bare
numerals under a prologue; numbered titles under a prologue, an epilogue, a part or a book are
its chapters.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.reading.headings import KEYWORDS, Heading, rank

#: Headings of what is not read: a table of contents, a transcriber's note.
MATTER = frozenset({"contents", "note"})
#: Headings counted by their number alone, which must fit a count to be headings at all.
COUNTED = frozenset({"numeral", "numeral-title"})
#: The rank of a chapter keyword (``CHAPTER``, ``ADVENTURE``, ``LETTER``): what holds sections, not chapters.
CHAPTER_RANK = KEYWORDS["chapter"]


def in_sequence(headings: Sequence[Heading]) -> list[Heading]:
    """The headings without numbered ones that fit no count: a number is a heading's when it is
    the first (1), when the one before or after it among the numbered headings is its neighbour,
    or when it is two on from one that fits (the heading between them lost or not recognised)."""
    counted = [h for h in headings if h.style in COUNTED and h.number is not None]
    numbers = [h.number or 0 for h in counted]
    fits = [n == 1 or (k > 0 and numbers[k - 1] == n - 1) or (k + 1 < len(numbers) and numbers[k + 1] == n + 1)
            for k, n in enumerate(numbers)]
    for k in range(1, len(counted)):
        fits[k] = fits[k] or (fits[k - 1] and numbers[k] == numbers[k - 1] + 2)
    kept = {h.block for h, ok in zip(counted, fits, strict=True) if ok}
    seen: dict[str, set[int]] = {}  # "SECOND NARRATIVE" only after a first
    for h in headings:
        if h.style.startswith("ordinal ") and h.number is not None:
            if h.number == 1 or h.number - 1 in seen.get(h.style, set()):
                kept.add(h.block)
            seen.setdefault(h.style, set()).add(h.number)
    return [h for h in headings if (h.style not in COUNTED and not h.style.startswith("ordinal "))
            or h.number is None or h.block in kept]


def levels(headings: list[Heading]) -> list[Heading]:
    """Each heading's depth: by style, unless its number continues a shallower level's sequence
    and not its own level's across parts (Treasure Island's chapter 7 under PART TWO), and the
    shallower level does not go on to use that number itself. A preface or epilogue with
    chapters right under it ("FIRST EPILOGUE" over "CHAPTER I") holds them."""
    nouns = list(dict.fromkeys(h.style for h in headings if h.style.startswith("ordinal ")))
    ranked = [(h, rank(h) + nouns.index(h.style) / (2 * len(nouns)) if h.style in nouns else rank(h))
              for h in headings]  # "FIRST PERIOD" holds the "FIRST NARRATIVE" that comes after it
    ranks = sorted({r for h, r in ranked if h.style not in MATTER})
    depth_of = {r: d for d, r in enumerate(ranks)}
    rank_of = {h.block: r for h, r in ranked}
    last: dict[int, int | None] = {}
    ever: dict[int, int | None] = {}  # the last number at each depth, not counted again in a new part
    out = []
    for n, h in enumerate(headings):
        if h.style in MATTER:
            out.append(h)
            continue
        depth = 0 if h.style == "special" else depth_of[rank_of[h.block]]  # a prologue stands alone
        own = last.get(depth)
        nxt = headings[n + 1] if n + 1 < len(headings) else None
        if h.number is not None and h.number != 1 and (own is None or h.number != own + 1) \
                and h.number != (ever.get(depth) or 0) + 1:
            for up in range(depth):
                if last.get(up) is not None and h.number == (last[up] or 0) + 1 \
                        and not _used_later(headings[n + 1:], up, depth_of, rank_of, h.number):
                    depth = up
                    break
        elif h.style == "special" and depth and nxt and nxt.block == h.block + h.blocks \
                and nxt.style in KEYWORDS and depth_of[rank(nxt)] == depth:
            depth -= 1
        last[depth] = ever[depth] = h.number
        for deeper in [d for d in last if d > depth]:
            last[deeper] = None  # a new part starts its chapters' count again
        out.append(Heading(h.block, h.blocks, h.style, h.number, h.label, h.title, depth))
    return out


def _used_later(rest: Sequence[Heading], depth: int, depth_of: dict[float, int], rank_of: dict[int, float],
                number: int) -> bool:
    """Whether a later heading of that depth's own style takes this number (a list item "4." in
    chapter III is not chapter IV when "CHAPTER IV" comes later)."""
    return any(depth_of.get(rank_of[h.block]) == depth and h.number == number for h in rest if h.style not in MATTER)


def sections(headings: Sequence[Heading]) -> tuple[list[Heading], dict[int, list[Heading]]]:
    """The headings that open chapters, and the sections of each (by its heading's block): the
    numbered headings under a chapter keyword, or numerals with no title under a prologue, an
    epilogue or a numbered title ("I. THE ARRIVAL" over "1", "2"),
    counted from 1 again inside it (from 2 under a chapter whose opening text is its first)."""
    opening: list[Heading] = []
    inside: dict[int, list[Heading]] = {}
    holder: Heading | None = None  # the chapter (or prologue) that numbered headings may be sections of
    counting = False  # its first numbered heading was 1 (or 2, its opening text the first): they are
    for h in headings:
        if holder is not None and h.style not in MATTER and h.level > holder.level and h.style in COUNTED \
                and (holder.style not in ("special", "numeral-title") or (h.style == "numeral" and not h.title)) \
                and (counting or h.number == 1 or (h.number == 2 and holder.style != "special")):
            inside.setdefault(holder.block, []).append(h)
            counting = True
            continue
        opening.append(h)
        if KEYWORDS.get(h.style) == CHAPTER_RANK or h.style in ("special", "numeral-title"):
            holder, counting = h, False
        elif holder is not None and (h.style in MATTER or h.level <= holder.level or h.style in COUNTED):
            holder = None
    return opening, inside
