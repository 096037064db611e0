"""Resolving the people the narration mentions: pronouns, descriptions, kin and groups."""

from __future__ import annotations

from pipeline.reading.segment import split
from pipeline.speakers.characters import find_cast
from pipeline.speakers.mentions import Resolver
from pipeline.speakers.tokens import tokenize


def resolve(text: str) -> list[tuple[str, str, str | None]]:
    """(kind, words, who) for each mention of the narration, in text order."""
    layout = split(text)
    tokens = tokenize(layout)
    cast, runs = find_cast(layout, tokens)
    out = []
    for m in Resolver(cast, tokens, runs, text).resolve_all():
        who = None if m.entity is None else cast.entities[m.entity].name
        out.append((m.kind, text[tokens[m.first].start:tokens[m.last].end], who))
    return out


def test_pronouns_go_to_the_latest_person_of_their_gender() -> None:
    assert resolve("Anna met Tom at the station. He carried her bag, and she thanked him.") == [
        ("name", "Anna", "Anna"), ("name", "Tom", "Tom"), ("pronoun", "He", "Tom"), ("pronoun", "she", "Anna")]


def test_a_pronoun_prefers_the_subject_of_its_paragraph() -> None:
    got = resolve("Tom saw Harry across the square. He waved.")
    assert got[-1] == ("pronoun", "He", "Tom")  # Harry was named last, but Tom is the one doing things


def test_a_pronoun_with_nobody_of_its_gender_is_unresolved() -> None:
    assert resolve("Anna waited. He was late.")[-1] == ("pronoun", "He", None)


def test_descriptions_resolve_through_an_apposition_or_become_someone_new() -> None:
    got = resolve("Madame Dupont, the owner, wiped the counter. A young woman came in. "
                  "The owner smiled at her, and the young woman sat down.")
    assert ("description", "The owner", "Madame Dupont") in got
    assert ("description", "A young woman", "the young woman") in got
    assert got[-1] == ("description", "the young woman", "the young woman")


def test_his_wife_is_the_mrs_of_his_surname() -> None:
    got = resolve("Mr. Bell came home late. His wife was waiting. Mrs. Bell said nothing.")
    assert ("description", "His wife", "Mrs. Bell") in got


def test_plural_pronouns_and_everyone_are_groups_not_people() -> None:
    got = resolve("Anna and Tom ran. They were late; everyone was.")
    assert got[-2:] == [("group", "They", None), ("group", "everyone", None)]


def test_quoted_words_are_not_narration_mentions() -> None:
    got = resolve('Anna turned to Tom. "He will come," she said.')
    assert [w for _, w, _ in got] == ["Anna", "Tom", "she"]
    assert got[-1] == ("pronoun", "she", "Anna")


def test_a_generic_apposition_gives_no_role_and_an_indefinite_is_someone_new() -> None:
    got = resolve("The Good Boy, Percy Lamb, sat in the front pew. Later Aunt Wren seized a small boy. "
                  "The doctor, Dr. Hale, came in. A doctor from the town followed him.")
    who = {words.split(" from ")[0]: name for _kind, words, name in got}
    assert who["a small boy"] != "Percy Lamb"  # "boy" is no role: every boy would be Percy
    assert who["The doctor"] == "Dr. Hale" and who["A doctor"] != "Dr. Hale"  # "a doctor" is another one


def test_every_title_of_a_person_names_them_alone() -> None:
    got = resolve("Dr. Ruben Vos came in; he was tired. Later Professor Ruben Vos sat down. "
                  "The Professor sighed, and he smiled.")
    who = {words: name for _kind, words, name in got}
    assert who["The Professor"] == who["Dr. Ruben Vos"] == who["Professor Ruben Vos"] != "Professor"
    assert got[-1] == ("pronoun", "he", who["Dr. Ruben Vos"])


def test_his_exclamation_before_a_line_makes_it_his() -> None:
    from pipeline.speakers.analyse import analyse

    text = ('Walter stood by the door, and I went to the bed. As I passed over he moved back, '
            'and his exclamation of horror, "Good heavens!" needed no face to go with it.\n')
    lines = [(s.speaker, s.rule) for s in analyse(text).segments if s.kind == "dialogue"]
    assert lines == [("Walter", "action-beat")]
