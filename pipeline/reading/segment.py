"""Split a text into narration and dialogue segments.

A quotation is found by pairing quotation marks inside a paragraph. The text's
dialogue marks are guessed once (double marks, curly or straight, or British
single marks); marks of the other family inside a quotation are nested quotes and
stay inside it. A quotation left open at the end of a paragraph continues into
the next paragraph when that paragraph opens with a quotation mark (the usual
way to print a long speech); otherwise it ends there, with a warning.

Quoted stretches that are not speech (a sign in capitals, a title, a quoted
word in the middle of a sentence) stay narration.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.model import Segment
from pipeline.reading.lexicon import ABBREVIATIONS, ELISIONS, TITLES, WEAK_SPEECH_VERBS, speech_verb_at
from pipeline.reading.paragraphs import line_number
from pipeline.reading.paragraphs import paragraphs as find_paragraphs

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‛"
SINGLE_CLOSE = "’"
#: Characters after which a straight mark opens rather than closes.
_OPEN_CONTEXT = " \t\r\n([{—–-/…"
#: Punctuation that ends speech just before a closing mark.
_END_PUNCT = ".,!?;:—–-…"
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "von",
        "van",
    ]
)


@dataclass(frozen=True)
class Quotation:
    """One speech act: one or more parts (character spans excluding the marks)."""

    quote_id: str
    parts: tuple[tuple[int, int], ...]
    paragraphs: tuple[int, ...]  # index into Layout.paragraphs, one per part


@dataclass(frozen=True)
class Layout:
    """The structure of a text: paragraphs and quotations, in text order."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]  # (start, end) of each paragraph, newlines excluded
    quotations: tuple[Quotation, ...]
    warnings: tuple[str, ...]


@dataclass
class _Part:
    start: int
    end: int
    para: int
    mark: int  # position of the opening mark
    continued: bool = False  # continues a quotation from the previous paragraph
    continues: bool = False  # continues into the next paragraph


def segment(text: str) -> tuple[list[Segment], list[str]]:
    """Tile ``text`` with narration and dialogue segments; return them and any warnings."""
    layout = split(text)
    return segments_of(layout), list(layout.warnings)


def segments_of(layout: Layout) -> list[Segment]:
    """Narration fills the gaps between the parts of the quotations."""
    text = layout.text
    parts = sorted((a, b, q.quote_id) for q in layout.quotations for a, b in q.parts)
    out: list[Segment] = []
    pos = 0
    for a, b, qid in parts:
        if a > pos:
            out.append(Segment("narration", pos, a, text[pos:a]))
        out.append(Segment("dialogue", a, b, text[a:b], quote_id=qid))
        pos = b
    if pos < len(text):
        out.append(Segment("narration", pos, len(text), text[pos:]))
    return out


def split(text: str) -> Layout:
    """Find the paragraphs and quotations of ``text``."""
    paragraphs = [(p.start, p.end) for p in find_paragraphs(text)]
    family = _dialogue_family(text)
    warnings: list[str] = []
    parts: list[_Part] = []
    pending: _Part | None = None  # a quotation left open at the end of the previous paragraph
    for index, (a, b) in enumerate(paragraphs):
        para_family = family
        if not _has_family(text, a, b, family) and _has_family(text, a, b, _other(family)):
            para_family = _other(family)
        lead = _first_visible(text, a, b)
        starts_open = lead < b and _is_opener(text, lead, a, b, para_family)
        continuing = False
        if pending is not None:
            if starts_open:
                pending.continues = continuing = True
            else:
                warnings.append(_unclosed_warning(text, pending.mark))
            pending = None
        found, left_open = _scan(text, a, b, para_family)
        if continuing:
            for part in [*found, left_open]:
                if part is not None and part.mark == lead:
                    part.continued = True
        for part in found:
            if part.end > part.start:
                part.para = index
                parts.append(part)
        if left_open is not None:
            left_open.para = index
            parts.append(left_open)
            pending = left_open
    if pending is not None:
        warnings.append(_unclosed_warning(text, pending.mark))
    parts = [
        p
        for p in parts
        if p.end > p.start and (p.continued or p.continues or _is_speech(text, p, paragraphs))
    ]
    return Layout(text, tuple(paragraphs), _quotations(text, parts), tuple(warnings))


# --------------------------------------------------------------------------- paragraphs


def _first_visible(text: str, a: int, b: int) -> int:
    while a < b and text[a].isspace():
        a += 1
    return a


# --------------------------------------------------------------------------- marks


def _dialogue_family(text: str) -> str:
    """'double' or 'single': which marks this text uses for dialogue."""
    doubles = sum(text.count(c) for c in DOUBLE_OPEN) + text.count('"') / 2
    singles = len(re.findall(r"(?:^|(?<=[\s(—–-]))[‘'](?=\w)", text))
    singles -= len(re.findall(r"(?:^|(?<=[\s(—–-]))[‘'’](?:" + "|".join(ELISIONS) + r")\b", text, re.I))
    return "single" if singles > doubles else "double"


def _other(family: str) -> str:
    return "single" if family == "double" else "double"


def _has_family(text: str, a: int, b: int, family: str) -> bool:
    return any(_is_opener(text, i, a, b, family) for i in range(a, b) if text[i] in "“„«‘‛\"'")


def _is_opener(text: str, i: int, a: int, b: int, family: str) -> bool:
    c = text[i]
    prev = text[i - 1] if i > a else " "
    nxt = text[i + 1] if i + 1 < b else " "
    if family == "double":
        if c in DOUBLE_OPEN:
            return True
        return c == '"' and (prev in _OPEN_CONTEXT or prev in "'‘") and not nxt.isspace()
    if c in SINGLE_OPEN:
        return not prev.isalnum()
    if c in "'’":
        if prev.isalnum() or nxt.isspace() or i + 1 >= b:
            return False
        if prev not in _OPEN_CONTEXT and prev not in '"“':
            return False
        if nxt.isdigit():
            return False  # '53
        word = re.match(r"[A-Za-z]+", text[i + 1 : b])
        if word and word.group(0).lower() in ELISIONS:
            return False
        return c == "'"  # a curly ’ before a word is an apostrophe (’tis); ‘ opens
    return False


def _closer_strength(text: str, i: int, a: int, b: int, family: str) -> int:
    """2 for a sure closing mark, 1 for one that may be an apostrophe, 0 for none."""
    c = text[i]
    prev = text[i - 1] if i > a else " "
    nxt = text[i + 1] if i + 1 < b else " "
    if family == "double":
        if c in DOUBLE_CLOSE:
            return 2
        if c == '"':
            return 2 if not prev.isspace() or nxt.isspace() or i + 1 >= b else 1
        return 0
    if c not in "'’":
        return 0
    if prev.isspace() or i == a:
        return 0
    if nxt.isalnum():
        return 0  # don't, o'clock
    return 2 if (prev in _END_PUNCT or prev in '”"') else 1


def _scan(text: str, a: int, b: int, family: str) -> tuple[list[_Part], _Part | None]:
    """Pair the marks of one paragraph; return closed parts and the part left open."""
    found: list[_Part] = []
    open_at: int | None = None
    marks = [i for i in range(a, b) if text[i] in "“„«”»‘‛’\"'"]
    for k, i in enumerate(marks):
        if open_at is None:
            if _is_opener(text, i, a, b, family):
                open_at = i
            continue
        strength = _closer_strength(text, i, a, b, family)
        if strength == 1 and _sure_closer_follows(text, marks[k + 1 :], a, b, family):
            continue  # the Ashleys' garden party: an apostrophe, the real closing mark comes later
        if strength:
            found.append(_Part(open_at + 1, i, -1, open_at))
            open_at = None
        elif family == "double" and text[i] in DOUBLE_OPEN:
            # an opening mark while one is open: the first was never closed
            found.append(_Part(open_at + 1, _trim_end(text, open_at + 1, i), -1, open_at))
            open_at = i
    if open_at is None:
        return found, None
    return found, _Part(open_at + 1, _trim_end(text, open_at + 1, b), -1, open_at)


def _sure_closer_follows(text: str, rest: list[int], a: int, b: int, family: str) -> bool:
    for j in rest:
        if _closer_strength(text, j, a, b, family) == 2:
            return True
        if _is_opener(text, j, a, b, family):
            return False
    return False


def _trim_end(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def _unclosed_warning(text: str, mark: int) -> str:
    line = line_number(text, mark)
    return (
        f"line {line}: opening quotation mark never closed; ended the quotation at the end of its paragraph"
    )


# --------------------------------------------------------------------------- speech or not


def _is_speech(text: str, part: _Part, paragraphs: list[tuple[int, int]]) -> bool:
    """False for quoted stretches that are not speech: signs, titles, a quoted word."""
    content = text[part.start : part.end].strip()
    letters = [c for c in content if c.isalpha()]
    if not letters:
        return False
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return False  # a sign or a notice: "NO ARRIVALS AFTER MIDNIGHT"
    para_start = paragraphs[part.para][0]
    before = text[para_start : part.mark].rstrip()
    mid_sentence = bool(before) and (before[-1].isalnum() or before[-1] == "’")
    if not mid_sentence:
        return True
    words = content.split()
    if content[0].islower() and len(words) <= 4:
        return False  # a quoted word or phrase: the word "economy"
    if content[-1] in ".!?" or len(words) > 8:
        return True
    return not _title_case(words)


def _title_case(words: list[str]) -> bool:
    core = [w.strip(",;:") for w in words]
    if any("," in w for w in words[:-1]):
        return False
    return all(w[:1].isupper() or w.lower() in _FUNCTION_WORDS or not w[:1].isalpha() for w in core if w)


# --------------------------------------------------------------------------- quotations


def _quotations(text: str, parts: list[_Part]) -> tuple[Quotation, ...]:
    """Group parts into quotations: continued paragraphs, and parts of one paragraph
    unless a second speech tag between them shows that someone else speaks."""
    groups: list[list[_Part]] = []
    chorus = _choruses(text, parts)
    for k, part in enumerate(parts):
        if groups:
            last = groups[-1][-1]
            if part.continued and last.continues:
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
            ):
                groups[-1].append(part)
                continue
        groups.append([part])
    seen: dict[str, int] = {}
    out = []
    for group in groups:
        key = _normalise(" ".join(text[p.start : p.end] for p in group))
        n = seen.get(key, 0)
        seen[key] = n + 1
        digest = hashlib.sha1(f"{key}\x00{n}".encode() if n else key.encode()).hexdigest()[:8]
        out.append(
            Quotation(f"q-{digest}", tuple((p.start, p.end) for p in group), tuple(p.para for p in group))
        )
    return tuple(out)


def _choruses(text: str, parts: list[_Part]) -> set[int]:
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


def _answered(text: str, last: _Part, gap: str) -> bool:
    """Two quotations with nothing but space between, the first ended: "'Stop, stop!' 'I've heard
    that song before,' said Toad." One speaker prints one quotation; two are an exchange."""
    return not gap.strip(" \t\r\n“”‘’\"'") and text[last.start : last.end].rstrip()[-1:] in ".!?…—-"


def _two_tags(gap: str) -> bool:
    """A tag for the part before and another introducing the part after: "cried Dilly, and all shouted,"."""
    if not gap.rstrip(" \t\r\n“‘\"'").endswith((",", ":")):
        return False
    words = re.findall(r"[a-z]+", gap.lower())
    return sum(1 for i, w in enumerate(words) if w not in WEAK_SPEECH_VERBS and speech_verb_at(words, i)) >= 2


def _new_tag(gap: str) -> bool:
    """Narration that ends one sentence and opens another with its own speech tag: "... at each
    fresh revelation. When all was ready, the Rat said, " introduces a new quotation."""
    body = gap.strip(" \t\r\n“”‘’\"'")
    if not body.endswith((",", ":")):
        return False
    ends = [m for m in re.finditer(r"(\w*)[.!?]\s+(?=[A-Z])", body) if m.group(1).lower() not in ABBREVIATIONS]
    if not ends:
        return False
    words = re.findall(r"[a-z]+", body[ends[-1].end() :].lower())
    return any(w not in WEAK_SPEECH_VERBS and speech_verb_at(words, i) for i, w in enumerate(words))


def _led_in_again(text: str, group: list[_Part], gap: str) -> bool:
    """A quotation led in by its tag, then a sentence of narration that leads in the next part with a
    tag of someone else: 'He hailed Wheeler, "Behave yourself?" The editor bellowed, "B' gosh!"'.
    (A tag after a quotation that had none before it is that quotation's: '"Stop it!" I cried, "you
    will hurt him."')"""
    first, last = group[0], group[-1]
    body = gap.strip(" \t\r\n“”‘’\"'")
    if not body[:1].isupper() or not body.endswith((",", ":", "-", "—")):
        return False
    if text[last.start : last.end].rstrip()[-1:] not in ".!?":
        return False  # '"Yes," Meg began, "I ...': the sentence goes on
    lead = text[max(text.rfind("\n\n", 0, first.mark), first.mark - 200, 0) : first.mark].rstrip()
    if not lead.endswith((",", ":", "-", "—")):
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


def _tagged_again(text: str, group: list[_Part], gap: str, part: _Part) -> bool:
    """A quotation already tagged, a narration sentence, then a part with a tag of its own:
    '"Well," said I, "I can make nothing of it." The Professor stood up. "I must go," he said.'
    or '"That will do," he said. "Already?" I remonstrated.'"""
    if not gap.strip(" \t\r\n“”‘’\"'").endswith((".", "!", "?")):
        return False
    inner = [text[a.end : b.start].lower() for a, b in itertools.pairwise(group)]
    after = re.split(r"\n[ \t]*\n", text[part.end : part.end + 40])[0].lstrip("”’\"' \t\r\n,")
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


def _normalise(s: str) -> str:
    s = (
        unicodedata.normalize("NFC", s)
        .replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
    )
    return " ".join(s.split())


def split_segments(text: str, segments: Sequence[Segment], cuts: Iterable[int]) -> tuple[Segment, ...]:
    """The segments cut at each offset in ``cuts`` (chapter edges), so that none crosses one.

    A piece keeps its segment's kind, speaker and rule; the segments still tile the text.
    """
    marks = sorted(set(cuts))
    out: list[Segment] = []
    for seg in segments:
        inside = [c for c in marks[bisect.bisect_right(marks, seg.start):] if c < seg.end]
        edges = [seg.start, *inside, seg.end]
        for a, b in itertools.pairwise(edges):
            out.append(replace(seg, start=a, end=b, text=text[a:b]))
    return tuple(out)
