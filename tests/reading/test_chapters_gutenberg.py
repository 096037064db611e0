"""Chapters found in books laid out the way Project Gutenberg prints well-known ones.

Each text is written from how those editions mark their chapters (headings, contents lists,
prefaces, parts, the Gutenberg header and licence), with hard-wrapped prose paragraphs between
the headings, not copied from the books.
"""

from __future__ import annotations

import textwrap

from pipeline.reading.book import Book
from pipeline.reading.chapters import find_chapters
from pipeline.reading.titles import tidy

_PARAS = (
    "It was a bright cold morning when the old coach came rattling down the hill, and the whole of the little "
    "town turned out to see it pass. The children ran beside the wheels, the dogs barked at the horses, and the "
    "landlord of the inn stood in his doorway wiping his hands upon his apron, as if he had expected it all his "
    "life and was not in the least surprised that it had come at last.",
    "\u201cYou will not go to-night, surely,\u201d said my mother, looking from the window at the darkening sky. "
    "\u201cThe road is bad enough by day, and there is no moon; and besides, your father would never have allowed "
    "it, whatever you may say of him now.\u201d I answered that I must go, and that I would take the lantern and "
    "keep to the high road, and she said nothing more, but went to fetch my coat.",
    "For a long while nobody spoke. The fire burned down in the grate, the clock ticked on the mantelpiece, and "
    "from somewhere below came the sound of a door opening and shutting again. I remember thinking that I had "
    "never known a house so quiet, nor a company so unwilling to break the silence, and I wondered what it was "
    "that each of them was waiting for, and whether I should ever be told.",
)
ROMAN = ["I", "II", "III", "IV"]


def prose(k: int = 0, n: int = 2) -> str:
    """``n`` paragraphs, hard-wrapped at 70 columns, starting from the ``k``-th."""
    return "\n\n".join(textwrap.fill(_PARAS[(k + i) % len(_PARAS)], 70) for i in range(n))


def opening(k: int = 0) -> str:
    return _PARAS[k % len(_PARAS)][:30]


def numbered(titles: list[str]) -> list[tuple[int, str, str]]:
    return [(k, ROMAN[k], t) for k, t in enumerate(titles)]


def join(*parts: str) -> str:
    return "\n\n\n".join(parts) + "\n"


def gutenberg(title: str, author: str, body: str) -> str:
    upper = title.upper()
    return (f"The Project Gutenberg eBook of {title}, by {author}\n\nThis eBook is for the use of anyone anywhere "
            f"in the United States and\nmost other parts of the world at no cost.\n\nTitle: {title}\n\n"
            f"Author: {author}\n\nRelease Date: June, 1998 [eBook #1342]\n\nLanguage: English\n\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n\n\n{body}\n\n\n"
            f"End of the Project Gutenberg EBook of {title}, by {author}\n\n"
            f"*** END OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\nUpdated editions will replace the previous "
            "one--the old editions will\nbe renamed.\n\nSection 1. General Terms of Use and Redistributing Project "
            "Gutenberg-tm\nelectronic works\n")


def kept(b: Book) -> list[str]:
    return [c.title for c in b.chapters if c.kept]


def skipped(b: Book) -> list[str]:
    return [c.skip or "" for c in b.chapters if not c.kept]


def starts(b: Book) -> list[str]:
    """The first words read of each kept chapter."""
    return [" ".join(b.text[c.body:c.end].split())[:30] for c in b.chapters if c.kept]


def assert_tiles(b: Book) -> None:
    assert b.chapters[0].start == 0 and b.chapters[-1].end == len(b.text)
    for a, c in zip(b.chapters, b.chapters[1:], strict=False):
        assert a.end == c.start and c.start <= c.body <= c.end


def test_contents_in_one_paragraph_and_title_lines_under_the_heading() -> None:
    """Alice: "CHAPTER I." with "Down the Rabbit-Hole" on the next line, the contents one paragraph."""
    titles = ["Down the Rabbit-Hole", "The Pool of Tears", "A Caucus-Race and a Long Tale"]
    contents = "Contents\n\n" + "\n".join(f" CHAPTER {r}.{' ' * (8 - len(r))}{t}" for _, r, t in numbered(titles))
    body = join("Alice\u2019s Adventures in Wonderland", "by Lewis Carroll", "THE MILLENNIUM FULCRUM EDITION 3.0",
                contents, *(f"CHAPTER {r}.\n{t}\n\n\n{prose(k)}" for k, r, t in numbered(titles)),
                "THE END")
    b = find_chapters(gutenberg("Alice's Adventures in Wonderland", "Lewis Carroll", body))
    assert kept(b) == [f"Chapter {r}: {t}" for _, r, t in numbered(titles)]
    assert skipped(b) == ["licence", "title page", "contents", "end", "licence"]
    assert starts(b) == [opening(k) for k in range(3)]
    assert "End of the Project" not in b.text[b.chapters[-3].start:b.chapters[-3].end]
    assert_tiles(b)


def test_books_over_numerals_with_their_title_on_the_next_line() -> None:
    """The War of the Worlds: "BOOK ONE" / "THE COMING OF THE MARTIANS", then "I." / "THE EVE OF THE WAR."."""
    contents = ("Contents\n\n BOOK ONE.\u2014THE COMING OF THE MARTIANS\n I. THE EVE OF THE WAR.\n II. THE FALLING "
                "STAR.\n\n BOOK TWO.\u2014THE EARTH UNDER THE MARTIANS\n I. UNDER FOOT.")
    body = join("The War of the Worlds", "by H. G. Wells", contents, "BOOK ONE\nTHE COMING OF THE MARTIANS",
                f"I.\nTHE EVE OF THE WAR.\n\n\n{prose(0)}", f"II.\nTHE FALLING STAR.\n\n\n{prose(1)}",
                "BOOK TWO\nTHE EARTH UNDER THE MARTIANS", f"I.\nUNDER FOOT.\n\n\n{prose(2)}")
    b = find_chapters(body)
    assert kept(b) == ["Book One: The Coming of the Martians — I. The Eve of the War",
                       "Book One: The Coming of the Martians — II. The Falling Star",
                       "Book Two: The Earth Under the Martians — I. Under Foot"]
    assert (b.title, b.author) == ("The War of the Worlds", "H. G. Wells")
    assert starts(b) == [opening(k) for k in range(3)]


def test_numerals_over_title_lines_and_an_epilogue() -> None:
    """The Time Machine: " I." / " Introduction" (indented), ..., "Epilogue"."""
    titles = ["Introduction", "The Machine", "The Time Traveller Returns"]
    contents = "Contents\n\n" + "\n".join(f" {r} {t}" for _, r, t in numbered(titles)) + "\n Epilogue"
    chapters = [f" {r}.\n {t}\n\n\n{prose(k)}" for k, r, t in numbered(titles)]
    b = find_chapters(join("The Time Machine", "An Invention", "by H. G. Wells", contents, *chapters,
                           f" Epilogue\n\n\n{prose(1, 1)}"))
    assert kept(b) == ["I. Introduction", "II. The Machine", "III. The Time Traveller Returns", "Epilogue"]
    assert skipped(b) == ["title page", "contents"]


def test_parts_over_chapters_numbered_through_the_book_and_a_dedication() -> None:
    """Treasure Island: "PART ONE--The Old Buccaneer", "1" over its title, chapter 3 in PART TWO."""
    contents = ("CONTENTS\n\n  PART ONE--The Old Buccaneer\n\n  1. THE OLD SEA-DOG AT THE ADMIRAL BENBOW\n"
                "  2. BLACK DOG APPEARS AND DISAPPEARS\n\n  PART TWO--The Sea-cook\n\n  3. I GO TO BRISTOL")
    dedication = ("TO S.L.O., an American gentleman in accordance with whose classic taste the\nfollowing narrative "
                  "has been designed, it is now, in return for numerous\ndelightful hours, and with the kindest "
                  "wishes, dedicated by his affectionate\nfriend, THE AUTHOR.")
    b = find_chapters(join("TREASURE ISLAND", "by Robert Louis Stevenson", dedication, contents,
                           "PART ONE--The Old Buccaneer",
                           f"1\n\nThe Old Sea-dog at the \"Admiral Benbow\"\n\n{prose(0)}",
                           f"2\n\nBlack Dog Appears and Disappears\n\n{prose(1)}", "PART TWO--The Sea-cook",
                           f"3\n\nI Go to Bristol\n\n{prose(2)}"))
    assert kept(b) == ["Part One: The Old Buccaneer — 1. The Old Sea-dog at the \"Admiral Benbow\"",
                       "Part One: The Old Buccaneer — 2. Black Dog Appears and Disappears",
                       "Part Two: The Sea-cook — 3. I Go to Bristol"]
    assert skipped(b) == ["title page", "contents"]
    assert starts(b) == [opening(k) for k in range(3)]


def test_contents_entries_that_end_like_sentences_and_chapter_the_last() -> None:
    """Huckleberry Finn: "CHAPTER I. Civilizing Huck.—Miss Watson.—Tom Sawyer Waits." in the contents."""
    contents = "CONTENTS.\n\n" + "\n\n".join([
        "CHAPTER I. Civilizing Huck.\u2014Miss Watson.\u2014Tom Sawyer Waits.",
        "CHAPTER II. The Boys Escape Jim.\u2014Torn Sawyer's Gang.\u2014Deep-laid Plans.",
        "CHAPTER THE LAST. Nothing More to Write."])
    illustrations = "ILLUSTRATIONS.\n\nThe Widows\nMoses and the \"Bulrushers\"\nMiss Watson\nHuck Stealing Away"
    body = join("ADVENTURES OF HUCKLEBERRY FINN", "(Tom Sawyer's Comrade)", "By Mark Twain", contents,
                illustrations, f"CHAPTER I.\n\n{prose(0)}", f"CHAPTER II.\n\n{prose(1)}",
                f"CHAPTER THE LAST\n\n{prose(2)}")
    b = find_chapters(gutenberg("Adventures of Huckleberry Finn", "Mark Twain", body))
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter the Last"]
    assert skipped(b) == ["licence", "title page", "contents", "contents", "licence"]  # contents, illustrations


def test_a_contents_list_does_not_swallow_the_first_letter() -> None:
    """Frankenstein: the contents lists Letter 1-4 and the chapters in one paragraph."""
    contents = " CONTENTS\n\n" + "\n".join([f" Letter {n}" for n in range(1, 5)] + [" Chapter 1", " Chapter 2"])
    letters = [f"Letter {n}\n\n_To Mrs. Saville, England._\n\n\nSt. Petersburgh, Dec. 11th, 17\u2014.\n\n\n{prose(n)}"
               for n in range(1, 5)]
    b = find_chapters(join("Frankenstein;", "or, the Modern Prometheus", "by Mary Wollstonecraft (Godwin) Shelley",
                           contents, *letters, f"Chapter 1\n\n\n{prose(0)}", f"Chapter 2\n\n\n{prose(1)}"))
    assert [t.split(":")[0] for t in kept(b)] == ["Letter 1", "Letter 2", "Letter 3", "Letter 4", "Chapter 1",
                                                   "Chapter 2"]
    assert (b.title, b.author) == ("Frankenstein", "Mary Wollstonecraft Shelley")


def test_long_titles_in_capitals_over_two_lines() -> None:
    """Oliver Twist: "CHAPTER III" / "RELATES HOW OLIVER TWIST WAS VERY NEAR GETTING A PLACE WHICH" / ..."""
    titles = ["TREATS OF THE PLACE WHERE OLIVER TWIST WAS BORN; AND OF THE\nCIRCUMSTANCES ATTENDING HIS BIRTH",
              "RELATES HOW OLIVER TWIST WAS VERY NEAR GETTING A PLACE WHICH\nWOULD NOT HAVE BEEN A SINECURE",
              "IN WHICH OLIVER IS TAKEN BETTER CARE OF THAN HE EVER WAS BEFORE. AND\nIN WHICH THE NARRATIVE "
              "REVERTS TO THE MERRY OLD GENTLEMAN AND HIS\nYOUTHFUL FRIENDS."]
    contents = "CONTENTS\n\n" + "\n".join(f"{r:9}" + t.replace("\n", "\n         ") for _, r, t in numbered(titles))
    b = find_chapters(join("OLIVER TWIST", "OR", "THE PARISH BOY'S PROGRESS", "BY", "CHARLES DICKENS", contents,
                           *(f"CHAPTER {r}\n{t}\n\n{prose(k)}" for k, r, t in numbered(titles))))
    assert kept(b)[1] == "Chapter II: Relates How Oliver Twist Was Very Near Getting a Place Which Would Not Have " \
                         "Been a Sinecure"
    assert len(kept(b)) == 3 and skipped(b) == ["title page", "contents"]
    assert starts(b) == [opening(k) for k in range(3)]
    assert (b.title, b.author) == ("Oliver Twist", "Charles Dickens")


def test_front_sections_before_the_first_chapter() -> None:
    """Moby-Dick: a transcriber's note (not read), ETYMOLOGY, EXTRACTS, the chapters and an Epilogue,
    all listed in the contents."""
    contents = "CONTENTS\n\n" + "\n\n".join(["ETYMOLOGY.", "EXTRACTS (Supplied by a Sub-Sub-Librarian).",
                                             "CHAPTER 1. Loomings.", "CHAPTER 2. The Carpet-Bag.", "Epilogue"])
    note = ("Original Transcriber\u2019s Notes:\n\nThis text is a combination of etexts, one from the now-defunct "
            "ERIS\nproject at Virginia Tech and one from Project Gutenberg\u2019s archives. The\nproofreaders of "
            "this version are indebted to The University of Adelaide\nLibrary for preserving the Virginia Tech "
            "version.")
    body = join("MOBY-DICK;", "or, THE WHALE.", "By Herman Melville", contents, note,
                f"ETYMOLOGY.\n\n(Supplied by a Late Consumptive Usher to a Grammar School.)\n\n{prose(0, 1)}",
                f"EXTRACTS. (Supplied by a Sub-Sub-Librarian).\n\n{prose(1)}", f"CHAPTER 1. Loomings.\n\n{prose(2)}",
                f"CHAPTER 2. The Carpet-Bag.\n\n{prose(0)}",
                f"Epilogue\n\n\u201cAND I ONLY AM ESCAPED ALONE TO TELL THEE\u201d\nJob.\n\n{prose(1, 1)}")
    b = find_chapters(body)
    assert kept(b) == ["Etymology", "EXTRACTS. (Supplied by a Sub-Sub-Librarian)", "Chapter 1: Loomings",
                       "Chapter 2: The Carpet-Bag", "Epilogue"]
    assert skipped(b) == ["title page", "contents", "front matter"]
    assert (b.title, b.author) == ("Moby-Dick", "Herman Melville")
    assert_tiles(b)


def test_prefaces_and_letters_named_by_a_title_line() -> None:
    """Gulliver's Travels and the Odyssey: sections before PART I / BOOK I, a long title in capitals."""
    b = find_chapters(join("GULLIVER\u2019S TRAVELS", "BY JONATHAN SWIFT, D.D.,",
                           f"THE PUBLISHER TO THE READER.\n\n{prose(0)}",
                           f"A LETTER FROM CAPTAIN GULLIVER TO HIS COUSIN SYMPSON.\n\n{prose(1)}",
                           "PART I. A VOYAGE TO LILLIPUT.", f"CHAPTER I.\n\n{prose(2)}", f"CHAPTER II.\n\n{prose(0)}"))
    assert kept(b) == ["The Publisher to the Reader", "A Letter from Captain Gulliver to His Cousin Sympson",
                       "Part I: A Voyage to Lilliput — Chapter I", "Part I: A Voyage to Lilliput — Chapter II"]
    assert b.author == "Jonathan Swift, D.D"
    title = "THE GODS IN COUNCIL\u2014MINERVA\u2019S VISIT TO ITHACA\u2014THE CHALLENGE FROM TELEMACHUS TO THE SUITORS."
    b = find_chapters(join("THE ODYSSEY", "By Homer", f"PREFACE TO FIRST EDITION\n\n{prose(0)}",
                           f"PREFACE TO THE SECOND EDITION\n\n{prose(1)}", f"BOOK I\n\n\n{title}\n\n\n{prose(2)}",
                           f"BOOK II\n\n\n{title}\n\n\n{prose(0)}"))
    assert kept(b)[:3] == ["Preface to First Edition", "Preface to the Second Edition",
                           "Book I: The Gods in Council—Minerva’s Visit to Ithaca—The Challenge from Telemachus "
                           "to the Suitors"]
    assert starts(b)[2] == opening(2)


def test_a_preface_signed_with_initials_and_contents_after_it() -> None:
    """A Christmas Carol: the preface ends "C. D." (not a numeral heading); the contents follow it."""
    b = find_chapters(join("A CHRISTMAS CAROL", "by Charles Dickens",
                           f"PREFACE\n\n{prose(0, 1)}\n\nTheir faithful Friend and Servant,\n\nC. D.\n\nDec. 1843.",
                           "CONTENTS\n\n STAVE   I.  MARLEY'S GHOST\n STAVE  II.  THE FIRST OF THE THREE SPIRITS",
                           f"STAVE I:  MARLEY'S GHOST\n\n\n{prose(1)}",
                           f"STAVE II:  THE FIRST OF THE THREE SPIRITS\n\n\n{prose(2)}"))
    assert kept(b) == ["Preface", "Stave I: Marley's Ghost", "Stave II: The First of the Three Spirits"]
    assert skipped(b) == ["title page", "contents"]


def test_a_preface_holds_no_chapters_but_an_epilogue_over_chapters_does() -> None:
    """Jane Eyre's "NOTE TO THE THIRD EDITION" after its preface; War and Peace's "FIRST EPILOGUE"."""
    b = find_chapters(join("JANE EYRE", "by Charlotte Bront\u00eb", f"PREFACE\n\n{prose(0)}",
                           f"NOTE TO THE THIRD EDITION\n\n{prose(1, 1)}\n\nCURRER BELL.",
                           f"I. Gateshead\n\n{prose(2)}", f"II. The Red-Room\n\n{prose(0)}"))
    assert kept(b) == ["Preface", "Note to the Third Edition", "I. Gateshead", "II. The Red-Room"]
    contents = "CONTENTS\n\nBOOK ONE: 1805\n\nCHAPTER I\n\nCHAPTER II\n\nFIRST EPILOGUE: 1813 - 20\n\nCHAPTER I"
    parts = [f"{head}\n\n\nCHAPTER I\n\n{prose(0)}\n\n\nCHAPTER II\n\n{prose(1)}"
             for head in ("BOOK ONE: 1805", "FIRST EPILOGUE: 1813 - 20")]
    b = find_chapters(gutenberg("War and Peace", "Leo Tolstoy", join("WAR AND PEACE", contents, *parts)))
    assert kept(b) == ["Book One: 1805 — Chapter I", "Book One: 1805 — Chapter II",
                       "First Epilogue: 1813 - 20 — Chapter I", "First Epilogue: 1813 - 20 — Chapter II"]


def test_illustrations_are_not_titles_and_not_where_the_text_starts() -> None:
    """Illustrated editions (Pride and Prejudice): "[Illustration]" under each heading, a list of them."""
    illustrations = ("LIST OF ILLUSTRATIONS.\n\n   Frontispiece                                  iv\n\n"
                     "   Heading to Chapter I.                          1\n\n   Mr. and Mrs. Bennet       6")
    chapters = [f"                            CHAPTER {r}.\n\n\n[Illustration]\n\n\n{prose(k)}\n\n"
                f"[Illustration: \u201cHe came down\n to see the place\u201d]\n\n{prose(k + 1, 1)}"
                for k, r in enumerate(ROMAN[:3])]
    body = join("[Illustration:\n      GEORGE ALLEN\n      PUBLISHER\n]", "PRIDE.\nand\nPREJUDICE", "by\n\nJane Austen",
                illustrations, *chapters, "THE END")
    b = find_chapters(body)
    assert kept(b) == ["Chapter I", "Chapter II", "Chapter III"]
    assert starts(b) == [opening(k) for k in range(3)]
    assert b.author == "Jane Austen"


def test_the_old_small_print_header_and_the_end_line() -> None:
    header = ("The Project Gutenberg Etext of Wuthering Heights, by Emily Bronte\n\nPlease take a look at the "
              "important information in this header.\n\n**START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START**"
              "\nWhy is this \"Small Print!\" statement here?  You know: lawyers.\nThey tell us you might sue us if "
              "there is something wrong with\nyour copy of this etext, even if you got it for free from\nsomeone "
              "other than us, and even if what's wrong is not our\nfault.\n\n"
              "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n")
    body = join("WUTHERING HEIGHTS", "by Emily Bronte", *(f"CHAPTER {r}\n\n{prose(k)}" for k, r in enumerate(ROMAN)))
    b = find_chapters(header + body + "\n\nEnd of The Project Gutenberg Etext of Wuthering Heights\n")
    assert kept(b) == [f"Chapter {r}" for r in ROMAN]
    assert (b.title, b.author) == ("Wuthering Heights", "Emily Bronte")
    assert skipped(b) == ["licence", "title page", "licence"]


def test_produced_by_and_a_transcribers_note_are_not_read_crlf() -> None:
    produced = ("Produced by Charles Aldarondo, Charles Franks and the Online\nDistributed Proofreading Team at "
                "http://www.pgdp.net (This file was\nproduced from images generously made available by The Internet"
                "\nArchive/American Libraries.)")
    note = ("Transcriber's Note:\n\nThe spelling and punctuation of the original have been kept, except\nthat "
            "obvious printer's errors have been silently corrected; a list of\nthe corrections is given at the end "
            "of the book.")
    body = join(produced, note, "THE SECRET GARDEN", "BY", "FRANCES HODGSON BURNETT",
                *(f"CHAPTER {r}\nTHERE IS NO ONE LEFT\n\n{prose(k)}" for k, r in enumerate(ROMAN[:2])))
    b = find_chapters(gutenberg("The Secret Garden", "Frances Hodgson Burnett", body).replace("\n", "\r\n"))
    assert kept(b) == ["Chapter I: There Is No One Left", "Chapter II: There Is No One Left"]
    assert skipped(b) == ["licence", "title page", "front matter", "licence"]
    assert_tiles(b)


def test_cantos_under_a_name_and_the_acts_and_scenes_of_a_play() -> None:
    tercets = "\n\n".join(["  Midway upon the journey of our life\n    I found myself within a forest dark,\n"
                           "      For the straightforward pathway had been lost."] * 6)
    b = find_chapters(join("THE DIVINE COMEDY", "by Dante Alighieri",
                           *(f"Inferno: Canto {r}\n\n\n{tercets}" for r in ROMAN[:3])))
    assert kept(b) == ["Inferno: Canto I", "Inferno: Canto II", "Inferno: Canto III"]
    speech = "BARNARDO.\nWho\u2019s there?\n\nFRANCISCO.\nNay, answer me. Stand and unfold yourself."
    b = find_chapters(join("THE TRAGEDY OF HAMLET, PRINCE OF DENMARK", "by William Shakespeare", "ACT I",
                           f"SCENE I. Elsinore. A platform before the Castle.\n\n Enter Francisco.\n\n{speech}",
                           f"SCENE II. A room of state in the Castle.\n\n{speech}", "ACT II",
                           f"SCENE I. A room in Polonius\u2019s house.\n\n{speech}"))
    assert kept(b) == ["Act I — Scene I: Elsinore. A platform before the Castle",
                       "Act I — Scene II: A room of state in the Castle",
                       "Act II — Scene I: A room in Polonius’s house"]


def test_tidy_titles_with_dashes_and_initials() -> None:
    assert tidy("THE GODS IN COUNCIL\u2014MINERVA\u2019S VISIT") == "The Gods in Council\u2014Minerva\u2019s Visit"
    assert tidy("THE P.C. AND P.O.") == "The P.C. and P.O"
    assert tidy("THE 12TH OF MAY") == "The 12th of May"
    assert tidy("MOBY-DICK;") == "Moby-Dick"


def test_stories_with_titles_only_after_a_contents_list() -> None:
    """The Jungle Book: a contents list of titles, a verse under each title; Grimm: "CONTENTS:"."""
    verse = ("Now Rann the Kite brings home the night\n    That Mang the Bat sets free--\nThe herds are shut in "
             "byre and hut\n    For loosed till dawn are we.")
    titles = ["Mowgli's Brothers", "Kaa's Hunting", "Tiger! Tiger!"]
    contents = "Contents\n\n" + "\n".join(f"     {t}" for t in titles)
    works = [f"\n{t}\n\n\n\n{verse}\n\n{prose(k)}\n" for k, t in enumerate(titles)]
    b = find_chapters(gutenberg("The Jungle Book", "Rudyard Kipling",
                                join("THE JUNGLE BOOK", "By Rudyard Kipling", contents, *works)))
    assert kept(b) == titles
    assert skipped(b) == ["licence", "title page", "contents", "licence"]
    titles = ["THE GOLDEN BIRD", "HANS IN LUCK", "JORINDA AND JORINDEL"]
    contents = "CONTENTS:\n\n" + "\n".join(f"     {t}" for t in titles)
    b = find_chapters(join("GRIMMS' FAIRY TALES", contents, *(f"\n{t}\n\n\n\n{prose(k)}\n" for k, t in
                                                               enumerate(titles))))
    assert kept(b) == ["The Golden Bird", "Hans in Luck", "Jorinda and Jorindel"]
    assert starts(b) == [opening(k) for k in range(3)]


def test_a_long_title_line_under_the_heading() -> None:
    """Winnie-the-Pooh: "CHAPTER I" then a title line of more than 80 characters."""
    titles = ["IN WHICH We Are Introduced to Winnie-the-Pooh and Some Bees, and the Stories Begin",
              "IN WHICH Pooh Goes Visiting and Gets into a Tight Place"]
    b = find_chapters(join("WINNIE-THE-POOH", "BY A. A. MILNE", f"INTRODUCTION\n\n{prose(0, 1)}",
                           *(f"CHAPTER {r}\n\n{t}\n\n{prose(k)}" for k, r, t in numbered(titles))))
    assert kept(b) == ["Introduction", *(f"Chapter {r}: {t}" for _, r, t in numbered(titles))]
    assert (b.title, b.author) == ("Winnie-The-Pooh", "A. A. Milne")


def test_footnotes_and_an_index_after_the_last_chapter_are_not_read() -> None:
    chapters = [f"CHAPTER {r}\n\n{prose(k)}[1]" for k, r in enumerate(ROMAN[:2])]
    notes = "[1] The old parish of St. Mary, which was pulled down in the year of\nthe great fire."
    b = find_chapters(join("A HISTORY", "by Someone", *chapters, "FOOTNOTES:", notes))
    assert kept(b) == ["Chapter I", "Chapter II"] and skipped(b) == ["title page", "back matter"]
    b = find_chapters(join("A HISTORY", "by Someone", *chapters, "INDEX", "Abbey, the old, 12, 45\nAnne, Queen, 33"))
    assert skipped(b) == ["title page", "back matter"]
    assert "Abbey" not in b.text[b.chapters[-2].start:b.chapters[-2].end]


def test_an_introductions_own_subheadings_and_a_copyright_notice_are_not_sections() -> None:
    copyright_ = ("Copyright, 1911, by Charles Scribner's Sons. All rights reserved, including that of translation "
                  "into foreign languages, including the Scandinavian, and the right of performance.")
    b = find_chapters(join("A NOVEL", "by Someone", "Copyright, 1911", copyright_, f"INTRODUCTION\n\n{prose(0, 1)}",
                           f"The Early Life\n\n{prose(1, 1)}", f"The Later Years\n\n{prose(2, 1)}",
                           f"CHAPTER I\n\n{prose(0)}", f"CHAPTER II\n\n{prose(1)}"))
    assert kept(b) == ["Introduction", "Chapter I", "Chapter II"]
    assert skipped(b) == ["title page"]


def test_an_anthologys_titles_over_their_authors_and_act_and_scene_on_one_line() -> None:
    works = [("THE GIFT OF THE MAGI", "By O. Henry"), ("THE NECKLACE", "By Guy de Maupassant"),
               ("THE MONKEY'S PAW", "By W. W. Jacobs")]
    b = find_chapters(join("GREAT SHORT STORIES", *(f"\n{t}\n\n{by}\n\n{prose(k)}\n" for k, (t, by) in
                                                     enumerate(works))))
    assert kept(b) == ["The Gift of the Magi", "The Necklace", "The Monkey's Paw"]
    assert starts(b)[0] == "By O. Henry " + opening(0)[:18]
    speech = "BARNARDO.\nWho\u2019s there?\n\nFRANCISCO.\nNay, answer me. Stand and unfold yourself."
    b = find_chapters(join("HAMLET", "by William Shakespeare", f"ACT I. SCENE I.\nElsinore. A platform.\n\n{speech}",
                           f"ACT I. SCENE II.\nA room of state.\n\n{speech}", f"ACT II. SCENE I.\nA room.\n\n{speech}"))
    assert kept(b) == ["Act I, Scene I: Elsinore. A platform", "Act I, Scene II: A room of state",
                       "Act II, Scene I: A room"]


def test_front_sections_the_contents_does_not_list_are_front_matter() -> None:
    """Huckleberry Finn: NOTICE and EXPLANATORY are not in its contents, which lists only chapters."""
    notice = ("NOTICE\n\nPERSONS attempting to find a motive in this narrative will be prosecuted;\npersons attempting "
              "to find a moral in it will be banished; persons\nattempting to find a plot in it will be shot.")
    explanatory = ("EXPLANATORY\n\nIN this book a number of dialects are used, to wit:  the Missouri negro\ndialect; "
                   "the extremest form of the backwoods Southwestern dialect; the\nordinary \"Pike County\" dialect; "
                   "and four modified varieties of this\nlast.\n\nTHE AUTHOR.")
    contents = "CONTENTS.\n\nCHAPTER I. Civilizing Huck.\n\nCHAPTER II. The Boys Escape Jim."
    b = find_chapters(join("ADVENTURES OF HUCKLEBERRY FINN", "By Mark Twain", notice, contents, explanatory,
                           f"CHAPTER I.\n\n{prose(0)}", f"CHAPTER II.\n\n{prose(1)}"))
    assert kept(b) == ["Chapter I", "Chapter II"]
    assert skipped(b) == ["title page", "contents", "title page"]
    assert "EXPLANATORY" in b.text[b.chapters[2].start:b.chapters[2].end]


def test_a_title_line_under_an_illustration() -> None:
    b = find_chapters(join("THE BOOK", "by Someone", *(f"CHAPTER {r}\n\n[Illustration]\n\nTHE {w} DAY\n\n{prose(k)}"
                                                       for k, (r, w) in enumerate([("I", "FIRST"), ("II", "NEXT")]))))
    assert kept(b) == ["Chapter I: The First Day", "Chapter II: The Next Day"]
    assert starts(b) == [opening(0), opening(1)]
