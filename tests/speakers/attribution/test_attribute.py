"""Speaker attribution: the corpus's five quotations and the sieves' general behaviour."""

from __future__ import annotations

import pytest

from pipeline.model import GROUP
from pipeline.speakers.analyse import analyse
from tests.conftest import CORPUS


def quotes(text: str) -> list[tuple[str, str | None, str | None]]:
    a = analyse(text)
    return [(s.text, s.speaker, s.quote_id) for s in a.segments if s.kind == "dialogue"]


def test_the_margins() -> None:
    got = quotes((CORPUS / "01-the-margins.txt").read_text(encoding="utf-8"))
    assert [(t, s) for t, s, _ in got] == [
        ("Bonjour, Stéphane. How are you finding inspiration today?", "Madame Dupont"),
        ("I'm finding it in the everyday moments,", "Stéphane Cara"),
        ("The ones that go unseen, but are still full of life.", "Stéphane Cara"),
        ("Ah, yes! The beauty lies in the margins, n'est-ce pas?", "Madame Dupont"),
    ]
    # the interrupted speech is one quotation in two parts
    assert got[1][2] == got[2][2] and got[0][2] != got[1][2]


def test_a_whispered_promise() -> None:
    got = quotes((CORPUS / "02-a-whispered-promise.txt").read_text(encoding="utf-8"))
    assert [(t, s) for t, s, _ in got] == [
        ("Mind if I join you?", "Kamil Moreau"),
        ("Keep telling their stories.", "the young woman"),
    ]


def test_behind_the_counter_has_no_dialogue() -> None:
    a = analyse((CORPUS / "03-behind-the-counter.txt").read_text(encoding="utf-8"))
    assert [s.kind for s in a.segments] == ["narration"]
    assert a.warnings == ()


def test_corpus_cast_lists_speakers_with_lines() -> None:
    a = analyse((CORPUS / "01-the-margins.txt").read_text(encoding="utf-8"))
    lines = {c.name: c.lines for c in a.characters}
    assert lines["Madame Dupont"] == 2 and lines["Stéphane Cara"] == 1
    genders = {c.name: c.gender for c in a.characters}
    assert genders == {"Madame Dupont": "F", "Stéphane Cara": "M"}


@pytest.mark.parametrize(
    ("text", "speaker", "rule"),
    [
        ("Mary Ward came in.\n\n“Good morning,” said Mary.", "Mary Ward", "explicit-tag-after"),
        ("Mary Ward came in.\n\n“Good morning,” Mary said.", "Mary Ward", "explicit-tag-after"),
        ("Mary Ward came in. She sat.\n\n“Good morning,” she said.", "Mary Ward", "pronoun-tag"),
        ("Mary Ward came in.\n\nMary said, “Good morning.”", "Mary Ward", "explicit-tag-before"),
        ("Tom Hardy came in.\n\nTom shrugged. “Maybe.”", "Tom Hardy", "action-beat"),
    ],
)
def test_tags_and_beats(text: str, speaker: str, rule: str) -> None:
    a = analyse(text)
    (seg,) = [s for s in a.segments if s.kind == "dialogue"]
    assert (seg.speaker, seg.rule) == (speaker, rule)
    assert seg.confidence is not None and 0 < seg.confidence <= 1


def test_group_speech() -> None:
    a = analyse("The children ran in.\n\n“Hooray!” they all shouted.")
    (seg,) = [s for s in a.segments if s.kind == "dialogue"]
    assert seg.speaker == GROUP


def test_vocative_is_not_the_speaker() -> None:
    text = (
        "Anne Shirley and Gilbert Blythe stood at the gate. Gilbert looked at her.\n\n"
        "“Hello, Gilbert,” said Anne.\n\n“Hello, Anne. Fine day.”\n\n“It is, Gilbert.”"
    )
    got = quotes(text)
    assert [s for _, s, _ in got] == ["Anne Shirley", "Gilbert Blythe", "Anne Shirley"]


def test_narration_has_no_speaker() -> None:
    a = analyse("Mary Ward came in.\n\n“Good morning,” said Mary.")
    assert all(s.speaker is None and s.rule is None for s in a.segments if s.kind == "narration")


def test_a_tag_in_the_lines_own_sentence_outweighs_the_reading_of_addressees() -> None:
    from types import SimpleNamespace

    from pipeline.speakers.attribution.rules import Decision, Rule
    from pipeline.speakers.attribution.turns import AddresseeVeto

    scene = SimpleNamespace(vocatives=[{3}])  # the line was read as addressing person 3 ("sir")
    veto = AddresseeVeto()
    said_he = Decision(3, Rule.PRONOUN_TAG, 0.8, pronoun=True)
    said_holmes = Decision(3, Rule.EXPLICIT_TAG_AFTER, 0.9, basis="name")
    turn = Decision(3, Rule.TURN_TAKING, 0.6)
    assert veto(scene, 0, said_he) is said_he  # type: ignore[arg-type]
    assert veto(scene, 0, said_holmes) is said_holmes  # type: ignore[arg-type]
    assert veto(scene, 0, turn).speaker is None  # type: ignore[arg-type, union-attr]
