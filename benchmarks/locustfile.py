"""Simulated patients for the load test: `PatientUser` walks the whole flow; the page users walk
it once and then open one page again and again; `BaselineUser` asks for "/" (of the fair
baseline or of the limit, whichever is served)."""

from __future__ import annotations

from typing import Any

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, task
from patient import ANSWERS, QUESTION, TOKEN


class Walker(FastHttpUser):
    """A patient who answers every page. Redirects are followed by hand, so that every HTTP
    request is counted once, as for the baseline."""

    abstract = True
    wait_time = constant(0)
    think_seconds = 0.0  # time a patient spends reading and answering each page

    def follow(self, response: Any) -> Any:
        location = response.headers.get("Location", "")
        name = "warning" if location.startswith("/warning") else location.split("?")[0]
        return self.client.get(location, name=name), location

    def answer_every_page(self) -> bool:
        """From the start page to "check your answers", every page answered; False (and a failure
        counted) when the walk stopped before it."""
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
        self.stopped_at = url
        if url != "/check":
            self.count_failed_walk()
        return url == "/check"

    def count_failed_walk(self) -> None:
        """The answers no longer fit the bank: a failure, not a shorter flow that looks faster."""
        self.environment.events.request.fire(
            request_type="WALK",
            name="reached /check",
            response_time=0,
            response_length=0,
            exception=RuntimeError(f"the walk stopped at {self.stopped_at}"),
        )


class PatientUser(Walker):
    """One patient: start, every question page (GET then POST), check, result, summary."""

    @task
    def walk(self) -> None:
        self.answer_every_page()
        self.client.get("/result", name="/result")
        self.client.get("/summary", name="/summary")


class PacedPatientUser(PatientUser):
    """The same walk, with one second spent on each page, as a (fast) real patient would."""

    think_seconds = 1.0


class PageUser(Walker):
    """A patient who has answered every page, then opens `path` again and again (counted as "page").

    The count starts once every patient has walked: the last one to finish resets locust's numbers
    and lets them all go. Otherwise the walks (about 20 requests a patient, its POSTs heavier than
    the page) would share the measured time, and the page's requests a second would count time
    spent on other pages: a tenth of a 6-second run with 20 patients."""

    abstract = True
    path = "/"
    walked = 0  # patients of this run who have answered every page
    everyone_walked = Event()

    def on_start(self) -> None:
        reached = self.answer_every_page()
        cls = type(self)
        cls.walked += 1
        if cls.walked >= self.environment.runner.target_user_count:
            self.environment.stats.reset_all()
            cls.everyone_walked.set()
        cls.everyone_walked.wait()
        if not reached:
            self.count_failed_walk()  # again: the reset forgot it

    @task
    def open_page(self) -> None:
        self.client.get(self.path, name="page")


class QuestionPageUser(PageUser):
    path = "/questions/pain_scores"


class CheckPageUser(PageUser):
    path = "/check"


class SummaryPageUser(PageUser):
    path = "/summary"


class BaselineUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self) -> None:
        self.client.get("/", name="baseline")
