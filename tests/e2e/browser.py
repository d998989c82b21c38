"""A real headless Chromium for the dashboard tests, driven by Selenium through chromedriver.

The browser is the system's (Debian: `apt-get install chromium chromium-driver`; .ci/run installs
it). Without it the tests are skipped with that command in the reason, never passed silently.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
INSTALL = "apt-get install chromium chromium-driver"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
DOCS = Path(__file__).parents[2] / "docs"


def publish(shot: Path, name: str) -> None:
    """Copy a screenshot into docs/ for the README, when asked (PLATFORM_DOCS_SCREENSHOTS=1):
    a plain `make test` leaves the committed pictures, and the work tree, as they are."""
    import os
    import shutil

    if os.environ.get("PLATFORM_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / name)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required")


def need_browser() -> None:
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if path is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found: the browser tests need them ({INSTALL})")


def make_browser(profile: Path, width: int = 1400, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def terminal_png(ansi: str, columns: int, path: Path, profile: Path) -> Path:
    """A tmux capture (`capture-pane -e`) as a PNG: rich turns the escapes into HTML, Chromium
    takes the picture. The picture is of the pane's very characters and colours."""
    from rich.console import Console
    from rich.terminal_theme import MONOKAI
    from rich.text import Text
    from selenium.webdriver.common.by import By

    console = Console(record=True, width=columns, file=open("/dev/null", "w"), color_system="truecolor")
    # As a whole: tmux carries colours over line ends without repeating them.
    console.print(Text.from_ansi(ansi.rstrip("\n")), no_wrap=True, overflow="crop", soft_wrap=True)
    html = console.export_html(theme=MONOKAI, inline_styles=True,
                               code_format="<!doctype html><html><head><meta charset=utf-8><style>body{{margin:0;background:{background};}}"
                               "pre{{margin:0;padding:8px;display:inline-block;font:14px/1.25 'DejaVu Sans Mono',monospace;color:{foreground};}}"
                               "</style></head><body><pre id=term><code>{code}</code></pre></body></html>")
    page = path.with_suffix(".html")
    page.write_text(html)
    driver = make_browser(profile, 1800, 1200)
    try:
        driver.get(page.as_uri())
        driver.find_element(By.ID, "term").screenshot(str(path))
    finally:
        driver.quit()
    return path
