"""Mentions of people in the narration, each resolved to a character of the cast.

One pass over the narration in text order keeps a history of who was mentioned
last; a pronoun refers to the latest person of its gender, preferring the subject
of a sentence in the same paragraph. Descriptions ("the doctor", "his sister",
"the man in the grey coat") resolve to a named character when a title, an
apposition ("Madame Dupont, the owner") or a kinship word with the right gender
points to one, and otherwise to an unnamed character of their own.
"""

from __future__ import annotations

from pipeline.reading.lexicon import GROUP_WORDS, NOT_NAMES, PERSON_NOUNS, SUBJECT_PRONOUNS, speech_verb_at
from pipeline.speakers.cast import Mention
from pipeline.speakers.characters import Cast, NameRun
from pipeline.speakers.descriptions import Descriptions
from pipeline.speakers.kin import DETERMINERS, NOT_A_REFERENCE
from pipeline.speakers.tokens import Token

__all__ = ["Mention", "Resolver"]

#: How far back (paragraphs) the unnamed person a line that names its speaker revealed is re-pointed.
_REVEALED = 40


class Resolver:
    """Walks the narration in order, resolving every mention against the story so far."""

    def __init__(self, cast: Cast, tokens: list[Token], runs: list[NameRun], text: str) -> None:
        self.cast = cast
        self.tokens = tokens
        self.text = text
        self.history: list[Mention] = []
        self.run_at = {r.first: r for r in runs}
        self.mentions: list[Mention] = []
        self.descriptions = Descriptions(self)

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
                self._introduction_at(i)
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
                if m.kind == "name":
                    self.descriptions.strangers.named(self, m)
                self.history.append(m)
            i = m.last + 1
        return self.mentions

    def _introduction_at(self, i: int) -> None:
        """A line that names its speaker ("I am Stapleton", "my name is Hester", "I am the King") makes the
        speaker that person: the pronoun or description of its tag so far ("said he") is re-pointed to
        them, and so is the unnamed person that tag meant, over the scene ("the count" who turns out to
        be the King); they are the subject a tag after the line ("he said") and the pronouns after it
        find; a stranger who came in just before is they too (``strangers.py``)."""
        run = self.run_at.get(i)
        ent = self._self_named(run, i) if run is not None else None
        if run is None or ent is None:
            return
        para = self.tokens[i].para
        for m in reversed(self.history[-12:]):
            if m.para != para:
                break
            if m.kind in ("pronoun", "description") and self._in_a_tag(m):
                was, m.entity = m.entity, ent  # "'You will excuse me,' said he. 'I am Stapleton.'"
                if was is not None and self.cast.entities[was].kind == "unnamed":
                    self.descriptions.strangers.bound[self.cast.entities[was].name.split()[-1]] = (ent, para)
                    for h in reversed(self.history[-600:]):
                        if h.para < para - _REVEALED:
                            break
                        if h.entity == was:
                            h.entity = ent
                break
        named = Mention(i, run.last, "name", ent, True, para)
        self.descriptions.strangers.introduced(self, named)
        self.history.append(named)

    def _self_named(self, run: NameRun, i: int) -> int | None:
        """The named person a line's "I am X" / "my name is X" / "I am the X" at token ``i`` names."""
        tokens = self.tokens
        the = i >= 3 and tokens[i - 1].low == "the"  # "I am the King"
        k = i - 1 if the else i
        if k < 2 or tokens[run.last].poss or not tokens[k - 2].quote:  # "I am Tom's friend"
            return None
        said = (tokens[k - 2].low, tokens[k - 1].low)
        if said != ("i", "am") and (the or said != ("name", "is")):
            return None
        ent = self.entity_for_name(run.surface)
        if ent is None:  # "I am Tapp" of the one the narration calls "Mr. Tapp"
            low = run.surface.lower()
            people = self.cast.entities
            same = [e for e, x in enumerate(people) if x.kind == "named" and (x.surname or "").lower() == low]
            ent = same[0] if len(same) == 1 else None
        if ent is None or self.cast.entities[ent].kind != "named" or self.cast.is_narrator(ent):
            return None
        return ent

    def _in_a_tag(self, m: Mention) -> bool:
        """The mention is the subject of a speech verb next to it ("said he", "the man said")."""
        words = [t.low for t in self.tokens[max(0, m.first - 1) : m.last + 2]]
        return any(speech_verb_at(words, k) for k in (0, len(words) - 1))

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
            return self.descriptions.description_at(i)
        if low in GROUP_WORDS and low in ("everyone", "everybody", "all", "both"):
            return Mention(i, i, "group", None, False, tok.para)
        return None

    # ------------------------------------------------------------------ names

    def entity_for_name(self, surface: str) -> int | None:
        found = self.cast.lookup(surface)
        if len(found) == 1:
            return found[0]
        if found:
            return self.latest(found)
        return None

    def latest(self, choices: list[int]) -> int:
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

    # ------------------------------------------------------------------ helpers

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

