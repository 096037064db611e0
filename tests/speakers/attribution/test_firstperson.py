"""The first-person narrator named before the sieves run: one person, whatever the others call them."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse, examine, sieves_only

STORY = """Holmes was sitting at the breakfast table when I came down. I picked up the stick which our visitor \
had left behind him.

"Well, Watson, what do you make of it?" said Holmes.

"I think the man is a doctor," said I.

"Good, Watson! Excellent!"

"And a country doctor," I added.

"Come, Watson, you surprise me."

"He walks a great deal," I said.

Holmes laughed and lit his pipe. I sat down by the fire.

"You are right, Watson."

"Then who is he?"
"""


def test_the_name_others_call_the_narrator_is_the_narrator_while_the_lines_are_decided() -> None:
    ex = examine(STORY, ranker=sieves_only)
    narrator = ex.cast.narrator
    assert narrator is not None and ex.cast.entities[narrator].name == "Watson"
    assert ex.cast.lookup("watson") == [narrator]
    # a line that addresses Watson is not his: the narration's "I" just before does not make it his
    said = [(ex.layout.text[q.parts[0][0] : q.parts[0][1]], d.speaker) for q, d in
            zip(ex.layout.quotations, ex.sieved, strict=True)]
    holmes = ex.cast.lookup("holmes")[0]
    assert said[6] == ("You are right, Watson.", holmes)
    assert said[7] == ("Then who is he?", narrator)


def test_one_character_for_the_narrator() -> None:
    analysis = analyse(STORY)
    names = [c.name for c in analysis.characters]
    assert names.count("Watson") == 1 and "Narrator" not in names
    lines = [s.speaker for s in analysis.segments if s.kind == "dialogue"]
    assert lines == ["Holmes", "Watson"] * 4


def test_a_name_with_a_title_is_the_narrators_when_it_is_a_part_of_their_name() -> None:
    story = ("I was sent to Lowood school. Mrs. Reed's house was cold, and Mr. Brocklehurst was a hard man.\n\n"
             '"Come here, Jane Eyre," said Mr. Brocklehurst.\n\n"Yes, sir," I answered.\n\n'
             '"Miss Eyre, what is hell?" he asked.\n\n"A pit full of fire," said I.\n\n'
             '"Jane Eyre, do you say your prayers?"\n\n"Yes, sir," I said.\n')
    ex = examine(story, ranker=sieves_only)
    narrator = ex.cast.narrator
    assert narrator is not None and ex.cast.entities[narrator].name == "Jane Eyre"
    assert set(ex.cast.lookup("miss eyre")) <= {narrator}


def test_a_line_said_to_me_is_answered_by_the_narrator() -> None:
    story = ("I came home late, and I sat down by the fire. I was tired; I had walked all day.\n\n"
             'Mr. Rivers came in and sat down. "Good evening," said Mr. Rivers. Mrs. Hale followed him in.\n\n'
             '"Hello," said Mrs. Hale.\n\n"Have you found your first day hard?" Mr. Rivers asked me.\n\n'
             '"Oh, no! I think I shall get on well."\n')
    ex = examine(story, ranker=sieves_only)
    assert ex.sieved[-1].speaker == ex.cast.narrator is not None


def test_a_rank_or_a_sex_under_the_narrators_name_is_someone_else() -> None:
    story = STORY + ('\n"Give my love to Mrs. Watson," said Holmes. "And to Colonel Watson, your brother, and to Mrs. '
                     'Watson again."\n')
    ex = examine(story, ranker=sieves_only)
    narrator = ex.cast.narrator
    assert narrator is not None and ex.cast.entities[narrator].name == "Watson"
    for other in ("mrs. watson", "colonel watson"):
        assert ex.cast.lookup(other) and narrator not in ex.cast.lookup(other)
