"""Bad input at every route: always a clear answer (2xx, 3xx or a friendly 4xx page), never a 500,
and the answers already given survive."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from fbss_check import default_bank
from fbss_check.web import create_app
from tests.web.conftest import CALM_ANSWERS, Patient, soup

APP = create_app({"TESTING": True, "SECRET_KEY": "robustness-tests-secret-key-0123456789"})
BANK = default_bank()
SECTIONS = [s.id for s in BANK.sections]
ROUTES = [
    "/",
    "/start",
    "/questions/emergency_signs",
    "/warning",
    "/check",
    "/result",
    "/summary",
    "/delete",
    "/session-expired",
    "/healthz",
    "/language/es",
]
FIELD_NAMES = st.one_of(st.sampled_from(list(BANK.questions)), st.text(max_size=20))
VALUES = st.one_of(
    st.sampled_from(["yes", "no", "unsure", "", "0", "3", "10", "-1", "99999", "1e9", "fusion", "worse", "NaN"]),
    st.text(max_size=50),
)


def assert_friendly(response: TestResponse) -> None:
    """A 2xx or 3xx, or a 4xx page in the house style; never a 500 or a bare error."""
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400:
        page = soup(response)
        assert page.find("main") is not None and page.find("h1") is not None, response.get_data(as_text=True)[:200]


def patient_on_page_two() -> Patient:
    patient = Patient(APP.test_client())
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", {**CALM_ANSWERS, "saddle_numbness": "yes"})
    return patient


def answers_survive(patient: Patient) -> None:
    page = soup(patient.get("/questions/emergency_signs"))
    assert page.select_one("input[name=saddle_numbness][value=yes]").has_attr("checked")
    assert page.select_one("input[name=bladder_control_change][value=no]").has_attr("checked")


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(section=st.sampled_from(SECTIONS), form=st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=40))
def test_random_form_posts_never_break_anything(section: str, form: list[tuple[str, str]]) -> None:
    patient = patient_on_page_two()
    data = MultiDict([*form, ("csrf_token", patient.token)])
    response = patient.client.post(f"/questions/{section}", data=data)
    assert_friendly(response)
    answers_survive(patient)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"new_leg_weakness": ["yes", "no", "unsure"]}, id="repeated-field"),
        pytest.param({"fever": "yes", "surgery_type": "fusion", "unknown_field": "x" * 1000}, id="unknown-fields"),
        pytest.param({"fever": "☃" * 50, "wound_problem": "\x00"}, id="odd-characters"),
        pytest.param({"pain_persisting": "YES"}, id="wrong-case"),
        pytest.param({"devices_medicines": ["none", "blood_thinner"]}, id="none-with-another"),
    ],
)
def test_odd_forms_are_answered_with_errors_or_accepted(data: dict[str, Any]) -> None:
    patient = patient_on_page_two()
    response = patient.post("/questions/your_surgery", data)
    assert_friendly(response)
    answers_survive(patient)


def test_non_utf8_bytes_in_a_form_body_are_harmless() -> None:
    patient = patient_on_page_two()
    body = b"csrf_token=" + patient.token.encode() + b"&fever=\xff\xfe&calf_swelling=%ff%fe"
    response = patient.client.post(
        "/questions/your_surgery", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_friendly(response)
    answers_survive(patient)


def test_a_huge_body_is_refused_kindly_and_nothing_is_lost() -> None:
    patient = patient_on_page_two()
    response = patient.client.post(
        "/questions/your_surgery", data={"csrf_token": patient.token, "fever": "x" * 200_000}
    )
    assert response.status_code == 413
    assert_friendly(response)
    answers_survive(patient)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("route", ROUTES)
def test_wrong_methods_get_a_friendly_405(method: str, route: str) -> None:
    response = APP.test_client().open(route, method=method)
    assert response.status_code == 405
    assert_friendly(response)


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("eyJzdGFydGVkIjp0cnVlfQ.AAAA.BBBB", id="forged"),
        pytest.param("\u2603" * 10, id="not-ascii"),
    ],
)
@pytest.mark.parametrize("route", ["/questions/emergency_signs", "/check", "/result", "/summary", "/warning"])
def test_tampered_cookies_are_an_expired_session(cookie: str, route: str) -> None:
    client = APP.test_client()
    client.set_cookie("session", cookie)
    response = client.get(route)
    assert response.status_code == 302 and response.headers["Location"] == "/session-expired"


def test_a_truncated_cookie_is_an_expired_session() -> None:
    patient = patient_on_page_two()
    cookie = patient.client.get_cookie("session")
    assert cookie is not None
    for cut in (1, 5, len(cookie.value) // 2):
        patient.client.set_cookie("session", cookie.value[:-cut])
        assert patient.client.get("/check").headers["Location"] == "/session-expired"


@pytest.mark.parametrize(
    "path",
    [
        "/questions/",
        "/questions/%00",
        "/questions/../check",
        "/questions/emergency_signs/extra",
        "/%ff%fe",
        "/" + "a" * 3000,
        "/questions/" + "x" * 500,
        "/warning?next=https://evil.example",
        "/warning?next=%00",
        "/c/unknown-clinic",
        "/language/xx",
        "/language/es?next=//evil.example",
        "/language/es?next=%ff%fe",
        "/r/garbage",
        "/static/style.css",
        "/.env",
        "/admin",
    ],
)
def test_odd_paths_get_a_clear_answer(path: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get(path)
    assert_friendly(response)
    if response.status_code in (301, 302, 303, 307, 308):
        assert response.headers["Location"].startswith("/"), "never a redirect to another site"
    answers_survive(patient)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(target=st.text(max_size=80))
def test_the_warning_page_never_redirects_off_site(target: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get("/warning", query_string={"next": target})
    assert response.status_code == 200
    link = soup(response).find("a", string="Continue to the questions")
    assert link is not None and str(link["href"]).startswith("/")


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(target=st.one_of(st.text(max_size=40), st.text(max_size=30).map(lambda t: "/" + t)))
def test_the_language_link_never_redirects_off_site_and_keeps_the_answers(target: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get("/language/es", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    # As a browser reads it: tabs and newlines dropped, a backslash taken for a slash.
    seen = urlsplit(urljoin("http://localhost/", location.replace("\\", "/").replace("\t", "").replace("\n", "")))
    assert seen.netloc == "localhost", location
    answers_survive(patient)
