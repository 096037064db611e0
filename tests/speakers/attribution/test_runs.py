"""Untagged exchanges re-read from the tag after them when forward alternation clashes with it."""

from __future__ import annotations

from pipeline.speakers.analyse import analyse


def speakers(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(s.text, s.speaker, s.rule) for s in analyse(text).segments if s.kind == "dialogue"]


def test_alternation_that_would_give_the_next_tag_two_lines_in_a_row_is_read_backwards() -> None:
    text = ('Wren and Otto stood at the gate.\n\n'
            '"Such a fine evening," said Wren.\n\n'
            '"It is," said Otto.\n\n'
            '"And yet I must go. The ferry leaves at six."\n\n'
            '"So soon?"\n\n'
            '"I am afraid so."\n\n'
            '"Then I will walk with you."\n\n'
            '"Thank you," said Otto.\n')
    got = [who for _t, who, _r in speakers(text)]
    # forwards the four untagged lines would be Wren, Otto, Wren, Otto: Otto twice at the end
    assert got == ["Wren", "Otto", "Otto", "Wren", "Otto", "Wren", "Otto"]


def test_a_line_addressed_by_a_word_of_address_is_not_its_speaker_s() -> None:
    text = ('Tobin, Lark and Mara sat by the fire.\n\n'
            '"I am going home," said Tobin.\n\n'
            '"In this rain?" said Lark.\n\n'
            '"Poor Tobin! Must you?"\n')
    assert speakers(text)[2][1] != "Tobin"  # alternation would give it to Tobin, whom it addresses


def test_a_pronoun_tag_after_a_line_that_addressed_one_man_is_his_answer() -> None:
    text = ('Mara, Kit and Ned sat at the long table after supper.\n\n'
            '"Ned, will you pass the salt?" asked Kit.\n\n'
            '"Here it is," he said.\n')
    assert speakers(text)[1][1] == "Ned"


def test_a_paragraph_that_names_the_man_before_its_pronoun_keeps_him() -> None:
    text = ('Mara, Kit and Ned sat at the long table after supper.\n\n'
            '"Ned, will you pass the salt?" asked Kit.\n\n'
            'Kit waited a moment, and then he said, "Never mind."\n')
    assert speakers(text)[1][1] == "Kit"


def test_auntie_in_address_is_the_one_aunt_of_the_story() -> None:
    text = ('Aunt Hester sat by the window, and Mrs. Crane sat by the fire.\n\n'
            'Mrs. Crane went home early. Later Wally came in.\n\n'
            '"Where have you been?"\n\n'
            '"Now, auntie, I was only down at the river," said Wally.\n\n'
            '"The river! In this weather?"\n')
    assert speakers(text)[2][1] == "Aunt Hester"


def test_a_tag_ending_in_a_colon_introduces_the_next_paragraph_s_line() -> None:
    text = ('Greta and Otto sat in the garden.\n\n'
            '"And is your brother well?" said Otto. I saw here an opening, so I said:--\n\n'
            '"He is better, thank you." Otto nodded:\n\n'
            '"I am glad of it."\n')
    got = [(t, who, rule) for t, who, rule in speakers(text)]
    assert got[0][1] == "Otto"
    assert got[1][1] == "Narrator" and got[1][2] == "pronoun-tag"
    assert got[2][1] == "Otto"


def test_he_said_after_his_own_line_is_never_the_first_person_narrator() -> None:
    text = ("JOHN REED'S DIARY\n\nWalter and I stood in the hall.\n\n"
            '"Is she worse?" I asked.\n\n'

            'Walter shook his head. "Much worse."\n\n'
            'Then he pulled me into the next room and closed the door. "My God!" he said; '
            '"there is no time to lose."\n\n_Letter, Anna Vey to John Reed._\n\nI write in haste.\n')
    assert speakers(text)[-1][1] == "Walter"  # John Reed, the diarist, says "I", never "he"


def test_letters_and_diaries_name_their_writers_in_a_whole_book() -> None:
    text = ("JOHN REED'S DIARY\n\nI called on Anna.\n\n\"You are late,\" said Anna.\n\n\"Forgive me,\" I said.\n\n"
            "_Letter, Anna Vey to John Reed._\n\nI write to you in haste.\n\n\"Go,\" I said to the boy.\n")
    got = [who for _t, who, _r in speakers(text)]
    assert got == ["Anna", "John Reed", "Anna Vey"] or got == ["Anna Vey", "John Reed", "Anna Vey"]


def test_sir_and_miss_address_the_one_man_or_woman_of_the_scene() -> None:
    text = ('Miss Ashdown came into the parlour. Tom bowed to her. Mr. Pell rose.\n\n'
            '"Pray sit down, miss."\n\n'
            '"Thank you, sir. I had your letter yesterday."\n')
    assert speakers(text)[1][1] == "Miss Ashdown"


def test_the_cast_lists_each_name_once() -> None:
    from pipeline.speakers.analyse import analyse

    text = ('A tall man came in.\n\n"Rain again," said the man.\n\nHe left. Much later a short man '
            'came in.\n\n"Snow," said the man.\n')
    names = [c.name for c in analyse(text).characters]
    assert len(names) == len(set(names))
