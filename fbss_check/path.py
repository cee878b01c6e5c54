"""The patient's path through the bank: which sections and questions are shown, and what is next.

Recomputed from the answers at every request, so a changed answer that closes a branch also
drops that branch's answers (as `engine.visible_answers` does).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

from .engine import Outcome, evaluate_kept, is_visible, serious_flags
from .model import Answer, Bank, Question, Urgency


@dataclass(frozen=True)
class Step:
    """Where a page stands: "Step 3 of 7". The total is None until the first page is answered."""

    number: int
    total: int | None


@dataclass(frozen=True)
class PatientPath:
    """The sections and questions a set of answers leads to, worked out once."""

    bank: Bank
    answers: Mapping[str, Answer]  # only the answers on the path
    shown: Mapping[str, tuple[Question, ...]]  # section id -> its visible questions, for sections on the path

    @cached_property
    def outcome(self) -> Outcome:
        """The decision on these answers (`evaluate_answers`, without filtering them again)."""
        return evaluate_kept(self.bank, self.answers)

    @cached_property
    def serious_flags(self) -> tuple[str, ...]:
        """The urgent and emergency flags of the decision on these answers (`engine.serious_flags`)."""
        return serious_flags(self.bank, self.answers)

    @property
    def serious_urgency(self) -> Urgency | None:
        """The decision's tier when it is urgent or emergency, else None."""
        flags = self.serious_flags
        return self.bank.rules_by_id[flags[0]].urgency if flags else None

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections with at least one visible question, in order."""
        return tuple(self.shown)

    def is_complete(self, section_id: str, done: Collection[str]) -> bool:
        """A section is complete once submitted with every visible required question answered."""
        return section_id in done and all(q.id in self.answers for q in self.shown[section_id] if q.required)

    def first_incomplete(self, done: Collection[str]) -> str | None:
        """The first section on the path that still needs answers, or None when all are done."""
        return next((s for s in self.shown if not self.is_complete(s, done)), None)

    def unreached(self) -> frozenset[str]:
        """The questions on pages of the path with no answer at all: pages a check that stopped
        early never reached (answers can only be given page by page, in order)."""
        return frozenset(
            q.id
            for questions in self.shown.values()
            if not any(q.id in self.answers for q in questions)
            for q in questions
        )

    def step(self, section_id: str) -> Step | None:
        """The step number of a page on the path, or None for a follow-up page (it has none).

        The first page's answers decide which pages are shown (the loader checks this), so once
        they are given the total holds for the rest of the questionnaire.
        """
        counted = [s for s in self.sections if not self.bank.sections_by_id[s].follow_up]
        if section_id not in counted:
            return None
        first = self.bank.sections[0].id
        known = first in self.shown and all(q.id in self.answers for q in self.shown[first])
        return Step(counted.index(section_id) + 1, len(counted) if known else None)

    def neighbour(self, section_id: str, step: int) -> str | None:
        """The section `step` places away on the path (+1 next, -1 previous), or None."""
        sections = self.sections
        if section_id not in sections:
            return None
        index = sections.index(section_id) + step
        return sections[index] if 0 <= index < len(sections) else None


def patient_path(bank: Bank, answers: Mapping[str, Answer]) -> PatientPath:
    """Work out the path once for a set of answers, in one pass in bank order: show_if reads only
    questions of earlier sections, so each question's controllers are settled before it, and a
    hidden question's answer is dropped before any later question reads it (as `visible_answers`)."""
    kept = dict(answers)
    shown = {}
    for section in bank.sections:
        questions = []
        for question in bank.section_questions(section.id):
            if question.show_if is None or is_visible(question, kept, bank):
                questions.append(question)
            else:
                kept.pop(question.id, None)
        if questions:
            shown[section.id] = tuple(questions)
    return PatientPath(bank, kept, shown)
