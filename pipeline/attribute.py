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
from collections import Counter
from dataclasses import dataclass, replace

from pipeline.characters import Cast, NameRun, Token, find_cast, narrator_name, tokenize
from pipeline.lexicon import GROUP_WORDS, TITLES, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.mentions import Mention, Resolver
from pipeline.model import GROUP, Analysis, Character, Gender
from pipeline.pins import Pins, check_pins
from pipeline.segment import Layout, Quotation, segments_of, split

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


@dataclass
class Decision:
    """The speaker chosen for one quotation, and why."""

    speaker: int | str | None  # entity index, GROUP, or None when nothing fits
    rule: str
    confidence: float
    pronoun: bool = False  # decided by a pronoun ("he said", "She shrugged.")
    at: int = -1  # the token of that pronoun


def analyse(text: str, pins: dict[str, str] | None = None) -> Analysis:
    """Segment ``text``, find its cast and attribute every quotation."""
    layout = split(text)
    tokens = tokenize(layout)
    cast, runs = find_cast(layout, tokens)
    resolver = Resolver(cast, tokens, runs)
    mentions = resolver.resolve_all()
    sieves = _Sieves(layout, tokens, cast, resolver, mentions)
    decisions = sieves.run()
    _name_the_narrator(cast, tokens, runs, layout, decisions)
    warnings = list(layout.warnings)
    names = {
        q.quote_id: _speaker_name(cast, d.speaker) for q, d in zip(layout.quotations, decisions, strict=True)
    }
    rules = {q.quote_id: d for q, d in zip(layout.quotations, decisions, strict=True)}
    if pins:
        pinned = check_pins(pins, _known_names(cast, runs))
        ids = {q.quote_id for q in layout.quotations}
        for qid, who in pinned.items():
            if qid in ids:
                names[qid] = who
                rules[qid] = Decision(None, "pin", CONFIDENCE["pin"])
            else:
                where = (
                    f"{pins.path.name}:{pins.lines[qid]}: " if isinstance(pins, Pins) and pins.path else ""
                )
                warnings.append(f"{where}pin {qid} ({who}) matches no quotation any more; it is ignored")
    segments = []
    for seg in segments_of(layout):
        if seg.kind == "dialogue" and seg.quote_id is not None:
            d = rules[seg.quote_id]
            seg = replace(seg, speaker=names[seg.quote_id], rule=d.rule, confidence=round(d.confidence, 2))
        segments.append(seg)
    return Analysis(tuple(segments), _characters(cast, names), tuple(warnings))


def _name_the_narrator(
    cast: Cast, tokens: list[Token], runs: list[NameRun], layout: Layout, decisions: list[Decision]
) -> None:
    if cast.narrator is None:
        return
    own = {
        p
        for q, d in zip(layout.quotations, decisions, strict=True)
        if d.speaker == cast.narrator
        for p in q.paragraphs
    }
    if not own:
        return
    name = narrator_name(tokens, runs, own)
    if name:
        cast.entities[cast.narrator].name = name
        # lines given to the same name as a character of its own ("Pip", answering a vocative)
        same = {e for e in cast.lookup(name) if e != cast.narrator}
        for i, d in enumerate(decisions):
            if d.speaker in same:
                decisions[i] = replace(d, speaker=cast.narrator)
        for e in same:
            cast.entities[e].kind = "merged"


def _known_names(cast: Cast, runs: list[NameRun]) -> list[tuple[str, str]]:
    """(alias, canonical name) for every way the story names someone, for checking pins."""
    known = [
        (GROUP, GROUP),
        ("narrator", cast.entities[cast.narrator].name if cast.narrator is not None else "Narrator"),
    ]
    for ent in cast.entities:
        known.append((ent.name, ent.name))
        known.extend((form, ent.name) for form in ent.forms)
    known.extend((run.surface, run.surface) for run in runs)
    return known


def _speaker_name(cast: Cast, speaker: int | str | None) -> str | None:
    if speaker is None or isinstance(speaker, str):
        return speaker
    return cast.entities[speaker].name


def _characters(cast: Cast, names: dict[str, str | None]) -> tuple[Character, ...]:
    lines = Counter(n for n in names.values() if n)
    out = []
    seen = set()
    for ent in cast.entities:
        if ent.kind == "merged" or (ent.kind != "named" and not lines[ent.name]):
            continue
        aliases = tuple(sorted(f for f in ent.forms if f != ent.name.lower()))
        gender: Gender = "M" if ent.gender == "M" else "F" if ent.gender == "F" else "U"
        out.append(Character(ent.name, aliases, gender, lines[ent.name]))
        seen.add(ent.name)
    for name, count in lines.items():
        if name not in seen:
            out.append(Character(name, (), "U", count))
    return tuple(sorted(out, key=lambda c: (-c.lines, c.name)))


class _Sieves:
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

    def run(self) -> list[Decision]:
        quotes = self.layout.quotations
        decisions: list[Decision] = []
        vocatives = [self._vocatives(q) for q in quotes]
        for qi, q in enumerate(quotes):
            d = self._tagged(q) or self._beat(q, vocatives[qi])
            if d is not None and d.pronoun and d.speaker in vocatives[qi]:
                # "Come, Tom," said he: the pronoun is the latest other person of its gender
                gender = self.cast.entities[d.speaker].gender
                other = self.resolver.pronoun(d.at, gender, exclude=vocatives[qi])
                if other is not None:
                    d = replace(d, speaker=other)
            if d is not None and d.pronoun and qi:
                d = self._change_of_speaker(qi, quotes, decisions, d)
            if d is None:
                d = self._context(qi, quotes, decisions, vocatives)
            if isinstance(d.speaker, int) and d.speaker in vocatives[qi]:
                d = Decision(None, "fallback", 0.2)
            decisions.append(d)
        # untagged lines decided by context may now use the speakers decided after them
        for qi in range(len(quotes)):
            if decisions[qi].speaker is None:
                decisions[qi] = self._context(qi, quotes, decisions, vocatives, final=True)
        return decisions

    # ------------------------------------------------------------------ tags

    def _tagged(self, q: Quotation) -> Decision | None:
        for _a, b in q.parts:
            found = self._tag_in(self._after(b), first=True)
            if found:
                return self._decide_tag(found, "after")
        a = q.parts[0][0]
        found = self._tag_in(self._before(a), first=False)
        if found:
            return self._decide_tag(found, "before")
        return None

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
            k > 0 and self.tokens[k].text == "." and self.tokens[k - 1].low in ("mr", "mrs", "dr", "st", "ms")
        )

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
            return Decision(m.entity, "pronoun-tag", CONFIDENCE["pronoun-tag"], m.kind == "pronoun", m.first)
        ent = self.cast.entities[m.entity]
        if m.kind == "description" and ent.kind == "unnamed" and m.entity not in self.renamed:
            # call an unnamed speaker the way the tag does: "the driver", not "the bus driver"
            words = [t.text for t in self.tokens[m.first : m.last + 1]]
            if words[0].lower() in ("the", "a", "an", "this", "that"):
                ent.name = "the " + " ".join(words[1:])
                self.renamed.add(m.entity)
        rule = f"explicit-tag-{where}"
        return Decision(m.entity, rule, CONFIDENCE[rule])

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
                return replace(d, speaker=prev.speaker)  # "... ." He stepped forward. / "...," he said
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
        return replace(d, speaker=other, confidence=d.confidence * 0.9)

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
                return who
        return None

    # ------------------------------------------------------------------ action beats

    def _beat(self, q: Quotation, vocatives: set[int]) -> Decision | None:
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
                    return Decision(m.entity, "action-beat", CONFIDENCE["action-beat"], m.kind == "pronoun", m.first)
        return None

    def _clause_subject(self, m: Mention) -> bool:
        """Starts a sentence or a clause ("..., and Lucie orders", "after she left")."""
        if self.tokens[m.first].sent_start or m.first == 0:
            return True
        return self.tokens[m.first - 1].low in _CLAUSE_OPENERS

    def _mentions_between(self, a: int, b: int) -> list[Mention]:
        lo = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, a))
        hi = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, b))
        return self.mentions[lo:hi]

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
            if not t.cap or not t.text[0].isalpha():
                continue
            prev = self.tokens[k - 1] if k > lo else None
            if prev is not None and prev.text not in ",!?.;—":
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
                    return Decision(e, "vocative", CONFIDENCE["vocative"])
            if two_back is not None and two_back not in vocatives[qi]:
                conf = CONFIDENCE["turn-taking"] * (0.9 if prev.rule == "turn-taking" else 1.0)
                return Decision(two_back, "turn-taking", conf)
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
        # the latest person mentioned: in the paragraph before, anyone ("Anne sighed."); further
        # back, preferably someone who took part in the recent conversation
        recent = {d.speaker for d in decisions[max(0, qi - 6) : qi] if isinstance(d.speaker, int)}
        a = q.parts[0][0]
        k = bisect.bisect_left(self.mention_firsts, bisect.bisect_left(self.starts, a)) - 1
        first: int | None = None
        para = q.paragraphs[0]
        while k >= 0:
            m = self.mentions[k]
            if m.entity is not None and m.entity not in exclude:
                if m.entity in recent or (first is None and m.para >= para - 2):
                    return Decision(m.entity, "fallback", CONFIDENCE["fallback"])
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
                return Decision(e, "vocative", CONFIDENCE["vocative"] * 0.9)
        if isinstance(after, int):
            exclude = exclude | {after}
        two = nxt + 1
        if two < len(decisions) and quotes[two].paragraphs[0] == quotes[nxt].paragraphs[-1] + 1:
            who = decisions[two].speaker
            if isinstance(who, int) and who not in exclude and isinstance(after, int):
                return Decision(who, "turn-taking", CONFIDENCE["turn-taking"] * 0.9)
        return None

    def _addressed_as(self, form: str) -> list[int]:
        """Who a name used in address points to; a bare surname ("Come, Darcy") names the one
        person of that surname."""
        found = self.cast.lookup(form)
        low = form.lower()
        if found or " " in form or low in TITLES:
            return found
        same = [e for e, ent in enumerate(self.cast.entities) if ent.surname and ent.surname.lower() == low]
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
            return Decision(pick[0].entity, "previous-paragraph", CONFIDENCE["previous-paragraph"])
        return None
