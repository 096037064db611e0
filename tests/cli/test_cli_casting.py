"""`audiobook voices`, `preview` and `cast`: exit codes, output, one-line errors."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import ROOT

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two stories of the corpus and no voices.yaml yet."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("01-the-margins.txt", "02-a-whispered-promise.txt"):
        shutil.copy(ROOT / "corpus" / name, corpus / name)
    return tmp_path


def options(root: Path) -> list[str]:
    return ["--corpus", str(root / "corpus"), "--voices", str(root / "voices.yaml")]


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_voices_lists_voices_and_variants() -> None:
    code, stdout, _ = run("voices", "--language", "en")
    assert code == 0
    for text in ("gmw/en-us", "gmw/en-gb-x-rp", "en-gb-scotland", "Variants", "Annie", "female", "m3"):
        assert text in stdout
    assert "roa/fr" not in stdout
    code, everything, _ = run("voices")
    assert code == 0 and "roa/fr" in everything


def test_cast_writes_and_prints_the_cast(project: Path) -> None:
    code, stdout, _ = run("cast", *options(project))
    assert code == 0
    for name in ("Madame Dupont", "Stéphane Cara", "Kamil Moreau", "the young woman"):
        assert name in stdout
    assert "created" in stdout
    text = (project / "voices.yaml").read_text(encoding="utf-8")
    code, stdout, _ = run("cast", *options(project))
    assert code == 0 and "unchanged" in stdout
    assert (project / "voices.yaml").read_text(encoding="utf-8") == text


def test_preview_renders_a_characters_lines(project: Path) -> None:
    build_dir = project / "build"
    code, stdout, stderr = run("preview", "Madame Dupont", *options(project), "--build-dir", str(build_dir))
    assert code == 0, stderr
    path = Path(stdout.strip())
    assert path.parent == build_dir / "previews" and path.suffix == ".wav"
    assert seconds(path) > 2.0
    assert "gmw/" in stderr and "2 line(s)" in stderr  # she has two lines in the story
    assert not (project / "voices.yaml").exists()  # a preview never writes the casting


def test_preview_of_a_voice_id_and_of_one_story(project: Path) -> None:
    build_dir = project / "build"
    code, stdout, _ = run("preview", "gmw/en-us+f3", "--build-dir", str(build_dir))
    assert code == 0 and seconds(Path(stdout.strip())) > 1.0
    code, stdout, stderr = run("preview", "Kamil", "--story", "02-a-whispered-promise", *options(project),
                               "--build-dir", str(build_dir))
    assert code == 0, stderr
    assert Path(stdout.strip()).name == "kamil-moreau.wav"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Madam Dupont"], ["no character or voice 'Madam Dupont'", "did you mean 'Madame Dupont'"]),
        (["gmw/en-uss"], ["unknown voice 'gmw/en-uss'"]),
        (["gmw/en-us+f9"], ["unknown variant 'f9'"]),
        (["Madame Dupont", "--story", "01-margins"], ["no story '01-margins'", "did you mean '01-the-margins'"]),
    ],
    ids=["name", "voice", "variant", "story"],
)
def test_preview_mistakes_are_one_line(project: Path, args: list[str], words: list[str]) -> None:
    code, _, stderr = run("preview", *args, *options(project), "--build-dir", str(project / "build"))
    assert code == 1
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    for word in words:
        assert word in lines[0]


def test_a_broken_voices_yaml_is_one_error_line_and_nothing_is_built(project: Path) -> None:
    voices = project / "voices.yaml"
    voices.write_text("characters:\n  Madame Dupont:\n    voice: gmw/en\n    rate: 900\n", encoding="utf-8")
    for command in (["cast", *options(project)],
                    ["build", *options(project), "--build-dir", str(project / "build")]):
        code, _, stderr = run(*command)
        assert code == 1
        lines = [line for line in stderr.splitlines() if line.strip() and "Error" in line]
        assert lines == [f"Error: {voices}:4: characters.Madame Dupont.rate: 900 is out of range; use 80 to 450"]
    assert not list((project / "build").rglob("*.wav"))


BOOK = """# The Tea Room

## Chapter One

Madame Dupont opened the tea room at dawn.

“The kettle first,” said Madame Dupont.

## Chapter Two

“And then the cakes,” said Madame Dupont, “always the cakes.”
"""


def test_a_books_character_is_cast_apart_from_a_storys_namesake(project: Path) -> None:
    (project / "corpus" / "tea-room.md").write_text(BOOK, encoding="utf-8")
    code, stdout, stderr = run("cast", *options(project))
    assert code == 0, stderr
    text = (project / "voices.yaml").read_text(encoding="utf-8")
    assert "  Madame Dupont:" in text and "  \"Madame Dupont (The Tea Room)\":" in text
    assert "works: [tea-room]" in text
    # The story's Madame Dupont and the book's are heard apart in previews, each with her own lines.
    build_dir = project / "build"
    code, stdout, stderr = run("preview", "Madame Dupont", "--story", "tea-room", *options(project),
                               "--build-dir", str(build_dir))
    assert code == 0, stderr
    assert Path(stdout.strip()).name == "madame-dupont-the-tea-room.wav"
    assert "3 line(s)" in stderr  # the book's two quotations, one of them in two parts
    code, stdout, stderr = run("preview", "Madame Dupont", *options(project), "--build-dir", str(build_dir))
    assert code == 0 and Path(stdout.strip()).name == "madame-dupont.wav" and "2 line(s)" in stderr
    code, again, _ = run("cast", *options(project))
    assert code == 0 and "unchanged" in again
