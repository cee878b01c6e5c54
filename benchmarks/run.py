"""Measure fbss-check against a bare Flask baseline in the same run, on 127.0.0.1 only.

Prints requests per second, p50 and p95 latency for the patient flow and the baseline and
their ratio, plus start-up time, one `evaluate`, memory per worker and the bytes of each page.
Every load run is bounded in time; nothing leaves this machine.

    .venv/bin/python benchmarks/run.py [--seconds 20] [--users 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from fbss_check import load_bank  # noqa: E402
from fbss_check.answers import coerce_all  # noqa: E402
from fbss_check.engine import evaluate_answers  # noqa: E402

CALM = {
    "bladder_control_change": False,
    "bowel_control_change": False,
    "saddle_numbness": False,
    "sexual_function_change": False,
    "both_legs_symptoms": False,
    "chest_pain_or_breathless": False,
    "very_unwell": False,
    "serious_injury": False,
    "new_leg_weakness": False,
    "fever": False,
    "wound_problem": False,
    "calf_swelling": False,
    "headache_upright": False,
    "pain_uncontrolled": False,
    "recent_fall_or_injury": False,
    "cancer_history": False,
    "weeks_since_surgery": 30,
    "surgery_type": "fusion",
    "operations_count": 1,
    "pain_persisting": True,
    "pain_where": ["lower_back"],
    "pain_trend": "same",
    "new_level_pain": False,
    "original_symptoms_returned": False,
    "numbness_tingling": False,
    "hardware_concern": False,
    "mobility_limited": False,
    "weight_loss_or_night_pain": False,
    "peg_pain": 5,
    "peg_enjoyment": 4,
    "peg_activity": 4,
    "phq4_interest": 1,
    "phq4_down": 1,
    "phq4_nervous": 0,
    "phq4_worry": 1,
    "sleep_poor": False,
    "smoker": False,
    "treatments_tried": ["physical_therapy"],
}
HEAVY = {
    **CALM,
    "bladder_control_change": True,
    "fever": "unsure",
    "pain_trend": "worse",
    "phq4_interest": 3,
    "phq4_down": 3,
    "smoker": True,
    "treatments_tried": ["physical_therapy", "medication", "injections"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(target: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "FBSS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            target,
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn {target} did not start on port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_memory(process: subprocess.Popen[bytes]) -> dict[str, float]:
    children = psutil.Process(process.pid).children()
    rss = [c.memory_info().rss / 2**20 for c in children]
    uss = [c.memory_full_info().uss / 2**20 for c in children]
    return {
        "workers": len(children),
        "rss_mb_max": max(rss),
        "rss_mb_mean": statistics.mean(rss),
        "uss_mb_max": max(uss),
    }


def run_locust(user_class: str, port: int, users: int, seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "stats"
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                user_class,
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=seconds + 60,
        )
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
    }


def page_sizes(port: int, language: str = "en") -> dict[str, int]:
    """Bytes of each page's HTML plus the CSS it loads, in one language, walked with a cookie-keeping opener."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    sizes: dict[str, int] = {}
    css_bytes = 0

    def fetch(path: str, data: dict[str, str] | None = None) -> tuple[str, str]:
        nonlocal css_bytes
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with opener.open(base + path, data=body, timeout=10) as response:
            text = response.read().decode()
            final = response.geturl().removeprefix(base)
        css = re.search(r'href="(/assets/style[^"]+)"', text)
        if css and not css_bytes:
            with opener.open(base + css.group(1)) as sheet:
                css_bytes = len(sheet.read())
        return text, final

    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    text, url = fetch(f"/language/{language}?next=/")
    sizes["start"] = len(text.encode())
    text, url = fetch("/start", {"csrf_token": token.search(text).group(1)})
    answers = {k: ("yes" if v is True else "no" if v is False else v) for k, v in HEAVY.items()}
    for _ in range(15):
        if url.startswith("/warning"):
            sizes[f"warning ({url})"] = len(text.encode())
            text, url = fetch(re.search(r'href="(/questions/[a-z_]+|/check)" data-continue', text).group(1))
            continue
        if not url.startswith("/questions/"):
            break
        sizes[url] = len(text.encode())
        data = {"csrf_token": token.search(text).group(1)}
        for question in re.findall(r'data-question="([a-z0-9_]+)"', text):
            value = answers.get(question)
            data[question] = value[0] if isinstance(value, list) else str(value)
        text, url = fetch(url, data)
    sizes["/check"] = len(text.encode())
    for path in ("/result", "/summary"):
        sizes[path] = len(fetch(path)[0].encode())
    return {name: size + css_bytes for name, size in sizes.items()} | {"(style.css alone)": css_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="length of each load run (default 20)")
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated patients (default 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers for both apps")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()

    startup = [timeit.timeit(lambda: load_bank(ROOT / "questions.yaml"), number=1) for _ in range(5)]
    bank = load_bank(ROOT / "questions.yaml")
    evaluate = {}
    for name, raw in (("calm", CALM), ("heavy", HEAVY)):
        answers = coerce_all(bank.questions, raw, "json")
        runs = timeit.repeat(lambda answers=answers: evaluate_answers(bank, answers), number=2000, repeat=5)
        evaluate[name] = min(runs) / 2000 * 1e6

    results: dict[str, object] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "bank_load_s_median": statistics.median(startup),
        "evaluate_us": evaluate,
    }
    port = free_port()
    app = start_gunicorn("app:app", port, args.workers)
    try:
        results["page_bytes_with_css"] = page_sizes(port)
        results["page_bytes_with_css_spanish"] = page_sizes(port, "es")
        results["flow"] = run_locust("PatientUser", port, args.users, args.seconds)
        results["flow_paced_1s_per_page"] = run_locust("PacedPatientUser", port, args.users, args.seconds)
        results["memory_per_worker"] = worker_memory(app)
    finally:
        stop(app)
    port = free_port()
    baseline = start_gunicorn("benchmarks.baseline_app:app", port, args.workers)
    try:
        results["baseline"] = run_locust("BaselineUser", port, args.users, args.seconds)
    finally:
        stop(baseline)
    flow, base = results["flow"], results["baseline"]
    assert isinstance(flow, dict) and isinstance(base, dict)
    results["ratio"] = {
        "throughput (flow / baseline)": flow["rps"] / base["rps"],
        "p95 (flow / baseline)": flow["p95_ms"] / max(base["p95_ms"], 1e-9),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
