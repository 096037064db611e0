"""Names that are no one's: places, buildings, peoples, families in the plural, abstractions.

A capitalised run that passes as a person on evidence alone ("Bath Street" with a "she" after
it) is dropped when the text shows what else it is: a name ending in a place word ("Meadow
Lane"), a country, city or people ("London", "the Italian"), a name met after "in", "into",
"near" more than a person ever is ("in Missouri", "through Soho"; "from", "to", "at" too for a
name that never tags a quotation twice nor is spoken to: "back to Chicago"; or, for a name that
never tags one, a quarter of its uses: "at Thornfield"), a word met after "a" again and again ("a
Christian", "an Englishman", "never trust a Pye"), a plural ("the Moffats", "Saturdays"), a place's
name before a word that is no name ("the Milton Dissenters"), or a word the text mostly writes in
lower case ("Death" beside "death"). Speaking in tags twice ("said Vengeance") keeps a run a person
whatever else is true; a saint's title makes it a place, a church or a saint, never a character.
"""

from __future__ import annotations

from collections import Counter

from pipeline.reading.lexicon import NATIONALITIES, NOT_NAMES, PLACE_NAMES, PLACE_WORDS
from pipeline.speakers.nameruns import NameRun, addressed, speech_subject, vocative
from pipeline.speakers.names import FEMALE_NAMES, MALE_NAMES
from pipeline.speakers.tokens import Token

# prepositions that put a place after them and hardly ever a person ("in London", not "in Tom")
_PLACE_PREPS = frozenset(
    {"in", "into", "near", "through", "across", "within", "outside", "throughout", "beyond", "towards", "toward"}
)

_NUMBERS = frozenset(
    {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty"}
)
# titles that streets and squares are named with ("King Edward Street", "Duke of York Square")
_STREET_TITLES = frozenset({"king", "queen", "prince", "princess", "duke", "duchess", "lord", "lady"})
# ... and those that put a person after them too ("to Tom"), which count only for a name never addressed
_MOTION_PREPS = frozenset({"from", "to", "at"})


def non_persons(runs: list[NameRun], tokens: list[Token]) -> set[str]:
    """The lower-case surfaces of the untitled runs that name something other than a person."""
    seen: Counter[str] = Counter()
    placed: Counter[str] = Counter()
    after_the: Counter[str] = Counter()
    a_kind: Counter[str] = Counter()  # "a Christian", "an Englishman", "never trust a Pye": a kind of person
    tagged: Counter[str] = Counter()
    # "from Chicago", "to Chicago", "at Chicago": a place, when nothing shows a person (see _place)
    went: Counter[str] = Counter()
    addressed_: Counter[str] = Counter()
    numbered: Counter[str] = Counter()  # "at 9 Frances Street", "nine Frances Street": an address
    spoken = {t.para for t in tokens if t.quote}
    for run in runs:
        key = run.surface.lower()
        seen[key] += 1
        prev = tokens[run.first - 1].low if run.first else ""
        placed[key] += prev in _PLACE_PREPS
        went[key] += prev in _PLACE_PREPS or prev in _MOTION_PREPS
        numbered[key] += prev.isdigit() or prev in _NUMBERS
        addressed_[key] += tokens[run.first].quote and vocative(tokens, run) and addressed(tokens, run)
        after_the[key] += prev == "the"
        a_kind[key] += prev in ("a", "an")
        # a tag tags a quotation: "the news that Chicago was calling him" in plain narration is none
        tagged[key] += speech_subject(tokens, run) and not tokens[run.first].quote and tokens[run.first].para in spoken
    lower = Counter(t.text for t in tokens if t.text.islower())
    capital = Counter(t.low for t in tokens if t.cap and not t.sent_start)
    out = set()
    for run in runs:
        key = run.surface.lower()
        words = key.split()[1:] if run.title else key.split()
        # "the Witch of the Hills", "the Prince of Wales": the person is the noun before "of"
        words = words[: words.index("of")] if "of" in words[1:] else words
        if run.title in _STREET_TITLES and len(words) > 1 and words[-1] in PLACE_WORDS and tagged[key] < 2:
            out.add(key)  # "King Edward Street", "Queen Anne Street" (but "Dr. Hall" is a doctor)
        if key in out or tagged[key] >= 2 or (run.title and run.title not in ("st", "saint")):
            continue
        if (
            run.title is not None  # "St. Petersburg", "Saint Antoine": a place, a church or a saint
            or _place_named(words, placed[key] + numbered[key], tagged[key] + addressed_[key])
            or any(w in NATIONALITIES or w in PLACE_NAMES for w in words)
            or (placed[key] >= 2 and placed[key] * 3 >= seen[key] and not tagged[key])
            or (went[key] >= 3 and went[key] * 3 >= seen[key] and tagged[key] <= 1 and not addressed_[key]
                and not _listed(key))
            or _gone_to(went[key], seen[key], tagged[key], addressed_[key], words[0])
            or (len(words) == 1 and a_kind[key] >= 3 and a_kind[key] * 5 >= seen[key] and not tagged[key]
                and not _listed(key))
            or _plural(words, seen, after_the[key] * 2 >= seen[key])
            or (len(words) == 1 and not _listed(key) and lower[key] > capital[key])
        ):
            out.add(key)
    for run in runs:  # "the Milton Dissenters", "Helstone Vicarage": a place's name and a word that is no name
        key = run.surface.lower()
        words = key.split()
        if (not run.title and len(words) > 1 and "of" not in words and words[0] in out and not _listed(words[-1])
                and tagged[key] < 2):
            out.add(key)
    return out


def _gone_to(went: int, seen: int, tagged: int, addressed: int, first: str) -> bool:
    """A name gone to, from, at or in again and again ("at Thornfield", "back to Gopher Prairie": a
    quarter of its uses, and eight at least) that never tags a line and is seldom spoken to ("Thornfield?"
    once or twice): a place, however often it is the subject of a sentence as well."""
    return went >= 8 and went * 4 >= seen and not tagged and addressed * 5 <= went and not _listed(first)


def _place_named(words: list[str], placed: int, spoke: int) -> bool:
    """A name ending in a place word: "Tellson's Bank", "Hatherley Farm-house"; after a given name
    ("Agnes Moor" may be a woman's name) only when the text puts it after "in", "into" or a house number
    ("into Frances Street", "nine Frances Street") and it never speaks nor is spoken to."""
    if words[-1].split("-")[-1] not in PLACE_WORDS:
        return False
    return not _listed(words[0]) or (len(words) > 1 and placed > 0 and not spoke)


def _listed(word: str) -> bool:
    return word in FEMALE_NAMES or word in MALE_NAMES


def _plural(words: list[str], seen: Counter[str], mostly_after_the: bool) -> bool:
    """ "the Moffats", "the Defarges", "Saturdays": a family or a kind, not one person."""
    if len(words) != 1 or not words[0].endswith("s") or words[0].endswith("ss") or _listed(words[0]):
        return False
    word = words[0]
    stems = {word[:-1], word[:-2] if word.endswith("es") else word[:-1]}
    return mostly_after_the or any(s in NOT_NAMES or seen[s] for s in stems)
