"""Atomic writes and names: short temporaries whatever the target, names cut to fit and kept
unique, every OSError one line naming the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.errors import OutputError
from pipeline.fsutil import NAME_BYTES, atomic_open, atomic_path, is_temporary, safe_name, slugify, temporary


def test_a_long_target_gets_a_short_temporary(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 250 + ".mp3")  # 254 bytes: a legal name, with no room for a suffix
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and is_temporary(tmp.name) and len(tmp.name) < 60
        assert tmp.suffix == ".mp3"
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_long_suffix_is_not_kept(tmp_path: Path) -> None:
    with temporary(tmp_path / ("x." + "s" * 240)) as tmp:
        assert len(tmp.name) < 60
    assert not list(tmp_path.iterdir())


def test_a_name_past_the_limit_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 300 + ".txt")
    with pytest.raises(OutputError, match=r"file name too long; shorten"), atomic_open(target) as fh:
        fh.write("x")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("blocked", ["cache", "cache/clips"])
def test_a_file_in_the_way_of_a_folder(tmp_path: Path, blocked: str) -> None:
    (tmp_path / blocked).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocked).write_text("a file", encoding="utf-8")
    with pytest.raises(OutputError) as caught, atomic_open(tmp_path / "cache" / "clips" / "ab" / "x.json"):
        pass
    assert str(caught.value).startswith(f"{tmp_path / blocked}: a file is in the way of a folder")


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"), atomic_open(tmp_path / "x.json"):
            pass
    finally:
        tmp_path.chmod(0o755)


def test_names_are_cut_by_bytes_and_stay_unique() -> None:
    base = "Le Voyage Extraordinaire et Tout à Fait Improbable du Gardien de Phare " * 3
    one, two = base + "un", base + "deux"
    for cut in (slugify, safe_name):
        a, b = cut(one), cut(two)
        assert len(a.encode("utf-8")) <= NAME_BYTES and len(b.encode("utf-8")) <= NAME_BYTES
        assert a != b and cut(one) == a  # unique, and the same every build
    wide = "É" * 100  # two bytes a letter: never cut inside one
    assert len(safe_name(wide).encode("utf-8")) <= NAME_BYTES
    safe_name(wide).encode("utf-8").decode("utf-8")


def test_short_names_are_unchanged() -> None:
    assert slugify("The Margins") == "the-margins"
    assert safe_name("A Whispered Promise") == "A Whispered Promise"
    assert slugify("x" * NAME_BYTES) == "x" * NAME_BYTES
    assert slugify("???") == "untitled" and safe_name("...") == "Untitled"
