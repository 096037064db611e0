"""One shared context for the sieves: a text's tokens, cast and mentions, and how to read around a line.

A `Scene` is built once per text. Every sieve reads it: the narration before and after a quotation
(`before`, `after`, `leads_on`), the people a line addresses by name (`vocatives`), the person a tag
says a line is spoken to (`said_to`), who spoke before in an unbroken exchange (`other_speaker`,
`other_participant`), and the decisions taken so far.
"""

from __future__ import annotations

import bisect

from pipeline.model import GROUP
from pipeline.reading.lexicon import ABBREVIATIONS, TITLES, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Layout, Quotation
from pipeline.speakers.attribution.rules import Decision
from pipeline.speakers.characters import Cast
from pipeline.speakers.mentions import Mention, Resolver
from pipeline.speakers.narrators import first_person_at
from pipeline.speakers.tokens import Token

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


class Scene:
    """The text being attributed, read by every sieve."""

    def __init__(
        self, layout: Layout, tokens: list[Token], cast: Cast, resolver: Resolver, mentions: list[Mention]
    ) -> None:
        self.layout = layout
        self.tokens = tokens
        self.cast = cast
        self.resolver = resolver
        self.mentions = mentions
        self.starts = [t.start for t in tokens]
        self.by_first = {m.first: m for m in mentions}
        self.by_last = {m.last: m for m in mentions}
        self.mention_firsts = [m.first for m in mentions]
        self.quoted_paras = {p for q in layout.quotations for p in q.paragraphs}
        self._openings: dict[tuple[int, int], set[int]] = {}
        self.beats: dict[int, Decision | None] = {}  # per quotation, the action beat of its paragraph (beats.py)
        self.renamed: set[int] = set()  # unnamed entities already called the way a tag calls them
        self.quotes = layout.quotations
        self.vocatives = [self.vocatives_of(q) for q in self.quotes]  # per quotation, who it addresses by name
        self.said_to = [self.said_to_of(q) for q in self.quotes]  # per quotation, who its tag says it is spoken to
        self.decisions: list[Decision] = []  # the decisions so far, one per quotation from the first

    def mentions_between(self, a: int, b: int) -> list[Mention]:
        lo = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, a))
        hi = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, b))
        return self.mentions[lo:hi]

    def said_to_of(self, q: Quotation) -> int | None:
        """The person a quotation's tag says it is spoken to: "said to the puppet", "said the Fox
        to the puppet", "cried, turning to Tom"; None when the tag names no one."""
        regions = [*(self.after(b) for _, b in q.parts), self.before(q.parts[0][0])]
        para = q.paragraphs[0]
        if para and self.leads_on(para - 1):  # '... said to the puppet:' over the line
            regions.append(self.before(self.layout.paragraphs[para - 1][1]))
        for idx in regions:
            lows = [self.tokens[i].low for i in idx]
            if "to" not in lows:  # what follows names no one: most tags ("she said", "cried Tom.")
                continue
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

    def leads_on(self, para: int) -> bool:
        """Paragraph ``para`` ends its narration with a colon ("so I said:--", "He interrupted:"),
        and the next paragraph opens with a quotation."""
        a, b = self.layout.paragraphs[para]
        tail = self.layout.text[a:b].rstrip().rstrip("-—–").rstrip()
        return tail.endswith(":") and para + 1 in self.quoted_paras

    def after(self, end: int) -> list[int]:
        """Narration token indexes after a part, to the end of the sentence or the next quotation."""
        k = bisect.bisect_left(self.starts, end)
        out: list[int] = []
        para = self.tokens[k].para if k < len(self.tokens) else -1
        while k < len(self.tokens) and len(out) < 16:
            t = self.tokens[k]
            if t.para != para or (t.quote and t.start >= end):
                break
            if t.text in ".!?;" and out and not self.abbrev(k):  # '"No," Mr. Darling said': not the end
                out.append(k)
                break
            out.append(k)
            k += 1
        return out

    def before(self, start: int) -> list[int]:
        """Narration token indexes of the clause that leads into a part."""
        k = bisect.bisect_left(self.starts, start) - 1
        out: list[int] = []
        para = self.tokens[k].para if k >= 0 else -1
        while k >= 0 and len(out) < 25:
            t = self.tokens[k]
            if t.para != para or t.quote or (t.text in ".!?" and out and not self.abbrev(k)):
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

    def abbrev(self, k: int) -> bool:
        return k > 0 and self.tokens[k].text == "." and self.tokens[k - 1].low in ABBREVIATIONS

    def vocatives_of(self, q: Quotation) -> set[int]:
        out: set[int] = set()
        for a, b in q.parts:
            out |= self.vocatives_in(bisect.bisect_left(self.starts, a), bisect.bisect_left(self.starts, b))
        return out

    def vocatives_in(self, lo: int, hi: int) -> set[int]:
        out: set[int] = set()
        for k in range(lo, hi):
            t = self.tokens[k]
            if t.low in _FAMILY_ADDRESS and self.set_off(k, lo, hi):
                out |= self.one_with_title(_FAMILY_ADDRESS[t.low])  # "Now, auntie, you know I do"
                continue
            if t.low in _HONORIFICS and self.set_off(k, lo, hi):
                out |= self.one_in_the_scene(k, _HONORIFICS[t.low])  # "Pray take a seat, sir."
                continue
            if not t.cap or not t.text[0].isalpha():
                continue
            prev = self.tokens[k - 1] if k > lo else None
            you_are = prev is not None and prev.low == "are" and k - 2 >= lo and self.tokens[k - 2].low == "you"
            if you_are or (prev is not None and prev.low in ("you’re", "you're")):
                name = self.name_from(k, hi)
                if not any(self.tokens[i].poss for i in range(k, k + len(name.split()))):
                    out.update(self.addressed_as(name))  # "you're Jordan Baker", not "you're Tom's friend"
                continue
            if prev is not None and prev.text not in ",!?.;—" and not self.address_word(k - 1, lo):
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
            out.update(self.addressed_as(form.replace("’s", "")))
            para = self.tokens[k].para  # a role holds where its person is in the book
            out.update(e for e in range(len(self.cast.entities)) if self.cast.holds(e, form.lower(), para))
        return out

    def set_off(self, k: int, lo: int, hi: int) -> bool:
        """Token ``k`` stands alone between commas or the line's edges ("Now, auntie, you ...")."""
        before = k == lo or self.tokens[k - 1].text in ",!?.;—"
        after = k + 1 >= hi or self.tokens[k + 1].text in ",!?.;—"
        return before and after and not self.tokens[k].poss

    def one_in_the_scene(self, k: int, gender: str) -> set[int]:
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

    def one_with_title(self, titles: frozenset[str]) -> set[int]:
        """The one named character who bears one of ``titles`` ("Aunt Polly" for "auntie")."""
        found = {e for e, ent in enumerate(self.cast.entities) if ent.kind == "named" and ent.title in titles}
        return found if len(found) == 1 else set()

    def address_word(self, k: int, lo: int) -> bool:
        """Token ``k`` is a word of address opening a sentence before a name ("Poor Pinocchio!",
        "Dear Jo,", "Oh, Tom", "My dear Lucy")."""
        if self.tokens[k].low not in _ADDRESS_WORDS:
            return False
        j = k - 1
        while j >= lo and self.tokens[j].low in _ADDRESS_WORDS:
            j -= 1
        return j < lo or self.tokens[j].text in ",!?.;—“‘\"'"

    def name_from(self, k: int, hi: int) -> str:
        end = k
        while end + 1 < hi and self.tokens[end + 1].cap and self.tokens[end + 1].text[0].isalpha():
            end += 1
        return " ".join(self.tokens[i].text.rstrip(".") for i in range(k, end + 1)).replace("’s", "").replace("'s", "")

    def addressed_as(self, form: str) -> list[int]:
        """Who a name used in address points to; a surname ("Come, Darcy", "you're Jordan Baker")
        names the one person of that surname."""
        found = self.cast.lookup(form)
        words = form.lower().split()
        if found or not words or words[0] in TITLES or len(words) > 2:
            return found
        same = [e for e, ent in enumerate(self.cast.entities) if ent.surname and ent.surname.lower() == words[-1]]
        return same if len(same) == 1 else []

    def opening_vocative(self, q: Quotation) -> set[int]:
        """Who a quotation addresses by name in its first sentence ("No, Kit." / "Mr. Ashby, you ...")."""
        a, b = q.parts[0]
        if (a, b) not in self._openings:  # asked again for every line after it, by the sieves and the ranker
            self._openings[a, b] = self._opening_vocative(a, b)
        return self._openings[a, b]

    def _opening_vocative(self, a: int, b: int) -> set[int]:
        lo, hi = bisect.bisect_left(self.starts, a), bisect.bisect_left(self.starts, b)
        end = lo
        while end < hi and (self.tokens[end].text not in ".!?" or self.tokens[end - 1].low in TITLES):
            end += 1
        return self.vocatives_in(lo, min(hi, end + 1))

    def other_speaker(self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision]) -> int | None:
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

    def other_participant(
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
                if who == first_person_at(self.cast, quotes[qi].paragraphs[0]):
                    continue  # "he said" is never the one who says "I" (here: a writer is "he" elsewhere)
                return who
        return None
