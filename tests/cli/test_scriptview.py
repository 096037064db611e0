"""The script views: the JSON shape the scorer reads, and the printed script."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

from rich.console import Console

from pipeline.cli.scriptview import render_script, to_json
from pipeline.speakers.analyse import analyse
from tests.conftest import CORPUS


def test_json_shape_and_tiling() -> None:
    text = (CORPUS / "01-the-margins.txt").read_text(encoding="utf-8")
    data = to_json(analyse(text))
    json.dumps(data)
    segs = data["segments"]
    assert segs[0]["start"] == 0 and segs[-1]["end"] == len(text)
    for a, b in itertools.pairwise(segs):
        assert a["end"] == b["start"]
    for s in segs:
        assert text[s["start"] : s["end"]] == s["text"]
        base = {"kind", "start", "end", "text", "speaker", "confidence", "rule"}
        if s["kind"] == "narration":
            assert set(s) == base and s["speaker"] is None and s["confidence"] is None and s["rule"] is None
        else:
            assert set(s) == base | {"quote_id"}
            assert 0 < s["confidence"] <= 1 and s["rule"] and s["speaker"]


def render(text: str) -> str:
    buf = io.StringIO()
    render_script(analyse(text), Console(file=buf, width=200, color_system=None))
    return buf.getvalue()


def test_script_shows_speakers_and_a_cast_table() -> None:
    out = render((CORPUS / "01-the-margins.txt").read_text(encoding="utf-8"))
    # an action beat or a pronoun tag is below LOW_CONFIDENCE: shown as "Name? ..." with its id
    first = " Bonjour, Stéphane. How are you finding inspiration today?"
    assert any(who + first in out for who in ("Madame Dupont:", "Madame Dupont?"))
    second = " I'm finding it in the everyday moments,"
    assert any(who + second in out for who in ("Stéphane Cara:", "Stéphane Cara?"))
    assert "Lines per character" in out
    assert "│ Madame Dupont │" in out


def test_unsure_lines_show_their_quote_id() -> None:
    text = "Ann Lee and Bob Ray talked.\n\n“Yes.”\n\n“No.”\n\n“Maybe.”\n\n“Perhaps.”"
    out = render(text)
    unsure = [line for line in out.splitlines() if "(q-" in line]
    assert unsure, out
    assert all("?" in line for line in unsure)


def test_hard_wrapped_narration_is_one_paragraph() -> None:
    text = (
        "The rain had come on at dusk, and the lamps along the lane\n"
        "were lit early, one after another, by the old man with the pole.\n\n"
        "“Shut the door,” said Ann Lee.\n"
    )
    out = render(text)
    assert "lane were lit early" in " ".join(out.split())
    assert not any(line.strip().startswith("were lit") for line in out.splitlines())


def test_script_unsure_lists_only_the_unsure_lines_with_their_ids(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app
    from pipeline.cli.scriptview import LOW_CONFIDENCE
    from pipeline.speakers.analyse import analyse

    work = tmp_path / "s.txt"
    work.write_text('Nora and Tom sat by the fire.\n\n"Is it raining?" asked Nora.\n\n"Since noon."\n\n'
                     '"Then we stay."\n', encoding="utf-8")
    unsure = {s.quote_id for s in analyse(work.read_text()).segments
              if s.kind == "dialogue" and (s.confidence or 0) < LOW_CONFIDENCE}
    result = CliRunner().invoke(app, ["script", str(work), "--unsure"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert unsure and all(q in result.stdout for q in unsure)
    lines = {s.quote_id for s in analyse(work.read_text()).segments if s.kind == "dialogue"}
    assert f"{len(unsure)} unsure line(s) of {len(lines)} ({len(unsure) / len(lines):.0%};" in result.stdout
