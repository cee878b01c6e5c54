"""A whole walk for each tier with the keyboard alone: Tab to move, Space or arrows to choose, Enter to go."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import new_context
from tests.web.conftest import CALM_ANSWERS

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '', value: el.value || '',
    type: el.getAttribute('type') || '', text: (el.textContent || '').trim().slice(0, 60),
    classes: el.className || '', visible: outlined || style.boxShadow !== 'none',
  };
}"""

KEYBOARD_WALKS = [
    pytest.param({}, "routine", id="routine"),
    pytest.param({"time_since_surgery": "months_6_12"}, "soon", id="soon"),
    pytest.param({"headache_upright": "yes"}, "urgent", id="urgent"),
    pytest.param({"both_legs_change": "fast"}, "emergency", id="emergency"),
]


# The words on the controls a keyboard walk looks for, in each language.
WORDS = {
    "en": {
        "start": "Start now",
        "continue": "Continue",
        "warning": "Continue to the questions",
        "result": "See my result",
    },
    "es": {
        "start": "Empezar ahora",
        "continue": "Continuar",
        "warning": "Seguir con las preguntas",
        "result": "Ver mi resultado",
    },
}


class Keyboard:
    """Presses keys and checks that every focus stop can be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops = 0

    def focused(self) -> dict[str, Any]:
        return dict(self.page.evaluate(FOCUSED))

    def tab_to(self, wanted: Callable[[dict[str, Any]], bool], what: str, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self.stops += 1
            focus = self.focused()
            assert focus["visible"], f"focus is not visible on {focus} at {self.page.url}"
            if wanted(focus):
                return
        raise AssertionError(f"Tab never reached {what} on {self.page.url}")

    def press(self, key: str) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)


def answer_page_by_keyboard(keys: Keyboard, answers: Mapping[str, Any], language: str = "en") -> None:
    page = keys.page
    for group in page.locator("[data-question]").all():
        question_id = group.get_attribute("data-question") or ""
        value = answers.get(question_id)
        kind_input = group.locator("input").first
        input_type = kind_input.get_attribute("type")
        if input_type == "text":
            keys.tab_to(lambda f, q=question_id: f["id"] == q, question_id)
            page.keyboard.type(str(value))
        elif input_type == "radio":
            values = [i.get_attribute("value") for i in group.locator("input").all()]
            keys.tab_to(lambda f, q=question_id: f["name"] == q, question_id)
            index = values.index(str(value))
            if index == 0:
                page.keyboard.press("Space")
            for _ in range(index):
                page.keyboard.press("ArrowDown")  # moves and selects within a radio group
        else:  # checkboxes: each is a tab stop
            wanted = set(value if isinstance(value, list) else [])
            for box in group.locator("input").all():
                code = box.get_attribute("value")
                keys.tab_to(
                    lambda f, q=question_id, c=code: f["name"] == q and f["value"] == c, f"{question_id}={code}"
                )
                if code in wanted:
                    page.keyboard.press("Space")
    words = WORDS[language]
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == words["continue"], "the Continue button")
    keys.press("Enter")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("changes", "tier"), KEYBOARD_WALKS)
def test_a_whole_walk_with_the_keyboard_alone(
    browser: Browser, live_server: str, changes: dict[str, Any], tier: str, language: str
) -> None:
    context = new_context(browser, "desktop")
    page = context.new_page()
    keys = Keyboard(page)
    answers = {**CALM_ANSWERS, **changes}
    words = WORDS[language]
    page.goto(live_server + "/")
    if language != "en":  # the language link in the header, by keyboard too
        keys.tab_to(lambda f: f["tag"] == "a" and f["text"] == "Español", "the Español link")
        keys.press("Enter")
        assert page.locator("html").get_attribute("lang") == language
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == words["start"], words["start"])
    keys.press("Enter")
    warned = False
    for _ in range(30):
        if "/questions/" in page.url:
            answer_page_by_keyboard(keys, answers, language)
        elif "/warning" in page.url:
            warned = True
            keys.tab_to(lambda f: f["text"] == words["warning"], words["warning"])
            keys.press("Enter")
        else:
            break
    assert page.url.endswith("/check")
    keys.tab_to(lambda f: f["text"] == words["result"], words["result"])
    keys.press("Enter")
    assert page.url.endswith("/result")
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == tier
    assert warned == (tier in ("urgent", "emergency"))
    assert keys.stops > 40
    assert page.locator("html").get_attribute("lang") == language
    context.close()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    keys = Keyboard(page)
    page.keyboard.press("Tab")
    focus = keys.focused()
    assert focus["text"] == "Skip to main content" and focus["visible"]
    assert page.locator(".skip-link").bounding_box() is not None
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "main"
    page.keyboard.press("Tab")
    assert keys.focused()["text"] not in ("Skip to main content", page.locator(".site-name").inner_text())


def test_focus_moves_to_the_error_summary_when_there_are_errors(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    keys = Keyboard(page)
    keys.tab_to(lambda f: f["text"] == "Start now", "Start now")
    keys.press("Enter")
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == "Continue", "the Continue button")
    keys.press("Enter")
    assert page.title().startswith("Error: ")
    assert "error-summary" in keys.focused()["classes"]
    keys.tab_to(lambda f: f["tag"] == "a", "the first error link", limit=1)
    page.keyboard.press("Enter")
    # Following a link to a fragment is asynchronous: wait for it (fails after the timeout if it never comes).
    page.wait_for_url(re.compile(r".*#surgery_region-0$"))
    assert page.url.endswith("#surgery_region-0")
