"""Epistolary novels: the "I" of each journal, diary or letter is the writer its heading names."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse, examine, sieves_only
from pipeline.speakers.narrators import heading_writer

BOOK = """HUGH VANE'S JOURNAL

I reached the inn at dusk. Colonel Marsh was waiting by the fire.

"You are late," said he.

"The roads," I said.

_Letter, Clara Dunn to Hugh Vane._

My dear Hugh, I write in haste. Aunt Bea came to tea today.

"Is he well?" she asked me.

"Very well," I said.

HUGH VANE'S JOURNAL--_continued_

"We ride at dawn," I said, and Colonel Marsh nodded.
"""


def test_headings_name_their_writers() -> None:
    assert heading_writer("HUGH VANE'S JOURNAL") == "Hugh Vane"
    assert heading_writer("DR. ROOK'S DIARY--_continued_.") == "Dr. Rook"
    assert heading_writer("_Letter from Miss Clara Dunn to Hugh Vane._") == "Miss Clara Dunn"
    assert heading_writer("_Telegram, Rook, London, to Vane, Paris._") == "Rook"
    assert heading_writer("_Memorandum left by Clara Dunn._") == "Clara Dunn"
    assert heading_writer("Dr. Rook's Phonograph Diary, spoken by Hugh Vane.") == "Hugh Vane"


def test_narratives_name_their_writers() -> None:
    assert heading_writer("_Contributed by Miss Ada Pole; niece of the late Sir Giles Pole_") == "Miss Ada Pole"
    assert heading_writer("_The Events related by Amos Reed, butler in the service\nof Lady Pole._") == "Amos Reed"
    assert heading_writer("_Extracted from the Journal of Ned Crane._") == "Ned Crane"
    assert heading_writer("_The Story resumed by Hugh Vane._") == "Hugh Vane"
    assert heading_writer("_In a Letter from Mr. Birch._") == "Mr. Birch"
    assert heading_writer("THE STATEMENT OF INSPECTOR GRIMM’S CLERK. (1850.)") == "Inspector Grimm’s Clerk"
    assert heading_writer("Narrative Continued by the Doctor: How the Boat Was Lost") == "the Doctor"


def test_sentences_are_not_headings() -> None:
    assert heading_writer("Tom's diary was lost in the flood.") is None
    assert heading_writer("A letter from home came for Tom.") is None
    assert heading_writer("The story told by Tom was false.") is None
    assert heading_writer("_The Events related in several Narratives._") is None
    assert heading_writer("_Letter, Billington & Son, Solicitors, to Messrs. Carter._") is None
    assert heading_writer("_Letter, Messrs. Carter, Paterson & Co., London, to Hugh Vane._") is None
    assert heading_writer("_Letter, Mitchell, Sons and Candy to Lord Godalming._") is None


def test_each_section_has_its_own_first_person_speaker() -> None:
    lines = [(s.text, s.speaker) for s in analyse(BOOK).segments if s.kind == "dialogue"]
    assert lines[1] == ("The roads,", "Hugh Vane")
    assert lines[3] == ("Very well,", "Clara Dunn")
    assert lines[4] == ("We ride at dawn,", "Hugh Vane")


def test_i_is_never_the_antecedent_of_he() -> None:
    lines = [(s.text, s.speaker) for s in analyse(BOOK).segments if s.kind == "dialogue"]
    assert lines[0] == ("You are late,", "Colonel Marsh")


NARRATIVES = """_The Events related by Amos Reed, butler to Lady Pole._

I was polishing the silver when Miss Ada came in.

"Where is my aunt?" she asked.

"In the garden, miss," I said.

_Contributed by Miss Ada Pole._

I found my aunt among the roses, and Dr. Crane beside her.

"You look pale," said he.

"I slept badly," I said.

_Narrative Continued by the Doctor: The Garden_

"She is ill," I said to Amos Reed, who only bowed.
"""


def test_each_narrative_has_its_own_first_person_speaker() -> None:
    lines = [(s.text, s.speaker) for s in analyse(NARRATIVES).segments if s.kind == "dialogue"]
    assert lines[1] == ("In the garden, miss,", "Amos Reed")
    assert lines[3] == ("I slept badly,", "Miss Ada Pole")
    assert lines[4] == ("She is ill,", "Dr. Crane")


SURNAME = """_Contributed by Ada Pole._

Mr. Lane called at noon. "Good day," said Mr. Lane.

"Good day to you," I said.

_Contributed by Hector Lane, Solicitor._

I called at noon. "Good day," I said.

"Good day to you," said Ada Pole.
"""


def test_a_writer_named_in_full_is_the_one_person_of_that_surname() -> None:
    analysis = analyse(SURNAME)
    names = [c.name for c in analysis.characters]
    assert "Hector Lane" in names and "Mr. Lane" not in names
    lines = [(s.text, s.speaker) for s in analysis.segments if s.kind == "dialogue"]
    assert lines[0] == ("Good day,", "Hector Lane")
    assert lines[2] == ("Good day,", "Hector Lane")


PROLOGUE = """I found the paper in a drawer of my uncle's desk.

"What is it?" asked my brother.

"An old letter," I said.

_Contributed by Ada Pole._

"Ada, come here," said Mr. Lane.

"Coming," I said.

"Thank you, Ada," he said.

"Ada, the tea," said Mrs. Crane.

_Contributed by Hector Lane._

"Good day," I said.
"""


def test_the_i_before_the_first_writer_is_not_named_after_a_writer() -> None:
    lines = [(s.text, s.speaker) for s in analyse(PROLOGUE).segments if s.kind == "dialogue"]
    assert lines[1][0] == "An old letter,"
    assert lines[1][1] not in ("Ada", "Ada Pole")
    assert lines[3] == ("Coming,", "Ada Pole")


DIARY = """_Hugh Vane's Journal._

Mr. Hale opened the door himself.

I asked, "Mr. Hale?" He bowed in a courtly way as he replied:--

"I am Hale; and I bid you welcome, Mr. Vane, to my house."

_Letter, Mr. Hale to Hugh Vane._

My dear Vane, I write in haste. "Come," I said to my servant, "fetch my bag."
"""


def test_he_in_a_diary_is_never_its_writer_but_may_be_another_writer() -> None:
    ex = examine(DIARY, ranker=sieves_only)
    said = [ex.cast.entities[d.speaker].name for d in ex.sieved if isinstance(d.speaker, int)]
    assert said == ["Hugh Vane", "Mr. Hale", "Mr. Hale"]


def test_a_firms_letter_is_no_writers_i() -> None:
    book = ('HUGH VANE\'S JOURNAL\n\n"Well," I said.\n\n_Letter, Clara Dunn to Hugh Vane._\n\n"Yes," I said.\n\n'
            '_Letter, Messrs. Pike, Dole & Co., to Hugh Vane._\n\n"We regret it," I said to the clerk.\n')
    lines = [(s.text, s.speaker) for s in analyse(book).segments if s.kind == "dialogue"]
    assert lines[1] == ("Yes,", "Clara Dunn")
    assert lines[2][1] not in ("Clara Dunn", "Hugh Vane")


SPOUSES = """_Contributed by Ada Pole._

Mr. Lane and Mrs. Lane called at noon. "Good day," said Mr. Lane.

"Good day to you both," I said, and Mrs. Lane smiled.

_Contributed by Hesketh Lane, Solicitor._

"You are late, Mr. Lane," said Ada Pole.

"The roads," I said. "Forgive me, Miss Pole."
"""


def test_a_writer_is_the_one_of_the_family_their_own_narrative_calls_by_name() -> None:
    analysis = analyse(SPOUSES)
    names = [c.name for c in analysis.characters]
    assert "Hesketh Lane" in names and "Mr. Lane" not in names
    lines = [(s.text, s.speaker) for s in analysis.segments if s.kind == "dialogue"]
    assert lines[0] == ("Good day,", "Hesketh Lane")
    assert lines[3] == ("The roads,", "Hesketh Lane")


THIRD_PERSON = """Dr. Sloper was a clever man, as I have said, and his sister knew it.

"Austin," said his sister, "you are hard on her."

"I am just," he answered, and looked at the fire.

"Austin, be kind," she said, and left the room.
"""

FIRST_PERSON = """I went down to the shore, and my sister came after me. I did not turn.

"Pip," said my sister, "you are late."

"I am," I said, and I looked at the sea.
"""


def test_a_book_told_in_the_third_person_has_no_narrator_who_speaks() -> None:
    from pipeline.reading.segment import split
    from pipeline.speakers.narrators import told_in_first_person
    from pipeline.speakers.tokens import tokenize

    assert not told_in_first_person(tokenize(split(THIRD_PERSON)))
    assert told_in_first_person(tokenize(split(FIRST_PERSON)))
    third = examine(THIRD_PERSON)
    assert third.cast.narrator is None  # an author's aside is no one the story knows
    assert "Austin" not in [c.name for c in analyse(THIRD_PERSON).characters]
    first = examine(FIRST_PERSON)
    assert first.cast.narrator is not None
    assert first.decisions[-1].speaker == first.cast.narrator  # "I am," I said
