"""The tag reader: whose tag a line has, read from short texts of our own."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(s.text, s.speaker) for s in analyse(text).segments if s.kind == "dialogue"]


_CAST = (
    "Mr. Darling came home late. Mrs. Darling was waiting for him, and Nana too. Mr. Darling sat down; "
    "Mrs. Darling poured the tea.\n\n"
)


def test_a_titled_name_before_the_verb_is_read_after_the_line() -> None:
    # the full stop of "Mr." does not end the tag
    got = speakers(_CAST + '"I am late," Mrs. Darling said.\n\n"No, no," Mr. Darling always said, "I am to blame."\n')
    assert got[0] == ("I am late,", "Mrs. Darling")
    assert got[1:] == [("No, no,", "Mr. Darling"), ("I am to blame.", "Mr. Darling")]


def test_a_tag_after_a_line_that_leads_into_the_next_line_is_the_next_ones() -> None:
    text = (_CAST + 'Mr. Darling went to the window, and said, "It is raining." Mrs. Darling sternly retorted, '
            '"It is not."\n')
    assert speakers(text) == [("It is raining.", "Mr. Darling"), ("It is not.", "Mrs. Darling")]


def test_the_tag_that_leads_in_outweighs_a_later_clause_of_someone_else() -> None:
    text = _CAST + 'Mrs. Darling said, "Good gracious me!" but was silent as Mr. Darling resumed his story.\n'
    assert speakers(text) == [("Good gracious me!", "Mrs. Darling")]


def test_a_voice_speaks_for_its_owner() -> None:
    cast = ("John Reed came in. Rupert Hentzau stood by the door; Rupert Hentzau was angry. Then John Reed "
            "left, and Rupert Hentzau followed him.\n\n")
    got = speakers(cast + '"Boh! Madam Mope!" cried the voice of John Reed.\n\n'
                   '"Open the door!" cried a voice--the voice of Rupert Hentzau himself.\n')
    assert got == [("Boh! Madam Mope!", "John Reed"), ("Open the door!", "Rupert Hentzau")]
    got = speakers(cast + '"He is square," returned the voice of the steward, John Reed.\n')
    assert got == [("He is square,", "John Reed")]


def test_an_aside_between_the_name_and_the_verb() -> None:
    cast = "Lord Hubert came aboard. Lord Hubert smiled at Lily, and Lily smiled back.\n\n"
    got = speakers(cast + 'Lord Hubert, from half way down the side-ladder, called back, "And you too?"\n')
    assert got == [("And you too?", "Lord Hubert")]


def test_a_line_from_someone_without_a_verb() -> None:
    cast = "Aunt Bessie sat with Carol. Aunt Bessie knitted; Carol read.\n\n"
    got = speakers(cast + '"You are wicked, Carrie!" from Aunt Bessie.\n\n"I am not," said Carol.\n')
    assert got == [("You are wicked, Carrie!", "Aunt Bessie"), ("I am not,", "Carol")]


def test_the_subject_of_an_and_clause_is_the_name_before_its_own_verb() -> None:
    cast = "Joe walked with Pip. Joe was quiet and Pip was tired.\n\n"
    got = speakers(cast + 'When we stood alone again, Joe backed up against a wall, and said to me, "Astonishing!"\n')
    assert got == [("Astonishing!", "Joe")]
    # the one handed something is no subject
    cast = "Helen sat with Willoughby. Helen was silent; Willoughby ate.\n\n"
    got = speakers(cast + 'Helen handed Willoughby the butter, and as she did so reflected, "And she was happy."\n')
    assert got == [("And she was happy.", "Helen")]


def test_plural_people_after_the_verb_are_a_group() -> None:
    cast = "Wendy came in. Nibs bowed to Wendy, and the twins bowed too.\n\n"
    got = speakers(cast + '"Oh, say you are pleased," cried Nibs.\n\n"And we are your children," cried the twins.\n')
    assert got[1] == ("And we are your children,", "_group")


def test_cutting_in_is_speaking() -> None:
    cast = "Meg sat with Jo. Meg was the oldest; Jo was the tallest.\n\n"
    got = speakers(cast + '"I\'m the oldest," began Meg, but Jo cut in with a decided, "I shall buy them."\n')
    assert got == [("I'm the oldest,", "Meg"), ("I shall buy them.", "Jo")]


def test_the_subject_of_an_and_clause_is_the_pronoun_of_the_main_clause() -> None:
    cast = "I went to see Dr. Hale. Dr. Hale was busy.\n\n"
    got = speakers(cast + 'When I came back he looked at me carefully, and then said, "You are tired."\n')
    assert got == [("You are tired.", "Dr. Hale")]
    got = speakers(cast + 'He turned round as I came in, and said, "Sit down."\n')
    assert got == [("Sit down.", "Dr. Hale")]


def test_a_line_a_colon_led_on_to_is_the_leaders_not_the_next_sentences() -> None:
    story = ('Mr. Morris came to the door, pale. "Hello," said Mr. Morris.\n\nWhen he saw the patient, he said '
             'softly:--\n\n"My God! what has happened to him?" I told him briefly, and we sat down.\n')
    assert speakers(story)[1] == ("My God! what has happened to him?", "Mr. Morris")


def test_a_noun_the_narration_brought_in_with_a_is_the_speaker_of_said_the_noun() -> None:
    story = ('"I am home," said Toad. Toad walked up the drive.\n\n'
             "Suddenly there popped up from behind the palings a long yellow ferret with a gun.\n\n"
             '"Who comes there?" said the ferret sharply.\n')
    assert speakers(story)[-1] == ("Who comes there?", "the ferret")


def test_a_noun_the_narration_said_a_named_person_is_stands_for_that_person() -> None:
    story = ('"We are close," said Holmes. "This fellow Merryweather is a bank director."\n\n'
             '"I hope so," said Mr. Merryweather.\n\n"Our gold is here," whispered the director.\n\n'
             '"Good," said Holmes.\n')
    assert ("Our gold is here,", "Mr. Merryweather") in speakers(story)


def test_a_tag_that_names_a_description_outweighs_an_honorific_in_the_line() -> None:
    story = ('"I do the washing," said Toad. The barge-woman looked at Toad; the barge-woman smiled.\n\n'
             '"But surely you don\'t do all that work yourself, ma\'am?" asked the barge-woman respectfully.\n')
    assert speakers(story)[-1] == ("But surely you don't do all that work yourself, ma'am?", "the barge-woman")


def test_and_said_without_a_comma_goes_with_the_nearest_clause() -> None:
    story = ('"Hello," said Miss Baker. Miss Baker and I sat on the porch.\n\n'
             'I was about to speak when she sat up alertly and said "Sh!" in a warning voice.\n')
    assert speakers(story)[-1] == ("Sh!", "Miss Baker")


def test_a_pronoun_acting_after_a_name_of_its_sex_in_the_sentence_is_that_name() -> None:
    story = ('"Hush," said Jo. "Hush," said Amy.\n\n'
             "Jo wasn't ashamed of the tear, and Amy never minded the rumpling of her curls as she hid her face "
             'and sobbed out, "I am a selfish girl!"\n')
    assert speakers(story)[-1] == ("I am a selfish girl!", "Amy")


def test_an_aside_after_a_pronoun_before_its_verb() -> None:
    story = ('"I must stay," said Mary. Rudolf looked at Mary.\n\n'
             "Still I said nothing; and she, pausing a while, then went on:\n\n"
             '"Your ring will always be on my finger."\n')
    assert speakers(story)[-1] == ("Your ring will always be on my finger.", "Mary")
