"""A cast a reader would write (issue 21): each person one character, under a name a listener knows.

Every text here is written for the test: particles, bare titles, short forms that fit several
people, a wife by her husband's name, plain descriptions that can only mean one person, relatives
kept apart, and the numbered contents lines that are nobody's name.
"""

from __future__ import annotations

from pipeline.speakers.nameruns import split_name
from tests.speakers.castkit import cast_of, speakers


def names(text: str) -> set[str]:
    return {e.name for e in cast_of(text).entities}


def test_a_name_with_particles_is_one_name_not_mr() -> None:
    text = ('Mr. van der Berg opened the shop at eight. Pieter van der Berg was his nephew.\n\n'
            '"Late again," said Mr. van der Berg.\n\n"The tram," said Pieter.\n')
    found = names(text)
    assert "Mr. van der Berg" in found and "Mr" not in found
    assert speakers(text)[0] == "Mr. van der Berg"
    assert split_name(("Pieter", "van", "der", "Berg")) == ("Pieter", "van der Berg")
    assert split_name(("von", "Arnim")) == (None, "von Arnim")


def test_a_bare_abbreviated_title_is_nobody() -> None:
    text = 'The sign on the door said Mr and nothing more. Ada laughed.\n\n"Mr who?" said Ada.\n'
    assert "Mr" not in names(text)


def test_a_first_name_folds_into_the_full_name_the_text_uses_most() -> None:
    # "Tom" is also the last word of a passing "Harbour Town Tom" and the first of "the Tom Fenwicks"
    text = ("Tom Fenwick lit the lamp. Tom Fenwick was tired. Later Tom Fenwick slept.\n\n"
            "In the old days Harbour Town Tom had sold fish there.\n\n"
            '"Bed," said Tom. "Now," Tom added. Tom yawned, and he went up.\n')
    cast = cast_of(text)
    tom = [e for e in cast.entities if "tom" in e.forms]
    assert len(tom) == 1 and "tom fenwick" in tom[0].forms


def test_a_pet_name_and_a_formal_name_are_one_person() -> None:
    text = ("Thomas Quill kept the ledger. Tom Quill was his name at the inn, and Tom Quill he stayed.\n\n"
            '"Ale," said Tom Quill.\n')
    cast = cast_of(text)
    quills = [e for e in cast.entities if "quill" in (e.surname or "").lower()]
    assert len(quills) == 1


def test_a_title_alone_folds_into_the_name_the_text_gives_alone() -> None:
    text = ('Radley came home at dusk, and he shut the gate.\n\n"Supper," said Radley.\n\n'
            'Mr. Radley sat down. "Bread," said Mr. Radley.\n')
    found = [e for e in cast_of(text).entities if "radley" in e.forms]
    assert len(found) == 1 and "mr. radley" in found[0].forms


def test_doctor_and_dr_and_a_calling_with_mr_are_one_person() -> None:
    text = ('Dr. Penrose came at nine. Doctor Penrose was never late, and he knew it.\n\n'
            'Professor Aldous came later. Mr. Aldous, as the maid called him, took his hat off.\n')
    cast = cast_of(text)
    assert len([e for e in cast.entities if "penrose" in (e.surname or "").lower()]) == 1
    assert len([e for e in cast.entities if "aldous" in (e.surname or "").lower()]) == 1


def test_a_wife_goes_by_her_husband_s_name() -> None:
    text = ("Clara Marlow kept the house and Owen Marlow the garage. Clara Marlow was restless.\n\n"
            '"Again?" said Mrs. Marlow. Owen Marlow said nothing, and he went out.\n')
    clara = [e for e in cast_of(text).entities if "clara marlow" in e.forms]
    assert len(clara) == 1 and "mrs. marlow" in clara[0].forms


def test_a_mother_is_not_her_daughter() -> None:
    # "Miss Marlow" is the daughter: "Mrs. Marlow" is someone else
    text = ("Clara Marlow came down. Clara Marlow was sixteen. Owen Marlow read the paper.\n\n"
            '"Miss Marlow, your tea," said the maid. "Thank you," said Mrs. Marlow.\n')
    clara = [e for e in cast_of(text).entities if "clara marlow" in e.forms]
    assert clara and "mrs. marlow" not in clara[0].forms


def test_the_one_man_of_a_family_named_in_full_is_its_mr() -> None:
    text = ("Edwin Harrow wound the clock. His daughters Ivy and Rose watched him.\n\n"
            '"Bed," said Mr. Harrow, and he smiled.\n')
    edwin = [e for e in cast_of(text).entities if "edwin harrow" in e.forms]
    assert edwin and "mr. harrow" in edwin[0].forms


def test_two_brothers_of_one_name_stay_apart() -> None:
    text = ("Arthur Vane and Cecil Vane rode out. Arthur Vane led.\n\n"
            '"Wait," said Mr. Vane. Cecil Vane laughed, and he rode on.\n')
    arthur = [e for e in cast_of(text).entities if "arthur vane" in e.forms]
    assert arthur and "mr. vane" not in arthur[0].forms  # either brother may be "Mr. Vane"


def test_a_plain_description_is_the_one_person_of_that_sex_in_the_scene() -> None:
    text = ("Aunt Clemency sat by the fire with her knitting. Nobody else was in the kitchen.\n\n"
            '"Where have you been?" said the old lady.\n')
    assert speakers(text) == ["Aunt Clemency"]


def test_a_plain_description_stays_someone_new_when_a_stranger_is_there() -> None:
    text = ("Aunt Clemency sat by the fire. A young woman knocked and came in out of the rain.\n\n"
            '"Is this the inn?" said the woman.\n')
    assert speakers(text) == ["the woman"]


def test_a_plain_description_stays_open_when_two_people_of_that_sex_are_there() -> None:
    text = ("Aunt Clemency and Mrs. Ogden sat by the fire.\n\n"
            '"More tea?" said the old lady.\n')
    assert speakers(text) == ["the old lady"]


def test_a_numbered_contents_line_names_nobody() -> None:
    text = ("CONTENTS\n\n  1.  How Bertram Crossed the River\n  2.  The Mill\n\n"
            'Bertram waded in. "Cold," said Bertram.\n')
    found = names(text)
    assert "Bertram Crossed" not in found and "Bertram" in found
