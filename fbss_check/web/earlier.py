"""The earlier check a patient chose to compare with: its share code, kept only in their signed
session cookie (README, "Compare with last time")."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, session

from fbss_check.compare import Comparison, compare
from fbss_check.model import Answer, Bank

from .handoff import Handoff, InvalidCode, read_code

EARLIER = "earlier"  # session key: the earlier check's share code, as the patient gave it


def current_earlier(bank: Bank) -> Handoff | None:
    """The earlier check the patient chose to compare with, or None (a code the app can no longer
    read, after a change of key, is forgotten)."""
    code = session.get(EARLIER)
    if not isinstance(code, str):
        return None
    try:
        return read_code(current_app.secret_key or "", bank, code)
    except InvalidCode:
        session.pop(EARLIER, None)
        return None


def comparison(bank: Bank, answers: Mapping[str, Answer]) -> Comparison | None:
    earlier = current_earlier(bank)
    return compare(bank, earlier.as_earlier(), answers) if earlier is not None else None
