"""Chapters as a book numbers them, on the shapes books nobody tuned for take: sections inside
chapters, signatures and lists that are not headings, titles in quotation marks, contents whose
entries wrap, volumes with their own title page, prologues with sections."""

from __future__ import annotations

import textwrap

from pipeline.reading.book import Book
from pipeline.reading.chapters import find_chapters

PROSE = ("The rain had not stopped since morning, and the road to the village was a river of mud. "
         "Nobody in the house spoke of leaving, though everybody thought of it, and the fire burned low.")
OTHER = ("She wrote to her sister that evening, a long letter full of the weather and the neighbours, "
         "and said nothing at all of the one thing that was on her mind from morning until night.")


def book(*parts: str) -> Book:
    return find_chapters("\n\n\n".join(parts) + "\n")


def kept(b: Book) -> list[str]:
    return [c.title for c in b.chapters if c.kept]


def first_words(b: Book) -> list[str]:
    return [" ".join(b.text[c.body:c.end].split()[:3]) for c in b.chapters if c.kept]


def assert_tiles(b: Book) -> None:
    assert b.chapters[0].start == 0 and b.chapters[-1].end == len(b.text)
    for a, c in zip(b.chapters, b.chapters[1:], strict=False):
        assert a.end == c.start and c.start <= c.body <= c.end


def test_numbered_sections_that_restart_in_every_chapter_stay_in_it() -> None:
    """Main Street: "CHAPTER I" over "I", "II", ...; a chapter whose opening text is its section I."""
    b = book("A TOWN", "CHAPTER I", "I", PROSE, "II", OTHER, "III. From the Weekly Paper", PROSE,
             "CHAPTER II", PROSE, "II", OTHER, "III", PROSE, "CHAPTER III", "I", PROSE)
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter III"]
    assert first_words(b) == ["The rain had", "The rain had", "The rain had"]
    one, two, _ = (c for c in b.chapters if c.kept)
    assert [s.title for s in one.sections] == ["II", "III. From the Weekly Paper"]
    assert [s.title for s in two.sections] == ["II", "III"]
    assert "She wrote" in b.text[one.body:one.end]
    assert_tiles(b)


def test_a_signature_under_a_preface_is_not_a_heading() -> None:
    """The Wizard of Oz: "L. Frank Baum" / "Chicago, April, 1900." under the introduction."""
    b = book("THE WONDERFUL ROAD", "by", "L. Frank Baum", "Introduction", PROSE, "L. Frank Baum",
             "Chicago, April, 1900.", "1. The Cyclone", PROSE, "2. The Council", OTHER)
    assert kept(b) == ["Introduction", "1. The Cyclone", "2. The Council"]
    intro = next(c for c in b.chapters if c.kept)
    assert "Chicago" in b.text[intro.body:intro.end]


def test_a_numbered_list_in_a_chapter_is_not_headings() -> None:
    """Items "6.", "8.", "11." at the start of lines: they fit no count."""
    b = book("CHAPTER 1", PROSE, "6.", "To pay the rent.", "8.", "To see the doctor.", "11.", "To write home.",
             "CHAPTER 2", OTHER)
    assert kept(b) == ["Chapter 1", "Chapter 2"]
    assert "To write home" in b.text[b.chapters[0].body:b.chapters[0].end]


def test_a_list_item_that_continues_the_chapter_count_is_not_the_next_chapter() -> None:
    b = book("CHAPTER I", PROSE, "CHAPTER II", PROSE, "III. The Orders of the Day", OTHER, "CHAPTER III", PROSE)
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter III"]


def test_titles_in_quotation_marks() -> None:
    """Wind in the Willows: "XI. ‘LIKE SUMMER TEMPESTS CAME HIS TEARS’"; The Secret Garden's title
    lines in quotation marks where the other chapters have title lines; Tom Sawyer's "“TOM!”",
    the first line of a chapter in a book whose headings have no titles."""
    b = book("X. THE FURTHER ADVENTURES", PROSE, "XI. \u2018LIKE SUMMER TEMPESTS CAME HIS TEARS\u2019", OTHER)
    assert kept(b) == ["X. The Further Adventures", "XI. \u2018Like Summer Tempests Came His Tears\u2019"]
    b = book("CHAPTER I", "THERE IS NO ONE LEFT", PROSE, "CHAPTER II", "\u201cTHERE WAS SOMEONE CRYING!\u201d", OTHER,
             "CHAPTER III", "ACROSS THE MOOR", PROSE)
    assert kept(b)[1] == "Chapter II: \u201cThere Was Someone Crying!\u201d"
    assert first_words(b)[1] == "She wrote to"
    b = book("CHAPTER I", "\u201cTOM!\u201d", PROSE, "CHAPTER II", OTHER, "CHAPTER III", PROSE)
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter III"]
    assert first_words(b)[0] == "\u201cTOM!\u201d The rain"


def test_contents_entries_that_wrap_and_no_chapter_without_words() -> None:
    """Huckleberry Finn: entries too long for headings, wrapped over two lines, one paragraph each."""
    entries = [f"CHAPTER {r}. {t}" for r, t in [
        ("I", "Civilizing Huck.--Miss Watson.--Tom Sawyer Waits."),
        ("II", "The Boys Escape Jim.--Tom Sawyer's Gang.--Deep-laid\nPlans.--A Long Night on the River."),
        ("III", "A Good Going-over.--Grace Triumphant.--The Raft.--The\nTestament.--Recovering the Raft."),
        ("IV", "Huck and the Judge.--Superstition.")]]
    b = book("ADVENTURES", "OF", "A BOY", "CONTENTS.", *entries,
             *(f"CHAPTER {r}.\n\n{p}" for r, p in [("I", PROSE), ("II", OTHER), ("III", PROSE), ("IV", OTHER)]))
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter III", "Chapter IV"]
    assert [c.skip for c in b.chapters if not c.kept] == ["title page", "contents"]
    assert_tiles(b)


def test_headings_with_nothing_under_them_are_not_read() -> None:
    b = book("CHAPTER I", PROSE, "CHAPTER II", "CHAPTER III", OTHER)
    assert kept(b) == ["Chapter I", "Chapter III"]
    assert [c.skip for c in b.chapters if not c.kept] == ["no text"]
    assert_tiles(b)


def test_a_volumes_title_page_and_imprint_in_the_middle_of_the_book() -> None:
    """"VOL. II." over a printer's imprint, the book's title page before it: the volume names the
    chapters under it, and neither page is read as a chapter or as the end of the one before."""
    page = "THE HOUSE\n\nA NOVEL.\n\nIN THREE VOLUMES."
    b = book(page, "VOL. I.", "CHAPTER I.", PROSE, "CHAPTER II.", OTHER, "END OF VOL. I.", page,
             "VOL. II.", "LONDON:\nPRINTED FOR SMITH, ELDER AND CO.,\n65, CORNHILL.\n1847.", "CHAPTER I.", PROSE)
    assert kept(b) == ["Vol. I — Chapter I", "Vol. I — Chapter II", "Vol. II — Chapter I"]
    second = b.chapters[[c.title for c in b.chapters].index("Vol. I — Chapter II")]
    assert "IN THREE VOLUMES" not in b.text[second.body:second.end]
    assert "LONDON" not in "".join(b.text[c.body:c.end] for c in b.chapters if c.kept)
    assert_tiles(b)


def test_books_over_chapters_numbered_by_a_bare_arabic_numeral() -> None:
    """A three-book novel: "BOOK ONE" over "1", "2", ...; the numbers run on through the books."""
    chapters = []
    for k, name in enumerate(["ONE", "TWO", "THREE"]):
        chapters += [f"BOOK {name}"] + [f"{3 * k + n}\n\n{textwrap.fill(PROSE if n % 2 else OTHER, 70)}"
                                        for n in (1, 2, 3)]
    b = book("A NOVEL", "by A. Writer", *chapters)
    assert len(kept(b)) == 9
    assert kept(b)[3] == "Book Two — 4"
    assert set(first_words(b)) == {"The rain had", "She wrote to"}


def test_a_prologue_with_sections_divisions_by_ordinal_and_an_epilogue_with_chapters() -> None:
    """The Moonstone: PROLOGUE over "I", "II" (its sections); FIRST PERIOD over CHAPTERs; SECOND
    PERIOD over FIRST NARRATIVE over CHAPTERs; a narrative of numerals; EPILOGUE over "I" with a title."""
    b = book("THE STONE", "by W. Writer", "PROLOGUE", "THE STORMING (1799):", "I", PROSE, "II", OTHER,
             "FIRST PERIOD.", "THE LOSS", "CHAPTER I", PROSE, "CHAPTER II", OTHER,
             "SECOND PERIOD.", "THE DISCOVERY", "_The Events related in several Narratives._", "FIRST NARRATIVE.",
             "CHAPTER I", PROSE, "SECOND NARRATIVE.", "I", OTHER, "II", PROSE,
             "EPILOGUE.", "THE FINDING", "I", "The Statement of the Captain", PROSE)
    assert kept(b) == ["Prologue: The Storming (1799)", "First Period: The Loss — Chapter I",
                       "First Period: The Loss — Chapter II",
                       "Second Period: The Discovery — First Narrative — Chapter I",
                       "Second Period: The Discovery — Second Narrative — I",
                       "Second Period: The Discovery — Second Narrative — II",
                       "Epilogue: The Finding — I. The Statement of the Captain"]
    assert first_words(b)[0] == "The rain had"
    assert_tiles(b)


def test_a_word_of_an_ordinal_in_prose_is_not_a_division() -> None:
    b = book("CHAPTER I", PROSE, "Second Thoughts", OTHER, "CHAPTER II", PROSE)
    assert kept(b) == ["Chapter I", "Chapter II"]


def test_a_part_page_with_no_words_folds_into_the_chapter_after_it() -> None:
    """An EPUB's part page ("SECTION IV" over its stories) is no chapter of its own; the last
    such page is skipped."""
    from pipeline.reading.book import FoundChapter, without_wordless

    text = "SECTION IV\n\nTHE FIR TREE\n\nOut in the woods stood a fir tree.\n\nAPPENDIX"
    a, b, c = text.index("THE FIR"), text.index("Out"), text.index("APPENDIX")
    found = Book(text, (FoundChapter("Section IV", 0, a, a), FoundChapter("The Fir Tree", a, c, b),
                        FoundChapter("Appendix", c, len(text), len(text))))
    out = without_wordless(found).chapters
    assert [(ch.title, ch.start, ch.part, ch.skip) for ch in out] == [
        ("The Fir Tree", 0, "Section IV", None), ("Appendix", c, None, "no text")]


def test_a_sections_number_is_not_read_aloud() -> None:
    """The chapter's "II" is a stretch the build does not read: no segment of it is the chapter's."""
    from pathlib import Path

    from pipeline.model import Segment
    from pipeline.reading.works import ChapterChoices, to_work

    b = book("CHAPTER I", "I", PROSE, "II", OTHER, "CHAPTER II", PROSE)
    work = to_work(Path("town.txt"), "town", None, 1, b, ChapterChoices())
    one = work.chapters[0]
    (u, v), = one.unread
    assert b.text[u:v].strip() == "II"
    segments = [Segment("narration", a, z, b.text[a:z]) for a, z in ((one.body, u), (u, v), (v, one.end))]
    assert [s.text.strip()[:3] for s in one.segments(segments)] == ["The", "She"]


def test_a_title_line_the_contents_lists_is_the_chapters_title() -> None:
    """The Prisoner of Zenda: "CHAPTER 21" over "If love were all!", as its contents lists it."""
    b = book("THE CASTLE", "CONTENTS\n\n     1  The Rassendylls\n     2  If love were all!", "CHAPTER 1",
             "The Rassendylls", PROSE, "CHAPTER 2", "If love were all!", OTHER)
    assert kept(b) == ["Chapter 1: The Rassendylls", "Chapter 2: If love were all!"]
    assert first_words(b)[1] == "She wrote to"


def test_numerals_set_between_ornaments_and_sections_under_numbered_titles() -> None:
    """"PART ONE" over "- 1 -" and "[ 2 ]"; "I. THE ARRIVAL" over "1", "2" (its sections), then
    "II" with no title of its own (the next chapter, not a section)."""
    b = book("PART ONE", "- 1 -", PROSE, "[ 2 ]", OTHER, "PART TWO", "~ 3 ~", PROSE)
    assert kept(b) == ["Part One — 1", "Part One — 2", "Part Two — 3"]
    b = book("I. THE ARRIVAL", "1", PROSE, "2", OTHER, "II", PROSE, "III. THE DEPARTURE", "1", OTHER)
    assert kept(b) == ["I. The Arrival", "II", "III. The Departure"]
    assert [s.title for s in b.chapters[0].sections] == ["2"]


def test_a_volumes_title_page_in_one_paragraph() -> None:
    page = "THE HOUSE.\nA NOVEL.\nIN THREE VOLUMES.\nVOL. {}.\nLONDON:\nSMITH, ELDER AND CO.\n1847."
    b = book(page.format("I"), "CHAPTER I.", PROSE, "CHAPTER II.", OTHER, page.format("II"), "CHAPTER III.", PROSE)
    assert kept(b) == ["Vol. I — Chapter I", "Vol. I — Chapter II", "Vol. II — Chapter III"]
    assert "LONDON" not in "".join(b.text[c.body:c.end] for c in b.chapters if c.kept)


def test_an_epigraph_is_not_a_heading() -> None:
    """An epigraph over the first chapter ("“...”" / "—Job.") is no section of its own."""
    b = book("THE SEA", "by A. Writer", "\u201cAnd I only am escaped alone to tell thee.\u201d", "\u2014Job.", PROSE,
             "CHAPTER I", PROSE, "CHAPTER II", OTHER)
    assert kept(b) == ["Chapter I", "Chapter II"]


def test_divisions_named_noun_then_ordinal_over_bare_numerals_and_a_prelude() -> None:
    """Tess: "Phase the First: The Maiden" over "I", "II"; Middlemarch's "PRELUDE" and "FINALE"."""
    b = book("PRELUDE", PROSE, "Phase the First: The Maiden", "I", PROSE, "II", OTHER,
             "Phase the Second: Maiden No More", "III", PROSE, "FINALE", OTHER)
    assert kept(b) == ["Prelude", "Phase the First: The Maiden — I", "Phase the First: The Maiden — II",
                       "Phase the Second: Maiden No More — III", "Finale"]
