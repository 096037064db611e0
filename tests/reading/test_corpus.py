"""corpus.yaml: validated once, every error naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import CorpusError
from pipeline.reading.corpus import load_corpus
from tests.conftest import ROOT


def corpus(tmp_path: Path, yaml_text: str, works: tuple[str, ...] = ("01-rain.txt", "02-cups.txt")) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in works:
        (folder / name).write_text(f"The story {name}.\n", encoding="utf-8")
    (folder / "corpus.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


def error(folder: Path) -> str:
    with pytest.raises(CorpusError) as info:
        load_corpus(folder)
    return str(info.value)


def test_the_project_corpus_loads_in_its_order() -> None:
    loaded = load_corpus(ROOT / "corpus")
    assert loaded.title == "Café Stories" and loaded.author == "Anonymous"
    assert [s.title for s in loaded.works] == ["The Margins", "A Whispered Promise", "Behind the Counter"]
    assert [s.number for s in loaded.works] == [1, 2, 3]


def test_every_key_is_read(tmp_path: Path) -> None:
    folder = corpus(tmp_path, (
        "title: 1984\nauthor: Ann Author\nyear: 2024\nnarrator: Robots\n"
        "credits:\n  opening: Hello.\n  closing: Goodbye.\n"
        "stories:\n  - file: 02-cups.txt\n    title: Cups\n"
    ))
    loaded = load_corpus(folder)
    assert (loaded.title, loaded.author, loaded.year, loaded.narrator) == ("1984", "Ann Author", "2024", "Robots")
    assert (loaded.opening_credits, loaded.closing_credits) == ("Hello.", "Goodbye.")
    # the listed story first, then the others in file-name order, titled after their file name
    assert [s.title for s in loaded.works] == ["Cups", "Rain"]


def test_empty_sections_are_defaults(tmp_path: Path) -> None:
    loaded = load_corpus(corpus(tmp_path, "# only a comment\ntitle:\nstories:\ncredits:\n"))
    assert loaded.title == "Corpus" and loaded.author == "Unknown" and loaded.opening_credits is None
    assert [s.title for s in loaded.works] == ["Rain", "Cups"]


def test_an_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    folder = corpus(tmp_path, "title: Tiny Tales\nauthr: Ann Author\n")
    assert error(folder) == (
        f"{folder / 'corpus.yaml'}:2: authr: unknown key 'authr'; did you mean 'author'? "
        "valid keys: title, author, year, language, narrator, credits, stories"
    )


def test_an_unknown_key_in_a_story_or_the_credits(tmp_path: Path) -> None:
    folder = corpus(tmp_path, "stories:\n  - file: 01-rain.txt\n    titel: Rain\n")
    assert error(folder).endswith(
        "corpus.yaml:3: stories[0].titel: unknown key 'titel'; did you mean 'title'? "
        "valid keys: file, title, author, year, description, language, chapters")
    (folder / "corpus.yaml").write_text("credits:\n  opening: Hi.\n  closing: Bye.\n  clossing: Bye.\n")
    assert "corpus.yaml:4: credits.clossing: unknown key 'clossing'; did you mean 'closing'?" in error(folder)


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("title: [Tiny, Tales]\n", "corpus.yaml:1: title: input should be a valid string (got ['Tiny', 'Tales'])"),
    ("stories: 01-rain.txt\n", "corpus.yaml:1: stories: expected a list of stories"),
    ("stories:\n  - 01-rain.txt\n", "corpus.yaml:2: stories[0]: expected a mapping with keys file, title"),
    ("stories:\n  - title: Rain\n", "corpus.yaml:2: stories[0].file: missing; each story needs a 'file'"),
    ("credits: Thanks.\n", "corpus.yaml:1: credits: expected a mapping with keys opening, closing"),
    ("- 01-rain.txt\n", "corpus.yaml:1: expected a mapping with 'title', 'author' and 'stories'"),
    ("title: [unclosed\n", "corpus.yaml:2: invalid YAML"),
])
def test_a_value_of_the_wrong_type(tmp_path: Path, yaml_text: str, expected: str) -> None:
    assert expected in error(corpus(tmp_path, yaml_text))


def test_a_missing_story_file_names_its_line(tmp_path: Path) -> None:
    folder = corpus(tmp_path, (
        "title: Tiny Tales\nstories:\n  - file: 01-rain.txt\n  - file: 02-cups.txt\n  - file: 03-ran.txt\n"
    ), works=("01-rain.txt", "02-cups.txt", "03-rain.txt"))
    assert error(folder) == (
        f"{folder / 'corpus.yaml'}:5: stories[2].file: story file '03-ran.txt' not found in {folder}; "
        "did you mean '03-rain.txt'? stories there: 01-rain.txt, 02-cups.txt, 03-rain.txt"
    )


def test_a_story_outside_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.txt").write_text("Elsewhere.\n", encoding="utf-8")
    folder = corpus(tmp_path, "stories:\n  - file: ../elsewhere.txt\n")
    assert "corpus.yaml:2: stories[0].file: '../elsewhere.txt' is not a file of this folder" in error(folder)


def test_a_story_listed_twice_is_refused_at_the_second_listing(tmp_path: Path) -> None:
    # Before, the anthology silently played the story twice.
    folder = corpus(tmp_path, (
        "title: Tiny Tales\nstories:\n  - file: 01-rain.txt\n    title: Rain\n"
        "  - file: 02-cups.txt\n  - file: ./01-rain.txt\n    title: Rain again\n"
    ))
    assert error(folder) == (
        f"{folder / 'corpus.yaml'}:6: stories[2].file: './01-rain.txt' is already listed at line 3; "
        "list each story once"
    )


def test_errors_name_the_folder_as_the_user_gave_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus(tmp_path, "stories:\n  - file: 01-rain.txt\n  - file: 01-rain.txt\n")
    monkeypatch.chdir(tmp_path)
    assert error(Path("corpus")).startswith("corpus/corpus.yaml:3: stories[1].file: ")
