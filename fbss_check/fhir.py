"""The bank as a FHIR R4 Questionnaire, and a patient's answers as a QuestionnaireResponse (plain dicts)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .model import Answer, Bank, Condition, Kind, Question

CANONICAL = "urn:fbss-check:questionnaire"
CODE_SYSTEM = "urn:fbss-check:answer"


class NotExpressible(ValueError):
    """A show_if that FHIR's enableWhen cannot say."""


def questionnaire(bank: Bank) -> dict[str, Any]:
    """The whole bank: one group item per section, linkIds equal to question ids."""
    return {
        "resourceType": "Questionnaire",
        "id": "fbss-check",
        "language": bank.language,
        "url": CANONICAL,
        "version": bank.version,
        "name": "FbssCheck",
        "title": bank.title,
        "status": "active",
        "date": bank.review_date.isoformat(),
        "description": "Self-check for pain after spine surgery: urgency triage and education, not a diagnosis.",
        "item": [
            {
                "linkId": section.id,
                "type": "group",
                "text": section.title,
                "item": [_question_item(bank.questions[q]) for q in section.question_ids],
            }
            for section in bank.sections
        ],
    }


def _question_item(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id, "text": question.text, "required": question.required}
    if question.is_numeric:
        item["type"] = "integer"
        if question.kind is not Kind.WHOLE_NUMBER:
            low, high = question.bounds
            item["answerOption"] = [{"valueInteger": value} for value in range(low, high + 1)]
    else:
        item["type"] = "choice"
        item["answerOption"] = [
            {"valueCoding": {"system": CODE_SYSTEM, "code": c.code, "display": c.label}} for c in question.choices
        ]
        if question.kind is Kind.MULTIPLE_CHOICE:
            item["repeats"] = True
    if question.show_if is not None:
        behavior, conditions = _enable_when(question.show_if)
        item["enableWhen"] = conditions
        if len(conditions) > 1:
            item["enableBehavior"] = behavior
    return item


def _enable_when(condition: Condition) -> tuple[str, list[dict[str, Any]]]:
    """Translate a show_if into (enableBehavior, enableWhen); raise NotExpressible if FHIR cannot say it."""
    if condition.op in ("is", "in", "includes") and condition.subject_kind == "question":
        # For a repeating (multiple-choice) item, FHIR's "=" holds when any chosen answer is equal.
        values = condition.value if isinstance(condition.value, frozenset) else {condition.value}
        return "any", [_when(condition.subject, "=", value) for value in sorted(values, key=str)]
    if condition.op == "answered":
        return "any", [{"question": condition.subject, "operator": "exists", "answerBoolean": condition.value}]
    if condition.op == "not" and condition.children[0].op in ("is", "in"):
        child = condition.children[0]
        values = child.value if isinstance(child.value, frozenset) else {child.value}
        return "all", [_when(child.subject, "!=", value) for value in sorted(values, key=str)]
    if condition.op in ("all", "any"):
        parts = [_enable_when(child) for child in condition.children]
        if all(behavior == condition.op or len(conditions) == 1 for behavior, conditions in parts):
            return condition.op, [c for _, conditions in parts for c in conditions]
    raise NotExpressible(f"show_if {condition} cannot be written as FHIR enableWhen")


def _when(question_id: str, operator: str, value: Any) -> dict[str, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"question": question_id, "operator": operator, "answerInteger": value}
    return {"question": question_id, "operator": operator, "answerCoding": {"system": CODE_SYSTEM, "code": value}}


def questionnaire_response(bank: Bank, answers: Mapping[str, Answer], authored: date) -> dict[str, Any]:
    """The answers on the patient's path as a completed QuestionnaireResponse."""
    sections = []
    for section in bank.sections:
        items = []
        for question_id in section.question_ids:
            question = bank.questions[question_id]
            given = _answers(question, answers[question_id]) if question_id in answers else []
            if given:  # FHIR has no empty answer lists: unanswered questions are left out
                items.append({"linkId": question_id, "text": question.text, "answer": given})
        if items:
            sections.append({"linkId": section.id, "text": section.title, "item": items})
    return {
        "resourceType": "QuestionnaireResponse",
        "language": bank.language,
        "questionnaire": f"{CANONICAL}|{bank.version}",
        "status": "completed",
        "authored": authored.isoformat(),
        "item": sections,
    }


def _answers(question: Question, answer: Answer) -> list[dict[str, Any]]:
    if isinstance(answer, int):
        return [{"valueInteger": answer}]
    labels = {c.code: c.label for c in question.choices}
    codes = sorted(answer) if isinstance(answer, frozenset) else [answer]
    return [{"valueCoding": {"system": CODE_SYSTEM, "code": code, "display": labels[code]}} for code in codes]


def bundle(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """QuestionnaireResponses of one patient (an earlier check and today's) as a FHIR collection."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": response} for response in responses],
    }
