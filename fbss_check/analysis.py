"""Static checks that need a search: can a rule ever fire, can a question ever be shown?

The search is exact over a small domain: only the questions a condition reads (and the
questions that decide whether those are shown) vary, and each takes only the values that
can change an outcome (every code, each threshold and its neighbours, "unanswered").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from .conditions import is_met, questions_in, walk
from .engine import is_visible, score_ranges
from .model import Answer, Bank, Condition, Kind, Question

# Past this many combinations a condition is called too complex to check; the bank
# author is asked to split it rather than the check being skipped.
MAX_COMBINATIONS = 200_000


class TooComplex(Exception):
    """The search space of a condition is larger than MAX_COMBINATIONS."""


def controllers(bank: Bank, question_ids: Iterable[str]) -> list[str]:
    """The questions given plus every question their show_if depends on, in bank order."""
    found: set[str] = set()
    todo = list(question_ids)
    while todo:
        question_id = todo.pop()
        if question_id in found:
            continue
        found.add(question_id)
        show_if = bank.questions[question_id].show_if
        if show_if is not None:
            todo.extend(questions_in(show_if, bank.scores))
    return [q for q in bank.questions if q in found]


def _domain(question: Question, nodes: list[Condition]) -> list[Answer | None]:
    values: list[Answer | None] = [None]
    if question.kind is Kind.MULTIPLE_CHOICE:
        mentioned = sorted({n.value for n in nodes if n.subject == question.id and n.op == "includes"})
        for size in range(len(mentioned) + 1):
            values.extend(frozenset(combo) for combo in itertools.combinations(mentioned, size))
        return values
    if question.kind is Kind.WHOLE_NUMBER:
        low, high = question.bounds
        points = {low, high}
        for node in nodes:
            if node.subject == question.id and node.subject_kind == "question":
                wanted = node.value if isinstance(node.value, frozenset) else {node.value}
                for value in wanted:
                    if isinstance(value, int) and not isinstance(value, bool):
                        points.update({value - 1, value, value + 1})
        values.extend(sorted(p for p in points if low <= p <= high))
        return values
    if question.is_numeric:
        low, high = question.bounds
        values.extend(range(low, high + 1))
        return values
    values.extend(question.codes)
    return values


def alternatives(condition: Condition) -> Iterator[Condition]:
    """The condition as a list of alternatives, any one of which is enough (`any` spread out).

    The condition holds exactly when one alternative holds, and each alternative reads fewer
    questions, so searching them one by one keeps the search small.
    """
    if condition.op == "any":
        for child in condition.children:
            yield from alternatives(child)
    elif condition.op == "all":
        for combo in itertools.product(*(list(alternatives(child)) for child in condition.children)):
            yield Condition(op="all", children=combo)
    else:
        yield condition


def find_answers(bank: Bank, condition: Condition) -> dict[str, Answer] | None:
    """Answers under which the condition holds once hidden answers are dropped, or None.

    Raises TooComplex when the search space of one alternative is over MAX_COMBINATIONS.
    """
    for alternative in alternatives(condition):
        found = _find(bank, alternative)
        if found is not None:
            return found
    return None


def _find(bank: Bank, condition: Condition) -> dict[str, Answer] | None:
    involved = controllers(bank, questions_in(condition, bank.scores))
    nodes = list(walk(condition))
    for question_id in involved:
        show_if = bank.questions[question_id].show_if
        if show_if is not None:
            nodes.extend(walk(show_if))
    domains = [_domain(bank.questions[q], nodes) for q in involved]
    size = 1
    for domain in domains:
        size *= len(domain)
    if size > MAX_COMBINATIONS:
        raise TooComplex(f"{size} combinations")
    for combo in itertools.product(*domains):
        kept = _kept(bank, involved, combo)
        if is_met(condition, kept, score_ranges(bank, kept)):
            return kept
    return None


def _kept(bank: Bank, involved: list[str], combo: tuple[Answer | None, ...]) -> dict[str, Answer]:
    kept: dict[str, Answer] = {}
    for question_id, value in zip(involved, combo, strict=True):
        if value is not None and is_visible(bank.questions[question_id], kept, bank):
            kept[question_id] = value
    return kept
