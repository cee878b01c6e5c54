"""Conditions as data: parsing them from the bank and evaluating them against answers.

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}`` or a leaf such as
``{question: fever, is: yes}``, ``{question: weeks_since_surgery, at_least: 12}``,
``{score: phq2, at_least: 3}`` or ``{always: true}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .answers import AnswerError, coerce
from .model import (
    NUMERIC_KINDS,
    YES_NO_KINDS,
    Answer,
    Condition,
    ConditionCheck,
    ConditionTest,
    Kind,
    Question,
    Score,
    ScoreRange,
)

BRANCHES = ("all", "any", "not")
SUBJECTS = ("question", "score")


@dataclass(frozen=True)
class Operator:
    """A leaf operator: which subjects and question kinds it takes, and its test."""

    test: Callable[[Any, Any], bool]
    kinds: frozenset[Kind]
    on_scores: bool = False
    value: str = "answer"  # how its value is checked: answer, answers, code, number, bool


_ALL_KINDS = frozenset(Kind)
_CHOICE_LIKE = YES_NO_KINDS | {Kind.SINGLE_CHOICE} | NUMERIC_KINDS


def _at_least(answer: Any, value: Any) -> bool:
    if isinstance(answer, tuple):
        return bool(answer[0] >= value)
    return isinstance(answer, int) and answer >= value


def _at_most(answer: Any, value: Any) -> bool:
    if isinstance(answer, tuple):
        return bool(answer[1] <= value)
    return isinstance(answer, int) and answer <= value


OPERATORS: Mapping[str, Operator] = {
    "is": Operator(lambda answer, value: answer == value, _CHOICE_LIKE),
    "in": Operator(lambda answer, value: answer in value, _CHOICE_LIKE, value="answers"),
    "includes": Operator(
        lambda answer, value: isinstance(answer, frozenset) and value in answer,
        frozenset({Kind.MULTIPLE_CHOICE}),
        value="code",
    ),
    "at_least": Operator(_at_least, NUMERIC_KINDS, on_scores=True, value="number"),
    "at_most": Operator(_at_most, NUMERIC_KINDS, on_scores=True, value="number"),
    "answered": Operator(lambda answer, value: (answer is not None) == value, _ALL_KINDS, value="bool"),
}


def parse_condition(
    raw: Any,
    path: str,
    questions: Mapping[str, Question],
    scores: Mapping[str, Score],
    errors: list[str],
    *,
    allow_scores: bool = True,
) -> Condition | None:
    """Parse one condition, appending every problem (with its path) to ``errors``."""
    if not isinstance(raw, Mapping) or not raw:
        errors.append(f"{path}: expected a condition such as {{question: fever, is: yes}}")
        return None
    branch_keys = [key for key in raw if key in BRANCHES]
    if branch_keys:
        return _parse_branch(raw, branch_keys, path, questions, scores, errors, allow_scores)
    return _parse_leaf(raw, path, questions, scores, errors, allow_scores)


def _parse_branch(
    raw: Mapping[str, Any],
    branch_keys: list[str],
    path: str,
    questions: Mapping[str, Question],
    scores: Mapping[str, Score],
    errors: list[str],
    allow_scores: bool,
) -> Condition | None:
    if len(raw) != 1:
        errors.append(f"{path}: a branch ({'/'.join(BRANCHES)}) must stand alone, found {sorted(raw)}")
        return None
    op = branch_keys[0]
    body = raw[op]
    if op == "not":
        child = parse_condition(body, f"{path}.not", questions, scores, errors, allow_scores=allow_scores)
        return None if child is None else Condition(op="not", children=(child,))
    if not isinstance(body, list) or not body:
        errors.append(f"{path}.{op}: expected a non-empty list of conditions")
        return None
    children = [
        parse_condition(item, f"{path}.{op}[{i}]", questions, scores, errors, allow_scores=allow_scores)
        for i, item in enumerate(body)
    ]
    if any(child is None for child in children):
        return None
    return Condition(op=op, children=tuple(c for c in children if c is not None))


def _parse_leaf(
    raw: Mapping[str, Any],
    path: str,
    questions: Mapping[str, Question],
    scores: Mapping[str, Score],
    errors: list[str],
    allow_scores: bool,
) -> Condition | None:
    if "always" in raw:
        if dict(raw) != {"always": True}:
            errors.append(f"{path}: `always` takes the value true and stands alone")
            return None
        return Condition(op="always")
    subjects = [key for key in raw if key in SUBJECTS]
    operators = [key for key in raw if key not in SUBJECTS]
    if len(subjects) != 1:
        errors.append(f"{path}: a leaf names exactly one of `question` or `score`, found {sorted(raw)}")
        return None
    if len(operators) != 1:
        errors.append(f"{path}: a leaf has exactly one operator, found {operators or 'none'}")
        return None
    subject_kind, op = subjects[0], operators[0]
    subject, value = raw[subject_kind], raw[op]
    operator = OPERATORS.get(op)
    if operator is None:
        errors.append(f"{path}: unknown operator {op!r}; known: {', '.join(OPERATORS)}")
        return None
    if subject_kind == "score":
        return _parse_score_leaf(subject, op, operator, value, path, scores, errors, allow_scores)
    question = questions.get(subject) if isinstance(subject, str) else None
    if question is None:
        errors.append(f"{path}.question: unknown question {subject!r}")
        return None
    if question.kind not in operator.kinds:
        errors.append(f"{path}.{op}: operator {op!r} does not apply to {question.kind.value} question {subject!r}")
        return None
    checked = _check_value(question, operator, value, f"{path}.{op}", errors)
    if checked is None:
        return None
    return Condition(op=op, subject_kind="question", subject=subject, value=checked)


def _parse_score_leaf(
    subject: Any,
    op: str,
    operator: Operator,
    value: Any,
    path: str,
    scores: Mapping[str, Score],
    errors: list[str],
    allow_scores: bool,
) -> Condition | None:
    if not allow_scores:
        errors.append(f"{path}.score: show_if may depend on questions only")
        return None
    if not isinstance(subject, str) or subject not in scores:
        errors.append(f"{path}.score: unknown score {subject!r}")
        return None
    if not operator.on_scores:
        errors.append(f"{path}.{op}: operator {op!r} does not apply to scores; use at_least or at_most")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{path}.{op}: expected a number, got {value!r}")
        return None
    return Condition(op=op, subject_kind="score", subject=subject, value=value)


def _check_value(question: Question, operator: Operator, value: Any, path: str, errors: list[str]) -> Any:
    try:
        if operator.value == "bool":
            if not isinstance(value, bool):
                raise AnswerError(question.id, f"expected true or false, got {value!r}")
            return value
        if operator.value == "answers":
            if not isinstance(value, list) or not value:
                raise AnswerError(question.id, "expected a non-empty list of answers")
            return frozenset(coerce(question, item, "lenient") for item in value)
        if operator.value == "code":
            if value not in question.codes:
                raise AnswerError(
                    question.id, f"{value!r} is not a choice; expected one of {', '.join(question.codes)}"
                )
            return value
        if operator.value == "number":
            if isinstance(value, bool) or not isinstance(value, int):
                raise AnswerError(question.id, f"expected a whole number, got {value!r}")
            return value
        return coerce(question, value, "lenient")
    except AnswerError as error:
        errors.append(f"{path}: {error.problem} (question {question.id!r})")
        return None


def walk(condition: Condition) -> Iterator[Condition]:
    """Every node of a condition tree, the root first."""
    yield condition
    for child in condition.children:
        yield from walk(child)


def questions_in(condition: Condition, scores: Mapping[str, Score]) -> frozenset[str]:
    """The question ids a condition reads, through scores too."""
    found: set[str] = set()
    for node in walk(condition):
        if node.subject_kind == "question":
            found.add(node.subject)
        elif node.subject_kind == "score":
            found.update(scores[node.subject].items)
    return frozenset(found)


def holds(
    condition: Condition,
    answers: Mapping[str, Answer],
    score_ranges: Mapping[str, ScoreRange],
    scores: Mapping[str, Score],
) -> tuple[bool, frozenset[str]]:
    """Whether the condition holds, and the answered questions that made it hold."""
    return (condition.compiled or _compile(condition))(answers, score_ranges, scores)


def is_met(condition: Condition, answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange]) -> bool:
    """Whether the condition holds: `holds` without the reasons, for callers that need none."""
    return (condition.compiled_check or _compile_check(condition))(answers, score_ranges)


# Each condition is turned into closures once, as `holds` and `is_met` first meet it, and kept on
# the condition: a bank's show_ifs and rules run on every request, and a closure does not look up
# the node's operator, subject and value each time. The meaning is all here:
# - a question leaf tests the answer with its operator; a question left blank holds only for
#   `answered: false`; the question is the reason when the leaf holds on an answer;
# - `all` fails (with no reasons) at the first child that fails, else unions its children's reasons;
# - `any` tries every child and unions the reasons of each that holds (every fired reason is named);
# - `not` and `always` give no reasons;
# - a score leaf tests the score's range, and its answered items are the reasons.
# `is_met`'s closures stop at the first child that settles an `all` or an `any`.


def _compile(condition: Condition) -> ConditionTest:
    test = _test_for(condition)
    object.__setattr__(condition, "compiled", test)
    return test


def _compile_check(condition: Condition) -> ConditionCheck:
    check = _check_for(condition)
    object.__setattr__(condition, "compiled_check", check)
    return check


def _test_for(condition: Condition) -> ConditionTest:
    op, subject, value = condition.op, condition.subject, condition.value
    if condition.subject_kind == "question":
        return _question_test(op, subject, value)
    if op == "all":
        return _all_test(tuple(child.compiled or _compile(child) for child in condition.children))
    if op == "any":
        return _any_test(tuple(child.compiled or _compile(child) for child in condition.children))
    if op == "not":
        return _not_test(condition.children[0].compiled_check or _compile_check(condition.children[0]))
    if op == "always":
        return lambda answers, score_ranges, scores: _BARE
    return _score_test(subject, OPERATORS[op].test, value)


def _question_test(op: str, subject: str, value: Any) -> ConditionTest:
    hit = (True, frozenset((subject,)))
    if op == "answered":  # the answer's presence alone decides, as the operator's test compares
        blank, given = (value is False, _NOTHING), hit if value == True else _MISS  # noqa: E712
        return lambda answers, score_ranges, scores: blank if answers.get(subject) is None else given
    # Blank is a miss for every other operator; the commonest are written out (see _question_check).
    if op == "is":
        return lambda answers, score_ranges, scores: (
            hit if (answer := answers.get(subject)) is not None and answer == value else _MISS
        )
    if op == "in":
        return lambda answers, score_ranges, scores: (
            hit if (answer := answers.get(subject)) is not None and answer in value else _MISS
        )
    if op == "includes":
        return lambda answers, score_ranges, scores: (
            hit if isinstance(answer := answers.get(subject), frozenset) and value in answer else _MISS
        )
    check = _question_check(op, subject, value)
    return lambda answers, score_ranges, scores: hit if check(answers, score_ranges) else _MISS


def _all_test(children: tuple[ConditionTest, ...]) -> ConditionTest:
    def test(
        answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange], scores: Mapping[str, Score]
    ) -> tuple[bool, frozenset[str]]:
        because = _NOTHING
        for child in children:
            ok, why = child(answers, score_ranges, scores)
            if not ok:
                return _MISS
            because |= why
        return True, because

    return test


def _any_test(children: tuple[ConditionTest, ...]) -> ConditionTest:
    def test(
        answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange], scores: Mapping[str, Score]
    ) -> tuple[bool, frozenset[str]]:
        matched = False
        because = _NOTHING
        for child in children:
            ok, why = child(answers, score_ranges, scores)
            if ok:
                matched = True
                because |= why
        return matched, because

    return test


def _not_test(child: ConditionCheck) -> ConditionTest:
    return lambda answers, score_ranges, scores: _MISS if child(answers, score_ranges) else _BARE


def _score_test(subject: str, operator: Callable[[Any, Any], bool], value: Any) -> ConditionTest:
    def test(
        answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange], scores: Mapping[str, Score]
    ) -> tuple[bool, frozenset[str]]:
        score_range = score_ranges.get(subject)
        if score_range is None or not operator(score_range, value):
            return _MISS
        return True, frozenset(item for item in scores[subject].items if item in answers)

    return test


def _check_for(condition: Condition) -> ConditionCheck:
    op, subject, value = condition.op, condition.subject, condition.value
    if condition.subject_kind == "question":
        return _question_check(op, subject, value)
    if op in ("all", "any"):
        children = tuple(child.compiled_check or _compile_check(child) for child in condition.children)
        return _all_check(children) if op == "all" else _any_check(children)
    if op == "not":
        child = condition.children[0].compiled_check or _compile_check(condition.children[0])
        return lambda answers, score_ranges: not child(answers, score_ranges)
    if op == "always":
        return lambda answers, score_ranges: True
    operator = OPERATORS[op].test

    def score_check(answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange]) -> bool:
        score_range = score_ranges.get(subject)
        return score_range is not None and operator(score_range, value)

    return score_check


def _question_check(op: str, subject: str, value: Any) -> ConditionCheck:
    # The commonest operators are written out, to spare a call to the operator's test.
    if op == "is":
        return lambda answers, score_ranges: (answer := answers.get(subject)) is not None and answer == value
    if op == "in":
        return lambda answers, score_ranges: (answer := answers.get(subject)) is not None and answer in value
    if op == "includes":
        return lambda answers, score_ranges: isinstance(answer := answers.get(subject), frozenset) and value in answer
    if op == "answered":  # as the operator's test compares
        blank, given = value is False, value == True  # noqa: E712
        return lambda answers, score_ranges: blank if answers.get(subject) is None else given
    operator = OPERATORS[op].test
    return lambda answers, score_ranges: (answer := answers.get(subject)) is not None and operator(answer, value)


def _all_check(children: tuple[ConditionCheck, ...]) -> ConditionCheck:
    def check(answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange]) -> bool:
        for child in children:  # noqa: SIM110 (a loop is faster than all() over a generator)
            if not child(answers, score_ranges):
                return False
        return True

    return check


def _any_check(children: tuple[ConditionCheck, ...]) -> ConditionCheck:
    def check(answers: Mapping[str, Answer], score_ranges: Mapping[str, ScoreRange]) -> bool:
        for child in children:  # noqa: SIM110 (a loop is faster than any() over a generator)
            if child(answers, score_ranges):
                return True
        return False

    return check


_NOTHING: frozenset[str] = frozenset()
_MISS = (False, _NOTHING)
_BARE = (True, _NOTHING)  # held, on no answered question
