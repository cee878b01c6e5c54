"""Turning raw answers (JSON, form codes, YAML) into the engine's normalised answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .model import NO, UNSURE, YES, YES_NO_KINDS, Answer, Kind, Question

# "json": yes/no as true/false (the CLI and the Python API);
# "codes": yes/no as "yes"/"no" (the web forms and the session cookie);
# "lenient": either (the bank, where YAML reads `yes` as true).
Mode = Literal["json", "codes", "lenient"]


class AnswerError(ValueError):
    """An answer that does not fit its question."""

    def __init__(self, question_id: str, problem: str) -> None:
        super().__init__(f"{question_id}: {problem}")
        self.question_id = question_id
        self.problem = problem


def coerce(question: Question, raw: Any, mode: Mode = "json") -> Answer:
    """Return the normalised answer, or raise AnswerError naming the problem."""
    kind = question.kind
    if kind in YES_NO_KINDS:
        return _coerce_yes_no(question, raw, mode)
    if kind is Kind.SINGLE_CHOICE:
        if not isinstance(raw, str):
            raise AnswerError(question.id, f"expected one of {_codes(question)}")
        if raw not in question.codes:
            raise AnswerError(question.id, f"{raw!r} is not a choice; expected one of {_codes(question)}")
        return raw
    if kind is Kind.MULTIPLE_CHOICE:
        return _coerce_multiple(question, raw)
    return _coerce_number(question, raw)


def _coerce_yes_no(question: Question, raw: Any, mode: Mode) -> str:
    allowed_codes = question.codes
    if isinstance(raw, bool) and mode != "codes":
        return YES if raw else NO
    if isinstance(raw, str) and raw == UNSURE and UNSURE in allowed_codes:
        return UNSURE
    if isinstance(raw, str) and raw in (YES, NO) and mode != "json":
        return raw
    if mode == "json":
        expected = 'true, false or "unsure"' if UNSURE in allowed_codes else "true or false"
    else:
        expected = " or ".join(repr(c) for c in allowed_codes)
    raise AnswerError(question.id, f"expected {expected}, got {raw!r}")


def _coerce_multiple(question: Question, raw: Any) -> frozenset[str]:
    if isinstance(raw, str) or not isinstance(raw, Iterable) or isinstance(raw, Mapping):
        raise AnswerError(question.id, f"expected a list of codes from {_codes(question)}")
    items = list(raw)
    for item in items:
        if not isinstance(item, str) or item not in question.codes:
            raise AnswerError(question.id, f"{item!r} is not a choice; expected codes from {_codes(question)}")
    if len(set(items)) != len(items):
        raise AnswerError(question.id, "the same choice is given twice")
    alone = question.exclusive_codes.intersection(items)
    if alone and len(items) > 1:
        raise AnswerError(question.id, f"{sorted(alone)[0]!r} must be chosen on its own")
    return frozenset(items)


def _coerce_number(question: Question, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise AnswerError(question.id, f"expected a whole number, got {raw!r}")
    if isinstance(raw, float) and not raw.is_integer():
        raise AnswerError(question.id, f"expected a whole number, got {raw!r}")
    number = int(raw)
    low, high = question.bounds
    if not low <= number <= high:
        raise AnswerError(question.id, f"{number} is out of range; expected {low} to {high}")
    return number


def _codes(question: Question) -> str:
    return ", ".join(question.codes)


def coerce_all(questions: Mapping[str, Question], raw: Mapping[str, Any], mode: Mode = "json") -> dict[str, Answer]:
    """Coerce a whole mapping of answers; unknown ids raise AnswerError."""
    answers: dict[str, Answer] = {}
    for question_id, value in raw.items():
        question = questions.get(question_id)
        if question is None:
            raise AnswerError(str(question_id), "unknown question")
        if value is None:
            continue
        answers[question_id] = coerce(question, value, mode)
    return answers


def to_json(answers: Mapping[str, Answer], questions: Mapping[str, Question]) -> dict[str, Any]:
    """The JSON form of normalised answers, as the CLI reads them (yes/no as booleans)."""
    out: dict[str, Any] = {}
    for question_id, answer in answers.items():
        kind = questions[question_id].kind
        if kind in YES_NO_KINDS and answer in (YES, NO):
            out[question_id] = answer == YES
        elif isinstance(answer, frozenset):
            out[question_id] = sorted(answer)
        else:
            out[question_id] = answer
    return out
