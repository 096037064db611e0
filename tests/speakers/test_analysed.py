"""A work's analysis is kept in the build folder by its text, pins and program, and read back."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.layout import BuildLayout
from pipeline.reading.corpus import load_corpus
from pipeline.speakers import analysed
from pipeline.speakers.analyse import analyse
from pipeline.speakers.pins import load_pins, pins_path
from tests.conftest import FIXTURES


def test_the_analysis_is_kept_and_read_back(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "studio" / "the-lamp.txt", corpus / "the-lamp.txt")
    work = load_corpus(corpus).works[0]
    build = tmp_path / "build"
    made = analysed.analysed(work, build)
    first = made.analysis
    assert first == analyse(work.text, load_pins(work.path)) and not made.kept
    assert not build.exists()  # nothing is written before the build keeps it
    analysed.keep_found(build, [made])
    records = list((BuildLayout(build).analysis).glob("*.json"))
    assert len(records) == 1
    again = analysed.analysed(work, build)
    assert again.kept and again.analysis == first  # read back, the same
    records[0].write_text("{not json", encoding="utf-8")  # a damaged record is made again
    assert analysed.analysed(work, build) == analysed.Found(first, made.key, False)
    qid = next(s.quote_id for s in first.segments if s.rule == "turn-taking")
    pins_path(work.path).write_text(f"{qid}: Jonas\n", encoding="utf-8")
    pinned = analysed.analysed(work, build)  # other pins: another record
    assert pinned.analysis == analyse(work.text, load_pins(work.path)) and pinned.analysis != first
    assert pinned.key != made.key
