"""Editing one value of a hand-written YAML file in place: every other byte stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pipeline.yamlutil import TextEditError, remove_key, set_scalar, yaml_str

DOC = """\
# my cast, my comments
narrator:
  voice: gmw/en-gb-x-rp   # the reader
  rate: 165

lexicon:
  # none yet

characters:
  Mara:  # the sister
    voice: gmw/en
    rate: 150

  "Jonas: the elder":
    pitch: 40
# the end
"""


def _set(text: str, keys: tuple[str, ...], value: str) -> str:
    return set_scalar(text, YAML(typ="rt").load(text), keys, value)


def _changed(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    out = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes():
        if tag != "equal":
            out.append(("\n".join(before.splitlines()[a1:a2]), "\n".join(after.splitlines()[b1:b2])))
    return out


def test_a_value_is_replaced_on_its_line_with_its_comment() -> None:
    after = _set(DOC, ("narrator", "voice"), "gmw/en-us")
    assert _changed(DOC, after) == [("  voice: gmw/en-gb-x-rp   # the reader", "  voice: gmw/en-us   # the reader")]
    after = _set(DOC, ("characters", "Jonas: the elder", "pitch"), "55")
    assert _changed(DOC, after) == [("    pitch: 40", "    pitch: 55")]


def test_a_missing_key_goes_at_the_end_of_its_mapping() -> None:
    after = _set(DOC, ("characters", "Mara", "pitch"), "60")
    assert _changed(DOC, after) == [("", "    pitch: 60")]
    assert after.index("pitch: 60") < after.index('"Jonas')
    assert YAML(typ="safe").load(after)["characters"]["Mara"] == {"voice": "gmw/en", "rate": 150, "pitch": 60}


def test_an_empty_section_and_a_missing_one_are_filled() -> None:
    after = _set(DOC, ("lexicon", "Stéphane"), yaml_str("Stay-fahn"))
    assert YAML(typ="safe").load(after)["lexicon"] == {"Stéphane": "Stay-fahn"}
    assert after.startswith(DOC.split("lexicon:")[0])
    after = _set(DOC, ("pauses", "sentence"), "0.4")
    assert after == DOC.replace("# the end", "pauses:\n  sentence: 0.4\n# the end")
    assert _set("", ("q-12345678",), "Mara") == "q-12345678: Mara\n"


def test_line_endings_and_refusals() -> None:
    crlf = DOC.replace("\n", "\r\n")
    after = _set(crlf, ("narrator", "rate"), "170")
    assert after == crlf.replace("rate: 165", "rate: 170")
    flow = "characters:\n  Mara: {rate: 150}\n"
    with pytest.raises(TextEditError, match="one-line"):
        _set(flow, ("characters", "Mara", "pitch"), "40")
    with pytest.raises(TextEditError, match="mapping"):
        _set(DOC, ("characters", "Mara"), "x")


def test_a_key_is_removed_with_its_line() -> None:
    text = "# pins\nq-11111111: Mara  # sure\nq-22222222: Jonas\n"
    assert remove_key(text, YAML(typ="rt").load(text), ("q-11111111",)) == "# pins\nq-22222222: Jonas\n"


@settings(deadline=None, max_examples=60)  # YAML parsing is slow on a loaded machine
@given(st.text(min_size=1, max_size=30))
def test_any_name_and_value_read_back_as_written(value: str) -> None:
    after = _set(DOC, ("characters", value, "note"), yaml_str(value))
    assert YAML(typ="safe").load(after)["characters"][value]["note"] == value
    assert after.startswith(DOC.split('  "Jonas')[0].rstrip("\n"))
