"""The patient's path page by page: the step counter never changes its total once it shows one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fbss_check import default_bank
from fbss_check.bank import check_bank
from fbss_check.engine import evaluate_answers, is_visible, visible_answers
from fbss_check.model import Answer
from fbss_check.path import Step, patient_path
from tests.strategies import answer_for, answers

BANK = default_bank()
FIRST = BANK.sections[0].id
FOLLOW_UPS = {section.id for section in BANK.sections if section.follow_up}


def walk_steps(data: st.DataObject) -> list[tuple[str, Step | None]]:
    """Answer page after page with any answers; the step each page showed when it was reached."""
    answers: dict[str, Answer] = {}
    seen: list[tuple[str, Step | None]] = []
    while True:
        path = patient_path(BANK, answers)
        page = next((s for s in path.sections if s not in {p for p, _ in seen}), None)
        if page is None:
            return seen
        seen.append((page, path.step(page)))
        for question in path.shown[page]:
            answers[question.id] = data.draw(answer_for(question), label=question.id)


@given(st.data())
def test_the_step_total_never_changes_after_the_first_page(data: st.DataObject) -> None:
    seen = walk_steps(data)
    assert seen[0] == (FIRST, Step(1, None)), "the first page cannot know the total before it is answered"
    counted = [(page, step) for page, step in seen[1:] if page not in FOLLOW_UPS]
    totals = {step.total for _, step in counted if step is not None}
    assert len(totals) == 1, f"the total changed on the way: {seen}"
    (total,) = totals
    assert [step.number for _, step in counted if step is not None] == list(range(2, total + 1)), seen


@given(st.data())
def test_a_follow_up_page_has_no_step_number(data: st.DataObject) -> None:
    for page, step in walk_steps(data):
        assert (step is None) == (page in FOLLOW_UPS), (page, step)


def test_the_loader_refuses_a_page_whose_presence_depends_on_later_answers() -> None:
    """Without `follow_up`, the ASQ's "right now" page would appear late and change the total."""
    from dataclasses import replace

    sections = tuple(replace(s, follow_up=False) for s in BANK.sections)
    problems = check_bank(replace(BANK, sections=sections))
    assert any("safety_now" in problem and "step total" in problem for problem in problems), problems


def test_the_first_page_answered_gives_the_total() -> None:
    """Pain asked on the first page decides the pain pages: 8 pages with pain, 6 without."""
    calm = {"surgery_region": frozenset({"low_back"}), "time_since_surgery": "months_6_12"}
    with_pain = patient_path(BANK, {**calm, "pain_persisting": "yes"})
    without = patient_path(BANK, {**calm, "pain_persisting": "no"})
    assert with_pain.step("emergency_signs") == Step(2, 8)
    assert without.step("emergency_signs") == Step(2, 6)
    assert "pain_scores" not in without.sections and "treatments" not in without.sections


@given(answers(BANK))
def test_the_path_keeps_exactly_the_visible_answers_and_decides_as_evaluate(given_answers: dict[str, Answer]) -> None:
    """The path's one pass in bank order drops what `visible_answers` drops, shows exactly the
    questions visible on what is kept, and its decision is `evaluate_answers` of all the answers."""
    path = patient_path(BANK, given_answers)
    kept = visible_answers(BANK, given_answers)
    assert dict(path.answers) == kept
    shown = {q.id for questions in path.shown.values() for q in questions}
    assert shown == {q.id for q in BANK.questions.values() if is_visible(q, kept, BANK)}
    assert path.outcome == evaluate_answers(BANK, given_answers)
