"""Safety properties over the whole answer space, proven with hypothesis."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from fbss_check import Flag, Urgency, default_bank, evaluate
from fbss_check.answers import to_json
from fbss_check.conditions import questions_in
from fbss_check.engine import (
    answers_meet,
    evaluate_answers,
    evaluate_kept,
    is_visible,
    serious_flags,
    visible_answers,
)
from fbss_check.model import NO, UNSURE, YES, YES_NO_KINDS, Answer, Kind, Question
from fbss_check.path import patient_path
from tests.conftest import EMERGENCY_SIGNS
from tests.strategies import answer_for, answers

BANK = default_bank()
DECLARED_EMERGENCY_SIGNS = [q.id for q in BANK.questions.values() if q.red_flag is Urgency.EMERGENCY]
# Every "not sure" answer to a question an urgent or emergency rule reads.
NOT_SURE_ON_RED_FLAGS = [
    (q.id, frozenset({code}) if q.kind is Kind.MULTIPLE_CHOICE else code)
    for q in BANK.questions.values()
    if q.id in {question for question, _ in EMERGENCY_SIGNS}
    or (q.red_flag is not None and q.red_flag >= Urgency.URGENT)
    for code in q.not_sure_codes
]
YES_NO = [q.id for q in BANK.questions.values() if q.kind in YES_NO_KINDS]
NUMERIC = [q.id for q in BANK.questions.values() if q.is_numeric]
MULTIPLE = [q for q in BANK.questions.values() if q.kind is Kind.MULTIPLE_CHOICE]
ANSWERS = answers(BANK)


def test_the_bank_declares_every_yes_no_emergency_sign_of_the_contract() -> None:
    yes_no_signs = {q for q, answer in EMERGENCY_SIGNS if answer == YES and q in YES_NO}
    assert sorted(DECLARED_EMERGENCY_SIGNS) == sorted(yes_no_signs)


def _gates_left_open(answers: dict[str, Answer], question_id: str, data: st.DataObject) -> dict[str, Answer]:
    """The answers with each gate of the question unanswered or answered "not sure"."""
    show_if = BANK.questions[question_id].show_if
    opened = dict(answers)
    for gate_id in questions_in(show_if, BANK.scores) if show_if is not None else ():
        gate = BANK.questions[gate_id]
        choices: list[Answer | None] = [None]
        choices += [frozenset({c}) if gate.kind is Kind.MULTIPLE_CHOICE else c for c in gate.not_sure_codes]
        opened.pop(gate_id, None)
        chosen = data.draw(st.sampled_from(choices))
        if chosen is not None:
            opened[gate_id] = chosen
    return opened


def _tier_with_gates_open(answers: dict[str, Answer], sign: tuple[str, Answer], data: st.DataObject) -> Urgency:
    """The tier when the sign is given and each of its gates is left unanswered or answered "not sure"."""
    question_id, answer = sign
    return evaluate_answers(BANK, {**_gates_left_open(answers, question_id, data), question_id: answer}).urgency


@given(ANSWERS, st.sampled_from(EMERGENCY_SIGNS))
def test_any_emergency_sign_on_the_patients_path_gives_emergency_whatever_else_is_answered(
    answers: dict[str, Answer], sign: tuple[str, Answer]
) -> None:
    question_id, answer = sign
    given = {**answers, question_id: answer}
    if question_id in visible_answers(BANK, given):
        assert evaluate_answers(BANK, given).urgency is Urgency.EMERGENCY


@given(ANSWERS, st.sampled_from(EMERGENCY_SIGNS), st.data())
def test_an_emergency_sign_is_never_hidden_when_its_gates_are_unanswered_or_not_sure(
    answers: dict[str, Answer], sign: tuple[str, Answer], data: st.DataObject
) -> None:
    assert _tier_with_gates_open(answers, sign, data) is Urgency.EMERGENCY


@given(ANSWERS, st.sampled_from(NOT_SURE_ON_RED_FLAGS), st.data())
def test_not_sure_on_a_red_flag_is_at_least_urgent(
    answers: dict[str, Answer], sign: tuple[str, Answer], data: st.DataObject
) -> None:
    assert _tier_with_gates_open(answers, sign, data) >= Urgency.URGENT


@given(ANSWERS, st.lists(st.sampled_from(EMERGENCY_SIGNS + NOT_SURE_ON_RED_FLAGS), max_size=3), st.data())
def test_the_urgent_and_emergency_rules_alone_give_the_decisions_tier_when_it_is_either(
    answers: dict[str, Answer], signs: list[tuple[str, Answer]], data: st.DataObject
) -> None:
    """A question page's "Your answers show a warning sign" and the flags a page sent warns of come
    from `serious_flags`, the urgent and emergency rules alone: the decision's urgent and emergency
    flags, in its order (emergencies first), and so its tier when it is either; with signs of both
    tiers at once, the emergency."""
    given = dict(answers)
    for question_id, answer in signs:
        given = {**_gates_left_open(given, question_id, data), question_id: answer}
    kept = visible_answers(BANK, given)
    decision = evaluate_kept(BANK, kept)
    assert serious_flags(BANK, kept) == tuple(flag.id for flag in decision.flags if flag.urgency >= Urgency.URGENT)
    tier = patient_path(BANK, given).serious_urgency
    assert tier == (decision.urgency if decision.urgency >= Urgency.URGENT else None)


@given(ANSWERS, st.sampled_from(MULTIPLE), st.data())
@example({"surgery_region": frozenset({"neck"}), "neck_swelling": YES}, BANK.questions["surgery_region"], None)
def test_ticking_one_more_box_never_lowers_the_tier(
    answers: dict[str, Answer], question: Question, data: st.DataObject | None
) -> None:
    """A region, a device, a medicine, a risk factor or a symptom added to a checklist never lowers the tier."""
    others = sorted(set(question.codes) - question.exclusive_codes)
    if data is None:  # the pinned example: adding the lower back to the neck keeps the neck's signs
        before, after = frozenset({"neck"}), frozenset({"neck", "low_back"})
    else:
        before = data.draw(st.one_of(st.frozensets(st.sampled_from(others)), st.just(frozenset({"none"}))))
        if not question.exclusive_codes and before == frozenset({"none"}):
            before = frozenset()
        extra = data.draw(st.frozensets(st.sampled_from(others), min_size=1))
        after = (before - question.exclusive_codes) | extra
    lower = evaluate_answers(BANK, {**answers, question.id: before}).urgency
    higher = evaluate_answers(BANK, {**answers, question.id: after}).urgency
    assert higher >= lower


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


def _definite(question: Question) -> list[Answer]:
    """The answers a patient who knows could give instead of "not sure" (one box at a time)."""
    if question.kind is Kind.MULTIPLE_CHOICE:
        return [frozenset({code}) for code in question.codes if code not in question.not_sure_codes]
    return [code for code in question.codes if code not in question.not_sure_codes]


UNSURE_QUESTIONS = [q for q in BANK.questions.values() if q.not_sure_codes]


@given(ANSWERS, st.sampled_from(UNSURE_QUESTIONS), st.data())
@example(
    {"pain_persisting": YES, "surgery_region": frozenset({"low_back"})},
    BANK.questions["time_since_surgery"],
    None,
)
def test_not_sure_never_gives_less_than_a_sure_answer_would(
    answers: dict[str, Answer], question: Question, data: st.DataObject | None
) -> None:
    """ "Not sure" is the safe choice, as the pages say: it gives at least the tier of any answer
    the patient could have been sure of (up to urgent: not sure is not itself an emergency),
    e.g. not sure when the operation was, with pain, gets the long-term pain advice."""
    unsure = question.not_sure_codes[0] if data is None else data.draw(st.sampled_from(question.not_sure_codes))
    said = frozenset({unsure}) if question.kind is Kind.MULTIPLE_CHOICE else unsure
    tier = evaluate_answers(BANK, {**answers, question.id: said}).urgency
    worst = max(evaluate_answers(BANK, {**answers, question.id: answer}).urgency for answer in _definite(question))
    assert tier >= min(worst, Urgency.URGENT), (question.id, tier, worst)


def _safety_signs(answers: dict[str, Answer]) -> dict[Urgency, list[str]]:
    kept = visible_answers(BANK, answers)
    return {
        group.urgency: [sign.text for sign in group.signs if answers_meet(BANK, sign.when, kept)]
        for group in BANK.safety_net
    }


@given(ANSWERS)
def test_every_result_names_at_least_three_signs_for_the_emergency_number_and_for_the_same_day(
    answers: dict[str, Answer],
) -> None:
    """Safety-netting (issue 15): whatever was answered, the result names the signs that need the
    emergency number now and those that need the team the same day, at least three of each."""
    signs = _safety_signs(answers)
    assert len(signs[Urgency.EMERGENCY]) >= 3 and len(signs[Urgency.URGENT]) >= 3


@given(ANSWERS, st.sampled_from(["surgery_region", "devices_medicines", "time_since_surgery"]), st.data())
def test_not_sure_or_no_answer_on_a_gate_never_hides_a_safety_net_sign(
    answers: dict[str, Answer], question_id: str, data: st.DataObject
) -> None:
    """A sign tied to a region, a device, a medicine or the time since surgery is named when that
    answer is "not sure" or not given, as surely as for any answer the patient could have given."""
    question = BANK.questions[question_id]
    unsure = question.not_sure_codes[0]
    said = frozenset({unsure}) if question.kind is Kind.MULTIPLE_CHOICE else unsure
    definite = data.draw(st.sampled_from(_definite(question)))
    for doubtful in ({**answers, question_id: said}, {k: v for k, v in answers.items() if k != question_id}):
        for urgency, shown in _safety_signs({**answers, question_id: definite}).items():
            assert set(shown) <= set(_safety_signs(doubtful)[urgency]), (question_id, definite)
