"""How long the questionnaire is for three typical patients: pages, questions, taps, words.

Walks the bank's own path (no web server): each patient answers only what they would be shown,
page by page, as in the browser. Questions a patient is not asked about are answered the calm
way ("No", "None of these", the lowest score) unless their story says otherwise.

Run: .venv/bin/python benchmarks/flow_length.py [--bank questions.yaml] [--json out.json]

The time estimate is words read at 200 words a minute (a typical adult reading speed for plain
text on a screen) plus 2 seconds a tap (choosing an answer or pressing Continue), the figures
the length issue asks for.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbss_check.bank import DEFAULT_BANK_PATH, load_bank
from fbss_check.engine import evaluate_answers
from fbss_check.model import NO, Answer, Bank, Kind, Question
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


def walk(bank: Bank, story: Mapping[str, Any]) -> dict[str, Any]:
    """Answer page by page as the patient would, then count what they saw."""
    answers: dict[str, Answer] = {}
    pages: list[str] = []
    while True:
        path = patient_path(bank, answers)
        page = next((s for s in path.sections if s not in pages), None)
        if page is None:
            break
        pages.append(page)
        for question in path.shown[page]:
            answers[question.id] = story_answer(question, story)
    path = patient_path(bank, answers)
    shown = [q for section in path.sections for q in path.shown[section]]
    sections = {s.id: s for s in bank.sections}
    read = sum(words(q.text) + words(q.hint or "") + sum(words(c.label) for c in q.choices) for q in shown)
    read += sum(words(sections[s].intro or "") + words(sections[s].title) for s in path.sections)
    taps = sum(taps_for(q, path.answers[q.id]) for q in shown if q.id in path.answers) + len(path.sections)
    seconds = read / WORDS_PER_MINUTE * 60 + taps * SECONDS_PER_TAP
    outcome = evaluate_answers(bank, path.answers)
    return {
        "pages": len(path.sections),
        "questions": len(shown),
        "taps": taps,
        "words": read,
        "minutes": round(seconds / 60, 1),
        "tier": outcome.urgency.value,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default=str(DEFAULT_BANK_PATH))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    bank = load_bank(args.bank).in_language("en")
    results = {name: walk(bank, story) for name, story in PATIENTS.items()}
    print(f"bank {bank.version}: pages, questions, taps, words read, minutes (200 wpm + 2 s a tap), tier")
    for name, figures in results.items():
        print(f"  {name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
    if args.json:
        Path(args.json).write_text(json.dumps({"bank": bank.version, "patients": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
