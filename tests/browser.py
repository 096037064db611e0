"""Debian's chromium through Selenium, for the tests that look at a page in a real browser."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

#: Quiet and private: no first-run pages, no updates, syncing or background requests, a fresh profile.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--autoplay-policy=no-user-gesture-required", "--mute-audio")


@contextmanager
def chromium(width: int = 900, height: int = 1000) -> Iterator[Any]:
    """A headless chromium (skips the test when it, chromedriver or selenium is missing)."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (dev extras)")
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("no chromium and chromedriver on PATH: apt-get install chromium chromium-driver "
                    "(.ci/run does it)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        for arg in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
            options.add_argument(arg)
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
        driver.set_script_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Poll ``check`` until it returns something true (a state it reads: an event, not a delay);
    ``what`` names it in the failure."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


def wait_for(driver: Any, script: str, timeout: float = 20.0) -> Any:
    """Poll a script until it returns something true (the page's own state: an event, not a delay)."""
    return until(lambda: driver.execute_script(script), script, timeout)
