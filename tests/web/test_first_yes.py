"""The first "yes" to a danger sign is acted on at once: a lone answer on an unfinished page
shows the warning; from the warning the patient can take a summary and a share link of what
they have answered, or change the answer; an emergency result holds back the treatment ladder;
every phone number on a decision page is tappable."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fbss_check import default_bank
from fbss_check.answers import coerce_all
from fbss_check.engine import evaluate_answers
from fbss_check.model import Answer, Kind, Question, Urgency
from fbss_check.path import patient_path
from fbss_check.web import create_app
from tests.web.conftest import CALM_ANSWERS, Patient, continue_url, soup

BANK = default_bank()
# Every gate answered "not sure", so that every sign is shown; the rest as a calm patient.
GATES_OPEN: dict[str, Any] = {
    **CALM_ANSWERS,
    "surgery_region": ["not_sure"],
    "time_since_surgery": "not_sure",
    "devices_medicines": ["not_sure"],
    "health_conditions": ["not_sure"],
}


def single_answers(question: Question) -> list[Any]:
    """Each answer a patient can give alone, as a form sends it."""
    if question.kind is Kind.MULTIPLE_CHOICE:
        return [[code] for code in question.codes]
    return list(question.codes)


def as_answer(question: Question, value: Any) -> Answer:
    return coerce_all(BANK.questions, {question.id: value}, "codes")[question.id]


def lone_danger_answers() -> list[Any]:
    """Every (question, answer) that alone, on its page, raises an urgent or emergency flag the
    patient's earlier pages did not: worked out from the bank, not listed by hand."""
    cases = []
    numbers = (Kind.WHOLE_NUMBER, Kind.SCALE_0_10, Kind.SCALE_0_3)
    sent = {k: int(v) if BANK.questions[k].kind in numbers else v for k, v in GATES_OPEN.items() if k in BANK.questions}
    calm = coerce_all(BANK.questions, sent, "codes")
    path = patient_path(BANK, calm)
    for section_id in path.sections:
        earlier = {
            q.id: calm[q.id]
            for s in path.sections[: path.sections.index(section_id)]
            for q in path.shown[s]
            if q.id in calm
        }
        before = {f.id for f in evaluate_answers(BANK, earlier).flags if f.urgency >= Urgency.URGENT}
        for question in path.shown[section_id]:
            for value in single_answers(question):
                outcome = evaluate_answers(BANK, {**earlier, question.id: as_answer(question, value)})
                new = [f for f in outcome.flags if f.urgency >= Urgency.URGENT and f.id not in before]
                if new:
                    worst = max(f.urgency for f in new)
                    cases.append(pytest.param(question.id, value, worst, id=f"{question.id}={value}"))
    return cases


LONE_DANGER_ANSWERS = lone_danger_answers()


def reach(patient: Patient, section_id: str) -> None:
    """Answer every page before `section_id` with the gates open, reading any warning on the way."""
    location = patient.start().headers["Location"]
    for _ in range(20):
        if location == f"/questions/{section_id}":
            return
        if location.startswith("/warning"):
            location = continue_url(patient.get(location))
            continue
        location = patient.answer_page(location, GATES_OPEN).headers["Location"]
    raise AssertionError(f"never reached {section_id}")


def test_the_lone_danger_answers_cover_every_red_flag_question() -> None:
    covered = {param.values[0] for param in LONE_DANGER_ANSWERS}
    red_flags = {q.id for q in BANK.questions.values() if q.red_flag is not None and q.red_flag >= Urgency.URGENT}
    assert red_flags <= covered, sorted(red_flags - covered)


@pytest.mark.parametrize(("question_id", "value", "urgency"), LONE_DANGER_ANSWERS)
def test_a_lone_danger_answer_on_an_unfinished_page_shows_the_warning_at_once(
    patient: Patient, question_id: str, value: Any, urgency: Urgency
) -> None:
    section = BANK.questions[question_id].section
    reach(patient, section)
    posted = patient.post(f"/questions/{section}", {question_id: value})
    assert posted.status_code == 302, "the other questions' errors must wait"
    assert posted.headers["Location"] == f"/warning?next={section}"
    warning = soup(patient.get(posted.headers["Location"]))
    shown = warning.select_one("[data-urgency]")
    assert shown is not None and Urgency(shown["data-urgency"]) >= urgency
    # Carrying on comes back to the same page, the answer kept, the rest still to answer.
    again = patient.get(continue_url(patient.get(posted.headers["Location"])))
    chosen = {str(box["value"]) for box in soup(again).select(f"input[name={question_id}][checked]")}
    assert chosen == ({*value} if isinstance(value, list) else {value})


def test_an_unfinished_page_with_no_danger_answer_still_shows_its_errors(patient: Patient) -> None:
    reach(patient, "emergency_signs")
    response = patient.post("/questions/emergency_signs", {"bladder_control_change": "no"})
    assert response.status_code == 200
    assert soup(response).select_one(".error-summary") is not None


def test_after_the_early_warning_the_finished_page_goes_on_without_a_second_warning(patient: Patient) -> None:
    reach(patient, "emergency_signs")
    patient.post("/questions/emergency_signs", {"saddle_numbness": "yes"})
    finished = patient.answer_page("/questions/emergency_signs", {**GATES_OPEN, "saddle_numbness": "yes"})
    assert finished.headers["Location"] == "/questions/your_surgery"


@pytest.fixture
def warned(patient: Patient) -> Patient:
    reach(patient, "emergency_signs")
    patient.post("/questions/emergency_signs", {"bladder_control_change": "yes"})
    return patient


def test_the_warning_page_offers_the_summary_the_share_link_and_a_way_back(warned: Patient) -> None:
    page = soup(warned.get("/warning?next=emergency_signs"))
    assert page.select_one("a[data-summary-now]")["href"] == "/summary"
    assert page.select_one("a[data-share-now]")["href"] == "/share"
    change = page.select_one("a[data-change=bladder_control_change]")
    assert change is not None and change["href"] == "/questions/emergency_signs#bladder_control_change-0"
    assert page.select_one("a.back-link")["href"] == "/questions/emergency_signs"


def test_the_summary_and_share_link_of_an_unfinished_check_say_so(warned: Patient) -> None:
    summary = soup(warned.get("/summary"))
    assert summary.select_one("[data-urgency]")["data-urgency"] == "emergency"
    assert summary.select_one("[data-unfinished]") is not None
    answered = [str(row.dt.get_text(" ", strip=True)) for row in summary.select(".answer-row")]
    assert any("peeing" in text for text in answered)
    assert not any("pain in the first weeks" in text for text in answered)
    assert len(answered) < 12, "only what was answered so far"
    share = warned.get("/share")
    assert share.status_code == 200 and soup(share).select_one("[data-unfinished]") is not None
    link = soup(share).select_one(".share-url a")
    shared = soup(warned.client.get(str(link["href"]).replace("http://localhost", "")))
    assert shared.select_one("[data-urgency]")["data-urgency"] == "emergency"
    assert shared.select_one("[data-unfinished]") is not None
    assert warned.get("/result").status_code == 200
    assert warned.get("/fhir/QuestionnaireResponse").status_code == 200


def test_without_a_warning_sign_an_unfinished_check_has_no_summary_yet(patient: Patient) -> None:
    reach(patient, "emergency_signs")
    for url in ("/summary", "/result", "/share"):
        response = patient.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/questions/emergency_signs"


def test_later_pages_keep_the_warning_and_the_summary_one_tap_away(warned: Patient) -> None:
    warned.answer_page("/questions/emergency_signs", {**GATES_OPEN, "bladder_control_change": "yes"})
    page = soup(warned.get("/questions/your_surgery"))
    notice = page.select_one("[data-warned]")
    assert notice is not None and notice["data-warned"] == "emergency"
    assert notice.select_one("a[data-summary-now]")["href"] == "/summary"


def test_a_calm_patient_sees_no_warning_notice(patient: Patient) -> None:
    reach(patient, "your_surgery")
    assert soup(patient.get("/questions/your_surgery")).select_one("[data-warned]") is None


@pytest.mark.parametrize("url", ["/result", "/summary"])
def test_an_emergency_result_holds_back_the_treatment_ladder(patient: Patient, url: str) -> None:
    patient.walk({**CALM_ANSWERS, "chest_pain_or_breathless": "yes", "time_since_surgery": "weeks_0_2"})
    page = soup(patient.get(url))
    assert page.select_one("[data-urgency]")["data-urgency"] == "emergency"
    assert page.select("[data-topic]") == []
    assert page.select_one("[data-topics-held-back]") is not None
    for answers in page.select(".answers"):  # the patient's own answers may name a treatment
        answers.decompose()
    text = page.get_text(" ")
    assert "is normal" not in text and "physical therapy" not in text.lower()


def test_an_urgent_result_still_shows_the_next_steps(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    page = soup(patient.get("/result"))
    assert page.select_one("[data-urgency]")["data-urgency"] == "urgent"
    assert page.select("[data-topic]") and page.select_one("[data-topics-held-back]") is None


@pytest.fixture(scope="module")
def uk_app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-uk-0123456789abcdef", "FBSS_REGION": "uk"})


def tel_links(page: Any) -> set[str]:
    return {str(a["href"]) for a in page.select("a[href^='tel:']")}


def test_every_number_on_an_urgent_warning_from_a_clinic_link_is_tappable(client: FlaskClient) -> None:
    patient = Patient(client)
    client.get("/c/example_spine")
    reach(patient, "urgent_signs")
    posted = patient.post("/questions/urgent_signs", {"fever": "yes"})
    page = soup(patient.get(posted.headers["Location"]))
    assert page.select_one("[data-urgency]")["data-urgency"] == "urgent"
    action = page.select_one(".urgency-action")
    assert {"tel:5550100", "tel:5550199", "tel:911"} <= tel_links(action)
    call = page.select_one("a[data-call-team]")
    assert call is not None and call["href"] == "tel:5550100" and "555-0100" in call.get_text()


def test_region_numbers_in_the_words_are_tappable_but_not_a_web_address(uk_app: Flask) -> None:
    patient = Patient(uk_app.test_client())
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    page = soup(patient.get("/result"))
    assert {"tel:999", "tel:111"} <= tel_links(page.select_one(".urgency-action"))
    crisis = page.select_one(".crisis")
    assert {"tel:116123", "tel:111"} <= tel_links(crisis)
    assert "111.nhs.uk" in page.select_one(".urgency-action").get_text()
    assert not any("nhs" in href for href in tel_links(page))
