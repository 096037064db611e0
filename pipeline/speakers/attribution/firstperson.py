"""The first-person narrator in the exchanges: named before the sieves run.

Others call the narrator by a name ("Well, Watson, what do you make of it?") that the cast reads as
a character of its own, while "said I" goes to the narrator: one person under two entities, whose
turns the sieves then count as two people's. Before any line is decided, the lines the narrator's
own tags give them ("I said", "said I") tell which name the people answering them use
(`characters.narrator_name`); that name's entities become the narrator's, in the mentions, the cast
and the people each line addresses.
"""

from __future__ import annotations

from pipeline.reading.lexicon import TITLES, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.segment import Quotation
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.tags import Tag
from pipeline.speakers.characters import NameRun, narrator_name
from pipeline.speakers.narrators import first_person_at


def name_the_narrator(s: Scene, runs: list[NameRun]) -> None:
    """Give the narrator of a book told in the first person the name others call them by, and make
    the characters of that name the narrator (the writers of a book's journals and narratives are
    named by their headings, narrators.py: this is the "I" outside them)."""
    cast = s.cast
    narrator = cast.narrator
    if narrator is None or cast.entities[narrator].kind != "narrator":
        return
    tag = Tag()
    own: set[int] = set()
    for qi, q in enumerate(s.quotes):
        d = tag(s, qi, None)
        if d is not None and d.speaker == narrator and d.basis == "first-person":
            own.update(q.paragraphs)
    # in a book of several writers, their names are everywhere: only the narrator's answerers count
    name = narrator_name(s.tokens, runs, own, nearby=bool(cast.writers)) if own else None
    if not name:
        return
    same = _named_alike(s, name, narrator)
    cast.entities[narrator].name = name
    if not same:
        return
    for e in sorted(same):
        cast.merge(narrator, e)
    for m in s.mentions:
        if m.entity in same:
            m.entity = narrator
    s.vocatives = [{narrator if e in same else e for e in v} for v in s.vocatives]
    s.said_to = [narrator if e in same else e for e in s.said_to]


def _named_alike(s: Scene, name: str, narrator: int) -> set[int]:
    """The named characters ``name`` stands for: those it looks up, and those whose every form is a
    part of it, with or without a title ("Huck" and "Miss Eyre" of "Huck Finn" and "Jane Eyre"), of
    the sex of the ones it looks up."""
    cast = s.cast
    words = set(name.lower().split())
    found = {e for e in cast.lookup(name) if e != narrator and cast.entities[e].kind == "named"}
    sexes = {cast.entities[e].gender for e in found} - {"U"}
    for e, ent in enumerate(cast.entities):
        if e == narrator or ent.kind != "named" or not ent.forms or e in found:
            continue
        if sexes and ent.gender not in sexes | {"U"}:
            continue  # "Mr. Eyre" is not Jane Eyre
        if all(set(w for w in f.replace(".", " ").split() if w not in TITLES) <= words for f in ent.forms):
            found.add(e)
    return found


def said_to_the_narrator(s: Scene) -> None:
    """A line whose tag says it was spoken to "me" ("he asked me", "said she, turning to me") was said to
    the narrator, who answers it: ``Scene.said_to`` reads the people the narration names, not "me"."""
    for qi, q in enumerate(s.quotes):
        if s.said_to[qi] is None and _to_me(s, q):
            s.said_to[qi] = first_person_at(s.cast, q.paragraphs[0])


def _to_me(s: Scene, q: Quotation) -> bool:
    """The tag of ``q`` (after a part, or leading into the line) has "me" within a few words of its verb."""
    for idx in (*(s.after(b) for _a, b in q.parts), s.before(q.parts[0][0])):
        lows = [s.tokens[i].low for i in idx]
        for p in range(len(idx)):
            span = speech_verb_at(lows, p)
            if not span or lows[p] in WEAK_SPEECH_VERBS:
                continue
            for r in range(p + span, min(len(idx), p + span + 5)):
                if lows[r] in (".", "!", "?", ";", ":"):
                    break
                if lows[r] == "me":
                    return True
    return False
