"""The rule engine: normalised answers in, an urgency tier, flags, guidance and scores out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import holds, is_met
from .model import Answer, Bank, Condition, Question, ScoreRange, Urgency


@dataclass(frozen=True)
class Flag:
    """One fired rule that carries an urgency, with the answers behind it."""

    id: str
    urgency: Urgency
    message: str
    because: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "urgency": self.urgency.value,
            "message": self.message,
            "because": list(self.because),
        }


@dataclass(frozen=True)
class Outcome:
    """Everything the engine decided for one set of answers."""

    urgency: Urgency
    flags: tuple[Flag, ...]
    guidance: tuple[str, ...]
    scores: Mapping[str, float | int | None]
    fired_rules: tuple[str, ...]
    bank_version: str
    answers: Mapping[str, Answer]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `fbss-check evaluate`."""
        return {
            "urgency": self.urgency.value,
            "flags": [flag.to_dict() for flag in self.flags],
            "guidance": list(self.guidance),
            "scores": dict(self.scores),
            "fired_rules": list(self.fired_rules),
            "bank_version": self.bank_version,
        }


def answers_meet(bank: Bank, condition: Condition | None, answers: Mapping[str, Answer]) -> bool:
    """Whether a condition that reads answers alone (a show_if, a safety-net sign's `when`, a
    topic's `tried_when`) holds; no condition always holds."""
    return condition is None or is_met(condition, answers, {})


def is_visible(question: Question, visible: Mapping[str, Answer], bank: Bank) -> bool:
    """Whether a question is shown, given the answers kept on earlier questions."""
    return answers_meet(bank, question.show_if, visible)


def tried_topics(bank: Bank, outcome: Outcome) -> set[str]:
    """The topics whose treatment the patient says they have had: these say what comes next."""
    return {
        topic_id
        for topic_id in outcome.guidance
        if (when := bank.topics[topic_id].tried_when) is not None and answers_meet(bank, when, outcome.answers)
    }


def visible_answers(bank: Bank, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Drop answers to questions that the patient's other answers hide (an abandoned branch).

    show_if may only read questions of earlier sections, so one pass in bank order sees
    every question's controllers settled before the question itself (later answers are
    never read).
    """
    kept = dict(answers)
    for question in bank.conditional_questions:
        if question.id in kept and not is_visible(question, kept, bank):
            del kept[question.id]
    return kept


def score_ranges(bank: Bank, answers: Mapping[str, Answer]) -> dict[str, ScoreRange]:
    """For each score with any item answered, the lowest and highest value it can still take."""
    ranges: dict[str, ScoreRange] = {}
    for score in bank.scores.values():
        given = [answers[item] for item in score.items if item in answers]
        if not given:
            continue
        total = sum(int(value) for value in given if isinstance(value, int))
        missing = len(score.items) - len(given)
        low, high = float(total), float(total + missing * score.item_max)
        if score.method == "mean":
            low, high = low / len(score.items), high / len(score.items)
        ranges[score.id] = (low, high)
    return ranges


def score_values(bank: Bank, ranges: Mapping[str, ScoreRange]) -> dict[str, float | int | None]:
    """Each score's value when all its items are answered, else None."""
    values: dict[str, float | int | None] = {}
    for score in bank.scores.values():
        score_range = ranges.get(score.id)
        if score_range is None or score_range[0] != score_range[1]:
            values[score.id] = None
        elif score.method == "mean":
            values[score.id] = round(score_range[0], 2)
        else:
            values[score.id] = int(score_range[0])
    return values


def evaluate_answers(bank: Bank, answers: Mapping[str, Answer]) -> Outcome:
    """Evaluate normalised answers: every rule is checked, every fired rule is reported."""
    return evaluate_kept(bank, visible_answers(bank, answers))


def serious_flags(bank: Bank, kept: Mapping[str, Answer]) -> tuple[str, ...]:
    """The urgent and emergency flags `evaluate_kept(bank, kept)` raises, by id and in its order
    (emergencies first, each tier in bank order), from those rules alone: what a question page
    and a page sent need (the warning banner, the flags to warn of), without the rest of the decision."""
    ranges = score_ranges(bank, kept)
    return tuple(rule.id for rule in bank.serious_rules if is_met(rule.when, kept, ranges))


def evaluate_kept(bank: Bank, kept: Mapping[str, Answer]) -> Outcome:
    """`evaluate_answers` of answers already on the patient's visible path (as `visible_answers`
    or `path.patient_path` leave them): an answer on an abandoned branch would count here."""
    ranges = score_ranges(bank, kept)
    fired: list[str] = []
    flags: list[Flag] = []
    topics: set[str] = set()
    for rule in bank.rules:
        ok, because = holds(rule.when, kept, ranges, bank.scores)
        if not ok:
            continue
        fired.append(rule.id)
        topics.update(rule.guidance)
        if rule.urgency is not None:
            ordered = tuple(sorted(because, key=bank.question_positions.__getitem__))
            flags.append(Flag(rule.id, rule.urgency, rule.message, ordered))
    flags.sort(key=lambda flag: -flag.urgency.rank)  # stable: bank order within a tier
    urgency = max((flag.urgency for flag in flags), default=Urgency.ROUTINE)
    return Outcome(
        urgency=urgency,
        flags=tuple(flags),
        guidance=tuple(sorted(topics, key=bank.topic_order)),
        scores=score_values(bank, ranges),
        fired_rules=tuple(fired),
        bank_version=bank.version,
        answers=kept,
    )
