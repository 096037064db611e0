"""`audiobook script --times / --at`: a line's start time in its chapter file, from the last build."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.clock import clock
from pipeline.errors import AudiobookError
from pipeline.publish.linetimes import parse_clock
from tests.publish.conftest import BuiltBook

RUNNER = CliRunner()


def _script(book: BuiltBook, *args: str) -> tuple[int, str]:
    source = book.options.corpus / "tales.md"
    result = RUNNER.invoke(app, ["script", str(source), "--build-dir", str(book.options.build_dir), *args],
                           env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _quote_id(book: BuiltBook, text: str) -> str:
    _, out = _script(book, "--json")
    return next(s["quote_id"] for s in json.loads(out)["segments"] if s["text"] == text)


def _timeline(book: BuiltBook, name: str) -> list[dict]:
    return json.loads((book.folder / f"{name}.timeline.json").read_text())["sentences"]


def test_times_lists_each_line_with_its_start_in_its_chapter(built_book: BuiltBook) -> None:
    code, out = _script(built_book, "--times")
    assert code == 0, out
    tom = next(s for s in _timeline(built_book, "01 - The Orchard") if s["text"] == "Not yet,")
    # the table's row (an unsure line is also listed above the table, in the script, with its id)
    row = next(line for line in out.splitlines() if _quote_id(built_book, "Not yet,") in line and "│" in line)
    # shown to a tenth, rounded (a start of 30.96 s reads 0:00:31.0); the table wraps to the console's width
    assert clock(tom["start"], 1) in row and "Tom" in row


def test_at_finds_the_line_heard_then(built_book: BuiltBook) -> None:
    nora = next(s for s in _timeline(built_book, "02 - The Well") if s["speaker"] == "Nora")
    middle = (nora["start"] + nora["end"]) / 2
    code, out = _script(built_book, "--chapter", "3", "--at", f"0:{middle:06.3f}")  # 3 in `audiobook chapters`
    assert code == 0, out
    assert re.findall(r"q-[0-9a-f]{8}", out) == [_quote_id(built_book, "Don't lean over,")]


def test_at_in_a_book_needs_a_chapter(built_book: BuiltBook) -> None:
    code, out = _script(built_book, "--at", "0:05")
    assert code == 1 and "--at needs --chapter" in out


def test_json_carries_the_times(built_book: BuiltBook) -> None:
    code, out = _script(built_book, "--json", "--times")
    assert code == 0
    heard = [s["heard"] for s in json.loads(out)["segments"] if "heard" in s]
    assert heard and all(h["start"] < h["end"] and h["in_book"] >= h["start"] for h in heard)
    assert {h["file"] for h in heard} == {"library/Ada Finch/Three Small Tales/Three Small Tales.m4b"}
    assert {h["chapter"] for h in heard} == {1, 2}


def test_without_a_build_it_says_what_to_do(built_book: BuiltBook, tmp_path) -> None:
    result = RUNNER.invoke(app, ["script", str(built_book.options.corpus / "tales.md"), "--times",
                                 "--build-dir", str(tmp_path)])
    assert result.exit_code == 1 and "run `audiobook build` first" in result.output


def test_clock_forms() -> None:
    assert parse_clock("1:23:45") == 5025 and parse_clock("2:05.5") == 125.5 and parse_clock("42") == 42
    with pytest.raises(AudiobookError, match="h:mm:ss"):
        parse_clock("soon")
