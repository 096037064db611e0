"""Second names the narration gives someone when it brings the name in: "a carpenter named Master
Antonio. Everybody, however, called him Master Cherry"; "His name was Geppetto, but the boys called
him Pudding"; "Abel Rook, known as Badger". The second name is the same person, not a character of
its own.

Only a name met there for the first time counts: "she called him Tom" of a Tom the reader knows
already is a slip of the tongue or a scene, not a nickname. The person is the latest one named before
it in the same paragraph whose sex fits "him" or "her" and who is not the one doing the calling
("Tom called her Becky").
"""

from __future__ import annotations

from pipeline.speakers.cast import Cast
from pipeline.speakers.nameruns import NameRun
from pipeline.speakers.tokens import Token

_CALLING = frozenset({"called", "call", "calls", "nicknamed", "dubbed", "christened"})
_OBJECT = {"him": "M", "her": "F"}


def join_nicknames(cast: Cast, runs: list[NameRun], tokens: list[Token]) -> None:
    """Merge each nickname the narration introduces into the person it names."""
    first_use: dict[int, int] = {}  # entity -> the first run that names them
    for k, run in enumerate(runs):
        for e in cast.lookup(run.surface):
            first_use.setdefault(e, k)
    for k, run in enumerate(runs):
        if tokens[run.first].quote:
            continue
        found = _introduced_by(tokens, run)
        if found is None:
            continue
        verb, gender = found
        nick = cast.lookup(run.surface)
        if len(nick) != 1 or first_use.get(nick[0]) != k or cast.entities[nick[0]].kind != "named":
            continue
        person = _named_before(cast, runs, k, tokens, verb, gender)
        if person is not None and person != nick[0]:
            cast.merge(person, nick[0])


def _introduced_by(tokens: list[Token], run: NameRun) -> tuple[int, str] | None:
    """(the calling verb's token, the sex it says) when ``run`` follows "called him", "called her",
    ", called" or ", known as"; None otherwise."""
    k = run.first
    if k >= 2 and tokens[k - 1].low in _OBJECT and tokens[k - 2].low in _CALLING:
        return k - 2, _OBJECT[tokens[k - 1].low]
    if k >= 2 and tokens[k - 1].low in _CALLING and tokens[k - 2].text == ",":
        return k - 2, "U"
    if k >= 3 and tokens[k - 1].low == "as" and tokens[k - 2].low == "known" and tokens[k - 3].text == ",":
        return k - 3, "U"
    return None


def _named_before(cast: Cast, runs: list[NameRun], k: int, tokens: list[Token], verb: int, gender: str) -> int | None:
    """The latest person named before run ``k`` in its paragraph, of a sex that fits ``gender``, who
    does not do the calling (a name just before the verb is its subject); after ", called" the name
    just before the comma ("a dog, called Nana" names no one before it)."""
    para = tokens[runs[k].first].para
    for run in reversed(runs[:k]):
        if tokens[run.first].para != para:
            return None
        if gender == "U" and run.last != verb - 1:
            return None  # "Abel Rook, known as Badger": the name just before the comma, or no one
        if tokens[run.first].quote or (gender != "U" and verb - 2 <= run.last < verb):
            continue  # "Tom called her Becky": Tom calls; he is not called
        ents = cast.lookup(run.surface)
        if len(ents) != 1 or cast.entities[ents[0]].kind != "named":
            continue
        if gender == "U" or cast.entities[ents[0]].gender in (gender, "U"):
            return ents[0]
    return None
