"""Compare with an earlier check in a real browser with JavaScript off: the patient photographs
the QR code of an earlier printed summary (made here from a real summary PDF), uploads it, does
today's check, and the comparison shows on the result and still prints on 2 pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from babel.dates import format_date
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_axe_clean, new_context, screenshot, walk_with_mouse
from tests.browser.test_takeaway_print import pdf_text
from tests.browser.test_walks_and_print import OWN_QUESTION, save_own_question
from tests.web.conftest import MOST_TOPICS

# Three months earlier: more pain, fewer treatments, no low mood; today is the heaviest summary.
EARLIER = {
    **MOST_TOPICS,
    "treatments_tried": ["physical_therapy", "medication"],
    "devices_medicines": ["blood_thinner", "strong_opioid"],
    "peg_pain": "9",
    "peg_enjoyment": "9",
    "peg_activity": "8",
    "phq4_interest": "0",
    "phq4_down": "0",
    "wound_problem": "no",
}


def printed_qr_photo(page: Page, folder: Path) -> Path:
    """The earlier summary printed to PDF, its last page rendered at 300 dpi (as a scanner, or a
    12-megapixel phone photo of the page, sees it), saved as a PNG."""
    page.goto(page.url.rsplit("/", 1)[0] + "/summary")
    page.emulate_media(media="print")
    pdf = pypdfium2.PdfDocument(page.pdf(format="A4", print_background=True))
    page.emulate_media(media="screen")
    last = pdf[len(pdf) - 1]  # the share code is at the end of the summary
    photo = folder / "earlier-summary.png"
    last.render(scale=300 / 72, grayscale=True).to_pil().save(photo)
    pdf.close()
    return photo


@pytest.fixture(scope="module", params=["en", "es"])
def compared(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Page]]:
    language = request.param
    before = new_context(browser, "desktop").new_page()
    walk_with_mouse(before, live_server, EARLIER, language)
    photo = printed_qr_photo(before, tmp_path_factory.mktemp("photo"))
    before.context.close()
    context = new_context(browser, "phone", javascript=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.locator("a[data-compare-link]").click()
    assert page.url.endswith("/compare")
    screenshot(page, "phone", f"compare-{language}")
    page.set_input_files("#photo", str(photo))
    page.locator("form[action='/compare'] button[type=submit]").click()
    assert page.locator("[data-compare-ready]").is_visible(), page.content()[:3000]
    walk_with_mouse(page, live_server, MOST_TOPICS, language)
    save_own_question(page, live_server, OWN_QUESTION)
    page.goto(live_server + "/result")
    yield language, page
    context.close()


def axe_clean_with_the_same_session(browser: Browser, page: Page, url: str, name: str) -> None:
    """axe runs as a script: the page seen again with JavaScript on, with the same session cookie."""
    seeing = new_context(browser, "phone")
    seeing.add_cookies(page.context.cookies())  # type: ignore[arg-type]
    view = seeing.new_page()
    view.goto(url)
    assert_axe_clean(view, name)
    seeing.close()


def test_the_comparison_shows_on_the_result_with_javascript_off(compared: tuple[str, Page], browser: Browser) -> None:
    language, page = compared
    block = page.locator("[data-compared]")
    assert block.is_visible()
    assert page.locator("[data-score-change=peg]").get_attribute("data-change") == "better"
    assert page.locator("[data-score-change=phq4]").get_attribute("data-change") == "worse"
    started = page.locator("[data-started]").inner_text().lower()
    assert ("injections" if language == "en" else "inyecciones") in started
    assert page.locator("[data-flag] [data-new-since]").count() >= 1
    base = page.url.rsplit("/", 1)[0]
    axe_clean_with_the_same_session(browser, page, base + "/result", f"result with a comparison {language}")
    axe_clean_with_the_same_session(browser, page, base + "/compare", f"compare page {language}")
    block.scroll_into_view_if_needed()
    screenshot(page, "phone", f"result-compared-{language}")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_heaviest_summary_with_a_comparison_still_prints_on_two_pages(
    compared: tuple[str, Page], paper: str
) -> None:
    language, page = compared
    pages = pdf_text(page, paper)
    assert 1 <= len(pages) <= 2, f"{language} {paper}: {len(pages)} pages"
    text = " ".join(pages)
    made_on = format_date(date.today(), "long", locale=language)  # the earlier check was made today
    since = f"Since {made_on}" if language == "en" else f"Desde el {made_on}"
    assert since in pages[0] and "PEG" in pages[0], "the comparison is in the clinician's line on page 1"
    assert OWN_QUESTION[-40:] in text
    page.goto(page.url.rsplit("/", 1)[0] + "/result")


def test_the_share_page_offers_both_checks_side_by_side_to_the_clinician(
    compared: tuple[str, Page], browser: Browser
) -> None:
    _language, page = compared
    page.goto(page.url.rsplit("/", 1)[0] + "/share")
    link = page.locator("[data-pair-link] a").get_attribute("href") or ""
    page.goto(page.url.rsplit("/", 1)[0] + "/result")
    view = new_context(browser, "desktop").new_page()
    view.goto(link)
    assert view.locator("[data-compared] [data-score-change=peg]").get_attribute("data-change") == "better"
    assert_axe_clean(view, "clinician view with a comparison")
    view.context.close()


def test_the_share_code_printed_with_a_comparison_still_scans(compared: tuple[str, Page], tmp_path: Path) -> None:
    """The printed QR code holds today's check alone (two codes would make it too dense to scan)."""
    _language, page = compared
    photo = printed_qr_photo(page, tmp_path)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(photo))]
    assert len(found) == 1 and "/r/" in found[0]
    page.goto(found[0])
    assert page.locator("[data-urgency]").get_attribute("data-urgency") == "urgent"
    page.goto(page.url.split("/r/")[0] + "/result")
