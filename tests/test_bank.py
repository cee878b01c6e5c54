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
from fbss_check.engine import evaluate_answers

# The question contract: ids and answer codes other tools rely on.
CONTRACT: dict[str, tuple[str, ...]] = {
    "weeks_since_surgery": (),
    "surgery_type": ("fusion", "discectomy", "decompression", "disc_replacement", "other", "not_sure"),
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
    ),
    **{
        q: ("yes", "no", "unsure")
        for q in (
            "bladder_control_change",
            "bowel_control_change",
            "saddle_numbness",
            "sexual_function_change",
            "both_legs_symptoms",
            "chest_pain_or_breathless",
            "very_unwell",
            "new_leg_weakness",
            "fever",
            "wound_problem",
            "calf_swelling",
            "headache_upright",
        )
    },
    **{
        q: ("yes", "no")
        for q in (
            "serious_injury",
            "pain_uncontrolled",
            "recent_fall_or_injury",
            "cancer_history",
            "weight_loss_or_night_pain",
            "pain_persisting",
            "new_level_pain",
            "original_symptoms_returned",
            "numbness_tingling",
            "hardware_concern",
            "mobility_limited",
            "sleep_poor",
            "smoker",
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


def test_weeks_since_surgery_is_a_whole_number_from_zero(bank: Bank) -> None:
    assert bank.questions["weeks_since_surgery"].bounds[0] == 0


def test_the_contract_topics_exist_in_the_usual_treatment_order(bank: Bank) -> None:
    assert [t for t in bank.topics if t in TOPICS] == TOPICS


def test_every_topic_names_its_sources_and_has_every_part(bank: Bank) -> None:
    for topic in bank.topics.values():
        assert topic.sources and topic.questions
        assert all([topic.title, topic.summary, topic.involves, topic.benefits, topic.risks])


def test_red_flag_questions_come_first_and_are_never_hidden(bank: Bank) -> None:
    first_two = set(bank.sections[0].question_ids) | set(bank.sections[1].question_ids)
    for question in bank.questions.values():
        if question.red_flag is not None and question.red_flag.rank >= 2:
            assert question.id in first_two
            assert question.show_if is None


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
    questions = raw["sections"][3]["questions"]
    questions[1]["show_if"] = {"question": "new_level_pain", "is": True}
    questions[2]["show_if"] = {"question": "pain_trend", "is": "worse"}


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
    pytest.param(
        _break_unsure_rule, "rules[9].when.any[1].question: unknown question 'bladder'", id="unknown-question"
    ),
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
        _set("sections.1.questions.1.show_if", {"question": "bladder_control_change", "is": False}),
        "'fever' is a red-flag question and must never be hidden",
        id="hidden-red-flag",
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
        _set("sections.0.questions.0.hint.es", " "),
        "sections[0].questions[0].hint.es: missing Spanish text",
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
        _set("sections.1.questions.1.text.es", "¿Tiene una temperatura de 39 °C (100.4 °F) o más?"),
        "sections[1].questions[1].text.es: numbers and {placeholders} differ from the English",
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
