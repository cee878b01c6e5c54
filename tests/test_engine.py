"""The engine against the issue's table, the PHQ-4 and PEG scoring, and hidden branches."""

from __future__ import annotations

import pytest

from fbss_check import AnswerError, Bank, Urgency, evaluate
from fbss_check.answers import coerce_all
from fbss_check.engine import evaluate_answers
from tests.conftest import EMERGENCY_SIGNS

# The contract table: answering yes to each question alone gives this tier.
TIER_WHEN_YES = [
    pytest.param("bladder_control_change", "emergency", id="bladder"),
    pytest.param("bowel_control_change", "emergency", id="bowel"),
    pytest.param("saddle_numbness", "emergency", id="saddle"),
    pytest.param("sexual_function_change", "emergency", id="sexual"),
    pytest.param("both_legs_symptoms", "emergency", id="both-legs"),
    pytest.param("chest_pain_or_breathless", "emergency", id="chest"),
    pytest.param("very_unwell", "emergency", id="very-unwell"),
    pytest.param("serious_injury", "emergency", id="serious-injury"),
    pytest.param("new_leg_weakness", "urgent", id="leg-weakness"),
    pytest.param("fever", "urgent", id="fever"),
    pytest.param("wound_problem", "urgent", id="wound"),
    pytest.param("calf_swelling", "urgent", id="calf"),
    pytest.param("headache_upright", "urgent", id="headache"),
    pytest.param("pain_uncontrolled", "urgent", id="uncontrolled"),
    pytest.param("recent_fall_or_injury", "urgent", id="fall"),
    pytest.param("weight_loss_or_night_pain", "soon", id="night-pain"),
    pytest.param("numbness_tingling", "soon", id="numbness"),
    pytest.param("mobility_limited", "soon", id="mobility"),
    pytest.param("cancer_history", "routine", id="cancer-alone"),
    pytest.param("sleep_poor", "routine", id="sleep"),
    pytest.param("smoker", "routine", id="smoker"),
]


@pytest.mark.parametrize(("question_id", "tier"), TIER_WHEN_YES)
def test_yes_alone_gives_the_tier_in_the_table(question_id: str, tier: str) -> None:
    assert evaluate({question_id: True}).urgency.value == tier


@pytest.mark.parametrize(
    ("answers", "tier"),
    [
        pytest.param({"pain_persisting": True, "new_level_pain": True}, "soon", id="new-level"),
        pytest.param({"pain_persisting": True, "original_symptoms_returned": True}, "soon", id="returned"),
        pytest.param({"pain_persisting": True, "pain_trend": "worse"}, "soon", id="worse"),
        pytest.param({"pain_persisting": True, "pain_trend": "same"}, "routine", id="same"),
        pytest.param({"surgery_type": "fusion", "hardware_concern": True}, "soon", id="hardware"),
        pytest.param({"pain_persisting": True, "weeks_since_surgery": 12}, "soon", id="12-weeks"),
        pytest.param({"pain_persisting": True, "weeks_since_surgery": 11}, "routine", id="11-weeks"),
        pytest.param({"pain_persisting": False, "weeks_since_surgery": 52}, "routine", id="no-pain"),
        pytest.param({"new_leg_weakness": True, "both_legs_symptoms": True}, "emergency", id="weak-both"),
        pytest.param({"new_leg_weakness": True, "cancer_history": True}, "emergency", id="weak-cancer"),
        pytest.param({"new_leg_weakness": True, "cancer_history": False}, "urgent", id="weak-one"),
        pytest.param({"phq4_interest": 3, "phq4_down": 0}, "soon", id="phq2-3"),
        pytest.param({"phq4_nervous": 1, "phq4_worry": 2}, "soon", id="gad2-3"),
        pytest.param({"phq4_interest": 1, "phq4_down": 1, "phq4_nervous": 1, "phq4_worry": 1}, "routine", id="phq4-4"),
        pytest.param({}, "routine", id="nothing-answered"),
    ],
)
def test_combinations_give_their_tier(answers: dict[str, object], tier: str) -> None:
    assert evaluate(answers).urgency.value == tier


@pytest.mark.parametrize("question_id", EMERGENCY_SIGNS[:-1])
def test_not_sure_on_an_emergency_sign_is_urgent_and_says_what_to_do_if_worse(question_id: str) -> None:
    outcome = evaluate({question_id: "unsure"})
    assert outcome.urgency is Urgency.URGENT
    flag = next(f for f in outcome.flags if f.id == "unsure_emergency_sign")
    assert flag.because == (question_id,)
    assert "emergency number" in flag.message and "worse" in flag.message


def test_every_flag_is_reported_not_just_the_first(bank: Bank) -> None:
    outcome = evaluate({"bladder_control_change": True, "fever": True, "smoker": True, "phq4_interest": 3})
    assert [f.id for f in outcome.flags] == ["bladder_change", "fever", "mood_screen_positive"]
    assert [f.urgency for f in outcome.flags] == [Urgency.EMERGENCY, Urgency.URGENT, Urgency.SOON]
    assert outcome.fired_rules == (
        "bladder_change",
        "fever",
        "mood_screen_positive",
        "lifestyle_factors",
        "questions_for_doctor",
    )


def test_because_names_only_the_answers_that_made_an_any_rule_fire() -> None:
    outcome = evaluate({"fever": "unsure", "calf_swelling": "unsure", "wound_problem": False})
    flag = next(f for f in outcome.flags if f.id == "unsure_urgent_sign")
    assert flag.because == ("fever", "calf_swelling")


def test_scores_are_the_peg_mean_and_the_phq_sums() -> None:
    answers = {
        "pain_persisting": True,
        "peg_pain": 7,
        "peg_enjoyment": 6,
        "peg_activity": 4,
        "phq4_interest": 1,
        "phq4_down": 2,
        "phq4_nervous": 0,
        "phq4_worry": 3,
    }
    assert evaluate(answers).scores == {"peg": 5.67, "phq2": 3, "gad2": 3, "phq4": 6}


def test_a_partial_score_is_not_reported_but_a_partial_sum_over_the_line_still_flags() -> None:
    outcome = evaluate({"phq4_interest": 3})
    assert outcome.scores["phq2"] is None
    assert "mood_screen_positive" in outcome.fired_rules


def test_answers_on_a_hidden_question_are_ignored() -> None:
    hidden = evaluate(
        {"pain_persisting": False, "pain_trend": "worse", "peg_pain": 10, "peg_enjoyment": 10, "peg_activity": 10}
    )
    assert hidden.urgency is Urgency.ROUTINE
    assert hidden.scores["peg"] is None
    assert "pain_trend" not in hidden.answers


def test_guidance_follows_the_treatment_ladder_and_skips_what_was_tried() -> None:
    outcome = evaluate(
        {"pain_persisting": True, "weeks_since_surgery": 30, "treatments_tried": ["physical_therapy", "medication"]}
    )
    assert outcome.guidance == (
        "about_psps",
        "diagnostic_tests",
        "psychological_support",
        "injections",
        "questions_for_your_doctor",
    )


def test_to_dict_is_the_json_contract() -> None:
    data = evaluate({"fever": True}).to_dict()
    assert set(data) == {"urgency", "flags", "guidance", "scores", "fired_rules", "bank_version"}
    assert data["flags"][0] == {
        "id": "fever",
        "urgency": "urgent",
        "message": data["flags"][0]["message"],
        "because": ["fever"],
    }
    assert set(data["scores"]) == {"peg", "phq2", "gad2", "phq4"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param({"bladder": True}, "bladder: unknown question", id="unknown-id"),
        pytest.param({"fever": "yes"}, 'fever: expected true, false or "unsure"', id="yes-as-text"),
        pytest.param({"serious_injury": "unsure"}, "serious_injury: expected true or false", id="no-unsure"),
        pytest.param({"peg_pain": 11}, "peg_pain: 11 is out of range", id="out-of-range"),
        pytest.param({"weeks_since_surgery": -1}, "weeks_since_surgery: -1 is out of range", id="negative"),
        pytest.param({"weeks_since_surgery": 2.5}, "expected a whole number", id="fraction"),
        pytest.param({"weeks_since_surgery": True}, "expected a whole number", id="bool-number"),
        pytest.param({"pain_trend": "awful"}, "'awful' is not a choice", id="bad-choice"),
        pytest.param({"treatments_tried": "medication"}, "expected a list", id="multi-not-list"),
        pytest.param({"treatments_tried": ["medication", "medication"]}, "twice", id="multi-repeat"),
        pytest.param({"treatments_tried": ["magic"]}, "'magic' is not a choice", id="multi-bad-code"),
    ],
)
def test_bad_answers_raise_an_error_naming_the_question(answers: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(")):
        evaluate(answers)


def test_the_bank_clinical_cases_pass(bank: Bank) -> None:
    assert bank.cases, "the bank must carry clinical test cases"
    for case in bank.cases:
        outcome = evaluate_answers(bank, coerce_all(bank.questions, case.answers, "lenient"))
        assert outcome.urgency is case.urgency, case.name
        assert set(case.fired) <= set(outcome.fired_rules), case.name
        assert not set(case.not_fired) & set(outcome.fired_rules), case.name
        assert set(case.guidance) <= set(outcome.guidance), case.name
