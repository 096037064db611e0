"""The read-along page in a real browser (Debian's chromium through Selenium): it plays, the
highlighted sentence is the one being spoken, a click seeks there, chapters and speed change,
the place is remembered; and it asks for nothing from a network."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, wait_for
from tests.publish.conftest import BuiltBook


def _page(book: BuiltBook) -> Path:
    return book.folder / "read-along" / "index.html"


def test_the_page_needs_no_network(built_book: BuiltBook) -> None:
    html = _page(built_book).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "fetch(" not in html
    for n in (1, 2, 3):
        assert (_page(built_book).parent / "audio" / f"chapter-{n:03d}.m4a").stat().st_size > 1000
    assert 'aria-label="Play"' in html and 'name="viewport"' in html


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


_wait = wait_for


STATE = """var a = readAlong.audio, el = document.querySelector('.ra-active'), w = document.querySelector('.ra-on');
return [a.currentTime, el ? el.id : null, w ? w.textContent : null, a.paused];"""

# The state read inside an animation frame, right after the page's own frame callback has lit
# what the audio's time holds: read at any other moment (on a loaded machine the frames come
# late), the time has moved on from the one the highlight was drawn for.
AT_A_FRAME = ("var done = arguments[arguments.length - 1]; requestAnimationFrame(function () { "
              "requestAnimationFrame(function () { done((function () {" + STATE + "})()); }); });")


def _rows(driver: Any) -> list[list[Any]]:
    return driver.execute_script("return readAlong.data.chapters[readAlong.chapter()].s")


def test_it_plays_in_step_seeks_on_a_click_and_remembers_the_place(
        built_book: BuiltBook, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(_page(built_book).as_uri())
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    _wait(browser, "return readAlong.audio.readyState >= 1")
    rows = _rows(browser)
    first = next(r for r in rows if r[3] != 0)  # the first quotation: short sentences follow it
    browser.execute_script(f"readAlong.audio.currentTime = {first[1]}; return readAlong.audio.play()")
    seen, words, looks = set(), 0, 0
    # Five seconds of listening, by the audio's clock: on a loaded machine each look takes longer,
    # and counting looks let the audio run on into the next chapter.
    stop, deadline = min(first[1] + 5.0, rows[-1][2] - 1.0), time.monotonic() + 120
    while time.monotonic() < deadline:
        t, active, word, _ = browser.execute_async_script(AT_A_FRAME)
        if t >= stop:
            break
        looks += 1
        holding = [r[0] for r in rows if r[1] - 0.1 <= t <= r[2] + 0.1]
        if active is not None:
            assert active in holding, (t, active, holding)
            seen.add(active)
        else:  # a pause between sentences: no sentence holds the time (give or take 100 ms)
            assert all(not (r[1] + 0.1 <= t <= r[2] - 0.1) for r in rows), t
        words += word is not None
        if word is not None and len(seen) == 2 and not (tmp_path / "read-along-playing.png").exists():
            browser.save_screenshot(str(tmp_path / "read-along-playing.png"))  # a word lit in a sentence lit
        time.sleep(0.1)
    browser.execute_script("readAlong.audio.pause()")
    assert browser.execute_script("return readAlong.chapter()") == 0
    assert len(seen) >= 2 and looks >= 5 and words * 5 >= looks * 2, (seen, words, looks)  # a word lit 2 looks in 5

    target = next(r for r in rows if r[3] != 0)  # a quotation
    browser.find_element(By.ID, target[0]).click()
    t, active, _, paused = browser.execute_script(STATE)
    assert abs(t - target[1]) < 0.1 and active == target[0] and paused
    assert browser.find_element(By.ID, target[0]).get_attribute("aria-current") == "true"

    browser.find_element(By.TAG_NAME, "body").send_keys("n")  # the next chapter
    _wait(browser, "return readAlong.chapter() === 1 && readAlong.audio.readyState >= 1")
    assert browser.find_element(By.ID, "chapter-2").is_displayed()
    assert not browser.find_element(By.ID, "chapter-1").is_displayed()
    browser.find_element(By.TAG_NAME, "body").send_keys("]")
    assert browser.execute_script("return readAlong.audio.playbackRate") == 1.25
    second = _rows(browser)[-1]
    browser.find_element(By.ID, second[0]).click()

    browser.refresh()  # a later visit: same chapter, same place, same speed
    _wait(browser, "return readAlong.audio.readyState >= 1 && readAlong.audio.currentTime > 0")
    t, active, _, _ = browser.execute_script(STATE)
    assert browser.execute_script("return readAlong.chapter()") == 1 and abs(t - second[1]) < 0.1
    assert active == second[0] and browser.execute_script("return readAlong.audio.playbackRate") == 1.25
    browser.save_screenshot(str(tmp_path / "read-along-chapter-2.png"))
    print("screenshots:", tmp_path)


def test_it_fits_a_phone(built_book: BuiltBook, browser: Any, tmp_path: Path) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(_page(built_book).as_uri())
        _wait(browser, "return readAlong.audio.readyState >= 1")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= browser.execute_script("return window.innerWidth")  # nothing sideways to scroll
        browser.save_screenshot(str(tmp_path / "read-along-phone.png"))
    finally:
        browser.set_window_size(900, 1000)
