"""The patient's questionnaire through the Flask test client, with JavaScript off by nature."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from fbss_check import BankError
from fbss_check.web import create_app
from tests.conftest import BANK_PATH
from tests.web.conftest import CALM_ANSWERS, Patient, continue_url, soup

TIER_WALKS = [
    pytest.param({}, "routine", id="routine"),
    pytest.param({"time_since_surgery": "months_6_12"}, "soon", id="soon-persistent-pain"),
    pytest.param({"phq4_interest": "2", "phq4_down": "2"}, "soon", id="soon-mood"),
    pytest.param({"fever": "yes"}, "urgent", id="urgent-fever"),
    pytest.param({"calf_swelling": "unsure"}, "urgent", id="urgent-not-sure"),
    pytest.param({"bladder_control_change": "yes"}, "emergency", id="emergency-bladder"),
    pytest.param(
        {"new_leg_weakness": "yes", "health_conditions": ["past_cancer"]}, "emergency", id="emergency-weak-leg-cancer"
    ),
    pytest.param(
        {"surgery_region": ["neck"], "time_since_surgery": "weeks_0_2", "neck_swelling": "yes"},
        "emergency",
        id="emergency-neck-swelling",
    ),
    pytest.param({"asq_better_off": "yes", "asq_now": "no"}, "urgent", id="urgent-suicide-screen"),
    pytest.param({"asq_wish_dead": "yes", "asq_now": "yes"}, "emergency", id="emergency-suicide-now"),
]


def urgency_of(response: Any) -> str:
    elements = soup(response).select("[data-urgency]")
    assert len(elements) == 1, f"expected exactly one data-urgency element, found {len(elements)}"
    return str(elements[0]["data-urgency"])


@pytest.mark.parametrize(("changes", "tier"), TIER_WALKS)
def test_a_full_walk_gives_the_tier_on_the_result_and_the_summary(
    patient: Patient, changes: dict[str, Any], tier: str
) -> None:
    check = patient.walk({**CALM_ANSWERS, **changes})
    assert check.status_code == 200
    result = patient.get("/result")
    assert result.status_code == 200
    assert urgency_of(result) == tier
    page = soup(result)
    assert page.main is not None and page.main["id"] == "result"
    assert page.find(id="urgency-heading") is not None
    assert "2.3.0" in page.get_text()  # the bank version
    summary = patient.get("/summary")
    assert urgency_of(summary) == tier
    assert soup(summary).select_one(".notes-box") is not None


def test_the_warning_page_comes_right_after_the_page_with_the_red_flag(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    posted = patient.answer_page("/questions/emergency_signs", {**CALM_ANSWERS, "saddle_numbness": "yes"})
    assert posted.headers["Location"] == "/warning?next=your_surgery"
    warning = patient.get(posted.headers["Location"])
    assert urgency_of(warning) == "emergency"
    text = soup(warning).get_text(" ")
    assert "Call 911" in text and "Because you said" in text and "between your legs" in text
    assert continue_url(warning) == "/questions/your_surgery"


def test_an_urgent_sign_on_a_later_page_also_warns_and_then_continues(patient: Patient) -> None:
    patient.start()
    for section in ("your_spine", "emergency_signs", "your_surgery"):
        patient.answer_page(f"/questions/{section}", CALM_ANSWERS)
    posted = patient.answer_page("/questions/urgent_signs", {**CALM_ANSWERS, "wound_problem": "yes"})
    assert posted.headers["Location"] == "/warning?next=pain_details"
    assert urgency_of(patient.get(posted.headers["Location"])) == "urgent"


def test_a_warning_is_shown_once_per_flag(patient: Patient) -> None:
    patient.start()
    for section in ("your_spine", "emergency_signs", "your_surgery"):
        patient.answer_page(f"/questions/{section}", CALM_ANSWERS)
    first = patient.answer_page("/questions/urgent_signs", {**CALM_ANSWERS, "fever": "yes"})
    assert first.headers["Location"].startswith("/warning")
    patient.get("/questions/urgent_signs")
    again = patient.answer_page("/questions/urgent_signs", {**CALM_ANSWERS, "fever": "yes"})
    assert again.headers["Location"] == "/questions/pain_details"


def test_changing_an_answer_drops_the_branch_the_patient_left(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "pain_trend": "worse"})
    assert urgency_of(patient.get("/result")) == "soon"
    # Back to the first page: no pain any more, so the pain questions no longer apply.
    posted = patient.answer_page("/questions/your_spine", {**CALM_ANSWERS, "pain_persisting": "no"})
    assert posted.headers["Location"] == "/check"
    check = patient.get("/check")
    changed = [str(a["data-change"]) for a in soup(check).select("[data-change]")]
    assert "pain_trend" not in changed and "peg_pain" not in changed
    assert urgency_of(patient.get("/result")) == "routine"
    # And saying yes again asks the pain questions afresh: nothing was kept from before.
    posted = patient.answer_page("/questions/your_spine", {**CALM_ANSWERS, "pain_persisting": "yes"})
    assert posted.headers["Location"] == "/questions/pain_details"
    page = soup(patient.get("/questions/pain_details"))
    assert not page.select("input[name=pain_trend][checked]")


def test_every_change_link_on_check_your_answers_works_and_returns_there(patient: Patient) -> None:
    check = patient.walk(CALM_ANSWERS)
    page = soup(check)
    # Low back, 6 to 11 weeks after a fusion, with pain: no neck, device or risk-factor questions, and
    # the 3 signs of the first months (coughing blood, fainting, headache when upright).
    assert len(page.select("details a[data-change]")) == 41
    # The yes answers (pain, a treatment tried) are listed first too, with their own Change links.
    reported = [str(a["data-change"]) for a in page.select("[data-reported] a[data-change]")]
    assert reported == ["pain_persisting", "treatments_tried"]
    links = page.select("a[data-change]")
    for link in links:
        url, anchor = str(link["href"]).split("#")
        page = patient.get(url)
        assert page.status_code == 200
        assert soup(page).find(id=anchor) is not None, f"no input {anchor} on {url}"
        posted = patient.answer_page(url, CALM_ANSWERS)
        assert posted.headers["Location"] == "/check", link["data-change"]


def test_back_links_lead_to_the_previous_page_with_answers_kept(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    page = soup(patient.get("/questions/emergency_signs"))
    assert page.select_one("a.back-link")["href"] == "/questions/your_spine"
    assert page.select_one("input[name=bladder_control_change][value=no]").has_attr("checked")
    first = soup(patient.get("/questions/your_spine"))
    assert first.select_one("input[name=surgery_region][value=low_back]").has_attr("checked")
    assert first.select_one("a.back-link")["href"] == "/"


def test_refresh_and_double_submit_are_harmless(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    first = patient.answer_page("/questions/mood_sleep", CALM_ANSWERS)
    patient.get("/questions/mood_sleep")
    second = patient.post(
        "/questions/mood_sleep",
        {
            q: CALM_ANSWERS[q]
            for q in (
                "phq4_interest",
                "phq4_down",
                "phq4_nervous",
                "phq4_worry",
                "asq_wish_dead",
                "asq_better_off",
                "asq_thoughts",
                "asq_tried",
            )
        },
    )
    assert first.headers["Location"] == second.headers["Location"] == "/check"
    one, two = patient.get("/result"), patient.get("/result")
    # The same page, byte for byte, but for the CSRF token, which Flask-WTF signs with the current second.
    assert without_csrf_token(one.get_data(as_text=True)) == without_csrf_token(two.get_data(as_text=True))
    # A second click on "Start now" and a second "Delete my answers" do not fail either.
    patient.get("/")
    assert patient.post("/start", {}).status_code == 302
    assert patient.post("/start", {}).status_code == 302


def without_csrf_token(html: str) -> str:
    return re.sub(r'(name="csrf_token" type="hidden" value=")[^"]+"', r'\1"', html)


@pytest.mark.parametrize(
    ("data", "message", "href"),
    [
        pytest.param({}, "Choose yes, no or not sure", "#bladder_control_change-0", id="missing"),
        pytest.param(
            {"bladder_control_change": "maybe"},
            "Choose yes, no or not sure",
            "#bladder_control_change-0",
            id="not-a-choice",
        ),
        pytest.param({"serious_injury": "unsure"}, "Choose yes or no", "#serious_injury-0", id="unsure-not-allowed"),
    ],
)
def test_missing_and_invalid_answers_show_the_error_summary(
    patient: Patient, data: dict[str, str], message: str, href: str
) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    answers = {q: v for q, v in CALM_ANSWERS.items() if q not in ("bladder_control_change", "serious_injury")}
    page = patient.get("/questions/emergency_signs")
    response = patient.post(
        "/questions/emergency_signs", {**{q: answers[q] for q in patient.shown_fields(page) if q in answers}, **data}
    )
    assert response.status_code == 200
    html = soup(response)
    assert html.title is not None and html.title.get_text().startswith("Error: ")
    summary = html.select_one(".error-summary")
    assert summary is not None and summary.has_attr("autofocus")
    links = {str(a["href"]): str(a.contents[0]) for a in summary.select("a")}
    assert links.get(href) == message
    assert html.find(id=href[1:]) is not None
    assert html.select_one("input[name=bowel_control_change][value=no]").has_attr("checked")  # nothing lost


@pytest.mark.parametrize(
    ("count", "message"),
    [
        pytest.param("six", "Enter a whole number using digits only, such as 6", id="words"),
        pytest.param("3.5", "Enter a whole number using digits only, such as 6", id="fraction"),
        pytest.param("0", "Enter a number from 1 to 20", id="zero"),
        pytest.param("99999", "Enter a number from 1 to 20", id="too-big"),
    ],
)
def test_a_bad_number_is_explained(patient: Patient, count: str, message: str) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", CALM_ANSWERS)
    response = patient.answer_page("/questions/your_surgery", {**CALM_ANSWERS, "operations_count": count})
    assert response.status_code == 200
    summary = soup(response).select_one(".error-summary")
    assert summary is not None
    assert [str(a.contents[0]) for a in summary.select("a")] == [message]
    assert summary.select_one("a")["href"] == "#operations_count"


def test_the_number_of_operations_can_be_left_empty_by_a_patient_who_is_not_sure(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", CALM_ANSWERS)
    page = patient.get("/questions/your_surgery")
    assert "If you are not sure, leave it empty." in soup(page).get_text(" ")
    response = patient.answer_page("/questions/your_surgery", {**CALM_ANSWERS, "operations_count": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/questions/urgent_signs"


def test_none_of_these_cannot_be_ticked_with_another_answer(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", CALM_ANSWERS)
    response = patient.answer_page(
        "/questions/your_surgery", {**CALM_ANSWERS, "devices_medicines": ["none", "blood_thinner"]}
    )
    assert response.status_code == 200
    summary = soup(response).select_one(".error-summary")
    assert summary is not None
    links = [a.get_text() for a in summary.select("a")]
    assert len(links) == 1 and links[0].startswith("Choose “None of these” on its own, or untick it")
    assert soup(response).select_one("input[name=devices_medicines][value=blood_thinner]").has_attr("checked")


def test_the_first_page_asks_where_and_when_and_not_sure_shows_every_sign(patient: Patient) -> None:
    patient.start()
    page = patient.get("/questions/your_spine")
    assert patient.shown_fields(page) == ["surgery_region", "time_since_surgery", "pain_persisting"]
    patient.answer_page(
        "/questions/your_spine",
        {"surgery_region": ["not_sure"], "time_since_surgery": "not_sure", "pain_persisting": "no"},
    )
    shown = patient.shown_fields(patient.get("/questions/emergency_signs"))
    assert {"neck_swelling", "breathing_noisy", "swallow_saliva", "coughing_blood", "fainted"} <= set(shown)
    patient.answer_page(
        "/questions/your_spine",
        {"surgery_region": ["low_back"], "time_since_surgery": "years_2_plus", "pain_persisting": "no"},
    )
    shown = patient.shown_fields(patient.get("/questions/emergency_signs"))
    assert not {"neck_swelling", "hands_clumsy", "coughing_blood", "fainted"} & set(shown)


def test_skipping_ahead_by_address_leads_back_to_the_first_unanswered_page(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    for url in ("/questions/treatments", "/check", "/result", "/summary"):
        response = patient.get(url)
        assert response.headers["Location"] == "/questions/emergency_signs", url


def test_a_page_hidden_by_earlier_answers_redirects(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "pain_persisting": "no"})
    assert patient.get("/questions/pain_scores").headers["Location"] == "/check"


@pytest.mark.parametrize("url", ["/questions/emergency_signs", "/check", "/result", "/summary", "/warning"])
def test_without_a_session_every_page_explains_and_offers_to_start_again(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == "/session-expired"
    page = client.get("/session-expired")
    assert page.status_code == 200
    assert "Start again" in page.get_data(as_text=True)


def test_a_tampered_session_cookie_is_treated_as_expired(patient: Patient, client: FlaskClient) -> None:
    patient.walk(CALM_ANSWERS)
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value[:-3] + "abc")
    assert client.get("/result").headers["Location"] == "/session-expired"


def test_an_expired_session_cookie_is_treated_as_expired(app: Flask) -> None:
    from datetime import timedelta

    short = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "PERMANENT_SESSION_LIFETIME": timedelta(seconds=-1)})
    patient = Patient(short.test_client())
    patient.start()
    assert patient.get("/questions/emergency_signs").headers["Location"] == "/session-expired"


def test_a_page_opened_soon_after_an_answer_leaves_the_cookie_as_it_is(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    for url in ("/check", "/result", "/questions/pain_scores"):
        response = patient.get(url)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, url


def test_an_idle_session_lasts_two_hours_from_the_last_page_opened_not_the_last_answer(
    patient: Patient, app: Flask
) -> None:
    patient.walk(CALM_ANSWERS)
    answered = time.time()
    lifetime = app.permanent_session_lifetime.total_seconds()
    opened = answered + lifetime * 0.75
    with mock.patch("itsdangerous.timed.time.time", return_value=opened):
        response = patient.get("/check")
        assert response.status_code == 200 and "Set-Cookie" in response.headers
    opened_again = opened + lifetime - 120  # long past two hours since the last answer
    with mock.patch("itsdangerous.timed.time.time", return_value=opened_again):
        assert patient.get("/result").status_code == 200
    with mock.patch("itsdangerous.timed.time.time", return_value=opened_again + lifetime + 60):
        assert patient.get("/result").headers["Location"] == "/session-expired"


def test_delete_my_answers_clears_them(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    patient.get("/result")
    response = patient.post("/delete", {})
    assert response.headers["Location"] == "/?deleted=1"
    assert "Your answers have been deleted" in patient.get("/?deleted=1").get_data(as_text=True)
    assert patient.get("/result").headers["Location"] == "/session-expired"


def test_the_session_cookie_holds_codes_not_text(patient: Patient, client: FlaskClient) -> None:
    patient.walk(CALM_ANSWERS)
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 1500
    assert cookie.http_only and cookie.same_site == "Lax"


def test_pages_that_show_answers_are_never_cached(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    for url in ("/questions/emergency_signs", "/check", "/result", "/summary"):
        assert patient.get(url).headers["Cache-Control"] == "no-store", url


def test_the_start_page_says_what_this_is_and_starts_with_a_button(client: FlaskClient) -> None:
    page = soup(client.get("/"))
    text = page.get_text(" ")
    assert "not give a diagnosis" in text and "about 10 minutes" in text and "Nothing you enter is stored" in text
    assert "911" in text
    button = page.find("button", string="Start now")
    assert button is not None and button.find_parent("form")["action"] == "/start"


def test_question_pages_have_fieldsets_legends_hints_and_progress(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    page = soup(patient.get("/questions/emergency_signs"))
    fieldsets = page.select("fieldset")
    assert len(fieldsets) == 10  # low back, 6 to 11 weeks: the 8 signs for everyone and 2 of the first months
    for fieldset in fieldsets:
        assert fieldset.legend is not None and fieldset.legend.get_text(strip=True)
    hint = page.find(id="bladder_control_change-hint")
    assert hint is not None
    fieldset = page.select_one("#bladder_control_change-group fieldset")
    assert "bladder_control_change-hint" in fieldset["aria-describedby"]
    values = [str(i["value"]) for i in page.select("input[name=bladder_control_change]")]
    assert values == ["yes", "no", "unsure"]


def test_the_mood_page_and_the_result_show_the_crisis_line(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    for url in ("/questions/mood_sleep", "/result"):
        text = soup(patient.get(url)).get_text(" ")
        assert "988" in text and "even when this check finds no warning sign" in text, url


def test_a_positive_suicide_screen_asks_about_right_now_with_the_crisis_line_on_that_page(patient: Patient) -> None:
    """The "right now" question comes straight after the screen, before the warning: it decides
    whether this is an emergency (hazard log H30). The warning then leads with the crisis line."""
    answers = {**CALM_ANSWERS, "asq_thoughts": "yes", "asq_now": "no"}
    patient.start()
    for section in ("your_spine", "emergency_signs", "your_surgery", "urgent_signs", "pain_details", "pain_scores"):
        patient.answer_page(f"/questions/{section}", answers)
    posted = patient.answer_page("/questions/mood_sleep", answers)
    assert posted.headers["Location"] == "/questions/safety_now"
    page = patient.get("/questions/safety_now")
    assert patient.shown_fields(page) == ["asq_now"]
    assert "988" in soup(page).get_text(" ")
    assert soup(page).select_one(".progress") is None  # a follow-up page has no step number
    posted = patient.answer_page("/questions/safety_now", answers)
    assert posted.headers["Location"].startswith("/warning")
    warning = soup(patient.get(posted.headers["Location"]))
    assert urgency_of(patient.get(posted.headers["Location"])) == "urgent"
    main = warning.select_one("main")
    assert main is not None
    first = main.find(["aside", "section"], class_=["crisis", "urgency"])
    assert first is not None and "crisis" in first["class"], "the crisis line comes before the surgeon's team"


def test_the_result_explains_each_flag_and_score(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "fever": "yes", "phq4_interest": "3", "phq4_down": "2"})
    page = soup(patient.get("/result"))
    fever = page.select_one("[data-flag=fever]")
    assert fever is not None and "“Yes” to “Do you have a temperature" in fever.get_text()
    assert page.select_one("[data-score=phq2]").get_text(" ").split()[3] == "5"
    assert [t["data-topic"] for t in page.select("[data-topic]")][-1] == "questions_for_your_doctor"


def test_the_summary_lists_the_answers_that_report_something_first_then_every_other_by_section(
    patient: Patient,
) -> None:
    patient.walk({**CALM_ANSWERS, "fever": "unsure"})
    page = soup(patient.get("/summary"))
    answers = page.select_one(".answers")
    assert answers is not None
    headings = [h.get_text() for h in answers.select("h3")]
    # The treatments page's one answer (physical therapy) is listed with the answers that report
    # something, so that page has no block of its own.
    assert headings == [
        "Answers that report something",
        "Your operation",
        "Signs that need help now",
        "Your operation and your health",
        "More signs to check",
        "Changes in your body",
        "How much your pain affects you",
        "Your mood",
    ]
    reported = answers.select("[data-positive-answers] .answer-row")
    said = {" ".join(row.get_text(" ").split()) for row in reported}
    assert any("temperature" in row and row.endswith("Not sure") for row in said)
    assert all(row.select_one("dd strong") for row in reported)  # bold on paper, not only in colour
    assert len(answers.select(".answer-row")) == 41  # every answer once


def test_the_region_sets_the_emergency_numbers() -> None:
    uk = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_REGION": "uk"})
    patient = Patient(uk.test_client())
    patient.walk({**CALM_ANSWERS, "chest_pain_or_breathless": "yes"})
    text = " ".join(soup(patient.get("/result")).get_text(" ").split())  # numbers are links
    assert "Call 999" in text and "Samaritans on 116 123" in text and "911" not in text


def test_an_unknown_region_stops_the_app() -> None:
    with pytest.raises(KeyError, match="unknown region"):
        create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_REGION": "mars"})


def test_a_broken_bank_stops_the_app_before_any_request(tmp_path: Path) -> None:
    raw = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
    raw["rules"][0]["when"] = {"question": "bladder", "is": True}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(BankError, match="unknown question 'bladder'"):
        create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_BANK": str(broken)})


@pytest.mark.parametrize("url", ["/questions/nowhere", "/no-such-page"])
def test_an_unknown_page_is_a_friendly_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_post_without_a_csrf_token_is_a_friendly_page_and_keeps_the_answers(patient: Patient) -> None:
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", CALM_ANSWERS)
    response = patient.client.post("/questions/your_surgery", data={"pain_persisting": "yes"})
    assert response.status_code == 400
    assert "Your answers so far are kept" in response.get_data(as_text=True)
    page = soup(patient.get("/questions/emergency_signs"))
    assert page.select_one("input[name=bladder_control_change][value=no]").has_attr("checked")


def test_each_next_step_links_to_its_topic_page_with_sources(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "time_since_surgery": "months_6_12", "treatments_tried": ["injections"]})
    links = soup(patient.get("/result")).select("[data-topic] a")
    assert len(links) >= 5
    for link in links:
        page = soup(patient.get(str(link["href"])))
        assert page.h1 is not None and page.h1.get_text().lower() in link.get_text().lower()
        assert page.select(".sources li"), link["href"]
        assert "Questions to ask your doctor" in page.get_text()


def test_an_unknown_topic_is_a_404(client: FlaskClient) -> None:
    assert client.get("/topics/snake_oil").status_code == 404


def test_the_typical_low_back_patient_answers_no_more_questions_than_under_bank_1(patient: Patient) -> None:
    """Six months after a lumbar fusion, still in pain, no warning sign: 38 questions, as under bank 1.1."""
    check = patient.walk({**CALM_ANSWERS, "time_since_surgery": "months_6_12"})
    assert len(soup(check).select("details a[data-change]")) <= 38


def test_an_emergency_result_lists_other_answers_once_to_tell_the_staff_without_their_advice(patient: Patient) -> None:
    """Hazard log H26: under "call now", no "contact your team today"; each answer said once."""
    patient.walk(
        {
            **CALM_ANSWERS,
            "devices_medicines": ["blood_thinner"],
            "pain_sudden_worse": "yes",
            "new_leg_weakness": "yes",
            "fever": "unsure",
        }
    )
    page = soup(patient.get("/result"))
    assert urgency_of(patient.get("/result")) == "emergency"
    flags = page.select("ul.flags > li.flag")
    assert flags and all("flag--emergency" in li["class"] for li in flags)
    behind_emergency = {str(a["data-change"]) for a in page.select("ul.flags [data-change]")}
    told = [str(li["data-flag"]) for li in page.select("[data-also-tell] li")]
    also_text = page.select_one("[data-also-tell]")
    assert also_text is not None
    assert "pain_sudden_worse" not in also_text.get_text() and "today" not in also_text.get_text()
    said = [li.get_text(" ", strip=True) for li in page.select("[data-also-tell] li")]
    assert len(said) == len(set(said)), said
    assert told == ["unsure_urgent_sign"]  # the fever answered "not sure"
    assert not any("much worse than usual" in line for line in said), (behind_emergency, said)
