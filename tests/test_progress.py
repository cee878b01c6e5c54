"""The patient's progress rules, proven over any sequence of pages sent (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fbss_check import default_bank, evaluate
from fbss_check.answers import coerce, to_json
from fbss_check.engine import evaluate_answers, visible_answers
from fbss_check.model import YES, Answer, Question, Urgency
from fbss_check.path import patient_path
from fbss_check.progress import CHECK, Progress, blocked_by, submit_page, submit_part
from tests.strategies import answer_for, answers

BANK = default_bank()
FIRST = BANK.sections[0].id
STEPS = st.integers(1, 30)


def _sent(answer: Answer) -> Any:
    """An answer as the form sends it: codes, a whole number, or a list of codes."""
    return sorted(answer) if isinstance(answer, frozenset) else answer


def _page_answers(data: st.DataObject, questions: tuple[Question, ...], full: bool) -> dict[str, Any]:
    """What a patient sends for a page: every required question answered when `full`, else any of them."""
    sent = {}
    for question in questions:
        answer = answer_for(question) if full and question.required else st.one_of(st.none(), answer_for(question))
        value = data.draw(answer)
        if value is not None:
            sent[question.id] = _sent(value)
    return sent


def _a_page(data: st.DataObject, state: Progress) -> str:
    """Mostly the page the patient is up to; sometimes an earlier one to change, or any page at all."""
    path = state.path(BANK)
    up_to = state.up_to(BANK)
    on_path = path.sections if up_to is None else path.sections[: path.sections.index(up_to) + 1]
    choice = data.draw(st.sampled_from(["up_to"] * 6 + ["earlier", "any"]))
    if choice == "up_to" and up_to is not None:
        return up_to
    if choice == "any":
        return data.draw(st.sampled_from([section.id for section in BANK.sections]))
    return data.draw(st.sampled_from(on_path))


@dataclass(frozen=True)
class Sent:
    """One page sent: the progress before and after, what was sent, and what the patient sees next."""

    before: Progress
    after: Progress
    page: str
    answers: dict[str, Any]
    full: bool  # every required answer given (else a page sent with some missing)
    next_step: str
    warnings: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return blocked_by(BANK, self.before, self.page) is None


def _walk(data: st.DataObject, steps: int) -> list[Sent]:
    """A sequence of pages sent from the start, each in full or with some answers missing."""
    state = Progress()
    walked = []
    for _ in range(steps):
        page = _a_page(data, state)
        shown = state.path(BANK).shown.get(page, BANK.section_questions(page))
        full = page == FIRST or data.draw(st.sampled_from([True, True, True, False]))
        answers = _page_answers(data, shown, full)
        if full:
            after, next_step, warnings = submit_page(BANK, state, page, answers)
        else:
            after, warnings = submit_part(BANK, state, page, answers)
            next_step = blocked_by(BANK, state, page) or page  # the page again, with its problems
        walked.append(Sent(state, after, page, answers, full, next_step, warnings))
        state = after
    return walked


def _shown_ids(state: Progress) -> set[str]:
    return {question.id for questions in state.path(BANK).shown.values() for question in questions}


@given(st.data(), STEPS)
def test_an_answer_on_a_page_the_patient_left_never_counts(data: st.DataObject, steps: int) -> None:
    for sent in _walk(data, steps):
        assert set(sent.after.answers) <= _shown_ids(sent.after)


@given(st.data(), STEPS)
def test_every_new_urgent_or_emergency_flag_is_warned_of_once_and_never_lost(data: st.DataObject, steps: int) -> None:
    warned: list[str] = []
    for sent in _walk(data, steps):
        assert not set(sent.warnings) & set(sent.before.warned)
        warned += sent.warnings
        assert list(sent.after.warned) == warned
        flags = {flag.id for flag in evaluate_answers(BANK, sent.after.answers).flags if flag.urgency >= Urgency.URGENT}
        to_follow_up = sent.next_step != CHECK and BANK.sections_by_id[sent.next_step].follow_up
        if sent.full and not to_follow_up:
            assert flags <= set(sent.after.warned)
        if not sent.full and sent.warnings:
            assert set(sent.warnings) <= flags <= set(sent.after.warned)
    assert len(warned) == len(set(warned))


@given(st.data(), STEPS)
def test_no_page_can_be_skipped(data: st.DataObject, steps: int) -> None:
    for sent in _walk(data, steps):
        if not sent.accepted:
            assert (sent.after, sent.warnings) == (sent.before, ())
            assert sent.next_step == blocked_by(BANK, sent.before, sent.page)
        if sent.full:
            assert sent.next_step == (sent.after.up_to(BANK) or CHECK)
        path = sent.after.path(BANK)
        ahead = path.sections.index(sent.next_step) if sent.next_step in path.sections else len(path.sections)
        for page in path.sections[:ahead]:
            assert path.is_complete(page, sent.after.done), f"{page} was skipped on the way to {sent.next_step}"


@given(st.data(), STEPS)
def test_changing_an_earlier_answer_reopens_exactly_the_pages_it_affects(data: st.DataObject, steps: int) -> None:
    for sent in _walk(data, steps):
        if not (sent.full and sent.accepted):
            continue
        old, new = sent.before.path(BANK), sent.after.path(BANK)
        for page in set(old.sections) & set(new.sections) - {sent.page}:
            if not old.is_complete(page, sent.before.done):
                continue
            shown_before = {q.id for q in old.shown[page]}
            affected = any(q.required and q.id not in shown_before for q in new.shown[page])
            assert new.is_complete(page, sent.after.done) is not affected, page


@given(st.data(), STEPS)
def test_the_decision_after_any_pages_sent_is_evaluate_of_the_visible_answers(data: st.DataObject, steps: int) -> None:
    # Kept apart from the progress: each page's answers as last sent (nothing ticked: no answer),
    # less those the path hides.
    pages: dict[str, dict[str, Answer]] = {}
    for sent in _walk(data, steps):
        if sent.accepted and (sent.full or sent.warnings):
            given = {q: coerce(BANK.questions[q], v, "codes") for q, v in sent.answers.items() if v != []}
            pages[sent.page] = given if sent.full else {**pages.get(sent.page, {}), **given}
        visible = visible_answers(BANK, {q: a for answers in pages.values() for q, a in answers.items()})
        pages = {page: {q: a for q, a in answers.items() if q in visible} for page, answers in pages.items()}
        decision = evaluate_answers(BANK, sent.after.answers)
        assert decision == evaluate(to_json(visible, BANK.questions), BANK)


@given(answers(BANK))
def test_a_progress_gives_back_the_path_a_fresh_walk_finds(given_answers: dict[str, Answer]) -> None:
    # on_path keeps the path its one walk found; it must be the path of the answers it kept.
    progress = Progress.on_path(BANK, given_answers, (), ())
    kept = progress.path(BANK)
    fresh = patient_path(BANK, progress.answers)
    assert dict(progress.answers) == visible_answers(BANK, given_answers)
    assert (dict(kept.answers), dict(kept.shown)) == (dict(fresh.answers), dict(fresh.shown))
    other = BANK.in_language("es")  # another bank: its own walk, not the kept one
    assert progress.path(other).bank is other


def test_saving_a_page_again_replaces_its_old_answers() -> None:
    state, _target, _warnings = submit_page(BANK, Progress(), FIRST, _first_page())
    again, _target, _warnings = submit_page(BANK, state, FIRST, {**_first_page(), "pain_persisting": "no"})
    assert again.answers["pain_persisting"] == "no"
    assert again.done == (FIRST,)


@pytest.mark.parametrize("sign", ["bladder_control_change", "saddle_numbness"])
def test_a_half_sent_page_with_an_emergency_sign_warns_at_once_and_stays_unfinished(sign: str) -> None:
    state = _walk_to(BANK.questions[sign].section)
    saved, warnings = submit_part(BANK, state, BANK.questions[sign].section, {sign: YES})
    assert warnings and set(warnings) <= set(saved.warned)
    assert saved.answers[sign] == YES
    assert saved.up_to(BANK) == BANK.questions[sign].section


def _first_page() -> dict[str, Any]:
    first = BANK.section_questions(FIRST)
    return {q.id: _sent(_plain(q)) for q in first if q.required}


def _plain(question: Question) -> Answer:
    """The least worrying answer to a question: no, none, the first choice, the lowest number."""
    if question.is_numeric:
        return question.bounds[0] + (12 if question.kind.value == "whole_number" else 0)
    for code in ("no", "none"):
        if code in question.codes:
            return frozenset({code}) if question.kind.value == "multiple_choice" else code
    return frozenset({question.codes[0]}) if question.kind.value == "multiple_choice" else question.codes[0]


def _walk_to(section_id: str) -> Progress:
    """The progress of a patient who answered every page before this one plainly."""
    state = Progress()
    while (up_to := state.up_to(BANK)) not in (None, section_id):
        questions = state.path(BANK).shown[up_to]
        state, _target, _warnings = submit_page(BANK, state, up_to, {q.id: _sent(_plain(q)) for q in questions})
    assert state.up_to(BANK) == section_id
    return state
