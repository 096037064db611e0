"""The tag sieve: a speech verb next to the quotation, with its subject.

"said Mrs. Bell", "she retorted", "Mrs. Bell whispered back, ...", "all the ducks shouted": the subject
of the first speech verb after a part, else of the last one before the quotation (or before the line
that leads into it with a colon).
"""

from __future__ import annotations

import bisect
import re

from pipeline.model import GROUP
from pipeline.reading.lexicon import GROUP_WORDS, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.characters import noun_gender
from pipeline.speakers.mentions import Mention

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
        "always",
        "never",
        "often",
        "even",
        # auxiliaries: "the damsel would ask", "Mrs. Westlake had pronounced"
        "would",
        "will",
        "could",
        "did",
        "must",
        "might",
        "should",
        "had",
    }
)
#: A tag whose subject is a voice speaks for the voice's owner: "cried the voice of John Reed".
_VOICE = frozenset({"voice", "voices", "tones"})
_DASH = frozenset({"-", "—", "–"})


class Tag:
    """ "said Mrs. Bell", "she retorted": the tag's subject speaks (a name, a description, a pronoun, a group)."""

    rules = (Rule.EXPLICIT_TAG_AFTER, Rule.EXPLICIT_TAG_BEFORE, Rule.PRONOUN_TAG, Rule.GROUP_TAG)

    def __call__(self, s: Scene, qi: int, d: Decision | None) -> Decision | None:
        return d if d is not None else _tagged(s, s.quotes[qi])


def _tagged(s: Scene, q: Quotation) -> Decision | None:
    a = q.parts[0][0]
    led_in = _tag_in(s, s.before(a), first=False)
    para = q.paragraphs[0]
    # "... and he said softly:--" closing the paragraph before, whose first line this is
    opens = not s.layout.text[s.layout.paragraphs[para][0] : a].strip(" \"'“‘_")
    led_on = None
    if para and opens and s.leads_on(para - 1):
        led_on = _tag_in(s, s.before(s.layout.paragraphs[para - 1][1]), first=False)
    for i, (_a, b) in enumerate(q.parts):
        after = s.after(b)
        open_ended = bool(after) and s.tokens[after[-1]].text not in ".!?;"
        if i == len(q.parts) - 1 and open_ended and s.leads_on(q.paragraphs[-1]):
            break  # '... hearty?" I saw an opening, so I said:--' introduces the next paragraph's line
        if i == len(q.parts) - 1 and _leads_into_next(s, b, after):
            break  # '"Certainly." Madame sternly retorted, "I tell you ..."': the next line's tag
        found = _tag_in(s, after, first=True)
        if found is None:
            found = _from_whom(s, after)
        if found is not None and (led_in or led_on) is not None and _verb_at(s, after) > 3:
            break  # 'Miss Pole said, "Good gracious!" but was silent as Martha resumed': the tag before
        if found is not None and led_on is not None and _new_sentence(s, b, after):
            break  # 'he said softly:-- / "Poor devil!" I told him briefly': the line the colon led on to is his
        if found:
            return _decide_tag(s, found, "after")
    found = led_in or led_on
    if found:
        return _decide_tag(s, found, "before")
    return None


def _new_sentence(s: Scene, end: int, after: list[int]) -> bool:
    """The narration after a part that ended its sentence opens a new one ('"Poor devil!" I told him')."""
    words = _words(s, after)
    return bool(words) and s.tokens[words[0]].cap and s.layout.text[:end].rstrip()[-1:] in ".!?"


def _leads_into_next(s: Scene, end: int, after: list[int]) -> bool:
    """The narration after a part that ended its sentence is a new sentence leading into the next
    quotation with a comma or colon: that quotation's tag, not this one's."""
    words = _words(s, after)
    if not words or not s.tokens[words[0]].cap or s.tokens[words[0]].low == "i":
        return False
    if s.layout.text[:end].rstrip()[-1:] not in ".!?":
        return False
    last = words[-1]
    rest = [t for t in s.tokens[last + 1 : last + 3] if t.para == s.tokens[last].para]
    return (s.tokens[last].text in ",:" or s.tokens[last].text in _DASH) and any(t.quote for t in rest)


def _words(s: Scene, idx: list[int]) -> list[int]:
    """The narration tokens of ``idx`` without the quotation marks."""
    return [k for k in idx if not s.tokens[k].quote and s.tokens[k].text not in "\"'“”‘’"]


def _verb_at(s: Scene, idx: list[int]) -> int:
    """How many narration words come before the first speech verb of ``idx`` (a large number when none)."""
    n = 0
    for p, k in enumerate(idx):
        t = s.tokens[k]
        if t.quote or not t.text[:1].isalpha():
            continue
        if t.low not in WEAK_SPEECH_VERBS and speech_verb_at([s.tokens[j].low for j in idx], p):
            return n
        n += 1
    return 99


def _from_whom(s: Scene, idx: list[int]) -> Mention | None:
    """ '"Why, what a wicked thing to say!" from Aunt Bessie.': a tag without a verb."""
    words = _words(s, idx)
    if len(words) < 2 or s.tokens[words[0]].low != "from":
        return None
    m = s.by_first.get(words[1])
    if m is None or m.kind != "name" or m.last + 1 >= len(s.tokens) or s.tokens[m.last + 1].text not in ".!;":
        return None
    return m


def _tag_in(s: Scene, idx: list[int], first: bool) -> Mention | None:
    """The subject of the first (or last) speech verb among the tokens ``idx``."""
    lows = [s.tokens[i].low for i in idx]
    order = range(len(idx)) if first else range(len(idx) - 1, -1, -1)
    for p in order:
        cut_in = lows[p] in ("cut", "put") and lows[p + 1 : p + 2] == ["in"]  # "Jo cut in with a decided,"
        if not cut_in and (lows[p] in WEAK_SPEECH_VERBS or not speech_verb_at(lows, p)):
            continue
        if s.tokens[idx[p]].quote or (s.tokens[idx[p]].cap and p == 0 and not first):
            continue
        span = 2 if cut_in else speech_verb_at(lows, p)
        v, v_end = idx[p], idx[p + span - 1]
        inverted = _inverted_subject(s, v_end)
        if inverted is None and any(
            t.low in GROUP_WORDS and t.low != "together" for t in s.tokens[v_end + 1 : v_end + 4]
        ):
            inverted = Mention(v_end + 1, v_end + 1, "group", None, True, s.tokens[v].para)
        before = _mention_ending_before(s, v, idx)
        if before is not None:
            return before
        if inverted is not None:
            return inverted
    return None


#: Words a tag's subject never stands behind: "said that Tom ...", "said to Tom", "said nothing".
_NOT_MODIFIERS = frozenset(
    {"that", "to", "with", "as", "in", "at", "on", "of", "for", "and", "but", "so", "nothing", "something", "it",
     "this", "him", "her", "them", "me", "us", "you", "not", "what", "how", "if", "when", "while", "who", "which",
     "by", "from"}
)


def _inverted_subject(s: Scene, v_end: int) -> Mention | None:
    """The subject right after a speech verb ("said Tom"), also behind up to three modifiers the
    cast's mention leaves out: "said the Witch", "said poor Miss Matty", "asked the brisk Young Jerry"."""
    for k in range(v_end + 1, min(len(s.tokens), v_end + 5)):
        m = s.by_first.get(k)
        if m is not None:
            named = s.by_first.get(m.last + 1)
            if m.kind == "description" and named is not None and named.kind == "name":
                return named  # "said the lad Dick"
            return _voice_owner(s, m)
        owner = _possessor(s, k)
        if owner is not None:
            return owner  # "cried the duke's voice"
        t = s.tokens[k]
        if not t.text.isalpha() or t.low in _NOT_MODIFIERS or t.quote or t.para != s.tokens[v_end].para:
            return None
        if t.cap:
            return _cast_name(s, k)  # "said Anne miserably" where the mention pass saw no name
        if t.low in _PLURAL_GROUPS and s.tokens[k - 1].low == "the":
            return Mention(k, k, "group", None, True, t.para)  # "cried the twins"
        if k == v_end + 2 and s.tokens[k - 1].low == "the":
            return _unknown_noun(s, k)
    return None


def _unknown_noun(s: Scene, k: int) -> Mention | None:
    """ "said the puppet.", "cried the puppet angrily": a noun the mention pass does not take for a person,
    right after "said the" and ending the tag's clause, is the one named person the cast knows by that role
    (Pinocchio, "the puppet"). A noun no one is known by stays unread: "said the baronet" may be Sir Henry,
    whom the cast does not know as the baronet, and a character of its own would take his lines."""
    t = s.tokens[k]
    nxt = s.tokens[k + 1] if k + 1 < len(s.tokens) else None
    ends = nxt is None or nxt.text in ",.;:!?—-" or nxt.quote or nxt.low.endswith("ly") or nxt.low in ("to", "in")
    if not ends or t.poss or t.low in _ADVERBS or t.low.endswith(("ly", "ing", "ed")) or len(t.low) < 3:
        return None
    if t.low in _NOT_PEOPLE:
        return None
    named = [e for e, ent in enumerate(s.cast.entities) if ent.kind == "named" and t.low in ent.roles]
    if len(named) == 1:
        return Mention(k - 1, k, "description", named[0], True, t.para)
    found = _introduced(s, k) if not named else None
    if found is None:
        return None
    who = found if found >= 0 else s.cast.describe("the " + t.low, noun_gender(t.low))
    return Mention(k - 1, k, "description", who, True, t.para)


#: How far back (paragraphs) the narration may have brought in "a gipsy" for "said the gipsy" to be that one.
_INTRODUCED_WITHIN = 30
#: "Merryweather is a bank director", "Mr. Hands, a coxswain": the name before a noun brought in.
_WHO_IS = re.compile(r"([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)(?:,|\s+(?:is|was))\s*$")


def _introduced(s: Scene, k: int) -> int | None:
    """Whom the narration brought in not long before as what the noun at token ``k`` names: a named person
    it said was one ("Merryweather is a bank director"), else -1 for someone new ("a long yellow ferret
    with a gun" before "said the ferret"); None when it did not."""
    para = s.tokens[k].para
    a = s.layout.paragraphs[max(0, para - _INTRODUCED_WITHIN)][0]
    text = s.layout.text[a : s.tokens[k].start]
    noun = re.escape(s.tokens[k].text)
    found = None
    for m in re.finditer(rf"\b[Aa]n?\s+(?:[\w-]+\s+){{0,3}}{noun}\b", text):
        who = _WHO_IS.search(text, max(0, m.start() - 60), m.start())
        named = [e for e in s.addressed_as(who.group(1)) if s.cast.entities[e].kind == "named"] if who else []
        found = named[0] if len(named) == 1 else -1
    return found


#: Words after "said the" that stand for someone already there, or for no one: "said the other", "the latter".
_NOT_PEOPLE = frozenset({"other", "others", "latter", "former", "same", "first", "second", "third", "last", "one",
                         "matter", "thing", "word", "words", "rest", "next", "whole", "truth"})


#: Plural people after "the" in an inverted tag: "cried the twins", "said the others".
_PLURAL_GROUPS = frozenset({"twins", "others", "children", "boys", "girls"})


def _cast_name(s: Scene, k: int) -> Mention | None:
    """The one named person of the cast a capitalised word is a form of, as a mention; else None."""
    found = [e for e in s.cast.lookup(s.tokens[k].text) if s.cast.entities[e].kind == "named"]
    if len(found) != 1:
        return None
    return Mention(k, k, "name", found[0], True, s.tokens[k].para)


def _mention_ending_before(s: Scene, v: int, idx: list[int]) -> Mention | None:
    k = v - 1
    lo = idx[0]
    while k >= lo and k not in s.by_last and (s.tokens[k].low.endswith("ly") or s.tokens[k].low in _ADVERBS):
        k -= 1  # "Mr. Darling always said", but "Slightly cried"
    if k < lo:
        return None
    k = _before_aside(s, k, lo)
    owner = _possessor(s, k - 1) if s.tokens[k].low in _VOICE else None
    if owner is not None:
        return owner  # "the Count's voice saying"
    m = s.by_last.get(k)
    if m is not None and m.first >= lo:
        return _voice_owner(s, m)
    if s.tokens[k].low in ("who", "and"):
        return _clause_subject(s, k, lo)
    # "the man from Flat 9 said": a description whose phrase ends before the verb
    pos = bisect.bisect_right(s.mention_firsts, k) - 1
    if pos >= 0:
        m = s.mentions[pos]
        if m.first >= lo and m.last <= k and k - m.last <= 4 and m.kind == "description":
            return m
    # "all the ducks shouted", "they all said"
    if s.tokens[k].low in GROUP_WORDS:
        return Mention(k, k, "group", None, True, s.tokens[k].para)
    return None


def _before_aside(s: Scene, k: int, lo: int) -> int:
    """The token before an aside that ends at ``k``: "Pepper--such was the name of the avenging
    boy--announced", "Lord Hubert, from half way down the side-ladder, called back"; else ``k``."""
    t = s.tokens[k].text
    if t not in _DASH and t != ",":
        return k
    j = k - 1
    while j > lo and s.tokens[j].text in _DASH:
        j -= 1
    for i in range(j, max(lo, k - 14) - 1, -1):
        if s.tokens[i].text == t or (t in _DASH and s.tokens[i].text in _DASH):
            while i > lo and s.tokens[i - 1].text in _DASH:
                i -= 1
            m = s.by_last.get(i - 1)
            return i - 1 if m is not None and m.kind in ("name", "pronoun") and m.first >= lo else k
        if s.tokens[i].text in ".;:!?" or s.tokens[i].quote:
            break
    return k


def _voice_owner(s: Scene, m: Mention) -> Mention:
    """Whose voice a tag's subject is, when the text says: "the voice of John Reed", "a voice--the voice
    of Black Michael himself", "the other voice--Bersonin's", "the voice of the coxswain, Israel Hands"."""
    if m.kind != "description" or s.tokens[m.last].low not in _VOICE:
        return m
    k = m.last + 1
    while k < len(s.tokens) and s.tokens[k].text in _DASH:
        k += 1
    if k >= len(s.tokens) or s.tokens[k].quote or s.tokens[k].para != m.para:
        return m
    if s.tokens[k].low == "of":
        owner = _mention_from(s, k + 1)
        if owner is None:
            return m
        named = s.by_first.get(owner.last + 2)
        if owner.kind == "description" and s.tokens[owner.last + 1].text == "," and named and named.kind == "name":
            return named  # "the voice of the coxswain, Israel Hands"
        return owner
    if k > m.last + 1:  # after a dash: another voice, or a possessive
        again = s.by_first.get(k)
        if again is not None and again is not m:
            return _voice_owner(s, again)
        return _possessor(s, k) or m
    return m


def _mention_from(s: Scene, k: int) -> Mention | None:
    """The first mention in the few words from token ``k`` ("of the lookout", "of Black Michael
    himself"), or a capitalised cast name there the mention pass left out; None at a clause's end."""
    for j in range(k, min(len(s.tokens), k + 4)):
        m = s.by_first.get(j)
        if m is not None:
            return m
        t = s.tokens[j]
        if t.quote or t.text in ".;:!?":
            return None
        if t.cap:
            two = " ".join(x.text for x in s.tokens[j : j + 2])
            found = [e for e in s.cast.lookup(two) if s.cast.entities[e].kind == "named"]
            if len(found) == 1:
                return Mention(j, j + 1, "name", found[0], True, t.para)
            return _cast_name(s, j)
    return None


def _possessor(s: Scene, k: int) -> Mention | None:
    """ "the Count's (voice)", "Bersonin's": a possessive the cast names; None otherwise."""
    if k < 0 or k >= len(s.tokens):
        return None
    t = s.tokens[k]
    if not t.cap or not t.text.endswith(("'s", "’s")):
        return None
    base = t.text[:-2]
    found = s.cast.lookup(base) or s.cast.lookup("the " + base)
    found = [e for e in found if s.cast.entities[e].kind in ("named", "unnamed")]
    if not found:
        return None
    if len(found) > 1:
        near = [m.entity for m in s.mentions_between(max(0, t.start - 3000), t.start) if m.entity in found]
        if not near:
            return None
        found = near[-1:]
    return Mention(k, k, "name", found[0], True, t.para)


def _clause_subject(s: Scene, k: int, lo: int) -> Mention | None:
    """The speaker of a verb after "who" or "and": "a stately old gentleman, who said", "Miss Jenkyns
    shook her head ... and then sighed out", "Joe backed up against a wall, and said to me"."""
    if s.tokens[k].low == "who":
        m = s.by_last.get(k - 2) if k - 2 >= lo and s.tokens[k - 1].text == "," else s.by_last.get(k - 1)
        return m if m is not None and m.first >= lo and m.kind != "group" else None
    start = k
    while start > lo and not s.tokens[start].sent_start:
        start -= 1
    between = s.mentions_between(s.tokens[start].start, s.tokens[k].start)
    # a name just before its own verb: "When we stood alone, Joe backed up against a wall, and said";
    # a pronoun before its own verb, outside a clause that "when", "as" open: "When I came back he
    # looked at me, and then said" is his line, "He turned as I came in, and said" too
    # without a comma before "and" the verb goes with the nearest clause, a "when" clause too ("I was about
    # to speak when she sat up alertly and said")
    main = s.tokens[k - 1].text == ","
    acting = [m for m in between if not s.tokens[m.first].quote
              and (verb_follows(s, m) if m.kind == "name"
                   else m.kind in ("pronoun", "narrator") and _main_verb(s, m, main))]
    if acting:
        last = acting[-1]
        if last.kind == "pronoun" and isinstance(last.entity, int):
            # "Amy never minded ... as she hid her face and sobbed out": the name the pronoun stands for
            gender = s.cast.entities[last.entity].gender
            named = [m for m in acting if m.kind == "name" and s.cast.entities[m.entity].gender == gender]  # type: ignore[index]
            return named[-1] if named else last
        return last
    subjects = [m for m in between if m.subject]
    if len(subjects) != 1 or subjects[0].kind == "group" or s.tokens[subjects[0].first].quote:
        return None
    return subjects[0]


def verb_follows(s: Scene, m: Mention) -> bool:
    """The word after a mention reads as its verb ("Joe backed"), not "Joe and", "Joe's", "Joe, who"."""
    k = m.last + 1
    if k >= len(s.tokens) or m.first == 0:
        return False
    t, before = s.tokens[k], s.tokens[m.first - 1]
    if not (s.tokens[m.first].sent_start or before.text in ",;" or before.low in _CLAUSE_OPENERS):
        return False  # "looked at Mary and said", "handed Willoughby the butter": no subject
    return t.text.isalpha() and t.text.islower() and t.low not in _NOT_MODIFIERS and t.low not in _NOT_VERBS


def _main_verb(s: Scene, m: Mention, main: bool = True) -> bool:
    """A pronoun ("he", "I") with its verb after it; with ``main``, not in a clause a subordinating word
    opens ("when I came back", "as she spoke")."""
    k = m.last + 1
    if k >= len(s.tokens) or not m.first:
        return False
    t, before = s.tokens[k], s.tokens[m.first - 1]
    opened = before.low in SUBORDINATORS or (m.first > 1 and before.low in _ADVERBS
                                             and s.tokens[m.first - 2].low in SUBORDINATORS)
    if opened and (main or before.low in _RELATIVES):
        return False  # "the room where he lay and reassure him": never the relative clause's subject
    return t.text.isalpha() and t.text.islower() and t.low not in _NOT_MODIFIERS and t.low not in _NOT_VERBS


#: Words that open a clause whose subject is not the sentence's: "when I came", "as he spoke".
SUBORDINATORS = frozenset({"when", "as", "while", "whilst", "if", "though", "although", "because", "since", "till",
                            "until", "after", "before", "that", "where", "whether", "unless", "once", "whom", "who",
                            "which"})

#: Subordinating words that open a relative clause, whose subject never goes on to speak.
_RELATIVES = frozenset({"where", "who", "whom", "which", "that", "whether"})
#: Words a clause's subject may follow: "When we stood alone, Joe backed ...", "and then Joe said".
_CLAUSE_OPENERS = frozenset({"and", "but", "then", "when", "while", "as", "so", "till", "until", "once", "now"})
#: Words after a name that are not its verb: "Joe the blacksmith", "Joe his friend".
_NOT_VERBS = frozenset({"is", "was", "the", "a", "an", "his", "her", "their", "my", "your", "its", "our"})


def _decide_tag(s: Scene, m: Mention, where: str) -> Decision | None:
    follow = [t.low for t in s.tokens[m.last + 1 : m.last + 4]]
    if m.kind == "name" and follow[:1] == ["and"] and s.by_first.get(m.last + 2) is not None:
        m = Mention(m.first, m.last, "group", None, True, m.para)  # "Mrs. Ridley and Freddie"
    if m.kind == "group":
        return Decision(GROUP, Rule.GROUP_TAG, CONFIDENCE[Rule.GROUP_TAG])
    if m.entity is None:
        return None
    if m.kind in ("pronoun", "narrator"):
        basis = "pronoun" if m.kind == "pronoun" else "first-person"
        return Decision(m.entity, Rule.PRONOUN_TAG, CONFIDENCE[Rule.PRONOUN_TAG], m.kind == "pronoun", m.first, basis)
    ent = s.cast.entities[m.entity]
    if m.kind == "description" and ent.kind == "unnamed" and m.entity not in s.renamed:
        # call an unnamed speaker the way the tag does: "the driver", not "the bus driver"
        words = [t.text for t in s.tokens[m.first : m.last + 1]]
        if words[0].lower() in ("the", "a", "an", "this", "that"):
            ent.name = "the " + " ".join(words[1:])
            s.renamed.add(m.entity)
    rule = Rule.EXPLICIT_TAG_AFTER if where == "after" else Rule.EXPLICIT_TAG_BEFORE
    return Decision(m.entity, rule, CONFIDENCE[rule], basis="description" if ent.kind == "unnamed" else "name")
