"""Folding the forms of each person's name into one character.

Full names come first, the longest first, and anchor the short forms: "Stéphane" is
"Stéphane Cara", "Mr. Bell" the only male Bell, "Mr. Thomas Buchanan" the "Tom Buchanan" the text
names more, "Dr. Livesey" the "Doctor Livesey", "Huck" Huckleberry. A form that fits several
people goes to the one the text names far more than the others, else to no one; it never crosses
titles that exclude each other ("Mrs. Bell" is not "Miss Prudence Bell"), and a family title alone
("Mrs. Bell") is not given to a full name when another Bell of that sex could be meant. Then each
character is called by the name a listener would know them by.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.reading.lexicon import TITLE_ALONE, TITLE_ROLES, TITLES
from pipeline.speakers.cast import Cast, Entity
from pipeline.speakers.marriages import join_married_names
from pipeline.speakers.nameruns import NameRun, pronoun_follows, speech_subject, split_name
from pipeline.speakers.names import formal_names, name_gender
from pipeline.speakers.tokens import Token

#: Ranks that go with a given name ("Princess Flavia", "King Rudolf") and stand alone for the one who
#: holds them ("the Princess"), like the nobility's ("the Count" is Count Dracula).
_ROYAL = frozenset({"king", "queen", "prince", "princess"})
_RANKS = _ROYAL | frozenset({"count", "countess", "baron", "baroness", "duke", "duchess", "earl", "marquis"})
_GIVEN_NAME_TITLES = frozenset(
    {"lady", "sir", "aunt", "uncle", "miss", "master", "cousin", "auntie", "lord", "dame", "mademoiselle", "mlle",
     "madam"}  # "Madam Mina": an old-fashioned courtesy before a woman's given name
) | _ROYAL
_FAMILY_TITLES = frozenset({"mr", "mrs", "miss", "ms", "mister", "madame", "mme", "monsieur", "m", "master"})


@dataclass
class _Forms:
    """Every form of name the people of a text go by, and what the text shows about each."""

    forms: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)  # key: (title, words)
    count: Counter[str] = field(default_factory=Counter)
    votes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # pronouns after it
    the: Counter[str] = field(default_factory=Counter)  # uses after "the": "the Count" is a title used as a name
    first_seen: dict[str, int] = field(default_factory=dict)  # first and last use in the narration (token)
    last_seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, people: list[NameRun], tokens: list[Token]) -> _Forms:
        f = cls()
        for r in people:
            key = r.surface.lower()
            f.forms.setdefault(key, (r.title, r.words))
            f.count[key] += 1
            f.the[key] += r.first > 0 and tokens[r.first - 1].low == "the"
            if not tokens[r.first].quote:
                f.first_seen.setdefault(key, r.first)
                f.last_seen[key] = r.first
            if not tokens[r.first].quote and not _joint(tokens, r):
                g = pronoun_follows(tokens, r.last)
                if g != "U":
                    f.votes[key][g] += 1
        f.rank_as_given_name()
        return f

    def rank_as_given_name(self) -> None:
        """ "Earl Haydock" is Earl of the Haydocks, not a peer, when the text calls someone "Earl" without
        "the" too: a rank that is also a given name ("Earl", "Duke", "Count") is one in such a text."""
        for key, (title, words) in list(self.forms.items()):
            bare = self.forms.get(title or "")
            if title in _RANKS and bare is not None and bare[0] is None and 2 * self.the[title] < self.count[title]:
                self.forms[key] = (None, (title.capitalize(), *words))

    def gender_of(self, key: str, firm: bool = False) -> str:
        """A title's sex, a listed given name's, else the pronouns' after the name; ``firm``: only a
        clear majority of at least two pronouns counts ("Rosedale" beside Lily's "she" now and then)."""
        title, words = self.forms[key]
        if title and TITLES.get(title, "U") != "U":
            return TITLES[title]
        listed = name_gender(words[0]) if len(words) > 1 or not title else "U"
        if listed != "U":
            return listed
        if self.votes[key]:
            (g, n), *rest = self.votes[key].most_common()
            other = rest[0][1] if rest else 0
            if n >= 2 * other + 2 if firm else n > other:
                return g
        return "U"

    def order(self) -> list[str]:
        """Full names first, longest first: they anchor the short forms; and a bare title ("the Count")
        last, once the titled names it may stand for are in (an "Earl" without "the" is a given name)."""
        forms, count = self.forms, self.count

        def rank(k: str) -> tuple[bool, int, int, str]:
            return _bare_title(*forms[k]) and 2 * self.the[k] >= count[k], -len(forms[k][1]), -count[k], k

        return sorted(forms, key=rank)


def cluster(people: list[NameRun], tokens: list[Token]) -> Cast:
    """Fold the forms of each person's name into one entity."""
    found = _Forms.of(people, tokens)
    forms, count = found.forms, found.count
    # family names a daughter or a son of the text goes by ("Miss Hale", "Master Craven")
    maiden: dict[str, set[str]] = defaultdict(set)
    for t, w in forms.values():
        if t in ("miss", "ms", "mademoiselle", "mlle", "master"):
            maiden[w[-1].lower()].add(t)
    cast = Cast()
    joined = False
    shown: dict[str, str] = {}  # each form as the text first writes it (one pass, not one per person)
    for r in people:
        shown.setdefault(r.surface.lower(), r.surface)
    for key in found.order():
        title, words = forms[key]
        if len(words) == 1 and not joined:
            # the full names are all in: a woman's maiden and married names become one before the
            # short forms ("Mina") choose between them
            join_married_names(cast, found.first_seen, found.last_seen)
            joined = True
        gender = found.gender_of(key)
        target = _fold(cast, title, words, found.gender_of(key, firm=True), count, maiden)
        if target is None:
            given, surname = split_name(words) if len(words) > 1 else (
                words[0] if title in (None, "lady", "sir", "aunt", "uncle") or title in _ROYAL else None,
                words[0] if title and title not in ("lady", "sir") and title not in _ROYAL else None,
            )
            if "of" in words:  # "Witch of the North": a name of its own, no given name nor family name in it
                given, surname = None, None
            ent = Entity(shown.get(key, key), {key}, gender=gender, title=title, given=given, surname=surname)
            cast.add(ent)
        else:
            ent = cast.entities[target]
            cast.alias(target, key)
            if ent.gender == "U":
                ent.gender = gender
            courtesy = title in _GIVEN_NAME_TITLES and len(words) == 1 and words[0].lower() == (ent.given or "").lower()
            if title and ent.title is None and not courtesy:
                ent.title = title  # not "Madam" of "Madam Mina": Mina Harker is still "Mrs. Harker"
    for ent in cast.entities:
        _add_short_forms(ent, count)
    _sole_holders(cast)
    _choose_names(cast, people, tokens)
    _bare_heads(cast)
    for ent in cast.entities:  # "the Witch of the North", as the text writes her name
        key = ent.name.lower()
        if " of " in key and key in found.the and 2 * found.the[key] >= count[key]:
            ent.name = "the " + ent.name
    return cast


def _bare_heads(cast: Cast) -> None:
    """A bare "Witch" is one of the "(Wicked) Witch of the ..." of the text: the one, or whichever of them
    was named last (the form answers to each of them, and the mentions choose the latest)."""
    for index, ent in enumerate(cast.entities):
        if ent.kind != "named" or ent.title or len(ent.forms) != 1 or " " in next(iter(ent.forms)):
            continue
        head = next(iter(ent.forms))
        holders = [
            i for i, e in enumerate(cast.entities)
            if i != index and e.kind == "named" and any(_headed(f, head) for f in e.forms)
        ]
        if holders:
            cast.merge(holders[0], index)
            for i in holders[1:]:
                cast.alias(i, head)


def _headed(form: str, head: str) -> bool:
    """A name built on ``head`` with "of", with or without an epithet: "witch of the west", "wicked
    witch of the west"."""
    words = form.split()
    k = 1 if words[1:2] == [head] else 0
    return words[k : k + 2] == [head, "of"]


def _sole_holders(cast: Cast) -> None:
    """A title used alone as a name ("the squire", "the vicar") is the one person of the text who bears
    it, however seldom the text writes it before the name ("Squire Trelawney" twice, "Mr. Trelawney"
    and "the squire" throughout). Not a rank: "the Count" of a story may be a disguise."""
    holders: dict[str, list[Entity]] = defaultdict(list)
    for ent in cast.entities:
        if ent.kind != "named":
            continue
        titles = {f.split()[0].rstrip(".") for f in ent.forms if " " in f} | {ent.title or ""}
        for title in titles & TITLE_ALONE:
            holders[title].append(ent)
    for title, ents in holders.items():
        if len(ents) == 1:
            ents[0].roles.add(title)


def _bare_title(title: str | None, words: tuple[str, ...]) -> bool:
    return title is None and len(words) == 1 and words[0].lower() in TITLES


def _joint(tokens: list[Token], run: NameRun) -> bool:
    """ "Tom and Myrtle", "Myrtle and Tom": the pronoun after the pair may be either's."""
    before = tokens[run.first - 1].low if run.first else ""
    after = tokens[run.last + 1].low if run.last + 1 < len(tokens) else ""
    return "and" in (before, after)


def _fold(
    cast: Cast, title: str | None, words: tuple[str, ...], gender: str, count: Counter[str], maiden: dict[str, set[str]]
) -> int | None:
    """The entity this name is a shorter form of: the one that fits best, when one fits best."""
    lw = [w.lower() for w in words]
    ranked = []
    for i, ent in enumerate(cast.entities):
        if ent.kind != "named" or not _gender_ok(ent.gender, gender) or not _titles_ok(ent.title, title):
            continue
        rank = _fit(ent, title, lw)
        if rank is not None:
            ranked.append((rank, i))
    if not ranked:
        return None
    best = min(r for r, _i in ranked)
    fits = [i for r, i in ranked if r == best]
    if title is None and len(lw) == 1 and best == 0:
        fits = _dominant(cast, fits, count)
    if title is None and len(lw) == 1 and sum(lw[0] == (e.surname or "").lower() for e in cast.entities) < 2:
        # a name the text uses far more wins over a closer fit met once: "Tom" is the Tom Sawyer of every
        # page, not the "Thomas Franklin Benjamin Jefferson Elexander Phelps" of one joke (the name of a
        # family of several stays the family's: "Morel" is not the son the text names most)
        ahead = _dominant(cast, [i for _r, i in ranked], count)
        literal = any((cast.entities[i].given or "").lower() == lw[0] for i in fits)  # "Sid" of "Sid Sawyer"
        if len(ahead) == 1 and not literal and sum(count[f] for i in fits for f in cast.entities[i].forms) <= 1:
            fits = ahead
    if len(fits) != 1:
        return None
    ent = cast.entities[fits[0]]
    family = title in _FAMILY_TITLES and len(lw) == 1 and ent.title is None
    if family and not _wife(cast, ent, str(title), maiden, count) and not _husband(cast, ent, str(title), maiden):
        # "Mrs. Bell" is not "Clara Bell" when several people share the surname
        kin = [e for e in cast.entities if e.surname and ent.surname and e.surname.lower() == ent.surname.lower()]
        if len(kin) > 1:
            return None
    return fits[0]


def _kin(cast: Cast, ent: Entity) -> list[Entity]:
    """The people of ``ent``'s family name the text names in full (a given name and the family name)."""
    surname = (ent.surname or "").lower()
    return [e for e in cast.entities
            if e.kind == "named" and e.given and e.surname and e.surname.lower() == surname]


def _husband(cast: Cast, ent: Entity, title: str, maiden: dict[str, set[str]]) -> bool:
    """ "Mr. Darling" is George Darling when he is the only man of the name the text names in full,
    and no "Master Darling" (a son the text may call so too) is about."""
    if title not in ("mr", "mister", "monsieur") or ent.gender == "F" or not ent.surname:
        return False
    men = [e for e in _kin(cast, ent) if e.gender != "F"]
    return men == [ent] and "master" not in maiden.get(ent.surname.lower(), set())  # a daughter is no "Mr."


def _wife(cast: Cast, ent: Entity, title: str, maiden: dict[str, set[str]], count: Counter[str]) -> bool:
    """ "Mrs. Wilson" is Myrtle Wilson when she and one man (her husband George Wilson) are the
    only people of the name, no one of the name is a "Miss" (a daughter: Margaret Hale is "Miss
    Hale" and her mother "Mrs. Hale"), and the text names her so more than once (not the "Wendy Moira
    Angela Darling" of one introduction, whose mother is "Mrs. Darling")."""
    if title not in ("mrs", "madame", "mme") or ent.gender == "M" or not ent.surname:
        return False
    surname = ent.surname.lower()
    kin = [e for e in _kin(cast, ent) if e is not ent]
    # her given name and the family name, as the narration writes a married woman's name, more than once
    named = any(len(f.split()) == 2 and f.endswith(" " + surname) and count[f] > 1 for f in ent.forms)
    return named and len(kin) == 1 and kin[0].gender == "M" and surname not in maiden


def _fit(ent: Entity, title: str | None, lw: list[str]) -> int | None:
    """How well a form of name fits an entity: 0 as its given name or family name, 1 a weaker
    reading ("Mr. Godfrey" for Godfrey Ablewhite, "Huck" for Huckleberry), 2 another word of a
    longer name ("Tom" of "Santa Barbara Tom"); None when it does not fit."""
    # the words of its names ("of the North" names no one: "North" alone is not the Witch of the North)
    full = [w for f in ent.forms for w in f.split(" of ")[0].split()]
    given = ent.given.lower() if ent.given else None
    surname = ent.surname.lower() if ent.surname else None
    if len(lw) > 1:
        return 0 if all(_same_name(w, full) for w in lw) else None
    word = lw[0]
    if title:
        if surname == word and (ent.title is None or _same_title(ent.title, title)):
            return 0
        if given == word and title in _GIVEN_NAME_TITLES:
            return 0  # "Aunt Polly" is Polly
        if given == word and surname is None and ent.title is None and title in _FAMILY_TITLES:
            return 0  # "Mr. Heathcliff" is the Heathcliff the text names alone
        if given == word and title in _FAMILY_TITLES:
            return 1  # a servant's "Mr. Godfrey"
        return None
    if word == given or (given and given in formal_names(word)):
        return 0  # "Lizzy" is Elizabeth Bennet
    if word in TITLES and ent.title == word:
        return 0  # "the Colonel" is Colonel Ridley
    if word == surname or _pet_form(word, ent.forms):
        return 1
    if given and len(word) >= 3 and given.startswith(word):
        return 1  # "Huck" for Huckleberry
    if word in full:
        return 2
    return None


def _pet_form(word: str, forms: set[str]) -> bool:
    """``word`` is a pet form, made with -y or -ie, of a name the person already goes by: "Hucky" of
    Huck, "Ratty" of Rat, "Johnnie" of John (not "Mary" of anyone called "Mar...": the stem must be a name)."""
    for suffix in ("ie", "y"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            return stem in forms or (stem[-1] == stem[-2] and stem[:-1] in forms)
    return False


def _same_name(word: str, full: list[str]) -> bool:
    """``word`` is one of the words of a name, or a pet form of one of them ("Tom" and Thomas)."""
    return word in full or any(f in formal_names(word) or word in formal_names(f) or _clipped(word, f) for f in full)


def _clipped(a: str, b: str) -> bool:
    """One name clipped from the other: "Huck" and "Huckleberry" (three letters at least)."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and len(long) > len(short) and long.startswith(short)


def _same_title(a: str, b: str) -> bool:
    """ "Dr." and "Doctor" are one title; a rank or a calling goes with "Mr." ("Professor Bhaer" is
    "Mr. Bhaer")."""
    a, b = TITLE_ROLES.get(a, a), TITLE_ROLES.get(b, b)
    if a == b:
        return True
    return {a, b} & {"mr", "mister"} != set() and not ({a, b} - {"mr", "mister"}) <= _FAMILY_TITLES


def _dominant(cast: Cast, fits: list[int], count: Counter[str]) -> list[int]:
    """Of several people a short form fits, the one the text names four times as often as all the
    others together ("Tom" is Tom Buchanan, not the "Tom" of a passing "Santa Barbara Tom")."""
    if len(fits) < 2:
        return fits
    total = {i: sum(count[f] for f in cast.entities[i].forms) for i in fits}
    top = max(fits, key=lambda i: total[i])
    rest = sum(total[i] for i in fits if i != top)
    return [top] if total[top] >= 4 * rest else fits


def _gender_ok(a: str, b: str) -> bool:
    return a == "U" or b == "U" or a == b


def _titles_ok(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    exclusive = [{"mrs", "miss", "ms", "mademoiselle", "mlle"}, {"mrs", "mr"}, {"miss", "mr"}]
    return not any(a in group and b in group for group in exclusive)


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
            # ... when it is a given name and a family name the text uses as one (not the "Martha
            # Phœbe Sowerby" of one solemn moment, nor a "Laurie Laurence" said once for a "Laurie" said 400 times)
            longer = [
                f for f in own if _part_of(best, f) and runs_titled[f] is None and len(f.split()) == 2
                and (count[f] > 1 or 20 * count[f] >= count[best])
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


def _add_short_forms(ent: Entity, count: Counter[str]) -> None:
    """The roles a person's titles give them, and a gender from their given name."""
    # every title the text gives them often enough: "Dr. Van Helsing" is also "Professor Van Helsing",
    # "the Professor"; the pirates' mocking "Captain Silver", a few times in hundreds, makes no captain
    total = sum(count[f] for f in ent.forms)
    titles = {ent.title} | {f.split()[0].rstrip(".") for f in ent.forms if " " in f and 10 * count[f] >= total}
    for title in titles:
        if title and (title in TITLE_ALONE | {"doctor", "dr"} or TITLES.get(title) == "U"):
            ent.roles.add(TITLE_ROLES.get(title, title))
        # a rank the text gives them again and again: "the Count" is Count Dracula, but a "King Lear"
        # named in passing makes no one "the king"
        ranked = sum(count[f] for f in ent.forms if f.split()[0].rstrip(".") == title)
        if title in _RANKS and ranked >= 3:
            ent.roles.add(title)
    if ent.gender == "U" and ent.given:
        ent.gender = name_gender(ent.given)
