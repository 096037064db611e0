"""Which quoted parts of a text are one speech act, and so one line with one speaker.

The parts of one paragraph are one speech unless the narration between them shows someone else
speaking: two tags ("cried Dilly, and all shouted,"), a new sentence with a tag of its own, a part
tagged by another person after a tagged part ('"Who is it?" I asked. ... "Oh! who is it?" she said'),
a part led in by someone else's tag after one led in by its own ('He asked the editor, "...?" The
editor bellowed, "..."'), or nothing at all between two ended quotations ("'Stop!' 'I've heard that
song before,' said Toad": an exchange; three or more are a crowd, one voice). A quotation left open
at a paragraph's end goes on in the next paragraph that opens with a mark.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.reading.lexicon import ABBREVIATIONS, TITLES, WEAK_SPEECH_VERBS, speech_verb_at, words


@dataclass
class Part:
    """A quoted stretch of one paragraph: its text without the marks, and how it joins its neighbours."""

    start: int
    end: int
    para: int
    mark: int  # position of the opening mark
    continued: bool = False  # continues a quotation from the previous paragraph
    continues: bool = False  # continues into the next paragraph


def speeches(text: str, parts: list[Part]) -> list[list[Part]]:
    """The parts of ``text`` (in order) grouped into speech acts."""
    groups: list[list[Part]] = []
    chorus = _choruses(text, parts)
    for k, part in enumerate(parts):
        if groups:
            last = groups[-1][-1]
            if (part.continued and last.continues and not _retagged(text, groups[-1], part)
                    and not (len({p.para for p in groups[-1]}) == 1 and _short_reply(text, last))):
                groups[-1].append(part)
                continue
            gap = text[last.end : part.start]
            if (
                part.para == last.para
                and not last.continues
                and (k in chorus or not _answered(text, last, gap))
                and not _two_tags(gap)
                and not _new_tag(gap)
                and not _tagged_again(text, groups[-1], gap, part)
                and not _led_in_again(text, groups[-1], gap)
                and not _narration_leads_in(text, last, gap)
                and not _other_leads_in(text, groups[-1], last, gap)
                and not _someone_else_leads_in(gap)
            ):
                groups[-1].append(part)
                continue
        groups.append([part])
    return groups


#: The end of a paragraph, whatever the line ends ("\n\n", "\r\n\r\n", "\r\r", a line of spaces).
_BLANK_LINE = re.compile(r"(?:\r\n|\n|\r(?!\n))[ \t]*(?:\r\n|\n|\r(?!\n))")
#: How narration that leads into a quotation ends ("..., the Rat said, ", "He went on: ").
_TAG_ENDS = (",", ":", "-", "—")
#: What is stripped from the narration between two parts before it is read: space and quotation marks.
_AROUND_NARRATION = " \t\r\n“”‘’\"'"


def _choruses(text: str, parts: list[Part]) -> set[int]:
    """The parts that end a run of three or more quotations with nothing between them: a crowd
    all talking at once ('"You bet!" "Sure." "That's the idea," they all agreed.'), one voice."""
    out: set[int] = set()
    run = [0]
    for k in range(1, len(parts) + 1):
        if k < len(parts) and parts[k].para == parts[k - 1].para and _answered(
            text, parts[k - 1], text[parts[k - 1].end : parts[k].start]
        ):
            run.append(k)
            continue
        if len(run) >= 3:
            out.update(run[1:])
        run = [k]
    return out


def _answered(text: str, last: Part, gap: str) -> bool:
    """Two quotations with nothing but space between, the first ended: "'Stop, stop!' 'I've heard
    that song before,' said Toad." One speaker prints one quotation; two are an exchange."""
    return not gap.strip(_AROUND_NARRATION) and text[last.start : last.end].rstrip()[-1:] in ".!?…—-"


def _two_tags(gap: str) -> bool:
    """A tag for the part before and another introducing the part after: "cried Dilly, and all shouted,"."""
    if not gap.rstrip(" \t\r\n“‘\"'").endswith((",", ":")):
        return False
    words = re.findall(r"[a-z]+", gap.lower())
    # "she said, faltering," is one tag and its manner
    verbs = [i for i, w in enumerate(words)
             if w not in WEAK_SPEECH_VERBS and not w.endswith("ing") and speech_verb_at(words, i)]
    return len(verbs) >= 2


def _new_tag(gap: str) -> bool:
    """Narration that ends one sentence and opens another with its own speech tag: "... at each
    fresh revelation. When all was ready, the Rat said, " introduces a new quotation."""
    body = gap.strip(_AROUND_NARRATION)
    if not body.endswith(_TAG_ENDS):
        return False
    ends = [m for m in re.finditer(r"(\w*)[.!?]\s+(?=[A-Z])", body) if m.group(1).lower() not in ABBREVIATIONS]
    if not ends:
        return False
    words = re.findall(r"[a-z]+", body[ends[-1].end() :].lower())
    return any(w not in WEAK_SPEECH_VERBS and speech_verb_at(words, i) for i, w in enumerate(words))


#: What ends narration that leads into a quotation: "... with a loud, \"", "... saying: \"", "... was \"".
_LEADS_IN = re.compile(r"(?:[,:—–-]|\b[a-z]+)$")
#: A sentence of narration ending inside the narration ("... followed. Remained much longer. Report: \"").
_SENTENCE_END = re.compile(r"(\w*)[.!?][)’”\"']*\s+(?=[A-Z])")


def _narration_leads_in(text: str, last: Part, gap: str) -> bool:
    """Narration between two parts that is a story of its own and then leads into the second part: a
    whole sentence ('"Report: "...." My lady's maid followed. Remained longer. Report: "..."'), or, after
    a part that ended its sentence, a new sentence that is no tag ('"Glimmer-glass." Anne's choice was
    "The Fairies' Mirror."'). The second part is someone's new speech, not the first one resumed."""
    body = gap.strip(_AROUND_NARRATION)
    if not body or not _LEADS_IN.search(body):
        return False
    if body.startswith(("-", "—", "–")):
        return False  # '"Once more!"--Mr. Cruncher could not be restrained--"I'd catch ...': an aside
    body = re.sub(r"\([^()]*\)", "", body)  # an aside in brackets is no sentence of the story
    ends = [m for m in _SENTENCE_END.finditer(body) if m.group(1).lower() not in ABBREVIATIONS]
    if ends:
        if not body[:1].isupper() or _tag_subject(body) is not None:
            body = body[ends[0].end() :]  # '"Oh," said Mrs. Fisher. She paused:': the first part's tag
        return _names_someone(body)
    ended = text[last.start : last.end].rstrip()[-1:] in ".!?"
    words = re.findall(r"[a-z]+", body.lower())
    return ended and body[:1].isupper() and not _has_tag(words) and _names_someone(body)


#: Words a sentence that goes on with the same people starts with ("She paused.", "And again:",
#: "Then, after a moment,"); a sentence that starts otherwise ("My lady's maid followed.", "Anne's
#: choice was") brings someone in.
_GOES_ON = frozenset(words("""
i he she it we they you his her its our their me him them us and then but so or now again here there this
that these those yet still at after before when while as presently once with in on for by to if though
"""))


def _names_someone(body: str) -> bool:
    """Whether narration brings in a person: a sentence led by a noun ("My lady's maid followed."), or a
    name inside a sentence ("... till Mr. Marbury captured her")."""
    for sentence in re.split(r"(?<=[.!?])\s+", body):
        tokens = re.findall(r"[A-Za-z’']+", sentence)
        if not tokens:
            continue
        if tokens[0][:1].isupper() and tokens[0].lower().rstrip("’'s") not in _GOES_ON:
            return True
        if any(w[:1].isupper() and w != "I" for w in tokens[1:]):
            return True
    return False


_KIN = frozenset(words("wife husband mother father sister brother son daughter aunt uncle friend companion"))
#: "..., and Brad Bemis had declared that she was", "began Meg, but Jo cut in with": another subject.
_OTHER_SUBJECT = re.compile(
    r"[,;]\s+(?:and|but|while|whereupon)\s+(?:then\s+)?"
    r"(?P<who>[A-Z][a-z]+|the\s+[a-z-]+(?:\s+man|\s+woman)?|(?:his|her)\s+(?:" + "|".join(sorted(_KIN)) + r")|he|she)\b"
    r"(?P<rest>(?:\s+[a-z]+){0,2})"
)


def _someone_else_leads_in(gap: str) -> bool:
    """A clause of someone else's after the first part's tag leads into the second part: '"I'm the
    oldest," began Meg, but Jo cut in with a decided, "I'm the man of the family"'."""
    body = gap.strip(_AROUND_NARRATION)
    if not body or not _LEADS_IN.search(body):
        return False
    m = _OTHER_SUBJECT.search(body)
    if m is None:
        return False
    who = m.group("who").lower()
    if who.startswith("the ") and not _has_tag(m.group("rest").split()):
        return False  # "..., and the one delicate thing to be done": no one speaks
    first = _tag_subject(body[: m.start()])
    if who in _PRONOUNS:  # '"Oh, DINNER----" he mocked her; but she left him with the rejoinder:'
        return first is not None and _other_person(first, who)
    return first is None or first != who.split()[-1]


def _other_leads_in(text: str, group: list[Part], last: Part, gap: str) -> bool:
    """After a part that ended its sentence, a new sentence whose own tag leads into the next part,
    by someone other than the one who spoke before: '"Yes," I said. "Charcot proved it." He smiled as he
    went on: "Then you are satisfied."', '"Ah, I can trust you!" I seized the chance, and said: "I promise."'."""
    body = gap.strip(_AROUND_NARRATION)
    if not body[:1].isupper() or not body.endswith(_TAG_ENDS):
        return False
    if text[last.start : last.end].rstrip()[-1:] not in ".!?":
        return False
    low = re.findall(r"[a-z]+", body.lower())
    verbs = [i for i, w in enumerate(low) if w not in WEAK_SPEECH_VERBS and speech_verb_at(low, i)]
    if not verbs or verbs[0] < 2:
        return False  # '"Stop it!" Tom cried, "you will hurt him."': the tag of the part before
    lead = _opening_subject(body)
    inner = [_tag_subject(text[a.end : b.start]) for a, b in itertools.pairwise(group)]
    told = [w for w in inner if w is not None]
    if lead is None:
        return False
    return _other_person(told[-1], lead) if told else lead == "i"


def _opening_subject(body: str) -> str | None:
    """The subject a sentence of narration opens with: "i", "he", "she", or a name's last word."""
    words = re.findall(r"[A-Za-z]+", body)
    if not words:
        return None
    if words[0].lower() in ("i", "he", "she", "we", "they"):
        return words[0].lower()
    if words[0].lower() in _GOES_ON:
        return None
    name = list(itertools.takewhile(lambda w: w[:1].isupper(), words))  # "Mr Hale went on:"
    return name[-1].lower()


#: The longest reply (in words) whose missing closing mark is taken for a slip, not a speech that
#: goes on in the next paragraph: '"Yes.' then '"Why didn't you tell me?"'.
_SHORT_REPLY = 4


def _short_reply(text: str, part: Part) -> bool:
    """A short part left open at its paragraph's end that ends its sentence: the reply of one
    speaker, the next paragraph another's ('"Yup. Better drop in." ... "Well, I may."' is longer)."""
    said = text[part.start : part.end].strip()
    return len(said.split()) <= _SHORT_REPLY and said[-1:] in ".!?"


def _led_in_again(text: str, group: list[Part], gap: str) -> bool:
    """A quotation led in by its tag, then a sentence of narration that leads in the next part with a
    tag of someone else: 'He hailed Wheeler, "Behave yourself?" The editor bellowed, "B' gosh!"'.
    (A tag after a quotation that had none before it is that quotation's: '"Stop it!" I cried, "you
    will hurt him."')"""
    first, last = group[0], group[-1]
    body = gap.strip(_AROUND_NARRATION)
    if not body[:1].isupper() or not body.endswith(_TAG_ENDS):
        return False
    if text[last.start : last.end].rstrip()[-1:] not in ".!?":
        return False  # '"Yes," Meg began, "I ...': the sentence goes on
    lead = _BLANK_LINE.split(text[max(0, first.mark - 200) : first.mark])[-1].rstrip()
    if not lead.endswith(_TAG_ENDS):
        return False
    before = _lead_subject(re.findall(r"[A-Za-z]+", lead)[-8:])
    after = _lead_subject(re.findall(r"[A-Za-z]+", body)[-8:])
    return before is not None and after is not None and before != after


def _lead_subject(words: list[str]) -> str | None:
    """The subject of a tag that leads into a quotation ("The editor bellowed", "said Mrs. Bell",
    "Madame sternly retorted"): the word before its speech verb, or the name after it."""
    low = [w.lower() for w in words]
    verbs = [i for i, w in enumerate(low) if w not in WEAK_SPEECH_VERBS and speech_verb_at(low, i)]
    if not verbs:
        return None
    v = verbs[-1]
    before = [w for w in low[:v] if not w.endswith("ly") and w not in ("and", "then", "but")]
    if before:
        return before[-1]
    rest = [w for w in low[v + 1 :] if w != "the" and w not in TITLES]
    return rest[0] if rest else None


def _retagged(text: str, group: list[Part], part: Part) -> bool:
    """A paragraph that seems to go on with the quotation left open before it, but whose tag names
    someone else than the quotation's own: '"No," assented Tom, "they are too noble.' then '"And
    don't they wear the bulliest clothes!" said Joe.' (a closing mark the printer left out)."""
    inner = [_tag_subject(text[a.end : b.start]) for a, b in itertools.pairwise(group) if a.para == b.para]
    mine = [who for who in inner if who is not None]
    after = _BLANK_LINE.split(text[part.end : part.end + 60])[0]
    theirs = _tag_subject(after)
    return bool(mine) and theirs is not None and _other_person(mine[-1], theirs)


def _tagged_again(text: str, group: list[Part], gap: str, part: Part) -> bool:
    """A quotation already tagged, a narration sentence, then a part with a tag of its own:
    '"Well," said I, "I can make nothing of it." The Professor stood up. "I must go," he said.'
    or '"That will do," he said. "Already?" I remonstrated.'"""
    if not gap.strip(_AROUND_NARRATION).endswith((".", "!", "?")):
        return False
    inner = [text[a.end : b.start].lower() for a, b in itertools.pairwise(group)]
    after = _BLANK_LINE.split(text[part.end : part.end + 40])[0].lstrip("”’\"' \t\r\n,")
    if not after[:1].islower() and not after.startswith("I "):
        return False  # '... to-night," he said': the tag follows the part
    words = re.findall(r"[a-z]+", after.lower())
    if not _has_tag(words[:3]) or _reported(words):
        return False
    if any(_has_tag(re.findall(r"[a-z]+", g)) for g in inner):
        return True
    # tagged by the narration that follows it, by someone else: '"Who is it?" I asked. Rosanna gave
    # me back my own question. "Oh! who is it?" she said.' (not '"Yes," said Ann. "No," she added.')
    first, second = _tag_subject(gap), _tag_subject(after)
    return first is not None and second is not None and _other_person(first, second)


_PRONOUNS = frozenset({"he", "she", "they", "we"})

#: Words after a speech verb that make it reported speech, not a tag: "I suggested that ...".
_REPORTED = frozenset({"that", "whether", "if", "how", "what", "why", "to"})


def _reported(words: list[str]) -> bool:
    """The speech verb of the first words is followed by a clause of its own ("I suggested that he
    would bring them"): narration reporting speech, not the tag of the quotation before it."""
    for i, w in enumerate(words[:3]):
        n = speech_verb_at(words, i) if w not in WEAK_SPEECH_VERBS else 0
        if n:
            return i + n < len(words) and words[i + n] in _REPORTED
    return False


def _tag_subject(tag: str) -> str | None:
    """Who a tag at the start of ``tag`` names: "i", "he", "she", or a name's last word ("said
    Mr. Holmes", "Holmes replied"); None when the first words hold no tag."""
    words = re.findall(r"[A-Za-z]+", tag.lstrip("”’\"' \t\r\n,;"))[:6]
    low = [w.lower() for w in words]
    tags = [i for i in range(min(3, len(low))) if low[i] not in WEAK_SPEECH_VERBS and speech_verb_at(low, i)]
    verb = tags[0] if tags else None
    if verb is None:
        return None
    if verb > 0:  # "he said", "Holmes replied", "the doctor said"
        return low[verb - 1]
    rest = words[verb + speech_verb_at(low, verb) :]
    while rest and (rest[0].lower() == "the" or rest[0].lower() in TITLES):
        rest = rest[1:]
    if not rest:
        return None
    name = [rest[0]]
    for w in rest[1:]:
        if not w[:1].isupper():
            break
        name.append(w)
    return name[-1].lower()


def _other_person(first: str, second: str) -> bool:
    """Two tags that cannot name one person: "I" and anyone else, "he" and "she", two names.
    A name and a pronoun may be the same person."""
    if first == second:
        return False
    if "i" in (first, second):
        return True
    return (first in _PRONOUNS) == (second in _PRONOUNS)


def _has_tag(words: list[str]) -> bool:
    return any(w not in WEAK_SPEECH_VERBS and speech_verb_at(words, i) for i, w in enumerate(words))
