"""The patient's progress through the questionnaire, as pure functions over immutable records.

These are clinical safety rules, so they live in the core and are property-tested: saving a
page replaces its answers, an abandoned branch's answers are dropped, no page can be skipped,
and every new urgent or emergency flag is warned of once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .answers import AnswerError, coerce
from .model import Answer, Bank, Question
from .path import PatientPath, patient_path

CHECK = "check"  # the "check your answers" step, after the last page


@dataclass(frozen=True)
class Progress:
    """The patient's answers (only those on their path), the pages sent, and the flags warned of."""

    answers: Mapping[str, Answer] = field(default_factory=lambda: MappingProxyType({}))
    done: tuple[str, ...] = ()
    warned: tuple[str, ...] = ()
    # The path `on_path` kept the answers for, given back by `path` instead of a second walk
    # through the bank; not compared, as it follows from the answers.
    known_path: PatientPath | None = field(default=None, compare=False, repr=False)

    @classmethod
    def on_path(
        cls, bank: Bank, answers: Mapping[str, Answer], done: tuple[str, ...], warned: tuple[str, ...]
    ) -> Progress:
        """A Progress with only the answers on the patient's path (an abandoned branch's are dropped)."""
        path = patient_path(bank, answers)
        return cls(MappingProxyType(path.answers), done, warned, path)

    @classmethod
    def with_path(
        cls, bank: Bank, answers: Mapping[str, Answer], done: tuple[str, ...], warned: tuple[str, ...]
    ) -> tuple[Progress, PatientPath]:
        """`on_path`, and the path."""
        progress = cls.on_path(bank, answers, done, warned)
        return progress, progress.path(bank)

    def path(self, bank: Bank) -> PatientPath:
        known = self.known_path
        return known if known is not None and known.bank is bank else patient_path(bank, self.answers)

    def up_to(self, bank: Bank) -> str | None:
        """The first page still to answer, or None when every page on the path is complete."""
        return self.path(bank).first_incomplete(self.done)


def blocked_by(bank: Bank, state: Progress, section_id: str, path: PatientPath | None = None) -> str | None:
    """Where the patient must go instead of this page (a page hidden by earlier answers, or one
    ahead of the first unfinished page: CHECK when all are done), or None when they may answer it.
    `path`: `state.path(bank)`, when the caller has worked it out already."""
    path = state.path(bank) if path is None else path
    gate = path.first_incomplete(state.done)
    sections = path.sections
    if section_id not in sections or (gate is not None and sections.index(gate) < sections.index(section_id)):
        return gate or CHECK
    return None


def submit_page(
    bank: Bank, state: Progress, section_id: str, sent: Mapping[str, Any], path: PatientPath | None = None
) -> tuple[Progress, str, tuple[str, ...]]:
    """Save a page the patient sent in full: its old answers are cleared, the sent values (form
    codes, keyed by question id) coerced, the page marked done. Returns the new progress, the next
    step (a page id or CHECK) and the new urgent or emergency flags to warn of before it.
    A page the patient may not answer yet changes nothing and sends them where they are up to.
    `path`: `state.path(bank)`, when the caller has worked it out already."""
    path = state.path(bank) if path is None else path
    blocked = blocked_by(bank, state, section_id, path)
    if blocked is not None:
        return state, blocked, ()
    answers = {q: a for q, a in state.answers.items() if bank.questions[q].section != section_id}
    answers.update(_coerced(path.shown[section_id], sent, skip_wrong=False))
    done = state.done if section_id in state.done else (*state.done, section_id)
    saved, saved_path = Progress.with_path(bank, answers, done, state.warned)
    target = saved_path.first_incomplete(done) or CHECK
    if target != CHECK and bank.sections_by_id[target].follow_up:
        # A follow-up page asks the one question that says how serious the new answers are (the
        # ASQ's "right now"), with the crisis line beside it: it comes before the warning (H31).
        return saved, target, ()
    warned, new = _warn(saved, saved_path)
    return warned, target, new


def submit_part(
    bank: Bank, state: Progress, section_id: str, sent: Mapping[str, Any], path: PatientPath | None = None
) -> tuple[Progress, tuple[str, ...]]:
    """A page sent with some answers missing or wrong: if the answers that are fine already raise
    a new urgent or emergency flag, they are kept and the flags returned, to warn of now; the page
    stays unfinished. Else the progress is unchanged and nothing is to be warned of.
    `path`: as for submit_page."""
    path = state.path(bank) if path is None else path
    if blocked_by(bank, state, section_id, path) is not None:
        return state, ()
    fine = _coerced(path.shown[section_id], sent, skip_wrong=True)
    warned, new = _warn(*Progress.with_path(bank, {**state.answers, **fine}, state.done, state.warned))
    return (warned, new) if new else (state, ())


def _warn(state: Progress, path: PatientPath) -> tuple[Progress, tuple[str, ...]]:
    """`state` with the new urgent and emergency flags of its path marked warned, and those flags."""
    new = tuple(flag for flag in path.serious_flags if flag not in state.warned)
    return replace(state, warned=state.warned + new), new


def _coerced(questions: tuple[Question, ...], sent: Mapping[str, Any], skip_wrong: bool) -> dict[str, Answer]:
    """The sent answers to the shown questions, normalised; a question left blank has none."""
    answers: dict[str, Answer] = {}
    for question in questions:
        value = sent.get(question.id)
        if value is None or value == []:
            continue
        try:
            answers[question.id] = coerce(question, value, "codes")
        except AnswerError:
            if not skip_wrong:
                raise
    return answers
