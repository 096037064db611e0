"""Roles the text gives people by apposition ("Madame Dupont, the café's owner"; "Mr. Wood (the
clergyman)"; "a gardener called Giangio"), where each holds, and who "the <noun>" may be by them.

A calling holds in the part of the book its person is in ("Mr. Miles, the master" of a school chapter
is not the master of a house twenty chapters on), and so does a title's role of someone named in a
small part of the book only (Dr. Becher of one story of a collection is not the "Doctor" of the others);
a relation of the narrator's ("my sister, Mrs. Joe") holds for the whole book. A list ("the mother, Edgar, and Miriam")
is no apposition, and a named animal ("Pilot, the dog") that never tags a line is no character.
"""

from __future__ import annotations

from pipeline.reading.lexicon import PERSON_NOUNS
from pipeline.speakers.cast import ROLE_REACH, Cast
from pipeline.speakers.kin import FAMILY, GENERIC
from pipeline.speakers.nameruns import NameRun, speech_subject
from pipeline.speakers.tokens import Token

#: Titles that, alone in the narration ("Madame retorted"), name the one of their bearers the scene has.
_TITLE_NOUNS = frozenset({"madame", "monsieur", "signor", "signora", "señor", "señora", "herr", "frau"})
#: Callings that make a named one an animal ("Pilot, the dog"): a character only if a tag makes it speak.
_ANIMALS = frozenset({"dog", "cat", "bird", "crow", "duck", "fox", "mouse", "owl", "rabbit", "toad", "horse", "pony"})


def called(cast: Cast, noun: str, para: int) -> list[int]:
    """Who "the <noun>" in paragraph ``para`` may be: the one the text calls by the bare title ("the
    Professor" folded into Professor Bhaer's names), before anyone the title was given to once
    ("Professor Sands" of one passing mention), else everyone with that role there (an apposition's
    role holds around it: see ``Cast.holds``), else (a foreign title: "Madame") everyone with that title."""
    holders = [e for e in cast.lookup(noun) if cast.entities[e].kind == "named" and len(cast.entities[e].forms) > 1]
    holders = holders or [e for e, ent in enumerate(cast.entities) if cast.holds(e, noun, para)]
    if holders or noun not in _TITLE_NOUNS:
        return holders
    # "Madame sternly retorted": a title alone is whoever of its bearers the scene has (the latest)
    return [e for e, ent in enumerate(cast.entities) if ent.kind == "named" and ent.title == noun]


def _noun_after(tokens: list[Token], k: int) -> int | None:
    """The calling an apposition gives someone ("Madame Dupont, the café's owner"): its noun's index."""
    for j in range(k, min(k + 4, len(tokens))):
        if tokens[j].low in PERSON_NOUNS and tokens[j].low not in GENERIC and not tokens[j].poss:
            return j
        if not tokens[j].text[0].isalpha():
            return None
    return None


def _a_role(det: str, noun: str) -> bool:
    """Whether an apposition with this determiner and noun gives a role: a calling
    ("the owner", "a carpenter"), a relation of the narrator's ("my sister, Mrs. Joe") or the one the
    text calls so ("Barrymore, the husband,"); not a relation of someone else's ("her father, Mr.
    Leivers"), whose "father" depends on whose, nor "my friend", whom the narrator has several of."""
    return det in ("the", "my") if noun in FAMILY else det != "my"


def _listed(tokens: list[Token], last: int) -> bool:
    """Whether the second of two phrases set side by side with a comma ("the mother, Edgar", "Captain
    Smollett, the squire"), ending at token ``last``, goes on as a list, not as an apposition: "and"
    follows it ("the mother, Edgar, and Miriam"), or a third name does ("the captain, Mr. Arrow, Hunter,
    Joyce")."""
    n = len(tokens)
    k = last + 1
    if k < n and tokens[k].text == ",":
        k += 1
    if k >= n or tokens[k].quote:
        return False
    if tokens[k].low in ("and", "or", "nor"):
        return True
    if not (tokens[k].cap and not tokens[k].sent_start) or tokens[k - 1].text != ",":
        return False
    for t in tokens[k + 1 : k + 5]:  # a short name, then a comma or "and": one more item of the list
        if t.low in ("and", "or") or t.text == ",":
            return True
        if not t.cap:
            return False
    return False


_APPOSITION_DETS = ("the", "a", "an", "his", "her", "my")


def learn_appositions(cast: Cast, tokens: list[Token], run_at: dict[int, NameRun]) -> None:
    """ "Madame Dupont, the café's owner,", "The café's owner, Madame Dupont," and "a carpenter named
    Master Antonio" give roles; a list ("the mother, Edgar, and Miriam") gives none. A calling holds
    only in the part of the book where the person's name is (within ``ROLE_REACH`` paragraphs): "Mr.
    Miles, the master" of one school chapter is not the master of a house twenty chapters on; so does a
    title's role of someone named in a small part of the book only; a relation of the narrator's ("my
    sister, Mrs. Joe") is theirs for the whole book."""
    given: list[tuple[int, str]] = []
    span: dict[int, tuple[int, int]] = {}  # entity -> the first and last paragraphs its name is in
    tagged: set[int] = set()  # tags a quotation ("heard Pilot bark" beside no quotation tags none)
    spoken = {t.para for t in tokens if t.quote}
    for first, run in run_at.items():
        ents = cast.lookup(run.surface)
        if len(ents) != 1:
            continue
        if speech_subject(tokens, run) and not tokens[first].quote and tokens[first].para in spoken:
            tagged.add(ents[0])
        para = tokens[first].para
        lo, hi = span.get(ents[0], (para, para))
        span[ents[0]] = (min(lo, para), max(hi, para))
        roles = [_role_after(tokens, run), _role_before(tokens, run)]
        # a ... NOUN named NAME ("an old carpenter named Master Antonio")
        # (in a line too: "there lives a gardener called Giangio")
        named = first >= 2 and tokens[first - 1].low in ("named", "called")
        if named and tokens[first - 2].low in PERSON_NOUNS and tokens[first - 2].low not in GENERIC | FAMILY:
            roles.append(tokens[first - 2].low)
        given.extend((ents[0], role) for role in roles if role is not None)
    book = tokens[-1].para + 1 if tokens else 0
    for e, (lo, hi) in span.items():
        # a title's role holds where its person is when that is a small part of the book (the "Doctor" of
        # one story of a collection is not the doctor of the next); "the squire" of a whole novel may be
        # called so for chapters before his name comes
        if 3 * (hi - lo) < book:
            ent = cast.entities[e]
            ent.posted.update((role, (lo - ROLE_REACH, hi + ROLE_REACH)) for role in ent.roles - FAMILY)
    for e, role in given:
        if role in _ANIMALS and e not in tagged:
            cast.retire(e)  # "Pilot, the dog": no one whose "he" speaks, unless the text lets it talk
            continue
        cast.entities[e].roles.add(role)
        if role not in FAMILY:  # an apposition's calling holds where its person is
            cast.entities[e].posted[role] = (span[e][0] - ROLE_REACH, span[e][1] + ROLE_REACH)


def _role_after(tokens: list[Token], run: NameRun) -> str | None:
    """NAME , the ... NOUN (,): "Madame Dupont, the café's owner", "Joe, my sister, ..."."""
    k = run.last + 1
    if k + 2 >= len(tokens) or tokens[k].text not in ",(" or tokens[k + 1].low not in _APPOSITION_DETS:
        return None
    if tokens[run.last].poss:
        return None  # "at Pumblechook's, my sister bounced in"
    j = _noun_after(tokens, k + 2)
    if j is None or _listed(tokens, j):
        return None
    det = "the" if any(t.poss for t in tokens[k + 2 : j]) else tokens[k + 1].low  # "my sister's husband"
    if tokens[k].text == "(" and (j + 1 >= len(tokens) or tokens[j + 1].text != ")"):
        return None  # "Mr. Wood (the clergyman)", not "Mr. Wood (the clergyman's friend)"
    # "for Joe, my sister went on": only "Joe, my sister, ..." makes her his
    closed = j + 1 < len(tokens) and tokens[j + 1].text in ",)"
    return tokens[j].low if _a_role(det, tokens[j].low) and (det != "my" or closed) else None


def _role_before(tokens: list[Token], run: NameRun) -> str | None:
    """the ... NOUN , NAME ,: "The café's owner, Madame Dupont,", "My sister, Mrs. Joe,"; "my brother
    Robert"."""
    first = run.first
    if first >= 2 and tokens[first - 1].low in FAMILY and tokens[first - 2].low == "my" and not tokens[first].quote:
        return tokens[first - 1].low  # "my brother Robert"
    if first < 2 or tokens[first - 1].text != ",":
        return None
    j = first - 2
    if tokens[j].low not in PERSON_NOUNS or tokens[j].low in GENERIC or tokens[j].quote:
        return None
    before = tokens[max(0, j - 4) : j]
    det = next((t.low for t in reversed(before) if t.low in _APPOSITION_DETS), None)
    if det is None or _listed(tokens, run.last):
        return None
    det = "the" if any(t.poss for t in before) else det
    return tokens[j].low if _a_role(det, tokens[j].low) else None
