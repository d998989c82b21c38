"""The web dashboard in a real browser: headless Chromium, the whole stack, the real CLI beside it."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode

import pytest

from tests.e2e.browser import ARTIFACTS, make_browser, need_browser, publish, screenshot
from tests.helpers import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

STAFF = ("boss@example.com", "the boss's password 2")
ALICE = ("alice@example.com", "alice's password 1")
BOB = ("bob@example.com", "bob's own password 3")
PROCESSES = ["redis", "orders", "delivery", "tts", "gateway", "dashboard"]


@pytest.fixture
def dashboard(project):
    """The repository's Procfile (dashboard included) on free ports; returns the dashboard's URL."""
    need_browser()
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery",
         "tts": "python -m services.tts", "gateway": "python -m services.gateway", "dashboard": "python -m platform_cli.dashboard"},
        {"redis": {"probe": "redis", "password": True},
         "orders": {"probe": "http:/health", "depends_on": ["redis"]}, "delivery": {"probe": "http:/health", "depends_on": ["redis"]},
         "tts": {"probe": "http:/health", "depends_on": ["redis"]},
         "gateway": {"probe": "http:/health", "depends_on": ["orders", "delivery", "tts"]},
         "dashboard": {"probe": "http:/health", "depends_on": ["gateway", "redis"]}},
        env="GTTS_TIMEOUT=1\n",
    )
    project.ok("up")
    return f"http://127.0.0.1:{project.ports['dashboard']}"


@pytest.fixture
def browser(tmp_path):
    driver = make_browser(tmp_path / "chromium-profile")
    yield driver
    driver.quit()


def sign_in(driver, url: str, account: tuple[str, str]) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/")
    wait_until(lambda: driver.find_elements(By.NAME, "email"), 15, what="the login page")
    driver.find_element(By.NAME, "email").send_keys(account[0])
    driver.find_element(By.NAME, "password").send_keys(account[1])
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait_until(lambda: driver.find_elements(By.ID, "process-rows"), 15, what="the dashboard after sign-in")


def rows(driver) -> dict[str, dict]:
    return driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#process-rows tr')].map(r => "
        "[r.dataset.name, {pid: r.dataset.pid, healthy: r.dataset.healthy, state: r.children[1].textContent}]))")


def board_orders(driver) -> dict[str, str]:
    return driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#board .card')].map(c => "
        "[c.dataset.order, c.closest('.column').dataset.status]))")


def test_staff_sees_processes_restarts_one_sees_orders_live_and_hears_speech(dashboard, project, browser):
    from selenium.webdriver.common.by import By

    project.ok("user", "add", "--staff", STAFF[0], "--password-stdin", input=STAFF[1] + "\n")
    project.ok("signup", ALICE[0], "--password-stdin", input=ALICE[1] + "\n")  # the CLI is now logged in as alice

    browser.get(dashboard + "/")
    assert browser.current_url.endswith("/login")  # nothing without a login
    screenshot(browser, "dashboard-login")
    sign_in(browser, dashboard, STAFF)
    timing = browser.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "const p = performance.getEntriesByName('first-contentful-paint')[0];"
        "return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: p ? p.startTime : null}")

    seen = wait_until(lambda: (r := rows(browser)) and len(r) == len(PROCESSES) and all(v["healthy"] == "true" for v in r.values()) and r,
                      40, what="every process healthy on the page")
    assert sorted(seen) == sorted(PROCESSES)

    # A staff action without the page's CSRF token is refused, and nothing is restarted.
    refused = browser.execute_async_script(
        "const done = arguments[0]; fetch('/api/processes/tts/restart', {method: 'POST'})"
        ".then(r => r.json().then(b => done([r.status, b.error.code])))")
    assert refused == [403, "csrf_failed"] and rows(browser)["tts"]["pid"] == seen["tts"]["pid"]

    # Restart one from the page: its pid changes and it is healthy again.
    old = seen["delivery"]["pid"]
    browser.find_element(By.CSS_SELECTOR, 'tr[data-name="delivery"] button.restart').click()
    wait_until(lambda: (r := rows(browser)["delivery"])["pid"] not in ("", old) and r["healthy"] == "true", 40,
               what="delivery back with a new pid")
    assert str(project.status()["delivery"]["pid"]) != old

    # An order placed from the CLI appears on the board without a reload.
    browser.execute_script("window.sentinel = 'no reload'")
    order = json.loads(project.ok("order", "create", "--coffee", "latte", "--price", "4500", "--json").stdout)
    wait_until(lambda: board_orders(browser).get(order["order_id"]) == "received", 30, what="the new order on the board")
    # ... and moves when staff advance it from the page.
    browser.find_element(By.CSS_SELECTOR, f'.card[data-order="{order["order_id"]}"] button.advance').click()
    wait_until(lambda: board_orders(browser).get(order["order_id"]) == "brewing", 30, what="the order moved to brewing")
    assert browser.execute_script("return window.sentinel") == "no reload"
    wait_until(lambda: "listening" in browser.find_element(By.ID, "log-lines").text or
               len(browser.find_element(By.ID, "log-lines").text) > 0, 20, what="log lines")

    # Speech: espeak renders it, the player gets a playable MP3.
    browser.find_element(By.CSS_SELECTOR, "#speak textarea").send_keys("The dashboard speaks.")
    browser.find_element(By.CSS_SELECTOR, '#speak select[name="engine"] option[value="espeak"]').click()
    browser.find_element(By.CSS_SELECTOR, "#speak button").click()
    duration = wait_until(lambda: browser.execute_script(
        "const a = document.querySelector('#player'); return a.src && a.readyState >= 1 && a.duration"), 40, what="the audio's metadata")
    assert duration > 0.3
    fetched = browser.execute_async_script(
        "const done = arguments[0]; fetch(document.querySelector('#player').src)"
        ".then(r => r.arrayBuffer().then(b => done({type: r.headers.get('content-type'), size: b.byteLength})))")
    assert fetched["type"] == "audio/mpeg" and fetched["size"] > 1000
    wait_until(lambda: "The dashboard speaks." in browser.find_element(By.ID, "recent").text, 10, what="the recent renderings")

    # The bytes of the page, its scripts and its stylesheets, fetched again (the resource timings
    # say 0 for a stylesheet the login page had already loaded).
    weight = browser.execute_async_script(
        "const done = arguments[0]; const urls = [location.href, ...[...document.scripts].map(s => s.src).filter(Boolean),"
        "  ...[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)];"
        "Promise.all(urls.map(u => fetch(u).then(r => r.arrayBuffer()).then(b => b.byteLength))).then(s => done(s.reduce((a, b) => a + b, 0)))")
    figures = {"page_weight_bytes": weight, "dom_content_loaded_ms": round(timing["dom"]), "load_ms": round(timing["load"]),
               "first_contentful_paint_ms": timing["fcp"] and round(timing["fcp"])}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard-figures.json").write_text(json.dumps(figures, indent=2))
    assert weight < 64_000, figures  # one page, one script, one stylesheet: no framework
    # For the picture: some history on each chart (a point a second, the daemon sampling every 5 s).
    wait_until(lambda: browser.execute_script("return Object.values(trends).every(t => t.cpu.length >= 15)"), 40, what="CPU history")
    browser.execute_script("window.scrollTo(0, 0)")
    shot = screenshot(browser, "dashboard-staff")
    publish(shot, "dashboard.png")


def test_a_customer_sees_only_their_orders_and_actions_need_the_csrf_token(dashboard, project, browser):
    from selenium.webdriver.common.by import By

    project.ok("signup", ALICE[0], "--password-stdin", input=ALICE[1] + "\n")
    alices = json.loads(project.ok("order", "create", "--coffee", "mocha", "--price", "5000", "--json").stdout)
    project.ok("signup", BOB[0], "--password-stdin", input=BOB[1] + "\n")
    bobs = json.loads(project.ok("order", "create", "--coffee", "americano", "--price", "3000", "--json").stdout)

    sign_in(browser, dashboard, BOB)
    wait_until(lambda: bobs["order_id"] in board_orders(browser), 30, what="bob's order on his board")
    assert alices["order_id"] not in board_orders(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "button.restart")  # no process actions for a customer
    screenshot(browser, "dashboard-customer")

    # From the page's own origin, with bob's cookie: a POST without the token is refused, with it the
    # role decides (403 forbidden, not csrf_failed).
    answers = browser.execute_async_script(
        "const done = arguments[0]; const token = document.querySelector('meta[name=csrf-token]').content;"
        "const send = (h) => fetch('/api/speech', {method: 'POST', headers: {'Content-Type': 'application/json', ...h},"
        "  body: JSON.stringify({text: 'hi', engine: 'espeak'})}).then(r => r.json().then(b => [r.status, b.error ? b.error.code : 'ok']));"
        "Promise.all([send({}), send({'X-CSRF-Token': 'forged'}), send({'X-CSRF-Token': token})]).then(done)")
    assert answers[0] == [403, "csrf_failed"] and answers[1] == [403, "csrf_failed"] and answers[2][0] == 201, answers

    # Without a login: the login page, and nothing else.
    host, port = dashboard.removeprefix("http://").split(":")
    for path in ("/", "/api/processes", "/api/board", "/api/feed", "/assets/dashboard.js", "/speech/x.mp3"):
        status, _, body = _http(host, int(port), "GET", path)
        assert status in (302, 401), (path, status, body)
    status, _, body = _http(host, int(port), "POST", "/login", urlencode({"email": BOB[0], "password": "not bob's password"}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401 and b"wrong email or password" in body
    status, _, _ = _http(host, int(port), "POST", "/login", urlencode({"email": BOB[0], "password": BOB[1]}).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"})
    assert status == 403  # a sign-in form on another site
    status, headers, _ = _http(host, int(port), "POST", "/login", urlencode({"email": BOB[0], "password": BOB[1]}).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded"})
    cookie = headers["Set-Cookie"]
    assert status == 302 and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, _, body = _http(host, int(port), "POST", "/api/processes/orders/restart", b"{}",
                            {"Cookie": cookie.split(";")[0], "Content-Type": "application/json"})
    assert status == 403 and json.loads(body)["error"]["code"] in ("csrf_failed", "forbidden")
    status, _, body = _http(host, int(port), "GET", "/", headers={"Host": "evil.example:80"})
    assert status == 421 and json.loads(body)["error"]["code"] == "host_not_allowed"


def _http(host: str, port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
