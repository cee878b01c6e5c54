"""How long the questionnaire is for typical patients: pages, questions, taps, words, page height.

Walks the bank's own path: each patient answers only what they would be shown, page by page, as
in the browser. Questions a patient is not asked about are answered the calm way ("No", "None of
these", the lowest score) unless their story says otherwise.

Run: .venv/bin/python benchmarks/flow_length.py [--browser] [--json out.json]

Words read: each page's title and intro, and each question's text, hint and answer labels
(choices, the 0-3 scale's labels, the 0-10 scale's end labels). A set of answer buttons that
repeats the one just above on the same page ("Yes / No / Not sure") is counted once: a reader
does not read the same three buttons again.

The time estimate is words read at 200 words a minute (a typical adult reading speed for plain
text on a screen; slower than the 238 a minute of Brysbaert's 2019 meta-analysis, for a person
in pain on a phone) plus 2 seconds a tap (choosing an answer or pressing Continue).

--browser also walks the same patients through the real app in Debian's Chromium at 360 x 640
px (a small phone) and reports the tallest question page, the page whose first answer is
lowest (the bottom of that answer, which should be on the first screen), and the height of
"check your answers" (with its folded pages closed, as it opens).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbss_check.bank import DEFAULT_BANK_PATH, load_bank
from fbss_check.engine import evaluate_answers
from fbss_check.model import NO, Answer, Bank, Kind, Question, Urgency
from fbss_check.path import patient_path

WORDS_PER_MINUTE = 200
SECONDS_PER_TAP = 2.0

# What each patient would answer when asked; anything else they are asked gets the calm answer.
PATIENTS: dict[str, dict[str, Any]] = {
    "chronic low-back pain 6 months after a fusion": {
        "surgery_region": ["low_back"],
        "time_since_surgery": "months_6_12",
        "surgery_type": "fusion",
        "surgery_approach": "back",
        "operations_count": 1,
        "devices_medicines": ["none"],
        "health_conditions": ["none"],
        "pain_persisting": "yes",
        "pain_trend": "same",
        "body_changes": ["none"],
        "peg_pain": 6,
        "peg_enjoyment": 6,
        "peg_activity": 5,
        "phq4_interest": 1,
        "phq4_down": 1,
        "treatments_tried": ["physical_therapy", "medication"],
    },
    "neck patient 10 days after surgery": {
        "surgery_region": ["neck"],
        "time_since_surgery": "weeks_0_2",
        "surgery_type": "fusion",
        "operations_count": 1,
        "devices_medicines": ["none"],
        "health_conditions": ["none"],
        "pain_persisting": "yes",
        "pain_trend": "better",
        "body_changes": ["none"],
        "peg_pain": 4,
        "peg_enjoyment": 3,
        "peg_activity": 4,
        "treatments_tried": ["medication"],
    },
    "emergency at the first page (new trouble peeing, 2 weeks after a discectomy)": {
        "surgery_region": ["low_back"],
        "time_since_surgery": "weeks_2_6",
        "pain_persisting": "yes",
        "bladder_control_change": "yes",
    },
    "well patient 3 weeks after a discectomy": {
        "surgery_region": ["low_back"],
        "time_since_surgery": "weeks_2_6",
        "surgery_type": "discectomy",
        "surgery_approach": "back",
        "operations_count": 1,
        "devices_medicines": ["none"],
        "health_conditions": ["none"],
        "pain_persisting": "no",
        "body_changes": ["none"],
        "treatments_tried": ["none"],
    },
}


def calm_answer(question: Question) -> Answer:
    """The answer of a patient with nothing to report."""
    if question.kind in (Kind.YES_NO, Kind.YES_NO_UNSURE):
        return NO
    if question.kind is Kind.MULTIPLE_CHOICE:
        return frozenset({"none"}) if "none" in question.codes else frozenset()
    if question.kind is Kind.SINGLE_CHOICE:
        return "no" if "no" in question.codes else question.codes[0]
    low, _ = question.bounds
    return low


def story_answer(question: Question, story: Mapping[str, Any]) -> Answer:
    if question.id not in story:
        return calm_answer(question)
    raw = story[question.id]
    return frozenset(raw) if isinstance(raw, list) else raw


def taps_for(question: Question, answer: Answer) -> int:
    """Taps to answer one question: one a box ticked or a choice made; a number is one field."""
    if isinstance(answer, frozenset):
        return max(len(answer), 1)
    return 1


def words(text: str) -> int:
    return len(str(text).split())


def answer_labels(question: Question) -> tuple[str, ...]:
    """What the patient reads to answer: the choices, or a scale's labels."""
    if question.choices:
        return tuple(c.label for c in question.choices)
    if question.value_labels:
        return question.value_labels
    return tuple(label for label in (question.low_label, question.high_label) if label)


def page_words(questions: Sequence[Question]) -> int:
    """Words of the questions of one page; a repeated set of answer labels counts once."""
    total = 0
    previous: tuple[str, ...] = ()
    for question in questions:
        labels = answer_labels(question)
        total += words(question.text) + words(question.hint or "")
        if labels != previous:
            total += sum(words(label) for label in labels)
        previous = labels
    return total


def answered_pages(bank: Bank, story: Mapping[str, Any]) -> list[tuple[str, list[Question]]]:
    """Each page the patient meets and the questions they answer on it, in order.

    A patient whose answer is an emergency sign presses Continue there and then: the warning
    comes at once (the first "yes" is acted on), and the walk ends.
    """
    answers: dict[str, Answer] = {}
    pages: list[tuple[str, list[Question]]] = []
    while True:
        path = patient_path(bank, answers)
        page = next((s for s in path.sections if s not in {p for p, _ in pages}), None)
        if page is None:
            return pages
        answered: list[Question] = []
        pages.append((page, answered))
        for question in path.shown[page]:
            answers[question.id] = story_answer(question, story)
            answered.append(question)
            if evaluate_answers(bank, answers).urgency is Urgency.EMERGENCY:
                return pages


def walk(bank: Bank, story: Mapping[str, Any]) -> dict[str, Any]:
    """Answer page by page as the patient would, then count what they saw."""
    pages = answered_pages(bank, story)
    shown = [q for _, questions in pages for q in questions]
    answers = {q.id: story_answer(q, story) for q in shown}
    sections = {s.id: s for s in bank.sections}
    read = sum(page_words(questions) for _, questions in pages)
    read += sum(words(sections[page].intro or "") + words(sections[page].title) for page, _ in pages)
    taps = sum(taps_for(q, answers[q.id]) for q in shown) + len(pages)
    seconds = read / WORDS_PER_MINUTE * 60 + taps * SECONDS_PER_TAP
    outcome = evaluate_answers(bank, answers)
    return {
        "pages": len(pages),
        "questions": len(shown),
        "taps": taps,
        "words": read,
        "minutes": round(seconds / 60, 1),
        "tier": outcome.urgency.value,
    }


PHONE = {"width": 360, "height": 640}


def browser_walk(base: str, bank: Bank, story: Mapping[str, Any], browser: Any) -> dict[str, Any]:
    """Walk the real app as the patient, measuring each page at 360 x 640 px."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base + "/")
    page.click("form[action$='/start'] button")
    heights: dict[str, int] = {}
    first_answer: dict[str, int] = {}
    for _ in range(20):
        url = page.url.removeprefix(base)
        if url.startswith("/questions/"):
            section = url.split("/")[2].split("?")[0]
            heights[section] = page.evaluate("document.documentElement.scrollHeight")
            box = page.locator("main [data-question] input:not([type=hidden])").first.bounding_box()
            first_answer[section] = round(box["y"] + box["height"])  # the first answer's control in view
            answers = {q.id: story_answer(q, story) for q in bank.section_questions(section)}
            for question_id in page.eval_on_selector_all("[data-question]", "els => els.map(e => e.dataset.question)"):
                answer = answers[question_id]
                if bank.questions[question_id].kind is Kind.WHOLE_NUMBER:
                    page.fill(f"input[name='{question_id}']", str(answer))
                    continue
                values = sorted(answer) if isinstance(answer, frozenset) else [str(answer)]
                for value in values:
                    page.check(f"input[name='{question_id}'][value='{value}']")
                if evaluate_answers(bank, {**answers, question_id: answer}).urgency is Urgency.EMERGENCY:
                    break
            page.click("main form button[type=submit]")
        elif url.startswith("/warning"):
            if evaluate_answers(bank, {}).urgency is Urgency.EMERGENCY or "emergency" in page.content():
                break
            page.click("a[data-continue]")
        elif url.startswith("/check"):
            heights["check"] = page.evaluate("document.documentElement.scrollHeight")
            break
        else:
            raise RuntimeError(f"unexpected page {url}")
    context.close()
    questions = {k: v for k, v in heights.items() if k != "check"}
    tallest = max(questions, key=questions.__getitem__)
    lowest = max(first_answer, key=first_answer.__getitem__)
    return {
        "tallest page": f"{tallest} {questions[tallest]} px",
        "first answer seen lowest": f"{lowest} {first_answer[lowest]} px down (screen {PHONE['height']} px)",
        "check your answers": f"{heights['check']} px" if "check" in heights else "not reached",
    }


def browser_figures(bank_path: str) -> dict[str, dict[str, Any]]:
    """The page heights of every patient, from the app served on a free port of 127.0.0.1."""
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from fbss_check.web import create_app

    server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app({"SECRET_KEY": "flow-length-benchmark-only-" + "x" * 40, "FBSS_PUBLIC_URL": base})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bank = load_bank(bank_path).in_language("en")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            return {name: browser_walk(base, bank, story, browser) for name, story in PATIENTS.items()}
    finally:
        server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default=str(DEFAULT_BANK_PATH))
    parser.add_argument("--browser", action="store_true", help="also measure the pages in Chromium at 360 px")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    bank = load_bank(args.bank).in_language("en")
    results = {name: walk(bank, story) for name, story in PATIENTS.items()}
    if args.browser:
        for name, figures in browser_figures(args.bank).items():
            results[name].update(figures)
    print(f"bank {bank.version}: pages, questions, taps, words read, minutes (200 wpm + 2 s a tap), tier")
    for name, figures in results.items():
        print(f"  {name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
    if args.json:
        Path(args.json).write_text(json.dumps({"bank": bank.version, "patients": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
