"""Shared fixtures: the real bank, its raw YAML, and hypothesis profiles (dev, ci)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from fbss_check import Bank, load_bank

ROOT = Path(__file__).resolve().parent.parent
BANK_PATH = ROOT / "questions.yaml"
# The contract's emergency signs: any one of these answers alone is an emergency, whenever its
# question is shown (signs behind a gate are shown when the gate is unanswered or not sure).
EMERGENCY_SIGNS: list[tuple[str, Any]] = [
    ("bladder_control_change", "yes"),
    ("bowel_control_change", "yes"),
    ("saddle_numbness", "yes"),
    ("sex_changes", frozenset({"genital_numbness"})),
    ("sex_changes", frozenset({"erection_trouble"})),
    ("both_legs_change", "fast"),
    ("chest_pain_or_breathless", "yes"),
    ("very_unwell", "yes"),
    ("serious_injury", "yes"),
    ("neck_swelling", "yes"),
    ("breathing_noisy", "yes"),
    ("swallow_saliva", "yes"),
    ("hands_clumsy", "fast"),
    ("walking_unsteady", "fast"),
    ("rising_numbness", "yes"),
    ("coughing_blood", "yes"),
    ("fainted", "yes"),
    ("breathing_slow", "yes"),
    ("pump_baclofen_signs", "yes"),
    ("asq_now", "yes"),
    # "Not sure" where hours matter is treated as the emergency it may be.
    ("bladder_control_change", "unsure"),
    ("bowel_control_change", "unsure"),
    ("saddle_numbness", "unsure"),
    ("neck_swelling", "unsure"),
    ("breathing_noisy", "unsure"),
    ("swallow_saliva", "unsure"),
    ("breathing_slow", "unsure"),
]

settings.register_profile("dev", max_examples=150, deadline=None)
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(BANK_PATH)


@pytest.fixture(scope="session")
def _raw_bank() -> dict[str, Any]:
    return yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def raw_bank(_raw_bank: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the bank's YAML data, free to break."""
    return copy.deepcopy(_raw_bank)
