"""Turn structure of a conversation: who answers whom when a line carries no tag.

The people in an exchange are the speakers of its recent lines and the people its narration
names. An untagged line goes, in order, to: the person the narration just before sets up; the
person the last line addressed by name (if that keeps to the two-person exchange); the person
the last line's tag says it was spoken to ("said the Fox to the puppet"); the speaker before
the last one (alternation); a name the next line opens with or the two lines after it
(read backwards); the person the next narration paragraph opens with; the latest person
mentioned nearby, or else a recent speaker. A pronoun in a new paragraph right after someone of
the same gender spoke points to the other person of that gender in the exchange.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from pipeline.model import GROUP
from pipeline.reading.lexicon import ABBREVIATIONS, TITLES, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Layout, Quotation
from pipeline.speakers.characters import Cast
from pipeline.speakers.mentions import Mention, Resolver
from pipeline.speakers.tokens import Token

CONFIDENCE = {
    "pin": 1.0,
    "explicit-tag-after": 0.95,
    "explicit-tag-before": 0.9,
    "pronoun-tag": 0.85,
    "group-tag": 0.85,
    "action-beat": 0.75,
    "previous-paragraph": 0.6,
    "vocative": 0.65,
    "turn-taking": 0.6,
    "next-paragraph": 0.4,
    "fallback": 0.3,
}


_AUNT = frozenset({"aunt", "auntie", "aunty"})
#: Family words used in address, lower case or not ("Yes, auntie."), to the titles they stand for.
_FAMILY_ADDRESS = {
    "aunt": _AUNT,
    "auntie": _AUNT,
    "aunty": _AUNT,
    "uncle": frozenset({"uncle"}),
    "grandma": frozenset({"grandma", "granny"}),
    "granny": frozenset({"grandma", "granny"}),
    "grandpa": frozenset({"grandpa"}),
}
#: Honorifics said to someone, and the sex of the person they address.
_HONORIFICS = {"sir": "M", "miss": "F", "madam": "F", "ma'am": "F", "ma’am": "F", "madame": "F"}
#: Words that may stand between a sentence's start and the name it addresses.
_ADDRESS_WORDS = frozenset({"poor", "dear", "dearest", "my", "oh", "o", "ah", "good", "little", "silly", "old"})


@dataclass
class Decision:
    """The speaker chosen for one quotation, and why."""

    speaker: int | str | None  # entity index, GROUP, or None when nothing fits
    rule: str
    confidence: float
    pronoun: bool = False  # decided by a pronoun ("he said", "She shrugged.")
    at: int = -1  # the token of that pronoun
    basis: str = ""  # which case of the rule decided it, for the calibration table ("name", "after-tag")

    @property
    def key(self) -> str:
        """The row of the calibration table this decision is measured in."""
        return f"{self.rule}/{self.basis}" if self.basis else self.rule


class Conversation:
    """The context sieves; mixed into the attribution sieves, which set these attributes."""

    layout: Layout
    tokens: list[Token]
    cast: Cast
    resolver: Resolver
    mentions: list[Mention]
    starts: list[int]
    mention_firsts: list[int]
    quoted_paras: set[int]
    said_to: list[int | None]  # per quotation, the person its tag says it is spoken to, if any
    by_first: dict[int, Mention]

    def _change_of_speaker(
        self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], d: Decision
    ) -> Decision:
        """A pronoun in a new paragraph right after a quotation by someone of that gender
        points to the other person of that gender in the conversation: a new paragraph
        with a quotation signals a change of speaker, unless its narration names the last one."""
        q, prev_q, prev = quotes[qi], quotes[qi - 1], decisions[qi - 1]
        para = q.paragraphs[0]
        if not isinstance(d.speaker, int) or not isinstance(prev.speaker, int) or prev_q.paragraphs[-1] != para - 1:
            return d
        gender = self.cast.entities[d.speaker].gender
        if self.cast.entities[prev.speaker].gender != gender:
            return d
        # narration after the last quotation of the previous paragraph: its subject is in focus
        pa, pb = self.layout.paragraphs[para - 1]
        trailing = [m for m in self._mentions_between(prev_q.parts[-1][1], pb) if not self.tokens[m.first].quote]
        if trailing:
            first = next((m for m in trailing if m.subject), trailing[0])
            same = first.entity is not None and self.cast.entities[first.entity].gender == gender
            if first.kind == "pronoun" and same:
                # "... ." He stepped forward. / "...," he said
                return replace(d, speaker=prev.speaker, basis="kept-in-focus")
            return d
        if prev.speaker != d.speaker:
            return d
        pa, pb = self.layout.paragraphs[para]
        for m in self._mentions_between(pa, pb):
            if m.entity == d.speaker and m.kind != "pronoun" and not self.tokens[m.first].quote:
                return d  # "Holmes laughed. He ..." names the last speaker again
        other = self._other_participant(qi, quotes, decisions, d.speaker, gender)
        if other is None:
            return d
        return replace(d, speaker=other, basis="other-of-gender")

    def _other_participant(
        self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], last: int, gender: str
    ) -> int | None:
        """The latest other speaker of ``gender`` in the conversation before quotation ``qi``."""
        para = quotes[qi].paragraphs[0]
        for k in range(qi - 1, max(-1, qi - 12), -1):
            if quotes[k].paragraphs[-1] < para - 3:
                return None
            para = quotes[k].paragraphs[0]
            who = decisions[k].speaker
            if isinstance(who, int) and who != last and self.cast.entities[who].gender == gender:
                if self.cast.is_narrator(who):
                    continue  # "he said" is never the one who says "I"
                return who
        return None

    def _mentions_between(self, a: int, b: int) -> list[Mention]:
        lo = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, a))
        hi = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, b))
        return self.mentions[lo:hi]

    # ------------------------------------------------------------------ the narration around a line

    def _said_to(self, q: Quotation) -> int | None:
        """The person a quotation's tag says it is spoken to: "said to the puppet", "said the Fox
        to the puppet", "cried, turning to Tom"; None when the tag names no one."""
        regions = [*(self._after(b) for _, b in q.parts), self._before(q.parts[0][0])]
        para = q.paragraphs[0]
        if para and self._leads_on(para - 1):  # '... said to the puppet:' over the line
            regions.append(self._before(self.layout.paragraphs[para - 1][1]))
        for idx in regions:
            lows = [self.tokens[i].low for i in idx]
            for p in range(len(idx)):
                span = speech_verb_at(lows, p)
                if not span or lows[p] in WEAK_SPEECH_VERBS:
                    continue
                for r in range(p + span, min(len(idx) - 1, p + span + 6)):
                    if lows[r] in (".", "!", "?", ";", ":"):
                        break
                    if lows[r] == "to":
                        m = self.by_first.get(idx[r] + 1)
                        if m is not None and isinstance(m.entity, int) and m.kind != "group":
                            return m.entity
                        break
        return None

    def _leads_on(self, para: int) -> bool:
        """Paragraph ``para`` ends its narration with a colon ("so I said:--", "He interrupted:"),
        and the next paragraph opens with a quotation."""
        a, b = self.layout.paragraphs[para]
        tail = self.layout.text[a:b].rstrip().rstrip("-—–").rstrip()
        return tail.endswith(":") and para + 1 in self.quoted_paras

    def _after(self, end: int) -> list[int]:
        """Narration token indexes after a part, to the end of the sentence or the next quotation."""
        k = bisect.bisect_left(self.starts, end)
        out: list[int] = []
        para = self.tokens[k].para if k < len(self.tokens) else -1
        while k < len(self.tokens) and len(out) < 16:
            t = self.tokens[k]
            if t.para != para or (t.quote and t.start >= end):
                break
            if t.text in ".!?;" and out:
                out.append(k)
                break
            out.append(k)
            k += 1
        return out

    def _before(self, start: int) -> list[int]:
        """Narration token indexes of the clause that leads into a part."""
        k = bisect.bisect_left(self.starts, start) - 1
        out: list[int] = []
        para = self.tokens[k].para if k >= 0 else -1
        while k >= 0 and len(out) < 25:
            t = self.tokens[k]
            if t.para != para or t.quote or (t.text in ".!?" and out and not self._abbrev(k)):
                break
            out.append(k)
            k -= 1
        out.reverse()
        words = [i for i in out if self.tokens[i].text[0].isalnum() or self.tokens[i].text in ",:—"]
        if not words:
            return []
        last = self.tokens[words[-1]]
        if last.text not in ",:—" and not speech_verb_at([last.low], 0):
            return []
        return out

    def _abbrev(self, k: int) -> bool:
        return (
            k > 0 and self.tokens[k].text == "." and self.tokens[k - 1].low in ABBREVIATIONS
        )


    # ------------------------------------------------------------------ context

    def _vocatives(self, q: Quotation) -> set[int]:
        out: set[int] = set()
        for a, b in q.parts:
            out |= self._vocatives_in(bisect.bisect_left(self.starts, a), bisect.bisect_left(self.starts, b))
        return out

    def _vocatives_in(self, lo: int, hi: int) -> set[int]:
        out: set[int] = set()
        for k in range(lo, hi):
            t = self.tokens[k]
            if t.low in _FAMILY_ADDRESS and self._set_off(k, lo, hi):
                out |= self._one_with_title(_FAMILY_ADDRESS[t.low])  # "Now, auntie, you know I do"
                continue
            if t.low in _HONORIFICS and self._set_off(k, lo, hi):
                out |= self._one_in_the_scene(k, _HONORIFICS[t.low])  # "Pray take a seat, sir."
                continue
            if not t.cap or not t.text[0].isalpha():
                continue
            prev = self.tokens[k - 1] if k > lo else None
            you_are = prev is not None and prev.low == "are" and k - 2 >= lo and self.tokens[k - 2].low == "you"
            if you_are or (prev is not None and prev.low in ("you’re", "you're")):
                name = self._name_from(k, hi)
                if not any(self.tokens[i].poss for i in range(k, k + len(name.split()))):
                    out.update(self._addressed_as(name))  # "you're Jordan Baker", not "you're Tom's friend"
                continue
            if prev is not None and prev.text not in ",!?.;—" and not self._address_word(k - 1, lo):
                continue
            if prev is not None and prev.text == "." and k - 2 >= lo and self.tokens[k - 2].low in TITLES:
                continue  # "this is my friend Dr. Watson": a title's full stop
            end = k
            while end + 1 < hi and self.tokens[end + 1].cap and self.tokens[end + 1].text[0].isalpha():
                end += 1
            nxt = self.tokens[end + 1] if end + 1 < hi else None
            if nxt is not None and nxt.text not in ",!?.;—":
                continue
            if prev is None and nxt is None:
                continue
            if prev is not None and nxt is not None and prev.text == "—" and nxt.text == "—":
                continue  # "his name is Armitage—Percy Armitage—the second son": apposition
            if prev is None and nxt is not None and nxt.text != ",":
                continue
            form = " ".join(self.tokens[i].text.rstrip(".") for i in range(k, end + 1))
            out.update(self._addressed_as(form.replace("’s", "")))
            for e, ent in enumerate(self.cast.entities):
                if form.lower() in ent.roles:
                    out.add(e)
        return out

    def _set_off(self, k: int, lo: int, hi: int) -> bool:
        """Token ``k`` stands alone between commas or the line's edges ("Now, auntie, you ...")."""
        before = k == lo or self.tokens[k - 1].text in ",!?.;—"
        after = k + 1 >= hi or self.tokens[k + 1].text in ",!?.;—"
        return before and after and not self.tokens[k].poss

    def _one_in_the_scene(self, k: int, gender: str) -> set[int]:
        """The one person of ``gender`` the narration of the last few paragraphs mentions, for a
        line that says "sir" or "miss"; nobody when there are several."""
        para = self.tokens[k].para
        hi = bisect.bisect_left(self.mention_firsts, k)
        found: set[int] = set()
        for m in reversed(self.mentions[max(0, hi - 40) : hi]):
            if m.para < para - 6:
                break
            if m.entity is not None and m.kind != "narrator" and self.cast.entities[m.entity].gender == gender:
                found.add(m.entity)
        return found if len(found) == 1 else set()

    def _one_with_title(self, titles: frozenset[str]) -> set[int]:
        """The one named character who bears one of ``titles`` ("Aunt Polly" for "auntie")."""
        found = {e for e, ent in enumerate(self.cast.entities) if ent.kind == "named" and ent.title in titles}
        return found if len(found) == 1 else set()

    def _address_word(self, k: int, lo: int) -> bool:
        """Token ``k`` is a word of address opening a sentence before a name ("Poor Pinocchio!",
        "Dear Jo,", "Oh, Tom", "My dear Lucy")."""
        if self.tokens[k].low not in _ADDRESS_WORDS:
            return False
        j = k - 1
        while j >= lo and self.tokens[j].low in _ADDRESS_WORDS:
            j -= 1
        return j < lo or self.tokens[j].text in ",!?.;—“‘\"'"

    def _context(
        self,
        qi: int,
        quotes: tuple[Quotation, ...],
        decisions: list[Decision],
        vocatives: list[set[int]],
        final: bool = False,
    ) -> Decision:
        q = quotes[qi]
        para = q.paragraphs[0]
        prev_q = quotes[qi - 1] if qi else None
        in_run = prev_q is not None and prev_q.paragraphs[-1] >= para - 1
        # a narration paragraph just before sets up the speaker
        if not in_run or (prev_q is not None and prev_q.paragraphs[-1] < para - 1):
            d = self._previous_paragraph(para, vocatives[qi])
            if d is not None:
                return d
        if in_run and prev_q is not None and qi < len(decisions):
            prev = decisions[qi - 1]
            # the person just addressed by name answers
            two_back = self._other_speaker(qi, quotes, decisions)
            opening = self._opening_vocative(prev_q)
            for e in vocatives[qi - 1]:
                if e == prev.speaker or e in vocatives[qi]:
                    continue
                # a name later in the line may turn to someone outside the exchange
                if e in opening or two_back is None or e == two_back:
                    return Decision(e, "vocative", CONFIDENCE["vocative"], basis="opening" if e in opening else "")
            # "... said the Fox to the puppet": the one spoken to answers
            to = self.said_to[qi - 1]
            if to is not None and to != prev.speaker and to not in vocatives[qi]:
                return Decision(to, "turn-taking", CONFIDENCE["turn-taking"], basis="said-to")
            if two_back is not None and two_back not in vocatives[qi]:
                basis = "chained" if prev.rule == "turn-taking" else "after-" + prev.rule.split("-")[0]
                return Decision(two_back, "turn-taking", CONFIDENCE["turn-taking"], basis=basis)
        d = self._previous_paragraph(para, vocatives[qi])
        if d is not None:
            return d
        if not final:
            return Decision(None, "fallback", 0.0)
        exclude = set(vocatives[qi])
        if qi and decisions[qi - 1].speaker is not None and isinstance(decisions[qi - 1].speaker, int):
            exclude.add(decisions[qi - 1].speaker)  # type: ignore[arg-type]
        d = self._from_the_next_lines(qi, quotes, decisions, vocatives, exclude)
        if d is not None:
            return d
        d = self._next_paragraph(q.paragraphs[-1], exclude)
        if d is not None:
            return d
        return self._latest_mentioned(qi, quotes, decisions, exclude)

    def _latest_mentioned(
        self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], exclude: set[int],
    ) -> Decision:
        """The last resort: the latest person mentioned. In the paragraph before, anyone
        ("Anne sighed."); further back, preferably someone who took part in the recent conversation."""
        q = quotes[qi]
        recent = {d.speaker for d in decisions[max(0, qi - 6) : qi] if isinstance(d.speaker, int)}
        a = q.parts[0][0]
        k = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, a)) - 1
        first: int | None = None
        para = q.paragraphs[0]
        while k >= 0:
            m = self.mentions[k]
            if m.entity is not None and m.entity not in exclude:
                if m.entity in recent or (first is None and m.para >= para - 2):
                    return Decision(m.entity, "fallback", CONFIDENCE["fallback"], basis="recent")
                if first is None:
                    first = m.entity
            if m.para < para - 4 and first is not None:
                break
            k -= 1
        if first is not None:
            return Decision(first, "fallback", CONFIDENCE["fallback"])
        return Decision(None, "fallback", 0.0)

    def _from_the_next_lines(
        self,
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
        for e in sorted(vocatives[nxt] & self._opening_vocative(quotes[nxt])):
            if e != after and e not in exclude:
                return Decision(e, "vocative", CONFIDENCE["vocative"], basis="next-line")
        if isinstance(after, int):
            exclude = exclude | {after}
        two = nxt + 1
        if two < len(decisions) and quotes[two].paragraphs[0] == quotes[nxt].paragraphs[-1] + 1:
            who = decisions[two].speaker
            if isinstance(who, int) and who not in exclude and isinstance(after, int):
                return Decision(who, "turn-taking", CONFIDENCE["turn-taking"], basis="next-lines")
        return None

    def _name_from(self, k: int, hi: int) -> str:
        end = k
        while end + 1 < hi and self.tokens[end + 1].cap and self.tokens[end + 1].text[0].isalpha():
            end += 1
        return " ".join(self.tokens[i].text.rstrip(".") for i in range(k, end + 1)).replace("’s", "").replace("'s", "")

    def _addressed_as(self, form: str) -> list[int]:
        """Who a name used in address points to; a surname ("Come, Darcy", "you're Jordan Baker")
        names the one person of that surname."""
        found = self.cast.lookup(form)
        words = form.lower().split()
        if found or not words or words[0] in TITLES or len(words) > 2:
            return found
        same = [e for e, ent in enumerate(self.cast.entities) if ent.surname and ent.surname.lower() == words[-1]]
        return same if len(same) == 1 else []

    def _opening_vocative(self, q: Quotation) -> set[int]:
        """Who a quotation addresses by name in its first sentence ("No, Kit." / "Mr. Ashby, you ...")."""
        a, b = q.parts[0]
        lo, hi = bisect.bisect_left(self.starts, a), bisect.bisect_left(self.starts, b)
        end = lo
        while end < hi and (self.tokens[end].text not in ".!?" or self.tokens[end - 1].low in TITLES):
            end += 1
        return self._vocatives_in(lo, min(hi, end + 1))

    def _other_speaker(self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision]) -> int | None:
        """In an unbroken run of dialogue, the speaker before the last one (group lines skipped)."""
        last: int | None = None
        para = quotes[qi].paragraphs[0]
        for k in range(qi - 1, -1, -1):
            if quotes[k].paragraphs[-1] < para - 1:
                return None
            para = quotes[k].paragraphs[0]
            who = decisions[k].speaker
            if who is None or who == GROUP or isinstance(who, str):
                continue
            if last is None:
                last = who
            elif who != last:
                return who
        return None

    def _next_paragraph(self, para: int, exclude: set[int]) -> Decision | None:
        """A narration paragraph right after a line that nothing else decides opens with its
        speaker ("Holmes was sitting with his back to me")."""
        if para + 1 >= len(self.layout.paragraphs) or para + 1 in self.quoted_paras:
            return None
        pa, pb = self.layout.paragraphs[para + 1]
        ms = self._mentions_between(pa, pb)
        first = next((m for m in ms if m.subject), None)
        if first is None or first.entity is None or first.entity in exclude or first.kind == "pronoun":
            return None
        if not self.tokens[first.first].sent_start or self.tokens[first.first].para != para + 1:
            return None
        return Decision(first.entity, "next-paragraph", CONFIDENCE["next-paragraph"])

    def _previous_paragraph(self, para: int, vocatives: set[int]) -> Decision | None:
        if para == 0 or para - 1 in self.quoted_paras:
            return None
        pa, pb = self.layout.paragraphs[para - 1]
        ms = [m for m in self._mentions_between(pa, pb) if m.entity is not None and m.entity not in vocatives]
        subjects = [m for m in ms if m.subject]
        pick = (subjects or ms)[-1:] if ms else []
        if pick:
            basis = "subject" if subjects else "mention"
            return Decision(pick[0].entity, "previous-paragraph", CONFIDENCE["previous-paragraph"], basis=basis)
        return None
