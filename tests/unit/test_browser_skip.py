"""Without chromium or chromedriver the browser tests are skipped, saying how to install them."""

from __future__ import annotations

import pytest

from tests.e2e import browser

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("missing", ["CHROMIUM", "CHROMEDRIVER"])
def test_a_missing_browser_is_a_skip_naming_the_apt_packages(monkeypatch, missing):
    monkeypatch.setattr(browser, "CHROMIUM", "/usr/bin/chromium")
    monkeypatch.setattr(browser, "CHROMEDRIVER", "/usr/bin/chromedriver")
    monkeypatch.setattr(browser, missing, None)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium chromium-driver"):
        browser.need_browser()
