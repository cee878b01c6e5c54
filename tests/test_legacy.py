"""Answers made under bank 1.x still read under bank 2, never at a lower tier than they had."""

from __future__ import annotations

from typing import Any

import pytest

from fbss_check import Urgency, evaluate
from fbss_check.legacy import RETIRED, upgrade_answers

# Each 1.x answer alone, and the tier it gave under bank 1.1.0.
TIER_UNDER_1X = [
    pytest.param({"sexual_function_change": True}, "emergency", id="sexual-yes"),
    pytest.param({"sexual_function_change": "unsure"}, "urgent", id="sexual-unsure"),
    pytest.param({"both_legs_symptoms": True}, "emergency", id="both-legs-yes"),
    pytest.param({"both_legs_symptoms": "unsure"}, "urgent", id="both-legs-unsure"),
    pytest.param({"pain_uncontrolled": True}, "urgent", id="uncontrolled"),
    pytest.param({"weight_loss_or_night_pain": True}, "soon", id="weight-or-night"),
    pytest.param({"numbness_tingling": True}, "soon", id="numbness"),
    pytest.param({"new_level_pain": True, "pain_persisting": True}, "soon", id="new-level"),
    pytest.param({"original_symptoms_returned": True, "pain_persisting": True}, "soon", id="returned"),
    pytest.param({"mobility_limited": True}, "soon", id="mobility"),
    pytest.param({"new_leg_weakness": True, "cancer_history": True}, "emergency", id="weak-leg-after-cancer"),
    pytest.param({"pain_persisting": True, "weeks_since_surgery": 12}, "soon", id="12-weeks"),
    pytest.param({"pain_persisting": True, "weeks_since_surgery": 11}, "routine", id="11-weeks"),
    pytest.param({"smoker": True, "sleep_poor": True, "pain_where": ["lower_back"]}, "routine", id="habits"),
]


@pytest.mark.parametrize(("answers", "tier"), TIER_UNDER_1X)
def test_a_1x_answer_never_gives_a_lower_tier_than_it_did(answers: dict[str, Any], tier: str) -> None:
    assert evaluate(answers).urgency >= Urgency(tier)


@pytest.mark.parametrize(
    ("weeks", "band"),
    [(0, "weeks_0_2"), (1, "weeks_0_2"), (2, "weeks_2_6"), (5, "weeks_2_6"), (6, "weeks_6_12"), (11, "weeks_6_12"),
     (12, "months_3_6"), (25, "months_3_6"), (26, "months_6_12"), (51, "months_6_12"), (52, "years_1_2"),
     (103, "years_1_2"), (104, "years_2_plus"), (2600, "years_2_plus")],
)  # fmt: skip
def test_weeks_since_surgery_maps_onto_the_time_bands(weeks: int, band: str) -> None:
    assert upgrade_answers({"weeks_since_surgery": weeks}) == {"time_since_surgery": band}


def test_1x_habits_and_history_fold_into_the_health_checklist() -> None:
    upgraded = upgrade_answers({"cancer_history": True, "smoker": True, "sleep_poor": False})
    assert upgraded == {"health_conditions": ["past_cancer", "smoker"]}


def test_a_1x_no_leaves_a_checklist_unanswered_because_1x_never_asked_its_other_items() -> None:
    assert upgrade_answers({"cancer_history": False, "numbness_tingling": False}) == {}


def test_an_answer_under_the_bank_2_id_wins_over_its_1x_predecessor() -> None:
    upgraded = upgrade_answers({"weeks_since_surgery": 4, "time_since_surgery": "years_2_plus"})
    assert upgraded == {"time_since_surgery": "years_2_plus"}


def test_answers_without_a_retired_id_pass_through_untouched() -> None:
    answers = {"fever": True, "time_since_surgery": "weeks_0_2"}
    assert upgrade_answers(answers) == answers


def test_every_retired_id_is_gone_from_the_bank(bank: Any) -> None:
    assert not RETIRED & set(bank.questions)
