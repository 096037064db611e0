"""voices.yaml: auto-casting, updates that keep the user's text, validation with file:line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipeline.audio.synth import apply_lexicon, plan_work
from pipeline.errors import CastingError
from pipeline.model import Gender, Work
from pipeline.runner.stages import BuildOptions, build
from pipeline.speakers.analyse import analyse
from pipeline.voices import engine, palette
from pipeline.voices.cast import cast_works
from pipeline.voices.castfile import UNUSED_MARK, NewEntry, update_text
from pipeline.voices.casting import load_casting
from tests.conftest import ROOT

CAFE = """Madame Dupont and Stéphane Cara stood by the counter.

“Good morning,” said Madame Dupont.

“Is it?” asked Stéphane Cara. Stéphane shrugged.

“It is,” she said.
"""
TRAIN = """The porter, Hugo Lambert, watched a woman named Marie Blanc cross the hall.

“The last train has gone,” said Hugo Lambert.

Marie sighed. “Then I shall walk,” she said.
"""
RETURN = """Jean-Pierre Dupuis came back to the café.

“Madame,” said Jean-Pierre Dupuis, “I am home.” Jean-Pierre smiled.

“So you are,” said Madame Dupont.
"""


def works(tmp_path: Path, *texts: str) -> tuple[list[Work], list]:
    out = []
    for i, text in enumerate(texts, 1):
        path = tmp_path / f"{i:02d}-story.txt"
        path.write_text(text, encoding="utf-8")
        out.append(Work(slug=path.stem, title=f"Story {i}", path=path, text=text, number=i))
    return out, [analyse(s.text) for s in out]


def cast(tmp_path: Path, *texts: str, voices: Path | None = None):
    found, analyses = works(tmp_path, *texts)
    return cast_works(voices or tmp_path / "voices.yaml", found, analyses)


# --------------------------------------------------------------------------- palette


@pytest.mark.parametrize("gender", [Gender.female, Gender.male])
def test_palette_has_a_dozen_distinct_voices_of_the_right_gender(gender: Gender) -> None:
    choices = palette.palette(gender)
    assert len(choices) >= 12
    assert len({(c.voice, c.variant, c.pitch, c.rate) for c in choices}) == len(choices)
    assert len({c.variant for c in choices}) >= 12  # a dozen different variants, not just pitch shifts
    genders = {v.name: v.gender for v in engine.variant_catalog()}
    assert {genders[c.variant] for c in choices} == {gender}
    voice_ids = {v.id for v in engine.voice_catalog()}
    assert all(c.voice in voice_ids for c in choices)


def test_a_large_cast_gets_distinct_voices(tmp_path: Path) -> None:
    names = [f"Anne{chr(65 + i)}" for i in range(16)]
    text = "".join(f"“Line {i},” said {n}, and she smiled.\n\n" for i, n in enumerate(names))
    result = cast(tmp_path, text)
    casting = result.casting
    voices = [casting.voice_for(n, "01-story") for n in names]
    assert len(set(voices)) == len(names)
    assert casting.narrator("01-story") not in voices


# --------------------------------------------------------------------------- auto-casting


def test_a_missing_file_is_created_complete_and_commented(tmp_path: Path) -> None:
    result = cast(tmp_path, CAFE, TRAIN)
    assert result.created
    text = (tmp_path / "voices.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for knob in ("voice:", "variant:", "rate:", "pitch:", "volume:", "aliases:", "note:",
                 "sentence:", "paragraph:", "chapter:"):
        assert any(knob in line and "#" in line for line in lines), knob
    for section in ("narrator:", "defaults:", "pauses:", "lexicon:", "characters:"):
        assert lines[lines.index(section) - 1].startswith("#"), section
    assert "# stories:" in lines
    casting = load_casting(tmp_path / "voices.yaml")
    assert list(casting.spec.characters) == ["Madame Dupont", "Stéphane Cara", "Hugo Lambert", "Marie Blanc"]
    assert casting.spec.characters["Stéphane Cara"].aliases == ["Stéphane"]
    female = {c.variant for c in palette.palette("F")}
    male = {c.variant for c in palette.palette("M")}
    assert casting.voice_for("Madame Dupont").variant in female
    assert casting.voice_for("Marie Blanc").variant in female
    assert casting.voice_for("Stéphane Cara").variant in male
    assert casting.voice_for("Hugo Lambert").variant in male
    narrator = casting.narrator()
    for name in casting.spec.characters:
        v = casting.voice_for(name)
        assert (v.voice, v.variant) != (narrator.voice, narrator.variant)
    assert casting.voice_for("Madame Dupont", "01-story") != casting.voice_for("Stéphane Cara", "01-story")


def test_casting_is_deterministic_whatever_the_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from pipeline.speakers.analyse import analyse;"
        "from pipeline.voices.cast import cast_works; from pipeline.model import Work;"
        "texts = [Path(p).read_text() for p in sys.argv[2:]];"
        "ss = [Work(f'{i:02d}-s', 't', Path(p), t, i) for i, (p, t) in enumerate(zip(sys.argv[2:], texts), 1)];"
        "cast_works(Path(sys.argv[1]), ss, [analyse(t) for t in texts])"
    )
    found, _ = works(tmp_path, CAFE, TRAIN, RETURN)
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"voices-{seed}.yaml"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(target), *(str(s.path) for s in found)],
                       check=True, env=env, cwd=ROOT)
        outputs.append(target.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


def test_one_character_keeps_one_voice_across_stories(tmp_path: Path) -> None:
    result = cast(tmp_path, CAFE, RETURN)
    casting = result.casting
    assert list(casting.spec.characters).count("Madame Dupont") == 1
    assert casting.voice_for("Madame Dupont", "01-story") == casting.voice_for("Madame Dupont", "02-story")


def test_a_speaker_named_differently_in_another_story_links_to_the_entry(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Jean-Pierre:\n    voice: gmw/en-gb-scotland\n    variant: m2\n",
                      encoding="utf-8")
    result = cast(tmp_path, RETURN, voices=voices)
    assert "Jean-Pierre Dupuis" not in result.casting.spec.characters
    assert result.casting.voice_for("Jean-Pierre Dupuis").label == "gmw/en-gb-scotland+m2"


def test_hand_edits_that_make_two_voices_alike_are_reported(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Madame Dupont: {voice: gmw/en, variant: f2}\n"
                      "  Stéphane Cara: {voice: gmw/en, variant: f2}\n", encoding="utf-8")
    result = cast(tmp_path, CAFE, voices=voices)
    assert result.warnings == ("01-story: Madame Dupont and Stéphane Cara have the same voice "
                               "(gmw/en+f2, rate 175, pitch 50)",)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert cast(fresh, CAFE, TRAIN).warnings == ()  # auto-casting never does it


def test_story_overrides_apply_to_that_story_only(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "characters:\n  Madame Dupont:\n    voice: gmw/en\n    variant: f2\n"
        "stories:\n  02-story:\n    narrator: {pitch: 30}\n    characters:\n      Madame Dupont: {rate: 120}\n",
        encoding="utf-8")
    casting = cast(tmp_path, CAFE, RETURN, voices=voices).casting
    assert casting.voice_for("Madame Dupont", "01-story").rate != 120
    assert casting.voice_for("Madame Dupont", "02-story").rate == 120
    assert casting.narrator("02-story").pitch == 30 and casting.narrator("01-story").pitch != 30


# --------------------------------------------------------------------------- updates


HAND_WRITTEN = """\
# My cast.   Hand-written; keep my spacing.
narrator:
    voice: gmw/en-gb-x-rp     # posh
    variant: m3

characters:
    Madame Dupont:
        voice: gmw/en-gb-scotland   # I changed this by hand
        variant: f5
        note: "warm, tired"
    # Stéphane is moody
    Stéphane Cara: {voice: gmw/en, variant: m4, aliases: [ Stéphane ]}

# sounds
lexicon:
    Stéphane: "Stay-fahn"
"""


def test_new_characters_are_appended_and_every_old_byte_kept(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text(HAND_WRITTEN, encoding="utf-8")
    result = cast(tmp_path, CAFE, TRAIN, voices=voices)
    assert result.updated
    new = voices.read_text(encoding="utf-8")
    old_lines, new_lines = HAND_WRITTEN.splitlines(), new.splitlines()
    # the old text is the new text minus one inserted block, right after Stéphane's entry
    at = old_lines.index("    Stéphane Cara: {voice: gmw/en, variant: m4, aliases: [ Stéphane ]}") + 1
    added = len(new_lines) - len(old_lines)
    assert new_lines[:at] == old_lines[:at] and new_lines[at + added:] == old_lines[at:]
    block = "\n".join(new_lines[at:at + added])
    assert block.startswith("    Hugo Lambert:") and "\n    Marie Blanc:" in block
    assert "\n        voice: " in block  # the file's own indentation
    casting = load_casting(voices)
    assert list(casting.spec.characters) == ["Madame Dupont", "Stéphane Cara", "Hugo Lambert", "Marie Blanc"]
    assert casting.voice_for("Madame Dupont").label == "gmw/en-gb-scotland+f5"


def test_nothing_changed_means_the_file_is_not_written(tmp_path: Path) -> None:
    cast(tmp_path, CAFE)
    voices = tmp_path / "voices.yaml"
    before = voices.stat()
    result = cast(tmp_path, CAFE)
    after = voices.stat()
    assert not result.created and not result.updated
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_a_character_who_left_is_marked_not_deleted_and_unmarked_on_return(tmp_path: Path) -> None:
    cast(tmp_path, CAFE, TRAIN)
    voices = tmp_path / "voices.yaml"
    full = voices.read_text(encoding="utf-8")
    result = cast(tmp_path, CAFE, "Nobody spoke.\n")
    marked = voices.read_text(encoding="utf-8")
    assert {c.name for c in result.cast if c.status == "unused"} == {"Hugo Lambert", "Marie Blanc"}
    assert marked.count(UNUSED_MARK) == 2
    assert [line for line in marked.splitlines() if UNUSED_MARK not in line] == full.splitlines()
    cast(tmp_path, CAFE, "Nobody spoke.\n")
    assert voices.read_text(encoding="utf-8") == marked  # marked once, not twice
    cast(tmp_path, CAFE, TRAIN)
    assert voices.read_text(encoding="utf-8") == full


def test_sections_left_with_only_comments_are_empty(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("lexicon:\n  # none yet\ncharacters:\n  # to come\n", encoding="utf-8")
    result = cast(tmp_path, CAFE, voices=voices)
    text = voices.read_text(encoding="utf-8")
    assert text.startswith("lexicon:\n  # none yet\ncharacters:\n  # to come\n  Madame Dupont:")
    assert set(result.casting.spec.characters) == {"Madame Dupont", "Stéphane Cara"}


def test_odd_names_and_windows_line_endings_survive_an_append() -> None:
    names = ["Yes", "O'Brien", "Dr. Hale", "Null", "Anne-Marie d'Arc", "3rd Guard", "Mr: X", "#1", "Zoë", "[x]"]
    text = "characters:\r\n  A:   # mine\r\n    voice: gmw/en"  # CRLF and no newline at the end
    new = [NewEntry(n, "gmw/en-us", "f1", 50, 170, (f"{n} too",), "why") for n in names]
    out = update_text(text, YAML(typ="rt").load(text), new, [], [])
    assert out.startswith(text) and "\n" not in out.replace("\r\n", "")
    data = YAML(typ="safe").load(out)
    assert list(data["characters"]) == ["A", *names]
    assert data["characters"]["Mr: X"]["aliases"] == ["Mr: X too"]


# --------------------------------------------------------------------------- validation

GOOD = """\
narrator:
  voice: gmw/en-gb-x-rp
characters:
  Madame Dupont:
    voice: gmw/en
    variant: f2
    pitch: 60
    aliases: [Madame]
  Stéphane Cara:
    voice: gmw/en-us
    aliases: [Stéphane]
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "words"),
    [
        ("    pitch: 60", "    pich: 60", 7, "characters.Madame Dupont.pich",
         ["did you mean 'pitch'", "valid keys"]),
        ("    pitch: 60", "    pitch: high", 7, "characters.Madame Dupont.pitch", ["integer", "'high'"]),
        ("    voice: gmw/en-us", "    voice: en-uss", 10, "characters.Stéphane Cara.voice",
         ["unknown voice 'en-uss'", "did you mean 'gmw/en-us'", "audiobook voices"]),
        ("    variant: f2", "    variant: f9", 6, "characters.Madame Dupont.variant",
         ["unknown variant 'f9'", "did you mean"]),
        ("    pitch: 60", "    pitch: 160", 7, "characters.Madame Dupont.pitch", ["160", "0 to 99"]),
        ("    pitch: 60", "    rate: 600", 7, "characters.Madame Dupont.rate", ["600", "80 to 450"]),
        ("    aliases: [Stéphane]", "    aliases: [Madame]", 11, "characters.Stéphane Cara.aliases",
         ["'Madame'", "claimed by both 'Madame Dupont' and 'Stéphane Cara'"]),
        ("characters:", "stories:\n  01-the-margin:\n    narrator: {pitch: 40}\ncharacters:", 4,
         "stories.01-the-margin", ["no story '01-the-margin'", "did you mean '01-the-margins'"]),
        ("characters:", "stories:\n  01-the-margins:\n    characters:\n      Madam Dupont: {rate: 150}\n"
         "characters:", 6, "stories.01-the-margins.characters.Madam Dupont",
         ["no character 'Madam Dupont'", "did you mean 'Madame Dupont'"]),
        ("characters:", "lexicon:\n  Stéphane: \"[[ste'fan\"\ncharacters:", 4, "lexicon.Stéphane",
         ["unbalanced", "[[ste'fan]]"]),
        ("    variant: f2", "    variant: [f2", 6, None, ["invalid YAML"]),
    ],
    ids=["typo", "type", "voice", "variant", "pitch", "rate", "alias", "story", "override", "lexicon", "yaml"],
)
def test_each_mistake_is_one_line_with_file_line_key_and_choices(
    tmp_path: Path, old: str, new: str, line: int, key: str | None, words: list[str],
) -> None:
    voices = tmp_path / "voices.yaml"
    assert old in GOOD
    voices.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    found = [Work("01-the-margins", "The Margins", tmp_path / "01-the-margins.txt", CAFE, 1)]
    with pytest.raises(CastingError) as info:
        cast_works(voices, found, [analyse(CAFE)])
    message = str(info.value)
    assert "\n" not in message
    assert info.value.key == key
    assert message.startswith(f"{voices}:{line}: ") or (key is None and message.startswith(f"{voices}:"))
    for word in words:
        assert word in message
    assert voices.read_text(encoding="utf-8") == GOOD.replace(old, new, 1)  # untouched


def test_short_voice_ids_and_variant_case_are_normalised(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Madame Dupont: {voice: en-us, variant: annie}\n", encoding="utf-8")
    # eSpeak ignores 'annie' silently (it only knows 'Annie'): the casting must say 'Annie'
    assert load_casting(voices).voice_for("Madame Dupont").label == "gmw/en-us+Annie"


# --------------------------------------------------------------------------- lexicon


def test_lexicon_respellings_apply_to_every_voice() -> None:
    lexicon = {"Stéphane": "Stay-fahn", "n'est-ce pas": "ness pah"}
    assert apply_lexicon("Stéphane, n'est-ce pas? STÉPHANE's", lexicon) == "Stay-fahn, ness pah? Stay-fahn's"


def test_phonemes_in_double_brackets_are_spoken_as_phonemes() -> None:
    voice = load_casting(Path("/nonexistent/voices.yaml")).narrator()
    phonemes = engine.engine().render("[[h@l'oU]]", voice).pcm
    spelt = engine.engine().render("h@l'oU", voice).pcm
    word = engine.engine().render("hello", voice).pcm
    assert abs(len(phonemes) - len(word)) < abs(len(spelt) - len(word)) / 4


# --------------------------------------------------------------------------- the build


def test_build_casts_then_renders_only_what_the_user_changed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "01-cafe.txt").write_text(CAFE, encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    options = BuildOptions(corpus=corpus, voices=voices, build_dir=tmp_path / "build", jobs=1)
    first = build(options)
    assert first.clips_rendered == first.clips_total
    text = voices.read_text(encoding="utf-8")
    assert "\n  Madame Dupont:" in text and "\n  Stéphane Cara:" in text
    madame = load_casting(voices).voice_for("Madame Dupont")

    cafe, cafe_analysis = works(tmp_path, CAFE)[0][0], analyse(CAFE)
    keys_before = {c.key for c in plan_work(cafe, cafe_analysis.segments, load_casting(voices))}
    cache = tmp_path / "build" / "cache" / "clips"
    files_before = set(cache.rglob("*.wav"))

    # the user's edit: a comment and another voice for Madame Dupont
    start = text.index("\n  Madame Dupont:") + 1
    entry_end = text.index("\n  Stéphane Cara:")
    entry = text[start:entry_end].replace(f"voice: {madame.voice}", "voice: gmw/en-gb-scotland")
    edited = text[:start] + "  # she sounds better Scottish\n" + entry + text[entry_end:]
    voices.write_text(edited, encoding="utf-8")
    # and a new story with new speakers
    (corpus / "02-the-last-train.txt").write_text(TRAIN, encoding="utf-8")

    second = build(options)
    after = voices.read_text(encoding="utf-8")
    assert after.startswith(edited)
    assert after[len(edited):].startswith("  Hugo Lambert:") and "\n  Marie Blanc:" in after[len(edited):]
    casting = load_casting(voices)
    assert casting.voice_for("Madame Dupont").voice == "gmw/en-gb-scotland"

    train = Work("02-the-last-train", "The Last Train", corpus / "02-the-last-train.txt", TRAIN, 2)
    cafe_now = plan_work(cafe, cafe_analysis.segments, casting)
    train_now = plan_work(train, analyse(TRAIN).segments, casting)
    changed_in_cafe = {c.key for c in cafe_now} - keys_before
    assert changed_in_cafe == {c.key for c in cafe_now if c.utterance.voice == casting.voice_for("Madame Dupont")}
    assert len(changed_in_cafe) == 2  # her two lines
    from_works = changed_in_cafe | ({c.key for c in train_now} - keys_before)
    rendered = {p.stem for p in set(cache.rglob("*.wav")) - files_before}
    assert from_works <= rendered
    # anything else rendered is the spoken credits, which name the cast (and the cast grew)
    assert len(rendered - from_works) <= 2
    assert second.clips_rendered == len(rendered)


def test_a_broken_file_stops_the_build_before_anything_is_rendered(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "01-cafe.txt").write_text(CAFE, encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    voices.write_text(GOOD.replace("variant: f2", "variant: f9"), encoding="utf-8")
    with pytest.raises(CastingError):
        build(BuildOptions(corpus=corpus, voices=voices, build_dir=tmp_path / "build", jobs=1))
    assert not (tmp_path / "build" / "cache").exists()
