"""The read-along step in the build: off by default, made from the records on a rebuild (no
clip rendered, no chapter encoded again), and made again only when a chapter changed."""

from __future__ import annotations

import dataclasses
import json

from pipeline.runner.stages import build
from tests.conftest import Project


def test_read_along_comes_from_the_records_of_an_earlier_build(small_project: Project) -> None:
    first = build(small_project.options())
    out = small_project.build_dir
    assert not list(out.glob("*.epub")) and not (out / "read-along").exists()  # off unless asked for
    options = dataclasses.replace(small_project.options(), read_along="page")  # type: ignore[arg-type]
    again = build(options)
    assert again.clips_rendered == 0 and not any(s.rebuilt for s in again.works)
    page = out / "read-along" / "01-the-visit" / "index.html"
    html = page.read_text(encoding="utf-8")
    data = json.loads(html.split('id="ra-data">')[1].split("</script>")[0])
    timeline = json.loads((out / "01-the-visit.timeline.json").read_text())
    shown = [r for r in data["chapters"][0]["s"] if not r[0].endswith("-h")]
    assert len(shown) == len([s for s in timeline["sentences"] if s["segment"] >= 0]) > 3
    assert (page.parent / "audio" / "chapter-001.m4a").stat().st_size > 1000
    assert first.works[0].duration == again.works[0].duration

    stamp = page.stat().st_mtime_ns
    build(options)  # nothing changed: the page is left alone
    assert page.stat().st_mtime_ns == stamp
    small_project.work.write_text(small_project.work.read_text() + '\n"Goodnight," said Tom.\n')
    build(options)
    assert "Goodnight" in page.read_text(encoding="utf-8")


def test_the_manifest_lists_the_read_along_files_and_a_build_without_them_removes_them(
        small_project: Project) -> None:
    options = dataclasses.replace(small_project.options(), read_along="page")  # type: ignore[arg-type]
    build(options)
    out = small_project.build_dir
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["read_along"] == [{"work": "01-the-visit", "epub": None,
                                       "page": "read-along/01-the-visit/index.html"}]
    build(small_project.options())  # the outputs follow the last build's options, like --format
    assert not (out / "read-along" / "01-the-visit" / "index.html").exists()
