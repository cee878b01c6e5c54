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
from .model import NUMERIC_KINDS, YES_NO_KINDS, Answer, Condition, Kind, Question, Score

BRANCHES = ("all", "any", "not")
SUBJECTS = ("question", "score")

# Score answers are (lowest possible, highest possible) given the items answered so far,
# so that a partial questionnaire is judged soundly: a lower bound that already reaches
# a threshold counts, an upper bound that might still exceed one does not.
ScoreRange = tuple[float, float]


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
    kind = condition.subject_kind
    if kind == "question":  # the commonest node first: this runs on every request
        answer = answers.get(condition.subject)
        if answer is None:  # only `answered: false` holds for a question left blank
            return (condition.op == "answered" and condition.value is False), _NOTHING
        if not OPERATORS[condition.op].test(answer, condition.value):
            return False, _NOTHING
        return True, frozenset((condition.subject,))
    op = condition.op
    if op == "all":
        because: frozenset[str] = _NOTHING
        for child in condition.children:
            ok, why = holds(child, answers, score_ranges, scores)
            if not ok:
                return False, _NOTHING
            because |= why
        return True, because
    if op == "any":
        matched = False
        because = _NOTHING
        for child in condition.children:
            ok, why = holds(child, answers, score_ranges, scores)
            if ok:
                matched = True
                because |= why
        return matched, because
    if op == "not":
        return not holds(condition.children[0], answers, score_ranges, scores)[0], _NOTHING
    if op == "always":
        return True, _NOTHING
    score_range = score_ranges.get(condition.subject)
    if score_range is None or not OPERATORS[op].test(score_range, condition.value):
        return False, _NOTHING
    return True, frozenset(item for item in scores[condition.subject].items if item in answers)


_NOTHING: frozenset[str] = frozenset()
