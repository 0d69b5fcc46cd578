"""A real browser: start the app as `policy-assistant serve` does, drive Debian's headless Chromium with
Playwright at a 390×844 phone and a 1280×900 desktop, and check what people see: the banner and the lead
line in view when an answer arrives, the audience control without opening anything, a search across all
documents, and no WCAG 2.2 AA violations that axe-core (npm, injected into the page) can find.
Screenshots are saved in tests/artifacts/."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import free_port, local_server
from rag.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
AXE = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE, DESKTOP = (390, 844), (1280, 900)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

CONCERN = "a man in a car keeps asking my daughter to meet him after school and not tell anyone"
ORDINARY = "can i use my own phone to take pics on the school trip?"


@pytest.fixture(scope="module")
def app_url():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(Path(sys.executable).with_name("policy-assistant")), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with local_server(cmd, url + "/_stcore/health", "the app", cwd=PROJECT_ROOT):
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, size):
    w, h = size
    return browser.new_page(viewport={"width": w, "height": h}, is_mobile=w < 500, has_touch=w < 500)


def _ask(page, url: str, question: str, done_text: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    box = page.locator("textarea")
    box.wait_for(timeout=120_000)
    box.fill(question)
    box.press("Enter")
    page.locator('[data-testid="stChatMessage"]').last.get_by_text(done_text).first.wait_for(timeout=120_000)


def _search(page, url: str, words: str) -> None:
    page.goto(url + "/Browse", wait_until="domcontentloaded")
    box = page.get_by_label("Search all documents")
    box.wait_for(timeout=120_000)
    box.fill(words)
    box.press("Enter")
    page.get_by_text("clauses contain").first.wait_for(timeout=60_000)
    page.locator("mark").first.wait_for(timeout=60_000)


def _in_view(page, locator) -> bool:
    """Inside the viewport and not under the fixed bar along the top (the navigation)."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    top = header["y"] + header["height"] if header else 0
    return box is not None and top <= box["y"] and box["y"] + min(box["height"], 24) <= height


def _settles_in_view(page, locator, seconds: float = 8) -> bool:
    """In view once the page has finished drawing the answer: the app keeps bringing the answer's start
    back while Streamlit scrolls to the bottom, so poll, and require it to stay in view for a second."""
    steady = 0
    for _ in range(int(seconds * 4)):
        steady = steady + 1 if _in_view(page, locator) else 0
        if steady >= 4:
            return True
        page.wait_for_timeout(250)
    return False


def _settled(page) -> None:
    """Wait until Streamlit has finished the run: while it runs, the previous elements are drawn faded
    (data-stale), and a faded quote fails contrast though no reader ever sees it settle that way."""
    try:
        page.wait_for_function("""() => !document.querySelector('[data-stale="true"]')
                                      && !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=30_000)
    except Exception:
        pass  # still running after 30 s: check what is there
    page.wait_for_timeout(500)


def _axe(page) -> list[dict]:
    _settled(page)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                         where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        WCAG,
    )


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_escalation_shows_the_banner_and_the_first_dsl_at_the_top_of_the_screen(browser, app_url, assistant, size):
    first_dsl = assistant.school.dsl_team[0].split(",")[0]
    page = _page(browser, size)
    _ask(page, app_url, CONCERN, first_dsl)
    answer = page.locator('[data-testid="stChatMessage"]').last
    banner = answer.locator('[data-testid="stAlert"]').first
    assert _settles_in_view(page, banner), f"banner not in view: {banner.bounding_box()}"
    assert _in_view(page, answer.get_by_text(first_dsl).first), "first DSL name not in view"
    page.screenshot(path=str(ARTIFACTS / f"escalation-{size[0]}.png"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_ordinary_answer_shows_its_lead_line_at_the_top_of_the_screen(browser, app_url, size):
    page = _page(browser, size)
    _ask(page, app_url, ORDINARY, "Sources")
    answer = page.locator('[data-testid="stChatMessage"]').last
    lead = answer.get_by_text("school provided equipment").first
    assert _settles_in_view(page, lead), f"lead line not in view: {lead.bounding_box()}"
    body = page.inner_text("body")
    assert "Policy § 6.2.4" in body
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the screen"
    page.screenshot(path=str(ARTIFACTS / f"answer-{size[0]}.png"))


def test_the_audience_control_is_visible_on_a_phone_without_opening_anything(browser, app_url):
    page = _page(browser, PHONE)
    page.goto(app_url, wait_until="domcontentloaded")
    control = page.get_by_text("I am a ...").first
    control.wait_for(timeout=120_000)
    assert _in_view(page, control)
    assert _in_view(page, page.get_by_text("Parent or carer").first)


def test_a_search_for_lado_finds_it_in_all_three_documents_highlighted(browser, app_url):
    page = _page(browser, DESKTOP)
    _search(page, app_url, "LADO")
    counts = page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
    found = dict(part.rsplit(": ", 1) for part in counts.split(" · "))
    assert len(found) == 3 and all(int(n) > 0 for n in found.values()), counts
    assert page.locator("mark").count() >= 3
    assert page.locator("mark").first.inner_text().lower() == "lado"


def test_a_shared_clause_address_opens_that_clause_with_a_full_link_to_copy(browser, app_url):
    page = _page(browser, PHONE)
    page.goto(app_url + "/Browse?doc=meopham-policy-2020&clause=6.3.4", wait_until="domcontentloaded")
    page.get_by_text("§ 6.3.4").first.wait_for(timeout=60_000)
    link = f"{app_url}/Browse?doc=meopham-policy-2020&clause=6.3.4"
    page.get_by_text(link).first.wait_for(timeout=60_000)  # the full address, in a code box with a copy button
    assert page.locator('[data-testid="stCode"]').count() == 1


def test_a_link_in_an_address_is_shown_as_text_not_followed(browser, app_url):
    page = _page(browser, DESKTOP)
    page.goto(app_url + "/Browse?doc=meopham-policy-2020&clause=[log in again](https://evil.example/login)",
              wait_until="domcontentloaded")
    page.get_by_text("There is no such clause").first.wait_for(timeout=60_000)
    assert page.locator('a[href*="evil.example"]').count() == 0


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test installs it with npm)")
@pytest.mark.parametrize("view", ["answer", "escalation", "browse-search", "clause", "about"])
def test_no_wcag_aa_violations(browser, app_url, view):
    page = _page(browser, DESKTOP)
    if view == "answer":
        _ask(page, app_url, ORDINARY, "Sources")
    elif view == "escalation":
        _ask(page, app_url, CONCERN, "Act now")
    elif view == "browse-search":
        _search(page, app_url, "confiscate")
    elif view == "clause":
        page.goto(app_url + "/Browse?doc=kcsie-2025&clause=172", wait_until="domcontentloaded")
        page.get_by_text("Shareable link").first.wait_for(timeout=60_000)
    else:
        page.goto(app_url + "/About", wait_until="domcontentloaded")
        page.get_by_text("What is stored").first.wait_for(timeout=60_000)
    violations = _axe(page)
    assert not violations, [(v["id"], v["where"]) for v in violations]


def test_the_page_loads_nothing_from_outside_its_own_server(browser, app_url):
    """Offline means offline: every request the browser makes (fonts, icons, scripts) goes to the app."""
    page = _page(browser, DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _ask(page, app_url, ORDINARY, "Sources")
    for path in ("/Browse", "/Browse?doc=kcsie-2025&clause=172", "/About"):
        page.goto(app_url + path, wait_until="domcontentloaded")
        page.wait_for_timeout(3000)
    outside = sorted({u for u in requests if not u.startswith((app_url, "data:", "blob:"))})
    assert requests and not outside, outside
