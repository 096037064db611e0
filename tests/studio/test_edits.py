"""The studio's writes: only the files it may change, only when they still hold what the page read,
never while a build holds the lock, and never half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.errors import BuildLocked, CastingError
from pipeline.runner.lock import build_lock
from pipeline.studio import edits
from pipeline.studio.project import ABSENT, file_hash
from tests.conftest import VOICES


def _allowed(path: Path) -> bool:
    return path.name == "voices.yaml"


def test_a_write_needs_the_hash_the_page_read(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    shutil.copy(VOICES, voices)
    build = tmp_path / "build"
    base = file_hash(voices)
    written = edits.write_guarded(voices, base, lambda t: t + "# one\n", build, _allowed)
    assert voices.read_text(encoding="utf-8").endswith("# one\n") and written.hash == file_hash(voices)
    with pytest.raises(edits.Stale, match="changed on disk"):
        edits.write_guarded(voices, base, lambda t: t + "# two\n", build, _allowed)
    assert "# two" not in voices.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_build_holding_the_lock_and_a_foreign_file_are_refused(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    shutil.copy(VOICES, voices)
    build = tmp_path / "build"
    with build_lock(build), pytest.raises(BuildLocked):
        edits.write_guarded(voices, file_hash(voices), lambda t: "x", build, _allowed)
    other = tmp_path / "corpus.yaml"
    with pytest.raises(edits.Refused):
        edits.write_guarded(other, ABSENT, lambda t: "x", build, _allowed)
    assert not other.exists() and voices.read_bytes() == VOICES.read_bytes()


def test_knobs_are_validated_as_the_build_validates_them(tmp_path: Path) -> None:
    text = VOICES.read_text(encoding="utf-8")
    changed = edits.with_knobs(text, "Madame Dupont", {"rate": "200", "variant": "", "pitch": "61"})
    casting = edits.validated(tmp_path / "voices.yaml", changed, frozenset())
    assert casting.character("Madame Dupont").rate == 200 and casting.character("Madame Dupont").pitch == 61
    for knob, value, message in (("rate", "600", "out of range; use 80 to 450"), ("voice", "en-uss", "unknown voice"),
                                 ("rate", "fast", "valid integer"), ("variant", "f99", "unknown variant")):
        with pytest.raises(CastingError, match=message) as caught:
            edits.validated(tmp_path / "voices.yaml", edits.with_knobs(text, "Madame Dupont", {knob: value}),
                            frozenset())
        assert edits.field_of(caught.value) == knob
    with pytest.raises(CastingError, match="unknown knob"):
        edits.with_knobs(text, "narrator", {"speed": "1"})
    lexicon = edits.with_lexicon(text, "Jonas", "Yo-nas")
    assert edits.validated(tmp_path / "voices.yaml", lexicon, frozenset()).lexicon["Jonas"] == "Yo-nas"
    with pytest.raises(CastingError, match="unbalanced"):
        edits.validated(tmp_path / "voices.yaml", edits.with_lexicon(text, "Jonas", "[[jo"), frozenset())
