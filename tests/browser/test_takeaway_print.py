"""The take-away on paper and on a clinician's screen (issue 15): the summary with the most next
steps still prints on 2 pages with the clinician's line and the patient's own question on page 1;
the clinician view uses a desktop's width; the poster reads from across a waiting room."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.conftest import assert_axe_clean, new_context, walk_with_mouse
from tests.browser.test_walks_and_print import OWN_QUESTION, save_own_question
from tests.web.conftest import MOST_TOPICS

PAGE_ONE = {
    "en": ("Urgent.", "Red flags:", "spinal cord stimulator", "The question I most want to ask", OWN_QUESTION[:60]),
    "es": (
        "Urgente.",
        "Signos de alarma:",
        "estimulador de médula espinal",
        "Lo que más quiero preguntar",
        OWN_QUESTION[:60],
    ),
}


@pytest.fixture(scope="module", params=["en", "es"])
def most_topics(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[tuple[str, Page]]:
    context = new_context(browser, "desktop")
    page = context.new_page()
    walk_with_mouse(page, live_server, MOST_TOPICS, request.param)
    save_own_question(page, live_server, OWN_QUESTION)
    page.goto(live_server + "/result")
    assert page.locator("[data-topic]").count() == 19
    yield request.param, page
    context.close()


def pdf_text(page: Page, paper: str) -> list[str]:
    page.goto(page.url.rsplit("/", 1)[0] + "/summary")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
    page.emulate_media(media="screen")
    return [unicodedata.normalize("NFKC", " ".join(p.extract_text().split())) for p in pdf.pages]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_summary_with_the_most_next_steps_prints_on_two_pages(most_topics: tuple[str, Page], paper: str) -> None:
    language, page = most_topics
    pages = pdf_text(page, paper)
    assert 1 <= len(pages) <= 2, f"{language} {paper}: {len(pages)} pages"
    for words in PAGE_ONE[language]:
        assert words in pages[0], f"{language} {paper}: {words!r} is not on page 1"
    assert OWN_QUESTION[-40:] in " ".join(pages)


def test_the_clinician_view_uses_two_columns_on_a_desktop_and_one_on_a_phone(
    browser: Browser, live_server: str
) -> None:
    context = new_context(browser, "phone")
    page = context.new_page()
    walk_with_mouse(page, live_server, MOST_TOPICS)
    save_own_question(page, live_server, OWN_QUESTION)
    page.goto(live_server + "/share")
    url = page.locator(".share-url a").get_attribute("href") or ""
    for viewport, columns in (("desktop", 2), ("phone", 1)):
        view = new_context(browser, viewport).new_page()
        view.goto(url)
        main = view.locator(".clinician-main").bounding_box()
        answers = view.locator(".clinician-answers").bounding_box()
        assert main is not None and answers is not None
        side_by_side = answers["x"] >= main["x"] + main["width"] - 1 and abs(answers["y"] - main["y"]) < 5
        assert side_by_side == (columns == 2), f"{viewport}: {main} {answers}"
        assert view.locator("[data-visit-question]").is_visible()
        assert_axe_clean(view, f"clinician view {viewport}")
        view.context.close()
    context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_poster_prints_on_one_page_and_reads_from_a_chair(browser: Browser, live_server: str, paper: str) -> None:
    context = new_context(browser, "desktop")
    page = context.new_page()
    page.goto(live_server + "/clinicians/poster/example_spine")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
    assert len(pdf.pages) == 1
    sizes = page.evaluate(
        """() => Object.fromEntries(['.poster-emergency', '.poster-url', '.poster-points', '.poster-lead']
             .map(s => [s, parseFloat(getComputedStyle(document.querySelector(s)).fontSize)]))"""
    )
    # CSS pixels at 96 a inch: 18pt = 24px. The emergency line and the address at 18pt or more.
    assert sizes[".poster-emergency"] >= 24 and sizes[".poster-url"] >= 24, sizes
    assert sizes[".poster-points"] >= 18, sizes
    # The bottom third is used: the emergency line sits in the lowest third of the paper.
    heights: list[float] = []

    def where(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if "emergency" in text:
            heights.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])  # the text's y on the page, from the bottom

    pdf.pages[0].extract_text(visitor_text=where)
    paper_height = float(pdf.pages[0].mediabox.height)
    assert heights and min(heights) < paper_height / 3, f"the emergency line is at {heights} of {paper_height}"
    context.close()
