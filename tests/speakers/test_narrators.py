"""Epistolary novels: the "I" of each journal, diary or letter is the writer its heading names."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse
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


def test_sentences_are_not_headings() -> None:
    assert heading_writer("Tom's diary was lost in the flood.") is None
    assert heading_writer("A letter from home came for Tom.") is None
    assert heading_writer("_Letter, Billington & Son, Solicitors, to Messrs. Carter._") is None


def test_each_section_has_its_own_first_person_speaker() -> None:
    lines = [(s.text, s.speaker) for s in analyse(BOOK).segments if s.kind == "dialogue"]
    assert lines[1] == ("The roads,", "Hugh Vane")
    assert lines[3] == ("Very well,", "Clara Dunn")
    assert lines[4] == ("We ride at dawn,", "Hugh Vane")


def test_i_is_never_the_antecedent_of_he() -> None:
    lines = [(s.text, s.speaker) for s in analyse(BOOK).segments if s.kind == "dialogue"]
    assert lines[0] == ("You are late,", "Colonel Marsh")
