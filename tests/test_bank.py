"""Loading the bank: the real one is valid and complete; broken ones fail with every problem named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fbss_check import Bank, BankError, evaluate, load_bank
from fbss_check.analysis import find_answers
from fbss_check.bank import parse_bank
from fbss_check.conditions import questions_in
from fbss_check.engine import evaluate_answers, is_visible
from fbss_check.model import Urgency

# The question contract (bank 2): ids and answer codes other tools rely on.
SPEED = ("no", "fast", "slow", "not_sure")
ASQ = ("yes", "no", "declined")
CONTRACT: dict[str, tuple[str, ...]] = {
    "time_since_surgery": (
        "weeks_0_2",
        "weeks_2_6",
        "weeks_6_12",
        "months_3_6",
        "months_6_12",
        "years_1_2",
        "years_2_plus",
        "not_sure",
    ),
    "operations_count": (),
    "surgery_type": ("fusion", "discectomy", "decompression", "disc_replacement", "other", "not_sure"),
    "surgery_approach": ("front", "back", "side", "not_sure"),
    "surgery_region": ("low_back", "mid_back", "neck", "not_sure"),
    "devices_medicines": (
        "stimulator",
        "pain_pump",
        "blood_thinner",
        "strong_opioid",
        "sedating",
        "steroid_tablets",
        "none",
        "not_sure",
    ),
    "health_conditions": (
        "past_cancer",
        "diabetes",
        "weak_immune",
        "inject_drugs",
        "thin_bones",
        "age_65",
        "smoker",
        "sleep_poor",
        "none",
        "not_sure",
    ),
    "sex_changes": ("genital_numbness", "erection_trouble", "dry_orgasm", "none", "not_sure"),
    "both_legs_change": ("no", "fast", "slow", "walking_only", "not_sure"),
    "hands_clumsy": SPEED,
    "walking_unsteady": SPEED,
    "body_changes": ("new_place", "old_symptoms_back", "new_numbness", "harder_to_move", "weight_loss", "none"),
    "pain_trend": ("better", "same", "worse"),
    "treatments_tried": (
        "physical_therapy",
        "medication",
        "injections",
        "nerve_ablation",
        "spinal_cord_stimulation",
        "intrathecal_pump",
        "psychological_therapy",
        "revision_surgery",
        "regenerative_therapy",
        "none",
    ),
    **{q: ASQ for q in ("asq_wish_dead", "asq_better_off", "asq_thoughts", "asq_tried", "asq_now")},
    **{
        q: ("yes", "no", "unsure")
        for q in (
            "bladder_control_change",
            "bowel_control_change",
            "saddle_numbness",
            "chest_pain_or_breathless",
            "very_unwell",
            "neck_swelling",
            "breathing_noisy",
            "swallow_saliva",
            "rising_numbness",
            "arm_weakness",
            "coughing_blood",
            "fainted",
            "breathing_slow",
            "pump_baclofen_signs",
            "new_leg_weakness",
            "fever",
            "wound_problem",
            "calf_swelling",
            "headache_upright",
            "device_site_problem",
            "pump_alarm",
            "pump_withdrawal",
            "new_drowsy",
            "black_poo",
        )
    },
    **{
        q: ("yes", "no")
        for q in (
            "serious_injury",
            "pain_sudden_worse",
            "pain_medicine_failing",
            "recent_fall_or_injury",
            "night_pain",
            "pain_persisting",
            "stimulator_shocks",
            "stimulator_changed",
            "pain_after_strain",
            "cough_strain_pain",
            "rib_band_pain",
            "hardware_concern",
            "swallowing_hard",
            "voice_hoarse",
        )
    },
}
SCALES = {
    "peg_pain": 10,
    "peg_enjoyment": 10,
    "peg_activity": 10,
    "phq4_interest": 3,
    "phq4_down": 3,
    "phq4_nervous": 3,
    "phq4_worry": 3,
}
TOPICS = [
    "about_psps",
    "recovery_expectations",
    "diagnostic_tests",
    "physical_therapy",
    "medication",
    "lifestyle",
    "psychological_support",
    "injections",
    "nerve_ablation",
    "spinal_cord_stimulation",
    "intrathecal_pump",
    "revision_surgery",
    "regenerative_therapies",
    "questions_for_your_doctor",
]


def test_the_bank_carries_a_version_and_a_review_date(bank: Bank) -> None:
    assert bank.version
    assert isinstance(bank.review_date, date)


@pytest.mark.parametrize(("question_id", "codes"), CONTRACT.items())
def test_contract_questions_have_exactly_their_codes(bank: Bank, question_id: str, codes: tuple[str, ...]) -> None:
    assert bank.questions[question_id].codes == codes


@pytest.mark.parametrize(("question_id", "top"), SCALES.items())
def test_instrument_items_are_scales_with_their_range(bank: Bank, question_id: str, top: int) -> None:
    assert bank.questions[question_id].bounds == (0, top)


def test_the_bank_asks_exactly_the_contract_questions(bank: Bank) -> None:
    assert set(bank.questions) == set(CONTRACT) | set(SCALES)


def test_the_contract_topics_exist_in_the_usual_treatment_order(bank: Bank) -> None:
    assert [t for t in bank.topics if t in TOPICS] == TOPICS


def test_every_topic_names_its_sources_and_has_every_part(bank: Bank) -> None:
    for topic in bank.topics.values():
        assert topic.sources and topic.questions
        assert all([topic.title, topic.summary, topic.involves, topic.benefits, topic.risks])


def test_the_first_page_asks_where_when_and_pain_and_the_second_every_ungated_emergency_sign(bank: Bank) -> None:
    assert bank.sections[0].question_ids == ("surgery_region", "time_since_surgery", "pain_persisting")
    for question in bank.questions.values():
        if question.red_flag is Urgency.EMERGENCY and question.show_if is None:
            assert question.section == bank.sections[1].id, question.id


def test_red_flags_are_hidden_only_by_the_gates(bank: Bank) -> None:
    gates = {"surgery_region", "time_since_surgery", "devices_medicines", "health_conditions"}
    for question in bank.questions.values():
        if question.red_flag is not None and question.red_flag >= Urgency.URGENT and question.show_if is not None:
            assert questions_in(question.show_if, bank.scores) <= gates, question.id


def test_red_flags_are_shown_whenever_their_gates_are_unanswered_or_not_sure(bank: Bank) -> None:
    not_sure = {
        gate: frozenset({"not_sure"}) if bank.questions[gate].kind.value == "multiple_choice" else "not_sure"
        for gate in ("surgery_region", "time_since_surgery", "devices_medicines", "health_conditions")
    }
    for answers in ({}, not_sure):
        for question in bank.questions.values():
            if question.red_flag is not None and question.red_flag >= Urgency.URGENT:
                assert is_visible(question, answers, bank), question.id


def test_every_question_can_be_shown(bank: Bank) -> None:
    for question in bank.questions.values():
        if question.show_if is not None:
            found = find_answers(bank, question.show_if)
            assert found is not None, question.id


def test_every_rule_can_fire_and_every_topic_is_reachable(bank: Bank) -> None:
    reached: set[str] = set()
    for rule in bank.rules:
        found = find_answers(bank, rule.when)
        assert found is not None, rule.id
        outcome = evaluate_answers(bank, found)
        assert rule.id in outcome.fired_rules, rule.id
        reached |= set(outcome.guidance)
    assert reached == set(bank.topics)


def _place(raw: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container and key of a dotted path such as `rules.0.when`."""
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, int(last) if isinstance(node, list) else last


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A breakage: set the value at a dotted path."""

    def apply(raw: dict[str, Any]) -> None:
        node, key = _place(raw, path)
        node[key] = value

    return apply


def _rule_index(raw: dict[str, Any], rule_id: str) -> int:
    return next(i for i, r in enumerate(raw["rules"]) if r["id"] == rule_id)


def _break_unsure_rule(raw: dict[str, Any]) -> None:
    index = _rule_index(raw, "unsure_emergency_sign")
    raw["rules"][index]["when"]["any"][1]["question"] = "bladder"


def _duplicate_question(raw: dict[str, Any]) -> None:
    raw["sections"][1]["questions"][0]["id"] = "fever"


def _cycle(raw: dict[str, Any]) -> None:
    questions = raw["sections"][4]["questions"]
    questions[1]["show_if"] = {"question": "hardware_concern", "is": True}
    questions[2]["show_if"] = {"question": "body_changes", "includes": "new_place"}


def _impossible_rule(raw: dict[str, Any]) -> None:
    raw["rules"].append(
        {
            "id": "never",
            "urgency": "soon",
            "message": {"en": "Never.", "es": "Nunca."},
            "when": {"all": [{"question": "fever", "is": True}, {"question": "fever", "is": False}]},
        }
    )


def _unused_topic(raw: dict[str, Any]) -> None:
    raw["topics"].append({**raw["topics"][0], "id": "orphan"})


def _weaker_bladder_rule(raw: dict[str, Any]) -> None:
    raw["rules"][_rule_index(raw, "bladder_change")]["urgency"] = "urgent"


def _no_unsure_rule(raw: dict[str, Any]) -> None:
    del raw["rules"][_rule_index(raw, "unsure_emergency_sign")]
    raw["cases"] = [c for c in raw["cases"] if "unsure_emergency_sign" not in c.get("fired", [])]


def _failing_case(raw: dict[str, Any]) -> None:
    raw["cases"][1]["urgency"] = "routine"


def _drop_spanish(path: str) -> Callable[[dict[str, Any]], None]:
    """A breakage: keep only the English of the text at a dotted path."""

    def apply(raw: dict[str, Any]) -> None:
        node, key = _place(raw, path)
        node[key] = node[key]["en"]

    return apply


def _two_problems(raw: dict[str, Any]) -> None:
    _break_unsure_rule(raw)
    raw["topics"][0]["summary"] = ""


BROKEN_BANKS = [
    pytest.param(_break_unsure_rule, "when.any[1].question: unknown question 'bladder'", id="unknown-question"),
    pytest.param(
        _set("rules.0.when", {"question": "pain_trend", "is": "awful"}),
        "rules[0].when.is: 'awful' is not a choice",
        id="unknown-choice",
    ),
    pytest.param(
        _set("rules.0.when", {"question": "fever", "equals": True}),
        "rules[0].when: unknown operator 'equals'",
        id="unknown-operator",
    ),
    pytest.param(_duplicate_question, "duplicate question id 'fever'", id="duplicate-id"),
    pytest.param(_set("sections.0.questions.0.id", "Bladder-Change"), "malformed id 'Bladder-Change'", id="bad-id"),
    pytest.param(
        _set("sections.0.questions.0.kind", "slider"), "sections[0].questions[0].kind: unknown value", id="unknown-kind"
    ),
    pytest.param(_cycle, "show_if cycle", id="show-if-cycle"),
    pytest.param(
        _set("sections.3.questions.5.show_if", {"question": "bladder_control_change", "is": False}),
        "red-flag question 'fever' is hidden when nothing is answered",
        id="hidden-red-flag",
    ),
    pytest.param(
        _set("sections.3.questions.5.show_if", {"question": "pain_persisting", "is": True}),
        "red-flag question 'fever' depends on 'pain_persisting', which must always be asked and have a 'not sure'",
        id="red-flag-behind-a-gate-without-not-sure",
    ),
    pytest.param(
        _set("sections.1.questions.8.show_if", {"question": "surgery_region", "includes": "neck"}),
        "red-flag question 'neck_swelling' is hidden when surgery_region = ['not_sure']",
        id="gate-not-sure-hides-a-red-flag",
    ),
    pytest.param(
        _set("sections.1.questions.8.show_if", {"not": {"question": "surgery_region", "includes": "low_back"}}),
        "red-flag question 'neck_swelling' may not be hidden by a `not` condition",
        id="red-flag-hidden-by-not",
    ),
    pytest.param(
        _set("sections.0.questions.1.choices.7.exclusive", True),
        "only a multiple-choice answer can be exclusive",
        id="exclusive-single-choice",
    ),
    pytest.param(_impossible_rule, "rule 'never' can never fire", id="never-fires"),
    pytest.param(_unused_topic, "topic 'orphan' is not used by any rule", id="unused-topic"),
    pytest.param(_set("topics.0.summary", "  "), "topics[0].summary: missing text", id="topic-no-text"),
    pytest.param(
        _set("sections.0.questions.0.text", None), "sections[0].questions[0].text: missing text", id="question-no-text"
    ),
    pytest.param(_failing_case, "expected routine, got emergency", id="failing-case"),
    pytest.param(_weaker_bladder_rule, "gives urgent, below its declared emergency", id="weakened-red-flag"),
    pytest.param(_no_unsure_rule, "it must give at least urgent", id="unsure-not-covered"),
    pytest.param(_set("version", None), "version: missing version", id="no-version"),
    pytest.param(_set("review_date", "soon"), "review_date: expected a date", id="no-review-date"),
    pytest.param(
        _set("rules.0.guidance", ["nowhere"]), "rules[0].guidance[0]: unknown topic 'nowhere'", id="unknown-topic"
    ),
    pytest.param(
        _set("sections.3.questions.1.show_if", {"question": "peg_pain", "at_least": 3}),
        "which must be asked in an earlier section",
        id="show-if-forward",
    ),
    # Spanish: every patient-facing string needs its Spanish text, named by its place.
    pytest.param(
        _drop_spanish("sections.1.questions.1.text"),
        "sections[1].questions[1].text: missing Spanish text (es)",
        id="question-without-spanish",
    ),
    pytest.param(
        _set("sections.1.questions.0.hint.es", " "),
        "sections[1].questions[0].hint.es: missing Spanish text",
        id="hint-with-empty-spanish",
    ),
    pytest.param(
        _drop_spanish("topics.0.questions.0"),
        "topics[0].questions[0]: missing Spanish text (es)",
        id="topic-question-without-spanish",
    ),
    pytest.param(
        _drop_spanish("answer_labels.unsure"), "answer_labels.unsure: missing Spanish text (es)", id="label-without-es"
    ),
    pytest.param(
        _set("tiers.emergency.action.es", "Llame ahora a emergencias."),
        "tiers.emergency.action.es: numbers and {placeholders} differ from the English",
        id="translation-drops-the-emergency-number",
    ),
    pytest.param(
        _set("sections.3.questions.5.text.es", "¿Tiene una temperatura de 39 °C (100.4 °F) o más?"),
        "sections[3].questions[5].text.es: numbers and {placeholders} differ from the English",
        id="translation-changes-a-number",
    ),
    pytest.param(
        _set("sections.0.title.fr", "Signes urgents"),
        "sections[0].title.fr: language 'fr' is not in the bank's languages",
        id="unknown-language",
    ),
    pytest.param(_set("languages", ["es", "en"]), "languages: expected a list", id="languages-not-english-first"),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN_BANKS)
def test_a_broken_bank_fails_with_the_expected_message(
    raw_bank: dict[str, Any], breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    breakage(raw_bank)
    with pytest.raises(BankError) as caught:
        parse_bank(raw_bank)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once(raw_bank: dict[str, Any]) -> None:
    _two_problems(raw_bank)
    with pytest.raises(BankError) as caught:
        parse_bank(raw_bank)
    text = str(caught.value)
    assert "unknown question 'bladder'" in text and "topics[0].summary: missing text" in text


def test_yaml_that_does_not_parse_is_a_bank_error(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("sections: [\n", encoding="utf-8")
    with pytest.raises(BankError, match="not valid YAML"):
        load_bank(path)


def test_a_missing_file_is_a_bank_error(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="cannot read the bank"):
        load_bank(tmp_path / "missing.yaml")


def test_a_valid_copy_loads_and_evaluates(raw_bank: dict[str, Any]) -> None:
    bank = parse_bank(raw_bank)
    assert evaluate({"fever": True}, bank).urgency.value == "urgent"


def test_the_cauda_equina_hints_say_a_sign_counts_whatever_the_cause(bank: Bank) -> None:
    assert "counts even if you think it is your prostate, your period or your tablets" in (
        bank.questions["bladder_control_change"].hint
    )
    assert "whatever you think the cause is" in bank.questions["bowel_control_change"].hint
    assert "even if only one side" in bank.questions["saddle_numbness"].hint
    assert "Answer yes even if you think something else is the cause" in bank.sections[1].intro
