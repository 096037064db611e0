"""Places, buildings, peoples, plural families and abstractions never join the cast."""

from __future__ import annotations

import pytest

from pipeline.reading.segment import split
from pipeline.speakers.characters import find_cast
from pipeline.speakers.tokens import tokenize


def names(text: str) -> set[str]:
    layout = split(text)
    cast, _ = find_cast(layout, tokenize(layout))
    return {e.name for e in cast.entities}


def test_a_street_and_a_hall_are_places_even_with_a_pronoun_after_them() -> None:
    text = ("Nora Quill walked down Fenwick Street; she was late. At Holloway Hall she stopped.\n\n"
            '"Here," said Nora.\n')
    got = names(text)
    assert "Fenwick Street" not in got and "Holloway Hall" not in got and "Nora Quill" in got


def test_countries_cities_and_peoples_are_not_characters() -> None:
    text = ('Gideon Fry had lived in Vienna and in Paris. "The Italian is late," said Gideon. '
            "He spoke French to her, and she answered in German.\n\n"
            '"London is far," said Mrs. Fry.\n')
    got = names(text)
    assert not got & {"Vienna", "Paris", "Italian", "French", "German", "London"}
    assert {"Gideon Fry", "Mrs. Fry"} <= got


def test_a_place_met_after_in_and_through_is_a_place() -> None:
    text = ("They rode through Tarnow at dusk. In Tarnow the inns were full, and near Tarnow "
            'the road was bad. Tarnow slept.\n\n"Onward," said Piet Haas.\n')
    assert "Tarnow" not in names(text)


def test_a_family_in_the_plural_is_not_one_person() -> None:
    text = ('Joan Dunmore came to tea with the Dunmores. The Dunmores were kind, and Joan smiled.\n\n'
            '"Sit down," said Joan.\n')
    got = names(text)
    assert "Dunmores" not in got and "Joan Dunmore" in got


def test_a_word_the_book_writes_in_lower_case_is_not_a_name() -> None:
    text = ("The forger was put to Death. Every death was public; death came often, and death "
            'was swift.\n\n"So it goes," said Abel Rook.\n')
    assert "Death" not in names(text)


def test_a_speaker_named_like_a_word_stays_a_person() -> None:
    text = ('"Kill them," said Vengeance.\n\n"All of them," said Vengeance, and she laughed. '
            "Her vengeance was old.\n")
    assert "Vengeance" in names(text)


@pytest.mark.parametrize(
    ("text", "nobody"),
    [
        # a place's name before a word that is no name
        ("They rode through Tarnow at dusk. In Tarnow the inns were full, and near Tarnow the road was bad.\n\n"
         "Piet Haas was late. The Tarnow Dissenters said no to the new road.\n\n", "Tarnow Dissenters"),
        # a word met after "a" again and again: a kind of person
        ("Piet Haas was a Christian, and a Christian keeps his word. Christian was a word he liked; he said"
         " a Christian must be brave.\n\n", "Christian"),
    ],
)
def test_a_kind_or_a_group_named_like_a_person_is_no_one(text: str, nobody: str) -> None:
    got = names(text + '"Onward," said Piet Haas.\n')
    assert nobody not in got and "Piet Haas" in got
