"""Where the two cores go during a load run: the load generator (locust), the gunicorn workers,
and nothing (idle), for the fair baseline and for the question page, in turns, each server under
the benchmark's own settings (`run.py`: gunicorn.conf.py, `--workers` sync workers).

    .venv/bin/python benchmarks/cpu_share.py [--rounds 2] [--seconds 10] [--workers 2]

Only the last three fifths of each run count: the page's patients first answer every page. A
worker that restarts (gunicorn's max_requests) is counted from when it was first seen."""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run

MEASURES = {"baseline": ("BaselineUser", "baseline"), "question_page_get": ("QuestionPageUser", "page")}


class Sampler(threading.Thread):
    """Every half second: the time, the CPU seconds of each process of each group, the machine's idle."""

    def __init__(self, groups: dict[str, psutil.Process]) -> None:
        super().__init__(daemon=True)
        self.groups = groups
        self.samples: list[tuple[float, dict[str, dict[int, float]], float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            seen: dict[str, dict[int, float]] = {}
            for name, root in self.groups.items():
                seen[name] = {}
                for process in [root, *root.children(recursive=True)]:
                    try:
                        times = process.cpu_times()
                    except psutil.NoSuchProcess:
                        continue
                    seen[name][process.pid] = times.user + times.system
            self.samples.append((time.monotonic(), seen, psutil.cpu_times().idle))
            time.sleep(0.5)


def cpu_seconds(window: list[dict[int, float]]) -> float:
    """CPU seconds from the first sample of a window to the last, over every process seen in it: one
    started within it from zero, one that ended within it up to when it was last seen."""
    latest: dict[int, float] = {}
    for seen in window:
        latest.update(seen)
    return sum(seconds - window[0].get(pid, 0.0) for pid, seconds in latest.items())


def measure(user_class: str, row: str, port: int, server: psutil.Process, seconds: int, users: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "stats"
        locust = subprocess.Popen(
            run.locust_command(user_class, port, users, seconds, prefix),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sampler = Sampler({"locust": psutil.Process(locust.pid), "workers": server})
        sampler.start()
        locust.wait(timeout=seconds + 60)
        sampler.done.set()
        sampler.join()
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rps = float({r["Name"]: r for r in csv.DictReader(handle)}[row]["Requests/s"])
    window = sampler.samples[len(sampler.samples) * 2 // 5 : len(sampler.samples) - 2]  # not as locust stops
    span = window[-1][0] - window[0][0]
    load, workers = (cpu_seconds([seen[name] for _, seen, _ in window]) / span for name in ("locust", "workers"))
    idle = (window[-1][2] - window[0][2]) / span
    return (
        f"{rps:7.0f} requests/s; cores: locust {load:.2f}, gunicorn {workers:.2f}, idle {idle:.2f}; "
        f"a request: locust {1000 * load / rps:.2f} ms, gunicorn {1000 * workers / rps:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=psutil.cpu_count() or 1)
    args = parser.parse_args()
    with run.serving(("baseline", "app"), args.workers) as (ports, processes):
        for _ in range(args.rounds):
            for name, (user_class, row) in MEASURES.items():
                server = "baseline" if name == "baseline" else "app"
                gunicorn = psutil.Process(processes[server].pid)
                found = measure(user_class, row, ports[server], gunicorn, args.seconds, args.users)
                print(f"{name:18s} {found}", flush=True)


if __name__ == "__main__":
    main()
