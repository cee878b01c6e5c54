"""Browser fixtures: the app on 127.0.0.1 in a thread, Debian's Chromium driven by Playwright, axe-core."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

from fbss_check.web import create_app

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# As the machine notes say: without the background-networking flags Chromium keeps trying
# to reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
AXE = Axe()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 for the whole session, stopped at the end."""
    server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
    # The app is made once the port is known: its public address is where it is served.
    server.app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-not-for-production",
            "TESTING": False,
            "FBSS_PUBLIC_URL": f"http://127.0.0.1:{server.server_port}",
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it with apt-get)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser: Browser, viewport: str = "desktop", javascript: bool = True) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=javascript)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    yield context.new_page()
    context.close()


def assert_axe_clean(page: Page, name: str) -> None:
    """Run axe-core with the WCAG 2.2 A and AA rules; fail naming the rule, the element and the page."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    problems = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            problems.append(
                f"{name} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']} "
                f"at {', '.join(node['target'])}: {node['html'][:160]}"
            )
    assert not problems, "axe-core found WCAG violations:\n" + "\n".join(problems)


def screenshot(page: Page, viewport: str, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    page.screenshot(path=str(SCREENSHOTS / f"{viewport}-{slug}.png"), full_page=True)


def answer_with_mouse(page: Page, answers: Mapping[str, Any]) -> None:
    """Answer every question shown on the page from `answers` by clicking and typing."""
    for group in page.locator("[data-question]").all():
        question_id = group.get_attribute("data-question") or ""
        value = answers.get(question_id)
        if value is None:
            continue
        text_input = group.locator("input[type=text]")
        if text_input.count():
            text_input.fill(str(value))
            continue
        for code in value if isinstance(value, list) else [value]:
            group.locator(f"input[value='{code}']").check()


# The controls a walk uses, found by what they do rather than by their words, so that the same
# walk runs in every language.
START = "form[action='/start'] button"
CONTINUE = "main form button[type=submit]"
CONTINUE_AFTER_WARNING = "a[data-continue]"
SEE_RESULT = "main a.button[href='/result']"


def start_in(page: Page, base_url: str, language: str = "en") -> None:
    """Open the start page and, if asked, choose the language with its link, as a patient would."""
    page.goto(base_url + "/")
    if page.locator("html").get_attribute("lang") != language:
        page.locator(f".language-switch a[data-language='{language}']").click()
    assert page.locator("html").get_attribute("lang") == language


def walk_with_mouse(page: Page, base_url: str, answers: Mapping[str, Any], language: str = "en") -> list[str]:
    """Start, answer every page, pass any warning page; end on check-your-answers. Returns the URLs seen."""
    seen = []
    start_in(page, base_url, language)
    page.locator(START).click()
    for _ in range(30):
        path = page.url.removeprefix(base_url)
        seen.append(path)
        assert page.locator("html").get_attribute("lang") == language, f"{path} is not in {language}"
        if path.startswith("/questions/"):
            answer_with_mouse(page, answers)
            page.locator(CONTINUE).click()
        elif path.startswith("/warning"):
            page.locator(CONTINUE_AFTER_WARNING).click()
        elif path == "/check":
            return seen
        else:
            raise AssertionError(f"unexpected page {path}")
    raise AssertionError("the walk did not end")
