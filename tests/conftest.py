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
# The contract's emergency signs: yes to any one of them alone is an emergency.
EMERGENCY_SIGNS = [
    "bladder_control_change",
    "bowel_control_change",
    "saddle_numbness",
    "sexual_function_change",
    "both_legs_symptoms",
    "chest_pain_or_breathless",
    "very_unwell",
    "serious_injury",
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
