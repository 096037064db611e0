"""Who is in a story: names, aliases and gender.

Names are runs of capitalised words, with an optional title ("Mr. Josiah Bell").
A run is kept as a person when something says so: a title, a known first name, a
speech tag, a vocative, or a pronoun that follows it. Short forms are folded into
the full name they belong to ("Stéphane" -> "Stéphane Cara", "Mr. Bell" -> the only
male Bell with that title), but never across titles that exclude each other
("Mrs. Bell" is not "Miss Prudence Bell"). Gender comes from the pronouns that
follow a name, then the title, then a list of first names.

People who are never named ("the porter", "the young woman") are added by the
attribution stage when they speak; see ``Cast.describe``.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.reading.lexicon import NOT_NAMES, NOUN_GENDER, TITLE_ALONE, TITLES
from pipeline.reading.segment import Layout
from pipeline.speakers.nameruns import (
    MONTHS,
    NameRun,
    addressed,
    name_runs,
    pronoun_follows,
    speech_subject,
    vocative,
)
from pipeline.speakers.names import FEMALE_NAMES, MALE_NAMES, formal_names, name_gender
from pipeline.speakers.nonpersons import non_persons
from pipeline.speakers.tokens import Token

_GIVEN_NAME_TITLES = frozenset(
    {
        "lady",
        "sir",
        "aunt",
        "uncle",
        "miss",
        "master",
        "cousin",
        "auntie",
        "lord",
        "dame",
        "mademoiselle",
        "mlle",
    }
)
_FAMILY_TITLES = frozenset({"mr", "mrs", "miss", "ms", "mister", "madame", "mme", "monsieur", "m", "master"})
_NAMING_VERBS = frozenset({"call", "called", "calls", "calling", "named", "christened"})
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


def _not_a_name_here(word: str, lower_vocab: set[str]) -> bool:
    """A capitalised sentence opener that is an ordinary word: "Tell Abel", "Finally Marilla"."""
    low = word.lower()
    if low in lower_vocab:
        return True
    return low.endswith("ly") and len(low) > 5 and name_gender(word) == "U"


def find_cast(layout: Layout, tokens: list[Token]) -> tuple[Cast, list[NameRun]]:
    """The named characters of the story, and every name occurrence."""
    runs = _clean_runs(layout, tokens)
    evidence: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    for run in runs:
        key = run.surface.lower()
        first = tokens[run.first]
        if run.title or not first.sent_start or len(run.words) > 1 or name_gender(run.words[0]) != "U":
            mid_sentence.add(key)
        if run.title:
            evidence[key] += 2
        if name_gender(run.words[0]) != "U" and (run.words[0].lower() not in MONTHS or len(run.words) > 1):
            evidence[key] += 2
        if speech_subject(tokens, run):
            evidence[key] += 2
        if first.quote and vocative(tokens, run):
            evidence[key] += 1
        if not first.quote and pronoun_follows(tokens, run.last) != "U":
            evidence[key] += 1

    def is_person(run: NameRun) -> bool:
        key = run.surface.lower()
        if key not in mid_sentence:
            return False
        if evidence[key] >= 2:
            return True
        return len(run.words) > 1 and any(evidence[w.lower()] >= 2 for w in run.words)

    nobody = non_persons(runs, tokens)
    people = [r for r in runs if is_person(r) and r.surface.lower() not in nobody]
    # a single word is a person when it belongs to a longer name that is
    in_full = {w for r in people if len(r.words) > 1 for w in r.words}
    people += [
        r for r in runs if len(r.words) == 1 and not is_person(r) and r.words[0] in in_full
        and r.surface.lower() not in nobody
    ]
    cast = _cluster(people, tokens)
    return cast, runs


def _clean_runs(layout: Layout, tokens: list[Token]) -> list[NameRun]:
    """The name runs outside headings, without initials or an ordinary word in front ("Tell Abel",
    "Poor Clara", "Dearest Margaret": a capitalised word the text also writes in lower case), and
    two first names of either sex seen together once split in two ("Tell Beth Frank asked")."""
    lower_vocab = {t.text for t in tokens if t.text.islower()}
    headings = _headings(layout)
    runs = []
    for run in name_runs(tokens):
        if tokens[run.first].para in headings or all(len(w) == 1 for w in run.words):
            continue  # initials: "C.C.H.", "M.R.C.S."
        lead = run.words[0]
        ordinary = _not_a_name_here(lead, lower_vocab) or bool(re.search(r"-[a-z]", lead))
        if not run.title and ordinary and (len(run.words) > 1 or tokens[run.first].sent_start):
            if len(run.words) == 1:
                continue
            if name_gender(lead) == "U":
                run = NameRun(run.first + 1, run.last, None, run.words[1:], " ".join(run.words[1:]))
        runs.append(run)
    seen = Counter(r.surface.lower() for r in runs)
    out = []
    for run in runs:
        a, b = (*run.words, "", "")[:2]
        if not run.title and len(run.words) == 2 and seen[run.surface.lower()] == 1 and _two_people(a, b):
            out += [NameRun(run.first, run.first, None, (a,), a), NameRun(run.last, run.last, None, (b,), b)]
        else:
            out.append(run)
    return out


def _two_people(a: str, b: str) -> bool:
    """Two listed first names of different sexes: no one's full name."""
    sexes = {name_gender(w) for w in (a, b) if w.lower() in FEMALE_NAMES | MALE_NAMES}
    return sexes == {"M", "F"}


def narrator_name(tokens: list[Token], runs: list[NameRun], spoken_by_narrator: set[int]) -> str | None:
    """The first-person narrator's name: a name others call them by in dialogue that the
    narration never uses (it says "I"). ``spoken_by_narrator`` holds the paragraphs of their lines;
    only lines next to one of them count (the narrator is the one being answered)."""
    # a name the narration tags as a speaker belongs to someone else; a name the narration merely
    # mentions ("I called myself Pip") may still be the narrator's if others call them by it more often
    tagged = {
        w.lower()
        for r in runs
        if not tokens[r.first].quote
        and speech_subject(tokens, r)
        and not (r.first and tokens[r.first - 1].low in _NAMING_VERBS)  # "they called me Pip"
        for w in r.words
    }
    in_narration: Counter[str] = Counter(
        t.low for t in tokens if t.cap and not t.quote and not t.sent_start and t.low not in NOT_NAMES
    )
    votes: Counter[str] = Counter()
    longest: dict[str, str] = {}
    for r in runs:
        first = tokens[r.first]
        if not first.quote or first.para in spoken_by_narrator:
            continue
        adjacent = first.para - 1 in spoken_by_narrator or first.para + 1 in spoken_by_narrator
        if any(w.lower() in tagged for w in r.words):
            continue
        if not vocative(tokens, r) or not addressed(tokens, r):
            continue
        form = " ".join(r.words)
        key = next((k for k in longest if set(k.split()) & {w.lower() for w in r.words}), form.lower())
        votes[key] += 2 if adjacent else 1
        if len(form) > len(longest.get(key, "")):
            longest[key] = form
    for key in list(votes):
        if sum(in_narration[w] for w in key.split()) >= votes[key]:
            del votes[key]
    if not votes:
        return None
    (key, n), *rest = votes.most_common()
    if rest and rest[0][1] == n:
        return None
    return longest[key]


def _headings(layout: Layout) -> set[int]:
    """Paragraphs that are titles or chapter headings: short, and not ended like a sentence."""
    text = layout.text
    out = set()
    for i, (a, b) in enumerate(layout.paragraphs):
        if b - a <= 80 and text[b - 1] not in ".!?\"”’'—…:;,-":  # "so I said:--" is no heading
            out.add(i)
    return out


def _cluster(people: list[NameRun], tokens: list[Token]) -> Cast:
    """Fold the forms of each person's name into one entity."""
    forms: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    count: Counter[str] = Counter()
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for r in people:
        key = r.surface.lower()
        forms.setdefault(key, (r.title, r.words))
        count[key] += 1
        if not tokens[r.first].quote:
            g = pronoun_follows(tokens, r.last)
            if g != "U":
                votes[key][g] += 1

    def gender_of(key: str) -> str:
        title, words = forms[key]
        if title and TITLES.get(title, "U") != "U":
            return TITLES[title]
        listed = name_gender(words[0]) if len(words) > 1 or not title else "U"
        if listed != "U":
            return listed
        if votes[key]:
            (g, n), *rest = votes[key].most_common()
            if not rest or n > rest[0][1]:
                return g
        return "U"

    cast = Cast()
    # full names first, longest first: they anchor the short forms
    order = sorted(forms, key=lambda k: (-len(forms[k][1]), -count[k], k))
    for key in order:
        title, words = forms[key]
        gender = gender_of(key)
        target = _fold(cast, title, words, gender)
        if target is None:
            ent = Entity(
                _display(key, people),
                {key},
                gender=gender,
                title=title,
                given=words[0] if len(words) > 1 or title in (None, "lady", "sir", "aunt", "uncle") else None,
                surname=words[-1] if len(words) > 1 or (title and title not in ("lady", "sir")) else None,
            )
            cast.add(ent)
        else:
            ent = cast.entities[target]
            cast.alias(target, key)
            if ent.gender == "U":
                ent.gender = gender
            if title and ent.title is None:
                ent.title = title
    for ent in cast.entities:
        _add_short_forms(cast, ent)
    _choose_names(cast, people, tokens)
    return cast


def _fold(cast: Cast, title: str | None, words: tuple[str, ...], gender: str) -> int | None:
    """The entity this name is a shorter form of, when exactly one fits."""
    lw = [w.lower() for w in words]
    fits = []
    for i, ent in enumerate(cast.entities):
        if ent.kind != "named":
            continue
        if not _gender_ok(ent.gender, gender) or not _titles_ok(ent.title, title):
            continue
        names = [w.lower() for w in (ent.given or "").split() + (ent.surname or "").split()]
        full = [w for f in ent.forms for w in f.split()]
        if len(lw) > 1:
            if all(w in full for w in lw):
                fits.append(i)
        elif title:
            if (ent.given and lw[0] == ent.given.lower() and title in _GIVEN_NAME_TITLES) or (
                ent.surname and lw[0] == ent.surname.lower() and (ent.title is None or ent.title == title)
            ):
                fits.append(i)
        elif lw[0] in names or lw[0] in full:
            fits.append(i)
        elif ent.given and ent.given.lower() in formal_names(lw[0]):
            fits.append(i)  # "Lizzy" is Elizabeth Bennet
        elif lw[0] in TITLES and ent.title == lw[0]:
            fits.append(i)  # "the Colonel" is Colonel Ridley
    if len(fits) != 1:
        return None
    ent = cast.entities[fits[0]]
    if title and len(lw) == 1 and ent.title is None and title in _FAMILY_TITLES:
        # "Mrs. Bell" is not "Clara Bell" when several people share the surname
        kin = [
            e for e in cast.entities if e.surname and ent.surname and e.surname.lower() == ent.surname.lower()
        ]
        if len(kin) > 1:
            return None
    return fits[0]


def _gender_ok(a: str, b: str) -> bool:
    return a == "U" or b == "U" or a == b


def _titles_ok(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    exclusive = [{"mrs", "miss", "ms", "mademoiselle", "mlle"}, {"mrs", "mr"}, {"miss", "mr"}]
    return not any(a in group and b in group for group in exclusive)


def _display(key: str, people: list[NameRun]) -> str:
    for r in people:
        if r.surface.lower() == key:
            return r.surface
    return key


def _choose_names(cast: Cast, people: list[NameRun], tokens: list[Token]) -> None:
    """Call each person by the name the narration tags them with most ("said Jo", not the "Miss
    Jo" of the servants), else by the full name the text uses most (ties: the longest). Only a
    form that names no one else will do: "Harker" is no name for two Harkers."""
    count: Counter[str] = Counter(r.surface.lower() for r in people)
    tagged: Counter[str] = Counter(
        r.surface.lower() for r in people if not tokens[r.first].quote and speech_subject(tokens, r)
    )
    shown = {r.surface.lower(): r.surface for r in people}
    runs_titled = {r.surface.lower(): r.title for r in people}
    for index, ent in enumerate(cast.entities):
        # a bare title ("the Professor sighed") is a role, not a name
        own = [f for f in ent.forms if f in shown and cast.lookup(f) == [index] and f not in TITLES]
        tags = [f for f in own if tagged[f]]
        if tags:
            best = max(tags, key=lambda f: (tagged[f], count[f], len(f), f))
            # the untitled full name the tag form belongs to reads better ("Jo March", "Elizabeth
            # Hartley" for "Lizzy"); a title stays as the tags write it ("Jo", never "Miss Jo March")
            longer = [
                f for f in own if _part_of(best, f) and runs_titled[f] is None
            ]
            ent.name = shown[max(longer, key=lambda f: (count[f], len(f), f))] if longer else shown[best]
            continue
        full = [f for f in own if len(f.split()) > 1]
        if full:
            ent.name = shown[max(full, key=lambda f: (count[f], len(f), f))]


def _part_of(short: str, full: str) -> bool:
    """``short`` is the given name ``full`` opens with ("jo" of "jo march", "lizzy" of "elizabeth
    hartley"); a surname is not ("stryver" of the nickname "bully stryver")."""
    words = full.split()
    if " " in short or len(words) < 2:
        return False
    return words[0] == short or words[0] in formal_names(short)


_ROLE_OF = {"dr": "doctor", "prof": "professor", "capt": "captain", "col": "colonel", "rev": "reverend"}


def _add_short_forms(cast: Cast, ent: Entity) -> None:
    """Given name and surname alone point to the entity when no one else has them."""
    # every title the text gives them: "Dr. Van Helsing" is also "Professor Van Helsing", "the Professor"
    titles = {ent.title} | {f.split()[0].rstrip(".") for f in ent.forms if " " in f}
    for title in titles:
        if title and (title in TITLE_ALONE | {"doctor", "dr"} or TITLES.get(title) == "U"):
            ent.roles.add(_ROLE_OF.get(title, title))
    if ent.gender == "U" and ent.given:
        ent.gender = name_gender(ent.given)


def noun_gender(word: str) -> str:
    return NOUN_GENDER.get(word.lower(), "U")
