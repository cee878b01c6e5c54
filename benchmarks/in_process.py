"""Server time of single pages, in process (Flask's test client, no HTTP), against the fair baseline.

A patient walks every page with the load test's answers (benchmarks/patient.py), then each page
is timed again and again: a question page (GET and POST), "check your answers", the result and
the summary, and the fair baseline's page (benchmarks/baseline_app.py) in the same run. The app
runs as in production (CSRF on, a public address, the access log written, to /dev/null).

Run: .venv/bin/python benchmarks/in_process.py [--number 300] [--profile /summary] [--json out.json]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import secrets
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline_app import app as baseline  # noqa: E402
from patient import ANSWERS, QUESTION, TOKEN  # noqa: E402

from fbss_check.web import create_app  # noqa: E402

QUESTION_PAGE = "/questions/pain_scores"


def walked_client() -> Any:
    """A test client whose patient has answered every page, as in the load test."""
    app = create_app({"SECRET_KEY": secrets.token_hex(32), "FBSS_PUBLIC_URL": "http://localhost"})
    for handler in logging.getLogger("fbss_check.access").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (for the life of the process)
    client = app.test_client()
    token = TOKEN.search(client.get("/").get_data(as_text=True))
    assert token is not None
    url = client.post("/start", data={"csrf_token": token.group(1)}).headers["Location"]
    while url.startswith("/questions/"):
        text = client.get(url).get_data(as_text=True)
        data = {q: ANSWERS.get(q, "no") for q in QUESTION.findall(text)}
        found = TOKEN.search(text)
        assert found is not None
        url = client.post(url, data={**data, "csrf_token": found.group(1)}).headers["Location"]
    assert url == "/check", f"the walk ended at {url}"
    return client


def requests(client: Any) -> dict[str, Callable[[], Any]]:
    """Each measured request, as a call that checks its answer."""
    text = client.get(QUESTION_PAGE).get_data(as_text=True)
    found = TOKEN.search(text)
    assert found is not None
    form = {**{q: ANSWERS.get(q, "no") for q in QUESTION.findall(text)}, "csrf_token": found.group(1)}
    baseline_client = baseline.test_client()

    def get(url: str, on: Any = client) -> Callable[[], Any]:
        def call() -> Any:
            response = on.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    def post() -> Any:
        response = client.post(QUESTION_PAGE, data=form)
        assert response.status_code == 302, response.status_code
        return response

    return {
        "baseline GET /": get("/", baseline_client),
        f"GET {QUESTION_PAGE}": get(QUESTION_PAGE),
        f"POST {QUESTION_PAGE}": post,
        "GET /check": get("/check"),
        "GET /result": get("/result"),
        "GET /summary": get("/summary"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=300, help="calls per timing (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per request; the fastest counts")
    parser.add_argument("--profile", metavar="URL", help="profile this GET (or 'POST') instead, and print the top")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()

    client = walked_client()
    calls = requests(client)
    if args.profile:
        call = next(c for name, c in calls.items() if name.endswith(args.profile) or name.startswith(args.profile))
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [call() for _ in range(args.number)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    ms = {}
    for name, call in calls.items():
        call()  # warm: templates compiled, caches filled
        ms[name] = min(timeit.repeat(call, number=args.number, repeat=args.repeat)) / args.number * 1000
    base = ms["baseline GET /"]
    results = {
        "ms": ms,
        "baseline / page (the page's share of the baseline's speed)": {
            name: base / value for name, value in ms.items() if name != "baseline GET /"
        },
    }
    for name, value in ms.items():
        print(f"{name:32} {value:6.3f} ms   {base / value:5.2f} of the baseline")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
