"""Descriptions of people in the narration ("the doctor", "the man in the grey coat", "his sister"),
each resolved to a character: through a role the text gives someone ("Madame Dupont, the owner"; a
title: "the Professor"), an unnamed person met before ("a young woman" ... "the woman"), the one
named person of that sex in the scene ("the old lady" when Aunt Polly is the only woman there), or
an unnamed character of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pipeline.reading.lexicon import GROUP_WORDS, NOT_NAMES, PERSON_NOUNS, speech_verb_at
from pipeline.speakers.appositions import called, learn_appositions
from pipeline.speakers.cast import Cast, Mention, Scene
from pipeline.speakers.characters import noun_gender
from pipeline.speakers.kin import (
    DETERMINERS,
    FAMILY_TITLE,
    KIN,
    MARRIED,
    POSSESSIVES,
    PREPS,
    Relatives,
)
from pipeline.speakers.nameruns import NameRun, addressed, vocative
from pipeline.speakers.strangers import Strangers
from pipeline.speakers.tokens import Token

#: Nouns that say only someone's sex and age ("the girl", "the old gentleman"): a person the reader
#: already knows, when the scene holds only one of that sex. Callings ("the butler") are roles instead.
_PLAIN = frozenset({"man", "woman", "girl", "boy", "lady", "gentleman", "fellow", "lad", "lass", "maiden", "youth"})
#: How far back (in paragraphs) "the scene" reaches for the people a plain description may mean.
_SCENE_PARAGRAPHS = 6
#: Titles no girl or boy goes by: "the little girl" is not Aunt Em, "the boy" not Uncle Henry.
_NOT_YOUNG = MARRIED | frozenset({"aunt", "uncle", "auntie", "mr", "mister", "sir", "grandmother", "grandfather",
                                  "granny", "grandma", "grandpa", "mother", "father", "dr", "doctor", "professor"})
_YOUNG = frozenset({"girl", "boy", "lad", "lass", "maiden", "youth", "child"})
_GROWN = frozenset({"man", "woman", "lady", "gentleman"})
#: How far back an unnamed person met before ("a young woman") is still "the woman" of a description.
_LATELY_PARAGRAPHS = 30
#: Words that set a description's person apart from the one last called by its noun.
_APART = frozenset(
    {"other", "another", "second", "first", "third", "new", "younger", "elder", "older", "eldest", "youngest"}
)
_KIND_OF = frozenset({"his", "her", "their", "your", "my", "our", "its", "that", "this", "such"})


class Descriptions:
    """Reads and resolves descriptions for a ``Resolver``, against the story so far."""

    def __init__(self, resolver: Scene) -> None:
        self.resolver = resolver
        self.cast = resolver.cast
        self.tokens = resolver.tokens
        self.text = resolver.text
        self.run_at = resolver.run_at
        self.history = resolver.history
        self.relatives = Relatives(resolver)
        self.strangers = Strangers()  # the unnamed people the narration brought in ("a young woman")
        # young or grown, as the plain descriptions that named a person said ("the little girl" is Dorothy)
        self.ages: dict[int, Counter[str]] = defaultdict(Counter)
        learn_appositions(self.cast, self.tokens, self.run_at)
        self.spoken_of = _named_in_quotes(self.cast, self.tokens, self.run_at)
        self.addressed = _named_in_quotes(self.cast, self.tokens, self.run_at, spoken_to=True)

    def description_at(self, i: int) -> Mention | None:
        """A determiner + adjectives + person noun (+ a short prepositional phrase)."""
        tokens = self.tokens
        n = len(tokens)
        det = tokens[i].low if tokens[i].low in DETERMINERS else None
        j = i + 1 if det else i
        if det and (run := self.run_at.get(j)) is not None and "of" in run.words:
            return None  # "the Witch of the North": a name, read as one after the article
        head = None
        k = j
        while k < n and k < j + 5 and not tokens[k].quote and tokens[k].text[0].isalpha():
            low = tokens[k].low
            if _person_noun(low):
                head = k
                if k + 1 < n and tokens[k + 1].low in PERSON_NOUNS and not tokens[k].poss:
                    k += 1
                    continue
                break
            if low in NOT_NAMES and low not in ("old", "young", "little", "poor", "good", "other"):
                return None
            if k > j and tokens[k].cap and not tokens[k].sent_start:
                return None  # "at this point Miss Baker said": a name, not part of the description
            k += 1
        if head is None:
            return None
        if tokens[head].poss:
            return None  # "the café's owner": the owner is the head; handled when we reach it
        if det in ("a", "an") and _a_kind(tokens, head):
            return None  # "a girl of her type", "a man of that sort": a kind of person, not someone there
        last = _qualifier_end(tokens, self.text, head)
        para = tokens[i].para
        noun = tokens[head].low
        words = [t.low for t in tokens[j : head + 1]]
        if noun in GROUP_WORDS or (
            noun.endswith("s") and noun[:-1] in PERSON_NOUNS and noun not in ("boss",)
        ):
            return Mention(i, last, "group", None, False, para)
        owner_noun = next((t for t in tokens[j:head] if t.poss and t.low in PERSON_NOUNS), None)
        if owner_noun is not None and noun in KIN:
            # "the vicar's wife": a relation of the person the possessive names
            owner = self.entity_for_description("the", [owner_noun.low], tokens[i].start, i)
            ent = self.relatives.kin(i, noun, noun_gender(noun), owner)
            return Mention(i, last, "description", ent, False, para) if ent is not None else None
        # "the Monkey King" is a king of his own, not the one the cast knows as "the King"
        named_kind = any(t.cap and not t.sent_start for t in tokens[j:head])
        ent = self.entity_for_description(det, words, tokens[i].start, i, by_role=not named_kind)
        if ent is None:
            return None
        return Mention(i, last, "description", ent, False, para)

    def entity_for_description(
        self, det: str | None, words: list[str], pos: int, i: int, by_role: bool = True
    ) -> int | None:
        cast = self.cast
        noun = words[-1]
        gender = noun_gender(noun)
        # "his mother" is whoever "he" is's mother, not the one "the mother" of a role; the narrator's own
        # relations are roles ("my sister, Mrs. Joe")
        relation = noun in KIN and det in POSSESSIVES and det not in ("my", "our")
        roles = called(cast, noun, self.tokens[i].para) if by_role and not relation else []
        if roles and det not in ("a", "an"):  # "a doctor" is someone new, "the doctor" Dr. Hale
            return roles[0] if len(roles) == 1 else self._latest_holder(roles, self.tokens[i].para)
        if det in POSSESSIVES:
            owner_gender = POSSESSIVES[det]
            owner = None
            if owner_gender in ("M", "F"):
                owner = _called_in_the_line(self.resolver, i, owner_gender)
                owner = owner if owner is not None else self.resolver.pronoun(i, owner_gender)
            elif owner_gender == "I":
                owner = cast.narrator_at(self.tokens[i].para)
            if det in ("my", "our") and noun not in KIN:
                return None
            if noun in KIN or noun in PERSON_NOUNS:
                return self.relatives.kin(i, noun, gender, owner)
            return None
        if det in ("a", "an") and i and _indefinite_object(self.tokens, i):
            return None  # "in want of a wife", "to put a girl there": not someone in the scene
        if det in (None, "the", "this", "that", "a", "an"):
            again = len(words) == 1 and det not in ("a", "an")
            if again and det == "the" and noun in FAMILY_TITLE:
                # "the mother" of a family scene: Mrs. <the family name of the people just named>
                family = self.relatives.family_member(i, noun, gender, None)
                if family is not None:
                    return family
            if again and (met := self._met_before(i, noun, _LATELY_PARAGRAPHS)) is not None:
                return met  # "the woman" after "a young woman" lately: the same person
            if again and det == "the" and (bound := self.strangers.bound_to(noun, self.tokens[i].para)) is not None:
                return bound  # "the man" of the scene where "a man" turned out to be Mr. Craven
            if det in (None, "the") and noun in _PLAIN and gender in ("M", "F"):
                named = self.only_one_in_scene(i, gender, _describe_key(words), noun in _YOUNG)
                if named is not None:
                    self.ages[named][_age(noun) or ""] += 1
                    return named  # the man in the chair is Mr. Craven, the only man there
            if det == "the" and noun == "child" and (young := _child_in_scene(self.resolver, self.ages, i)) is not None:
                return young  # "answered the child": the one of the scene the text has called a girl or a boy
            if det in ("this", "that") and noun in _PLAIN and gender in ("M", "F"):
                ref = self._latest_named(i, gender)
                if ref is not None:
                    return ref  # "this good man": the man just spoken of, as "he" would be
            if again and (met := self._met_before(i, noun, None, plain=True)) is not None:
                return met  # the man at the tavern, met chapters ago
            if det == "the" and not again and (met := self._same_scene(i, words)) is not None:
                return met  # "the little old woman" of the scene where "the little woman" is
            ent = cast.describe(_describe_key(words), gender)
            if det in ("a", "an"):
                self.strangers.came_in(ent, i)
            return ent
        return None

    def _latest_holder(self, holders: list[int], para: int) -> int:
        """Which of several holders of a role "the captain" is: the one the dialogue of the scene speaks to
        ("Well, Captain Smollett, ..." before "said the captain"), else the latest the narration named."""
        spoken = {e for p in range(para - _SCENE_PARAGRAPHS, para + 1) for e in self.addressed.get(p, ())}
        named = [e for e in holders if e in spoken]
        return named[0] if len(named) == 1 else self.resolver.latest(holders)

    def _latest_named(self, i: int, gender: str) -> int | None:
        """The named person "he" or "she" at token ``i`` would be, passing over unnamed ones."""
        skip: set[int] = set()
        while (ref := self.resolver.pronoun(i, gender, skip)) is not None and self.cast.entities[ref].kind != "named":
            skip.add(ref)
        return ref

    def _met_before(self, i: int, noun: str, within: int | None, plain: bool = False) -> int | None:
        """The latest unnamed person called a ``noun`` before token ``i`` (``within`` so many paragraphs);
        ``plain``: called by the noun and nothing more ("the man", not "the cheerful old man" of
        another chapter, whom the narration would name so again)."""
        para = self.tokens[i].para
        for m in reversed(self.history[-400:]):
            if within is not None and m.para < para - within:
                break
            ent = self.cast.entities[m.entity] if m.entity is not None else None
            if ent is None or ent.kind != "unnamed" or ent.name.split()[-1] != noun:
                continue
            if not plain or len(ent.name.split()) <= 2:
                return m.entity
        return None

    def _same_scene(self, i: int, words: list[str]) -> int | None:
        """The unnamed person of the scene a qualified description ("the little old woman") is: the
        latest one called by its noun, of its age, when it does not set them apart ("the other man")."""
        met = None if _APART & set(words) else self._met_before(i, words[-1], _SCENE_PARAGRAPHS)
        return met if met is not None and _same_age(_describe_key(words), self.cast.entities[met].name) else None

    def only_one_in_scene(self, i: int, gender: str, key: str, young: bool) -> int | None:
        """The named person "the woman" / "the tall old gentleman" at token ``i`` must be: the only
        person of that sex the narration of the last few paragraphs mentions, when no one unnamed of
        that sex, nor a stranger the narration brought in ("a voice"), is there too (a woman may not be "the girl").
        A girl is no "Mrs." and no "Aunt"."""
        para = self.tokens[i].para
        named: set[int] = set()
        for m in reversed(self.history[-60:]):
            if m.para < para - _SCENE_PARAGRAPHS:
                break
            if m.entity is None or m.first >= i or self.cast.is_narrator(m.entity):
                continue
            ent = self.cast.entities[m.entity]
            if ent.gender not in (gender, "U") or m.kind == "group":
                continue
            if ent.kind != "named":
                other = m.entity in self.strangers or (ent.gender == gender and key not in ent.forms)
                if other and _same_age(key, ent.name):
                    return None  # "a young woman" came in, or "the master" is here: "the man" may be them
                continue  # "the voice", "the speaker", or this same "the girl" when no one could name her
            if key in ent.forms:
                return None
            if self._fits(m.entity, gender, key, young):
                named.add(m.entity)
        if not named:  # no one of that sex in the narration: the one the talk of the scene names ("Miss Hunter")
            named = {e for p in range(para - _SCENE_PARAGRAPHS, para + 1) for e in self.spoken_of.get(p, ())}
            named = {e for e in named if self._fits(e, gender, key, young)}
        if len(named) > 1:  # "the boy" of a courtroom full of men: the one the text has called a boy
            named = {e for e in named if _aged(self.ages, e) == _age(key)}
        return named.pop() if len(named) == 1 else None

    def _fits(self, e: int, gender: str, key: str, young: bool) -> bool:
        ent = self.cast.entities[e]
        age = _aged(self.ages, e)
        return ent.gender == gender and not (young and ent.title in _NOT_YOUNG) and age in (None, _age(key))


def _child_in_scene(scene: Scene, ages: dict[int, Counter[str]], i: int) -> int | None:
    """The one person of the last few paragraphs whom the plain descriptions have called young ("the
    little girl" was Dorothy), when no one else there is young or might be."""
    para = scene.tokens[i].para
    young: set[int] = set()
    for m in reversed(scene.history[-60:]):
        if m.para < para - _SCENE_PARAGRAPHS:
            break
        if m.entity is None or m.first >= i or scene.cast.is_narrator(m.entity) or m.kind == "group":
            continue
        ent = scene.cast.entities[m.entity]
        if ent.kind != "named":
            if _age(ent.name) == "young" or "child" in ent.name:
                return None  # an unnamed girl or child is there too
            continue
        if _aged(ages, m.entity) == "young":
            young.add(m.entity)
    return young.pop() if len(young) == 1 else None


def _qualifier_end(tokens: list[Token], text: str, head: int) -> int:
    """The last token of a short qualifying phrase after a description's noun
    ("the man in the grey coat", "a voice from the back"), or the noun itself."""
    n = len(tokens)
    if not (
        head + 2 < n
        and tokens[head + 1].low in PREPS
        and tokens[head + 1].low != "of"
        and (tokens[head + 2].low in DETERMINERS or tokens[head + 2].cap)
    ):
        return head
    k = head + 3
    stop = min(n, head + 6)
    while (
        k < stop
        and not tokens[k].quote
        and tokens[k].text[0].isalnum()
        and _next_word(text, tokens, k)
        and not speech_verb_at([tokens[k].low], 0)
        and not tokens[k].low.endswith("ly")
        and tokens[k].low not in DETERMINERS
    ):
        k += 1
    return k - 1


def _called_in_the_line(scene: Scene, i: int, gender: str) -> int | None:
    """Whose "her mother" the tag at token ``i`` is, when it follows its line ("'Fanny!' said her mother"):
    the one person of that sex the line names (the daughter it speaks to), not the latest "she"."""
    tokens = scene.tokens
    k = i - 2
    while k >= 0 and not tokens[k].quote and tokens[k].text in ('"', "”", "’", "'", ","):
        k -= 1  # the closing mark (and a comma outside it)
    if k < 0 or not speech_verb_at([tokens[i - 1].low], 0) or not tokens[k].quote:
        return None
    para = tokens[i].para
    found: set[int] = set()
    while k >= 0 and tokens[k].quote and tokens[k].para == para:
        run = scene.run_at.get(k)
        ent = scene.entity_for_name(run.surface) if run is not None else None
        if ent is not None and scene.cast.entities[ent].gender == gender:
            found.add(ent)
        k -= 1
    return found.pop() if len(found) == 1 else None


def _indefinite_object(tokens: list[Token], i: int) -> bool:
    """An indefinite description after "of" or as the object of an infinitive ("to put a girl")."""
    prev = tokens[i - 1]
    if prev.quote:
        return False
    if prev.low in ("of", "for"):
        return True
    return i >= 2 and tokens[i - 2].low == "to" and prev.low.isalpha() and not tokens[i - 2].quote


def _aged(ages: dict[int, Counter[str]], e: int) -> str | None:
    """Young or grown, as most of the plain descriptions that named person ``e`` said; None when unknown."""
    votes = ages.get(e)
    if not votes:
        return None
    young, grown = votes["young"], votes["grown"]
    return "young" if young > grown else "grown" if grown > young else None


def _age(noun: str) -> str | None:
    """ "young" for "girl", "grown" for "woman", None for a noun that does not say."""
    last = noun.split()[-1]
    return "young" if last in _YOUNG else "grown" if last in _GROWN else None


def _next_word(text: str, tokens: list[Token], k: int) -> bool:
    """Token k follows token k - 1 after at most one space or one line break (CRLF too)."""
    gap = text[tokens[k - 1].end : tokens[k].start]
    return len(gap) <= 1 or gap == "\r\n"


def _same_age(key: str, other: str) -> bool:
    """Whether an unnamed person called ``other`` might be the one ``key`` describes: "the little
    woman" is no "girl", "the old man" no "boy"; a calling ("the master", "the clerk") may be any
    grown person, but no "boy"."""
    if _age(key) == "young":
        return _age(other) == "young"
    return None in (_age(key), _age(other)) or _age(key) == _age(other)


def _a_kind(tokens: list[Token], head: int) -> bool:
    """ "a girl of her type", "a man of that stamp", "a woman of such spirit": the noun is followed by
    "of" and a possessive or a demonstrative."""
    after = tokens[head + 1 : head + 3]
    return len(after) == 2 and after[0].low == "of" and after[1].low in _KIND_OF


def _person_noun(low: str) -> bool:
    """A noun for a person, or a compound ending in one: "the barge-woman", "the station-master"."""
    return low in PERSON_NOUNS or ("-" in low and low.rsplit("-", 1)[1] in PERSON_NOUNS)


def _describe_key(words: list[str]) -> str:
    """The name of the unnamed person a description makes ("this old man" -> "the old man")."""
    core = [w for w in words if w not in ("this", "that")]
    return "the " + " ".join(core)


def _named_in_quotes(
    cast: Cast, tokens: list[Token], run_at: dict[int, NameRun], spoken_to: bool = False
) -> dict[int, list[int]]:
    """Paragraph -> the named people its dialogue names (one each); ``spoken_to``: only those it
    speaks to ("Well, Captain Smollett, what have you to say?")."""
    out: dict[int, list[int]] = {}
    for first, run in run_at.items():
        ents = cast.lookup(run.surface)
        if not tokens[first].quote or len(ents) != 1 or cast.entities[ents[0]].kind != "named":
            continue
        if not spoken_to or (vocative(tokens, run) and addressed(tokens, run)):
            out.setdefault(tokens[first].para, []).append(ents[0])
    return out
