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
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.characters import NameRun, narrator_name
from pipeline.speakers.narrators import first_person_at


def read_the_narrator(s: Scene, runs: list[NameRun]) -> None:
    """Before the sieves: name the narrator after the lines their own tags give them, and note the lines
    said to them ("he asked me")."""
    mine, to_me = _first_person_tags(s)
    name_the_narrator(s, runs, mine)
    for qi in to_me:
        if s.said_to[qi] is None:
            s.said_to[qi] = first_person_at(s.cast, s.quotes[qi].paragraphs[0])


def name_the_narrator(s: Scene, runs: list[NameRun], mine: list[int]) -> None:
    """Give the narrator of a book told in the first person the name others call them by in answer to the
    lines ``mine`` (quotation indexes tagged "I said"), and make the characters of that name the narrator
    (the writers of a book's journals and narratives are named by their headings, narrators.py: this is
    the "I" outside them)."""
    cast = s.cast
    narrator = cast.narrator
    if narrator is None or cast.entities[narrator].kind != "narrator":
        return
    own = {p for qi in mine if first_person_at(cast, s.quotes[qi].paragraphs[0]) == narrator
           for p in s.quotes[qi].paragraphs}
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
    part of it, with or without a courtesy title ("Huck" and "Miss Eyre" of "Huck Finn" and "Jane Eyre").
    The sex is the one the name's own characters have (Jane Eyre's); a title of another sex, or of a
    sex when the name has none, is someone else ("Mrs. Watson" is not the Watson who tells the story)."""
    cast = s.cast
    words = set(name.lower().split())
    # a surname alone is "Mrs. Watson"'s too; a full name ("Jane Eyre") is the narrator's whatever the title
    looked_up = {e for e in cast.lookup(name) if e != narrator and cast.entities[e].kind == "named"
                 and (len(words) > 1 or not _titled_sex(cast.entities[e].title))}
    sexes = {cast.entities[e].gender for e in looked_up} - {"U"}
    found = set(looked_up)
    for e, ent in enumerate(cast.entities):
        if e == narrator or ent.kind != "named" or not ent.forms or e in found:
            continue
        if ent.gender != "U" and ent.gender not in sexes:
            continue  # "Mr. Eyre" is not Jane Eyre, "Mrs. Watson" not the Watson of no known sex
        if all(_bare(f) and _bare(f) <= words for f in ent.forms):
            found.add(e)
    return found


def _titled_sex(title: str | None) -> bool:
    """A title that says its bearer's sex ("Mrs.", "Mr."), not "Dr."."""
    return TITLES.get((title or "").rstrip(".").lower(), "U") != "U"


#: Titles a narrator may be called by ("Miss Eyre", "Mr. Pip"), unlike a rank that makes another person
#: of the same name ("King Rudolf" is not Rudolf who tells the story).
_COURTESY = frozenset({"mr", "mrs", "miss", "ms", "master", "mister", "mademoiselle", "madame", "monsieur", "dr",
                       "doctor"})


def _bare(form: str) -> set[str]:
    """The words of a form of name without its courtesy titles."""
    return {w for w in form.replace(".", " ").split() if w not in _COURTESY}


def _first_person_tags(s: Scene) -> tuple[list[int], list[int]]:
    """The quotations whose tag is the narrator's ("I said", "said I"), and those whose tag says they were
    said to "me" ("he asked me", "said she, turning to me"): the first speech verb of each tag read, the
    tags' subjects and objects that the mention pass has no mention for ("I" is no one yet, "me" never is)."""
    mine, to_me = [], []
    for qi, q in enumerate(s.quotes):
        by_me = said_to_me = False
        for idx in (*(s.after(b) for _a, b in q.parts), s.before(q.parts[0][0])):
            lows = [s.tokens[i].low for i in idx]
            p = next((p for p in range(len(lows)) if speech_verb_at(lows, p) and lows[p] not in WEAK_SPEECH_VERBS),
                     None)
            if p is None:
                continue
            end = p + speech_verb_at(lows, p)
            by_me = by_me or lows[p - 1 : p] == ["i"] or lows[end : end + 1] == ["i"]
            clause = lows[end : end + 5]
            cut = next((k for k, w in enumerate(clause) if w in (".", "!", "?", ";", ":")), len(clause))
            said_to_me = said_to_me or "me" in clause[:cut]
        if by_me:
            mine.append(qi)
        if said_to_me:
            to_me.append(qi)
    return mine, to_me
