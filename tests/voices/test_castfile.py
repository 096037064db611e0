"""The voices.yaml writer: what it quotes reads back as written, and appending keeps every old byte.

castfile promises that a build "only ever adds to the file": new characters are appended as
text at the end of ``characters:`` and every other byte stays. So the file before an append is
the file after it with one block of whole lines taken out (a prefix of it when ``characters:``
is the last section), and both parsers read back exactly the entries that were asked for.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pipeline.voices.castfile import NewEntry, update_text, yaml_str

#: Names as odd as a story, a pin or a hand edit can make them; st.text() covers the rest.
TRICKY = st.sampled_from([
    "Yes", "no", "Null", "~", "- Tom", "-", "? who", ": x", "Mr: X", "Dr. Hale", "O'Brien", "“Red”", '"Q"',
    "#1", "Tom #2", "a # b", "[x]", "{y}", "&anchor", "*alias", "!tag", "%dir", "@at", "`tick`", "|", ">",
    "3rd Guard", "12", "0x1F", "1e3", ".inf", "Zoë", "Stéphane Cara", "山田 花子", "Ωmega", "trailing ",
    " leading", "tab\there", "a  b", "\\back", "'", "--- ", "...", "Ann\u00a0Lee", "emoji 🙂",
])
NAMES = st.one_of(TRICKY, st.text(min_size=1, max_size=20))
#: Why a voice was chosen (autocast: "woman, 3 lines: 01-the-margins"); story slugs are file names,
#: so anything, line breaks included: the writer keeps a comment on its one line.
COMMENTS = st.one_of(st.just("woman, 3 lines: 01-the-margins, 02-a-whispered-promise"), st.text(max_size=30))

SAFE = YAML(typ="safe")


def load(text: str) -> object:
    return SAFE.load(io.StringIO(text))


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_a_quoted_name_reads_back_as_itself_as_key_and_as_list_item(name: str) -> None:
    doc = f"{yaml_str(name)}: [{yaml_str(name)}, {yaml_str(name + ' too')}]\n"
    assert load(doc) == {name: [name, name + " too"]}
    rt = YAML(typ="rt").load(doc)
    assert list(rt) == [name] and list(rt[name]) == [name, name + " too"]


def entry(name: str, comment: str = "", aliases: tuple[str, ...] = ()) -> NewEntry:
    return NewEntry(name, "gmw/en-us", "f1", 50, 170, aliases, comment)


# --------------------------------------------------------------------------- files to append to

HEADER = st.sampled_from(["", "# my cast\n", "# voices.yaml\n#\n# hand-written; keep my spacing\n\n"])
NARRATOR = st.sampled_from(["", "narrator:\n  voice: gmw/en-gb-x-rp   # posh\n  variant: m3\n\n",
                            "narrator: {voice: gmw/en}\n"])
LEXICON = st.sampled_from(["", "lexicon:\n  Stéphane: Stay-fahn\n", "\n# sounds\nlexicon:\n    # none yet\n"])


@st.composite
def characters_block(draw: st.DrawFn, names: list[str]) -> str:
    """``characters:`` with the given entries, in one of the layouts people write."""
    indent, step = draw(st.sampled_from([(2, 2), (4, 4), (1, 3), (2, 4)]))
    pad, sub = " " * indent, " " * (indent + step)
    lines = [draw(st.sampled_from(["characters:", "characters:   # who reads whom"]))]
    if not names and draw(st.booleans()):
        lines.append(f"{pad}# to come")
    for name in names:
        if draw(st.booleans()):
            lines.append(f"{pad}# the next one is mine")
        if draw(st.booleans()):
            lines.append(f"{pad}{yaml_str(name)}: {{voice: gmw/en, variant: m4}}")
        else:
            lines += [f"{pad}{yaml_str(name)}:", f"{sub}voice: gmw/en-gb-scotland   # changed by hand",
                      f"{sub}note: \"warm, tired\""]
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + "\n"


@st.composite
def voices_files(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """(a voices.yaml, the names it has, new names to append), in LF or CRLF, ending or not in a newline."""
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique_by=lambda n: n))
    split = draw(st.integers(0, len(names) - 1))
    old, new = names[:split], names[split:]
    sections = [draw(NARRATOR), draw(characters_block(old)), draw(LEXICON)]
    if draw(st.booleans()):
        sections[1], sections[2] = sections[2], sections[1]  # characters: last, or not
    if not old and draw(st.integers(0, 3)) == 0:
        sections[1] = ""  # no characters: section at all
        sections[0] = sections[0] or "narrator:\n  voice: gmw/en\n"  # a file is a mapping of something
    text = draw(HEADER) + "".join(sections)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text, old, new


def inserted_block(before: str, after: str) -> tuple[int, str]:
    """Where ``after`` is ``before`` with one block inserted, and the block; fails otherwise."""
    head = 0
    while head < len(before) and head < len(after) and before[head] == after[head]:
        head += 1
    tail = len(before) - head
    assert after.endswith(before[head:]), "an old byte changed or moved"
    return head, after[head:len(after) - tail]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(voices_files(), st.data())
def test_appending_keeps_every_old_byte_and_reads_back(case: tuple[str, list[str], list[str]],
                                                       data: st.DataObject) -> None:
    text, old, new = case
    comments = [data.draw(COMMENTS) for _ in new]
    aliases = [tuple(data.draw(st.lists(NAMES, max_size=2))) for _ in new]
    entries = [entry(n, c, a) for n, c, a in zip(new, comments, aliases, strict=True)]
    out = update_text(text, YAML(typ="rt").load(text), entries, [], [])
    newline = "\r\n" if "\r\n" in text else "\n"
    # The writer ends an unterminated last line before appending: that newline is the one
    # byte added outside the block, and no old byte changes.
    whole = text if not text or text.endswith("\n") else text + newline
    at, block = inserted_block(whole, out)
    assert at == 0 or whole[at - 1] == "\n", "the block starts mid-line"
    assert block.endswith(newline)
    assert block.count("\n") == block.count(newline) if newline == "\r\n" else "\r" not in block
    data_after = load(out)
    assert isinstance(data_after, dict)
    chars = data_after["characters"] or {}
    assert list(chars) == [*old, *new]
    for e in entries:
        assert chars[e.name]["voice"] == "gmw/en-us" and chars[e.name]["pitch"] == 50
        assert chars[e.name].get("aliases", []) == list(e.aliases)
    for name in old:
        assert chars[name]["voice"] in ("gmw/en", "gmw/en-gb-scotland")
    # and the round-trip parser the build uses reads the same entries
    assert list(YAML(typ="rt").load(out)["characters"]) == [*old, *new]


def test_appending_nothing_changes_nothing() -> None:
    text = "characters:\n  A:   # mine\n    voice: gmw/en\n"
    assert update_text(text, YAML(typ="rt").load(text), [], [], []) == text
