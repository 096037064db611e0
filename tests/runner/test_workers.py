"""Render workers that nothing crashes or hangs: long paragraphs, Ctrl-C as they fork, the
cache deleted mid-build, a worker that dies. Real builds in subprocesses, real signals.

The timing-sensitive cases run a few times here; tests/stress/stress_build.py runs them many times.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from pipeline.audio.synth import MAX_CLIP_CHARS, engine_pieces, plan_work
from pipeline.reading.corpus import load_corpus
from pipeline.speakers.analyse import analyse
from pipeline.voices.cast import cast_works
from tests.conftest import Project, decoded
from tests.runner.workers import (
    AUDIOBOOK,
    cache_deleted_mid_build,
    ctrl_c_at_fork,
    finish,
    kill_a_worker,
    kill_busy_workers,
    start_build,
)

LONG = " ".join(["The dog ran home."] * 3000)  # 54 KB in one paragraph: eSpeak segfaults on it whole


def test_a_long_paragraph_is_cut_for_the_engine_at_sentences(small_project: Project) -> None:
    (small_project.corpus / "02-long.txt").write_text(f"{LONG}\n\nA short one.\n", encoding="utf-8")
    corpus = load_corpus(small_project.corpus)
    work = corpus.works[-1]
    analysis = analyse(work.text)
    casting = cast_works(small_project.voices, corpus.works, [analyse(s.text) for s in corpus.works],
                           write=False).casting
    clips = plan_work(work, analysis.segments, casting)
    body = [c for c in clips if c.utterance.segment_index >= 0]
    assert max(len(c.utterance.text) for c in body) <= MAX_CLIP_CHARS
    assert all(c.utterance.text.endswith("home.") for c in body[:-1]), "cut inside a sentence"
    # the pieces tile the paragraph, and the pauses between them are the sentence pause
    assert " ".join(c.utterance.text for c in body[:-1]) == LONG
    assert {c.utterance.pause_before for c in body[1:-1]} == {casting.pauses.sentence}
    assert body[-1].utterance.text == "A short one." and body[-1].utterance.pause_before == casting.pauses.paragraph
    assert [c.text_start for c in body[1:]] > [c.text_start for c in body[:-1]]


def test_cuts_fall_back_to_clauses_then_words_then_anything() -> None:
    for text in (", ".join(["the dog ran home"] * 500), " ".join(["dog"] * 2000), "a" * 5000):
        cuts = engine_pieces(text, {})
        assert "".join(text[a:b] for a, b in cuts) == text
        assert max(b - a for a, b in cuts) <= MAX_CLIP_CHARS
    text = ", ".join(["the dog ran home"] * 500)
    assert all(text[b - 2:b] == ", " for _, b in engine_pieces(text, {})[:-1]), "cut inside a clause"


def test_short_texts_keep_their_clip_whole_and_so_their_cache_key() -> None:
    text = "She laughed. " * (MAX_CLIP_CHARS // 13)
    assert engine_pieces(text, {}) == [(0, len(text))]


def test_a_book_length_paragraph_builds(small_project: Project) -> None:
    (small_project.corpus / "02-long.txt").write_text(" ".join(["The dog ran home."] * 150) + "\n", encoding="utf-8")
    shutil.rmtree(small_project.build_dir, ignore_errors=True)
    proc = start_build(small_project.corpus, small_project.voices, small_project.build_dir, "--jobs", "2")
    outcome = finish(proc, small_project.build_dir, timeout=120)
    assert not outcome.problems((0,)), outcome
    # 150 sentences of about 1.3 s each, in five clips: the whole paragraph is spoken, none of it lost
    assert MP3(small_project.build_dir / "02-long.mp3").info.length > 150


@pytest.mark.parametrize("delay", [0.0, 0.0, 0.01, 0.03])
def test_ctrl_c_as_the_workers_fork(small_project: Project, delay: float, record_property) -> None:
    # The build is long (a story of 300 lines added): the Ctrl-C always lands in the middle of it.
    outcome = ctrl_c_at_fork(small_project.corpus, small_project.voices, small_project.build_dir, delay=delay)
    record_property("case", outcome.case)
    print(outcome.case)  # which case was tested: shown with -rA, or -s
    assert not outcome.problems((130,)), outcome


@pytest.mark.parametrize("clips", [2, 25])
def test_the_clip_cache_deleted_mid_build(project: Project, clips: int) -> None:
    outcome = cache_deleted_mid_build(project.corpus, project.voices, project.build_dir, clips)
    assert not outcome.problems((0,)), outcome
    assert_like_a_clean_build(project)


_REFERENCES: dict[str, dict[str, str]] = {}  # a clean build's decoded MP3s (digests), by its inputs


def _inputs(project: Project) -> str:
    files = [*sorted(project.corpus.iterdir()), project.voices]
    return hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in files)).hexdigest()


def _decoded_mp3s(build_dir: Path) -> dict[str, str]:
    return {m.name: hashlib.sha256(decoded(m)).hexdigest() for m in sorted(build_dir.glob("*.mp3"))}


def assert_like_a_clean_build(project: Project) -> None:
    """Every MP3 of the abused build has the samples of a clean build's: no clip lost, cut or
    rendered differently (a clean build of the same inputs is made once per test session)."""
    key = _inputs(project)
    if key not in _REFERENCES:
        reference = project.root / "reference"
        subprocess.run([str(AUDIOBOOK), "build", "--corpus", str(project.corpus), "--voices", str(project.voices),
                        "--build-dir", str(reference)], capture_output=True, text=True, check=True)
        _REFERENCES[key] = _decoded_mp3s(reference)
    assert _decoded_mp3s(project.build_dir) == _REFERENCES[key]


def test_a_worker_that_dies_is_replaced(project: Project) -> None:
    outcome = kill_a_worker(project.corpus, project.voices, project.build_dir, signal.SIGSEGV)
    assert not outcome.problems((0,)), outcome
    assert_like_a_clean_build(project)


def test_a_clip_that_kills_the_engine_names_its_file_and_line(small_project: Project) -> None:
    # A clip that takes seconds to render (a lexicon entry that expands one word into 39,000
    # characters, past the cut, which works on the text as written), and a test that kills
    # every worker that has rendered for a second: an engine that crashes on it every time
    # (as it may really do, from about 20,000 characters: the outcome is the same).
    voices = small_project.voices.read_text(encoding="utf-8").replace(
        "lexicon:\n", "lexicon:\n  Zyzzyva: " + "la " * 13000 + "\n", 1)
    small_project.voices.write_text(voices, encoding="utf-8")
    for work in small_project.corpus.glob("*.txt"):
        work.unlink()
    (small_project.corpus / "01-crash.txt").write_text("One line.\n\nThen a Zyzzyva came.\n", encoding="utf-8")
    outcome = kill_busy_workers(small_project.corpus, small_project.voices, small_project.build_dir)
    assert not outcome.problems((1,)), outcome
    error = next(line for line in outcome.stderr.splitlines() if line.startswith("Error:"))
    assert f"{small_project.corpus / '01-crash.txt'}:3:" in error and "speech engine crashed" in error, error
