"""On a small phone: every question page shows its first answer on the first screen, the step
total never changes, and "check your answers" opens with the yes answers and folds the rest."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import (
    CONTINUE,
    START,
    answer_with_mouse,
    assert_axe_clean,
    new_context,
    screenshot,
    start_in,
    walk_with_mouse,
)
from tests.web.conftest import CALM_ANSWERS

SMALL_PHONE = {"width": 360, "height": 640}
# Six months after a fusion, in pain, bad at night: every pain page is shown and there are yes
# answers to list first (a warning, if one came, would be passed by its Continue link).
ANSWERS = {**CALM_ANSWERS, "time_since_surgery": "months_6_12", "night_pain": "yes"}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_each_page_shows_its_first_answer_on_the_first_screen_and_the_step_total_holds(
    browser: Browser, live_server: str, language: str, javascript: bool
) -> None:
    context = browser.new_context(viewport=SMALL_PHONE, java_script_enabled=javascript)
    page = context.new_page()
    start_in(page, live_server, language)
    page.locator(START).click()
    totals = set()
    pages = 0
    while "/questions/" in page.url or "/warning" in page.url:
        if "/warning" in page.url:
            page.locator("a[data-continue]").click()
            continue
        section = page.url.rsplit("/", 1)[1]
        # The first answer's control (radio, box or number field) is seen without scrolling.
        first = page.locator("main [data-question] input:not([type=hidden])").first.bounding_box()
        assert first is not None
        assert first["y"] + first["height"] <= SMALL_PHONE["height"], f"{language} {section}: first answer off screen"
        progress = page.locator(".progress")
        if pages > 0 and progress.count():
            totals.add(progress.get_attribute("data-steps"))
        pages += 1
        if javascript and language == "en":
            screenshot(page, "small-phone", f"question {section}")
        answer_with_mouse(page, ANSWERS)
        page.locator(CONTINUE).click()
    assert page.url.endswith("/check")
    assert pages == 8 and totals == {"8"}, (pages, totals)
    context.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_check_your_answers_shows_the_yes_answers_first_and_folds_the_pages_with_none(
    browser: Browser, live_server: str, language: str, viewport: str
) -> None:
    context = new_context(browser, viewport)
    page = context.new_page()
    walk_with_mouse(page, live_server, ANSWERS, language)
    reported = page.locator("[data-reported] a[data-change]")
    assert [reported.nth(i).get_attribute("data-change") for i in range(reported.count())] == [
        "pain_persisting",
        "night_pain",
        "treatments_tried",
    ]
    opened = page.locator("details.answered-page[open]")
    assert [opened.nth(i).get_attribute("data-section") for i in range(opened.count())] == [
        "your_spine",
        "urgent_signs",
        "treatments",
    ]
    folded = page.locator("details.answered-page:not([open])")
    assert folded.count() == 5
    # A folded page's answers are hidden until its summary is pressed, by mouse or keyboard.
    first_folded = page.locator(f"details[data-section='{folded.first.get_attribute('data-section')}']")
    assert not first_folded.locator("a[data-change]").first.is_visible()
    first_folded.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first_folded.locator("a[data-change]").first.is_visible()
    assert_axe_clean(page, f"check your answers {language} {viewport}")
    if language == "en":
        screenshot(page, viewport, "check your answers folded")
    assert re.search(r"\d", page.locator(".answered-page-count").first.inner_text())
    context.close()
