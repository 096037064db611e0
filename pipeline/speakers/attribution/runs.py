"""Untagged exchanges read from both ends: alternation that disagrees with the tag after it.

Turn-taking hands an untagged line the speaker before the last one, reading forwards, so one
wrong line (or one speaker who speaks twice running) flips every line after it. When the
alternation runs into a tagged line and would give that tag's speaker two lines in a row, the
tag after the run is the better anchor: the run is re-read backwards from it, between the same
two people. A guess just before the tag (a line nothing decided) is re-read the same way.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import Decision, Rule

#: Decisions firm enough to anchor an exchange from after it.
_ANCHORS = frozenset({Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE, Rule.VOCATIVE})
#: Decisions an anchor after them may overrule: alternation and guesses.
_WEAK = frozenset({Rule.TURN_TAKING, Rule.FALLBACK})


def reread_backwards(quotes: tuple[Quotation, ...], decisions: list[Decision]) -> list[Decision]:
    """The decisions, with each run of turn-taking lines that clashes with the tag after it re-read
    backwards from that tag."""
    out = list(decisions)
    qi = 0
    while qi < len(out):
        if out[qi].rule not in _WEAK:
            qi += 1
            continue
        end = qi
        while end + 1 < len(out) and out[end + 1].rule in _WEAK and _adjacent(quotes, end + 1):
            end += 1
        _reread(quotes, out, qi, end)
        qi = end + 1
    return out


def _adjacent(quotes: tuple[Quotation, ...], k: int) -> bool:
    """Quotation ``k`` opens the paragraph right after the one quotation ``k - 1`` ends."""
    return k > 0 and quotes[k].paragraphs[0] == quotes[k - 1].paragraphs[-1] + 1


def _reread(quotes: tuple[Quotation, ...], out: list[Decision], first: int, last: int) -> None:
    anchor = last + 1
    if anchor >= len(out) or not _adjacent(quotes, anchor) or out[anchor].rule not in _ANCHORS:
        return
    speaker = out[anchor].speaker
    if not isinstance(speaker, int) or (out[last].speaker != speaker and out[last].rule is not Rule.FALLBACK):
        return  # the alternation agrees with the tag after it
    alternating = [d for d in out[max(0, first - 1) : last + 1] if d.rule is not Rule.FALLBACK]
    others = {d.speaker for d in alternating if isinstance(d.speaker, int)} - {speaker}
    if len(others) != 1:
        return  # not a two-person exchange: a third speaker may have come in
    other = others.pop()
    for k in range(last, first - 1, -1):
        who = other if (last - k) % 2 == 0 else speaker
        out[k] = replace(out[k], speaker=who, basis="from-the-tag-after")
