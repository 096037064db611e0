"""Speaker pins: a pin wins, a stale pin is reported, a bad pin file is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import PinError
from pipeline.speakers.analyse import analyse
from pipeline.speakers.pins import load_pins, pins_path

STORY = "Mary Ward and Tom Hardy sat down.\n\n“Good morning,” said Mary.\n\n“Is it?” asked Tom.\n"


def write_work(tmp_path: Path, pins: str | None) -> Path:
    work = tmp_path / "tale.txt"
    work.write_text(STORY, encoding="utf-8")
    if pins is not None:
        pins_path(work).write_text(pins, encoding="utf-8")
    return work


def quote_ids() -> list[str]:
    return [s.quote_id for s in analyse(STORY).segments if s.kind == "dialogue" and s.quote_id]


def test_no_pin_file_means_no_pins(tmp_path: Path) -> None:
    assert load_pins(write_work(tmp_path, None)) == {}
    assert pins_path(tmp_path / "tale.txt") == tmp_path / "tale.speakers.yaml"


def test_a_pin_wins_and_keeps_comments_readable(tmp_path: Path) -> None:
    first = quote_ids()[0]
    work = write_work(tmp_path, f"# who says what\n{first}: Tom   # not Mary\n")
    pins = load_pins(work)
    assert pins == {first: "Tom"}
    a = analyse(STORY, pins)
    seg = next(s for s in a.segments if s.quote_id == first)
    assert (seg.speaker, seg.rule, seg.confidence) == ("Tom Hardy", "pin", 1.0)
    assert {c.name: c.lines for c in a.characters}["Tom Hardy"] == 2
    assert a.warnings == ()


def test_a_stale_pin_is_reported(tmp_path: Path) -> None:
    work = write_work(tmp_path, "q-00000000: Mary Ward\n")
    a = analyse(STORY, load_pins(work))
    assert len(a.warnings) == 1
    assert "tale.speakers.yaml:1" in a.warnings[0] and "q-00000000" in a.warnings[0]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    work = write_work(tmp_path, "q-00000000: Mary\nq-11111111: [Tom\n")
    with pytest.raises(PinError) as info:
        load_pins(work)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{pins_path(work)}:") and "syntax" in message
    assert info.value.line in (2, 3)


def test_bad_key_names_file_and_line(tmp_path: Path) -> None:
    work = write_work(tmp_path, "q-00000000: Mary\nline five: Tom\n")
    with pytest.raises(PinError, match=r"tale\.speakers\.yaml:2: 'line five' is not a quotation id"):
        load_pins(work)


def test_unknown_character_names_file_and_line(tmp_path: Path) -> None:
    first = quote_ids()[0]
    work = write_work(tmp_path, f"# pins\n{first}: Madame Dupont\n")
    with pytest.raises(PinError) as info:
        analyse(STORY, load_pins(work))
    message = str(info.value)
    assert message.startswith(f"{pins_path(work)}:2:")
    assert "unknown character 'Madame Dupont'" in message and "\n" not in message


def test_a_pin_anchors_the_untagged_run_after_it() -> None:
    """Fixing one line of an alternating exchange fixes the lines its turn-taking decides."""
    from pipeline.speakers.analyse import analyse

    text = ('Nora and Tom sat by the fire.\n\n"Is it still raining?" asked Nora.\n\n"It has not stopped since noon."'
            '\n\n"Then we stay."\n\n"We stay, then."\n\n"And the boat?"\n\n"The boat can wait."\n')
    before = [s for s in analyse(text).segments if s.kind == "dialogue"]
    assert [s.speaker for s in before] == ["Nora", "Tom", "Nora", "Tom", "Nora", "Tom"]
    after = [s for s in analyse(text, {before[2].quote_id: "Tom"}).segments if s.kind == "dialogue"]
    assert [s.speaker for s in after] == ["Nora", "Tom", "Tom", "Nora", "Tom", "Nora"]
    assert after[2].rule == "pin" and after[3].rule == "turn-taking"
