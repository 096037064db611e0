"""Who says each quotation: ordered sieves, from the most certain to the least.

1. ``pin``: the user said so.
2. ``explicit-tag-after`` / ``explicit-tag-before`` / ``pronoun-tag``: a speech verb
   next to the quotation, with its subject ("said Mrs. Bell", "she retorted",
   "Mrs. Bell whispered back, ...").
3. ``action-beat``: someone acts in the quotation's own paragraph ("Tom shrugged.").
4. ``previous-paragraph``: a narration paragraph just before sets the speaker up.
5. ``vocative``: the person the previous line addressed by name answers.
6. ``turn-taking``: in an untagged run, speakers alternate.
7. ``next-paragraph``: a line nothing else decides, followed by a narration paragraph
   that opens with a person ("Holmes was sitting with his back to me").
8. ``fallback``: the latest person mentioned who did not just speak.

A person addressed by name in a quotation (a vocative) is never its speaker.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from pipeline.model import GROUP
from pipeline.reading.lexicon import GROUP_WORDS, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Layout, Quotation
from pipeline.speakers.attribution.confidence import calibrated
from pipeline.speakers.attribution.conversation import CONFIDENCE, Conversation, Decision
from pipeline.speakers.attribution.runs import reread_backwards
from pipeline.speakers.characters import Cast
from pipeline.speakers.mentions import Mention, Resolver
from pipeline.speakers.tokens import Token

_CLAUSE_OPENERS = frozenset(
    {
        ",",
        ";",
        "—",
        "and",
        "but",
        "then",
        "while",
        "as",
        "when",
        "so",
        "until",
        "after",
        "before",
        "because",
        "though",
        "although",
        "since",
        "once",
        "where",
    }
)
#: Nouns for what someone says, which lead into the words they say ("his reply, "...").
_VOICE_NOUNS = frozenset(
    {"exclamation", "voice", "words", "reply", "answer", "cry", "question", "remark", "whisper", "comment"}
)
_ADVERBS = frozenset(
    {
        "then",
        "back",
        "again",
        "now",
        "at",
        "last",
        "once",
        "only",
        "just",
        "still",
        "too",
        "also",
        "finally",
        "suddenly",
        "quietly",
        "out",
        "up",
        "in",
        "on",
    }
)


class Sieves(Conversation):
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
        self.renamed: set[int] = set()

    # ------------------------------------------------------------------ driver

    def run(self, pinned: dict[int, int] | None = None) -> list[Decision]:
        """A decision per quotation; ``pinned`` (quotation index -> entity) are the user's pins."""
        quotes = self.layout.quotations
        decisions: list[Decision] = []
        vocatives = [self._vocatives(q) for q in quotes]
        self.said_to = [self._said_to(q) for q in quotes]
        pinned = pinned or {}
        for qi, q in enumerate(quotes):
            if qi in pinned:
                decisions.append(Decision(pinned[qi], "pin", CONFIDENCE["pin"]))
                continue
            d = self._tagged(q) or self._beat(q, vocatives[qi])
            if d is not None and d.pronoun and d.speaker in vocatives[qi]:
                # "Come, Tom," said he: the pronoun is the latest other person of its gender
                gender = self.cast.entities[d.speaker].gender
                other = self.resolver.pronoun(d.at, gender, exclude=vocatives[qi])
                if other is not None:
                    d = replace(d, speaker=other, basis="not-the-addressee")
            if d is not None and d.pronoun and qi:
                d = self._addressed_before(qi, quotes, decisions, vocatives, d) or self._change_of_speaker(
                    qi, quotes, decisions, d
                )
            if d is None:
                d = self._context(qi, quotes, decisions, vocatives)
            if isinstance(d.speaker, int) and d.speaker in vocatives[qi]:
                d = Decision(None, "fallback", 0.2, basis="addressee")
            decisions.append(d)
        # untagged lines decided by context may now use the speakers decided after them
        for qi in range(len(quotes)):
            if decisions[qi].speaker is None:
                decisions[qi] = self._context(qi, quotes, decisions, vocatives, final=True)
        return [calibrated(d) for d in reread_backwards(quotes, decisions)]

    def _addressed_before(
        self, qi: int, quotes: tuple[Quotation, ...], decisions: list[Decision], vocatives: list[set[int]], d: Decision
    ) -> Decision | None:
        """ "she said" right after a line that addressed one woman by name: she answers, unless the
        paragraph names someone of her sex before the pronoun."""
        if not isinstance(d.speaker, int) or quotes[qi].paragraphs[0] != quotes[qi - 1].paragraphs[-1] + 1:
            return None
        gender = self.cast.entities[d.speaker].gender
        prev = decisions[qi - 1].speaker
        named = [e for e in vocatives[qi - 1] if e != prev and self.cast.entities[e].gender == gender]
        if len(named) != 1 or named[0] in vocatives[qi]:
            return None
        pa = self.layout.paragraphs[quotes[qi].paragraphs[0]][0]
        for m in self._mentions_between(pa, self.tokens[d.at].start):
            named_here = m.kind in ("name", "description") and m.entity is not None
            if named_here and self.cast.entities[m.entity].gender == gender:  # type: ignore[index]
                return None  # "Pa took his pipe out ... he only said": the paragraph names him
        return replace(d, speaker=named[0], basis="addressed-before")

    # ------------------------------------------------------------------ tags

    def _tagged(self, q: Quotation) -> Decision | None:
        for i, (_a, b) in enumerate(q.parts):
            after = self._after(b)
            open_ended = bool(after) and self.tokens[after[-1]].text not in ".!?;"
            if i == len(q.parts) - 1 and open_ended and self._leads_on(q.paragraphs[-1]):
                break  # '... hearty?" I saw an opening, so I said:--' introduces the next paragraph's line
            found = self._tag_in(after, first=True)
            if found:
                return self._decide_tag(found, "after")
        a = q.parts[0][0]
        found = self._tag_in(self._before(a), first=False)
        if found:
            return self._decide_tag(found, "before")
        para = q.paragraphs[0]
        if para and para - 1 in self.quoted_paras and self._leads_on(para - 1):
            found = self._tag_in(self._before(self.layout.paragraphs[para - 1][1]), first=False)
            if found:
                return self._decide_tag(found, "before")
        return None

    def _tag_in(self, idx: list[int], first: bool) -> Mention | None:
        """The subject of the first (or last) speech verb among the tokens ``idx``."""
        lows = [self.tokens[i].low for i in idx]
        order = range(len(idx)) if first else range(len(idx) - 1, -1, -1)
        for p in order:
            if lows[p] in WEAK_SPEECH_VERBS or not speech_verb_at(lows, p):
                continue
            if self.tokens[idx[p]].quote or (self.tokens[idx[p]].cap and p == 0 and not first):
                continue
            span = speech_verb_at(lows, p)
            v, v_end = idx[p], idx[p + span - 1]
            inverted = self.by_first.get(v_end + 1)
            if inverted is None and any(
                t.low in GROUP_WORDS and t.low != "together" for t in self.tokens[v_end + 1 : v_end + 4]
            ):
                inverted = Mention(v_end + 1, v_end + 1, "group", None, True, self.tokens[v].para)
            before = self._mention_ending_before(v, idx)
            if before is not None:
                return before
            if inverted is not None:
                return inverted
        return None

    def _mention_ending_before(self, v: int, idx: list[int]) -> Mention | None:
        k = v - 1
        lo = idx[0]
        while k >= lo and (self.tokens[k].low.endswith("ly") or self.tokens[k].low in _ADVERBS):
            k -= 1
        if k < lo:
            return None
        m = self.by_last.get(k)
        if m is not None and m.first >= lo:
            return m
        # "the man from Flat 9 said": a description whose phrase ends before the verb
        pos = bisect.bisect_right(self.mention_firsts, k) - 1
        if pos >= 0:
            m = self.mentions[pos]
            if m.first >= lo and m.last <= k and k - m.last <= 4 and m.kind == "description":
                return m
        # "all the ducks shouted", "they all said"
        if self.tokens[k].low in GROUP_WORDS:
            return Mention(k, k, "group", None, True, self.tokens[k].para)
        return None

    def _decide_tag(self, m: Mention, where: str) -> Decision | None:
        follow = [t.low for t in self.tokens[m.last + 1 : m.last + 4]]
        if m.kind == "name" and follow[:1] == ["and"] and self.by_first.get(m.last + 2) is not None:
            m = Mention(m.first, m.last, "group", None, True, m.para)  # "Mrs. Ridley and Freddie"
        if m.kind == "group":
            return Decision(GROUP, "group-tag", CONFIDENCE["group-tag"])
        if m.entity is None:
            return None
        if m.kind in ("pronoun", "narrator"):
            basis = "pronoun" if m.kind == "pronoun" else "first-person"
            return Decision(m.entity, "pronoun-tag", CONFIDENCE["pronoun-tag"], m.kind == "pronoun", m.first, basis)
        ent = self.cast.entities[m.entity]
        if m.kind == "description" and ent.kind == "unnamed" and m.entity not in self.renamed:
            # call an unnamed speaker the way the tag does: "the driver", not "the bus driver"
            words = [t.text for t in self.tokens[m.first : m.last + 1]]
            if words[0].lower() in ("the", "a", "an", "this", "that"):
                ent.name = "the " + " ".join(words[1:])
                self.renamed.add(m.entity)
        rule = f"explicit-tag-{where}"
        return Decision(m.entity, rule, CONFIDENCE[rule], basis="description" if ent.kind == "unnamed" else "name")

    # ------------------------------------------------------------------ action beats

    def _voice_of(self, start: int, vocatives: set[int]) -> Decision | None:
        """ "his exclamation of horror, "Gott in Himmel!"": whose voice, words or cry leads into a part."""
        k = bisect.bisect_left(self.starts, start) - 1
        lo = max(0, k - 6)
        while k >= lo and not self.tokens[k].quote and self.tokens[k].text not in ".!?":
            tok = self.tokens[k]
            if tok.low in _VOICE_NOUNS and k and self.tokens[k - 1].low in ("his", "her"):
                gender = "M" if self.tokens[k - 1].low == "his" else "F"
                who = self.resolver.pronoun(k - 1, gender)
                if who is not None and who not in vocatives:
                    return Decision(who, "action-beat", CONFIDENCE["action-beat"], True, k - 1, "voice")
                return None
            k -= 1
        return None

    def _beat(self, q: Quotation, vocatives: set[int]) -> Decision | None:
        voice = self._voice_of(q.parts[0][0], vocatives)
        if voice is not None:
            return voice
        a, b = q.parts[0][0], q.parts[-1][1]
        para = q.paragraphs[0]
        pa, pb = self.layout.paragraphs[para]
        before = [m for m in self._mentions_between(pa, a) if m.entity is not None]
        after = [
            m
            for m in self._mentions_between(q.parts[0][1], pb)
            if m.entity is not None and not self.tokens[m.first].quote
        ]
        if q.paragraphs[-1] != para:
            after = [m for m in after if m.first < bisect.bisect_left(self.starts, pb)]
        after = [m for m in after if self.tokens[m.first].start < b or q.paragraphs[-1] == para]
        # the nearest clause subject before the quotation, then the sentence after it
        last = self._last_sentence(before)
        nearest = [m for m in reversed(last) if self._clause_subject(m)]
        for group in (nearest, last, self._first_sentence(after), before):
            for m in group:
                if m.entity not in vocatives and m.kind != "group":
                    basis = "pronoun" if m.kind == "pronoun" else "description" if m.kind == "description" else "name"
                    return Decision(
                        m.entity, "action-beat", CONFIDENCE["action-beat"], m.kind == "pronoun", m.first, basis
                    )
        return None

    def _clause_subject(self, m: Mention) -> bool:
        """Starts a sentence or a clause ("..., and Lucie orders", "after she left")."""
        if self.tokens[m.first].sent_start or m.first == 0:
            return True
        return self.tokens[m.first - 1].low in _CLAUSE_OPENERS

    def _sentence_of(self, m: Mention) -> int:
        k = m.first
        while k > 0 and not self.tokens[k].sent_start:
            k -= 1
        return k

    def _last_sentence(self, ms: list[Mention]) -> list[Mention]:
        if not ms:
            return []
        s = self._sentence_of(ms[-1])
        return [m for m in ms if self._sentence_of(m) == s]

    def _first_sentence(self, ms: list[Mention]) -> list[Mention]:
        if not ms:
            return []
        s = self._sentence_of(ms[0])
        return [m for m in ms if self._sentence_of(m) == s]
