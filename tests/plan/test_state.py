"""The build state: which inputs made each output, kept in cache/state.json."""

from __future__ import annotations

from pathlib import Path

from pipeline.plan import state


def test_state_round_trips_and_a_bad_state_is_an_empty_one(tmp_path: Path) -> None:
    assert state.load_state(tmp_path) == {}
    hashes = {"story:01-rain": "ab" * 16, "anthology": "cd" * 16, "anthology.mp3": None}
    state.save_state(tmp_path, hashes)
    assert state.load_state(tmp_path) == hashes
    for broken in ("[1, 2]", "not json"):
        (tmp_path / "cache" / "state.json").write_text(broken, encoding="utf-8")
        assert state.load_state(tmp_path) == {}
