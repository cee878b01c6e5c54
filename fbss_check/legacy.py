"""Answers made under bank 1.x, read under bank 2: each retired question mapped onto its successors.

Bank 2.0 split questions that asked two things at once and folded yes/no questions into short
checklists. A 1.x answer keeps working (in `evaluate`, the CLI and share codes) and is mapped
so that it never gives a lower tier than it did under 1.x: a 1.x "yes" to a question that asked
two things becomes "yes" to the more serious half.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import AnswerError

# 1.x weeks since surgery -> the bank 2 time band (lowest week of each band).
_TIME_BANDS = (
    (104, "years_2_plus"),
    (52, "years_1_2"),
    (26, "months_6_12"),
    (12, "months_3_6"),
    (6, "weeks_6_12"),
    (2, "weeks_2_6"),
    (0, "weeks_0_2"),
)

# 1.x yes/no questions folded into a bank 2 checklist: old id -> (checklist id, code for "yes").
_INTO_CHECKLIST = {
    "cancer_history": ("health_conditions", "past_cancer"),
    "smoker": ("health_conditions", "smoker"),
    "sleep_poor": ("health_conditions", "sleep_poor"),
    "new_level_pain": ("body_changes", "new_place"),
    "original_symptoms_returned": ("body_changes", "old_symptoms_back"),
    "numbness_tingling": ("body_changes", "new_numbness"),
    "mobility_limited": ("body_changes", "harder_to_move"),
    "sexual_function_change": ("sex_changes", "genital_numbness"),
}
# 1.x yes/no questions that became one bank 2 question (its more serious half).
_RENAMED = {
    "pain_uncontrolled": "pain_sudden_worse",
    "weight_loss_or_night_pain": "night_pain",
}
# 1.x questions dropped without a successor: the answer told the clinician where, not how serious.
_DROPPED = ("pain_where",)

RETIRED = frozenset({"weeks_since_surgery", "both_legs_symptoms", *_INTO_CHECKLIST, *_RENAMED, *_DROPPED})


def _said(question_id: str, value: Any) -> str | None:
    """yes, no or unsure, whether given as JSON (true/false) or as codes; None when not given."""
    if value is None:
        return None
    if value is True or value == "yes":
        return "yes"
    if value is False or value == "no":
        return "no"
    if value == "unsure":
        return "unsure"
    raise AnswerError(question_id, f'expected true, false or "unsure", got {value!r}')


def _time_band(weeks: Any) -> str | None:
    if weeks is None:
        return None
    if isinstance(weeks, bool) or not isinstance(weeks, int | float):
        raise AnswerError("weeks_since_surgery", f"expected a whole number, got {weeks!r}")
    if isinstance(weeks, float) and not weeks.is_integer():
        raise AnswerError("weeks_since_surgery", f"expected a whole number, got {weeks!r}")
    if not 0 <= weeks <= 2600:
        raise AnswerError("weeks_since_surgery", f"{int(weeks)} is out of range; expected 0 to 2600")
    return next(code for low, code in _TIME_BANDS if weeks >= low)


def upgrade_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """JSON answers with every 1.x-only question mapped onto bank 2; answers under bank 2 ids win."""
    if not RETIRED.intersection(raw):
        return dict(raw)
    kept = {key: value for key, value in raw.items() if key not in RETIRED}
    mapped: dict[str, Any] = {}
    band = _time_band(raw.get("weeks_since_surgery"))
    if band is not None:
        mapped["time_since_surgery"] = band
    legs = _said("both_legs_symptoms", raw.get("both_legs_symptoms"))
    if legs is not None:
        mapped["both_legs_change"] = {"yes": "fast", "no": "no", "unsure": "not_sure"}[legs]
    for old, new in _RENAMED.items():
        said = _said(old, raw.get(old))
        if said is not None:
            mapped[new] = said == "yes" if said != "unsure" else "unsure"
    chosen: dict[str, list[str]] = {}
    for old, (checklist, code) in _INTO_CHECKLIST.items():
        said = _said(old, raw.get(old))
        if said == "yes":
            chosen.setdefault(checklist, []).append(code)
        elif said == "unsure" and checklist == "sex_changes":
            chosen.setdefault(checklist, []).append("not_sure")
    # A 1.x "no" leaves a checklist unanswered: 1.x never asked about its other items.
    mapped.update({checklist: sorted(codes) for checklist, codes in chosen.items()})
    return {**mapped, **kept}
