"""Hypothesis strategies over the whole answer space of a bank."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from fbss_check.conditions import OPERATORS, walk
from fbss_check.model import Answer, Bank, Condition, Kind, Question, Score


def answer_for(question: Question) -> st.SearchStrategy[Answer]:
    """Any valid normalised answer to one question."""
    if question.kind is Kind.MULTIPLE_CHOICE:
        others = [code for code in question.codes if code not in question.exclusive_codes]
        alone = st.sampled_from(sorted(question.exclusive_codes)).map(lambda code: frozenset({code}))
        return (
            st.one_of(st.frozensets(st.sampled_from(others)), alone)
            if question.exclusive_codes
            else (st.frozensets(st.sampled_from(others)))
        )
    if question.is_numeric:
        low, high = question.bounds
        edges = st.sampled_from([low, high, 11, 12, 13]).filter(lambda n: low <= n <= high)
        return st.one_of(st.integers(low, high), edges)
    return st.sampled_from(question.codes)


def answers(bank: Bank) -> st.SearchStrategy[dict[str, Answer]]:
    """Any subset of questions answered, each with any valid answer."""
    pairs: dict[str, Any] = {
        question_id: st.one_of(st.none(), answer_for(question)) for question_id, question in bank.questions.items()
    }
    return st.fixed_dictionaries(pairs).map(lambda d: {k: v for k, v in d.items() if v is not None})


def every_answer(bank: Bank) -> st.SearchStrategy[dict[str, Answer]]:
    """Every question answered, each with any valid answer: a check that reached every page."""
    return st.fixed_dictionaries(
        {question_id: answer_for(question) for question_id, question in bank.questions.items()}
    )


def _operand(question: Question, value_kind: str) -> st.SearchStrategy[Any]:
    """A value an operator of this kind compares the question's answer with."""
    if value_kind == "bool":
        return st.booleans()
    if value_kind == "code":
        return st.sampled_from(question.codes)
    if value_kind == "number":  # a line anywhere in the answer's range, or just outside it
        low, high = question.bounds
        return st.integers(low - 1, high + 1)
    if value_kind == "answers":
        return st.frozensets(answer_for(question), min_size=1)
    return answer_for(question)


def _question_leaf(question: Question) -> st.SearchStrategy[Condition]:
    ops = sorted(op for op, operator in OPERATORS.items() if question.kind in operator.kinds)
    return st.sampled_from(ops).flatmap(
        lambda op: _operand(question, OPERATORS[op].value).map(
            lambda value: Condition(op=op, subject_kind="question", subject=question.id, value=value)
        )
    )


def _score_leaf(score: Score) -> st.SearchStrategy[Condition]:
    top = score.item_max * len(score.items) + 1  # above the highest sum or mean
    return st.builds(
        lambda op, value: Condition(op=op, subject_kind="score", subject=score.id, value=value),
        st.sampled_from([op for op, operator in OPERATORS.items() if operator.on_scores]),
        st.one_of(st.integers(-1, top), st.floats(-1, top, allow_nan=False)),
    )


def conditions(bank: Bank) -> st.SearchStrategy[Condition]:
    """Any condition tree over the bank's questions and scores, with the bank's own rules,
    show_ifs and their branches among its parts."""
    known = [node for rule in bank.rules for node in walk(rule.when)]
    known += [node for q in bank.questions.values() if q.show_if is not None for node in walk(q.show_if)]
    leaves = st.one_of(
        st.sampled_from(list(bank.questions.values())).flatmap(_question_leaf),
        st.sampled_from(list(bank.scores.values())).flatmap(_score_leaf),
        st.just(Condition(op="always")),
        st.sampled_from(known),
    )
    return st.recursive(leaves, _branches, max_leaves=16)


def _branches(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    several = st.lists(children, min_size=1, max_size=4).map(tuple)
    return st.one_of(
        st.builds(lambda op, items: Condition(op=op, children=items), st.sampled_from(["all", "any"]), several),
        children.map(lambda child: Condition(op="not", children=(child,))),
    )


def answers_to(bank: Bank, condition: Condition) -> st.SearchStrategy[dict[str, Answer | None]]:
    """For each question a condition names, no answer (None), any answer, or one its leaves name
    (the value it `is`, one it is `in`, codes it `includes`, a line and its neighbours)."""
    named: dict[str, list[Any]] = {}
    for node in walk(condition):
        if node.subject_kind == "question":
            named.setdefault(node.subject, [])
            if node.op == "is":
                named[node.subject].append(node.value)
            elif node.op == "in":
                named[node.subject].extend(node.value)
            elif node.op == "includes":
                named[node.subject].append(node.value)
            elif node.op in ("at_least", "at_most"):
                named[node.subject].extend((node.value - 1, node.value, node.value + 1))
    return st.fixed_dictionaries(
        {question_id: _answer_near(bank.questions[question_id], values) for question_id, values in named.items()}
    )


def _answer_near(question: Question, named: list[Any]) -> st.SearchStrategy[Answer | None]:
    if not named:
        return st.one_of(st.none(), answer_for(question))
    if question.kind is Kind.MULTIPLE_CHOICE:  # named codes, ticked together or not
        return st.one_of(st.none(), answer_for(question), st.frozensets(st.sampled_from(sorted(named))))
    return st.one_of(st.none(), answer_for(question), st.sampled_from(named))
