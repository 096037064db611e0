"""Refining a pronoun's decision by the exchange it falls in.

"Come, Tom," said he: the pronoun is the latest other man, not the one addressed. "she said" right
after a line that addressed one woman by name: she answers. A pronoun in a new paragraph right after
someone of the same gender spoke points to the other person of that gender in the exchange.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.tags import SUBORDINATORS, verb_follows
from pipeline.speakers.narrators import first_person_at


class NotTheAddressee:
    """ "Come, Tom," said he: a pronoun that resolved to the person addressed is the latest other one."""

    rules = (Rule.PRONOUN_TAG, Rule.ACTION_BEAT)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is None or not d.pronoun or d.speaker not in s.vocatives[qi]:
            return d
        gender = s.cast.entities[d.speaker].gender
        other = s.resolver.pronoun(d.at, gender, exclude=s.vocatives[qi])
        return d if other is None else replace(d, speaker=other, basis="not-the-addressee")


class PronounInExchange:
    """A pronoun after a line that addressed someone of its gender, or after a line by its referent."""

    rules = (Rule.PRONOUN_TAG, Rule.ACTION_BEAT)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is None or not d.pronoun or not qi:
            return d
        out = _addressed_before(s, qi, s.quotes, s.decisions, s.vocatives, d) or _change_of_speaker(
            s, qi, s.quotes, s.decisions, d
        )
        # "he said" is never the one who says "I" here, even after a line of theirs or to them
        return d if out.speaker == first_person_at(s.cast, s.quotes[qi].paragraphs[0]) else out


def _addressed_before(
    s: Scene, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], vocatives: list[set[int]], d: Decision
) -> Decision | None:
    """ "she said" right after a line that addressed one woman by name: she answers, unless the
    paragraph names someone of her sex before the pronoun."""
    if not isinstance(d.speaker, int) or quotes[qi].paragraphs[0] != quotes[qi - 1].paragraphs[-1] + 1:
        return None
    gender = s.cast.entities[d.speaker].gender
    prev = decisions[qi - 1].speaker
    named = [e for e in vocatives[qi - 1] if e != prev and s.cast.entities[e].gender == gender]
    if len(named) != 1 or named[0] in vocatives[qi]:
        return None
    pa = s.layout.paragraphs[quotes[qi].paragraphs[0]][0]
    for m in s.mentions_between(pa, s.tokens[d.at].start):
        named_here = m.kind in ("name", "description") and m.entity is not None
        if named_here and s.cast.entities[m.entity].gender == gender:  # type: ignore[index]
            return None  # "Pa took his pipe out ... he only said": the paragraph names him
    return replace(d, speaker=named[0], basis="addressed-before")


def _change_of_speaker(
    s: Scene, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], d: Decision
) -> Decision:
    """A pronoun in a new paragraph right after a quotation by someone of that gender
    points to the other person of that gender in the conversation: a new paragraph
    with a quotation signals a change of speaker, unless its narration names the last one."""
    q, prev_q, prev = quotes[qi], quotes[qi - 1], decisions[qi - 1]
    para = q.paragraphs[0]
    if not isinstance(d.speaker, int) or not isinstance(prev.speaker, int) or prev_q.paragraphs[-1] != para - 1:
        return d
    gender = s.cast.entities[d.speaker].gender
    if s.cast.entities[prev.speaker].gender != gender:
        return d
    # narration after the last quotation of the previous paragraph: its subject is in focus
    pa, pb = s.layout.paragraphs[para - 1]
    trailing = [m for m in s.mentions_between(prev_q.parts[-1][1], pb) if not s.tokens[m.first].quote]
    if trailing:
        first = next((m for m in trailing if m.subject), trailing[0])
        same = first.entity is not None and s.cast.entities[first.entity].gender == gender
        if first.kind == "pronoun" and same:
            # "... ." He stepped forward. / "...," he said
            return replace(d, speaker=prev.speaker, basis="kept-in-focus")
        return d
    if prev.speaker != d.speaker:
        return d
    pa, pb = s.layout.paragraphs[para]
    for m in s.mentions_between(pa, pb):
        if m.entity == d.speaker and m.kind != "pronoun" and not s.tokens[m.first].quote:
            return d  # "Holmes laughed. He ..." names the last speaker again
    other = s.other_participant(qi, quotes, decisions, d.speaker, gender)
    if other is None:
        return d
    return replace(d, speaker=other, basis="other-of-gender")


class LastToAct:
    """ "... but Martha stopped her. / 'I've got something to tell you,' she said.": a pronoun opening the
    paragraph after narration is the last person of its gender that narration shows acting (a name
    before its verb), though another was the subject its sentence began with."""

    rules = (Rule.PRONOUN_TAG,)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        if d is None or not d.pronoun or d.rule != Rule.PRONOUN_TAG or not isinstance(d.speaker, int):
            return d
        para = s.quotes[qi].paragraphs[0]
        if not para or para - 1 in s.quoted_paras:
            return d
        gender = s.cast.entities[d.speaker].gender
        pa = s.layout.paragraphs[para][0]
        if any(isinstance(m.entity, int) and s.cast.entities[m.entity].gender == gender
               for m in s.mentions_between(pa, s.tokens[d.at].start)):
            return d  # the paragraph itself names someone the pronoun may stand for
        a, b = s.layout.paragraphs[para - 1]
        acting = [m for m in s.mentions_between(a, b) if m.kind == "name" and isinstance(m.entity, int)
                  and s.cast.entities[m.entity].gender == gender and verb_follows(s, m)
                  and s.tokens[m.first - 1].low not in SUBORDINATORS]  # not "when Martha chattered"
        if not acting or acting[-1].entity == d.speaker:
            return d
        return replace(d, speaker=acting[-1].entity, basis="last-to-act")
