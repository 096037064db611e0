"""A stranger the narration brings in and then names: "A man was sitting in an armchair ... 'Come in,'
said Mr. Craven." (or who names themselves: "a stranger who was pursuing me ... 'I am Stapleton'") The
man is Mr. Craven: the mentions of the stranger since they came in become his,
and "the man" of the scene after is he too (not a second voice of his). An unnamed person is one entity
per description ("the man"), so only those mentions change hands, not the book's other "the man"."""

from __future__ import annotations

from pipeline.speakers.cast import Mention, Scene

#: How many paragraphs after the stranger came in a name may still be theirs.
_WITHIN = 3
#: How far back before the stranger came in the named person must not have been a sentence's subject.
_ABSENT = 4
#: How many paragraphs "the man" of a named stranger stays that person.
_SCENE = 12


class Strangers:
    """The unnamed people the narration brought in ("a young woman"), and who they turned out to be."""

    def __init__(self) -> None:
        self.came: dict[int, int] = {}  # stranger -> the token where they came in
        self.bound: dict[str, tuple[int, int]] = {}  # their noun ("man") -> (named person, paragraph)

    def __contains__(self, entity: object) -> bool:
        return entity in self.came

    def came_in(self, entity: int, token: int) -> None:
        self.came[entity] = token

    def bound_to(self, noun: str, para: int) -> int | None:
        """Who "the <noun>" at paragraph ``para`` is, when a stranger called so was lately named."""
        found = self.bound.get(noun)
        return found[0] if found is not None and 0 <= para - found[1] <= _SCENE else None

    def named(self, scene: Scene, m: Mention) -> None:
        """Bind the stranger the name mention ``m`` (a sentence's subject: "said Mr. Craven") names, if
        any: the one stranger of the named
        person's sex who came in (with "a"/"an") in the last few paragraphs, when no one of that sex was
        named since, the narration has not called the stranger by a description again ("asked the huge
        man"), and the named person was neither mentioned since nor the subject of a sentence just
        before (then they were in the scene already, and the stranger is someone else; "she went to see
        Mr. Craven" does not count)."""
        if m.subject and not scene.tokens[m.last].poss:  # "a spaniel that sat on Nadia's foot": not Nadia
            self._bind(scene, m)

    def introduced(self, scene: Scene, m: Mention) -> None:
        """A line of the scene says "I am Stapleton" / "my name is Stapleton" (the name mention ``m``):
        the stranger who came in is the one who says it, as if the narration had named them."""
        self._bind(scene, m)

    def _bind(self, scene: Scene, m: Mention) -> None:
        cast, tokens = scene.cast, scene.tokens
        named = m.entity
        if named is None or cast.entities[named].kind != "named" or cast.is_narrator(named):
            return
        gender = cast.entities[named].gender
        fresh = [
            s for s, first in self.came.items()
            if gender in ("M", "F") and cast.entities[s].kind == "unnamed" and cast.entities[s].gender == gender
            and 0 <= m.para - tokens[first].para <= _WITHIN
        ]
        if len(fresh) != 1 or not self._absent(scene, fresh[0], m):
            return
        stranger = fresh[0]
        came = self.came.pop(stranger)
        for h in reversed(scene.history):
            if h.first < came:
                break
            if h.entity == stranger:
                h.entity = named
        self.bound[cast.entities[stranger].name.split()[-1]] = (named, m.para)

    def _absent(self, scene: Scene, stranger: int, m: Mention) -> bool:
        came = self.came[stranger]
        for h in reversed(scene.history):
            if h.para < scene.tokens[came].para - _ABSENT:
                break
            if h.entity is None or h.first >= m.first:
                continue
            if h.entity == stranger:
                if h.first > came and h.kind == "description":
                    return False  # "asked the huge man": the narration goes on calling them so
                continue
            ent = scene.cast.entities[h.entity]
            # they were there before the stranger came ("Tom walked on. A man came up."); "a speech about Mr.
            # Townsend's cousin" only speaks of them
            there = h.first > came and not scene.tokens[h.last].poss
            if h.entity == m.entity and (there or (h.kind == "name" and h.subject)):
                return False
            if h.first > came and ent.kind == "named" and ent.gender == scene.cast.entities[stranger].gender:
                return False  # someone else of that sex was named since
        return True
