"""Books build into their own outputs: an M4B with a chapter mark per chapter, a library folder
Audiobookshelf reads, chapter files when asked, and the anthology only for several works."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from pipeline.runner.stages import BuildResult, build
from tests.conftest import TINY_STORY, Project, make_project
from tests.reading.test_epub import epub3

BOOK = """---
title: Three Small Tales
author: Ada Finch
---

# Three Small Tales

## The Orchard

Nora walked to the orchard at dawn. "Are the apples ripe?" she asked.

"Not yet," said Tom.

## The Well

The well was deep and cold. "Don't lean over," Nora warned him.

## The Road

They took the road home together, and nobody spoke.
"""

TEXT_BOOK = """THE LANTERN

by Ben Reed

CONTENTS

CHAPTER I. Dusk
CHAPTER II. Night

CHAPTER I

DUSK

The lamplighter came down the lane as the light went. "Evening," he said to the baker.

CHAPTER II

NIGHT

The lane was dark now, and only the lantern in the window still burned.

THE END
"""


def book_project(tmp_path: Path, *, work: bool = True) -> Project:
    project = make_project(tmp_path, [])
    (project.corpus / "tales.md").write_text(BOOK, encoding="utf-8")
    if work:
        shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    return project


FOLDER = Path("library") / "Ada Finch" / "Three Small Tales"


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildResult]:
    project = book_project(tmp_path_factory.mktemp("book"))
    return project, project.build()


def test_a_book_gets_an_m4b_with_a_chapter_mark_per_chapter(built_book: tuple[Project, BuildResult]) -> None:
    project, result = built_book
    m4b = MP4(project.build_dir / FOLDER / "Three Small Tales.m4b")
    assert [c.title for c in m4b.chapters] == ["The Orchard", "The Well", "The Road"]
    assert m4b.tags["\xa9nam"] == ["Three Small Tales"] and m4b.tags["\xa9ART"] == ["Ada Finch"]
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    work = next(w for w in manifest["works"] if w["slug"] == "tales")
    assert [c["start"] for c in work["chapters"]] == pytest.approx([c.start for c in m4b.chapters], abs=0.05)
    assert work["duration"] == pytest.approx(m4b.info.length, abs=0.3)
    assert [b.work.slug for b in result.books] == ["tales"]


def test_the_book_folder_is_what_audiobookshelf_reads(built_book: tuple[Project, BuildResult]) -> None:
    project, _ = built_book
    folder = project.build_dir / FOLDER
    assert (folder / "cover.jpg").read_bytes()[:2] == b"\xff\xd8"
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] == "Three Small Tales" and meta["authors"] == ["Ada Finch"]
    assert [c["title"] for c in meta["chapters"]] == ["The Orchard", "The Well", "The Road"]
    assert meta["chapters"][0]["start"] == 0 and all(
        a["end"] == b["start"] for a, b in zip(meta["chapters"], meta["chapters"][1:], strict=False))
    m4b = MP4(folder / "Three Small Tales.m4b")
    assert meta["chapters"][-1]["end"] == pytest.approx(m4b.info.length, abs=0.001)  # to the end of the audio
    assert meta["language"] == "en-GB" and m4b.tags["----:com.apple.iTunes:LANGUAGE"] == [b"en-GB"]  # the narrator's
    assert meta["narrators"] == ["eSpeak NG synthetic voices"] and m4b.tags["\xa9wrt"] == ["eSpeak NG synthetic voices"]
    assert sorted(p.name for p in folder.glob("*.vtt")) == ["01 - The Orchard.vtt", "02 - The Well.vtt",
                                                             "03 - The Road.vtt"]
    assert not list(folder.glob("*.mp3"))  # no chapter files unless a format is asked for


def test_the_anthology_has_the_story_and_each_book_chapter(built_book: tuple[Project, BuildResult]) -> None:
    project, _ = built_book
    titles = [c.title for c in MP4(project.build_dir / "anthology.m4b").chapters]
    assert titles == ["The Visit", "Three Small Tales: The Orchard", "Three Small Tales: The Well",
                      "Three Small Tales: The Road"]


def test_the_heading_is_spoken_once_as_the_chapter_title(built_book: tuple[Project, BuildResult]) -> None:
    project, _ = built_book
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    orchard = next(s for s in manifest["stories"] if s["title"] == "The Orchard")
    assert [a["text"] for a in orchard["announcements"]][-1] == "Three Small Tales. The Orchard"
    assert not any("The Orchard" in s["text"] for s in orchard["segments"])
    assert orchard["segments"][0]["text"].lstrip().startswith("Nora walked")


def test_editing_one_chapter_renders_and_encodes_only_that_chapter(tmp_path: Path) -> None:
    project = book_project(tmp_path, work=False)
    first = project.build()
    assert first.anthology is None  # one work: no anthology, it would be the same audio again
    assert not (project.build_dir / "anthology.m4b").exists()
    path = project.corpus / "tales.md"
    path.write_text(path.read_text(encoding="utf-8").replace("deep and cold", "deep, dark and cold"),
                    encoding="utf-8")
    again = project.build()
    assert again.clips_rendered == 1
    assert [r.rebuilt for r in again.works] == [False, True, False]


def test_chapter_files_when_a_format_is_asked_for(tmp_path: Path) -> None:
    project = book_project(tmp_path, work=False)
    build(dataclasses.replace(project.options(), format="mp3"))
    files = sorted((project.build_dir / FOLDER).glob("*.mp3"))
    assert [f.name for f in files] == ["01 - The Orchard.mp3", "02 - The Well.mp3", "03 - The Road.mp3"]
    tags = ID3(files[1])
    assert str(tags["TRCK"]) == "2/3" and str(tags["TALB"]) == "Three Small Tales" and tags.getall("CHAP")
    assert MP3(files[1]).info.length > 1


def test_a_text_book_skips_its_front_matter_and_the_end(tmp_path: Path) -> None:
    project = make_project(tmp_path, [])
    (project.corpus / "lantern.txt").write_text(TEXT_BOOK, encoding="utf-8")
    result = project.build()
    assert [r.work.chapters[r.chapter - 1].title for r in result.works] == ["Chapter I: Dusk", "Chapter II: Night"]
    folder = project.build_dir / "library" / "Ben Reed" / "The Lantern"
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    spoken = " ".join(s["text"] for s in manifest["stories"][1]["segments"])
    assert "THE END" not in spoken and "lantern in the window" in spoken
    assert [s["title"] for s in manifest["works"][0]["skipped"]] == ["Title page", "Contents", "The End"]
    assert (folder / "The Lantern.m4b").exists()


def test_an_epub_builds_with_its_own_cover(tmp_path: Path) -> None:
    project = make_project(tmp_path, [])
    epub3(project.corpus / "test-book.epub")
    result = project.build()
    book = result.books[0]
    assert book.folder == project.build_dir / "library" / "Ann Writer & Bo Helper" / "The Test Book"
    assert len(book.chapters) >= 3 and (book.folder / "cover.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert [c.title for c in MP4(book.audio).chapters] == [c.title for c in book.chapters]


def test_acx_reads_a_chapter_longer_than_its_limit_in_parts(tmp_path: Path) -> None:
    from pipeline.model import Chapter, Work
    from pipeline.reading.works import split_long

    para = "The rain fell on the long road home, and nobody in the village spoke of it. " * 20
    text = "\n\n".join([para] * 30)
    work = Work("s", "S", tmp_path / "s.txt", text, 1,
                  chapters=(Chapter(1, "One", 0, 10), Chapter(2, "Two", 10, len(text))))
    split, notes = split_long(work, minutes=20.0, wpm=165)
    words = len(text.split())
    assert len(split.chapters) == 1 + int(words / 165 // 20) + 1
    assert [c.title for c in split.chapters[1:3]] == ["Two, part 1", "Two, part 2"]
    assert [c.number for c in split.chapters] == list(range(1, len(split.chapters) + 1))
    assert all(a.end == b.start for a, b in zip(split.chapters, split.chapters[1:], strict=False))
    assert split.chapters[-1].end == len(text) and "cut at paragraphs" in notes[0]
    for c in split.chapters[1:]:
        assert len(text[c.text_start:c.end].split()) / 165 <= 20 * 1.1


def test_the_manifest_lists_the_anthology_marks_as_the_m4b_has_them(built_book: tuple[Project, BuildResult]) -> None:
    project, _ = built_book
    manifest = json.loads((project.build_dir / "manifest.json").read_text(encoding="utf-8"))
    marks = MP4(project.build_dir / "anthology.m4b").chapters
    assert [c["title"] for c in manifest["anthology"]["chapters"]] == [c.title for c in marks]


def test_two_books_with_one_author_and_title_are_refused_in_one_line(tmp_path: Path) -> None:
    from pipeline.errors import CorpusError

    project = book_project(tmp_path, work=False)
    shutil.copy(project.corpus / "tales.md", project.corpus / "tales-again.md")
    with pytest.raises(CorpusError, match="same author and title as tales"):
        project.build()


def test_a_book_is_joined_as_soon_as_its_last_chapter_is_done(built_book: tuple[Project, BuildResult],
                                                               tmp_path: Path) -> None:
    from pipeline.plan.chapters import FileSettings
    from pipeline.plan.state import BuildState
    from pipeline.publish.books import EarlyJoins
    from pipeline.publish.encode import found_chapter
    from pipeline.publish.meta import metadata
    from pipeline.runner.stages import spoken_plans

    built, _ = built_book
    project = Project(tmp_path)
    shutil.copytree(built.root, project.root, dirs_exist_ok=True)
    m4b = project.build_dir / FOLDER / "Three Small Tales.m4b"
    m4b.unlink()
    corpus, plans = spoken_plans(project.options())
    settings = FileSettings(project.options(), metadata(corpus, project.build_dir, print))
    state = BuildState.load(project.build_dir)
    chapters = [e for p in plans if p.work.is_book and (e := found_chapter(p, settings, state)) is not None]
    assert len(chapters) == 3
    with EarlyJoins(plans, settings, state) as joins:
        for e in reversed(chapters):  # in any order: the M4B has them in the book's
            assert not joins.joins
            joins.add(e)
        joins.joins[0].result(timeout=60)
        assert [c.title for c in MP4(m4b).chapters] == ["The Orchard", "The Well", "The Road"]
    again = project.build()  # and the build after finds it up to date
    assert not any(r.rebuilt for r in again.works) and m4b.exists()
