"""The cast links the names and descriptions a reader takes for one person (issue 21), and drops
names that are places. Every text is written for the test."""

from __future__ import annotations

from tests.speakers.castkit import cast_of, speakers


def test_a_pet_form_with_y_is_the_name_it_is_made_from() -> None:
    text = ("Fitch Mallory ran down to the pond. Fitch threw a stone, and Fitch laughed.\n\n"
            '"Come here, Fitchy!" called Dora.\n\n"Coming," said Fitchy.\n\n"Wait," said Fitch.\n')
    cast = cast_of(text)
    fitch = [e for e in cast.entities if "fitch" in e.forms]
    assert len(fitch) == 1 and "fitchy" in fitch[0].forms
    assert len(set(speakers(text)[1:])) == 1


def test_a_word_that_only_looks_like_a_pet_form_stays_apart() -> None:
    # "Marty" is no pet form of a "Mar..." the text never uses alone
    text = ("Margaret Lowe sat down. Margaret sighed, and she looked up.\n\n"
            '"Tea?" said Marty Pike.\n\n"Yes," said Margaret.\n\n"Sugar?" said Marty.\n')
    cast = cast_of(text)
    assert not any({"marty", "margaret"} <= e.forms for e in cast.entities)


def test_a_street_named_after_a_woman_is_a_place() -> None:
    text = ("We lodged at nine Clara Street. The cab went into Clara Street at dusk, and it stopped.\n\n"
            '"Here," said Clara Lane\'s driver, Tom Reed.\n\n"Thank you," said Tom.\n')
    assert "clara street" not in {f for e in cast_of(text).entities for f in e.forms}


def test_a_woman_whose_surname_is_a_place_word_is_still_a_woman() -> None:
    text = ('Agnes Moor came in, and she sat down. "Cold," said Agnes Moor.\n\n"Very," said Agnes Moor.\n')
    assert "agnes moor" in {f for e in cast_of(text).entities for f in e.forms}


def test_a_compound_calling_is_a_description_in_a_tag() -> None:
    text = ("Pell walked along the towpath. A boat came by, and a stout woman steered it.\n\n"
            '"Good day," said Pell.\n\n"Where are you bound?" asked the boat-woman.\n\n'
            '"The mill," replied Pell.\n')
    assert speakers(text) == ["Pell", "the boat-woman", "Pell"]


def test_the_bare_title_goes_to_the_one_the_text_calls_by_it() -> None:
    # "Professor Hale" is named once in passing; Mr. Vogt is "the Professor" all through
    text = ("Mr. Vogt taught at the college, and Mr. Vogt was poor. Professor Vogt, they wrote.\n\n"
            "Once Professor Hale had lectured there.\n\n"
            + 'Mr. Vogt sat down, and the Professor knew he was tired.\n\n"So," said the Professor.\n\n' * 4
            + '"Good morning," said the Professor.\n\n"Morning," said Nell.\n')
    assert speakers(text)[0] == "Mr. Vogt"


def test_a_kind_of_person_is_nobody_in_the_scene() -> None:
    # "a girl of her type" names no one; "she" stays Lena's
    text = ("Lena Marsh sat by the window. Perhaps a girl of her type had no talk but of herself; "
            "she smiled.\n\n" + '"Well?" she asked.\n')
    assert speakers(text) == ["Lena Marsh"]


def test_the_little_girl_is_not_her_aunt() -> None:
    text = ('Aunt Hepsie and Clara sat in the kitchen, and Aunt Hepsie knitted.\n\n'
            '"Can I go out?" asked the little girl.\n')
    assert speakers(text) == ["Clara"]


def test_a_woman_of_the_scene_does_not_stop_the_girl_being_the_only_girl() -> None:
    text = ("Clara Brook walked up the lane. A little old woman came out of the cottage.\n\n"
            '"Good day," said the little old woman.\n\n'
            '"Good day," said the girl.\n')
    assert speakers(text) == ["the little old woman", "Clara Brook"]


def test_a_girl_named_by_a_description_is_not_the_woman_beside_her() -> None:
    # the little girl was Clara; so "the little woman" is someone else, though no other woman is named
    text = ("Clara Brook walked up the lane, and the little girl sang.\n\n"
            "Someone stood at the gate.\n\n"
            '"Who are you?" said Clara.\n\n'
            '"A friend," said the little woman.\n')
    assert speakers(text)[1] != "Clara Brook"


def test_a_nickname_the_narration_brings_in_is_the_same_person() -> None:
    text = ("In the village lived a tailor named Master Osric. Everybody, however, called him Master Plum, "
            "for his nose was red.\n\n"
            '"Good day," said Master Plum.\n\n"Good day to you," said Master Osric.\n\n'
            '"Rain soon," said the tailor.\n')
    cast = cast_of(text)
    osric = [e for e in cast.entities if "master osric" in e.forms]
    assert len(osric) == 1 and "master plum" in osric[0].forms
    assert speakers(text) == ["Master Osric"] * 3  # "the tailor": the role "a tailor named ..." gave him


def test_a_name_someone_else_is_called_by_is_no_nickname() -> None:
    # Tom is known already, and Nell does the calling; a dog "called Bess" names no one before it
    text = ("Tom Ash came in. Nell Ash looked up.\n\n"
            "Then Walter Ash came in, and Nell called him Tom by mistake. They had a dog, called Bess.\n\n"
            '"Tom?" said Walter.\n\n"Woof," said Bess.\n')
    cast = cast_of(text)
    walter = next(e for e in cast.entities if "walter ash" in e.forms)
    assert "tom" not in walter.forms and "bess" not in walter.forms


def test_the_young_lady_is_the_one_woman_the_talk_of_the_scene_names() -> None:
    text = ('"We shall soon hear all that Miss Orme has to tell," said Holt.\n\n'
            "The inn stood by the river, and there we found the young lady waiting.\n\n"
            '"You came," said the young lady.\n')
    assert speakers(text)[1] == "Miss Orme"


def test_this_good_man_is_the_man_just_spoken_of() -> None:
    # a figure of speech ("the corrupt man within him") leaves an unnamed man in the scene
    text = ("Walter Penn came in. He sat at his desk, and the corrupt man within him smiled.\n\n"
            "I knew that this good man would never forgive me.\n\n"
            '"Sit down," said this good man.\n')
    assert speakers(text) == ["Walter Penn"]


def test_a_son_called_young_after_his_father_is_his_own_person() -> None:
    text = ("Walter Dunn mended boots, and Young Walter swept the floor; then Young Walter ran out.\n\n"
            '"Sweep faster," said Walter Dunn.\n\n"I am," said Young Walter.\n\n"Good," said Walter.\n')
    assert speakers(text) == ["Walter Dunn", "Young Walter", "Walter Dunn"]


def test_a_name_built_with_of_is_one_person_and_the_bare_noun_the_latest_of_them() -> None:
    text = ("The Witch of the Marsh came first; she was tall. Then came the Witch of the Hills; she was old.\n\n"
            "The Witch of the Marsh smiled; she bowed.\n\n"
            '"Welcome," said the Witch of the Marsh.\n\n"Thank you," said Nell.\n\n'
            "The Witch of the Hills sat down by the fire, and she sighed.\n\n"
            '"It is cold," said the Witch.\n')
    cast = cast_of(text)
    marsh = next(e for e in cast.entities if "witch of the marsh" in e.forms)
    assert marsh.name == "the Witch of the Marsh" and "marsh" not in marsh.forms
    assert speakers(text) == ["the Witch of the Marsh", "Nell", "the Witch of the Hills"]


def test_an_unnamed_speaker_who_says_i_am_the_x_of_y_is_that_person() -> None:
    text = ("The Queen of the Fields walked by the river; she was tall. The Queen of the Fields sang, and she "
            "smiled.\n\nLater a small woman came to the mill.\n\n"
            '"Who are you?" said Nell.\n\n"I am the Queen of the Fields," said the small woman.\n')
    assert speakers(text)[1] == "the Queen of the Fields"
