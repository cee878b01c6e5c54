"""Walks with JavaScript on and off, on a phone and a desktop, and the summary on paper."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.conftest import SEE_RESULT, new_context, walk_with_mouse
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
    "time_since_surgery": "months_6_12",
    "pain_trend": "worse",
    "body_changes": ["new_place"],
    "phq4_interest": "3",
    "phq4_down": "2",
    "health_conditions": ["smoker"],
    "treatments_tried": ["physical_therapy", "medication", "injections"],
}


WALKS = [
    *[
        pytest.param(javascript, viewport, "en", id=f"{'js-on' if javascript else 'js-off'}-{viewport}")
        for javascript in (True, False)
        for viewport in ("phone", "desktop")
    ],
    pytest.param(True, "phone", "es", id="es-js-on-phone"),
    pytest.param(False, "desktop", "es", id="es-js-off-desktop"),
]


@pytest.mark.parametrize(("javascript", "viewport", "language"), WALKS)
@pytest.mark.parametrize(("changes", "tier"), TIERS)
def test_a_walk_reaches_the_tier(
    browser: Browser,
    live_server: str,
    javascript: bool,
    viewport: str,
    language: str,
    changes: dict[str, Any],
    tier: str,
) -> None:
    context = new_context(browser, viewport, javascript=javascript)
    page = context.new_page()
    seen = walk_with_mouse(page, live_server, {**CALM_ANSWERS, **changes}, language)
    assert any(p.startswith("/warning") for p in seen) == (tier in ("urgent", "emergency"))
    page.locator(SEE_RESULT).click()
    assert page.locator("[data-urgency]").count() == 1
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == tier
    assert page.locator("main#result h1").is_visible()
    assert page.locator("html").get_attribute("lang") == language
    context.close()


# The longest question a patient can keep (300 characters), on the heaviest summary.
OWN_QUESTION = ("Is the new leg pain from the screws, and should I stop the gym until I am seen? " * 4)[:300]


def save_own_question(page: Page, base_url: str, text: str) -> None:
    page.goto(base_url + "/result")
    page.fill("#visit_question", text)
    page.locator("form[action='/visit-question'] button").click()


def summary_in(browser: Browser, live_server: str, language: str) -> tuple[Page, Any]:
    """The summary of the heavy case in one language, seen as the printer sees it."""
    context = new_context(browser, "desktop")
    page = context.new_page()
    walk_with_mouse(page, live_server, HEAVY, language)
    save_own_question(page, live_server, OWN_QUESTION)
    page.goto(live_server + "/summary")
    page.emulate_media(media="print")
    return page, context


@pytest.fixture(scope="module")
def printed(browser: Browser, live_server: str) -> Iterator[Page]:
    page, context = summary_in(browser, live_server, "en")
    yield page
    context.close()


@pytest.fixture(scope="module")
def printed_in_spanish(browser: Browser, live_server: str) -> Iterator[Page]:
    page, context = summary_in(browser, live_server, "es")
    yield page
    context.close()


# What page 1 must show, by language: the tier's heading, the emergency flag's message, then the
# other answers to tell the staff (their "contact your team" messages are left out in an
# emergency, hazard log H26), down to the mood screen's answers.
FIRST_PAGE = {
    "en": (
        "Get emergency help now",
        "New trouble with peeing",
        "Also tell the staff",
        "“Not sure” to “Do you have a temperature",
        "“Yes” to “Is one calf swollen",
        "“It is getting worse” to “Over the past 2 weeks",
        "“Nearly every day” to “Little interest or pleasure in doing things”",
    ),
    "es": (
        "Busque ayuda de emergencia ahora",
        "Los problemas nuevos para orinar",
        "Dígale también al personal",
        "«No estoy seguro» a «¿Tiene una temperatura",
        "«Sí» a «¿Tiene una pantorrilla hinchada",
        "«Está empeorando» a «En las últimas 2 semanas",
        "«Casi todos los días» a «Poco interés o placer en hacer cosas»",
    ),
}
LAST_PARTS = {
    "en": ("Notes from your care team", "Your answers"),
    "es": ("Notas de su equipo médico", "Sus respuestas"),
}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_summary_prints_on_at_most_two_pages_with_the_decision_first(
    request: pytest.FixtureRequest, language: str, paper: str
) -> None:
    printed_page: Page = request.getfixturevalue("printed" if language == "en" else "printed_in_spanish")
    pdf = PdfReader(io.BytesIO(printed_page.pdf(format=paper, print_background=True)))
    assert 1 <= len(pdf.pages) <= 2, f"{language} {paper}: {len(pdf.pages)} pages"
    first = unicodedata.normalize("NFKC", " ".join(pdf.pages[0].extract_text().split()))  # "ﬀ" -> "ff"
    for words in FIRST_PAGE[language]:
        assert words in first, f"{language} {paper}: {words!r} is not on page 1"
    everything = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert all(part in everything for part in LAST_PARTS[language])
    # The share QR code on paper still reads back to the share link.
    printed_codes = [
        result.text
        for page in pdf.pages
        for embedded in page.images
        for result in zxingcpp.read_barcodes(enlarged(embedded.image))
    ]
    assert printed_codes == [printed_page.locator(".share-url").inner_text()]


def enlarged(image: Image.Image) -> Image.Image:
    """A one-pixel-a-module QR image as a printer draws it: square modules, eight pixels each."""
    return image.convert("L").resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)


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


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_print_button_shows_only_where_javascript_can_print(
    browser: Browser, live_server: str, javascript: bool
) -> None:
    """Without JavaScript the summary says how to print from the browser's menu, and shows no
    button that would do nothing (the stylesheet must not undo `hidden`)."""
    context = new_context(browser, "phone", javascript=javascript)
    page = context.new_page()
    walk_with_mouse(page, live_server, CALM_ANSWERS)
    page.goto(live_server + "/summary")
    assert page.locator(".print-help").is_visible()
    assert page.locator(".js-print").is_visible() is javascript
    context.close()
