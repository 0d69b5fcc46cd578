"""A real browser: start the app, drive Debian's headless Chromium with Playwright, ask, see the
cited answer. Screenshots are saved in tests/artifacts/ (desktop and a 390-px phone)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import free_port, local_server
from rag.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def app_url():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]
    with local_server(cmd, url + "/_stcore/health", "the app", cwd=PROJECT_ROOT):
        yield url


def _ask(page, url: str, question: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    box = page.locator("textarea")
    box.wait_for(timeout=120_000)  # the first visit loads the model
    box.fill(question)
    box.press("Enter")
    page.get_by_text("Sources").first.wait_for(timeout=120_000)


def test_asking_in_a_real_browser_shows_a_cited_answer(app_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1100})
        _ask(page, app_url, "can i use my own phone to take pics on the school trip?")
        body = page.inner_text("body")
        assert "school provided equipment" in body
        assert "§ 6.2.4" in body
        page.screenshot(path=str(ARTIFACTS / "answer-desktop.png"))

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        _ask(phone, app_url, "my sons phone got took off him, when do we get it back")
        assert "released to parents" in phone.inner_text("body")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        phone.screenshot(path=str(ARTIFACTS / "answer-phone.png"))

        # A shared clause address opens that clause on its own page.
        page.goto(app_url + "/Browse?doc=meopham-policy-2020&clause=6.3.4", wait_until="domcontentloaded")
        page.get_by_text("Mobile Technology and Social Media Policy § 6.3.4").first.wait_for(timeout=60_000)
        browser.close()
    assert overflow <= 1, f"page is {overflow}px wider than a 390-px phone screen"
