"""Mentions of people in the narration, each resolved to a character of the cast.

One pass over the narration in text order keeps a history of who was mentioned
last; a pronoun refers to the latest person of its gender, preferring the subject
of a sentence in the same paragraph. Descriptions ("the doctor", "his sister",
"the man in the grey coat") resolve to a named character when a title, an
apposition ("Madame Dupont, the owner") or a kinship word with the right gender
points to one, and otherwise to an unnamed character of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.reading.lexicon import GROUP_WORDS, NOT_NAMES, PERSON_NOUNS, SUBJECT_PRONOUNS, speech_verb_at
from pipeline.speakers.characters import Cast, NameRun, noun_gender
from pipeline.speakers.kin import DETERMINERS, FAMILY_TITLE, GENERIC, KIN, MARRIED, NOT_A_REFERENCE, POSSESSIVES, PREPS
from pipeline.speakers.tokens import Token


@dataclass(slots=True)
class Mention:
    """Someone referred to in the narration."""

    first: int  # token index
    last: int  # token index (inclusive)
    kind: str  # name | pronoun | description | group | narrator
    entity: int | None  # index into Cast.entities; None when unresolved
    subject: bool  # first person-mention of its sentence
    para: int


class Resolver:
    """Walks the narration in order, resolving every mention against the story so far."""

    def __init__(self, cast: Cast, tokens: list[Token], runs: list[NameRun], text: str) -> None:
        self.cast = cast
        self.tokens = tokens
        self.text = text
        self.history: list[Mention] = []
        self.run_at = {r.first: r for r in runs}
        self.mentions: list[Mention] = []
        self._learn_appositions()

    # ------------------------------------------------------------------ pass

    def resolve_all(self) -> list[Mention]:
        tokens = self.tokens
        i, n = 0, len(tokens)
        sentence_has_subject = False
        while i < n:
            tok = tokens[i]
            if tok.sent_start or self._after_semicolon(i):
                sentence_has_subject = False  # a semicolon joins two independent clauses
            if tok.quote:
                i += 1
                continue
            m = self.mention_at(i)
            if m is None:
                i += 1
                continue
            m.subject = not sentence_has_subject and (not self._after_preposition(i) or self._after_semicolon(i))
            if m.kind in ("name", "description", "pronoun", "narrator"):
                sentence_has_subject = sentence_has_subject or m.subject
            self.mentions.append(m)
            if m.entity is not None:
                self.history.append(m)
            i = m.last + 1
        return self.mentions

    def _after_semicolon(self, i: int) -> bool:
        """Token ``i`` opens a clause after a semicolon ("...; Tom nodded", "...; and Tom nodded")."""
        k = i - 1
        if k >= 0 and self.tokens[k].low in ("and", "but", "while", "then"):
            k -= 1
        return k >= 0 and self.tokens[k].text == ";" and not self.tokens[k].quote

    def mention_at(self, i: int) -> Mention | None:
        """The mention starting at token ``i`` (resolved against the history so far), if any."""
        tok = self.tokens[i]
        run = self.run_at.get(i)
        if run is not None:
            ent = self.entity_for_name(run.surface)
            if ent is not None:
                return Mention(i, run.last, "name", ent, False, tok.para)
        low = tok.low
        if low in SUBJECT_PRONOUNS and not tok.poss:
            g = SUBJECT_PRONOUNS[low]
            if g == "I":
                return Mention(i, i, "narrator", self.cast.narrator_at(tok.para), False, tok.para)
            if g == "P":
                return Mention(i, i, "group", None, False, tok.para)
            return Mention(i, i, "pronoun", self.pronoun(i, g), False, tok.para)
        if low in ("a", "an") and i and self.tokens[i - 1].low in NOT_A_REFERENCE:
            return None  # "like a man who...", "she was a woman of...": a comparison or a predicate
        if low in DETERMINERS or (tok.cap and low in PERSON_NOUNS and low not in NOT_NAMES):
            return self.description_at(i)
        if low in GROUP_WORDS and low in ("everyone", "everybody", "all", "both"):
            return Mention(i, i, "group", None, False, tok.para)
        return None

    # ------------------------------------------------------------------ names

    def entity_for_name(self, surface: str) -> int | None:
        found = self.cast.lookup(surface)
        if len(found) == 1:
            return found[0]
        if found:
            return self._latest(found)
        return None

    def _latest(self, choices: list[int]) -> int:
        for m in reversed(self.history[-400:]):
            if m.entity in choices:
                return m.entity
        return choices[0]

    # ------------------------------------------------------------------ pronouns

    def pronoun(self, i: int, gender: str, exclude: set[int] | None = None) -> int | None:
        """The latest person of ``gender`` before token ``i``: a subject in this paragraph if any."""
        para = self.tokens[i].para
        found: list[Mention] = []  # the candidates of the nearest paragraph that has any
        for m in reversed(self.history[-80:]):
            if m.first >= i or m.entity is None or (exclude and m.entity in exclude) or m.kind == "narrator":
                continue  # "I" is never "he": not even when the writer of a diary has a gender
            if self.cast.entities[m.entity].gender != gender:
                continue
            if m.para == para and m.subject:
                return m.entity
            if found and m.para != found[0].para:
                break
            found.append(m)
        if not found:
            return None
        # in an earlier paragraph the subject is the likelier referent, and a possessive
        # ("picked up Anne's clothes") the least likely
        if found[0].para != para:
            for m in found:
                if m.subject and not self.tokens[m.last].poss:
                    return m.entity
        for m in found:
            if not self.tokens[m.last].poss:
                return m.entity
        return found[0].entity

    # ------------------------------------------------------------------ descriptions

    def description_at(self, i: int) -> Mention | None:
        """A determiner + adjectives + person noun (+ a short prepositional phrase)."""
        tokens = self.tokens
        n = len(tokens)
        det = tokens[i].low if tokens[i].low in DETERMINERS else None
        j = i + 1 if det else i
        head = None
        k = j
        while k < n and k < j + 5 and not tokens[k].quote and tokens[k].text[0].isalpha():
            low = tokens[k].low
            if low in PERSON_NOUNS or (tokens[k].cap and low in PERSON_NOUNS):
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
        last = self._qualifier_end(head)
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
            ent = self.kin(i, noun, noun_gender(noun), owner)
            return Mention(i, last, "description", ent, False, para) if ent is not None else None
        ent = self.entity_for_description(det, words, tokens[i].start, i)
        if ent is None:
            return None
        return Mention(i, last, "description", ent, False, para)

    def _qualifier_end(self, head: int) -> int:
        """The last token of a short qualifying phrase after a description's noun
        ("the man in the grey coat", "a voice from the back"), or the noun itself."""
        tokens = self.tokens
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
            and self._next_word(k)
            and not speech_verb_at([tokens[k].low], 0)
            and not tokens[k].low.endswith("ly")
            and tokens[k].low not in DETERMINERS
        ):
            k += 1
        return k - 1

    def entity_for_description(self, det: str | None, words: list[str], pos: int, i: int) -> int | None:
        cast = self.cast
        noun = words[-1]
        gender = noun_gender(noun)
        roles = [e for e, ent in enumerate(cast.entities) if noun in ent.roles]
        if roles and det not in ("a", "an"):  # "a doctor" is someone new, "the doctor" Dr. Hale
            return roles[0] if len(roles) == 1 else self._latest(roles)
        if det in POSSESSIVES:
            owner_gender = POSSESSIVES[det]
            owner = None
            if owner_gender in ("M", "F"):
                owner = self.pronoun(i, owner_gender)
            elif owner_gender == "I":
                owner = cast.narrator_at(self.tokens[i].para)
            if det in ("my", "our") and noun not in KIN:
                return None
            if noun in KIN or noun in PERSON_NOUNS:
                return self.kin(i, noun, gender, owner)
            return None
        if det in ("a", "an") and i and self._indefinite_object(i):
            return None  # "in want of a wife", "to put a girl there": not someone in the scene
        if det in (None, "the", "this", "that", "a", "an"):
            if len(words) == 1 and det != "a" and det != "an":
                # "the woman" after "a young woman": the same person
                for m in reversed(self.history[-400:]):
                    ent = cast.entities[m.entity] if m.entity is not None else None
                    if ent is not None and ent.kind == "unnamed" and ent.name.split()[-1] == noun:
                        return m.entity
            return cast.describe(self._describe_key(words), gender)
        return None

    def kin(self, i: int, noun: str, gender: str, owner: int | None) -> int | None:
        """Who "his sister" / "her husband" is: a recent person of the right gender, preferring
        the owner's family name and the title that goes with the relation."""
        if noun in ("friend", "companion") and owner is not None and self.cast.is_narrator(owner):
            return self._salient(i, owner)  # "said my friend": the narrator's chief companion
        if gender == "U":
            return None
        family = self._family_member(i, noun, gender, owner)
        if family is not None:
            return family
        owner_ent = self.cast.entities[owner] if owner is not None else None
        surname = owner_ent.surname.lower() if owner_ent is not None and owner_ent.surname else None
        seen: list[int] = []
        for m in reversed(self.history[-150:]):
            if m.first >= i or m.entity is None or m.entity == owner or m.entity in seen:
                continue
            if self.cast.entities[m.entity].gender == gender:
                seen.append(m.entity)
        if not seen:
            return None

        def score(rank_e: tuple[int, int]) -> tuple[int, int]:
            rank, e = rank_e
            ent = self.cast.entities[e]
            points = 2 if ent.kind == "named" else 0
            if surname and ent.surname and ent.surname.lower() == surname:
                points += 2
            if noun in ("mother", "wife", "aunt", "grandmother", "mistress") and ent.title in MARRIED:
                points += 1
            if noun in ("sister", "daughter", "niece") and ent.title not in MARRIED:
                points += 1
            return points, -rank

        return max(enumerate(seen), key=score)[1]

    def _salient(self, i: int, exclude: int) -> int | None:
        """The named person mentioned most often in the recent narration."""
        counts: dict[int, int] = {}
        for m in self.history[-150:]:
            ent = self.cast.entities[m.entity] if m.entity is not None else None
            if m.first < i and m.entity is not None and m.entity != exclude and ent and ent.kind == "named":
                counts[m.entity] = counts.get(m.entity, 0) + 1
        if not counts:
            return None
        return max(counts, key=lambda e: counts[e])

    def _family_member(self, i: int, noun: str, gender: str, owner: int | None) -> int | None:
        """ "his wife" / "her father": the one Mrs. / Mr. of the owner's family name, or, when the
        owner is unknown, of the family name of the latest named person that has one."""
        titles = FAMILY_TITLE.get(noun)
        if titles is None:
            return None
        surnames = self._family_names(i, owner)
        for sur in surnames:
            found = [
                e
                for e, ent in enumerate(self.cast.entities)
                if e != owner
                and ent.kind == "named"
                and ent.surname
                and ent.surname.lower() == sur
                and ent.title in titles
                and ent.gender in (gender, "U")
            ]
            if len(found) == 1:
                return found[0]
        if owner is None or self.cast.entities[owner].kind == "unnamed":
            # the story's one married couple: "his wife" is Mrs. X when Mr. X is in the story too
            couples = [
                e
                for e, ent in enumerate(self.cast.entities)
                if ent.kind == "named"
                and ent.surname
                and ent.title in titles
                and ent.gender in (gender, "U")
                and any(
                    o.kind == "named"
                    and o.surname == ent.surname
                    and o.title in (MARRIED if ent.title not in MARRIED else ("mr", "sir", "lord"))
                    for o in self.cast.entities
                )
            ]
            if len(couples) == 1:
                return couples[0]
        return None

    def _family_names(self, i: int, owner: int | None) -> list[str]:
        """The family names "his wife" may belong to: the owner's, or when the owner is unknown,
        those of the latest named people and of the names in the paragraph."""
        surnames: list[str] = []
        own = self.cast.entities[owner].surname if owner is not None else None
        if own:
            surnames.append(own.lower())
        elif owner is None or self.cast.entities[owner].kind == "unnamed":
            for m in reversed(self.history[-150:]):
                if m.first >= i or m.entity is None:
                    continue
                sur = self.cast.entities[m.entity].surname
                if sur and sur.lower() not in surnames:
                    surnames.append(sur.lower())
                if len(surnames) == 3:
                    break
            # the names in this paragraph, quotations included: "My dear Mr. Bennet," said his lady
            para = self.tokens[i].para
            k = i
            while k > 0 and self.tokens[k - 1].para == para:
                k -= 1
            while k < len(self.tokens) and self.tokens[k].para == para:
                run = self.run_at.get(k)
                ent = self.entity_for_name(run.surface) if run is not None else None
                sur = self.cast.entities[ent].surname if ent is not None else None
                if sur and sur.lower() not in surnames:
                    surnames.append(sur.lower())
                k += 1
        return surnames

    @staticmethod
    def _describe_key(words: list[str]) -> str:
        core = [w for w in words if w not in ("this", "that")]
        return "the " + " ".join(core)

    # ------------------------------------------------------------------ helpers

    def _next_word(self, k: int) -> bool:
        """Token k follows token k - 1 after at most one space or one line break (CRLF too)."""
        gap = self.text[self.tokens[k - 1].end : self.tokens[k].start]
        return len(gap) <= 1 or gap == "\r\n"

    def _indefinite_object(self, i: int) -> bool:
        """An indefinite description after "of" or as the object of an infinitive ("to put a girl")."""
        prev = self.tokens[i - 1]
        if prev.quote:
            return False
        if prev.low in ("of", "for"):
            return True
        return i >= 2 and self.tokens[i - 2].low == "to" and prev.low.isalpha() and not self.tokens[i - 2].quote

    def _after_preposition(self, i: int) -> bool:
        if i == 0:
            return False
        prev = self.tokens[i - 1]
        return prev.low in {
            "to",
            "at",
            "with",
            "of",
            "from",
            "for",
            "by",
            "on",
            "behind",
            "beside",
            "towards",
            "toward",
            "upon",
            "into",
            "over",
            "under",
            "and",
            "than",
            "like",
            "about",
        }

    def _learn_appositions(self) -> None:
        """ "Madame Dupont, the café's owner," and "The café's owner, Madame Dupont," give roles."""
        tokens = self.tokens
        n = len(tokens)
        for first, run in self.run_at.items():
            ents = self.cast.lookup(run.surface)
            if len(ents) != 1:
                continue
            ent = self.cast.entities[ents[0]]
            k = run.last + 1
            # NAME , the ... NOUN ,
            if k + 2 < n and tokens[k].text == "," and tokens[k + 1].low in ("the", "a", "an", "his", "her"):
                noun = self._noun_after(k + 2)
                if noun:
                    ent.roles.add(noun)
            # the ... NOUN , NAME ,
            if first >= 2 and tokens[first - 1].text == ",":
                j = first - 2
                if tokens[j].low in PERSON_NOUNS and tokens[j].low not in GENERIC and not tokens[j].quote:
                    back = j
                    while back > max(0, j - 4) and tokens[back].low not in ("the", "a", "an"):
                        back -= 1
                    if tokens[back].low in ("the", "a", "an"):
                        ent.roles.add(tokens[j].low)

    def _noun_after(self, k: int) -> str | None:
        for t in self.tokens[k : k + 4]:
            if t.low in PERSON_NOUNS and t.low not in GENERIC:
                return t.low
            if not t.text[0].isalpha():
                return None
        return None
