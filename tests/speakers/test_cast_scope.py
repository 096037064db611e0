"""Where a role holds and what is no one (issue 21): a calling an apposition gives holds in the part of
the book its person is in; a place gone to again and again and a named dog that never speaks are not
characters. Every text is written for the test."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse
from tests.speakers.castkit import cast_of, speakers

# many paragraphs in which nobody is named: a stretch of the book between two parts
_CHAPTERS_LATER = "".join(f"The {n}th day of rain went by, and the fields lay grey.\n\n" for n in range(90))


def test_a_calling_from_an_apposition_holds_near_its_person() -> None:
    text = ("Mr. Crane, the master, taught the boys Latin. Tom Hale was the slowest of them.\n\n"
            '"Decline it," said the master.\n\n"I cannot," said Tom.\n')
    assert speakers(text) == ["Mr. Crane", "Tom Hale"]


def test_the_schoolmaster_of_one_chapter_is_not_the_master_of_a_house_later() -> None:
    text = ("Mr. Crane, the master, taught the boys Latin. Tom Hale was the slowest of them.\n\n"
            + _CHAPTERS_LATER
            + "Years after, Tom Hale came to a great house on the moor.\n\n"
            '"Who are you?" said the master.\n\n"A traveller," said Tom.\n')
    assert speakers(text)[0] != "Mr. Crane"


def test_a_calling_holds_for_as_long_as_its_person_is_in_the_book() -> None:
    text = ("Mr. Crane, the master, taught the boys Latin. Tom Hale was the slowest of them.\n\n"
            + _CHAPTERS_LATER
            + "Mr. Crane was older now, and Tom Hale came to see him at the school.\n\n"
            '"Decline it," said the master.\n\n"I still cannot," said Tom.\n')
    assert speakers(text)[0] == "Mr. Crane"


def test_a_place_gone_to_again_and_again_is_no_one() -> None:
    visits = "".join(f"On the {n}th morning Ann Vane walked to Hollins and back, and Hollins was quiet.\n\n"
                     for n in range(9))
    text = (visits + '"Hollins?" asked Ann Vane, when a man asked where she lived.\n\n'
            "Hollins lay under snow. She went in.\n\n"
            '"Is anyone here?" she called.\n')
    cast = cast_of(text)
    assert not cast.lookup("Hollins")
    assert speakers(text) == ["Ann Vane", "Ann Vane"]


def test_a_named_dog_that_never_speaks_is_no_one() -> None:
    text = ("Jane Ash waited at the gate. Mr. Rook came up the lane with Carlo, the dog. Carlo was old, and he"
            " was lame.\n\nCarlo ran ahead to the gate, and he barked at her.\n\n"
            '"Good evening," he said.\n\n"Good evening, sir," said Jane.\n')
    assert speakers(text)[0] == "Mr. Rook"


def test_a_dog_the_text_makes_speak_stays_a_character() -> None:
    text = ("Carlo, the dog, sat by the fire with Mr. Rook.\n\n"
            '"I am hungry," said Carlo.\n\n"So am I," said Mr. Rook.\n')
    assert speakers(text) == ["Carlo", "Mr. Rook"]


def test_a_calling_in_brackets_or_named_in_a_line_is_a_role() -> None:
    text = ('"Go to the church, and see if Mr. Hart (the clergyman) is there," said Mr. Rook.\n\n'
            'At the church Jane Ash found the vestry open.\n\n"You are early," said the clergyman.\n\n'
            '"Down the lane lives a gardener called Bede," said Mr. Hart. "Go to him."\n\n'
            'Jane went to Bede\'s house. Bede said nothing at first.\n\n"Milk?" asked the gardener.\n')
    assert speakers(text) == ["Mr. Rook", "Mr. Hart", "Mr. Hart", "Mr. Hart", "Bede"]


def test_the_child_is_the_one_the_scene_has_called_a_girl() -> None:
    text = ("Nell walked with Mr. Oak. The little girl was tired, and Mr. Oak carried her basket.\n\n"
            '"Is it far?" asked the child.\n\n"Not far," said Mr. Oak.\n')
    assert speakers(text)[0] == "Nell"


def test_the_doctor_of_one_story_is_not_the_doctor_of_the_next() -> None:
    text = ("Dr. Bell came to see Tom Hale, and Dr. Bell stayed to dine.\n\n" + _CHAPTERS_LATER * 2
            + "Years later Ann Vane fell ill in another town.\n\n"
            '"Open the window," said the doctor.\n\n"It is cold," said Ann.\n')
    assert speakers(text)[0] != "Dr. Bell"


def test_a_line_that_names_its_speaker_makes_them_the_speaker() -> None:
    text = ("Dr. Moore had told me of Mr. Tapp, who collected moths on the fen.\n\n"
            "That evening Dr. Moore left me at the gate, and he went home. I was walking back alone when it"
            " was a small man who caught me up.\n\n"
            '"Excuse me, Dr. Ward," said he. "I am Tapp, of Fen House."\n\n'
            '"How did you know me?" I asked.\n\n"Dr. Moore told me."\n\n"Did he?"\n\n"He did."\n')
    assert speakers(text) == ["Mr. Tapp", "Mr. Tapp", "Ward", "Mr. Tapp", "Ward", "Mr. Tapp"]


def test_saying_i_am_with_a_possessive_names_no_one() -> None:
    text = ("Jack Tapp lived at the mill, and Jack Tapp was ill.\n\n"
            "Dr. Moore came to the mill. He looked tired.\n\n"
            '"I am Tapp\'s doctor," he said.\n')
    assert speakers(text) == ["Dr. Moore"]


def test_an_unnamed_visitor_who_names_himself_was_that_man_all_along() -> None:
    text = ("Mr. Kell had vanished from Varna; Mr. Kell was a rich man, and he had enemies.\n\n"
            "A tall man in a mask came in. The count bowed to Mr. Holt.\n\n"
            '"I come on a delicate matter," said the count.\n\n"Go on," said Mr. Holt.\n\n'
            '"You are right," said the count. "I am Mr. Kell. Why hide it?"\n')
    got = speakers(text)
    assert got[0] == got[2] == "Mr. Kell"


def test_the_narrators_name_with_a_title_is_the_narrator() -> None:
    text = ("My Christian name was Edward, but in the village they called me\nNed, and Ned I have been ever since.\n\n"
            '"Where have you been, Ned?" said my uncle Joseph Barlow.\n\n"To the mill," said I.\n\n'
            '"Quick!" said Joseph. "The mill, Ned? At this hour?"\n\n"Yes, uncle," I answered.\n\n'
            '"Well, Dr. Ned, you will catch it from your aunt."\n')
    names = {c.name for c in analyse(text).characters}
    assert "Ned" in names and "Dr. Ned" not in names  # the narrator, however the others title him


def test_the_captain_is_the_captain_the_talk_of_the_scene_names() -> None:
    text = ("Captain Reed commanded the ship. Captain Hull had buried his gold on the island long ago, and"
            " Captain Hull was dead.\n\nThe squire sat over the map of Captain Hull's island. The captain came in.\n\n"
            '"Well, Captain Reed, what news?" asked Mr. Trent.\n\n"Bad news," said the captain.\n')
    assert speakers(text)[1] == "Captain Reed"


def test_an_epithet_before_a_name_built_with_of_is_part_of_it() -> None:
    # "wicked" is a word of the text in lower case too, but "the Wicked Witch of the Marsh" is her name
    text = ("Nell feared the Wicked Witch of the Marsh, for the witch was wicked. The Wicked Witch of the Marsh"
            " said nothing, and she never slept.\n\n"
            '"Who is there?" said the Wicked Witch of the Marsh.\n\n"Only Nell," said Nell.\n')
    assert speakers(text) == ["the Wicked Witch of the Marsh", "Nell"]
