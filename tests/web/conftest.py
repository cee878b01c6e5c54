"""Fixtures for the web layer: the app, a test client, and a Patient who walks the questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from fbss_check.web import create_app

# A patient with no warning signs, months after a fusion, still in pain.
CALM_ANSWERS: dict[str, Any] = {
    "surgery_region": ["low_back"],
    "time_since_surgery": "weeks_6_12",
    "bladder_control_change": "no",
    "bowel_control_change": "no",
    "saddle_numbness": "no",
    "sex_changes": ["none"],
    "both_legs_change": "no",
    "chest_pain_or_breathless": "no",
    "very_unwell": "no",
    "serious_injury": "no",
    "surgery_type": "fusion",
    "operations_count": "1",
    "devices_medicines": ["none"],
    "health_conditions": ["none"],
    "pain_persisting": "yes",
    "new_leg_weakness": "no",
    "fever": "no",
    "wound_problem": "no",
    "calf_swelling": "no",
    "headache_upright": "no",
    "coughing_blood": "no",
    "fainted": "no",
    "pain_sudden_worse": "no",
    "pain_medicine_failing": "no",
    "recent_fall_or_injury": "no",
    "night_pain": "no",
    "pain_trend": "better",
    "body_changes": ["none"],
    "hardware_concern": "no",
    "peg_pain": "4",
    "peg_enjoyment": "3",
    "peg_activity": "3",
    "phq4_interest": "0",
    "phq4_down": "1",
    "phq4_nervous": "1",
    "phq4_worry": "0",
    "asq_wish_dead": "no",
    "asq_better_off": "no",
    "asq_thoughts": "no",
    "asq_tried": "no",
    "treatments_tried": ["physical_therapy"],
    # Questions a calm patient would also answer no to, should a gate show them.
    **dict.fromkeys(
        [
            "neck_swelling",
            "breathing_noisy",
            "swallow_saliva",
            "rising_numbness",
            "arm_weakness",
            "breathing_slow",
            "pump_baclofen_signs",
            "device_site_problem",
            "stimulator_shocks",
            "stimulator_changed",
            "pump_alarm",
            "pump_withdrawal",
            "new_drowsy",
            "black_poo",
            "pain_after_strain",
            "cough_strain_pain",
            "rib_band_pain",
            "swallowing_hard",
            "voice_hoarse",
            "asq_now",
        ],
        "no",
    ),
    "hands_clumsy": "no",
    "walking_unsteady": "no",
    "surgery_approach": "back",
}


# The heaviest summary that is not an emergency (an emergency holds the next steps back): every
# part of the spine and every device and medicine, so every question is shown; tried treatments,
# smoking, poor sleep and low mood, at 1 to 2 years (19 next steps); and the longest own question.
MOST_TOPICS = {
    **CALM_ANSWERS,
    "surgery_region": ["neck", "mid_back", "low_back"],
    "time_since_surgery": "years_1_2",
    "devices_medicines": ["stimulator", "pain_pump", "blood_thinner", "strong_opioid", "sedating", "steroid_tablets"],
    "health_conditions": ["smoker", "sleep_poor", "past_cancer", "diabetes", "age_65"],
    "treatments_tried": ["physical_therapy", "medication", "injections", "spinal_cord_stimulation"],
    "phq4_interest": "2",
    "phq4_down": "2",
    "wound_problem": "unsure",
}


@pytest.fixture(scope="session")
def app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-the-test-suite-only"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


class Patient:
    """Walks the questionnaire like a browser with JavaScript off: GET, read the form, POST."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""
        self.visited: list[str] = []

    def get(self, url: str) -> TestResponse:
        response = self.client.get(url)
        self._remember(response)
        return response

    def post(self, url: str, data: Mapping[str, Any]) -> TestResponse:
        response = self.client.post(url, data={**data, "csrf_token": self.token})
        self._remember(response)
        return response

    def _remember(self, response: TestResponse) -> None:
        if response.mimetype == "text/html":
            token = soup(response).find("input", attrs={"name": "csrf_token"})
            if token is not None:
                self.token = str(token["value"])

    def start(self) -> TestResponse:
        self.get("/")
        return self.post("/start", {})

    def choose_language(self, code: str) -> TestResponse:
        """Follow the language link of the page, as a patient would."""
        page = soup(self.get("/"))
        link = page.select_one(f".language-switch a[data-language='{code}']")
        if link is None:  # no link to the language the page is already in: choose it all the same
            assert page.html is not None and page.html["lang"] == code, f"no link to {code} on the start page"
            return self.get(f"/language/{code}?next=/")
        return self.get(str(link["href"]))

    def shown_fields(self, response: TestResponse) -> list[str]:
        return [str(div["data-question"]) for div in soup(response).select("[data-question]")]

    def answer_page(self, url: str, answers: Mapping[str, Any]) -> TestResponse:
        """GET a question page and POST the answers for the questions it shows."""
        page = self.get(url)
        assert page.status_code == 200, (url, page.status_code)
        data = {q: answers[q] for q in self.shown_fields(page) if q in answers}
        return self.post(url, data)

    def walk(self, answers: Mapping[str, Any], stop_at_warning: bool = False) -> TestResponse:
        """From the start, answer every page until check-your-answers, reading any warning page on the way."""
        location = self.start().headers["Location"]
        for _ in range(30):
            self.visited.append(location)
            if location.startswith("/questions/"):
                posted = self.answer_page(location, answers)
                assert posted.status_code == 302, f"{location} did not accept the answers"
                location = posted.headers["Location"]
            elif location.startswith("/warning"):
                warning = self.get(location)
                if stop_at_warning:
                    return warning
                location = continue_url(warning)
            elif location == "/check":
                return self.get("/check")
            else:
                raise AssertionError(f"unexpected step {location!r}")
        raise AssertionError("the walk did not end")


def continue_url(warning: TestResponse) -> str:
    link = soup(warning).select_one("a[data-continue]")
    assert link is not None
    return str(link["href"])


@pytest.fixture
def patient(client: FlaskClient) -> Patient:
    return Patient(client)
