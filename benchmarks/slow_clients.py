"""Slow clients against the production stack, with and without nginx in front, in one run.

N connections each send half a request and stall (half of them part of the headers, half a
body shorter than its Content-Length); then a normal `GET /healthz` is timed, five times.
gunicorn alone (2 sync workers, gunicorn.conf.py) must wait for its timeout (30 s) before a
worker is free, and the slow clients queue ahead of the normal one; behind nginx
(deploy/nginx/) the request is answered at once. Loopback only; it stops by itself (each
request is bounded at 40 s, "no answer" past that).

Run: .venv/bin/python benchmarks/slow_clients.py [--clients 6 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.deploy.stack import nginx_available, running_stack, slow_clients


def timed(url: str, verify: str | bool) -> float:
    started = time.perf_counter()
    try:
        requests.get(url, verify=verify, timeout=40).raise_for_status()
    except requests.RequestException:
        return float("inf")
    return time.perf_counter() - started


def measure(with_nginx: bool, clients: int) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as folder, running_stack(Path(folder), with_nginx=with_nginx) as stack:
        url = f"{stack.public_url if with_nginx else stack.app_url}/healthz"
        verify: str | bool = str(stack.cert) if with_nginx else True
        quiet = statistics.median(timed(url, verify) for _ in range(5))
        port = stack.https_port if with_nginx else stack.app_port
        with slow_clients(port, clients, tls=with_nginx):
            time.sleep(0.5)
            loaded = [timed(url, verify) for _ in range(5)]
        return quiet, loaded


def seconds(value: float) -> str:
    return "no answer in 40 s" if value == float("inf") else f"{value:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[6, 50])
    args = parser.parse_args()
    if not nginx_available():
        raise SystemExit("nginx is not installed: run scripts/ensure-test-packages")
    for clients in args.clients:
        for label, with_nginx in (("gunicorn alone", False), ("nginx in front", True)):
            quiet, loaded = measure(with_nginx, clients)
            print(
                f"{label}, {clients} slow clients: GET /healthz {quiet * 1000:.1f} ms before them; "
                "with them: " + ", ".join(seconds(t) for t in loaded),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
