"""The studio in headless chromium, as a person uses it: one browser session, one server, in order.

Open a chapter, play a line and hear the next follow, pin a line to another speaker (the pins file
changes and the lines after it follow, as `audiobook script` derives them), change a character's
rate and preview it (a bad rate gets the command line's message beside the field), add a lexicon
entry, edit voices.yaml by hand mid-session (the edit is kept), build from the page while the
command line's lock is reported, then listen to the rebuilt chapter; and look at it at desktop
and phone widths.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipeline.runner.lock import build_lock
from pipeline.speakers.analyse import analyse
from pipeline.speakers.pins import load_pins
from pipeline.studio.project import file_hash
from tests.browser import chromium, until
from tests.browser import wait_for as _wait_for
from tests.studio.conftest import Server


def wait_for(driver: Any, script: str, timeout: float = 60.0) -> Any:
    """As long as a loaded two-core machine may need: the waits end on the page's own events."""
    return _wait_for(driver, script, timeout)


LINES = "return studio.state.view ? studio.state.view.lines : null"
PLAYING = """var a = studio.audio, el = document.querySelector('.line.playing');
return [a.currentTime, el ? Number(el.dataset.i) : null, a.paused];"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(1280, 900) as driver:
        yield driver


def _open(browser: Any, studio: Server, hash_: str = "") -> None:
    browser.get(studio.url + hash_)
    wait_for(browser, "return document.body.dataset.ready")


def _click(browser: Any, css: str) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, css).click()


def _type(browser: Any, css: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    el = browser.find_element(By.CSS_SELECTOR, css)
    el.clear()
    el.send_keys(text)


def _wait_file(path: Path, wanted: str, timeout: float = 60.0) -> str:
    def holding() -> str:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        return text if wanted in text else ""

    return until(holding, f"{path} to hold {wanted!r}", timeout)


def test_open_play_and_pin(studio: Server, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, studio)
    assert "token" not in browser.current_url  # it went to a cookie
    lines = browser.execute_script(LINES)
    work = studio.corpus / "01-the-lamp.txt"
    expected = [s for s in analyse(work.read_text(encoding="utf-8")).segments if s.kind == "dialogue"]
    shown = [line for line in lines if line["kind"] == "dialogue"]
    assert [(x["qid"], x["speaker"]) for x in shown] == [(s.quote_id, s.speaker) for s in expected]
    assert browser.find_elements(By.CSS_SELECTOR, ".line.unsure")  # unsure lines are marked

    # "u" jumps to the next unsure line
    browser.find_element(By.TAG_NAME, "body").send_keys("u")
    first_unsure = next(x for x in shown if x["unsure"])
    assert browser.execute_script("return studio.state.selected") == first_unsure["i"]

    # play a line: the clip is rendered on demand, the line is lit, and the next one follows
    short = next(x for x in shown if x["text"].startswith("The window"))
    browser.find_element(By.CSS_SELECTOR, f"#line-{short['i']} .play").click()
    lit = wait_for(browser, "var el = document.querySelector('.line.playing'); return studio.audio.currentTime > 0.2 "
                            "&& el && [Number(el.dataset.i), el.getAttribute('aria-current')]")
    assert lit[0] >= short["i"] and lit[1] == "true"  # this line lit (or, on a slow machine, the next already)
    wait_for(browser, "var el = document.querySelector('.line.playing'); "
                      f"return el && Number(el.dataset.i) > {short['i']}", timeout=60)
    browser.execute_script("studio.audio.pause()")
    browser.save_screenshot(str(tmp_path / "studio-desktop.png"))

    # pin a turn-taking line to the other speaker: the file is written, the lines after it follow
    target = next(x for x in shown if x["rule"] == "turn-taking")
    other = "Jonas" if target["speaker"] == "Mara" else "Mara"
    browser.find_element(By.CSS_SELECTOR, f"#line-{target['i']} .who").click()
    Select(browser.find_element(By.CSS_SELECTOR, f"#line-{target['i']} .choose select")).select_by_value(other)
    browser.find_element(By.CSS_SELECTOR, f"#line-{target['i']} .choose button[type=submit]").click()
    pins = work.with_name("01-the-lamp.speakers.yaml")
    assert f"{target['qid']}: {other}" in _wait_file(pins, target["qid"])
    wait_for(browser, f"return studio.state.view.lines.some(l => l.qid === '{target['qid']}' && l.rule === 'pin')")
    after = [x for x in browser.execute_script(LINES) if x["kind"] == "dialogue"]
    derived = [s for s in analyse(work.read_text(encoding="utf-8"), load_pins(work)).segments
               if s.kind == "dialogue"]
    assert [(x["qid"], x["speaker"]) for x in after] == [(s.quote_id, s.speaker) for s in derived]
    later = [(a["speaker"], b["speaker"]) for a, b in zip(shown, after, strict=True)
             if a["i"] > target["i"] and a["qid"] != target["qid"]]
    assert any(x != y for x, y in later)  # the untagged lines after the pin followed it


def test_recast_say_it_right_and_a_hand_edit(studio: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, studio)
    voices = studio.voices
    original = voices.read_text(encoding="utf-8")
    browser.execute_script("studio.openVoice('Mara')")
    wait_for(browser, "return document.getElementById('knob-rate') && !document.getElementById('voice-panel').hidden")
    _type(browser, "#knob-rate", "600")
    _click(browser, "#voice-preview")
    message = wait_for(browser, "return document.getElementById('err-rate').textContent")
    assert "rate: 600 is out of range; use 80 to 450" in message and "voices.yaml:" in message  # the CLI's words

    _type(browser, "#knob-rate", "210")
    _click(browser, "#voice-preview")
    described = wait_for(browser, "var t = document.getElementById('voice-status').textContent; "
                                  "return t.startsWith('Preview:') && t")
    assert "rate 210" in described
    wait_for(browser, "return studio.audio.currentTime > 0.2")
    assert voices.read_text(encoding="utf-8") == original  # a preview writes nothing
    _click(browser, "#voice-save")
    saved = _wait_file(voices, "Mara")
    wait_for(browser, "return document.getElementById('voice-status').textContent.startsWith('Saved')")
    assert saved.startswith(original.split("characters:")[0])  # the user's comments and order stay
    assert YAML(typ="safe").load(saved)["characters"]["Mara"]["rate"] == 210

    # say it right: select a word in a line, hear it said another way, save it to the lexicon
    line = next(x for x in browser.execute_script(LINES) if "shawl" in x["text"])
    browser.execute_script("""
        var span = document.querySelector('#line-' + arguments[0] + ' .text'), text = span.firstChild;
        var at = text.data.indexOf('shawl'), range = document.createRange();
        range.setStart(text, at); range.setEnd(text, at + 5);
        var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        span.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));""", line["i"])
    assert browser.find_element(By.ID, "say-word").get_attribute("value") == "shawl"
    _type(browser, "#say-as", "shawwl")
    browser.execute_script("studio.audio.pause(); studio.audio.currentTime = 0")
    _click(browser, "#say-hear")
    wait_for(browser, "return !studio.audio.paused && studio.audio.currentTime > 0.1")
    _click(browser, "#say-save")
    text = _wait_file(voices, "shawl: shawwl")
    assert text.index("shawl: shawwl") > text.index("lexicon:")

    # a hand edit while the page is open: noticed, reloaded, and never overwritten
    hand = voices.read_text(encoding="utf-8").replace("pauses:", "# edited by hand\npauses:", 1)
    voices.write_text(hand, encoding="utf-8")
    from selenium.common.exceptions import StaleElementReferenceException

    browser.execute_script("document.getElementById('voice-status').textContent = ''")  # not the last save's

    try:  # the page may be reloading the panel this very moment: then this change is simply lost
        _type(browser, "#knob-pitch", "30")
        _click(browser, "#voice-save")  # whether the page saw the change yet or not, the edit must survive
    except StaleElementReferenceException:
        pass
    wait_for(browser, "return document.getElementById('banner').textContent.includes('changed on disk') || "
                      "document.getElementById('voice-status').textContent.startsWith('Saved')")
    _settled(browser, voices)  # the page has read the file as it is now, and shows its values
    after = voices.read_text(encoding="utf-8")
    # Refused (the page had not seen the hand edit: stale), or saved on top of it (it had reloaded first).
    assert after == hand or ("# edited by hand\npauses:" in after and "pitch: 30" in after), after
    _type(browser, "#knob-pitch", "31")
    _click(browser, "#voice-save")
    final = _wait_file(voices, "pitch: 31")
    assert "# edited by hand\npauses:" in final and "shawl: shawwl" in final


def _settled(browser: Any, voices: Path) -> None:
    """Until the page has no request unanswered (no answer still to come re-opens the voice panel)
    and holds voices.yaml as it is on disk now (a save in flight may still change it)."""
    def settled() -> bool:
        now = file_hash(voices)
        return browser.execute_script(f"return studio.state.inflight === 0 && studio.state.hashes.voices === '{now}' "
                                      f"&& studio.state.voiceHash === '{now}'")

    until(settled, "the page to settle on voices.yaml as it is on disk", 60.0)


def _build(browser: Any) -> tuple[int, int]:
    """Build from the page; the clips it rendered, of all the clips."""
    from selenium.webdriver.common.by import By

    run = browser.execute_script("return document.body.dataset.buildRun || '0'")
    _click(browser, "#build")
    wait_for(browser, f"return document.body.dataset.buildRun !== '{run}' && "
                      "(document.body.dataset.build === 'done' || document.body.dataset.build === 'failed')",
             timeout=240)
    status = browser.find_element(By.ID, "build-status").text
    assert browser.execute_script("return document.body.dataset.build") == "done", status
    rendered, total = (int(x) for x in status.split(": ")[1].split(" clips")[0].split(" of "))
    return rendered, total


def test_build_from_the_page_and_the_lock(studio: Server, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, studio, "#work=02-three-small-tales&n=2")
    assert browser.execute_script("return document.body.dataset.ready") == "02-three-small-tales:2"
    assert browser.find_element(By.ID, "chapter-title").text == "The Well"

    # a command-line build holds the lock: the page says so, and a pin is not written
    with build_lock(studio.build_dir):
        wait_for(browser, "return document.body.dataset.locked === 'cli'", timeout=60)
        assert "command-line build" in browser.find_element(By.ID, "banner").text
        line = next(x for x in browser.execute_script(LINES) if x["kind"] == "dialogue")
        browser.find_element(By.CSS_SELECTOR, f"#line-{line['i']} .who").click()
        browser.find_element(By.CSS_SELECTOR, f"#line-{line['i']} .choose button[type=submit]").click()
        message = wait_for(browser, f"return document.querySelector('#line-{line['i']} .choose .field-error')"
                                    ".textContent.includes('build is running') && 'ok'")
        assert message
        assert not (studio.corpus / "02-three-small-tales.speakers.yaml").exists()
        _click(browser, f"#line-{line['i']} .choose button[type=button]")

    wait_for(browser, "return document.body.dataset.locked === ''", timeout=60)
    rendered, total = _build(browser)
    assert rendered > 0
    manifest = json.loads((studio.build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {s["work"] for s in manifest["stories"]} == {"01-the-lamp", "02-three-small-tales"}

    # one character's voice changed: the next build renders only their lines
    browser.execute_script("studio.openVoice('Tom')")
    wait_for(browser, "return document.getElementById('voice-name').textContent === 'Tom'")
    _type(browser, "#knob-pitch", "20")
    _click(browser, "#voice-save")
    wait_for(browser, "return document.getElementById('voice-status').textContent.startsWith('Saved')")
    again, total = _build(browser)
    assert 0 < again <= 3 < total, (again, total)  # Tom says two lines

    _click(browser, "#listen-built")  # the rebuilt chapter, from the build folder
    wait_for(browser, "return studio.audio.currentTime > 0 && studio.audio.src.includes('/build/')")
    start = manifest["works"][0]["chapters"][1]["start"]
    wait_for(browser, f"return studio.audio.currentTime > {start}")
    browser.execute_script("studio.audio.pause()")

    # a phone's width: nothing to scroll sideways, the cast below the script
    browser.set_window_size(390, 844)
    try:
        _open(browser, studio)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        browser.save_screenshot(str(tmp_path / "studio-phone.png"))
    finally:
        browser.set_window_size(1280, 900)
    print("screenshots:", tmp_path)
