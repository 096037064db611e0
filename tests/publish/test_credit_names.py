"""Narrator credits as Audiobookshelf's name parser (parseNameString, parseFullName) reads tags:
it splits on "&", " and ", ";" and ",", and drops a part in parentheses or quotes as a nickname."""

from __future__ import annotations

import pytest

from pipeline.plan.chapters import voice_language
from pipeline.publish.meta import DEFAULT_NARRATOR
from pipeline.publish.tags import credit_names, credit_text


@pytest.mark.parametrize(("credit", "names", "text"), [
    (DEFAULT_NARRATOR, ("eSpeak NG synthetic voices",), "eSpeak NG synthetic voices"),
    ("eSpeak NG synthetic voices (audiobook)", ("eSpeak NG synthetic voices",), "eSpeak NG synthetic voices"),
    ("Ann Lee and Tom Fox", ("Ann Lee", "Tom Fox"), "Ann Lee & Tom Fox"),
    ("Homer, Tom Fox; Ann Lee", ("Homer", "Tom Fox", "Ann Lee"), "Homer & Tom Fox & Ann Lee"),
    ("Ann \u201cthe voice\u201d Lee", ("Ann Lee",), "Ann Lee"),
])
def test_a_credit_is_written_as_the_names_it_means(credit: str, names: tuple[str, ...], text: str) -> None:
    assert credit_names(credit) == names
    assert credit_text(credit) == text


@pytest.mark.parametrize(("voice", "language"), [("gmw/en-us", "en-US"), ("roa/fr", "fr"), ("en_GB-alan-low", "en-GB"),
                                                 ("gmw/en-gb-x-rp", "en-GB")])
def test_the_language_of_a_voice(voice: str, language: str | None) -> None:
    assert voice_language(voice) == language
