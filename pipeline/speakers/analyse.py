"""The speakers stage: a work's text in, its segments, cast and who says each line out."""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from pipeline.model import GROUP, Analysis, Character, Gender, Segment
from pipeline.reading.lexicon import TITLES
from pipeline.reading.segment import Layout, segments_of, split
from pipeline.speakers.attribution.firstperson import read_the_narrator
from pipeline.speakers.attribution.ranker import Ranker, packaged_sure_from
from pipeline.speakers.attribution.rules import CONFIDENCE, Decision, Rule
from pipeline.speakers.attribution.scene import Scene
from pipeline.speakers.attribution.sieves import decide
from pipeline.speakers.characters import Cast, NameRun, find_cast, narrator_name
from pipeline.speakers.mentions import Resolver
from pipeline.speakers.narrators import retire_narrator, section_writers
from pipeline.speakers.pins import Pins, check_pins
from pipeline.speakers.tokens import Token, tokenize

#: Lines decided with less confidence than this are unsure: the script view and the studio mark them,
#: with their id for pinning. Confidence is the accuracy such lines had on books the ranker never saw;
#: the threshold is the lowest at which the lines at or above it were 95% right there, chosen on those
#: held-out lines when the model is trained (speakers/attribution/ranker.py; `benchmarks/train_ranker.py`
#: prints the curve).
LOW_CONFIDENCE: float = packaged_sure_from()


def is_unsure(seg: Segment) -> bool:
    """A line of dialogue decided with less confidence than ``LOW_CONFIDENCE``."""
    return seg.kind == "dialogue" and seg.confidence is not None and seg.confidence < LOW_CONFIDENCE


def strip_marks(text: str) -> str:
    """Narration around dialogue starts or ends with the quotation marks; they are not read."""
    return text.strip().strip("“”‘’\"'«»„").strip()


#: A stage after the sieves that may re-decide their lines: the learned ranker, or `sieves_only`.
Reranker = Callable[[Scene, list[Decision]], list[Decision]]


def sieves_only(_scene: Scene, decisions: list[Decision]) -> list[Decision]:
    """No stage after the sieves: their decisions stand (for measuring the sieves alone)."""
    return decisions


@dataclass
class Examined:
    """A text taken apart and attributed: what the ranker's training reads besides the result."""

    layout: Layout
    tokens: list[Token]
    cast: Cast
    runs: list[NameRun]
    scene: Scene
    sieved: list[Decision]  # the sieves' decisions, before any stage after them
    decisions: list[Decision]  # the final ones, after the ranker, the self-introductions and the narrator's name
    pinned: dict[str, str]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a text is analysed: the analysis makes millions of small
    objects (tokens, mentions, rows) and few cycles, and each full collection walks all of them again
    (a fifth of the analysis time of a novel, measured on moonstone.txt)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def examine(text: str, pins: dict[str, str] | None = None, ranker: Reranker | None = None) -> Examined:
    """Segment ``text``, find its cast and decide every quotation: the sieves, then ``ranker`` (the
    packaged model when None)."""
    with _collector_paused():
        return _examine(text, pins, ranker)


def _examine(text: str, pins: dict[str, str] | None, ranker: Reranker | None) -> Examined:
    layout = split(text)
    tokens = tokenize(layout)
    cast, runs = find_cast(layout, tokens)
    cast.writers = section_writers(layout, cast)
    resolver = Resolver(cast, tokens, runs, text)
    mentions = resolver.resolve_all()
    retire_narrator(cast, tokens)
    scene = Scene(layout, tokens, cast, resolver, mentions)
    read_the_narrator(scene, runs)
    # A pin is an anchor like a tag: the untagged lines around it are derived from it.
    pinned = check_pins(pins, _known_names(cast, runs)) if pins else {}
    anchors = {
        qi: ents[0]
        for qi, q in enumerate(layout.quotations)
        if q.quote_id in pinned and len(ents := cast.lookup(pinned[q.quote_id])) == 1
    }
    sieved = decide(scene, anchors)
    decisions = (ranker or Ranker())(scene, list(sieved))
    _self_introductions(cast, layout, decisions)
    _name_the_narrator(cast, tokens, runs, layout, decisions)
    return Examined(layout, tokens, cast, runs, scene, sieved, decisions, pinned)


def analyse(text: str, pins: dict[str, str] | None = None, ranker: Reranker | None = None) -> Analysis:
    """Segment ``text``, find its cast and attribute every quotation (``ranker``: see `examine`)."""
    with _collector_paused():
        return _analyse(text, pins, ranker)


def _analyse(text: str, pins: dict[str, str] | None, ranker: Reranker | None) -> Analysis:
    ex = examine(text, pins, ranker)
    layout, cast, decisions, pinned = ex.layout, ex.cast, ex.decisions, ex.pinned
    warnings = list(layout.warnings)
    names = {q.quote_id: _speaker_name(cast, d.speaker) for q, d in zip(layout.quotations, decisions, strict=True)}
    rules = {q.quote_id: d for q, d in zip(layout.quotations, decisions, strict=True)}
    if pins:
        ids = {q.quote_id for q in layout.quotations}
        for qid, who in pinned.items():
            if qid in ids:
                names[qid] = who
                rules[qid] = Decision(None, Rule.PIN, CONFIDENCE[Rule.PIN])
            else:
                where = f"{pins.path.name}:{pins.lines[qid]}: " if isinstance(pins, Pins) and pins.path else ""
                warnings.append(f"{where}pin {qid} ({who}) matches no quotation any more; it is ignored")
    segments = []
    for seg in segments_of(layout):
        if seg.kind == "dialogue" and seg.quote_id is not None:
            d = rules[seg.quote_id]
            seg = replace(seg, speaker=names[seg.quote_id], rule=d.rule, confidence=round(d.confidence, 2))
        segments.append(seg)
    # The resolver and its descriptions point at each other, and through them at every token of the text:
    # undone here, the whole analysis goes by reference counting instead of a cycle the collector must walk.
    ex.scene.resolver.descriptions = None  # type: ignore[assignment]
    return Analysis(tuple(segments), _characters(cast, names), tuple(warnings))


_INTRODUCTION = re.compile(
    r"\b(?:I am|I’m|I'm|[Mm]y name is|[Mm]y name’s|[Mm]y name's)\s+"
    r"(?:the\s+(?=[A-Z][a-z]+\s+of\s))?"  # "I am the Witch of the North"
    r"((?:(?:Mr|Mrs|Miss|Ms|Dr|Doctor|Sir|Lady|Lord|Captain|Colonel|Professor)\.?\s+)?[A-Z][a-z]+"
    r"(?:\s+of(?:\s+the)?\s+[A-Z][a-z]+|(?:\s+[A-Z][a-z]+){0,2}))"
    r"(?=[\s,.;!?—]|$)"
)


def _self_introductions(cast: Cast, layout: Layout, decisions: list[Decision]) -> None:
    """An unnamed speaker who says "I am Dr. Grimesby Roylott" / "My name is Hester" is that
    person: their lines join the named character, or the name becomes theirs."""
    for q, d in zip(layout.quotations, decisions, strict=True):
        who = d.speaker
        if not isinstance(who, int) or cast.entities[who].kind != "unnamed":
            continue
        said = " ".join(layout.text[a:b] for a, b in q.parts)
        m = _INTRODUCTION.search(said)
        if m is None:
            continue
        name = m.group(1)
        found = [e for e in cast.lookup(name) if e != who]
        # "I am English" is no name; a title or "my name is" makes it one
        titled = name.split()[0].rstrip(".").lower() in TITLES or m.group(0).lower().startswith("my name")
        if len(found) == 1:
            for i, other in enumerate(decisions):
                if other.speaker == who:
                    decisions[i] = replace(other, speaker=found[0])
            cast.entities[who].kind = "merged"
            if cast.entities[found[0]].gender == "U":
                cast.entities[found[0]].gender = cast.entities[who].gender
        elif not found and titled:
            cast.entities[who].name = name
            cast.entities[who].kind = "named"


def _name_the_narrator(
    cast: Cast, tokens: list[Token], runs: list[NameRun], layout: Layout, decisions: list[Decision]
) -> None:
    if cast.narrator is None:
        return
    own = {
        p for q, d in zip(layout.quotations, decisions, strict=True) if d.speaker == cast.narrator for p in q.paragraphs
    }
    if not own:
        return
    # in a book of several writers, their names are everywhere: only the narrator's answerers count
    name = narrator_name(tokens, runs, own, nearby=bool(cast.writers))
    if not name:
        return
    # lines given to the same name as a character of its own ("Pip", answering a vocative)
    # ... and the short forms of it that are characters of their own ("Huck" of "Huck Finn")
    words = set(name.lower().split())
    gender = cast.entities[cast.narrator].gender
    same = {e for e in cast.lookup(name) if e != cast.narrator} | {
        e
        for e, ent in enumerate(cast.entities)
        if ent.kind == "named" and e != cast.narrator and ent.forms
        and all(set(_untitled(f, gender)) <= words for f in ent.forms)
    }
    cast.entities[cast.narrator].name = name
    if same:
        for i, d in enumerate(decisions):
            if d.speaker in same:
                decisions[i] = replace(d, speaker=cast.narrator)
        for e in same:
            cast.entities[e].kind = "merged"


def _untitled(form: str, gender: str) -> list[str]:
    """The words of a form of name without a title the narrator may bear ("Dr. Watson" of a narrator
    named Watson; "Miss Eyre" of Jane Eyre, but "Mr. Eyre" only of a man)."""
    words = form.split()
    title = TITLES.get(words[0].rstrip("."), None) if len(words) > 1 else None
    return words[1:] if title == "U" or (title is not None and title == gender) else words


def _known_names(cast: Cast, runs: list[NameRun]) -> list[tuple[str, str]]:
    """(alias, canonical name) for every way the story names someone, for checking pins."""
    known = [
        (GROUP, GROUP),
        ("narrator", cast.entities[cast.narrator].name if cast.narrator is not None else "Narrator"),
    ]
    for ent in cast.entities:
        known.append((ent.name, ent.name))
        known.extend((form, ent.name) for form in ent.forms)
    known.extend((run.surface, run.surface) for run in runs)
    return known


def _speaker_name(cast: Cast, speaker: int | str | None) -> str | None:
    if speaker is None or isinstance(speaker, str):
        return speaker
    return cast.entities[speaker].name


def _characters(cast: Cast, names: dict[str, str | None]) -> tuple[Character, ...]:
    lines = Counter(n for n in names.values() if n)
    out = []
    seen = set()
    for ent in cast.entities:
        # unnamed people the tags call alike ("the man") share one name, one voice and one entry
        if ent.kind == "merged" or (ent.kind != "named" and not lines[ent.name]) or ent.name in seen:
            continue
        aliases = tuple(sorted(f for f in ent.forms if f != ent.name.lower()))
        gender = Gender.of(ent.gender)
        out.append(Character(ent.name, aliases, gender, lines[ent.name]))
        seen.add(ent.name)
    for name, count in lines.items():
        if name not in seen:
            out.append(Character(name, (), Gender.unknown, count))
    return tuple(sorted(out, key=lambda c: (-c.lines, c.name)))
