"""The engine against the issue's table, the PHQ-4 and PEG scoring, and hidden branches."""

from __future__ import annotations

import pytest

from fbss_check import AnswerError, Bank, Urgency, evaluate
from fbss_check.answers import coerce_all
from fbss_check.engine import evaluate_answers, tried_topics

# The contract table: answering yes to each question alone gives this tier (its gates unanswered).
TIER_WHEN_YES = [
    pytest.param("bladder_control_change", "emergency", id="bladder"),
    pytest.param("bowel_control_change", "emergency", id="bowel"),
    pytest.param("saddle_numbness", "emergency", id="saddle"),
    pytest.param("chest_pain_or_breathless", "emergency", id="chest"),
    pytest.param("very_unwell", "emergency", id="very-unwell"),
    pytest.param("serious_injury", "emergency", id="serious-injury"),
    pytest.param("neck_swelling", "emergency", id="neck-swelling"),
    pytest.param("breathing_noisy", "emergency", id="noisy-breathing"),
    pytest.param("swallow_saliva", "emergency", id="saliva"),
    pytest.param("rising_numbness", "emergency", id="rising-numbness"),
    pytest.param("coughing_blood", "emergency", id="coughing-blood"),
    pytest.param("fainted", "emergency", id="fainted"),
    pytest.param("breathing_slow", "emergency", id="slow-breathing"),
    pytest.param("pump_baclofen_signs", "emergency", id="baclofen"),
    pytest.param("new_leg_weakness", "urgent", id="leg-weakness"),
    pytest.param("arm_weakness", "urgent", id="arm-weakness"),
    pytest.param("fever", "urgent", id="fever"),
    pytest.param("wound_problem", "urgent", id="wound"),
    pytest.param("calf_swelling", "urgent", id="calf"),
    pytest.param("headache_upright", "urgent", id="headache"),
    pytest.param("pain_sudden_worse", "urgent", id="sudden-worse"),
    pytest.param("pain_medicine_failing", "urgent", id="medicine-failing"),
    pytest.param("recent_fall_or_injury", "urgent", id="fall"),
    pytest.param("device_site_problem", "urgent", id="device-site"),
    pytest.param("pump_alarm", "urgent", id="pump-alarm"),
    pytest.param("pump_withdrawal", "urgent", id="pump-withdrawal"),
    pytest.param("new_drowsy", "urgent", id="drowsy"),
    pytest.param("black_poo", "urgent", id="black-poo"),
    pytest.param("pain_after_strain", "urgent", id="fracture-risk-strain"),
    pytest.param("night_pain", "soon", id="night-pain"),
    pytest.param("stimulator_shocks", "soon", id="stimulator-shocks"),
    pytest.param("stimulator_changed", "soon", id="stimulator-changed"),
    pytest.param("rib_band_pain", "soon", id="rib-band"),
    pytest.param("hardware_concern", "soon", id="hardware"),
    pytest.param("cough_strain_pain", "routine", id="cough-alone"),
    pytest.param("swallowing_hard", "routine", id="swallowing-alone"),
    pytest.param("voice_hoarse", "routine", id="voice-alone"),
    pytest.param("pain_persisting", "routine", id="pain-alone"),
]


@pytest.mark.parametrize(("question_id", "tier"), TIER_WHEN_YES)
def test_yes_alone_gives_the_tier_in_the_table(question_id: str, tier: str) -> None:
    assert evaluate({question_id: True}).urgency.value == tier


def test_the_table_covers_every_yes_no_question(bank: Bank) -> None:
    yes_no = {q.id for q in bank.questions.values() if q.kind.value in ("yes_no", "yes_no_unsure")}
    assert {p.values[0] for p in TIER_WHEN_YES} == yes_no


@pytest.mark.parametrize(
    ("answers", "tier"),
    [
        pytest.param({"pain_persisting": True, "body_changes": ["new_place"]}, "soon", id="new-level"),
        pytest.param({"body_changes": ["old_symptoms_back"]}, "soon", id="returned"),
        pytest.param({"pain_persisting": True, "pain_trend": "worse"}, "soon", id="worse"),
        pytest.param({"pain_persisting": True, "pain_trend": "same"}, "routine", id="same"),
        pytest.param({"surgery_type": "fusion", "hardware_concern": True}, "soon", id="hardware"),
        pytest.param({"pain_persisting": True, "time_since_surgery": "months_3_6"}, "soon", id="3-months"),
        pytest.param({"pain_persisting": True, "time_since_surgery": "weeks_6_12"}, "routine", id="6-12-weeks"),
        pytest.param({"pain_persisting": False, "time_since_surgery": "years_1_2"}, "routine", id="no-pain"),
        pytest.param({"new_leg_weakness": True, "both_legs_change": "slow"}, "emergency", id="weak-both"),
        pytest.param({"new_leg_weakness": True, "health_conditions": ["past_cancer"]}, "emergency", id="weak-cancer"),
        pytest.param({"new_leg_weakness": True, "health_conditions": ["none"]}, "urgent", id="weak-one"),
        pytest.param({"both_legs_change": "fast"}, "emergency", id="both-legs-fast"),
        pytest.param({"both_legs_change": "slow"}, "urgent", id="both-legs-slow"),
        pytest.param({"both_legs_change": "walking_only"}, "soon", id="both-legs-walking"),
        pytest.param({"both_legs_change": "not_sure"}, "urgent", id="both-legs-unsure"),
        pytest.param({"hands_clumsy": "fast"}, "emergency", id="hands-fast"),
        pytest.param({"walking_unsteady": "slow"}, "urgent", id="walking-slow"),
        pytest.param({"sex_changes": ["erection_trouble"]}, "emergency", id="erection"),
        pytest.param({"sex_changes": ["dry_orgasm"], "surgery_approach": "front"}, "soon", id="dry-orgasm-front"),
        pytest.param({"sex_changes": ["dry_orgasm"], "surgery_approach": "back"}, "emergency", id="dry-orgasm-back"),
        pytest.param({"sex_changes": ["dry_orgasm"]}, "urgent", id="dry-orgasm-approach-unknown"),
        pytest.param({"asq_tried": "yes"}, "urgent", id="asq-past-attempt"),
        pytest.param({"asq_wish_dead": "yes", "asq_now": "yes"}, "emergency", id="asq-acute"),
        pytest.param({"asq_wish_dead": "no", "asq_now": "yes"}, "emergency", id="asq-now-when-others-unanswered"),
        pytest.param(
            {"asq_wish_dead": "no", "asq_better_off": "no", "asq_thoughts": "no", "asq_tried": "no", "asq_now": "yes"},
            "routine",
            id="asq-now-hidden-when-screen-negative",
        ),
        pytest.param({"phq4_interest": 3, "phq4_down": 0}, "soon", id="phq2-3"),
        pytest.param({"phq4_nervous": 1, "phq4_worry": 2}, "soon", id="gad2-3"),
        pytest.param({"phq4_interest": 1, "phq4_down": 1, "phq4_nervous": 1, "phq4_worry": 1}, "routine", id="phq4-4"),
        pytest.param({}, "routine", id="nothing-answered"),
    ],
)
def test_combinations_give_their_tier(answers: dict[str, object], tier: str) -> None:
    assert evaluate(answers).urgency.value == tier


TIME_CRITICAL = [
    "bladder_control_change",
    "bowel_control_change",
    "saddle_numbness",
    "neck_swelling",
    "breathing_noisy",
    "swallow_saliva",
    "breathing_slow",
]


@pytest.mark.parametrize("question_id", TIME_CRITICAL)
def test_not_sure_on_a_sign_where_hours_matter_is_an_emergency_and_says_how_to_check(question_id: str) -> None:
    outcome = evaluate({question_id: "unsure"})
    assert outcome.urgency is Urgency.EMERGENCY
    flag = next(f for f in outcome.flags if f.id == "unsure_time_critical_sign")
    assert flag.because == (question_id,)
    assert "check" in flag.message and "emergency" in flag.message


@pytest.mark.parametrize("question_id", ["chest_pain_or_breathless", "very_unwell", "rising_numbness", "fainted"])
def test_not_sure_on_another_emergency_sign_is_urgent_and_says_what_to_do_if_worse(question_id: str) -> None:
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
        "getting_back_to_activity",
        "smoking",
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


def test_guidance_follows_the_treatment_ladder_and_keeps_what_was_tried(bank: Bank) -> None:
    outcome = evaluate(
        {"pain_persisting": True, "weeks_since_surgery": 30, "treatments_tried": ["physical_therapy", "medication"]}
    )
    assert outcome.guidance == (
        "about_psps",
        "back_to_activity",
        "flare_up_plan",
        "diagnostic_tests",
        "physical_therapy",
        "medication",
        "psychological_support",
        "injections",
        "questions_for_your_doctor",
    )
    # A tried treatment's topic stays and says what comes next (issue 15); the others do not.
    assert tried_topics(bank, outcome) == {"physical_therapy", "medication"}


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
        pytest.param({"weeks_since_surgery": -1}, "weeks_since_surgery: -1 is out of range", id="negative-1x"),
        pytest.param({"time_since_surgery": "6 months"}, "'6 months' is not a choice", id="time-as-text"),
        pytest.param({"body_changes": ["none", "weight_loss"]}, "'none' must be chosen on its own", id="none-and-more"),
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
