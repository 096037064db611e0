"""Turn structure of a conversation: who answers whom when a line carries no tag.

The people in an exchange are the speakers of its recent lines and the people its narration
names. An untagged line goes, in order, to: the person the narration just before sets up; the
person the last line addressed by name (if that keeps to the two-person exchange); the person
the last line's tag says it was spoken to ("said the Fox to the puppet"); the speaker before
the last one (alternation); a name the next line opens with or the two lines after it
(read backwards); the person the next narration paragraph opens with; the latest person
mentioned nearby, or else a recent speaker.
"""

from __future__ import annotations

import bisect

from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.scene import Scene


def _in_run(s: Scene, qi: int) -> bool:
    """The line opens the paragraph right after (or the one of) the line before: an unbroken exchange."""
    return qi > 0 and s.quotes[qi - 1].paragraphs[-1] >= s.quotes[qi].paragraphs[0] - 1


#: Tags that name their speaker ("said Joe", "Joe said:").
_NAMING_TAGS = (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE)


class PreviousParagraph:
    """A narration paragraph just before sets up the speaker ("Tom came in from the rain.")."""

    rules = (Rule.PREVIOUS_PARAGRAPH,)

    def __init__(self, outside_exchanges: bool = False) -> None:
        self.outside_exchanges = outside_exchanges  # only for a line that opens an exchange

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None or (self.outside_exchanges and _in_run(s, qi)):
            return d
        return _previous_paragraph(s, s.quotes[qi].paragraphs[0], s.vocatives[qi])


class AddresseeVeto:
    """A person addressed in a quotation is never its speaker (pins aside), unless a tag names them:
    "said Joe" (or "asked the barge-woman") outweighs a "sir" or a name inside a story Joe tells, which
    the addressee reading takes for Joe; and "said he" in the line's own sentence outweighs it as well
    ("You are an enthusiast, I perceive, sir," said he.)."""

    rules = (Rule.FALLBACK,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is None or d.rule == Rule.PIN or not isinstance(d.speaker, int) or d.speaker not in s.vocatives[qi]:
            return d
        if d.rule in _NAMING_TAGS or d.rule == Rule.PRONOUN_TAG:
            return d
        return Decision(None, Rule.FALLBACK, 0.2, basis="addressee")


class Vocative:
    """The person the last line addressed by name answers, if that keeps to the exchange."""

    rules = (Rule.VOCATIVE,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None or not _in_run(s, qi):
            return d
        prev = s.decisions[qi - 1]
        two_back = s.other_speaker(qi, s.quotes, s.decisions)
        opening = s.opening_vocative(s.quotes[qi - 1])
        for e in s.vocatives[qi - 1]:
            if e == prev.speaker or e in s.vocatives[qi]:
                continue
            # a name later in the line may turn to someone outside the exchange
            if e in opening or two_back is None or e == two_back:
                return Decision(e, Rule.VOCATIVE, CONFIDENCE[Rule.VOCATIVE], basis="opening" if e in opening else "")
        return None


class SaidTo:
    """ "... said the Fox to the puppet": the one spoken to answers."""

    rules = (Rule.TURN_TAKING,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None or not _in_run(s, qi):
            return d
        to = s.said_to[qi - 1]
        if to is not None and to != s.decisions[qi - 1].speaker and to not in s.vocatives[qi]:
            return Decision(to, Rule.TURN_TAKING, CONFIDENCE[Rule.TURN_TAKING], basis="said-to")
        return None


class TurnTaking:
    """In an unbroken exchange, speakers alternate: the speaker before the last one."""

    rules = (Rule.TURN_TAKING,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None or not _in_run(s, qi):
            return d
        prev = s.decisions[qi - 1]
        two_back = s.other_speaker(qi, s.quotes, s.decisions)
        if two_back is not None and two_back not in s.vocatives[qi]:
            basis = "chained" if prev.rule == Rule.TURN_TAKING else "after-" + prev.rule.split("-")[0]
            return Decision(two_back, Rule.TURN_TAKING, CONFIDENCE[Rule.TURN_TAKING], basis=basis)
        return None


def _not_the_last(s: Scene, qi: int) -> set[int]:
    """Who cannot speak a line read from its surroundings: the people it addresses and the last speaker."""
    exclude = set(s.vocatives[qi])
    if qi and isinstance(s.decisions[qi - 1].speaker, int):
        exclude.add(s.decisions[qi - 1].speaker)  # type: ignore[arg-type]
    return exclude


class NextLines:
    """Read backwards from the lines after: the reply addresses the speaker by name, or two lines alternate."""

    rules = (Rule.VOCATIVE, Rule.TURN_TAKING)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None:
            return d
        return _from_the_next_lines(s, qi, s.quotes, s.decisions, s.vocatives, _not_the_last(s, qi))


class NextParagraph:
    """The narration paragraph right after opens with the speaker ("Holmes was sitting with his back to me")."""

    rules = (Rule.NEXT_PARAGRAPH,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None:
            return d
        return _next_paragraph(s, s.quotes[qi].paragraphs[-1], _not_the_last(s, qi))


class LatestMentioned:
    """The last resort: the latest person mentioned who did not just speak."""

    rules = (Rule.FALLBACK,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is not None:
            return d
        return _latest_mentioned(s, qi, s.quotes, s.decisions, _not_the_last(s, qi))


def _previous_paragraph(s: Scene, para: int, vocatives: set[int]) -> Decision | None:
    if para == 0 or para - 1 in s.quoted_paras:
        return None
    pa, pb = s.layout.paragraphs[para - 1]
    ms = [m for m in s.mentions_between(pa, pb) if m.entity is not None and m.entity not in vocatives]
    subjects = [m for m in ms if m.subject]
    pick = (subjects or ms)[-1:] if ms else []
    if pick:
        basis = "subject" if subjects else "mention"
        return Decision(pick[0].entity, Rule.PREVIOUS_PARAGRAPH, CONFIDENCE[Rule.PREVIOUS_PARAGRAPH], basis=basis)
    return None


def _latest_mentioned(
    s: Scene,
    qi: int,
    quotes: tuple[Quotation, ...],
    decisions: list[Decision],
    exclude: set[int],
) -> Decision:
    """The last resort: the latest person mentioned. In the paragraph before, anyone
    ("Anne sighed."); further back, preferably someone who took part in the recent conversation."""
    q = quotes[qi]
    recent = {d.speaker for d in decisions[max(0, qi - 6) : qi] if isinstance(d.speaker, int)}
    a = q.parts[0][0]
    k = bisect.bisect_left(s.mention_firsts, bisect.bisect_left(s.starts, a)) - 1
    first: int | None = None
    para = q.paragraphs[0]
    while k >= 0:
        m = s.mentions[k]
        if m.entity is not None and m.entity not in exclude:
            if m.entity in recent or (first is None and m.para >= para - 2):
                return Decision(m.entity, Rule.FALLBACK, CONFIDENCE[Rule.FALLBACK], basis="recent")
            if first is None:
                first = m.entity
        if m.para < para - 4 and first is not None:
            break
        k -= 1
    if first is not None:
        return Decision(first, Rule.FALLBACK, CONFIDENCE[Rule.FALLBACK])
    return Decision(None, Rule.FALLBACK, 0.0)


def _from_the_next_lines(
    s: Scene,
    qi: int,
    quotes: tuple[Quotation, ...],
    decisions: list[Decision],
    vocatives: list[set[int]],
    exclude: set[int],
) -> Decision | None:
    """An untagged line read backwards from the lines after it: the reply addresses its
    speaker by name ("Yes, all." / "Miss Hale, you have not."), or the two lines after it
    alternate between two people, the second of whom spoke it."""
    nxt = qi + 1
    if nxt >= len(quotes) or quotes[nxt].paragraphs[0] != quotes[qi].paragraphs[-1] + 1:
        return None
    after = decisions[nxt].speaker if nxt < len(decisions) else None
    for e in sorted(vocatives[nxt] & s.opening_vocative(quotes[nxt])):
        if e != after and e not in exclude:
            return Decision(e, Rule.VOCATIVE, CONFIDENCE[Rule.VOCATIVE], basis="next-line")
    if isinstance(after, int):
        exclude = exclude | {after}
    two = nxt + 1
    if two < len(decisions) and quotes[two].paragraphs[0] == quotes[nxt].paragraphs[-1] + 1:
        who = decisions[two].speaker
        if isinstance(who, int) and who not in exclude and isinstance(after, int):
            return Decision(who, Rule.TURN_TAKING, CONFIDENCE[Rule.TURN_TAKING], basis="next-lines")
    return None


def _next_paragraph(s: Scene, para: int, exclude: set[int]) -> Decision | None:
    """A narration paragraph right after a line that nothing else decides opens with its
    speaker ("Holmes was sitting with his back to me")."""
    if para + 1 >= len(s.layout.paragraphs) or para + 1 in s.quoted_paras:
        return None
    pa, pb = s.layout.paragraphs[para + 1]
    ms = s.mentions_between(pa, pb)
    first = next((m for m in ms if m.subject), None)
    if first is None or first.entity is None or first.entity in exclude or first.kind == "pronoun":
        return None
    if not s.tokens[first.first].sent_start or s.tokens[first.first].para != para + 1:
        return None
    return Decision(first.entity, Rule.NEXT_PARAGRAPH, CONFIDENCE[Rule.NEXT_PARAGRAPH])
