"""The patient's path through the bank: which sections and questions are shown, and what is next.

Recomputed from the answers at every step, so a changed answer that closes a branch also
drops that branch's answers (`engine.visible_answers`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from .engine import is_visible, visible_answers
from .model import Answer, Bank, Question


def shown_questions(bank: Bank, section_id: str, answers: Mapping[str, Answer]) -> tuple[Question, ...]:
    """The questions of a section that the answers to earlier sections leave visible."""
    kept = visible_answers(bank, answers)
    return tuple(q for q in bank.section_questions(section_id) if is_visible(q, kept, bank))


def sections_on_path(bank: Bank, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """The sections with at least one visible question, in order."""
    return tuple(s.id for s in bank.sections if shown_questions(bank, s.id, answers))


def is_complete(bank: Bank, section_id: str, answers: Mapping[str, Answer], done: Collection[str]) -> bool:
    """A section is complete once submitted with every visible required question answered."""
    if section_id not in done:
        return False
    kept = visible_answers(bank, answers)
    return all(q.id in kept for q in shown_questions(bank, section_id, answers) if q.required)


def first_incomplete(bank: Bank, answers: Mapping[str, Answer], done: Collection[str]) -> str | None:
    """The first section on the path that still needs answers, or None when all are done."""
    for section_id in sections_on_path(bank, answers):
        if not is_complete(bank, section_id, answers, done):
            return section_id
    return None


def neighbour(bank: Bank, answers: Mapping[str, Answer], section_id: str, step: int) -> str | None:
    """The section `step` places away on the path (+1 next, -1 previous), or None."""
    path = sections_on_path(bank, answers)
    if section_id not in path:
        return None
    index = path.index(section_id) + step
    return path[index] if 0 <= index < len(path) else None
