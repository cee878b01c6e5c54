"""In a real browser, phone and desktop, JavaScript on and off, English and Spanish: a lone "yes"
to a danger sign on an unfinished page shows the warning at once; the summary and the share link
are one tap from it; an emergency result holds back the treatment ladder; numbers are tappable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import (
    CONTINUE,
    START,
    assert_axe_clean,
    new_context,
    screenshot,
    start_in,
)

CASES = [
    pytest.param(javascript, viewport, language, id=f"{language}-{'js-on' if javascript else 'js-off'}-{viewport}")
    for javascript, viewport, language in [
        (True, "phone", "en"),
        (False, "phone", "en"),
        (True, "desktop", "en"),
        (False, "desktop", "es"),
        (True, "phone", "es"),
    ]
]


def lone_yes(page: Page, base_url: str, first_page: dict[str, str], sign: str, language: str = "en") -> None:
    """Start, answer the first page, then tick one "yes" on the signs page and send it unfinished."""
    start_in(page, base_url, language)
    page.locator(START).click()
    for question, code in first_page.items():
        page.locator(f"input[name={question}][value={code}]").check()
    page.locator(CONTINUE).click()
    page.locator(f"input[name={sign}][value=yes]").check()
    page.locator(CONTINUE).click()


@pytest.mark.parametrize(("javascript", "viewport", "language"), CASES)
def test_a_lone_yes_shows_the_warning_then_the_summary_and_share_link_are_one_tap_away(
    browser: Browser, live_server: str, javascript: bool, viewport: str, language: str
) -> None:
    context = new_context(browser, viewport, javascript=javascript)
    page = context.new_page()
    lone_yes(
        page,
        live_server,
        {"surgery_region": "not_sure", "time_since_surgery": "not_sure", "pain_persisting": "yes"},
        "bladder_control_change",
        language,
    )
    assert page.url.startswith(f"{live_server}/warning")
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == "emergency"
    assert page.locator("a.button--call[href^='tel:']").is_visible()
    assert page.locator("a[data-summary-now]").is_visible()
    if javascript:  # axe-core runs as a script: it checks the same pages in the JavaScript-on walks
        assert_axe_clean(page, f"early warning ({language})")
    if language == "en" and not javascript:
        screenshot(page, viewport, "early warning")
    # One tap to the summary of what was answered so far, marked unfinished.
    page.locator("a[data-summary-now]").click()
    assert page.url == f"{live_server}/summary"
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == "emergency"
    assert page.locator("[data-unfinished]").is_visible()
    assert page.locator("[data-topic]").count() == 0
    if javascript:  # axe-core runs as a script: it checks the same pages in the JavaScript-on walks
        assert_axe_clean(page, f"unfinished summary ({language})")
    if language == "en" and not javascript:
        screenshot(page, viewport, "unfinished summary")
    page.go_back()
    page.locator("a[data-share-now]").click()
    assert page.url == f"{live_server}/share"
    assert page.locator("[data-unfinished]").is_visible()
    if javascript:  # axe-core runs as a script: it checks the same pages in the JavaScript-on walks
        assert_axe_clean(page, f"unfinished share ({language})")
    page.go_back()
    # Change the answer: back on its page, the answer chosen.
    page.locator("a[data-change=bladder_control_change]").click()
    assert page.url.endswith("/questions/emergency_signs#bladder_control_change-0")
    assert page.locator("input[name=bladder_control_change][value=yes]").is_checked()
    context.close()


def test_the_printed_unfinished_summary_says_so_and_holds_back_the_treatments(
    browser: Browser, live_server: str
) -> None:
    import unicodedata
    from io import BytesIO

    from pypdf import PdfReader

    context = new_context(browser, "desktop")
    page = context.new_page()
    lone_yes(
        page,
        live_server,
        {"surgery_region": "low_back", "time_since_surgery": "weeks_0_2", "pain_persisting": "yes"},
        "saddle_numbness",
    )
    page.locator("a[data-summary-now]").click()
    page.emulate_media(media="print")
    pdf = PdfReader(BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    text = " ".join(unicodedata.normalize("NFKC", pdf.pages[0].extract_text()).split())  # the "ﬁ" ligature
    assert "Get emergency help now" in text, text[:800]
    assert "These answers are not finished" in text, text[:800]
    assert "Next steps to talk about" not in text and "is normal" not in text
    context.close()
