"""Every page of the app in every state, visited in one walk, for checks that apply to all pages."""

from __future__ import annotations

from collections.abc import Iterator

from playwright.sync_api import Page

from fbss_check import default_bank
from tests.browser.conftest import CONTINUE, CONTINUE_AFTER_WARNING, SEE_RESULT, START, answer_with_mouse, start_in
from tests.web.conftest import CALM_ANSWERS

TOPIC = next(iter(default_bank().topics))
RED_FLAG_ANSWERS = {**CALM_ANSWERS, "saddle_numbness": "yes", "fever": "unsure", "phq4_interest": "3"}


def every_page(page: Page, base_url: str, language: str = "en") -> Iterator[str]:
    """Navigate `page` through every page and state in one language, yielding a name at each stop."""
    start_in(page, base_url, language)
    yield "start"
    page.goto(base_url + "/c/example_spine")
    yield "clinic start"
    page.goto(base_url + "/no-such-page")
    yield "not found (404)"
    page.goto(base_url + "/result")
    yield "session expired"

    # An urgent warning: no emergency signs, a fever.
    page.goto(base_url + "/")
    page.locator(START).click()
    for _ in ("your_spine", "emergency_signs", "your_surgery"):
        answer_with_mouse(page, CALM_ANSWERS)
        page.locator(CONTINUE).click()
    answer_with_mouse(page, {**CALM_ANSWERS, "fever": "yes"})
    page.locator(CONTINUE).click()
    yield "warning urgent"

    # A fresh walk that meets an emergency, each page first sent empty to show its errors.
    page.goto(base_url + "/")
    page.locator(START).click()
    for _ in range(30):
        if "/warning" in page.url:
            yield f"warning {page.locator('[data-urgency]').get_attribute('data-urgency')}"
            page.locator(CONTINUE_AFTER_WARNING).click()
            continue
        if "/questions/" not in page.url:
            break
        section = page.url.rsplit("/", 1)[1]
        yield f"question {section}"
        page.locator(CONTINUE).click()
        if page.url.endswith(f"/questions/{section}"):
            yield f"errors {section}"
            answer_with_mouse(page, RED_FLAG_ANSWERS)
            page.locator(CONTINUE).click()
    yield "check your answers"
    page.locator(SEE_RESULT).click()
    yield "result"  # an emergency: the treatment topics are held back (hazard log H26)
    page.goto(base_url + "/topics/" + TOPIC)
    yield "topic"
    page.goto(base_url + "/result")
    page.locator("main a[href='/summary']").click()
    yield "summary"
    page.goto(base_url + "/result")
    page.fill("#visit_question", "Why does my leg still hurt? " * 12)  # over 300 characters
    page.locator("form[action='/visit-question'] button").click()
    yield "result, own question too long"
    page.fill("#visit_question", "Could the screws have moved?")
    page.locator("form[action='/visit-question'] button").click()
    yield "result with own question"
    page.goto(base_url + "/result")
    page.locator("main a[href='/share']").click()
    yield "share"
    page.locator(".share-url a").click()
    yield "clinician view"
    page.goto(base_url + "/r/not-a-real-code")
    yield "share code invalid (400)"
    page.goto(base_url + "/clinicians")
    yield "clinicians"
    page.goto(base_url + "/clinicians/poster/example_spine")
    yield "poster"
    page.goto(base_url + "/c/nowhere_clinic")
    yield "clinic unknown (404)"
    page.goto(base_url + "/result")
    page.locator("form[action='/delete'] button").click()
    yield "start after delete"
