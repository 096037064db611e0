"""Formats, profiles, tags, covers, chapters and credits, read back with mutagen (levels with ffmpeg)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE
from PIL import Image
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import AudiobookError, CorpusError, OutputError
from pipeline.formats import FORMATS
from pipeline.fsutil import slugify
from pipeline.publish.export import clean_text, ffmeta_escape
from pipeline.quality.check import measure, read_chapters
from pipeline.runner import stages as core
from tests.exportkit import make_corpus, run


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> core.BuildOptions:
    options = make_corpus(tmp_path_factory.mktemp("export"))
    run(options, anthology_mp3=True)
    return options


def test_mp3_tags_cover_and_chapter(tiny: core.BuildOptions) -> None:
    id3 = ID3(tiny.build_dir / "01-rain.mp3")
    assert str(id3["TIT2"]) == "Rain" and str(id3["TALB"]) == "Tiny Tales" and str(id3["TPE1"]) == "Ann Author"
    assert str(id3["TRCK"]) == "1/2" and str(id3["TDRC"]) == "2024" and str(id3["TCOM"])
    cover = Image.open(io.BytesIO(id3.getall("APIC")[0].data))
    assert (cover.format, cover.size) == ("JPEG", (2400, 2400))
    assert [c.title for c in read_chapters(tiny.build_dir / "01-rain.mp3")] == ["Rain"]


def test_anthology_m4b_has_cover_and_story_chapters(tiny: core.BuildOptions) -> None:
    m4b = MP4(tiny.build_dir / "anthology.m4b")
    assert m4b.tags is not None and m4b.tags["covr"] and m4b.tags["\xa9nam"] == ["Tiny Tales"]
    manifest = json.loads((tiny.build_dir / "manifest.json").read_text())
    chapters = read_chapters(tiny.build_dir / "anthology.m4b")
    assert [c.title for c in chapters] == ["Rain", "Cups"]
    assert [c.start for c in chapters] == pytest.approx([c["start"] for c in manifest["anthology"]["chapters"]],
                                                        abs=0.05)


def test_anthology_mp3_has_id3_chap_and_ctoc(tiny: core.BuildOptions) -> None:
    path = tiny.build_dir / "anthology.mp3"
    id3 = ID3(path)
    toc = id3.getall("CTOC")[0]
    chaps = {f.element_id: f for f in id3.getall("CHAP")}
    assert [str(chaps[e].sub_frames["TIT2"]) for e in toc.child_element_ids] == ["Rain", "Cups"]
    chapters = read_chapters(path)
    assert [c.title for c in chapters] == ["Rain", "Cups"]
    assert chapters[0].start == 0 and chapters[0].end == pytest.approx(chapters[1].start, abs=0.002)
    total = sum(measure(tiny.build_dir / f).duration for f in ("01-rain.mp3", "02-cups.mp3"))
    assert measure(path).duration == pytest.approx(total, abs=0.5)


def test_first_and_last_files_carry_the_credits(tiny: core.BuildOptions) -> None:
    first = (tiny.build_dir / "01-rain.vtt").read_text()
    last = (tiny.build_dir / "02-cups.vtt").read_text()
    assert "Tiny Tales. Written by Ann Author." in first and "eSpeak NG" in first
    assert "This has been Tiny Tales" in last
    manifest = json.loads((tiny.build_dir / "manifest.json").read_text())
    assert manifest["stories"][0]["announcements"][0]["text"].startswith("Tiny Tales")


@pytest.mark.parametrize("fmt", ["m4b", "opus", "flac", "wav"])
def test_other_formats_are_tagged(tiny: core.BuildOptions, fmt: str) -> None:
    # a build folder of its own: a build removes the files of another format it finds listed
    build_dir = tiny.build_dir.with_name(f"build-{fmt}")
    run(tiny, format=fmt, build_dir=build_dir)
    path = build_dir / f"01-rain{FORMATS[fmt].suffix}"
    if fmt == "m4b":
        tags = MP4(path).tags
        assert tags is not None and tags["\xa9nam"] == ["Rain"] and tags["covr"]
    elif fmt == "opus":
        assert OggOpus(path)["title"] == ["Rain"] and OggOpus(path)["metadata_block_picture"]
    elif fmt == "flac":
        assert FLAC(path)["title"] == ["Rain"] and FLAC(path).pictures
    else:
        assert str(WAVE(path).tags["TIT2"]) == "Rain"  # type: ignore[index]
    m = measure(path)
    assert m.duration == pytest.approx(measure(tiny.build_dir / "01-rain.mp3").duration, abs=0.1)
    # a story's one chapter: ID3 CHAP in WAV, CHAPTER001 comments in FLAC and Opus; mutagen writes no MP4 chapters
    assert [c.title for c in m.chapters] == ([] if fmt == "m4b" else ["Rain"])
    if m.chapters:
        assert m.chapters[0].start == 0 and m.chapters[0].end == pytest.approx(m.duration, abs=0.1)


def test_acx_profile_makes_credit_files_and_chapters(tmp_path: Path) -> None:
    options = make_corpus(tmp_path)
    result = run(options, profile="acx")
    names = [r.file.name for r in result.works]
    assert names == ["00-opening-credits.mp3", "01-rain.mp3", "02-cups.mp3", "03-closing-credits.mp3"]
    titles = [c.title for c in read_chapters(options.build_dir / "anthology.m4b")]
    assert titles == ["Opening Credits", "Rain", "Cups", "Closing Credits"]
    manifest = json.loads((options.build_dir / "manifest.json").read_text())
    assert [c["title"] for c in manifest["anthology"]["chapters"]] == titles


def test_acx_refuses_a_file_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeline.formats.ACX_MAX_MINUTES", 0.1)
    with pytest.raises(OutputError, match="Split it in two"):
        run(make_corpus(tmp_path), profile="acx")


def test_incompatible_and_unknown_options() -> None:
    with pytest.raises(AudiobookError, match="--profile acx"):
        core.BuildOptions(format="flac", profile="acx").validate()
    with pytest.raises(AudiobookError, match="--anthology-mp3"):
        core.BuildOptions(format="wav", anthology_mp3=True).validate()
    result = CliRunner().invoke(app, ["build", "--format", "aiff"])
    assert result.exit_code == 2
    assert all(f in result.output for f in FORMATS)


def test_hostile_titles_stay_in_build_and_in_one_piece(tmp_path: Path) -> None:
    nasty = 'A=B; C#D \\\\ E/../../F'
    options = make_corpus(tmp_path, (
        f'title: "Tales = #1; \\\\ vol\\n2"\nauthor: "X/../Y"\n'
        f'credits:\n  opening: "Hello; =#"\n  closing: "Bye"\n'
        f'stories:\n  - file: 01-rain.txt\n    title: "{nasty}"\n  - file: 02-cups.txt\n'))
    result = run(options)
    audio = result.works[0].file
    assert audio.parent == options.build_dir and audio.name == f"01-{slugify(nasty)}.mp3"
    assert ".." not in audio.name and "/" not in audio.name.removeprefix("01-")
    title = nasty.replace("\\\\", "\\")
    assert [c.title for c in read_chapters(options.build_dir / "anthology.m4b")] == [title, "Cups"]
    assert str(ID3(audio)["TALB"]) == "Tales = #1; \\ vol 2"
    assert not list(tmp_path.glob("*.mp3")) and not list((tmp_path / "build").glob("F*"))


def test_ffmeta_escape_and_clean_text() -> None:
    assert ffmeta_escape("a=b;c#d\\e\nf") == "a\\=b\\;c\\#d\\\\e\\\nf"
    assert clean_text(" two\nlines\t\x00here ") == "two lines here"


def test_user_cover_is_used_or_refused(tmp_path: Path) -> None:
    options = make_corpus(tmp_path)
    (options.corpus / "cover.jpg").write_text("not an image")
    with pytest.raises(CorpusError, match=r"cover\.jpg"):
        run(options)
    Image.new("RGB", (600, 600), "red").save(options.corpus / "cover.jpg", "JPEG")
    warnings: list[str] = []

    class Collect(core.Progress):
        def warn(self, message: str) -> None:
            warnings.append(message)

    from dataclasses import replace
    core.build(replace(options, credits=False), Collect())
    assert any("cover.jpg" in w and "2400" in w for w in warnings)
    apic = ID3(options.build_dir / "01-rain.mp3").getall("APIC")[0]
    assert Image.open(io.BytesIO(apic.data)).size == (600, 600)


def test_generated_cover_draws_accented_titles(tmp_path: Path) -> None:
    from pipeline.publish.cover import draw_cover

    # the same title with and without its accent must not come out as the same picture with a
    # missing-glyph box: either the font has é, or the title is drawn unaccented ("Cafe")
    draw_cover(tmp_path / "a.jpg", "Café", "Ann")
    draw_cover(tmp_path / "b.jpg", "Cafe", "Ann")
    draw_cover(tmp_path / "c.jpg", "Caf\u25a1", "Ann")  # what a missing glyph looks like
    from PIL import ImageChops, ImageStat

    a, b, c = (Image.open(tmp_path / n).convert("L") for n in ("a.jpg", "b.jpg", "c.jpg"))
    diff_ab = ImageStat.Stat(ImageChops.difference(a, b)).sum[0]
    diff_ac = ImageStat.Stat(ImageChops.difference(a, c)).sum[0]
    assert diff_ab < diff_ac
