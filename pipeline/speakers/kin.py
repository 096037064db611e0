"""Words that describe people by relation or role ("his wife", "the doctor"), for resolving mentions."""

from __future__ import annotations

from pipeline.reading.lexicon import words
from pipeline.speakers.cast import Scene

DETERMINERS = frozenset({"the", "a", "an", "this", "that", "his", "her", "my", "our", "their", "your", "its"})
POSSESSIVES = {"his": "M", "her": "F", "my": "I", "our": "P", "their": "P", "your": "U"}
PREPS = frozenset({"in", "from", "with", "at", "of", "on", "by"})
KIN = frozenset(
    {
        "sister",
        "brother",
        "mother",
        "father",
        "wife",
        "husband",
        "son",
        "daughter",
        "aunt",
        "uncle",
        "niece",
        "nephew",
        "cousin",
        "grandmother",
        "grandfather",
        "sister-in-law",
        "brother-in-law",
        "mother-in-law",
        "father-in-law",
        "master",
        "mistress",
        "friend",
        "companion",
        "superior",
        "neighbour",
        "neighbor",
        "guest",
        "visitor",
        "host",
        "hostess",
        "employer",
        "servant",
        "maid",
        "grandson",
        "granddaughter",
        "fiancé",
        "fiancée",
        "partner",
        "colleague",
        "ladyship",
        "lordship",
        "mama",
        "papa",
        "mamma",
        "ma",
        "pa",
        "mum",
        "dad",
    }
)
#: Relations within a family: who they are depends on whose ("the mother" of the family the scene is
#: with), so a list or an apposition ("the mother, Edgar, and Miriam") never makes them anyone's role.
FAMILY = frozenset(
    words(
        "sister brother mother father wife husband son daughter aunt uncle niece nephew cousin grandmother "
        "grandfather sister-in-law brother-in-law mother-in-law father-in-law grandson granddaughter "
        "mama papa mamma ma pa mum dad"
    )
)
GENERIC = frozenset(
    {
        "man",
        "woman",
        "boy",
        "girl",
        "lady",
        "gentleman",
        "child",
        "person",
        "fellow",
        "one",
        "people",
        "men",
        "women",
        "voice",
        "figure",
        "creature",
    }
)


#: Words after which "a man", "a woman" describes someone already there, not a new person.
NOT_A_REFERENCE = frozenset(
    words("like as than such was is were are am be been being became become becomes seemed seems looked")
)
#: Relations that a family title names: "his wife" is Mrs. <his surname>, "her father" Mr. <hers>.
FAMILY_TITLE = {
    "wife": ("mrs", "lady"),
    "lady": ("mrs", "lady"),
    "mother": ("mrs", "lady"),
    "mamma": ("mrs", "lady"),
    "mama": ("mrs", "lady"),
    "husband": ("mr", "sir", "lord"),
    "father": ("mr", "sir", "lord"),
    "papa": ("mr", "sir", "lord"),
}

MARRIED = frozenset({"mrs", "lady", "madame", "mme", "frau", "signora", "señora", "dame"})


class Relatives:
    """Who "his sister", "her husband", "said my friend" are, for a ``Resolver``."""

    def __init__(self, resolver: Scene) -> None:
        self.resolver = resolver
        self.cast = resolver.cast
        self.tokens = resolver.tokens
        self.run_at = resolver.run_at
        self.history = resolver.history

    def kin(self, i: int, noun: str, gender: str, owner: int | None) -> int | None:
        """Who "his sister" / "her husband" is: a recent person of the right gender, preferring
        the owner's family name and the title that goes with the relation."""
        if noun in ("friend", "companion") and owner is not None and self.cast.is_narrator(owner):
            return self._salient(i, owner)  # "said my friend": the narrator's chief companion
        if gender == "U":
            return None
        family = self.family_member(i, noun, gender, owner)
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

    def family_member(self, i: int, noun: str, gender: str, owner: int | None) -> int | None:
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
                ent = self.resolver.entity_for_name(run.surface) if run is not None else None
                sur = self.cast.entities[ent].surname if ent is not None else None
                if sur and sur.lower() not in surnames:
                    surnames.append(sur.lower())
                k += 1
        return surnames
