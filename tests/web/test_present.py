"""What the warning, the result and the clinician view list as reasons, and what to tell the staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import format_date, format_time

from fbss_check import default_bank
from fbss_check.clinics import Clinic
from fbss_check.engine import Flag
from fbss_check.model import Urgency
from fbss_check.regions import region_for
from fbss_check.web import context, create_app
from fbss_check.web.present import fill, made_at, phone_links, reasons_to_show


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


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("region_code", ["us", "uk", "eu"])
def test_a_bank_text_filled_with_its_links_is_the_same_made_once_as_made_afresh(
    app: Flask, language: str, region_code: str
) -> None:
    """The templates' fill_links keeps each bank text filled in, with its phone links, once a
    language, region and clinic: the same words as fill and phone_links each time, in each language."""
    region = region_for(region_code)
    clinic = Clinic("north", "North Spine Centre", "01632 960100", "01632 960199", region)
    bank = default_bank().in_language(language)
    texts = [text for topic in bank.topics.values() for text in (topic.summary, topic.involves, topic.risks)]
    texts += [tier.action for tier in bank.tiers.values()]
    assert any("{" in text for text in texts)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for text in texts:
            for where in (None, clinic):
                made = phone_links(fill(text, region, where), region, where)
                assert context.filled_links(text, region, where) == made
                assert context.filled_links(text, region, where) == made  # and again, kept
    with app.test_request_context("/", headers={"Accept-Language": "es" if language == "en" else "en"}):
        other = [context.filled_links(text, region, clinic) for text in texts]
    with app.test_request_context("/", headers={"Accept-Language": language}):
        here = [context.filled_links(text, region, clinic) for text in texts]
    assert other != here  # the region's words follow the language


def test_the_time_a_summary_was_made_is_written_to_the_minute_in_the_readers_language_and_zone() -> None:
    """made_at keeps its words a minute: the same as Flask-Babel writes them, for each language and
    time zone, and a new minute is new words."""
    moment = datetime(2026, 12, 3, 9, 5, 59, 999, tzinfo=UTC)
    seen = set()
    for zone in ("UTC", "Europe/London", "America/Chicago"):
        app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "BABEL_DEFAULT_TIMEZONE": zone})
        for language in ("en", "es"):
            with app.test_request_context("/", headers={"Accept-Language": language}):
                for when in (moment, moment.replace(second=0, microsecond=0), moment + timedelta(seconds=1)):
                    words = made_at(when)
                    expected = f"{format_date(when, 'long')}, {format_time(when, 'short')} ({zone})"
                    assert words == expected == made_at(when), (zone, language, when)
                    seen.add(words)
    assert len(seen) == 3 * 2 * 2  # each zone and language; 9:05 and 9:06
