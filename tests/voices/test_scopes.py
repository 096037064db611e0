"""Characters per work: a book's cast is its own, the short stories share one, voices.yaml can join them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.audio.synth import plan_work
from pipeline.errors import CastingError
from pipeline.model import Chapter, Work
from pipeline.speakers.analyse import analyse
from pipeline.voices.cast import cast_works
from pipeline.voices.casting import load_casting

STORY = """Jean-Pierre Dupuis came back to the café.

“Madame,” said Jean-Pierre Dupuis, “I am home.”

“So you are,” said Madame Dupont.
"""
CHAPTER_ONE = """CHAPTER I.

Jean-Pierre Dupuis rode into the village at noon.

“Open the gate,” said Jean-Pierre Dupuis.

“It is open,” said Marie Blanc.

"""
CHAPTER_TWO = """CHAPTER II.

The rain had not stopped for a week.

“We leave tonight,” said Jean-Pierre Dupuis.

“Then I come too,” said Marie Blanc.
"""


def a_book(tmp_path: Path, slug: str, title: str, number: int) -> Work:
    text = CHAPTER_ONE + CHAPTER_TWO
    path = tmp_path / f"{slug}.txt"
    path.write_text(text, encoding="utf-8")
    cut = len(CHAPTER_ONE)
    chapters = (Chapter(1, "Chapter I", 0, cut, len("CHAPTER I.\n\n")),
                Chapter(2, "Chapter II", cut, len(text), cut + len("CHAPTER II.\n\n")))
    return Work(slug=slug, title=title, path=path, text=text, number=number, chapters=chapters)


def a_story(tmp_path: Path, slug: str, number: int, text: str = STORY) -> Work:
    path = tmp_path / f"{slug}.txt"
    path.write_text(text, encoding="utf-8")
    return Work(slug=slug, title=slug.title(), path=path, text=text, number=number)


def cast(voices: Path, *works: Work):
    return cast_works(voices, works, [analyse(w.text) for w in works])


def test_a_books_character_is_not_a_storys_character_of_the_same_name(tmp_path: Path) -> None:
    work, book = a_story(tmp_path, "01-return", 1), a_book(tmp_path, "the-ride", "The Ride", 2)
    voices = tmp_path / "voices.yaml"
    casting = cast(voices, work, book).casting
    chars = casting.spec.characters
    assert "Jean-Pierre Dupuis" in chars and chars["Jean-Pierre Dupuis"].works == []
    scoped = chars["Jean-Pierre Dupuis (The Ride)"]
    assert scoped.works == ["the-ride"]
    assert "Jean-Pierre Dupuis" in scoped.aliases  # the name the book uses finds its own entry
    assert casting.canonical("Jean-Pierre Dupuis", "01-return") == "Jean-Pierre Dupuis"
    assert casting.canonical("Jean-Pierre Dupuis", "the-ride") == "Jean-Pierre Dupuis (The Ride)"
    assert casting.canonical("Madame Dupont", "the-ride") is None  # not borrowed from the stories
    text = voices.read_text(encoding="utf-8")
    assert "works: [the-ride]" in text
    # Each work's lines are read by its own entry's voice.
    by_work = {w.slug: plan_work(w, analyse(w.text).segments, casting) for w in (work, book)}
    for slug, entry in (("01-return", "Jean-Pierre Dupuis"), ("the-ride", "Jean-Pierre Dupuis (The Ride)")):
        said = [c.utterance for c in by_work[slug] if "home" in c.utterance.text or "gate" in c.utterance.text]
        assert said and {u.voice for u in said} == {casting.character(entry, slug)}


def test_the_chapters_of_a_book_share_one_cast(tmp_path: Path) -> None:
    book = a_book(tmp_path, "the-ride", "The Ride", 1)
    result = cast(tmp_path / "voices.yaml", book)
    assert sorted(result.casting.spec.characters) == ["Jean-Pierre Dupuis", "Marie Blanc"]
    lines = {c.name: c.lines for c in result.cast}
    assert lines == {"Jean-Pierre Dupuis": 2, "Marie Blanc": 2}  # one chapter's lines and the other's


def test_two_books_with_the_same_names_get_two_casts(tmp_path: Path) -> None:
    one, two = a_book(tmp_path, "book-one", "Book One", 1), a_book(tmp_path, "book-two", "Book Two", 2)
    casting = cast(tmp_path / "voices.yaml", one, two).casting
    assert sorted(casting.spec.characters) == [
        "Jean-Pierre Dupuis", "Jean-Pierre Dupuis (Book Two)", "Marie Blanc", "Marie Blanc (Book Two)"]
    assert casting.canonical("Marie Blanc", "book-one") == "Marie Blanc"
    assert casting.canonical("Marie Blanc", "book-two") == "Marie Blanc (Book Two)"
    # A second build finds everything cast: the file is not touched.
    before = (tmp_path / "voices.yaml").read_bytes()
    again = cast(tmp_path / "voices.yaml", one, two)
    assert not again.updated and (tmp_path / "voices.yaml").read_bytes() == before


def test_voices_yaml_can_share_a_character_across_works(tmp_path: Path) -> None:
    one, two = a_book(tmp_path, "book-one", "Book One", 1), a_book(tmp_path, "book-two", "Book Two", 2)
    work = a_story(tmp_path, "03-return", 3)
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "characters:\n"
        "  Jean-Pierre Dupuis:\n    variant: m7\n    works: [book-one, book-two, 03-return]\n"
        "  Marie Blanc:\n    variant: f2\n    works: book-one   # one work needs no brackets\n",
        encoding="utf-8")
    result = cast(voices, one, two, work)
    casting = result.casting
    for slug in ("book-one", "book-two", "03-return"):
        assert casting.canonical("Jean-Pierre Dupuis", slug) == "Jean-Pierre Dupuis"
    assert casting.spec.characters["Marie Blanc"].works == ["book-one"]
    assert casting.canonical("Marie Blanc", "book-two") == "Marie Blanc (Book Two)"  # cast anew
    jp = next(c for c in result.cast if c.name == "Jean-Pierre Dupuis")
    assert jp.status == "kept" and jp.lines == 5 and jp.works == ("book-one", "book-two", "03-return")


def test_an_entry_for_one_story_wins_there_over_the_shared_one(tmp_path: Path) -> None:
    first, second = a_story(tmp_path, "01-a", 1), a_story(tmp_path, "02-b", 2)
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "characters:\n"
        "  Jean-Pierre Dupuis:\n    variant: m7\n"
        "  Young Jean-Pierre:\n    variant: m2\n    aliases: [Jean-Pierre Dupuis]\n    works: [02-b]\n",
        encoding="utf-8")
    casting = cast(voices, first, second).casting
    assert casting.canonical("Jean-Pierre Dupuis", "01-a") == "Jean-Pierre Dupuis"
    assert casting.canonical("Jean-Pierre Dupuis", "02-b") == "Young Jean-Pierre"
    assert casting.voice_for("Jean-Pierre Dupuis", "02-b").variant == "m2"
    assert casting.voice_for("Jean-Pierre Dupuis", "01-a").variant == "m7"


def test_an_alias_may_repeat_across_scopes_but_not_within_one(tmp_path: Path) -> None:
    book = a_book(tmp_path, "the-ride", "The Ride", 1)
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Jean-Pierre Dupuis:\n    aliases: [JP]\n"
                      "  Jean-Pierre of the Ride:\n    aliases: [JP]\n    works: [the-ride]\n", encoding="utf-8")
    cast(voices, book)  # one JP for the stories, one for the book: fine
    voices.write_text("characters:\n  Jean-Pierre Dupuis:\n    aliases: [JP]\n    works: [the-ride]\n"
                      "  Jean-Pierre of the Ride:\n    aliases: [JP]\n    works: [the-ride]\n", encoding="utf-8")
    with pytest.raises(CastingError) as err:
        cast(voices, book)
    assert str(err.value).startswith(f"{voices}:6: characters.Jean-Pierre of the Ride.aliases: alias 'JP'")


def test_a_work_not_in_the_corpus_is_a_warning_with_its_line(tmp_path: Path) -> None:
    book = a_book(tmp_path, "the-ride", "The Ride", 1)
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Marie Blanc:\n    works: [the-rid]\n", encoding="utf-8")
    result = cast(voices, book)
    assert any(w.startswith(f"{voices}:3: characters.Marie Blanc.works: no work 'the-rid' in the corpus; "
                            "did you mean 'the-ride'?") for w in result.warnings)
    assert result.casting.canonical("Marie Blanc", "the-ride") == "Marie Blanc (The Ride)"
    assert load_casting(voices).spec.characters["Marie Blanc"].works == ["the-rid"]  # kept, as written
