"""Credits: their text, the segments that tile it, and one narrator clip per paragraph."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.audio.credits import credit_clips, credit_segments, default_credits
from pipeline.model import GROUP, VoiceSettings

NARRATOR = VoiceSettings("gmw/en-gb-x-rp", "m3")
#: Lines, blank lines, stray spaces and tabs, Windows line ends: what a corpus.yaml credits: may hold.
CREDIT_TEXT = st.lists(
    st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=25),
              st.sampled_from(["", " ", "\t", "\r", "Read by   eSpeak.", "  indented"])),
    max_size=8,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(CREDIT_TEXT)
def test_credit_segments_tile_the_credit_text(text: str) -> None:
    joined, segments = credit_segments(text)
    if not segments:
        assert joined == ""
        return
    assert segments[0].start == 0 and segments[-1].end == len(joined)
    for a, b in itertools.pairwise(segments):
        assert a.end == b.start
    for seg in segments:
        assert seg.kind == "narration" and joined[seg.start:seg.end] == seg.text
    # every word of the credits is read, in order, and nothing else
    assert [s.text for s in segments if s.text.strip()] == [" ".join(p.split()) for p in joined.split("\n\n")]
    assert joined.split() == text.split()


def test_one_clip_per_paragraph_with_the_pauses_between() -> None:
    text = "Tiny Tales. Written by Ann Author.\n\n  Read by   two voices.\n\nProduced with audiobook."
    joined, segments = credit_segments(text)
    assert joined == "Tiny Tales. Written by Ann Author.\n\nRead by two voices.\n\nProduced with audiobook."
    # the one paragraph model: where blank lines separate paragraphs, a single line break only wraps
    wrapped, _ = credit_segments("One.\n\nTwo,\nwrapped.")
    assert wrapped == "One.\n\nTwo, wrapped."
    clips = credit_clips(text, NARRATOR, {"audiobook": "audio book"}, pause=0.8, first_pause=1.5, indexed=True)
    assert [c.utterance.text for c in clips] == [
        "Tiny Tales. Written by Ann Author.", "Read by two voices.", "Produced with audio book."]
    assert [c.utterance.pause_before for c in clips] == [1.5, 0.8, 0.8]
    assert all(c.utterance.voice == NARRATOR and c.utterance.kind == "narration" for c in clips)
    for clip in clips:  # indexed: each clip names the segment it reads, and its place in the text
        seg = segments[clip.utterance.segment_index]
        assert (clip.text_start, clip.text_end) == (seg.start, seg.end)
    assert len({c.key for c in clips}) == 3
    unindexed = credit_clips(text, NARRATOR, {}, pause=0.8)
    assert {c.utterance.segment_index for c in unindexed} == {-1}  # outside any story's segments
    assert unindexed[0].utterance.pause_before == 0.0


def test_default_credits_name_the_book_and_its_cast() -> None:
    speakers = ["Anna", GROUP, "Tom", "Anna", "", *[f"Extra {i}" for i in range(10)]]
    credits = default_credits("Tiny Tales", "Ann Author", speakers, voices=5)
    assert credits.opening.startswith("Tiny Tales. Written by Ann Author.\n\n")
    assert "Read by synthetic eSpeak NG voices: a narrator, and the voices of Anna, Tom, Extra 0," in credits.opening
    assert GROUP not in credits.opening and "Extra 4 and Extra 5." in credits.opening  # eight names at most
    assert credits.closing.startswith("This has been Tiny Tales, written by Ann Author.")
    assert credits.closing.endswith("The end.")
    alone = default_credits("T", "A", [], voices=1)
    assert "Read by a synthetic eSpeak NG voice: a narrator." in alone.opening
    pair = default_credits("T", "A", ["Anna", "Tom"], voices=3)
    assert "the voices of Anna and Tom." in pair.closing


def test_credits_name_every_engine_and_piper_voice() -> None:
    credits = default_credits("Tales", "Ann Author", ["Bob"], 3, ["eSpeak NG", "Piper's en_US-joe-medium"])
    assert "Read by synthetic eSpeak NG and Piper's en_US-joe-medium voices: a narrator" in credits.opening
    assert "Produced with audiobook, with eSpeak NG and Piper voices." in credits.opening
    assert default_credits("Tales", "Ann Author", [], 1).opening.endswith("with eSpeak NG voices.")
