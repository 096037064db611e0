"""The command line: exit codes, one-line errors, JSON for attribution, help texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.core import TyperOption
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import CORPUS, ROOT, Project

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def build_args(project: Project) -> list[str]:
    return ["build", "--corpus", str(project.corpus), "--voices", str(project.voices),
            "--build-dir", str(project.build_dir)]


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


EXPECTED_QUOTES = {
    "01-the-margins.txt": [
        ("Bonjour, Stéphane. How are you finding inspiration today?", "Madame Dupont"),
        ("I'm finding it in the everyday moments,", "Stéphane Cara"),
        ("The ones that go unseen, but are still full of life.", "Stéphane Cara"),
        ("Ah, yes! The beauty lies in the margins, n'est-ce pas?", "Madame Dupont"),
    ],
    "02-a-whispered-promise.txt": [
        ("Mind if I join you?", "Kamil Moreau"),
        ("Keep telling their stories.", "the young woman"),
    ],
    "03-behind-the-counter.txt": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_QUOTES))
def test_script_json_on_the_corpus(name: str) -> None:
    code, stdout, _ = run("script", str(CORPUS / name), "--json")
    assert code == 0
    text = (CORPUS / name).read_text(encoding="utf-8")
    segments = json.loads(stdout)["segments"]
    dialogue = [(s["text"], s["speaker"]) for s in segments if s["kind"] == "dialogue"]
    assert dialogue == EXPECTED_QUOTES[name]
    pos = 0
    for s in segments:  # the segments tile the file exactly, offsets as Python str indices
        assert s["start"] == pos and s["end"] >= s["start"]
        assert text[s["start"]:s["end"]] == s["text"]
        pos = s["end"]
    assert pos == len(text)


def test_script_prints_speakers() -> None:
    code, stdout, _ = run("script", str(CORPUS / "01-the-margins.txt"))
    assert code == 0
    assert "Madame Dupont" in stdout and "Stéphane Cara" in stdout


def test_script_on_a_missing_file() -> None:
    code, _, stderr = run("script", "no/such/story.txt")
    assert code == 1
    assert "no/such/story.txt" in one_error_line(stderr)


def test_missing_corpus_folder(project: Project) -> None:
    code, _, stderr = run("build", "--corpus", str(project.root / "nope"), "--voices", str(project.voices),
                          "--build-dir", str(project.build_dir))
    assert code == 1
    line = one_error_line(stderr)
    assert "nope" in line and "corpus folder not found" in line


def test_empty_story(small_project: Project) -> None:
    work = small_project.work
    work.write_text("  \n\n", encoding="utf-8")
    code, _, stderr = run(*build_args(small_project))
    assert code == 1
    line = one_error_line(stderr)
    assert str(work) in line and "empty" in line


def test_story_that_is_not_utf8(small_project: Project) -> None:
    work = small_project.work
    work.write_bytes("First line.\n\nCaf\u00e9 au lait.\n".encode("latin-1"))
    code, _, stderr = run(*build_args(small_project))
    assert code == 1
    line = one_error_line(stderr)
    assert f"{work}:3:" in line and "UTF-8" in line


def test_unknown_voice_is_refused_before_anything_is_written(small_project: Project) -> None:
    # a good build first: a failed one must leave it untouched
    assert run(*build_args(small_project))[0] == 0
    before = {p: p.read_bytes() for p in small_project.build_dir.glob("*.m*")}
    text = small_project.voices.read_text(encoding="utf-8")
    small_project.voices.write_text(text.replace("voice: gmw/en-us\n", "voice: en-uss\n", 1), encoding="utf-8")
    code, _, stderr = run(*build_args(small_project))
    assert code == 1
    line = one_error_line(stderr)
    assert str(small_project.voices) in line and "unknown voice 'en-uss'" in line
    assert {p: p.read_bytes() for p in small_project.build_dir.glob("*.m*")} == before


def test_build_prints_a_summary(small_project: Project) -> None:
    code, stdout, _ = run(*build_args(small_project))
    assert code == 0
    assert "The Visit" in stdout and "clips rendered" in stdout
    # a single work makes no anthology: it would be the same audio twice
    assert "Anthology" not in stdout and not (small_project.build_dir / "anthology.m4b").exists()


def test_every_command_has_help() -> None:
    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert {"build", "script"} <= set(commands)
    for name, command in commands.items():
        assert command.help, f"command {name!r} has no help text"
        for param in command.params:
            if isinstance(param, TyperOption):
                assert param.help, f"option {param.name!r} of {name!r} has no help text"


def test_installed_entry_point_runs() -> None:
    exe = Path(sys.executable).with_name("audiobook")
    result = subprocess.run([str(exe), "script", str(CORPUS / "02-a-whispered-promise.txt"), "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["segments"]


def test_chapters_says_when_a_book_gives_no_title_or_author(tmp_path: Path) -> None:
    prose = "The rain fell on the house all day and all night, and nobody came to the door at all."
    book = tmp_path / "a_room_with_a_view.txt"
    book.write_text(f"CHAPTER I\n\n{prose}\n\nCHAPTER II\n\n{prose}\n", encoding="utf-8")
    code, out, _ = run("chapters", str(book))
    flat = " ".join(out.split())
    assert code == 0 and "A Room with a View" in flat
    assert "no title page: titled 'A Room with a View' after the file name" in flat
    assert "no author found on its title page" in flat and "author: ..." in flat
