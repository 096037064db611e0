"""Patterns of classic novels (hard-wrapped Gutenberg-style text), in short original snippets."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse


def speakers(text: str) -> list[tuple[str, str | None]]:
    a = analyse(text)
    out: dict[str, tuple[str, str | None]] = {}
    for s in a.segments:
        if s.kind == "dialogue" and s.quote_id and s.quote_id not in out:
            out[s.quote_id] = (s.text.split()[0], s.speaker)
    return list(out.values())


def cast(text: str) -> list[str]:
    return [c.name for c in analyse(text).characters]


def test_a_pet_name_is_the_same_person_as_the_formal_name() -> None:
    text = (
        "Chapter 1\n\nElizabeth Hartley sat at the window with her work, and\n"
        "her brother Walter Hartley stood by the fire.\n\n"
        '"You are very quiet, Lizzy," said Walter.\n\n'
        '"I am thinking," said Lizzy, "which is more than can be said of you."\n'
    )
    names = cast(text)
    assert "Lizzy" not in names and "Elizabeth Hartley" in names
    assert speakers(text)[1][1] == "Elizabeth Hartley"


def test_his_wife_is_the_mrs_of_his_family_name() -> None:
    text = (
        "Mr. Ashby came in from the garden and sat down heavily.\n\n"
        '"The roses are quite ruined," cried his wife, looking up.\n\n'
        '"They are roses still," said Mr. Ashby.\n\n'
        "Mrs. Ashby did not answer him, and the evening went on.\n\n"
        '"Ruined," said Mrs. Ashby at last.\n'
    )
    got = speakers(text)
    assert got[0][1] == "Mrs. Ashby"
    assert "the wife" not in cast(text)


def test_a_comparison_is_not_a_new_person() -> None:
    text = (
        "Mr. Crane shook his head like a man who has heard too much.\n\n"
        '"These are sad tidings," said he; "pray go on."\n\n'
        "She was a woman of few words, and Miss Pell went on.\n"
    )
    got = speakers(text)
    assert got[0][1] == "Mr. Crane"
    assert "the man" not in cast(text) and "the woman" not in cast(text)


def test_the_narrator_is_named_by_how_others_address_him() -> None:
    text = (
        "My Christian name was Edward, but in the village they called me\n"
        "Ned, and Ned I have been ever since.\n\n"
        '"Where have you been, Ned?" said my uncle Joseph Barlow.\n\n'
        '"To the mill," said I.\n\n'
        '"Quick!" said Joseph. "The mill, Ned? At this hour?"\n\n'
        '"Yes, uncle," I answered.\n\n'
        '"Well, Ned, you will catch it from your aunt."\n'
    )
    got = speakers(text)
    assert got[1][1] == "Ned" and got[3][1] == "Ned"
    names = cast(text)
    assert "Quick" not in names and names.count("Ned") == 1


def test_a_name_between_dashes_is_not_addressed() -> None:
    text = (
        "Mr. Hale sat by the fire and Miss Dunne stood by the door.\n\n"
        '"There is a young man who calls on me. His name is Royle—Arthur\n'
        'Royle—the son of the miller," said Miss Dunne.\n\n'
        '"And you mean to marry him?" asked Mr. Hale.\n\n'
        '"I do."\n'
    )
    got = speakers(text)
    assert got[2][1] == "Miss Dunne"


def test_my_friend_in_a_first_person_story_is_the_chief_companion() -> None:
    text = (
        "I had known Dr. Marlowe for some years. Marlowe was at his desk,\n"
        "and Marlowe looked up as I came in. I sat down opposite Marlowe.\n\n"
        "Our visitor, a Mrs. Prynne, was shown in a moment later.\n\n"
        '"You have come a long way," said my friend. "Sit down."\n'
    )
    assert speakers(text)[0][1] == "Dr. Marlowe"


def test_a_sentence_opening_adverb_is_not_part_of_a_name() -> None:
    text = (
        "Harriet Pell and her brother Oswin Pell stood at the gate, and neither spoke.\n"
        "Finally Harriet turned to him.\n\n"
        '"We cannot stay," said Harriet.\n\n'
        '"Then we go," said Oswin.\n'
    )
    names = cast(text)
    assert "Finally Harriet" not in names
    assert [s for _, s in speakers(text)] == ["Harriet Pell", "Oswin Pell"]


def test_initials_are_not_a_character() -> None:
    text = (
        'The brass plate said "R.T.C. Holloway & Sons." Nora Vance read it twice.\n\n'
        '"Well, Nora, is this the place?" asked Giles Corder.\n\n'
        '"It is," said Nora.\n'
    )
    names = cast(text)
    assert not any(len(n) <= 2 for n in names)


def test_a_description_stops_at_a_name() -> None:
    text = (
        "Clara Dunmore and Ned Royce sat on the terrace in silence.\n\n"
        'At this point Miss Dunmore said: "Enough!" and stood up.\n'
    )
    assert "the point Miss Dunmore" not in cast(text)
    assert speakers(text)[0][1] in ("Clara Dunmore", "Miss Dunmore")


def test_a_title_before_a_name_is_not_the_end_of_a_sentence_in_a_quote() -> None:
    text = (
        "Quentin Hale showed the stranger Basil Ormsby into the study.\n\n"
        '"Pray sit down," said Quentin Hale.\n\n'
        '"Thank you. And this gentleman is?"\n\n'
        '"This is my partner Dr. Ferris."\n\n'
        '"Delighted, sir."\n'
    )
    got = [s for _, s in speakers(text)]
    assert got[3] != "Dr. Ferris"


def test_a_pronoun_after_a_narration_paragraph_is_its_subject_not_a_possessive() -> None:
    text = (
        "Agnes Moor sat by the bed while Lucy Pike slept.\n\n"
        '"Sleep well," said Lucy, half awake.\n\n'
        "Agnes folded Lucy's shawl, put it on the chair, and blew out the lamp.\n\n"
        '"Good night," she said softly.\n'
    )
    assert speakers(text)[1][1] == "Agnes Moor"


def test_a_pronoun_beat_in_a_new_paragraph_goes_to_the_other_man() -> None:
    text = (
        "Mr. Vane came into the study, where Mr. Lowe sat by the fire.\n\n"
        '"You will leave this house," said Mr. Vane.\n\n'
        'Mr. Lowe smiled. "Not yet," said he. "I have a question or two."\n\n'
        '"Then ask it and be gone." He struck the table with his fist.\n\n'
        '"I shall ask nothing more," he growled, and strode to the door.\n'
    )
    got = speakers(text)
    assert got[1][1] == "Mr. Lowe"
    assert got[2][1] == "Mr. Vane"
    assert got[3][1] == "Mr. Vane"


def test_a_pronoun_tag_after_the_same_speakers_own_narration_stays_with_him() -> None:
    text = (
        "Mr. Vane and Mr. Lowe walked down to the river together.\n\n"
        '"Wait here," said Mr. Vane. He went into the boat-house and came back with a lantern.\n\n'
        '"Hold this," he said to his friend.\n'
    )
    assert speakers(text)[1][1] == "Mr. Vane"


def test_an_untagged_reply_is_read_back_from_the_name_the_next_line_opens_with() -> None:
    text = (
        "Chapter 2\n\n"
        '"These are grave matters," said Mr. Lowe; "go on, I beg you."\n\n'
        '"Three weeks ago the letters stopped, and nobody in the house would say why."\n\n'
        '"Miss Tarrant, you have not told me everything."\n'
    )
    got = speakers(text)
    assert got[1][1] == "Miss Tarrant"


def test_a_name_late_in_the_next_line_turns_to_someone_else() -> None:
    text = (
        "Mr. Vane read his paper, and Miss Tarrant sat by the fire with Mr. Lowe.\n\n"
        '"It is a long way," said Mr. Lowe.\n\n'
        '"Not so very long."\n\n'
        '"Perhaps not. You will come with us, Vane?"\n'
    )
    assert speakers(text)[1][1] == "Miss Tarrant"


def test_a_chapter_opening_name_in_capitals_is_the_name() -> None:
    text = (
        "Chapter IV\n\n"
        "HESTER put down the basket as Tobias came in. When she saw the mud on his boots\n"
        "she frowned.\n\n"
        "\u201cTobias Quill, where have you been?\u201d she asked.\n"
    )
    assert speakers(text)[0][1] == "Hester"
    assert "HESTER" not in cast(text)


def test_a_name_late_in_a_line_does_not_make_a_bystander_answer() -> None:
    text = (
        "Mr. Lowe found Miss Tarrant in the garden, where her brother Edmund lay asleep\n"
        "in a chair.\n\n"
        '"You are back early," said Miss Tarrant.\n\n'
        '"The train was empty," said Mr. Lowe.\n\n'
        '"How dull! We must wake him up, Edmund. Look at him."\n\n'
        '"I would rather not."\n'
    )
    assert speakers(text)[3][1] == "Mr. Lowe"


def test_a_name_opening_a_line_makes_that_person_answer() -> None:
    text = (
        "Mr. Lowe found Miss Tarrant in the garden, where her brother Edmund lay reading.\n\n"
        '"You are back early," said Miss Tarrant.\n\n'
        '"The train was empty," said Mr. Lowe.\n\n'
        '"Edmund, do put that book down."\n\n'
        '"I would rather not."\n'
    )
    assert speakers(text)[3][1] == "Edmund"


def test_a_clause_after_a_semicolon_has_its_own_subject() -> None:
    text = (
        '"Is the coach late?" asked Mr. Vane.\n\n'
        "Nobody answered. The clock struck nine; Mr. Vane looked at the door; Miss Tarrant\n"
        "looked at Mr. Lowe.\n\n"
        '"Well?"\n'
    )
    assert speakers(text)[1][1] == "Miss Tarrant"


def test_he_said_after_a_bare_surname_in_address_is_the_other_man() -> None:
    text = (
        "Mr. Lowe stood by the wall, and Mr. Vane came across the room to fetch him.\n\n"
        '"Come, Lowe," said he, "you must dance."\n'
    )
    assert speakers(text)[0][1] == "Mr. Vane"


def test_an_untagged_reply_far_from_any_mention_goes_to_a_recent_speaker() -> None:
    text = (
        '"Put the lamp down here," said Mr. Lowe.\n\n'
        '"I have brought the letters too," said Miss Tarrant.\n\n'
        "Mr. Lowe bent over the table, and the housekeeper, at her window across the yard,\n"
        "stopped her sweeping and watched.\n\n"
        "The rain came on harder. Somewhere below a door banged, and the dog in the kitchen\n"
        "began to bark.\n\n"
        "The fire had burned low.\n\n"
        '"They are all in the same hand," said Miss Tarrant.\n\n'
        '"And all unsigned?"\n'
    )
    assert speakers(text)[3][1] == "Mr. Lowe"


def test_the_first_line_of_a_scene_takes_the_person_the_next_paragraph_opens_with() -> None:
    text = (
        "Chapter 1\n\n"
        "The parlour was cold, and a grey light came through the blinds.\n\n"
        '"Well, what do you make of this letter?"\n\n'
        "Mr. Lowe was standing at the window with his back to the room.\n"
    )
    assert speakers(text)[0][1] == "Mr. Lowe"


def test_two_speakers_quoted_in_one_paragraph_are_two_quotations() -> None:
    text = (
        "Mr. Lowe and Miss Tarrant unpacked the hamper on the grass.\n\n"
        "Miss Tarrant spread the cloth, still murmuring, 'Lovely! Lovely!' at every parcel. "
        "When all was laid out, Mr. Lowe said, 'Now, eat up!'\n"
    )
    got = speakers(text)
    assert got[-1] == ("Now,", "Mr. Lowe")


def test_an_unnamed_speaker_who_introduces_himself_is_that_person() -> None:
    text = (
        "Dr. Silas Crowther was spoken of in the village with fear.\n\n"
        "The door flew open, and a huge man stood on the threshold.\n\n"
        '"Which of you is the doctor?" asked the huge man.\n\n'
        '"I am," said Mr. Lowe.\n\n'
        '"I am Dr. Silas Crowther, of the Grange," said the huge man.\n'
    )
    a = analyse(text)
    lines = [s.speaker for s in a.segments if s.kind == "dialogue"]
    assert lines[0] == lines[-1] == "Dr. Silas Crowther"
    crowther = next(c for c in a.characters if c.name == "Dr. Silas Crowther")
    assert crowther.gender == "M" and "the huge man" not in [c.name for c in a.characters]


def test_my_name_is_names_an_unnamed_speaker() -> None:
    text = (
        "A young woman sat on the bench with a cello case.\n\n"
        '"What is that?" asked Mr. Lowe.\n\n'
        '"A cello. My name is Ottilie, and I am English," said the young woman.\n'
    )
    assert speakers(text)[-1][1] == "Ottilie"


def test_the_person_named_after_you_are_is_spoken_to() -> None:
    text = (
        "Mr. Lowe, Miss Tarrant and Mr. Vane sat on the terrace.\n\n"
        '"Miss Tarrant rides in the race tomorrow," said Mr. Vane.\n\n'
        '"Oh! You are Miss Tarrant."\n'
    )
    assert speakers(text)[1][1] != "Miss Tarrant"


def test_you_are_before_a_possessive_is_not_an_address() -> None:
    text = (
        "Mr. Lowe and Miss Tarrant sat on the terrace.\n\n"
        '"You are Mr. Lowe\'s cousin," said Miss Tarrant. "Are you not?"\n'
    )
    assert speakers(text)[0][1] == "Miss Tarrant"


def test_his_lady_before_the_couple_is_named_in_narration_is_the_mrs() -> None:
    text = (
        "Every family in a small town is in want of a wife for somebody.\n\n"
        '"My dear Mr. Ashby," said his lady to him one morning, "the hall is let at last."\n\n'
        "Mr. Ashby said nothing, and read his paper.\n\n"
        "Mrs. Ashby sighed and went back to her sewing.\n"
    )
    assert speakers(text)[0][1] == "Mrs. Ashby"
    assert not any(name.lower() in ("a wife", "the wife") for name in cast(text))


def test_an_indefinite_object_in_narration_is_not_a_character() -> None:
    text = (
        "Miss Pell had meant to put a girl there to mind the shop.\n\n"
        '"It will not do," she said.\n'
    )
    assert speakers(text)[0][1] == "Miss Pell"
    assert "the girl" not in [n.lower() for n in cast(text)]
