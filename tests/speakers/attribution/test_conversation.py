"""The turn structure of a conversation: who says an untagged line, and how sure that is."""

from __future__ import annotations

import pytest

from pipeline.speakers.analyse import analyse, sieves_only
from pipeline.speakers.attribution.confidence import MEASURED, confidence_of
from pipeline.speakers.attribution.rules import CONFIDENCE, Rule
from tests.conftest import CORPUS


def lines(text: str) -> list[tuple[str, str | None, str | None]]:
    """(quotation, speaker, rule) for each dialogue segment, as the sieves decide them (no ranker after them)."""
    segments = analyse(text, ranker=sieves_only).segments
    return [(s.text.strip(' ,.?!"'), s.speaker, s.rule) for s in segments if s.kind == "dialogue"]


def test_an_untagged_run_alternates_between_the_two_speakers() -> None:
    got = lines('Anna and Tom sat by the fire.\n\n"Is it late?" said Anna.\n\n"Nearly midnight," said Tom.\n\n'
                '"Then I should go."\n\n"Stay a little."\n\n"Only a minute."\n')
    assert [(who, rule) for _, who, rule in got] == [
        ("Anna", "explicit-tag-after"), ("Tom", "explicit-tag-after"),
        ("Anna", "turn-taking"), ("Tom", "turn-taking"), ("Anna", "turn-taking")]


def test_the_person_addressed_by_name_answers_and_never_speaks_the_line() -> None:
    got = lines('Anna and Tom sat by the fire. Clara came in.\n\n"Is it late?" asked Clara.\n\n'
                '"What do you think, Tom?"\n\n"Nearly midnight."\n')
    assert got[1][1] != "Tom"
    assert got[2][1:] == ("Tom", "vocative")


def test_the_person_a_tag_says_the_line_was_spoken_to_answers() -> None:
    # Clara spoke last but one, so alternation alone would give her the answer.
    got = lines('Anna, Clara and Tom sat by the fire.\n\n"Is it late?" asked Clara.\n\n'
                '"Nearly midnight," said Anna to Tom, "and the fire is low."\n\n"Then I shall fetch wood."\n\n'
                '"Take the big basket," said Clara.\n\nAnna turned to Clara with a smile:\n\n"He never sits still."\n\n'
                '"Nor do you."\n')
    assert [(who, rule) for _, who, rule in got] == [
        ("Clara", "explicit-tag-after"), ("Anna", "explicit-tag-after"), ("Anna", "explicit-tag-after"),
        ("Tom", "turn-taking"), ("Clara", "explicit-tag-after"), ("Anna", "previous-paragraph"),
        ("Clara", "fallback")]


def test_the_narration_just_before_sets_up_the_speaker() -> None:
    got = lines('Anna sat by the fire.\n\nTom came in from the rain and shook his coat.\n\n'
                '"It is pouring out there."\n\nAnna looked up from her book.\n\n"Then shut the door."\n')
    assert [(who, rule) for _, who, rule in got] == [("Tom", "previous-paragraph"), ("Anna", "previous-paragraph")]


def test_he_said_after_a_man_spoke_is_the_other_man() -> None:
    got = lines('Tom and Harry stood at the gate.\n\nHarry said, "Are we late?"\n\nTom said, "We are late."\n\n'
                '"Not yet," he said.\n')
    assert [who for _, who, _ in got] == ["Harry", "Tom", "Harry"]
    assert got[-1][2] == "pronoun-tag"


def test_a_line_nothing_else_decides_goes_to_whoever_the_next_paragraph_opens_with() -> None:
    got = lines('The kitchen was quiet.\n\n"Who left the door open?"\n\nMartha stood by the stove, frowning.\n')
    assert got == [("Who left the door open", "Martha", "next-paragraph")]


def test_confidence_ranks_the_rules_from_pins_to_guesses() -> None:
    assert CONFIDENCE[Rule.PIN] == 1.0
    tagged = confidence_of("explicit-tag-after/name", Rule.EXPLICIT_TAG_AFTER)
    assert tagged > confidence_of("turn-taking", Rule.TURN_TAKING)
    assert confidence_of("turn-taking/chained", Rule.TURN_TAKING) > confidence_of("fallback/recent", Rule.FALLBACK) > 0


def test_the_confidence_tables_are_keyed_by_the_rules() -> None:
    assert set(CONFIDENCE) == set(Rule) - {Rule.RANKER}  # the ranker's confidence is its model's
    assert {key.partition("/")[0] for key in MEASURED} <= set(Rule)


def test_a_rule_s_confidence_is_its_measured_accuracy() -> None:
    right, total = MEASURED["explicit-tag-after/name"]
    assert confidence_of("explicit-tag-after/name", Rule.EXPLICIT_TAG_AFTER) == round(right / total, 2)
    # a case measured too rarely takes the figure of all its rule's cases, never a number made up for it
    rows = [v for k, v in MEASURED.items() if k.startswith("explicit-tag-after")]
    pooled = round(sum(r for r, _n in rows) / sum(n for _r, n in rows), 2)
    assert confidence_of("explicit-tag-after/never-seen", Rule.EXPLICIT_TAG_AFTER) == pooled
    assert confidence_of("a-rule-never-measured", Rule.PIN) == CONFIDENCE[Rule.PIN]


@pytest.mark.parametrize("work", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_every_line_of_the_corpus_has_a_known_rule_and_its_measured_confidence(work: str) -> None:
    # the sieves' own confidence is their measured table; after them the ranker's comes from its model
    for seg in analyse((CORPUS / work).read_text(encoding="utf-8"), ranker=sieves_only).segments:
        if seg.kind == "dialogue":
            assert seg.rule in CONFIDENCE and seg.confidence is not None
            rule = Rule(seg.rule)
            rows = [k for k in MEASURED if k == rule or k.startswith(rule + "/")]
            allowed = {confidence_of(k, rule) for k in [*rows, rule + "/rare"]} | {CONFIDENCE[rule], 0.0}
            assert seg.confidence in allowed, seg


def test_every_line_carries_a_rule_of_the_sieve_that_decided_it() -> None:
    from pipeline.speakers.attribution.ranker import Ranker
    from pipeline.speakers.attribution.sieves import CONTEXT, SIEVES, Pin

    # the ranker is the stage after the sieves: a line it gives to someone else carries its rule
    rules = {r for stage in (*SIEVES, *CONTEXT, Pin({}), Ranker) for r in stage.rules}
    work = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    got = {s.rule for s in analyse(work).segments if s.kind == "dialogue"}
    assert got and got <= rules
