"""Narration/dialogue segmentation: tiling, quote styles, apostrophes, bad input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.reading.segment import segment


def dialogue(text: str) -> list[str]:
    segs, _ = segment(text)
    return [s.text for s in segs if s.kind == "dialogue"]


def assert_tiles(text: str) -> None:
    segs, _ = segment(text)
    pos = 0
    for s in segs:
        assert s.start == pos and s.end > s.start and s.text == text[s.start : s.end]
        pos = s.end
    assert pos == len(text)


_ALPHABET = st.sampled_from([*list("ab ,.!?\n\n\"'“”‘’—-"), "Mr. ", " said Tom", "'tis", "don't"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_segments_tile_any_text(text: str) -> None:
    assert_tiles(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_segments_tile_arbitrary_unicode(text: str) -> None:
    assert_tiles(text)


def test_empty_text() -> None:
    assert segment("") == ([], [])


def test_interrupted_quotation_shares_an_id() -> None:
    segs, _ = segment("“I am thinking,” Mrs. Bell replied, “and you know it.”")
    parts = [s for s in segs if s.kind == "dialogue"]
    assert [p.text for p in parts] == ["I am thinking,", "and you know it."]
    assert parts[0].quote_id == parts[1].quote_id
    assert (
        parts[0].quote_id is not None and parts[0].quote_id.startswith("q-") and len(parts[0].quote_id) == 10
    )


def test_quote_id_is_stable_under_edits_elsewhere() -> None:
    a, _ = segment("He came in.\n\n“Hello there.”\n\n“Bye.”")
    b, _ = segment("A new first paragraph.\n\nHe came in at last.\n\n“Hello there.”\n\n“Bye.”")
    ids = lambda segs: [s.quote_id for s in segs if s.kind == "dialogue"]  # noqa: E731
    assert ids(a) == ids(b)


def test_repeated_quotation_gets_distinct_ids() -> None:
    segs, _ = segment("“No.”\n\n“No.”")
    ids = [s.quote_id for s in segs if s.kind == "dialogue"]
    assert len(set(ids)) == 2


def test_speech_continued_over_paragraphs() -> None:
    text = "He began to read. “Dear all,\n\n“The harvest is in.\n\n“Love, Danny.” He stopped."
    segs, warnings = segment(text)
    parts = [s for s in segs if s.kind == "dialogue"]
    assert [p.text for p in parts] == ["Dear all,", "The harvest is in.", "Love, Danny."]
    assert len({p.quote_id for p in parts}) == 1
    assert warnings == []


def test_unclosed_quote_recovers_at_paragraph_end_with_line_number() -> None:
    text = "Title\n\n“Wait,” she said.\n\nHe said, “I never close this.\n\nThe rain went on all night. “Yes.”"
    _segs, warnings = segment(text)
    assert dialogue(text) == ["Wait,", "I never close this.", "Yes."]
    assert warnings == [
        "line 5: opening quotation mark never closed; ended the quotation at the end of its paragraph"
    ]
    assert_tiles(text)


def test_straight_quotes() -> None:
    assert dialogue('"Yes," said he, "I know."') == ["Yes,", "I know."]


def test_british_single_quotes_with_nested_doubles_and_apostrophes() -> None:
    text = (
        "‘We met at the Ashleys’ garden party,’ she said. ‘’Tis true, in ’53. "
        "He said “never” and left.’\n\nIt wasn’t ‘suitable’. ‘Don’t,’ said he."
    )
    assert dialogue(text) == [
        "We met at the Ashleys’ garden party,",
        "’Tis true, in ’53. He said “never” and left.",
        "Don’t,",
    ]


def test_straight_single_quotes_with_apostrophes() -> None:
    text = "'The boys' hats are on the hook,' said Tom. 'Don't fret. 'Tis '53 all over.'"
    assert dialogue(text) == ["The boys' hats are on the hook,", "Don't fret. 'Tis '53 all over."]


def test_apostrophes_in_double_quoted_text_do_not_matter() -> None:
    text = "The Bells' house was quiet. 'Tis said folks' tales are old.\n\n“Don’t,” said Tom. “It’s late.”"
    assert dialogue(text) == ["Don’t,", "It’s late."]


def test_non_speech_quotes_stay_narration() -> None:
    text = (
        "A sign said “NO ENTRY AFTER DARK.” She read “The Orphan of Ravensworth” and dreaded "
        "the word “economy” and what he called a “function space,” which annoyed her."
    )
    assert dialogue(text) == []


def test_no_dialogue_and_only_dialogue() -> None:
    assert dialogue("Just narration here.\n\nAnd more.") == []
    assert dialogue("“One.”\n\n“Two.”\n\n“Three.”") == ["One.", "Two.", "Three."]


def test_mixed_quote_styles() -> None:
    text = '“Curly,” said Ann.\n\n"Straight," said Bob.\n\n“Mixed," said Cy.'
    assert dialogue(text) == ["Curly,", "Straight,", "Mixed,"]


def test_paragraphs_without_blank_lines() -> None:
    text = "“One,” said Ann.\n“Two,” said Bob.\n“Three\nHe left."
    _segs, warnings = segment(text)
    assert dialogue(text) == ["One,", "Two,", "Three"]
    assert warnings and warnings[0].startswith("line 3:")


def test_a_new_sentence_with_its_own_tag_starts_a_new_quotation() -> None:
    text = (
        "The boy unpacked the hamper, still whispering, 'Oh my! Oh my!' at every parcel. "
        "When all was laid out, his uncle said, 'Now, eat up, lad!'"
    )
    segs, _ = segment(text)
    ids = [s.quote_id for s in segs if s.kind == "dialogue"]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_one_tag_between_two_parts_keeps_one_quotation() -> None:
    text = '"Yes," said he. "I know it well, and so do you."'
    segs, _ = segment(text)
    ids = [s.quote_id for s in segs if s.kind == "dialogue"]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_speech_after_a_verb_or_a_colon_stays_speech() -> None:
    text = 'He only said "No." She turned and called, "Come back, Tom!"\n\nShe wrote to him and said: "Soon."'
    assert dialogue(text) == ["No.", "Come back, Tom!", "Soon."]


def test_a_tagged_quotation_a_narration_sentence_and_a_part_with_its_own_tag_are_two_quotations() -> None:
    from pipeline.speakers.analyse import analyse

    text = ('"Well," said I, "I can make nothing of it." Dr. Brandt stood up. "I must go back to '
            'Leiden to-night," he said. "There are books there I want."\n')
    lines = [(s.text, s.speaker) for s in analyse(text).segments if s.kind == "dialogue"]
    assert lines[0][1] != lines[-1][1]
    assert lines[-1][1] == "Dr. Brandt"


def grouping(text: str) -> list[int]:
    """Which quotation each dialogue segment belongs to, numbered in order of appearance."""
    segs, _ = segment(text)
    order: dict[str | None, int] = {}
    return [order.setdefault(s.quote_id, len(order)) for s in segs if s.kind == "dialogue"]


def test_two_quotations_with_nothing_between_are_two_speakers() -> None:
    assert grouping("‘Halt, halt!’ ‘I know that tune,’ said the Otter, and rowed on.") == [0, 1]
    assert grouping('She bumped into him. "Sorry." "Sorry." They both laughed.') == [0, 1]
    # a speech broken only by a comma's pause stays one
    assert grouping('"Wait," "wait for me," he called.') == [0, 0]


def test_a_part_tagged_by_someone_else_after_a_tagged_part_is_another_quotation() -> None:
    assert grouping('"Who is there?" I asked. Mabel echoed my question. "Oh! who is there?" she said softly.') == [0, 1]
    assert grouping('"That will do," he said. "Already?" I protested.') == [0, 1]


def test_a_part_tagged_again_by_the_same_person_stays_one_quotation() -> None:
    assert grouping('"Not yet," said Ann. "Give me an hour," she added.') == [0, 0]
    assert grouping('"Come!" he said. "We have no time," he went on.') == [0, 0]


def test_a_crowd_talking_at_once_is_one_quotation() -> None:
    assert grouping('"You bet!" "Sure." "That\'s the idea," they all agreed.') == [0, 0, 0]


def test_reported_speech_after_a_part_is_not_its_tag() -> None:
    text = ('"Oh! how shall I manage?" asked she. "Must I buy him slippers?" I suggested that he would '
            'bring his own. "And after dinner?" she went on.')
    assert grouping(text)[:2] == [0, 0]


def test_a_quotation_led_in_by_its_tag_then_another_led_in_by_someone_else() -> None:
    text = ('He asked the editor, "Behave yourself while I was away?" The editor bellowed, "You stayed so '
            'long that all your patients got well!"')
    assert grouping(text) == [0, 1]
    # with no tag before it, the tag after a quotation is its own: one speech
    assert grouping('"Stop it!" Tom cried, "you will hurt him."') == [0, 0]
    # the same person leading in both parts: one speech
    assert grouping('She said, "Not yet." Then she added, "Give me an hour."') == [0, 0]


def test_a_tag_on_the_next_line_of_the_paragraph_counts_but_not_the_next_paragraph() -> None:
    assert grouping('"That will do," he said. "Already?"\nI protested. "You took more from Art."')[:2] == [0, 1]
    assert grouping('"Not to anyone," he answered. "It goes no further."\n\nI asked him about the girl.') == [0, 0]


def test_dialect_words_cut_short_do_not_close_a_single_quoted_speech() -> None:
    text = ("'I reckon yo'd not ha' much belief in all this 'varsal earth if yo' lived here, wi' a "
            "hammer i' th' road, an' goin' home.' said he.\n\n'Stop' he said, 'an' listen.'\n")
    assert dialogue(text) == [
        "I reckon yo'd not ha' much belief in all this 'varsal earth if yo' lived here, wi' a "
        "hammer i' th' road, an' goin' home.",
        "Stop",
        "an' listen.",
    ]


def test_narration_that_brings_someone_in_before_a_led_in_part_starts_a_new_quotation() -> None:
    # a story of its own between the parts, then a lead-in: the reports of two different people
    text = ('The cook went in first. Report, on coming out: "He is a perfect gentleman." The maid followed. '
            'Remained much longer. Report, on coming out: "He might keep his opinions to himself!"')
    assert grouping(text) == [0, 1]
    # after a part that ends its sentence, a new sentence that is no tag leads in someone else's words
    assert grouping('Kate chose "Glimmer-glass." Anne\'s choice was "The Fairies\' Mirror."') == [0, 1]
    # someone else cuts in after the first part's tag
    assert grouping('"I\'m the oldest," began Meg, but Jo cut in with a decided, "I shall buy them."') == [0, 1]


def test_the_same_speaker_going_on_after_narration_stays_one_quotation() -> None:
    assert grouping('"Oh, as to that," said Mrs. Fisher. She paused, and then, bent: "We all went."') == [0, 0]
    assert grouping('"Yes," sighed Mrs. Penniman. And then, as if to make amends, "But you will come back?"') == [0, 0]
    assert grouping('"Once more!"--Mr. Cruncher could not be restrained--"I\'d catch hold of you."') == [0, 0]
    assert grouping('"Good," said Tom, and Tom smiled, "now we go."') == [0, 0]


def test_a_tag_and_its_manner_in_ing_keep_one_quotation() -> None:
    assert grouping('"Peter," she said, faltering, "are you expecting me to fly away with you?"') == [0, 0]


def test_a_paragraph_whose_tag_names_someone_else_does_not_go_on_with_an_open_quotation() -> None:
    text = ('"No," assented Tom, "they don\'t kill the women. And the women\'s always beautiful, too.\n\n'
            '"And don\'t they wear the bulliest clothes!" said Joe, with enthusiasm.\n')
    assert grouping(text) == [0, 0, 1]
    # the same speaker going on over two paragraphs stays one quotation
    text = '"No," said Tom, "not now. We must wait.\n\n"And when we go, we go together," he said.\n'
    assert grouping(text) == [0, 0, 0]


def test_someone_else_leading_in_after_a_finished_part_starts_a_new_quotation() -> None:
    text = '"Yes," I said. "He proved it." He smiled as he went on: "Then you are satisfied."'
    assert grouping(text) == [0, 0, 1]
    assert grouping('"Ah, I can trust you!" I seized the chance, and said: "I promise you."') == [0, 1]
    assert grouping('"Oh, dinner," he mocked her; but she left him with the rejoinder: "On board, then."') == [0, 1]


def test_a_short_reply_left_open_is_one_speaker_the_next_paragraph_another() -> None:
    text = '"You wanted to go?"\n\n"Yes.\n\n"Why didn\'t you tell me?"\n'
    assert grouping(text) == [0, 1, 2]
    # a long speech over several paragraphs stays one line
    text = '"Yes, sir. We live very quietly, the three of us, and we pay our debts.\n\n"Then one day he came in."\n'
    assert grouping(text) == [0, 0]
