"""Saving voices.yaml after casting: a symlink stays a symlink, and what cannot be saved is said."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Work
from pipeline.speakers.analyse import analyse
from pipeline.voices.cast import cast_works

TEXT = '"We sail at dawn," said Bartholomew.\n\n"Then we sail," Winifred replied.\n'


def one_story(tmp_path: Path) -> tuple[list[Work], list]:
    path = tmp_path / "01-ships.txt"
    path.write_text(TEXT, encoding="utf-8")
    return [Work(slug=path.stem, title="Ships", path=path, text=TEXT, number=1)], [analyse(TEXT)]


def test_a_symlinked_voices_file_is_updated_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "voices.yaml"
    real.parent.mkdir()
    real.write_text("narrator:\n  voice: gmw/en-us\n", encoding="utf-8")
    link = tmp_path / "voices.yaml"
    link.symlink_to(real)
    result = cast_works(link, *one_story(tmp_path))
    assert result.updated and not result.warnings
    assert link.is_symlink() and link.resolve() == real
    assert "Bartholomew" in real.read_text(encoding="utf-8")


def test_a_folder_in_the_way_is_a_warning_for_a_build(tmp_path: Path) -> None:
    voices = tmp_path / "missing" / "voices.yaml"
    (tmp_path / "missing").write_text("a file where the folder should be", encoding="utf-8")
    result = cast_works(voices, *one_story(tmp_path))
    assert not result.created
    assert [w for w in result.warnings if w.startswith(f"{voices}: could not save it")]
    assert result.casting.canonical("Bartholomew") is not None  # cast in memory all the same
