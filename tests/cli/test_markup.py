"""User text (titles, paths, messages) is printed as it is, never read as Rich markup."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import TINY_STORY, VOICES


def test_a_title_with_brackets_is_printed_as_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TINY_STORY, corpus / TINY_STORY.name)
    shutil.copy(VOICES, tmp_path / "voices.yaml")
    (corpus / "corpus.yaml").write_text(f'stories:\n  - file: {TINY_STORY.name}\n    title: "Closing [/] [bold]x"\n',
                                        encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--corpus", str(corpus), "--voices", str(tmp_path / "voices.yaml"),
                                      "--build-dir", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output
    assert "Closing [/] [bold]x" in result.stdout


def test_an_error_with_brackets_is_printed_as_written(tmp_path: Path) -> None:
    missing = tmp_path / "[red]corpus[/]"
    result = CliRunner().invoke(app, ["build", "--corpus", str(missing), "--build-dir", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert f"{missing}: corpus folder not found" in " ".join(result.stderr.split())
