"""Sentence and word timings: offsets mapped back to the work's text, times exact at clip edges and
close to the sound inside a clip, kept in the record so a rebuild has them without rendering."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.audio.synth import apply_lexicon
from pipeline.model import VoiceSettings
from pipeline.publish import records
from pipeline.publish.timings import ClipPlace, Sentence, clip_sentences, offset_map, sentences_from_json
from pipeline.voices import engine
from tests.publish.conftest import BuiltBook

VOICE = VoiceSettings("gmw/en-us")
RATE = engine.SAMPLE_RATE


@given(st.lists(st.sampled_from(["Nora", "said,", "the", "well.", "Dr.", "café"]), min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", "  ", "\n", " \n  "]), min_size=12, max_size=12))
def test_folded_offsets_map_back_exactly(words: list[str], gaps: list[str]) -> None:
    raw = "".join(w + g for w, g in zip(words, gaps, strict=False)).rstrip()
    spoken = " ".join(raw.split())
    to_text = offset_map(spoken, "  " + raw, 100)
    pos = 0
    for w in words:
        at = spoken.index(w, pos)
        assert ("  " + raw)[to_text(at) - 100:][:len(w)] == w
        pos = at + len(w)


def test_a_respelt_word_maps_to_the_word_it_replaced() -> None:
    raw = "Then Siobhan   laughed."
    spoken = apply_lexicon(" ".join(raw.split()), {"Siobhan": "Shivawn"})
    to_text = offset_map(spoken, raw, 0)
    assert raw[to_text(spoken.index("Shivawn")):].startswith("Siobhan")
    assert raw[to_text(spoken.index("laughed")):].startswith("laughed")


def _render(text: str) -> tuple[np.ndarray, list[Sentence]]:
    spoken = " ".join(text.split())  # what the clip plan sends to the engine
    r = engine.engine().render(spoken, VOICE)
    place = ClipPlace(first=RATE, samples=len(r.pcm) // 2, rate=RATE, spoken=spoken)
    return np.frombuffer(r.pcm, dtype="<i2"), clip_sentences(place, r.marks, text, (0, len(text)), "Narrator", 0)


def test_sentences_and_words_of_a_real_clip() -> None:
    text = '"Hello  there. How are\nyou?" Fine, thanks!'
    pcm, sentences = _render(text)
    assert [s.text for s in sentences] == ["Hello  there.", "How are\nyou?", "Fine, thanks!"]
    assert [text[s.text_start:s.text_end] for s in sentences] == [s.text for s in sentences]
    assert sentences[0].start == 1.0  # the clip's first sample: exact at the clip's edge
    assert sentences[-1].end == pytest.approx(1.0 + len(pcm) / RATE, abs=1 / RATE)
    words = [text[w.text_start:w.text_end] for s in sentences for w in s.words]
    assert words == ["Hello", "there", "How", "are", "you", "Fine", "thanks"]
    for s in sentences:
        assert s.start <= s.words[0].start and s.words[-1].end <= s.end + 1e-9
        assert all(a.end <= b.start + 1e-9 for a, b in zip(s.words, s.words[1:], strict=False))


def test_a_sentence_starts_where_its_sound_does_within_20_ms() -> None:
    pcm, sentences = _render("The rain stopped. Then the bells rang out.")
    loud = np.convolve(np.abs(pcm.astype(np.int32)) > 300, np.ones(int(RATE * 0.005)), "same") > 0
    second = round((sentences[1].start - 1.0) * RATE)
    onset = second + int(np.argmax(loud[second:]))  # the first sound at or after the mark
    assert (onset - second) / RATE < 0.020
    assert not loud[second - int(RATE * 0.03):second - int(RATE * 0.02)].any()  # a pause just before it


def test_a_clip_without_marks_is_one_sentence() -> None:
    place = ClipPlace(first=0, samples=RATE * 2, rate=RATE, spoken="Nine, he said.")
    text = 'xx "Nine, he said." yy'
    (only,) = clip_sentences(place, None, text, (3, 19), "Tom", 2)
    assert (only.start, only.end, only.text, only.words) == (0.0, 2.0, "Nine, he said.", ())


def test_every_chapter_sentence_starts_exactly_with_its_segment(built_book: BuiltBook) -> None:
    manifest = json.loads((built_book.options.build_dir / "manifest.json").read_text())
    for work in manifest["stories"]:
        timeline = json.loads((built_book.options.build_dir / work["captions"]["timeline"]).read_text())
        by_segment: dict[int, float] = {}
        for s in timeline["sentences"]:
            by_segment.setdefault(s["segment"], s["start"])
        for i, seg in enumerate(work["segments"]):
            if i in by_segment:  # the segment's first clip starts at its first sample
                assert by_segment[i] == pytest.approx(seg["start"], abs=0.0011)


def test_the_record_keeps_the_sentences_and_an_old_record_has_none(built_book: BuiltBook, tmp_path) -> None:
    parts = built_book.options.build_dir / "cache" / "parts"
    record = sorted(parts.glob("*.json"))[0]
    sentences = records.load_sentences(record)
    assert sentences and all(isinstance(s, Sentence) for s in sentences)
    assert sentences_from_json([s.to_json() for s in sentences]) == tuple(
        sentences_from_json(json.loads(json.dumps([s.to_json() for s in sentences]))))
    old = json.loads(record.read_text())
    del old["sentences"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert records.load_sentences(tmp_path / "old.json") is None
