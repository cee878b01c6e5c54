"""fbss-check: a self-check for people who still hurt after spine surgery (no Flask here)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .answers import AnswerError, coerce_all
from .bank import DEFAULT_BANK_PATH, BankError, load_bank
from .engine import Flag, Outcome, evaluate_answers
from .legacy import upgrade_answers
from .model import Bank, Urgency

__all__ = [
    "AnswerError",
    "Bank",
    "BankError",
    "Flag",
    "Outcome",
    "Urgency",
    "default_bank",
    "evaluate",
    "load_bank",
]


@functools.cache
def default_bank() -> Bank:
    """The bank shipped beside the package, loaded and validated once."""
    return load_bank(DEFAULT_BANK_PATH)


def evaluate(answers: Mapping[str, Any], bank: Bank | None = None) -> Outcome:
    """Evaluate answers given as JSON values (yes/no as true/false, "unsure", codes, numbers, lists).

    Answers to questions retired in bank 2.0 are read as their successors (`legacy`).
    Raises AnswerError naming the question for an unknown id or a value that does not fit.
    """
    bank = bank or default_bank()
    return evaluate_answers(bank, coerce_all(bank.questions, upgrade_answers(answers), "json"))
