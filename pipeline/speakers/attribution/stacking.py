"""The ranker's second pass: each candidate seen with the first pass's reading of the lines around it.

The first pass scores a line's candidates with the sieves' reading of its neighbours, so one line the
sieves gave to the wrong person misleads the lines after it. The second pass reads, for every
candidate, what the first pass made of the two lines before and the two after in the same exchange:
how likely this person spoke each of them and whether they were its best candidate (or the one its
tag names), next to the candidate's own first-pass score, rank and margin. Small trees over those
`SECOND` features, trained on the first pass's predictions for books it never saw (so they learn how
far those predictions can be trusted), give each candidate its final score. All of it is a few numpy
passes over the rows: linear in the book.
"""

from __future__ import annotations

import numpy as np

#: Neighbouring lines read, as offsets from the line.
_OFFSETS = (-2, -1, 1, 2)
#: The second pass's features, in the order of a row.
SECOND: tuple[str, ...] = (
    "own",
    "own_rank",
    "own_margin",
    "own_tag",
    *(f"{kind}_{'before' if o < 0 else 'after'}{abs(o)}" for o in _OFFSETS for kind in ("share", "best")),
    "link_before",
    "link_after",
    "run_share",
    "run_margin",
    "even_tag",
    "odd_tag",
    "even_best",
    "odd_best",
    "run_lines",
    "sieves_conf",
    "sieves_choice",
)
#: The first pass's features the second copies: how sure the sieves were of the line, and whether the
#: candidate is their choice (an action beat that names someone is seldom overturned by the exchange)
COPIED = ("rule_conf", "rule_choice")
_PARITY = 8  # lines either side read for who spoke them at even and odd distances

#: How a line joins the one before it (ranker.links): not at all, in the same paragraph, in the next one.
BROKEN, SAME_PARAGRAPH, NEXT_PARAGRAPH = 0, 1, 2


def picks(p: np.ndarray, sizes: np.ndarray, tagged: np.ndarray) -> np.ndarray:
    """Per row, whether it is its line's pick: the row its tag names, else the first of its best scored
    (a line whose rows all score 0 picks none)."""
    out = np.zeros(len(p), dtype=bool)
    kept = sizes > 0
    if not len(p):
        return out
    line = np.repeat(np.arange(len(sizes)), sizes)
    score = np.where(tagged, 2.0 + p, p)  # the tag's row above any share
    order = np.lexsort((-score, line))  # stable: equal rows keep their order
    first = order[(np.cumsum(sizes) - sizes)[kept]]
    out[first[score[first] > 0]] = True
    return out


def second_rows(p: np.ndarray, sizes: list[int], ids: np.ndarray, tagged: np.ndarray, links: list[int],
                copied: np.ndarray, only: np.ndarray | None = None) -> np.ndarray:
    """The `SECOND` features of every row (of the rows ``only`` marks, when given): ``p`` the first pass's
    share per row (0 when vetoed), ``sizes`` the rows per line, ``ids`` the candidate per row (distinct
    within a line), ``tagged`` the row a line's explicit tag names, ``links`` how each line joins the one
    before, ``copied`` the first pass's `COPIED` columns."""
    n = len(p)
    out = np.zeros((n, len(SECOND)))
    if not n:
        return out
    out[:, -len(COPIED) :] = copied
    size = np.asarray(sizes, dtype=np.intp)
    lines = len(size)
    line = np.repeat(np.arange(lines), size)
    starts = np.cumsum(size) - size
    kept = size > 0
    chosen = picks(p, size, tagged)
    # own score, rank and margin over the best other row of the line
    order = np.lexsort((-p, line))
    rank = np.empty(n)
    rank[order] = np.arange(n) - np.repeat(starts, size)
    best = np.repeat(np.maximum.reduceat(p, starts[kept]), size[kept])
    second = np.where(rank[order] == 0, -np.inf, p[order])
    second_best = np.empty(n)
    second_best[order] = np.repeat(np.maximum.reduceat(second, starts[kept]), size[kept])
    other = np.where(rank == 0, second_best, best)
    out[:, 0] = p
    out[:, 1] = rank
    out[:, 2] = p - np.where(np.isfinite(other), other, 0.0)
    has_tag = np.repeat(np.add.reduceat(tagged.astype(np.intp), starts[kept]) > 0, size[kept])
    out[:, 3] = np.where(tagged, 1.0, np.where(has_tag, -1.0, 0.0))
    # the same person in the lines around: a (line, person) key per row, looked up at line + offset
    link = np.asarray(links, dtype=np.intp)
    joined = link != BROKEN  # joined[i]: line i runs on from line i - 1
    run = np.cumsum(~joined) - 1  # the exchange of each line: a new one at each break
    span = int(ids.max()) - int(ids.min()) + 2
    key = line.astype(np.int64) * span + (ids - ids.min() + 1)
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    at = SECOND.index("link_before")
    out[:, at] = link[line]
    out[:, at + 1] = np.r_[link[1:], BROKEN][line]
    _run_columns(out, p, size, line, ids, run)
    # the lookups in the lines around, for the rows asked for only
    sel = np.flatnonzero(only) if only is not None else np.arange(n)
    out = out[sel] if only is not None else out
    line, ids_sel = line[sel], ids[sel]
    for j, o in enumerate(_OFFSETS):
        target = (line + o).astype(np.int64) * span + (ids_sel - ids.min() + 1)
        where = np.minimum(np.searchsorted(sorted_key, target), n - 1)
        reach = _reach(run, o)[line]
        hit = (sorted_key[where] == target) & reach
        row = by_key[where]
        out[:, 4 + 2 * j] = np.where(hit, p[row], 0.0)
        out[:, 5 + 2 * j] = np.where(hit, chosen[row].astype(float), np.where(reach, 0.0, -1.0))
    _parity_columns(out, line, chosen, tagged, run, (sorted_key, by_key, span, ids.min()), ids_sel)
    return out


def _run_columns(out: np.ndarray, p: np.ndarray, size: np.ndarray, line: np.ndarray, ids: np.ndarray,
                 run: np.ndarray) -> None:
    """Each candidate's mean share over the lines of its exchange, its margin over the line's other
    candidates by that, and the exchange's length in lines."""
    run_len = np.bincount(run)
    span = int(ids.max()) - int(ids.min()) + 2
    _uniq, inv = np.unique(run[line].astype(np.int64) * span + (ids - ids.min() + 1), return_inverse=True)
    share = np.bincount(inv, weights=p)[inv] / run_len[run[line]]
    kept = size > 0
    starts = (np.cumsum(size) - size)[kept]
    order = np.lexsort((-share, line))
    first = np.zeros(len(p), dtype=bool)
    first[order[starts]] = True
    best = np.repeat(np.maximum.reduceat(share, starts), size[kept])
    second = np.where(first, -np.inf, share)
    runner = np.repeat(np.maximum.reduceat(second, starts), size[kept])
    other = np.where(first, runner, best)
    at = SECOND.index("run_share")
    out[:, at] = share
    out[:, at + 1] = share - np.where(np.isfinite(other), other, 0.0)
    out[:, SECOND.index("run_lines")] = np.log1p(run_len[run[line]])


def _parity_columns(out: np.ndarray, line: np.ndarray, chosen: np.ndarray, tagged: np.ndarray, run: np.ndarray,
                    index: tuple[np.ndarray, np.ndarray, int, int], ids: np.ndarray) -> None:
    """How often the candidate's tag names them, or they are the pick, in the lines of the same exchange
    an even and an odd number of lines away (two people taking turns speak at even distances)."""
    sorted_key, by_key, span, low = index
    n = len(sorted_key)
    at = SECOND.index("even_tag")
    for o in (*range(-_PARITY, 0), *range(1, _PARITY + 1)):
        target = (line + o).astype(np.int64) * span + (ids - low + 1)
        where = np.minimum(np.searchsorted(sorted_key, target), n - 1)
        hit = (sorted_key[where] == target) & _reach(run, o)[line]
        row = by_key[where]
        odd = abs(o) % 2
        out[:, at + odd] += hit & tagged[row]
        out[:, at + 2 + odd] += hit & chosen[row]


def _reach(run: np.ndarray, o: int) -> np.ndarray:
    """Per line i, whether line i + o is in the same unbroken exchange (``run``: each line's exchange)."""
    other = np.arange(len(run)) + o
    inside = (other >= 0) & (other < len(run))
    return inside & (run == run[np.clip(other, 0, len(run) - 1)])
