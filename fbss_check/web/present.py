"""Turning engine results into what templates show: answer labels, tier text, grouped answers."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import segno
import zxingcpp
from babel import Locale
from flask_babel import format_date, format_decimal, format_time, get_locale, get_timezone
from markupsafe import Markup, escape
from PIL import Image

from fbss_check.clinics import Clinic
from fbss_check.compare import Change, Comparison, ScoreChange
from fbss_check.engine import Flag, Outcome, answers_meet, tried_topics
from fbss_check.model import SCALE_KINDS, Answer, Bank, Kind, Question, Score, Urgency
from fbss_check.path import PatientPath
from fbss_check.regions import Region, dial

from .catalog import gettext

# QR codes are made here, never by an outside service. The clinic links and posters are inline
# SVG from segno (sharp at any print size); the patient's share code, made on every summary, is
# a 1-bit PNG from zxing-cpp. Both take a fixed mask: choosing the "best" of the eight costs
# 20 ms a code in segno's pure Python and about 1 ms in zxing-cpp (most of its time), and
# readers decode any mask. The tests decode every kind we make, on screen and in the printed PDF.
QR_MASK = 4
QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks (zxing-cpp's too)


def _qr_code(url: str) -> segno.QRCode:
    """A full-size QR code (never a Micro QR, which phone cameras may not read), medium error correction."""
    return segno.make(url, error="m", mask=QR_MASK, micro=False)


def qr_svg(url: str, label: str, scale: int = 4) -> Markup:
    """A QR code as inline SVG, for clinic links and posters: sharp at any print size."""
    # No fixed size: the stylesheet sizes it, for the screen and the poster alike.
    svg = _qr_code(url).svg_inline(scale=scale, border=QR_BORDER, dark="#000", light="#fff", omitsize=True)
    labelled = f'class="segno qr-code" role="img" aria-label="{Markup.escape(label)}"'
    return Markup(svg.replace('class="segno"', labelled, 1))


def qr_image(url: str, label: str) -> Markup:
    """A patient's share code as an inline PNG: one pixel a module, about 1.4 KB where an SVG of
    the same long code is 8 KB (the summary must stay small); the stylesheet scales it with crisp edges."""
    data_uri, width, height = qr_png(url)
    return Markup('<img class="qr-code" src="{}" alt="{}" width="{}" height="{}">').format(
        data_uri, label, width, height
    )


def qr_png(url: str) -> tuple[str, int, int]:
    """A full-size QR code (medium error correction, the quiet zone around it) as a 1-bit PNG data
    URI, one pixel a module, with its width and height. The mask is fixed, as for the SVG codes:
    trying all eight to score them is most of zxing-cpp's time (about 1 ms of 1.2), and readers
    decode any mask; the tests read every code we make, on screen and on paper."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=QR_MASK)
    pixels = code.to_image(scale=1, add_quiet_zones=True)  # 8-bit grey, 0 dark and 255 light
    height, width = pixels.shape[:2]
    data = bytes(pixels)  # type: ignore[call-overload]  # a buffer, which zxing-cpp's stub does not say
    grey = Image.frombuffer("L", (width, height), data, "raw", "L", 0, 1)
    png = io.BytesIO()
    grey.convert("1", dither=Image.Dither.NONE).save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii"), width, height


def answer_label(question: Question, answer: Answer | None, short: bool = False) -> str:
    """The words for an answer, as the patient saw them; `short`: a choice's few words for the care
    team ("takes a blood thinner", not the list of drug names) where the bank gives them."""
    if answer is None:
        return gettext("Not answered")
    if isinstance(answer, frozenset):
        labels = [c.short_label if short else c.label for c in question.choices if c.code in answer]
        return "; ".join(labels) if labels else gettext("None of these")
    if question.is_numeric:
        if question.value_labels:
            return question.value_labels[int(answer) - question.bounds[0]]
        if question.kind is Kind.SCALE_0_10:
            return gettext("%(value)s out of 10", value=answer)
        return f"{answer} {question.unit}".strip()
    for choice in question.choices:
        if choice.code == answer:
            return choice.short_label if short else choice.label
    return str(answer)


class Option(NamedTuple):
    """One answer a choice or scale question offers, as the form field shows it."""

    value: str  # as posted by the form
    label: str
    input_id: str  # the question's id and the option's place: "peg_pain-0"
    spoken: str = ""  # said to screen readers after the label: the words of a 0 to 10 scale's ends


class OptionInput(NamedTuple):
    """One answer's input and label as HTML, made from the bank's text alone (never from a
    patient's answer): a page shows `checked` for an answer chosen, else `plain`."""

    value: str  # as posted by the form
    plain: Markup
    checked: Markup


class ChoiceField(NamedTuple):
    """A choice or scale question's field with no error, made from the bank's text alone: its top
    (the group, the question, its hint), its inputs both ways, and its end."""

    top: Markup
    inputs: tuple[OptionInput, ...]
    end: Markup


class OptionInputs:
    """Each choice and scale question's field, rendered on first use by the shared macros of
    _macros.html (`macro(language, name)` gives one) and kept: its inputs both ways
    (`option_input`), and the top and end of its field with no error (`choice_field_top`,
    `choice_field_end`). They are made of the bank's text alone, one set a question and language,
    and a question page would otherwise render its 30-odd inputs afresh on every request."""

    def __init__(self, macro: Callable[[str, str], Callable[..., str]]) -> None:
        self._macro = macro
        self._made: dict[tuple[str, str], ChoiceField] = {}  # (language, question id) -> its field

    def __call__(self, question: Question, language: str) -> tuple[OptionInput, ...]:
        """The question's inputs, both ways."""
        return self.choice_field(question, language).inputs

    def choice_field(self, question: Question, language: str) -> ChoiceField:
        key = (language, question.id)
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._make(question, language)
        return found

    def field(self, question: Question, language: str, error: str | None, selected: Collection[str]) -> Markup:
        """A question's whole field, the `selected` values chosen: with no error, a choice or scale
        question's kept top, inputs and end; else the `field` macro's."""
        if error is None and question.kind is not Kind.WHOLE_NUMBER:
            top, inputs, end = self.choice_field(question, language)
            return shown_inputs(inputs, selected, top, end)
        return Markup(self._macro(language, "field")(question, error, selected))

    def _make(self, question: Question, language: str) -> ChoiceField:
        render = self._macro(language, "option_input")
        input_type = "checkbox" if question.kind is Kind.MULTIPLE_CHOICE else "radio"
        required = question.required and input_type == "radio"
        return ChoiceField(
            Markup(self._macro(language, "choice_field_top")(question, None)),
            tuple(
                OptionInput(
                    option.value,
                    Markup(render(question, option, input_type, required, False)),
                    Markup(render(question, option, input_type, required, True)),
                )
                for option in options(question)
            ),
            Markup(self._macro(language, "choice_field_end")()),
        )


def shown_inputs(inputs: tuple[OptionInput, ...], selected: Collection[str], top: str = "", end: str = "") -> Markup:
    """The inputs as one piece of HTML, each one `checked` where its value is among `selected`,
    between `top` and `end` (HTML) if given (joined here rather than by a template loop: a
    question page has 30-odd inputs)."""
    return Markup("".join((top, *(made.checked if made.value in selected else made.plain for made in inputs), end)))


def options(question: Question) -> list[Option]:
    """The answers a choice or scale question offers, in order."""
    if question.kind in SCALE_KINDS:
        pairs = [(str(value), label) for value, label in question.scale_options]
    else:
        pairs = [(choice.code, choice.label) for choice in question.choices]
    found = [Option(value, label, f"{question.id}-{index}") for index, (value, label) in enumerate(pairs)]
    if question.kind is Kind.SCALE_0_10:
        found[0] = found[0]._replace(spoken=question.low_label)
        found[-1] = found[-1]._replace(spoken=question.high_label)
    return found


class AnsweredQuestion(NamedTuple):
    """A question on the patient's path and the words of its answer (a named tuple: a summary
    makes 40-odd, and a frozen dataclass takes twice as long to make)."""

    question: Question
    label: str
    reports_something: bool = False  # a yes or a not sure (see Question.reports_something)
    short_label: str = ""  # the answer in the bank's short words, for the care team


@dataclass(frozen=True)
class AnsweredSection:
    id: str
    title: str
    items: tuple[AnsweredQuestion, ...]

    @property
    def reported(self) -> tuple[AnsweredQuestion, ...]:
        """The yes and not sure answers of the section."""
        return tuple(item for item in self.items if item.reports_something)

    @property
    def others(self) -> tuple[AnsweredQuestion, ...]:
        """The section's other answers: the no, none and number answers."""
        return tuple(item for item in self.items if not item.reports_something)


def answered_sections(path: PatientPath, only_answered: bool = False) -> list[AnsweredSection]:
    """Every section on the patient's path, with each shown question and its answer; for an
    unfinished check (`only_answered`), only the questions answered so far."""
    titles = {s.id: s.title for s in path.bank.sections}
    sections = []
    for section_id, questions in path.shown.items():
        shown = [q for q in questions if not only_answered or q.id in path.answers]
        if shown:
            items = tuple(_answered(q, path.answers.get(q.id)) for q in shown)
            sections.append(AnsweredSection(section_id, titles[section_id], items))
    return sections


def _answered(question: Question, answer: Answer | None) -> AnsweredQuestion:
    label = _shown_answer(question, answer)
    short = _shown_answer(question, answer, short=True) if question.has_short_labels else label
    return AnsweredQuestion(question, label, question.reports_something(answer), short)


def _shown_answer(question: Question, answer: Answer | None, short: bool = False) -> str:
    # A submitted multiple-choice question with nothing ticked means "none of these".
    if answer is None and question.kind is Kind.MULTIPLE_CHOICE:
        return gettext("None of these")
    return answer_label(question, answer, short)


def _numbers(region: Region, clinic: Clinic | None) -> dict[str, str]:
    """What the bank's {placeholders} stand for: the region's (and the clinic's) numbers and words."""
    urgent_care = gettext(region.urgent_care)  # the region's words are in the catalog (see regions.py)
    numbers = {
        "emergency": region.emergency,
        "urgent_care": urgent_care,
        "surgeon_team": "",
        "quit_line": gettext(region.quit_line),
    }
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
    return numbers


def fill(text: str, region: Region, clinic: Clinic | None = None) -> str:
    """A bank text with its {placeholders} filled in for the region and the clinic."""
    return text.format_map(_numbers(region, clinic)) if "{" in text else text


def tier_text(bank: Bank, urgency: Urgency, region: Region, clinic: Clinic | None = None) -> dict[str, str]:
    """The heading and action for a tier, with the region's (and the clinic's) numbers filled in."""
    text = bank.tiers[urgency]
    return {"heading": text.heading, "action": fill(text.action, region, clinic)}


class SafetyGroup(NamedTuple):
    """The warning signs of one tier a result names, and what to do."""

    urgency: Urgency
    action: str  # with the numbers filled in
    signs: list[str]


def safety_net(bank: Bank, answers: Mapping[str, Answer], region: Region, clinic: Clinic | None) -> list[SafetyGroup]:
    """The warning signs every result names, grouped by what to do, with the numbers filled in;
    a sign tied to a region, a device or a medicine only where the answers allow it."""
    groups = []
    for group in bank.safety_net:
        signs = [sign.text for sign in group.signs if answers_meet(bank, sign.when, answers)]
        groups.append(SafetyGroup(group.urgency, fill(group.action, region, clinic), signs))
    return groups


def key_facts(bank: Bank, answers: Mapping[str, Answer]) -> list[str]:
    """The answers the staff need first (the bank's key_facts), in a few words each, in bank order:
    the operation, when, devices and medicines, health. Only choices with `short` words count:
    "None of these", a bare "not sure", and what does not change care now (sleeping badly) are left out."""
    words = []
    for question_id in bank.key_facts:
        answer = answers.get(question_id)
        codes = answer if isinstance(answer, frozenset) else {answer}
        words += [
            choice.short for choice in bank.questions[question_id].choices if choice.code in codes and choice.short
        ]
    return words


def phone_links(text: str, region: Region, clinic: Clinic | None = None) -> Markup:
    """The text, escaped, with every phone number of the region and the clinic a tel: link."""
    escaped = str(escape(text))
    pattern, by_text = _phone_pattern(region, clinic)
    if pattern is None:
        return Markup(escaped)
    return Markup(pattern.sub(lambda m: f'<a href="tel:{by_text[m.group(1)]}">{m.group(1)}</a>', escaped))


@lru_cache(maxsize=1024)  # the bank's words and the app's own (never a patient's): a few hundred
def filled_links(text: str, region: Region, clinic: Clinic | None, language: str) -> Markup:
    """A bank text with its {placeholders} filled in and its phone numbers as tel: links, as a page
    shows it, made once: `language` is the request's, which `fill` writes the region's words in."""
    return phone_links(fill(text, region, clinic), region, clinic)


@lru_cache(maxsize=64)  # a region and its clinics: a few patterns, and a page has a dozen texts
def _phone_pattern(region: Region, clinic: Clinic | None) -> tuple[re.Pattern[str] | None, Mapping[str, str]]:
    """The pattern that finds the region's and the clinic's phone numbers in escaped text (None
    when there are none), and the number to dial for each as the text writes it."""
    clinic_numbers = (clinic.surgeon_team_phone, clinic.out_of_hours_phone) if clinic is not None else ()
    numbers = {number: dial(number) for number in (*region.phone_numbers, *clinic_numbers)}
    if not numbers:
        return None, MappingProxyType({})
    # Whole numbers only: not the 111 of "111.nhs.uk", nor digits inside a longer number.
    alternatives = "|".join(re.escape(str(escape(n))) for n in sorted(numbers, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.+-])({alternatives})(?![\w-]|\.\w)")
    return pattern, MappingProxyType({str(escape(n)): digits for n, digits in numbers.items()})


def needs_crisis_line(bank: Bank, outcome: Outcome) -> bool:
    """Whether an urgent or emergency flag rests on an answer from a section that carries the crisis
    line (the suicide screen): then the crisis line leads the page. A low mood score alone (soon)
    keeps it lower down, as on every result, so it does not crowd an unrelated emergency."""
    crisis_sections = _crisis_sections(bank)
    return any(
        bank.questions[q].section in crisis_sections
        for flag in outcome.flags
        if flag.urgency >= Urgency.URGENT
        for q in flag.because
    )


def _crisis_sections(bank: Bank) -> set[str]:
    return {section.id for section in bank.sections if section.crisis_line}


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


def reasons_to_show(
    reasons: list[dict[str, Any]], urgency: Urgency | None = None
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any] | None, Flag]]]:
    """The reasons a page lists with their tier and message, and what it lists under "Also tell the
    staff" (each answer, or a reason with none, with its flag). A lower-tier reason resting only on
    answers a higher-tier one already names is left out: one answer, one instruction (night pain
    after cancer: "within 24 hours", not also "soon"). With an emergency only the emergency reasons
    keep their tier; the others' answers are things to tell the staff, each once, so no "contact
    your team today" sits under "call now" (H26)."""
    emergency = urgency is Urgency.EMERGENCY
    shown: list[dict[str, Any]] = []
    named: set[str] = set()
    top = -1
    for reason in reasons:
        flag, ids = reason["flag"], [item["id"] for item in reason["because"]]
        if emergency and flag.urgency is not Urgency.EMERGENCY:
            continue
        if ids and flag.urgency.rank < top and named.issuperset(ids):
            continue
        named.update(ids)
        top = max(top, flag.urgency.rank)
        shown.append(reason)
    also: list[tuple[dict[str, Any] | None, Flag]] = []
    if not emergency:
        return shown, also
    said = {
        item["id"] for reason in reasons if reason["flag"].urgency is Urgency.EMERGENCY for item in reason["because"]
    }
    for reason in reasons:
        if reason["flag"].urgency is Urgency.EMERGENCY:
            continue
        for item in reason["because"]:
            if item["id"] not in said:
                also.append((item, reason["flag"]))
                said.add(item["id"])
        if not reason["because"]:
            also.append((None, reason["flag"]))
    return shown, also


class ScoreLine(NamedTuple):
    """A score with a value, as the result shows it."""

    score: Score
    value: str  # a mean to one decimal, a sum as a whole number
    top: int  # the most it can be
    band: str  # what the value means, where the score has bands (else "")

    @property
    def words(self) -> str:
        """The line as the clinician's summary writes it: "PEG pain score 4.3/10", then its band."""
        return f"{self.score.label} {self.value}/{self.top}" + (f" ({self.band})" if self.band else "")


def score_lines(bank: Bank, outcome: Outcome) -> list[ScoreLine]:
    """The scores that have a value, with what they mean."""
    lines = []
    for score in bank.scores.values():
        value = outcome.scores.get(score.id)
        if value is None:
            continue
        top = score.item_max * (1 if score.method == "mean" else len(score.items))
        # A mean as clinicians write it, to one decimal (6.7, not 6.67); a sum as a whole number.
        shown = format_decimal(value, format="0.0") if score.method == "mean" else str(value)
        lines.append(ScoreLine(score, shown, top, score.band(float(value))))
    return lines


def crisis_only(bank: Bank, outcome: Outcome) -> bool:
    """Whether the tier is urgent only because of the suicide screen: then the page heads with the
    crisis line and the patient's doctor, not the surgeon's team (hazard log H31)."""
    crisis_sections = _crisis_sections(bank)
    serious = [flag for flag in outcome.flags if flag.urgency >= Urgency.URGENT]
    return (
        outcome.urgency is Urgency.URGENT
        and bool(serious)
        and all(bank.questions[q].section in crisis_sections for flag in serious for q in flag.because)
    )


def crisis_tier(region: Region) -> dict[str, str]:
    """The urgent tier's heading and action when only the suicide screen made it urgent."""
    return {
        "heading": gettext("Talk to someone today about how you feel"),
        "action": gettext(
            "Call or text the %(crisis)s now, or tell your own doctor today. If you are in danger, call %(number)s.",
            crisis=gettext(region.crisis),
            number=region.emergency,
        ),
    }


def decision_tier(bank: Bank, outcome: Outcome, region: Region, clinic: Clinic | None) -> tuple[dict[str, str], bool]:
    """The tier's heading and action as the warning and the result show them, and whether they are
    the crisis line's (urgent only because of the suicide screen)."""
    if crisis_only(bank, outcome):
        return crisis_tier(region), True
    return tier_text(bank, outcome.urgency, region, clinic), False


class FlagNames(NamedTuple):
    """The flags' clinical short names for the clinician's one-line summary, in the outcome's order."""

    serious: list[str]  # the urgent and emergency flags
    other: list[str]


def flag_names(bank: Bank, outcome: Outcome) -> FlagNames:
    """The flags' clinical short names, the urgent and emergency ones apart from the others."""
    named = [(flag.urgency >= Urgency.URGENT, bank.rules_by_id[flag.id].short_name) for flag in outcome.flags]
    return FlagNames([name for serious, name in named if serious], [name for serious, name in named if not serious])


def result_context(
    path: PatientPath, region: Region, clinic: Clinic | None, only_answered: bool = False
) -> dict[str, Any]:
    """What the patient's result, the printed summary and the clinician view all show: the decision
    on the answers on the path, and those answers by section (`only_answered`: see answered_sections)."""
    bank = path.bank
    outcome = path.outcome
    tier, only_crisis = decision_tier(bank, outcome, region, clinic)
    return {
        "outcome": outcome,
        "tier": tier,
        "crisis_only": only_crisis,
        "reasons": flag_reasons(bank, outcome),
        "crisis": needs_crisis_line(bank, outcome),
        "scores": score_lines(bank, outcome),
        # In an emergency only what helps now: the treatment ladder waits (hazard log H26).
        "topics": [] if outcome.urgency is Urgency.EMERGENCY else [bank.topics[t] for t in outcome.guidance],
        "tried": tried_topics(bank, outcome),
        "safety": safety_net(bank, outcome.answers, region, clinic),
        "facts": key_facts(bank, outcome.answers),
        "flag_names": flag_names(bank, outcome),
        "sections": answered_sections(path, only_answered),
    }


# A score's change in a word or two, for the clinician's line.
SHORT_CHANGE = {
    Change.BETTER: lambda: gettext("better"),
    Change.WORSE: lambda: gettext("worse"),
    Change.SAME: lambda: gettext("no clear change"),
}


def _score_value(change: ScoreChange, value: float) -> str:
    return format_decimal(value, format="0.0") if change.score.method == "mean" else str(round(value))


def _score_meaning(change: ScoreChange) -> str:
    """What a change of score means, in the score's own terms (README, "Compare with last time")."""
    score = change.score
    if score.change_percent is not None:
        size = round(score.change_percent)
        if change.change is Change.BETTER:
            return gettext("Better. A fall of %(size)s percent or more is a real improvement.", size=size)
        if change.change is Change.WORSE:
            return gettext("Worse. It rose by %(size)s percent or more.", size=size)
        return gettext("About the same: it changed by less than %(size)s percent.", size=size)
    then, now = score.band(change.then), score.band(change.now)
    if change.change is Change.BETTER:
        return gettext("Better: from %(then)s to %(now)s.", then=then, now=now)
    if change.change is Change.WORSE:
        return gettext("Worse: from %(then)s to %(now)s.", then=then, now=now)
    return gettext("No change of band: %(band)s.", band=now)


def comparison_context(bank: Bank, comparison: Comparison) -> dict[str, Any]:
    """What the result, the summary and the clinician view show of a comparison with an earlier check."""
    earlier = comparison.earlier
    scores = []
    for change in comparison.scores:
        difference = change.difference
        sign = "+" if difference > 0 else ("\u2212" if difference < 0 else "")  # a true minus sign
        shown = _score_value(change, abs(difference)) if difference else "0"
        percent = change.percent
        scores.append(
            {
                "score": change.score,
                "then": _score_value(change, change.then),
                "now": _score_value(change, change.now),
                "difference": sign + shown,
                # A percent only where the score's rule is one (the PEG), not for a score read by band.
                "percent": f"{sign}{abs(percent)}%" if percent and change.score.change_percent else "",
                "change": change.change.value,
                "short_change": SHORT_CHANGE[change.change](),
                "meaning": _score_meaning(change),
            }
        )
    gone = set(comparison.gone_flags)
    treatments = bank.questions[bank.compare_treatments] if bank.compare_treatments else None
    return {
        "earlier_on": format_date(earlier.made_on, "long"),
        "earlier_version": earlier.bank_version,
        "other_version": earlier.bank_version.split(".")[0] != bank.version.split(".")[0],
        "scores": scores,
        "new_flags": set(comparison.new_flags),
        "new_names": [bank.rules_by_id[r].short_name for r in comparison.new_flags],
        "gone": [r for r in flag_reasons(bank, comparison.then) if r["flag"].id in gone],
        "gone_names": [bank.rules_by_id[r].short_name for r in comparison.gone_flags],
        "started": [c.label for c in treatments.choices if c.code in comparison.started] if treatments else [],
        "started_short": [c.short_label for c in treatments.choices if c.code in comparison.started]
        if treatments
        else [],
        "changed": [
            {
                "id": item.question.id,
                "question": item.question.text,
                # The choices' few words ("takes a blood thinner"), so two answers fit on one line.
                "then": answer_label(item.question, item.then, short=True),
                "now": answer_label(item.question, item.now, short=True),
            }
            for item in comparison.changed
        ],
        # For the answers list: today's answer with the one from then beside it (on paper this
        # replaces the list of changed answers, which would repeat every question).
        "was": {
            item.question.id: answer_label(item.question, item.then, short=True)
            for item in comparison.changed
            # Not the treatments: "started since" says it.
            if item.question.id != bank.compare_treatments
        },
        "not_compared": [bank.questions[q].text for q in comparison.not_compared],
        # Counted, not listed: a check that stopped early leaves most of the questions unasked.
        "not_asked_now": len(comparison.not_asked_now),
        "not_asked_then": len(comparison.not_asked_then),
        "retired": len(earlier.retired),
        "anything": comparison.anything,
    }


def made_at(moment: datetime) -> str:
    """When a summary was made, as a clinician writes it: the date, the time and the time zone
    (FBSS_TIMEZONE), e.g. "December 2, 2026, 9:05 AM (Europe/London)"; written once a minute."""
    return _made_at(moment.replace(second=0, microsecond=0), get_locale(), get_timezone())


@lru_cache(maxsize=16)  # the clock's minute, the language and the zone: never anything a patient entered
def _made_at(minute: datetime, locale: Locale | None, zone: tzinfo) -> str:
    return f"{format_date(minute, 'long')}, {format_time(minute, 'short')} ({getattr(zone, 'key', None) or zone})"
