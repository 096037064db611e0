"""Pronoun tags read against the narration and the exchange around them, on short texts of our own."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(s.text, s.speaker) for s in analyse(text).segments if s.kind == "dialogue"]


def test_she_after_narration_is_the_last_woman_it_shows_acting() -> None:
    story = ('"May I have it?" Mary said.\n\n"You may," answered Martha.\n\n'
             "Mary ate her dinner as quickly as she could and when she rose she was going to run to her room, "
             "but Martha stopped her.\n\n"
             '"I have something to tell you," she said.\n')
    assert speakers(story)[-1] == ("I have something to tell you,", "Martha")


def test_a_woman_in_a_when_clause_is_not_the_one_acting() -> None:
    story = ('"May I have it?" Mary said.\n\n"You may," answered Martha.\n\n'
             "Mary did not feel cross when Martha chattered away.\n\n"
             '"Tell me about the garden," she said.\n')
    assert speakers(story)[-1] == ("Tell me about the garden,", "Mary")
