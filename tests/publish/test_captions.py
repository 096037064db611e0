"""Captions, read back with webvtt-py: one sentence or less a cue, within the reading limits,
every sentence once and in order, the speaker named, every cue inside the audio."""

from __future__ import annotations

import json
import re

import pytest
import webvtt

from pipeline.publish.captions import MAX_LINE, MAX_LINES, MAX_SECONDS, NARRATOR, Cue, cues_of, srt_text, webvtt_text
from pipeline.publish.timings import Sentence, Word
from pipeline.quality.check import measure
from tests.publish.conftest import BuiltBook


def _chapters(book: BuiltBook) -> list[str]:
    return sorted(p.name.removesuffix(".timeline.json") for p in book.folder.glob("*.timeline.json"))


def _seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_every_cue_fits_the_limits_and_every_sentence_is_there_once_in_order(built_book: BuiltBook) -> None:
    names = _chapters(built_book)
    assert len(names) == 3
    for name in names:
        timeline = json.loads((built_book.folder / f"{name}.timeline.json").read_text())
        duration = measure(built_book.options.build_dir / "cache" / "parts" /
                           f"{timeline['work']}-{timeline['chapter']:03d}.m4a").duration
        captions = webvtt.read(str(built_book.folder / f"{name}.vtt"))
        for c in captions:
            lines = c.text.split("\n")
            assert len(lines) <= MAX_LINES and all(len(line) <= MAX_LINE for line in lines), c.text
            assert 0 <= c.start_in_seconds <= _seconds(c.end) - 0.001
            assert _seconds(c.end) - _seconds(c.start) <= MAX_SECONDS + 0.001
            assert _seconds(c.end) <= duration + 0.05  # AAC pads its last frame: the file is a touch longer
        shown = " ".join(" ".join(c.text.split()) for c in captions)
        said = " ".join(" ".join(s["text"].split()) for s in timeline["sentences"])
        assert shown == said  # each sentence once, in order, nothing else
        starts = [_seconds(c.start) for c in captions]
        assert starts == sorted(starts)


def test_a_long_sentence_is_cut_between_words(built_book: BuiltBook) -> None:
    captions = webvtt.read(str(built_book.folder / "01 - The Orchard.vtt"))
    long = [c for c in captions if "Nora walked" in c.text or "pear trees" in c.text or "flooded" in c.text]
    assert len(long) >= 2  # 170 characters: three cues of two lines
    assert all(c.voice == NARRATOR for c in long)


def test_webvtt_names_the_speaker_and_srt_has_the_same_cues(built_book: BuiltBook) -> None:
    vtt = webvtt.read(str(built_book.folder / "01 - The Orchard.vtt"))
    voices = {c.voice for c in vtt}
    assert {"Narrator", "Nora", "Tom"} <= voices, voices
    assert any(c.voice == "Tom" and c.text == "Not yet," for c in vtt)
    srt = webvtt.from_srt(str(built_book.folder / "01 - The Orchard.srt"))
    assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt]
    assert any(c.text == "Tom: Not yet," for c in srt)
    for c in srt:
        assert len(c.text.split("\n")) <= MAX_LINES and all(len(x) <= MAX_LINE for x in c.text.split("\n"))


def test_word_captions_time_every_word_inside_its_cue(built_book: BuiltBook) -> None:
    words = webvtt.read(str(built_book.folder / "02 - The Well.words.vtt"))
    plain = webvtt.read(str(built_book.folder / "02 - The Well.vtt"))
    assert [c.text for c in words] == [c.text for c in plain]
    cue = next(c for c in words if c.text.startswith("The well"))
    stamps = [_seconds(s) for s in re.findall(r"<(\d\d:\d\d:\d\d\.\d\d\d)>", cue.raw_text)]
    assert len(stamps) == len(cue.text.split()) - 1
    assert _seconds(cue.start) <= stamps[0] and stamps == sorted(stamps) and stamps[-1] < _seconds(cue.end)


def _sentence(text: str, start: float, end: float, words: bool) -> Sentence:
    spans = [(i, i + len(w)) for i, w in _positions(text)]
    step = (end - start) / len(spans)
    placed = tuple(Word(start + k * step, start + (k + 1) * step, a, b) for k, (a, b) in enumerate(spans))
    return Sentence(start, end, 0, len(text), text, "Nora", 3, placed if words else ())


def _positions(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S+", text)]


@pytest.mark.parametrize("words", [True, False])
def test_a_sentence_past_seven_seconds_or_two_lines_is_split(words: bool) -> None:
    text = " ".join(["word"] * 60) + " supercalifragilisticexpialidociousandthensomemore"
    cues = cues_of([_sentence(text, 10.0, 40.0, words)])
    assert " ".join(c.text for c in cues) == text
    assert all(c.end - c.start <= MAX_SECONDS for c in cues)
    assert cues[0].start == 10.0 and cues[-1].end <= 40.0
    for c in cues:
        read = webvtt.from_string(webvtt_text([c])).captions[0]
        assert len(read.text.split("\n")) <= MAX_LINES and all(len(x) <= MAX_LINE for x in read.text.split("\n"))


def test_markup_and_newlines_cannot_break_a_cue() -> None:
    cue = Cue(1.0, 2.5, "Dr <Who> & co", "line one\n\nline --> two")
    vtt = webvtt_text([cue])
    assert "<v Dr &lt;Who&gt; &amp; co>line one line -&gt; two" in vtt
    assert "00:00:01.000 --> 00:00:02.500" in vtt
    assert srt_text([cue]).splitlines()[1] == "00:00:01,000 --> 00:00:02,500"


def test_timeline_files_are_listed_in_the_manifest(built_book: BuiltBook) -> None:
    manifest = json.loads((built_book.options.build_dir / "manifest.json").read_text())
    for work in manifest["stories"]:
        for key in ("vtt", "srt", "timeline", "words"):
            assert (built_book.options.build_dir / work["captions"][key]).is_file(), key
