"""The characters of a story while it is read: each person's forms of name, gender, title and roles.

``Cast`` is built by ``characters.find_cast`` (named people, their short forms folded in by
``folding``), grows unnamed people as the attribution meets them ("the porter"), and answers
which entity a form of name points to.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pipeline.speakers.nameruns import NameRun
from pipeline.speakers.tokens import Token


@dataclass
class Entity:
    """A character while the cast is being built."""

    name: str
    forms: set[str] = field(default_factory=set)  # lower-case surface forms
    gender: str = "U"
    title: str | None = None
    given: str | None = None
    surname: str | None = None
    roles: set[str] = field(default_factory=set)  # description nouns that name them ("the doctor")
    kind: str = "named"  # named | unnamed | narrator
    # role -> the paragraphs (first, last) where it holds ("Mr. Miles, the master"): the part of the book
    # the person is in, not the whole book (see ``Cast.holds``)
    posted: dict[str, tuple[int, int]] = field(default_factory=dict)


#: How many paragraphs a calling an apposition gives reaches beyond the person's first and last mentions.
ROLE_REACH = 60


class Cast:
    """The characters of one story and how their names are written."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self.by_form: dict[str, list[int]] = defaultdict(list)
        self.narrator: int | None = None
        # (first paragraph, entity) of each section whose "I" is a writer of its own (see narrators.py)
        self.writers: list[tuple[int, int | None]] = []

    def add(self, entity: Entity) -> int:
        self.entities.append(entity)
        index = len(self.entities) - 1
        for form in entity.forms:
            self.by_form[form].append(index)
        return index

    def alias(self, index: int, form: str) -> None:
        form = form.lower()
        if form not in self.entities[index].forms:
            self.entities[index].forms.add(form)
            self.by_form[form].append(index)

    def merge(self, keep: int, drop: int) -> None:
        """``drop`` is ``keep`` under another name: its forms become ``keep``'s, and it answers to none."""
        gone = self.entities[drop]
        for form in gone.forms:
            self.by_form[form] = [i for i in self.by_form[form] if i != drop]
            self.alias(keep, form)
        gone.forms = set()
        gone.kind = "merged"

    def retire(self, index: int) -> None:
        """Entity ``index`` is no character after all (a dog the text names): it answers to no name."""
        gone = self.entities[index]
        for form in gone.forms:
            self.by_form[form] = [i for i in self.by_form[form] if i != index]
        gone.forms = set()
        gone.kind = "merged"

    def holds(self, index: int, role: str, para: int) -> bool:
        """Whether ``role`` names entity ``index`` in paragraph ``para``: a calling (by apposition or
        title) only in the part of the book the person is in; a relation ("my sister") anywhere."""
        ent = self.entities[index]
        if role not in ent.roles:
            return False
        lo, hi = ent.posted.get(role, (para, para))
        return lo <= para <= hi

    def lookup(self, form: str) -> list[int]:
        return self.by_form.get(form.lower(), [])

    def narrator_index(self) -> int:
        if self.narrator is None:
            self.narrator = self.add(Entity("Narrator", {"narrator"}, kind="narrator"))
        return self.narrator

    def narrator_at(self, para: int) -> int:
        """Who "I" is in paragraph ``para``: the writer of its section, else the one narrator."""
        k = bisect.bisect_right(self.writers, (para, len(self.entities))) - 1
        if k >= 0 and self.writers[k][1] is not None:
            return self.writers[k][1]  # type: ignore[return-value]
        return self.narrator_index()

    def is_narrator(self, index: int | None) -> bool:
        return index is not None and (index == self.narrator or any(index == e for _p, e in self.writers))

    def describe(self, phrase: str, gender: str) -> int:
        """The unnamed character called ``phrase`` ("the porter"), added on first use."""
        key = phrase.lower()
        found = [i for i in self.lookup(key) if self.entities[i].kind == "unnamed"]
        if found:
            return found[0]
        return self.add(Entity(phrase, {key}, gender=gender, kind="unnamed"))


#: What a mention is: a name, a pronoun, a description ("the doctor"), a group ("they all"), the narrator's "I".
MentionKind = Literal["name", "pronoun", "description", "group", "narrator"]


@dataclass(slots=True)
class Mention:
    """Someone referred to in the narration."""

    first: int  # token index
    last: int  # token index (inclusive)
    kind: MentionKind
    entity: int | None  # index into Cast.entities; None when unresolved
    subject: bool  # first person-mention of its sentence
    para: int


class Scene(Protocol):
    """What the readers of descriptions and relations see of the pass over the narration
    (``mentions.Resolver``): the story so far and who was mentioned last."""

    cast: Cast
    tokens: list[Token]
    text: str
    run_at: dict[int, NameRun]
    history: list[Mention]

    def latest(self, choices: list[int]) -> int: ...

    def pronoun(self, i: int, gender: str, exclude: set[int] | None = None) -> int | None: ...

    def entity_for_name(self, surface: str) -> int | None: ...
