"""Compiled conditions against a plain reading of the condition tree, over the real bank."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given
from hypothesis import strategies as st

from fbss_check import default_bank
from fbss_check.conditions import OPERATORS, holds, is_met, walk
from fbss_check.engine import score_ranges
from fbss_check.model import Answer, Condition, Score, ScoreRange
from tests.strategies import answers, answers_to, conditions

BANK = default_bank()


def _reference(
    condition: Condition,
    answers: Mapping[str, Answer],
    ranges: Mapping[str, ScoreRange],
    scores: Mapping[str, Score],
) -> tuple[bool, frozenset[str]]:
    """The meaning of a condition, read node by node (the interpreter `holds` was before it compiled)."""
    if condition.subject_kind == "question":
        answer = answers.get(condition.subject)
        if answer is None:
            return (condition.op == "answered" and condition.value is False), frozenset()
        if not OPERATORS[condition.op].test(answer, condition.value):
            return False, frozenset()
        return True, frozenset((condition.subject,))
    if condition.op == "all":
        because: frozenset[str] = frozenset()
        for child in condition.children:
            ok, why = _reference(child, answers, ranges, scores)
            if not ok:
                return False, frozenset()
            because |= why
        return True, because
    if condition.op == "any":
        results = [_reference(child, answers, ranges, scores) for child in condition.children]
        return any(ok for ok, _ in results), frozenset().union(*(why for ok, why in results if ok))
    if condition.op == "not":
        return not _reference(condition.children[0], answers, ranges, scores)[0], frozenset()
    if condition.op == "always":
        return True, frozenset()
    score_range = ranges.get(condition.subject)
    if score_range is None or not OPERATORS[condition.op].test(score_range, condition.value):
        return False, frozenset()
    return True, frozenset(item for item in scores[condition.subject].items if item in answers)


@given(conditions(BANK), answers(BANK), st.data())
def test_a_compiled_condition_holds_when_the_plain_reading_does_and_for_the_same_answers(
    condition: Condition, others: dict[str, Answer], data: st.DataObject
) -> None:
    # The questions the condition names are answered as its leaves ask, or not, more often than at random.
    near = data.draw(answers_to(BANK, condition))
    answers = {question: answer for question, answer in {**others, **near}.items() if answer is not None}
    for ranges in (score_ranges(BANK, answers), {}):  # {}: as show_ifs and the safety net's signs are read
        for node in walk(condition):  # every branch, not only the root, whose reasons are often none
            expected = _reference(node, answers, ranges, BANK.scores)
            assert holds(node, answers, ranges, BANK.scores) == expected
            assert is_met(node, answers, ranges) is expected[0]


@given(answers(BANK))
def test_every_rule_and_show_if_of_the_bank_holds_as_the_plain_reading_says(answers: dict[str, Answer]) -> None:
    ranges = score_ranges(BANK, answers)
    for rule in BANK.rules:
        assert holds(rule.when, answers, ranges, BANK.scores) == _reference(rule.when, answers, ranges, BANK.scores)
        assert is_met(rule.when, answers, ranges) is holds(rule.when, answers, ranges, BANK.scores)[0]
    for question in BANK.conditional_questions:
        show_if = question.show_if
        assert show_if is not None
        assert holds(show_if, answers, {}, BANK.scores) == _reference(show_if, answers, {}, BANK.scores)
        assert is_met(show_if, answers, {}) is holds(show_if, answers, {}, BANK.scores)[0]


def test_a_compiled_condition_still_equals_hashes_and_reads_as_its_data() -> None:
    def fresh() -> Condition:
        leaf = Condition(op="is", subject_kind="question", subject="fever", value="yes")
        return Condition(op="any", children=(leaf, Condition(op="not", children=(leaf,))))

    compiled, plain = fresh(), fresh()
    holds(compiled, {"fever": "yes"}, {}, BANK.scores)
    is_met(compiled, {"fever": "yes"}, {})
    assert compiled.compiled is not None and plain.compiled is None
    assert compiled == plain and hash(compiled) == hash(plain) and repr(compiled) == repr(plain)
