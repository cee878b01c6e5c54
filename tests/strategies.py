"""Hypothesis strategies over the whole answer space of a bank."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from fbss_check.model import Answer, Bank, Kind, Question


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
