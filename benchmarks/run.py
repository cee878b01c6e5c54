"""Measure fbss-check against two references in the same run, on 127.0.0.1 only.

The references (benchmarks/baseline_app.py), under the same gunicorn settings and the same
load: the fair baseline, a bare Flask page with a cached template, and the limit, a WSGI app
that answers b"ok". Prints requests per second, p50 and p95 latency for the patient flow, for
one question page, "check your answers" and the summary each opened again and again, and for
both references, with the ratios; plus start-up time, one `evaluate`, memory per worker and the
bytes of each page. Every load run is bounded in time; nothing leaves this machine.

    .venv/bin/python benchmarks/run.py [--seconds 20] [--users 20]
    .venv/bin/python benchmarks/run.py --interleave 5 --seconds 8   (the ratios alone, round after round)
    .venv/bin/python benchmarks/run.py --interleave 6 --seconds 5 --before /tmp/before   (and an older app's)
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from patient import ANSWERS  # noqa: E402

from fbss_check import Bank, load_bank  # noqa: E402
from fbss_check.answers import coerce_all  # noqa: E402
from fbss_check.engine import evaluate_answers  # noqa: E402
from fbss_check.model import Kind  # noqa: E402


def calm_and_heavy(bank: Bank) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every question answered, as form codes: the load test's calm patient, and a heavy one with
    an emergency and several other flags."""
    calm: dict[str, Any] = {}
    for question in bank.questions.values():
        value = ANSWERS.get(question.id, "no")
        if question.kind is Kind.MULTIPLE_CHOICE:
            calm[question.id] = [value]
        elif question.is_numeric:
            calm[question.id] = int(value)
        else:
            calm[question.id] = value
    heavy = {
        **calm,
        "bladder_control_change": "yes",
        "fever": "unsure",
        "pain_trend": "worse",
        "phq4_interest": 3,
        "phq4_down": 3,
        "health_conditions": ["smoker"],
        "treatments_tried": ["physical_therapy", "medication", "injections"],
    }
    return calm, heavy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(target: str, port: int, workers: int, root: Path = ROOT) -> subprocess.Popen[bytes]:
    """`target` under gunicorn with the settings of `root` (a checkout), its code imported from there:
    gunicorn puts its working folder first on sys.path before it reads gunicorn.conf.py, which
    imports the package."""
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
            str(root / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(root),
        ],
        env=env,
        cwd=root,
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


Servers = tuple[dict[str, int], dict[str, subprocess.Popen[bytes]]]  # ports and processes, by name


@contextmanager
def serving(names: tuple[str, ...], workers: int, before: Path | None = None) -> Iterator[Servers]:
    """Each named server (TARGETS) under gunicorn on a free port, stopped afterwards: the ports and
    processes. With `before` (another checkout), its app too, as "before"."""
    ports = {name: free_port() for name in (*names, *(("before",) if before else ()))}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, port in ports.items():
            if name == "before" and before is not None:
                processes[name] = start_gunicorn(TARGETS["app"], port, workers, before)
            else:
                processes[name] = start_gunicorn(TARGETS[name], port, workers)
        yield ports, processes
    finally:
        for process in processes.values():
            stop(process)


def report(found: dict[str, object], path: Path | None) -> None:
    """Print the numbers, and write them to `path` too when one is given."""
    text = json.dumps(found, indent=2)
    print(text)
    if path:
        path.write_text(text + "\n")


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


def locust_command(user_class: str, port: int, users: int, seconds: int, prefix: Path) -> list[str]:
    """One bounded, headless locust run of `users` patients of `user_class`, its numbers in CSV files."""
    return [
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
    ]


def run_locust(user_class: str, port: int, users: int, seconds: int, row: str = "Aggregated") -> dict[str, float]:
    """One bounded locust run; the numbers of `row` (a request name, or every request together)."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "stats"
        subprocess.run(
            locust_command(user_class, port, users, seconds, prefix),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=seconds + 60,
        )
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows[row]
    return {
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
    }


def page_sizes(port: int, heavy: dict[str, Any], language: str = "en") -> dict[str, int]:
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
    answers = heavy
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


# One page opened again and again by patients who have answered every page (locustfile.PageUser).
PAGES = {"question_page_get": "QuestionPageUser", "check_get": "CheckPageUser", "summary_get": "SummaryPageUser"}
REFERENCES = {"baseline": "benchmarks.baseline_app:app", "limit": "benchmarks.baseline_app:limit"}
TARGETS = {"app": "app:app", **REFERENCES}


def ratios(results: dict[str, object]) -> dict[str, float]:
    """Throughput of each measure over the fair baseline's and over the limit's, from the same run."""
    rps = {name: value["rps"] for name, value in results.items() if isinstance(value, dict) and "rps" in value}
    assert all(isinstance(results[name], dict) for name in rps)
    out = {}
    for name in ("flow", *PAGES, "baseline"):
        out[f"{name} / baseline"] = rps[name] / rps["baseline"]
        out[f"{name} / limit"] = rps[name] / rps["limit"]
    flow, base = results["flow"], results["baseline"]
    assert isinstance(flow, dict) and isinstance(base, dict)
    out["p95 (flow / baseline)"] = flow["p95_ms"] / max(base["p95_ms"], 1e-9)
    return out


def interleaved(ports: dict[str, int], users: int, seconds: int, rounds: int) -> dict[str, object]:
    """The fair baseline and each measure of the app in turn, round after round, a baseline run
    between every two measure runs: each measure's ratio is taken against the mean of the baseline
    runs just before and just after it (the machine's speed drifts from one minute to the next,
    and on a shared machine from one run to the next), and the median of the rounds is reported.

    With a "before" app served too (`--before`), each measure is run on both apps in turns (after
    first in one round, before first in the next), and the median of the rounds' after/before
    ratios is reported as well."""
    measures = {"flow": ("PatientUser", "Aggregated")} | {name: (user, "page") for name, user in PAGES.items()}
    apps = ("app", "before") if "before" in ports else ("app",)
    baselines = [run_locust("BaselineUser", ports["baseline"], users, seconds)["rps"]]
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {app: {name: [] for name in measures} for app in apps}
    for turn in range(rounds):
        for name, (user_class, row) in measures.items():
            for app in apps if turn % 2 == 0 else apps[::-1]:
                rps = run_locust(user_class, ports[app], users, seconds, row=row)["rps"]
                baselines.append(run_locust("BaselineUser", ports["baseline"], users, seconds)["rps"])
                runs[app][name].append((rps, statistics.mean(baselines[-2:])))
    found: dict[str, object] = {"baseline_rps": baselines}
    for app in apps:
        ratios = {name: [rps / baseline for rps, baseline in values] for name, values in runs[app].items()}
        prefix = "" if app == "app" else "before: "
        found |= {
            f"{prefix}rps": {name: [rps for rps, _ in values] for name, values in runs[app].items()},
            f"{prefix}ratios": ratios,
            f"{prefix}median ratio / baseline": {name: statistics.median(values) for name, values in ratios.items()},
        }
    if "before" in ports:
        found["median after / before, round by round"] = {
            name: statistics.median(
                a / b for (a, _), (b, _) in zip(runs["app"][name], runs["before"][name], strict=True)
            )
            for name in measures
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="length of each load run (default 20)")
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated patients (default 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers for both apps")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--interleave",
        type=int,
        metavar="ROUNDS",
        help="only the ratios to the fair baseline: the baseline and each measure in turn, ROUNDS times",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="CHECKOUT",
        help="with --interleave: also serve the app of another checkout (a git worktree with its catalogs"
        " compiled) and run each measure on both in the same round",
    )
    args = parser.parse_args()
    if args.interleave:
        with serving(("app", "baseline"), args.workers, args.before) as (ports, _processes):
            report(interleaved(ports, args.users, args.seconds, args.interleave), args.json)
        return

    startup = [timeit.timeit(lambda: load_bank(ROOT / "questions.yaml"), number=1) for _ in range(5)]
    bank = load_bank(ROOT / "questions.yaml")
    evaluate = {}
    calm, heavy = calm_and_heavy(bank)
    for name, raw in (("calm", calm), ("heavy", heavy)):
        answers = coerce_all(bank.questions, raw, "codes")
        runs = timeit.repeat(lambda answers=answers: evaluate_answers(bank, answers), number=2000, repeat=5)
        evaluate[name] = min(runs) / 2000 * 1e6

    results: dict[str, object] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "bank_load_s_median": statistics.median(startup),
        "evaluate_us": evaluate,
    }
    with serving(("app", *REFERENCES), args.workers) as (servers, processes):
        # The references are measured first and again last, and count as the mean of the two: the
        # machine's speed drifts (other work on it), and the app's runs come in between.
        references: dict[str, list[dict[str, float]]] = {name: [] for name in REFERENCES}

        def measure_references() -> None:
            for name in REFERENCES:
                references[name].append(run_locust("BaselineUser", servers[name], args.users, args.seconds))

        measure_references()
        port = servers["app"]
        results["page_bytes_with_css"] = page_sizes(port, heavy)
        results["page_bytes_with_css_spanish"] = page_sizes(port, heavy, "es")
        results["flow"] = run_locust("PatientUser", port, args.users, args.seconds)
        for name, user_class in PAGES.items():
            results[name] = run_locust(user_class, port, args.users, args.seconds, row="page")
        results["flow_paced_1s_per_page"] = run_locust("PacedPatientUser", port, args.users, args.seconds)
        results["memory_per_worker"] = worker_memory(processes["app"])
        measure_references()
    for name, runs in references.items():
        results[name] = {key: statistics.mean(run[key] for run in runs) for key in runs[0]}
        results[f"{name}_runs"] = runs
    results["ratio"] = ratios(results)
    report(results, args.json)


if __name__ == "__main__":
    main()
