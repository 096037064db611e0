"""One woman under her maiden name and her married name: "Mina Murray" who writes as "Mina Harker".

The narration calls a woman by her given name and her father's family name, then, from some point on,
by the same given name and a husband's family name. She is one person when everything agrees:

- both names are a woman's (a "Miss", a "Mrs.", a woman's given name or pronouns), with one given name
  that no other woman of the cast bears in full;
- a man of the cast bears the second family name (the husband the text names: Jonathan Harker);
- the narration stops using the first name before it starts using the second (dialogue may still
  recall the old name: "That was Miss Mina Murray?").

Two women who merely share a given name (Mary Hale and Mary Wade side by side) fail the last test.
"""

from __future__ import annotations

from pipeline.speakers.cast import Cast, Entity

_MAIDEN_TITLES = frozenset({None, "miss", "ms", "mademoiselle", "mlle"})


def join_married_names(cast: Cast, first_seen: dict[str, int], last_seen: dict[str, int]) -> None:
    """Merge each woman's maiden-name character into her married-name one (see the module's doc).

    ``first_seen`` / ``last_seen``: the token index of a form's first and last use in the narration."""
    women = [i for i, e in enumerate(cast.entities) if _woman_in_full(e)]
    by_given: dict[str, list[int]] = {}
    for i in women:
        by_given.setdefault(str(cast.entities[i].given).lower(), []).append(i)
    for pair in by_given.values():
        if len(pair) != 2:
            continue
        a, b = pair
        if "F" not in (cast.entities[a].gender, cast.entities[b].gender):
            continue  # a married name alone may not show her sex yet ("Mina Harker" before "Mrs. Harker")
        ea, eb = cast.entities[a], cast.entities[b]
        maiden, married = (a, b) if _last(ea, last_seen) < _first(eb, first_seen) else (b, a)
        if _last(cast.entities[maiden], last_seen) >= _first(cast.entities[married], first_seen):
            continue  # both names in use at once: two women
        if cast.entities[maiden].title not in _MAIDEN_TITLES or not _husband_named(cast, cast.entities[married]):
            continue
        cast.merge(married, maiden)


def _woman_in_full(e: Entity) -> bool:
    return e.kind == "named" and e.gender in ("F", "U") and bool(e.given) and bool(e.surname) and e.given != e.surname


def _husband_named(cast: Cast, wife: Entity) -> bool:
    surname = str(wife.surname).lower()
    return any(
        e.kind == "named" and e.gender == "M" and e.given and (e.surname or "").lower() == surname
        for e in cast.entities
    )


def _first(e: Entity, first_seen: dict[str, int]) -> int:
    return min((first_seen[f] for f in e.forms if f in first_seen), default=1 << 62)


def _last(e: Entity, last_seen: dict[str, int]) -> int:
    return max((last_seen[f] for f in e.forms if f in last_seen), default=-1)
