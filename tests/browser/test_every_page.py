"""Every page in every state, at phone and desktop width: axe-clean, no sideways scrolling, big
enough targets, readable at 200 percent text, and a screenshot saved for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_axe_clean, new_context, screenshot
from tests.browser.pages import every_page

# Targets that WCAG 2.5.8 asks to be at least 24 by 24 CSS pixels (links inside sentences are exempt).
TARGETS = "input:not([type=hidden]), button, .button, .back-link, .skip-link:focus, [data-change], .language-switch a"

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    problems.push(`scrolls sideways: ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  for (const el of document.querySelectorAll(arguments_targets)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.width < 24 || box.height < 24) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      problems.push(`target too small (${size}): ${el.outerHTML.slice(0, 90)}`);
    }
  }
  return problems;
}"""


def layout_problems(page: Page) -> list[str]:
    script = LAYOUT_PROBLEMS.replace("arguments_targets", repr(TARGETS))
    return list(page.evaluate(script))


def zoomed_problems(page: Page) -> list[str]:
    """Text at 200 percent (every size in the stylesheet is in rem): nothing may scroll sideways."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.evaluate("document.documentElement.style.fontSize = ''")
    return [f"at 200% text, scrolls sideways: {width[0]}px in {width[1]}px"] if width[0] > width[1] + 1 else []


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_is_accessible_and_fits(browser: Browser, live_server: str, viewport: str, language: str) -> None:
    context = new_context(browser, viewport)
    page = context.new_page()
    problems: list[str] = []
    names = []
    for name in every_page(page, live_server, language):
        names.append(name)
        screenshot(page, viewport, name if language == "en" else f"{language} {name}")
        if page.locator("html").get_attribute("lang") != language:
            problems.append(f"{name}: <html lang> is {page.locator('html').get_attribute('lang')}, not {language}")
        try:
            assert_axe_clean(page, name)
        except AssertionError as error:
            problems.append(str(error))
        problems += [f"{name}: {p}" for p in layout_problems(page)]
        problems += [f"{name}: {p}" for p in zoomed_problems(page)]
    context.close()
    assert {
        "start",
        "not found (404)",
        "session expired",
        "warning urgent",
        "warning emergency",
        "check your answers",
        "result",
        "summary",
        "errors emergency_signs",
    } <= set(names)
    assert len([n for n in names if n.startswith("question ")]) == 8
    assert not problems, "\n".join(problems)
