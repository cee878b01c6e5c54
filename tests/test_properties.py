"""Safety properties over the whole answer space, proven with hypothesis."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from fbss_check import Flag, Urgency, default_bank, evaluate
from fbss_check.answers import to_json
from fbss_check.engine import evaluate_answers, is_visible, visible_answers
from fbss_check.model import NO, UNSURE, YES, Answer, Kind
from tests.conftest import EMERGENCY_SIGNS
from tests.strategies import answer_for, answers

BANK = default_bank()
DECLARED_EMERGENCY_SIGNS = [q.id for q in BANK.questions.values() if q.red_flag is Urgency.EMERGENCY]
RED_FLAGS_WITH_UNSURE = [
    q.id
    for q in BANK.questions.values()
    if q.red_flag is not None and q.red_flag >= Urgency.URGENT and UNSURE in q.codes
]
YES_NO = [q.id for q in BANK.questions.values() if q.kind in (Kind.YES_NO, Kind.YES_NO_UNSURE)]
NUMERIC = [q.id for q in BANK.questions.values() if q.is_numeric]
ANSWERS = answers(BANK)


def test_the_bank_marks_the_eight_emergency_signs() -> None:
    assert sorted(DECLARED_EMERGENCY_SIGNS) == sorted(EMERGENCY_SIGNS)


@given(ANSWERS, st.sampled_from(EMERGENCY_SIGNS))
def test_any_emergency_sign_gives_emergency_whatever_else_is_answered(answers: dict[str, Answer], sign: str) -> None:
    assert evaluate_answers(BANK, {**answers, sign: YES}).urgency is Urgency.EMERGENCY


@given(ANSWERS, st.sampled_from(RED_FLAGS_WITH_UNSURE))
def test_not_sure_on_a_red_flag_is_at_least_urgent(answers: dict[str, Answer], sign: str) -> None:
    assert evaluate_answers(BANK, {**answers, sign: UNSURE}).urgency >= Urgency.URGENT


@given(ANSWERS, st.sampled_from(YES_NO))
@example({"pain_persisting": NO, "pain_trend": "worse"}, "pain_persisting")
def test_turning_a_yes_no_answer_to_yes_never_lowers_the_tier(answers: dict[str, Answer], question_id: str) -> None:
    before = evaluate_answers(BANK, answers).urgency
    after = evaluate_answers(BANK, {**answers, question_id: YES}).urgency
    if answers.get(question_id) in (None, NO, UNSURE):
        assert after >= before


@given(ANSWERS, st.sampled_from(NUMERIC), st.data())
def test_raising_a_score_or_number_never_lowers_the_tier(
    answers: dict[str, Answer], question_id: str, data: st.DataObject
) -> None:
    low, high = BANK.questions[question_id].bounds
    start = data.draw(st.integers(low, high))
    higher = data.draw(st.integers(start, high))
    before = evaluate_answers(BANK, {**answers, question_id: start}).urgency
    after = evaluate_answers(BANK, {**answers, question_id: higher}).urgency
    assert after >= before


@given(ANSWERS)
def test_evaluation_never_raises_and_is_deterministic(answers: dict[str, Answer]) -> None:
    first = evaluate(to_json(answers, BANK.questions))
    second = evaluate(to_json(answers, BANK.questions))
    assert first == second
    assert first.to_dict() == second.to_dict()


@given(ANSWERS, st.data())
def test_answers_on_a_branch_the_patient_left_never_count(answers: dict[str, Answer], data: st.DataObject) -> None:
    visible = visible_answers(BANK, answers)
    hidden = [q for q in BANK.questions if not is_visible(BANK.questions[q], visible, BANK)]
    baseline = evaluate_answers(BANK, visible)
    assert evaluate_answers(BANK, answers) == baseline
    if hidden:
        question_id = data.draw(st.sampled_from(hidden))
        changed = {**answers, question_id: data.draw(answer_for(BANK.questions[question_id]))}
        assert evaluate_answers(BANK, changed) == baseline


@given(ANSWERS)
def test_the_tier_is_the_highest_flag_and_routine_without_flags(answers: dict[str, Answer]) -> None:
    outcome = evaluate_answers(BANK, answers)
    assert outcome.urgency == max((f.urgency for f in outcome.flags), default=Urgency.ROUTINE)
    for flag in outcome.flags:
        assert flag.because, f"flag {flag.id} must name the answers behind it"
        assert set(flag.because) <= set(outcome.answers)


SPANISH = BANK.in_language("es")


@given(ANSWERS)
def test_the_same_answers_give_the_same_decision_in_english_and_spanish(answers: dict[str, Answer]) -> None:
    english, spanish = evaluate_answers(BANK.in_language("en"), answers), evaluate_answers(SPANISH, answers)
    assert spanish.urgency is english.urgency

    def decision(flags: tuple[Flag, ...]) -> list[tuple[str, Urgency, tuple[str, ...]]]:
        return [(f.id, f.urgency, f.because) for f in flags]

    assert decision(spanish.flags) == decision(english.flags)
    assert spanish.guidance == english.guidance
    assert spanish.scores == english.scores
    assert spanish.fired_rules == english.fired_rules
    # ... and the words really are Spanish where the rule has words.
    for en_flag, es_flag in zip(english.flags, spanish.flags, strict=True):
        assert es_flag.message != en_flag.message or en_flag.message == ""
