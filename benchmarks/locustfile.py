"""Simulated patients for the load test: `PatientUser` walks the whole flow, `BaselineUser` the bare page."""

from __future__ import annotations

import re
from typing import Any

import gevent
from locust import FastHttpUser, constant, task

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION = re.compile(r'data-question="([a-z0-9_]+)"')
ANSWERS = {
    "weeks_since_surgery": "30",
    "surgery_type": "fusion",
    "operations_count": "1",
    "pain_persisting": "yes",
    "pain_where": "lower_back",
    "pain_trend": "same",
    "peg_pain": "5",
    "peg_enjoyment": "4",
    "peg_activity": "4",
    "phq4_interest": "1",
    "phq4_down": "1",
    "phq4_nervous": "0",
    "phq4_worry": "1",
    "treatments_tried": "physical_therapy",
}


class PatientUser(FastHttpUser):
    """One patient: start, every question page (GET then POST), check, result, summary.

    Redirects are followed by hand, so that every HTTP request is counted once, as for the baseline.
    """

    wait_time = constant(0)
    think_seconds = 0.0  # time a patient spends reading and answering each page

    def follow(self, response: Any) -> Any:
        location = response.headers.get("Location", "")
        name = "warning" if location.startswith("/warning") else location.split("?")[0]
        return self.client.get(location, name=name), location

    @task
    def walk(self) -> None:
        page = self.client.get("/", name="/")
        token = TOKEN.search(page.text or "").group(1)
        page, url = self.follow(
            self.client.post("/start", data={"csrf_token": token}, name="/start", allow_redirects=False)
        )
        for _ in range(12):
            if not url.startswith("/questions/"):
                break
            text = page.text or ""
            data = {"csrf_token": TOKEN.search(text).group(1)}
            for question in QUESTION.findall(text):
                data[question] = ANSWERS.get(question, "no")
            gevent.sleep(self.think_seconds)
            page, url = self.follow(self.client.post(url, data=data, name=f"{url} POST", allow_redirects=False))
        self.client.get("/result", name="/result")
        self.client.get("/summary", name="/summary")


class PacedPatientUser(PatientUser):
    """The same walk, with one second spent on each page, as a (fast) real patient would."""

    think_seconds = 1.0


class BaselineUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self) -> None:
        self.client.get("/", name="baseline")
