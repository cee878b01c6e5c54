"""What the warning, the result and the clinician view list as reasons, and what to tell the staff."""

from __future__ import annotations

from typing import Any

from fbss_check.engine import Flag
from fbss_check.model import Urgency
from fbss_check.web.present import reasons_to_show


def _reason(flag_id: str, urgency: Urgency, *because: str) -> dict[str, Any]:
    items = [{"id": q, "question": q, "answer": "Yes"} for q in because]
    return {"flag": Flag(flag_id, urgency, f"{flag_id} message", because), "because": items}


def test_a_lower_tier_reason_on_answers_already_named_is_left_out() -> None:
    urgent = _reason("night_pain_after_cancer", Urgency.URGENT, "night_pain", "cancer_history")
    soon = _reason("night_pain", Urgency.SOON, "night_pain")
    other = _reason("new_numbness", Urgency.SOON, "new_numbness", "night_pain")
    shown, also = reasons_to_show([urgent, soon, other], Urgency.URGENT)
    assert shown == [urgent, other]
    assert also == []


def test_with_an_emergency_the_other_answers_are_told_to_the_staff_once_each() -> None:
    emergency = _reason("cauda_equina", Urgency.EMERGENCY, "bladder_control_change")
    urgent = _reason("fever_after_surgery", Urgency.URGENT, "fever", "bladder_control_change")
    soon = _reason("fever_soon", Urgency.SOON, "fever")
    bare = _reason("low_mood", Urgency.SOON)
    shown, also = reasons_to_show([emergency, urgent, soon, bare], Urgency.EMERGENCY)
    assert shown == [emergency]
    assert [(item and item["id"], flag.id) for item, flag in also] == [
        ("fever", "fever_after_surgery"),
        (None, "low_mood"),
    ]


def test_the_clinician_sees_every_tier() -> None:
    emergency = _reason("cauda_equina", Urgency.EMERGENCY, "bladder_control_change")
    urgent = _reason("fever_after_surgery", Urgency.URGENT, "fever")
    assert reasons_to_show([emergency, urgent]) == ([emergency, urgent], [])
