"""Before and after, paired: the pages of in_process.py timed in two checkouts taking turns.

On a shared machine the speed of the same code moves by a third from one minute to the next,
so timing one commit and then another measures the minute as much as the change. This runs one
process for each checkout (this one and BEFORE, e.g. a `git worktree` of an older commit with
its catalogs compiled), keeps both warm, and times them in turn, round after round; each page's
result is the median of the rounds' after/before ratios, and the fastest timing of each side.
The fair baseline page is the same code on both sides: its ratio shows the noise.

Run: .venv/bin/python benchmarks/paired.py BEFORE [--rounds 20] [--number 40]

BEFORE's own benchmarks/in_process.py is used, so both sides walk the patient their bank fits.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(root: Path) -> None:
    """One side: walk the patient once, then time every page each time a number arrives on stdin."""
    os.chdir(root)
    sys.path.insert(0, str(root / "benchmarks"))
    import in_process  # the checkout's own, found only now

    import fbss_check

    package = Path(fbss_check.__file__).resolve().parent
    assert package == root / "fbss_check", f"{root} imported the app from {package}"
    calls = in_process.requests(in_process.walked_client())
    for call in calls.values():
        for _ in range(20):
            call()  # warm: templates compiled, caches filled
    print("ready", flush=True)
    for line in sys.stdin:
        number = int(line)
        timings = {
            name: min(timeit.repeat(call, number=number, repeat=3)) / number * 1000 for name, call in calls.items()
        }
        print(json.dumps(timings), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=20, help="turns each side takes (default 20)")
    parser.add_argument("--number", type=int, default=40, help="calls per timing (default 40)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.before.resolve())
        return
    sides = {"before": args.before.resolve(), "after": ROOT}
    processes = {
        side: subprocess.Popen(
            [sys.executable, __file__, str(root), "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for side, root in sides.items()
    }
    for side, process in processes.items():
        assert process.stdout is not None and process.stdout.readline().strip() == "ready", f"{side} did not start"
    rounds: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for turn in range(args.rounds):
        for side in ("before", "after") if turn % 2 == 0 else ("after", "before"):  # neither always goes first
            process = processes[side]
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(f"{args.number}\n")
            process.stdin.flush()
            rounds[side].append(json.loads(process.stdout.readline()))
    for process in processes.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    print(f"{'page':32} {'after/before':>12} {'fastest before':>15} {'fastest after':>14}")
    for name in rounds["before"][0]:
        before = [timings[name] for timings in rounds["before"]]
        after = [timings[name] for timings in rounds["after"]]
        ratio = statistics.median(a / b for b, a in zip(before, after, strict=True))
        print(f"{name:32} {ratio:12.2f} {min(before):12.2f} ms {min(after):11.2f} ms")


if __name__ == "__main__":
    main()
