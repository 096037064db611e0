"""One paragraph model for segmentation, clip planning, the script view and the credits:
the same words give the same paragraphs, speakers and pauses whatever the line ends."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from pipeline.audio.credits import credit_segments
from pipeline.audio.credits import paragraphs as credit_paragraphs
from pipeline.audio.synth import plan_work
from pipeline.cli.scriptview import render_script
from pipeline.model import Work
from pipeline.reading.paragraphs import Paragraph, line_number, paragraph_at, paragraphs, pieces, separators
from pipeline.reading.segment import segment
from pipeline.speakers.analyse import analyse
from pipeline.voices.casting import load_casting
from tests.conftest import ROOT

STORIES = sorted([*ROOT.glob("corpus/0*-*.txt"), *ROOT.glob("tests/fixtures/attribution-dev/*.txt")])

_PIECES = st.sampled_from(
    [*"ab ,.!?\t", "\n", "\n", "\n\n", " \n", "\n \t\n", '"', "“", "”", "'", "’", "—", "Mr. Hale",
     " said Tom", "Ann", " replied Ann.", "don't", "“Yes,” said Tom. "]
)
_TEXTS = st.lists(_PIECES, max_size=50).map("".join)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def to_crlf(lf: str, offset: int) -> int:
    """An offset into ``lf`` as an offset into ``crlf(lf)``: one more character per earlier LF."""
    return offset + lf.count("\n", 0, offset)


def spans(text: str) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in paragraphs(text)]


def words(text: str) -> list[str]:
    return [" ".join(text[a:b].split()) for a, b in spans(text)]


# --------------------------------------------------------------------------- invariants


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_paragraphs_are_in_order_apart_trimmed_and_cover_every_word(text: str) -> None:
    paras = paragraphs(text)
    pos = 0
    for p in paras:
        assert pos <= p.start < p.end <= len(text)
        assert not text[p.start].isspace() and not text[p.end - 1].isspace()
        pos = p.end + 1  # at least one line break lies between two paragraphs
    inside = {i for p in paras for i in range(p.start, p.end)}
    assert all(c.isspace() for i, c in enumerate(text) if i not in inside)
    assert all(text[a:b].isspace() for a, b in separators(paras, len(text)))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_gives_ordered_paragraphs_inside_the_text(text: str) -> None:
    ends = [x for p in paragraphs(text) for x in (p.start, p.end)]
    assert ends == sorted(ends) and all(0 <= x <= len(text) for x in ends)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_lf_crlf_and_lone_cr_give_the_same_paragraphs(text: str) -> None:
    mapped = [(to_crlf(text, a), to_crlf(text, b)) for a, b in spans(text)]
    assert spans(crlf(text)) == mapped
    assert spans(text.replace("\n", "\r")) == spans(text)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
@example("“Yes,” said Tom. “Yes,” said Tom. \n\nMr. Hale")  # a tag looked for past the paragraph's end
def test_lf_and_crlf_give_the_same_segments(text: str) -> None:
    lf, lf_warnings = segment(text)
    cr, cr_warnings = segment(crlf(text))
    assert [(s.kind, to_crlf(text, s.start), to_crlf(text, s.end), s.quote_id) for s in lf] == [
        (s.kind, s.start, s.end, s.quote_id) for s in cr
    ]
    assert lf_warnings == cr_warnings


@settings(max_examples=60, deadline=None)
@given(_TEXTS)
def test_lf_and_crlf_give_the_same_speakers(text: str) -> None:
    assert _speakers(analyse(text), text) == _speakers(analyse(crlf(text)), crlf(text))


@pytest.fixture(scope="module")
def casting():
    return load_casting(ROOT / "voices.yaml")


@pytest.mark.parametrize("path", STORIES, ids=lambda p: p.stem)
def test_a_story_with_windows_line_ends_reads_and_pauses_the_same(path: Path, casting) -> None:
    text = path.read_text(encoding="utf-8")
    for variant in (text, _hard_wrapped(text)):
        lf, windows = analyse(variant), analyse(crlf(variant))
        assert _speakers(lf, variant) == _speakers(windows, crlf(variant))
        assert _plan(variant, lf, casting) == _plan(crlf(variant), windows, casting)
        assert _script(lf) == _script(windows)


@settings(max_examples=60, deadline=None)
@given(_TEXTS)
def test_lf_and_crlf_give_the_same_clip_pauses(text: str) -> None:
    plan = lambda t: _plan(t, analyse(t), load_casting(ROOT / "voices.yaml"))  # noqa: E731
    assert plan(text) == plan(crlf(text))


# --------------------------------------------------------------------------- the rule, by example


def test_one_paragraph_per_line_without_blank_lines() -> None:
    assert words("One.\nTwo.\r\nThree.\rFour.") == ["One.", "Two.", "Three.", "Four."]


def test_hard_wrapped_lines_join_between_blank_lines() -> None:
    text = "It was late\nand the lamps\nwere out.\n\n“Who is there?”\ncalled Ann.\n"
    assert words(text) == ["It was late and the lamps were out.", "“Who is there?” called Ann."]
    assert words(crlf(text)) == words(text)


def test_whitespace_only_lines_are_blank() -> None:
    assert words("One\nline.\n \t \nTwo\nlines.") == ["One line.", "Two lines."]
    assert words("One\r\n\u00a0\r\nTwo") == ["One", "Two"]


def test_blank_lines_only_around_the_text_do_not_make_it_wrapped() -> None:
    assert words("\n\nOne.\nTwo.\n\n\n") == ["One.", "Two."]
    assert paragraphs("") == () and paragraphs(" \r\n\t") == ()


def test_offset_lookups() -> None:
    text = "  Ab\ncd\n\n\nEf  "
    paras = paragraphs(text)
    assert paras == (Paragraph(2, 7), Paragraph(10, 12))
    assert [paragraph_at(paras, i) for i in (0, 2, 6, 7, 9, 10, 12)] == [None, 0, 0, None, None, 1, None]
    assert separators(paras, len(text)) == ((0, 2), (7, 10), (12, 14))
    assert pieces(paras, 0, len(text)) == [(2, 7, 0), (10, 12, 1)]
    assert pieces(paras, 3, 11) == [(3, 7, 0), (10, 11, 1)]
    assert pieces(paras, 7, 10) == []


def test_line_numbers_count_every_kind_of_line_end() -> None:
    text = "a\nb\r\nc\rd"
    assert [line_number(text, text.index(c)) for c in "abcd"] == [1, 2, 3, 4]


def test_a_hard_wrapped_quotation_is_one_line_of_dialogue(casting) -> None:
    text = "“I have waited,” said Ann, “since\nthe clock struck nine.”\n\nTom shrugged.\nHe\nsaid nothing."
    segs, warnings = segment(text)
    assert [s.text for s in segs if s.kind == "dialogue"] == ["I have waited,", "since\nthe clock struck nine."]
    assert not warnings
    plan = _plan(text, analyse(text), casting)
    assert [pause for pause, _ in plan] == ["title", "chapter", "sentence", "sentence", "paragraph"]
    assert plan[-1][1] == "Tom shrugged. He said nothing."


def test_a_long_speech_continues_over_wrapped_paragraphs() -> None:
    text = "“It began in May,\nas these things do.\n\n“And it ended\nin June.”\n\nShe stopped."
    segs, warnings = segment(crlf(text))
    quotes = [s for s in segs if s.kind == "dialogue"]
    assert len(quotes) == 2 and quotes[0].quote_id == quotes[1].quote_id and not warnings


def test_credits_follow_the_same_rule() -> None:
    assert credit_paragraphs("Café Stories.\r\n\r\nRead by\r\nseven voices.") == [
        "Café Stories.",
        "Read by seven voices.",
    ]
    assert credit_paragraphs("One.\nTwo.") == ["One.", "Two."]
    joined, segs = credit_segments("A.\r\n\r\n\r\nB.")
    assert joined == "A.\n\nB." and [s.text for s in segs] == ["A.", "\n\n", "B."]


# --------------------------------------------------------------------------- helpers


def _hard_wrapped(text: str) -> str:
    paras = text.split("\n\n")
    return "\n\n".join("\n".join(textwrap.wrap(p, 50, break_on_hyphens=False)) for p in paras)


def _speakers(analysis, text: str) -> list[tuple[str, str, str | None]]:
    return [(s.kind, " ".join(s.text.split()), s.speaker) for s in analysis.segments if s.text.strip()]


def _plan(text: str, analysis, casting) -> list[tuple[str, str]]:
    """Each clip's pause (by name) and spoken text."""
    pauses = casting.pauses
    names = {pauses.chapter: "chapter", pauses.paragraph: "paragraph", pauses.sentence: "sentence"}
    clips = plan_work(Work("s", "Title", Path("s.txt"), text, 1), analysis.segments, casting)
    out = [("title", clips[0].utterance.text)]
    for c in clips[1:]:
        out.append((names[c.utterance.pause_before], c.utterance.text))
        assert text[c.text_start : c.text_end].strip(), "a clip's offsets point at its words"
    return out


def _script(analysis) -> str:
    buf = io.StringIO()
    render_script(analysis, Console(file=buf, width=100, color_system=None))
    return buf.getvalue()
