"""Finding the cast of a text: names, the short forms folded into them, and genders."""

from __future__ import annotations

from pipeline.text.characters import Cast, Entity, find_cast, noun_gender
from pipeline.text.segment import split
from pipeline.text.tokens import tokenize


def cast_of(text: str) -> Cast:
    layout = split(text)
    cast, _ = find_cast(layout, tokenize(layout))
    return cast


def people(text: str) -> dict[str, Entity]:
    return {e.name: e for e in cast_of(text).entities}


CAFE = """Madame Dupont and Stéphane Cara stood by the counter. Mr. Josiah Bell came in.

"Good morning," said Madame Dupont.

Stéphane shrugged. Bell sat down, and he ordered tea.
"""


def test_a_short_cafe_scene_has_three_people_with_genders() -> None:
    cast = people(CAFE)
    assert set(cast) == {"Madame Dupont", "Stéphane Cara", "Mr. Josiah Bell"}
    assert {n: e.gender for n, e in cast.items()} == {"Madame Dupont": "F", "Stéphane Cara": "M",
                                                      "Mr. Josiah Bell": "M"}
    # short forms belong to the full name: "Stéphane" is Stéphane Cara, "Bell" is Mr. Josiah Bell
    assert "stéphane" in cast["Stéphane Cara"].forms and "bell" in cast["Mr. Josiah Bell"].forms
    bell = cast["Mr. Josiah Bell"]
    assert (bell.title, bell.given, bell.surname) == ("mr", "Josiah", "Bell")


def test_titles_that_exclude_each_other_keep_two_people_apart() -> None:
    text = ("Mrs. Bell and Miss Prudence Bell walked to church. Mrs. Bell carried the book; "
            "Prudence carried the flowers.\n\nLater Miss Bell sang, and Mrs. Bell listened.\n")
    cast = people(text)
    assert set(cast) == {"Mrs. Bell", "Miss Prudence Bell"}
    assert {"prudence", "miss bell"} <= cast["Miss Prudence Bell"].forms
    assert "miss bell" not in cast["Mrs. Bell"].forms and "mrs. bell" not in cast["Miss Prudence Bell"].forms
    assert all(e.gender == "F" for e in cast.values())


def test_gender_from_the_pronoun_that_follows_when_the_name_says_nothing() -> None:
    cast = people('Ashworth came in from the rain, and she shook out her coat.\n\n"Late again," said Ashworth.\n')
    assert cast["Ashworth"].gender == "F"
    cast = people('Ashworth came in from the rain, and he shook out his coat.\n\n"Late again," said Ashworth.\n')
    assert cast["Ashworth"].gender == "M"


def test_places_headings_and_capitalised_openers_are_not_people() -> None:
    text = ("CHAPTER ONE\n\nWinter Came Early\n\nPoor Clara shivered in London. Clara said nothing, "
            "and she lit the fire.\n")
    cast = people(text)
    assert set(cast) == {"Clara"} and cast["Clara"].gender == "F"


def test_unnamed_speakers_are_added_once_by_description() -> None:
    cast = cast_of("The porter nodded.\n")
    first = cast.describe("the porter", noun_gender("porter"))
    assert cast.describe("The Porter", "U") == first  # the same person however it is written
    assert cast.entities[first].kind == "unnamed" and cast.lookup("the porter") == [first]
    assert noun_gender("waitress") == "F" and noun_gender("gentleman") == "M"
    narrator = cast.narrator_index()
    assert cast.narrator_index() == narrator and cast.entities[narrator].kind == "narrator"


def test_tokens_know_their_paragraph_sentence_and_quotation() -> None:
    layout = split('Tom waited. "Is it late?" he asked.\n\nAnna laughed.\n')
    tokens = tokenize(layout)
    by_text = {t.text: t for t in tokens}
    assert by_text["Tom"].sent_start and by_text["Tom"].para == 0 and not by_text["Tom"].quote
    assert by_text["Is"].quote and by_text["late"].quote and not by_text["he"].quote
    assert by_text["Anna"].para == 1 and by_text["Anna"].sent_start
    assert all(layout.text[t.start:t.end] == t.text for t in tokens)
