"""Finding the cast of a text: names, the short forms folded into them, and genders."""

from __future__ import annotations

from pipeline.reading.segment import split
from pipeline.speakers.characters import Entity, noun_gender
from pipeline.speakers.tokens import tokenize
from tests.speakers.castkit import cast_of


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
    # "Miss Bell sang": the name the tags use
    assert set(cast) == {"Mrs. Bell", "Miss Bell"}
    assert {"prudence", "miss prudence bell"} <= cast["Miss Bell"].forms
    assert "miss bell" not in cast["Mrs. Bell"].forms and "mrs. bell" not in cast["Miss Bell"].forms
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


def test_a_person_is_called_by_the_name_the_tags_use_not_a_servants_title() -> None:
    text = ('Rosamund Tate came down late.\n\n"Tea, Miss Rosamund?" asked the maid.\n\n'
            '"Please," said Rosamund.\n\n"Sugar?" said Miss Rosamund\'s aunt.\n\n"No," said Rosamund.\n')
    names = {e.name for e in cast_of(text).entities}
    assert "Rosamund Tate" in names and "Miss Rosamund" not in names


def test_a_title_tag_keeps_its_title_when_it_is_how_the_book_tags_him() -> None:
    text = ('"Come in," said Master Pell.\n\n"Thank you," said Tobin.\n\n"Sit," said Master Pell.\n')
    assert {e.name for e in cast_of(text).entities} >= {"Master Pell", "Tobin"}


def test_a_name_run_stops_at_the_next_title() -> None:
    text = ('Hetty March and Kate March sat by the fire.\n\n'
            '"Well?" said Mrs. March, and she told Hetty Mr. Quayle\'s news.\n\n'
            '"Oh," said Hetty.\n')
    names = {e.name for e in cast_of(text).entities}
    assert "Mrs. March" in names and not any(n.endswith(" Mr") for n in names)
    assert any(n in ("Hetty", "Hetty March") for n in names)


def test_a_title_that_ends_a_sentence_does_not_join_the_next_name() -> None:
    text = ('"Yes, Grandmother. Mrs. Lowe asked me," said Nan, and she smiled.\n\n"Did she?" said Mrs. Lowe.\n')
    names = {e.name for e in cast_of(text).entities}
    assert not any("Grandmother" in n for n in names)


def test_an_ordinary_word_before_a_name_is_not_part_of_it() -> None:
    text = ('She was dearest to them all. "Dearest Hilda," said Tom, and she smiled. '
            'Hilda laughed.\n\n"Yes," said Hilda.\n')
    names = {e.name for e in cast_of(text).entities}
    assert "Dearest Hilda" not in names and "Hilda" in names


def test_two_first_names_seen_together_once_are_two_people() -> None:
    text = ('"Tell Edith Walter asked for her," said Rose, and she sighed. "Do tell her."\n\n'
            '"I will," said Edith.\n\n"Good," said Walter.\n')
    names = {e.name for e in cast_of(text).entities}
    assert "Edith Walter" not in names and {"Edith", "Walter"} <= names
