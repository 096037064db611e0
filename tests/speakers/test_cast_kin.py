"""Relatives and titles in the cast (issue 21): "his mother" through whose mother, a list that is no
apposition, a title the text uses alone for its one bearer. Every text is written for the test."""

from __future__ import annotations

from tests.speakers.castkit import cast_of, speakers


def test_a_list_is_no_apposition() -> None:
    # "the mother, Ned, and Rose" lists three people: Ned is not "the mother" of the book
    text = ("Mrs. Quill kept the farm. Tom Quill loved his mother.\n\n"
            "At the mill Tom met the whole family of the Brays: the mother, Ned, and Rose.\n\n"
            '"You are late," said his mother, when Tom came home.\n\n'
            '"The mill," he answered.\n')
    assert speakers(text)[0] == "Mrs. Quill"


def test_his_mother_is_his_familys_not_a_role() -> None:
    # a real apposition makes Hilda "the cook"; "his mother" is still Mrs. Quill
    text = ("Tom Quill came into the kitchen. Hilda, the cook, was singing. Mrs. Quill sat by the fire.\n\n"
            '"Where were you?" asked his mother.\n\n"Out," said Tom.\n\n"Soup?" asked the cook.\n')
    assert speakers(text) == ["Mrs. Quill", "Tom Quill", "Hilda"]


def test_the_mother_of_a_family_scene_is_its_mrs() -> None:
    text = ("Mrs. Quill and Mr. Quill had one son, Tom Quill. Tom Quill came home late.\n\n"
            '"Where have you been?" said the mother.\n\n"Out," said Tom.\n')
    assert speakers(text) == ["Mrs. Quill", "Tom Quill"]


def test_a_title_used_alone_is_its_one_bearer() -> None:
    # "Squire Venn" once, then "Mr. Venn" and "the squire": one man
    text = ("Squire Venn owned the hall. Mr. Venn was a tall man, and Mr. Venn rode out each day.\n\n"
            "Mr. Venn met Dr. Pole in the lane.\n\n"
            '"Fine weather," said the squire.\n\n"Very fine," said Dr. Pole.\n')
    assert speakers(text)[0] == "Mr. Venn"


def test_the_narrators_relation_is_a_role() -> None:
    # "My aunt, Mrs. Dell," is the narrator's aunt on every page
    text = ("My aunt, Mrs. Dell, brought me up. I loved her, and Mr. Dell was kind.\n\n"
            "One day the postman came.\n\n"
            '"A letter," said my aunt.\n\n"For me?" I asked.\n')
    assert speakers(text)[0] == "Mrs. Dell"


def test_a_stranger_the_narration_then_names_is_that_person() -> None:
    # "a man" came in, "said Mr. Vane" names him, and "the man in the chair" is Mr. Vane too
    text = ("Ruth went to see Mr. Vane. She knocked at the study door.\n\n"
            "A man was sitting by the fire, and the maid spoke to him.\n\n"
            '"Sit down," said Mr. Vane.\n\n'
            "Ruth could see that the man in the chair was tired.\n\n"
            '"Thank you," she said.\n\n"Are you well?" he asked.\n')
    assert speakers(text) == ["Mr. Vane", "Ruth", "Mr. Vane"]


def test_a_stranger_who_speaks_is_not_the_one_who_answers() -> None:
    text = ("The door flew open, and a tall man stood there.\n\n"
            '"Who keeps this inn?" asked the tall man.\n\n'
            '"I do," said Mr. Lowe.\n')
    assert speakers(text) == ["the tall man", "Mr. Lowe"]


def test_a_qualified_description_is_the_unnamed_person_of_the_scene() -> None:
    # "the little woman", then "the little old woman": one stranger, one voice
    text = ("Dora saw a little woman in a white gown come up the road.\n\n"
            '"Good day," said the little woman.\n\n"Good day," said Dora.\n\n'
            '"Are you lost?" asked the little old woman.\n\n"No," said Dora.\n')
    assert speakers(text) == ["the little woman", "Dora", "the little woman", "Dora"]


def test_the_other_man_is_not_the_man() -> None:
    text = ("Two men stood at the gate. The tall man opened it.\n\n"
            '"In you go," said the tall man.\n\n"After you," said the other man.\n')
    lines = speakers(text)
    assert lines[0] != lines[1]


def test_a_rank_that_is_also_a_given_name_is_one() -> None:
    # "Earl" alone, without "the": Earl Dunning is Harry Dunning's brother, no peer and no Harry
    text = ("Harry Dunning ran the store. Earl was his young brother, and Earl hated the store.\n\n"
            '"Sweep the floor," said Harry Dunning.\n\n"Later," said Earl.\n\n"Now!"\n\n'
            '"I swept it," grumbled Earl Dunning.\n\n"Sweep it again," said Harry.\n')
    assert speakers(text) == ["Harry Dunning", "Earl Dunning", "Harry Dunning", "Earl Dunning", "Harry Dunning"]


def test_my_brother_named_without_a_comma_is_a_role() -> None:
    text = ("My brother Robert lived at the hall with his wife, Rose. Max Holt came to dinner.\n\n"
            '"Well," said Max Holt.\n\n"You are idle," said my brother.\n')
    assert speakers(text)[-1] == "Robert"


def test_her_mother_is_the_mother_of_the_girl_the_line_calls() -> None:
    # "her" after "'Nell!'" is Nell, not Kate, whom the narration named last
    text = ("Mrs. Bray and Miss Nell Bray rose to go. Miss Kate Hale watched them. Mrs. Hale sat still.\n\n"
            '"Goodbye," said Kate.\n\n'
            '"Nell!" said her mother in the carriage. "Be civil."\n')
    assert speakers(text)[-1] == "Mrs. Bray"


def test_a_foreign_title_alone_is_its_bearer_in_the_scene() -> None:
    text = ("Madame Roux knitted at the counter. Jacques Pin served the wine.\n\n"
            '"Who is that?" asked Jacques.\n\n"A spy," Madame sternly answered.\n')
    assert speakers(text)[-1] == "Madame Roux"


def test_an_inn_named_arms_is_a_place() -> None:
    text = ("Mr. Gale came home late. We stopped at the Gale Arms, and the Gale Arms was full.\n\n"
            '"No room," said Gale.\n')
    forms = {f for e in cast_of(text).entities for f in e.forms}
    assert "gale arms" not in forms
