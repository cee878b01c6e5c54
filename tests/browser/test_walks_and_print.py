"""Walks with JavaScript on and off, on a phone and a desktop, and the summary on paper."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.conftest import new_context, walk_with_mouse
from tests.web.conftest import CALM_ANSWERS

TIERS = [
    pytest.param({}, "routine", id="routine"),
    pytest.param({"phq4_nervous": "2", "phq4_worry": "2"}, "soon", id="soon"),
    pytest.param({"wound_problem": "unsure"}, "urgent", id="urgent"),
    pytest.param({"chest_pain_or_breathless": "yes"}, "emergency", id="emergency"),
]
# A heavy summary: an emergency, several other flags and a long list of next steps.
HEAVY = {
    **CALM_ANSWERS,
    "bladder_control_change": "yes",
    "fever": "unsure",
    "calf_swelling": "yes",
    "weeks_since_surgery": "40",
    "pain_trend": "worse",
    "new_level_pain": "yes",
    "phq4_interest": "3",
    "phq4_down": "2",
    "smoker": "yes",
    "treatments_tried": ["physical_therapy", "medication", "injections"],
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize(("changes", "tier"), TIERS)
def test_a_walk_reaches_the_tier(
    browser: Browser, live_server: str, javascript: bool, viewport: str, changes: dict[str, Any], tier: str
) -> None:
    context = new_context(browser, viewport, javascript=javascript)
    page = context.new_page()
    seen = walk_with_mouse(page, live_server, {**CALM_ANSWERS, **changes})
    assert any(p.startswith("/warning") for p in seen) == (tier in ("urgent", "emergency"))
    page.get_by_role("link", name="See my result").click()
    assert page.locator("[data-urgency]").count() == 1
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == tier
    assert page.locator("main#result h1").is_visible()
    context.close()


@pytest.fixture(scope="module")
def printed(browser: Browser, live_server: str) -> Iterator[Page]:
    """The summary of a heavy case, seen as the printer sees it."""
    context = new_context(browser, "desktop")
    page = context.new_page()
    walk_with_mouse(page, live_server, HEAVY)
    page.goto(live_server + "/summary")
    page.emulate_media(media="print")
    yield page
    context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_summary_prints_on_at_most_two_pages_with_the_decision_first(printed: Page, paper: str) -> None:
    pdf = PdfReader(io.BytesIO(printed.pdf(format=paper, print_background=True)))
    assert 1 <= len(pdf.pages) <= 2, f"{paper}: {len(pdf.pages)} pages"
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Get emergency help now" in first
    for message_start in (
        "New trouble with peeing",
        "You were not sure about a warning sign",
        "A swollen, warm, red",
        "Pain that keeps getting worse",
        "Your answers suggest low mood",
    ):
        assert message_start in first, f"{paper}: flag {message_start!r} is not on page 1"
    everything = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Notes from your care team" in everything and "Your answers" in everything


def test_printing_hides_navigation_and_buttons_but_shows_the_answers(printed: Page) -> None:
    hidden = (".site-header", ".back-link", ".skip-link", ".emergency-strip", ".button", ".print-help")
    for selector in hidden:
        for element in printed.locator(selector).all():
            assert not element.is_visible(), f"{selector} is visible on paper"
    assert printed.locator(".answers").is_visible()
    assert printed.locator(".notes-box").is_visible()
    assert printed.locator("#urgency-heading").is_visible()


def test_a_grayscale_print_still_shows_the_warning_by_text_and_border(printed: Page) -> None:
    banner = printed.locator("[data-urgency]")
    style = banner.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderTopStyle, parseFloat(s.borderTopWidth)]; }"
    )
    assert style[0] != "none" and style[1] >= 4, f"the printed banner needs a heavy border, got {style}"
    assert "Get emergency help now" in banner.inner_text()
    printed.evaluate("document.documentElement.style.filter = 'grayscale(1)'")  # CSSOM: allowed by the CSP
    image = Image.open(io.BytesIO(banner.screenshot())).convert("L")
    width, height = image.size
    edge = [image.getpixel((width // 2, y)) for y in range(10)]  # down through the top border
    middle = [image.getpixel((x, height // 2)) for x in range(2, 14)]  # the inside, left of the text
    assert min(edge) < 80, f"the border is not dark in grayscale: {edge}"
    assert max(middle) > 200, f"the banner's inside must stay light in grayscale: {middle}"
