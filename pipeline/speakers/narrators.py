"""Who says "I" where: the writers of the journals, diaries and letters a novel is made of.

An epistolary novel changes its first-person narrator at every heading that names a writer
("JONATHAN HARKER'S JOURNAL", "_Dr. Seward's Diary._", "_Letter, Lucy Westenra to Mina
Murray._", "_Memorandum left by Lucy Westenra._"), and a novel told in several narratives at every line under
a narrative's heading that says whose it is ("_Contributed by Miss Clack._", "_The Events related by
Gabriel Betteredge, house-steward..._", "_Extracted from the Journal of Ezra Jennings._", "_In a
Letter from Mr. Candy._", "THE STATEMENT OF THE CAPTAIN."): the "I" of the narration after such a
heading is that writer, up to the next one. A heading whose writer is no one in the cast (a firm of
solicitors) hands "I" back to the story's one narrator.
"""

from __future__ import annotations

import bisect
import re

from pipeline.reading.lexicon import TITLE_ROLES, TITLES
from pipeline.reading.segment import Layout
from pipeline.speakers.characters import Cast, Entity
from pipeline.speakers.names import name_gender
from pipeline.speakers.tokens import Token

_LONGEST_HEADING = 140
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|du))*"
_JOURNAL = re.compile(
    rf"^(?P<who>{_NAME})['’][sS]\s+(?i:phonograph\s+|private\s+)?"
    r"(?i:journal|diary|memorandum|note-?book|log|narrative|statement|confession|testimony)"
    rf"(?:[\s._,—-]*(?i:continued|cont)?[\s._,—-]*$|.*\b(?i:spoken\s+by)\s+(?P<by>{_NAME}))",
)
_END = r"(?=\s*(?:[,;:(]|\.\s|[._]*$)|\s+to\s+)"
#: "Contributed by X", "The Events related by X", "The Story resumed by X, ..."
_BY = re.compile(
    r"^(?:(?i:the\s+)?(?i:events?|story|narrative|statement|account|record|history|sequel)\s+)?"
    r"(?i:related|contributed|written|told|narrated|resumed|continued|set\s+down|recorded)\s+(?i:by)\s+"
    rf"(?P<who>(?:[Tt]he\s+|THE\s+)?{_NAME}){_END}"
)
#: "Extracted from the Journal of X", "In a Letter from X", "The Statement of X", "Narrative of X"
_OF = re.compile(
    r"^(?i:(?:in\s+)?(?:an?\s+)?(?:extracts?\s+|extracted\s+)?(?:from\s+)?(?:the\s+)?)"
    r"(?i:journal|diary|letters?|papers|note-?book|memoirs?|statement|narrative|confession|testimony|evidence)"
    rf"\s+(?i:of|from|by)\s+(?P<who>(?:[Tt]he\s+|THE\s+)?{_NAME}){_END}"
)
_FIRM = re.compile(r"[\s,]*(?:&|(?:and\s+)?Co\b|Sons?\b|Brothers\b)")
_LETTER = re.compile(
    r"^(?i:letter|telegram|note|memorandum|cablegram)\b(?:\s*\([^)]*\))?\s*(?:,\s*|\s+(?i:from|left\s+by|by)\s+)"
    rf"(?P<who>{_NAME})(?=,|\s+to\s+|[._]*$)"
)


#: First-person words per 1,000 words of narration above which a book is told in the first person:
#: on the 28 annotated novels the first-person ones have 23 to 71, the others 0 to 6 (an author's
#: aside, a letter quoted in the narration).
FIRST_PERSON_RATE = 12.0


def told_in_first_person(tokens: list[Token]) -> bool:
    """Whether the narration says "I" (three times at least, and often): the story has a narrator
    who may speak in it."""
    words = [t for t in tokens if not t.quote and t.text[:1].isalpha()]
    mine = sum(1 for t in words if t.low in ("i", "me", "my", "myself"))
    # a short text with an "I" or two is no evidence either way: it keeps its narrator
    return mine >= 3 and 1000 * mine / len(words) >= FIRST_PERSON_RATE


def retire_narrator(cast: Cast, tokens: list[Token]) -> None:
    """In a book told in the third person, the few "I"s of the narration are no one the story
    knows: the narrator is nobody's candidate and takes nobody's name (not Rat's as "Ratty", not
    Dr. Sloper's as "Austin"). Its mentions stay its own; a line tagged "I said" stays the narrator's."""
    if cast.narrator is not None and not cast.writers and not told_in_first_person(tokens):
        cast.narrator = None


def first_person_at(cast: Cast, para: int) -> int | None:
    """Who "I" is in paragraph ``para``: the writer of its section, else the story's narrator (None
    when it has none). Unlike ``Cast.narrator_at`` it adds no narrator: a question, not a mention."""
    k = bisect.bisect_right(cast.writers, (para, len(cast.entities))) - 1
    if k >= 0 and cast.writers[k][1] is not None:
        return cast.writers[k][1]
    return cast.narrator


def heading_writer(text: str) -> str | None:
    """The writer a section heading names, as written ("Jonathan Harker", "Dr. Seward"), or None."""
    text = text.strip().strip("_*").strip()
    if len(text) > _LONGEST_HEADING or not text:
        return None
    m = _JOURNAL.match(text) or _LETTER.match(text) or _BY.match(text) or _OF.match(text)
    if m is None:
        return None
    group = "by" if m.groupdict().get("by") else "who"
    who = m.group(group).strip(" .,_")
    if _is_firm(text, who, m.end(group)):
        return None
    if who.isupper():  # "SERGEANT CUFF’S MAN": "Sergeant Cuff’s Man", not "Cuff’S"
        who = " ".join(w[:1] + w[1:].lower() for w in who.split())
    return who


def _is_firm(text: str, who: str, end: int) -> bool:
    """ "Messrs. Carter, Paterson & Co.", "Mitchell, Sons and Candy", "Billington & Son": a firm."""
    return who.lower().startswith("messrs") or _FIRM.match(text, end) is not None


def _firm_letter(text: str) -> bool:
    """A letter headed as a firm's: its "I" (or "we") is no one of the cast."""
    text = text.strip().strip("_*").strip()
    m = _LETTER.match(text) if len(text) <= _LONGEST_HEADING else None
    return m is not None and _is_firm(text, m.group("who"), m.end("who"))


def section_writers(layout: Layout, cast: Cast) -> list[tuple[int, int | None]]:
    """(first paragraph, writer's entity or None) for every heading that names a writer, in order;
    a firm's letter hands "I" back to the story's narrator (None)."""
    heads: list[tuple[int, str | None]] = []
    for p, (a, b) in enumerate(layout.paragraphs):
        if b - a > _LONGEST_HEADING + 10:
            continue
        who = heading_writer(layout.text[a:b])
        if who is not None or _firm_letter(layout.text[a:b]):
            heads.append((p, who))
    out: list[tuple[int, int | None]] = []
    for k, (p, who) in enumerate(heads):
        end = layout.paragraphs[heads[k + 1][0]][0] if k + 1 < len(heads) else len(layout.text)
        out.append((p, None if who is None else _writer_entity(cast, who, layout.text[layout.paragraphs[p][1] : end])))
    # one heading alone is a title, not a book of several writers
    return out if len({e for _p, e in out if e is not None}) >= 2 else []


def _writer_entity(cast: Cast, who: str, section: str = "") -> int | None:
    """The character a writer's name points to: the whole name, without its title, then the
    given name or the surname when they name one person only, then the one of that family name
    the ``section`` they write calls by name most ("Mr. Bruff" in Mathew Bruff's narrative, not his
    wife); or a new character."""
    words = [w for w in who.replace(".", ". ").split() if w]
    if words[0].lower() == "the":
        return _described_writer(cast, " ".join(words))
    bare = [w for w in words if w.rstrip(".").lower() not in TITLES and w.rstrip(".").lower() not in ("hon",)]
    if not bare:
        return None
    for form in (who, " ".join(bare), bare[0], bare[-1], None):
        found = [e for e in cast.lookup(form) if cast.entities[e].kind == "named"] if form else _by_surname(cast, bare)
        if form is None and len(found) > 1:
            found = _most_named(cast, found, section)
        if len(found) == 1:
            ent = cast.entities[found[0]]
            full = [w for w in bare if not re.fullmatch(r"[A-Z]\.", w)]  # "Quincey P. Morris"
            named = [w for w in ent.name.split() if w.rstrip(".").lower() not in TITLES]
            if len(full) > max(1, len(named)):  # "Mr. Franklin" signs "Contributed by Franklin Blake"
                ent.name = " ".join(full)  # "Hugh" signs "Hugh Vane's Journal"
                cast.alias(found[0], ent.name)
            return found[0]
    if len(bare) > 3 or "&" in who or any(w.lower() in ("son", "sons", "co", "co.") for w in bare):
        return None  # a firm, not a person
    name = " ".join(words)
    title = words[0].rstrip(".").lower() if words[0].rstrip(".").lower() in TITLES else None
    gender = TITLES.get(title, "U") if title else name_gender(bare[0])
    return cast.add(Entity(name, {name.lower(), " ".join(bare).lower()}, gender=gender, title=title,
                           given=bare[0] if len(bare) > 1 else None, surname=bare[-1]))


def _by_surname(cast: Cast, bare: list[str]) -> list[int]:
    """The named people of that family name and no other given name: "Mathew Bruff" is the cast's
    "Mr. Bruff" when he is the only Bruff."""
    family, given = bare[-1].lower(), bare[0].lower() if len(bare) > 1 else None
    gender = name_gender(bare[0]) if given else "U"
    return [e for e, ent in enumerate(cast.entities) if ent.kind == "named" and (ent.surname or "").lower() == family
            and (given is None or ent.given is None or ent.given.lower() == given)
            and ("U" in (gender, ent.gender) or gender == ent.gender)]


def _most_named(cast: Cast, found: list[int], section: str) -> list[int]:
    """Of ``found``, the one whose names ``section`` uses most (a writer is addressed by name in
    their own narrative), when one is used more than the others."""
    low = section.lower()

    def uses(e: int) -> int:
        return sum(len(re.findall(rf"(?<!\w){re.escape(f)}(?!\w)", low)) for f in cast.entities[e].forms)

    counts = sorted(((uses(e), e) for e in found), reverse=True)
    return [counts[0][1]] if counts[0][0] > counts[1][0] else found


def _described_writer(cast: Cast, phrase: str) -> int:
    """The writer "the Doctor" / "the Captain": the one named person of the cast with that title
    or that role, else a character of that name."""
    noun = phrase.split()[-1].rstrip(".").lower()
    role = TITLE_ROLES.get(noun, noun)  # "the Doctor" is the one "Dr." of the cast
    found = [e for e, ent in enumerate(cast.entities) if ent.kind == "named"
             and (TITLE_ROLES.get(t := (ent.title or "").rstrip(".").lower(), t) == role or role in ent.roles)]
    if len(found) == 1:
        return found[0]
    name = "The " + " ".join(phrase.split()[1:])
    known = [e for e in cast.lookup(name) if cast.entities[e].kind == "named"]
    if known:
        return known[0]
    return cast.add(Entity(name, {name.lower()}, gender=TITLES.get(noun, "U"), roles={noun}))
