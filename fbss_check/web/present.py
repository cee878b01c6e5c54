"""Turning engine results into what templates show: answer labels, tier text, grouped answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import segno
from flask_babel import gettext
from markupsafe import Markup, escape

from fbss_check.clinics import Clinic
from fbss_check.engine import Outcome
from fbss_check.model import Answer, Bank, Kind, Question, Urgency
from fbss_check.path import PatientPath
from fbss_check.regions import Region

# QR codes are made here (segno), never by an outside service. A fixed mask: choosing the "best"
# of the eight costs 20 ms a code in pure Python, and readers decode any mask; the tests decode
# every kind we make, on screen and in the printed PDF.
QR_MASK = 4


def _qr_code(url: str) -> segno.QRCode:
    """A full-size QR code (never a Micro QR, which phone cameras may not read), medium error correction."""
    return segno.make(url, error="m", mask=QR_MASK, micro=False)


def qr_svg(url: str, label: str, scale: int = 4) -> Markup:
    """A QR code as inline SVG, for clinic links and posters: sharp at any print size."""
    # No fixed size: the stylesheet sizes it, for the screen and the poster alike.
    svg = _qr_code(url).svg_inline(scale=scale, border=4, dark="#000", light="#fff", omitsize=True)
    labelled = f'class="segno qr-code" role="img" aria-label="{Markup.escape(label)}"'
    return Markup(svg.replace('class="segno"', labelled, 1))


def qr_image(url: str, label: str) -> Markup:
    """A patient's share code as an inline PNG: one pixel a module, about 1.2 KB where an SVG of
    the same long code is 8 KB (the summary must stay small); the stylesheet scales it with crisp edges."""
    code = _qr_code(url)
    width, height = code.symbol_size(scale=1, border=4)
    return Markup('<img class="qr-code" src="{}" alt="{}" width="{}" height="{}">').format(
        code.png_data_uri(scale=1, border=4), label, width, height
    )


def answer_label(question: Question, answer: Answer | None) -> str:
    """The words for an answer, as the patient saw them."""
    if answer is None:
        return gettext("Not answered")
    if isinstance(answer, frozenset):
        labels = [c.label for c in question.choices if c.code in answer]
        return "; ".join(labels) if labels else gettext("None of these")
    if question.is_numeric:
        if question.value_labels:
            return question.value_labels[int(answer) - question.bounds[0]]
        if question.kind is Kind.SCALE_0_10:
            return gettext("%(value)s out of 10", value=answer)
        return f"{answer} {question.unit}".strip()
    for choice in question.choices:
        if choice.code == answer:
            return choice.label
    return str(answer)


def options(question: Question) -> list[tuple[str, str]]:
    """The (value, label) pairs a choice or scale question offers, as posted by the form."""
    if question.kind in (Kind.SCALE_0_10, Kind.SCALE_0_3):
        low, high = question.bounds
        labels = question.value_labels or tuple(str(n) for n in range(low, high + 1))
        return [(str(value), labels[value - low]) for value in range(low, high + 1)]
    return [(choice.code, choice.label) for choice in question.choices]


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    label: str
    reports_something: bool = False  # a yes or a not sure (see Question.reports_something)


@dataclass(frozen=True)
class AnsweredSection:
    id: str
    title: str
    items: tuple[AnsweredQuestion, ...]

    @property
    def reported(self) -> tuple[AnsweredQuestion, ...]:
        """The yes and not sure answers of the section."""
        return tuple(item for item in self.items if item.reports_something)


def answered_sections(path: PatientPath, only_answered: bool = False) -> list[AnsweredSection]:
    """Every section on the patient's path, with each shown question and its answer; for an
    unfinished check (`only_answered`), only the questions answered so far."""
    titles = {s.id: s.title for s in path.bank.sections}
    sections = []
    for section_id, questions in path.shown.items():
        shown = [q for q in questions if not only_answered or q.id in path.answers]
        if shown:
            items = tuple(
                AnsweredQuestion(
                    q, _shown_answer(q, path.answers.get(q.id)), q.reports_something(path.answers.get(q.id))
                )
                for q in shown
            )
            sections.append(AnsweredSection(section_id, titles[section_id], items))
    return sections


def _shown_answer(question: Question, answer: Answer | None) -> str:
    # A submitted multiple-choice question with nothing ticked means "none of these".
    if answer is None and question.kind is Kind.MULTIPLE_CHOICE:
        return gettext("None of these")
    return answer_label(question, answer)


def tier_text(bank: Bank, urgency: Urgency, region: Region, clinic: Clinic | None = None) -> dict[str, str]:
    """The heading and action for a tier, with the region's (and the clinic's) numbers filled in."""
    text = bank.tiers[urgency]
    urgent_care = gettext(region.urgent_care)  # the region's words are in the catalog (see regions.py)
    numbers = {"emergency": region.emergency, "urgent_care": urgent_care, "surgeon_team": ""}
    if clinic is not None:
        numbers["surgeon_team"] = gettext(
            " at %(clinic)s on %(phone)s", clinic=clinic.name, phone=clinic.surgeon_team_phone
        )
        numbers["urgent_care"] = gettext(
            "call %(clinic)s out of hours on %(phone)s, or %(urgent_care)s",
            clinic=clinic.name,
            phone=clinic.out_of_hours_phone,
            urgent_care=urgent_care,
        )
    return {"heading": text.heading, "action": text.action.format_map(numbers)}


def phone_links(text: str, region: Region, clinic: Clinic | None = None) -> Markup:
    """The text, escaped, with every phone number of the region and the clinic a tel: link."""
    numbers = {number: "".join(c for c in number if c.isdigit() or c == "+") for number in region.phone_numbers}
    if clinic is not None:
        for number in (clinic.surgeon_team_phone, clinic.out_of_hours_phone):
            numbers[number] = clinic.dial(number)
    escaped = str(escape(text))
    if not numbers:
        return Markup(escaped)
    # Whole numbers only: not the 111 of "111.nhs.uk", nor digits inside a longer number.
    alternatives = "|".join(re.escape(str(escape(n))) for n in sorted(numbers, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.+-])({alternatives})(?![\w-]|\.\w)")
    by_text = {str(escape(n)): dial for n, dial in numbers.items()}
    return Markup(pattern.sub(lambda m: f'<a href="tel:{by_text[m.group(1)]}">{m.group(1)}</a>', escaped))


def needs_crisis_line(bank: Bank, outcome: Outcome) -> bool:
    """Whether a flag rests on an answer from a section that carries the crisis line (the suicide screen)."""
    crisis_sections = {section.id for section in bank.sections if section.crisis_line}
    return any(bank.questions[q].section in crisis_sections for flag in outcome.flags for q in flag.because)


def flag_reasons(bank: Bank, outcome: Outcome) -> list[dict[str, Any]]:
    """Each flag with the questions and answers behind it ("because you said ...")."""
    reasons = []
    for flag in outcome.flags:
        because = [
            {
                "id": q,
                "question": bank.questions[q].text,
                "answer": answer_label(bank.questions[q], outcome.answers.get(q)),
            }
            for q in flag.because
        ]
        reasons.append({"flag": flag, "because": because})
    return reasons


def score_lines(bank: Bank, outcome: Outcome) -> list[dict[str, Any]]:
    """The scores that have a value, with what they mean."""
    lines = []
    for score in bank.scores.values():
        value = outcome.scores.get(score.id)
        if value is None:
            continue
        top = score.item_max * (1 if score.method == "mean" else len(score.items))
        lines.append({"score": score, "value": value, "top": top, "band": score.band(float(value))})
    return lines
