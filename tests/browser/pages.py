"""Every page of the app in every state, visited in one walk, for checks that apply to all pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from playwright.sync_api import Page

from tests.browser.conftest import answer_with_mouse
from tests.web.conftest import CALM_ANSWERS

RED_FLAG_ANSWERS = {**CALM_ANSWERS, "saddle_numbness": "yes", "fever": "unsure", "phq4_interest": "3"}


def every_page(page: Page, base_url: str) -> Iterator[str]:
    """Navigate `page` through every page and state, yielding a name at each stop."""
    page.goto(base_url + "/")
    yield "start"
    page.goto(base_url + "/c/example_spine")
    yield "clinic start"
    page.goto(base_url + "/no-such-page")
    yield "not found (404)"
    page.goto(base_url + "/result")
    yield "session expired"

    # An urgent warning: no emergency signs, a fever.
    page.goto(base_url + "/")
    page.get_by_role("button", name="Start now").click()
    answer_with_mouse(page, CALM_ANSWERS)
    page.get_by_role("button", name="Continue").click()
    answer_with_mouse(page, {**CALM_ANSWERS, "fever": "yes"})
    page.get_by_role("button", name="Continue").click()
    yield "warning urgent"

    # A fresh walk that meets an emergency, each page first sent empty to show its errors.
    page.goto(base_url + "/")
    page.get_by_role("button", name="Start now").click()
    for _ in range(30):
        if "/warning" in page.url:
            yield f"warning {page.locator('[data-urgency]').get_attribute('data-urgency')}"
            page.get_by_role("link", name="Continue to the questions").click()
            continue
        if "/questions/" not in page.url:
            break
        section = page.url.rsplit("/", 1)[1]
        yield f"question {section}"
        page.get_by_role("button", name="Continue").click()
        if page.url.endswith(f"/questions/{section}"):
            yield f"errors {section}"
            answer_with_mouse(page, RED_FLAG_ANSWERS)
            page.get_by_role("button", name="Continue").click()
    yield "check your answers"
    page.get_by_role("link", name="See my result").click()
    yield "result"
    page.get_by_role("link", name=re.compile(r"^Read more about")).first.click()
    yield "topic"
    page.get_by_role("link", name="Back to your result").click()
    page.get_by_role("link", name="Print a summary for your doctor").click()
    yield "summary"
    page.goto(base_url + "/result")
    page.get_by_role("link", name="Make a share link").click()
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
    page.get_by_role("button", name="Delete my answers").click()
    yield "start after delete"
