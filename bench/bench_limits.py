"""What the guards against hostile input cost: the time limit on every controller call, and
running the page's runs in a process of their own.

Run ``python bench/bench_limits.py`` (``--people N``, ``--repeat R``). In one run it times,
best of ``R``:

1. ``retrosim.run`` of the bundled ``hr-controller`` (three controlled arms, 3,600 calls
   each) with every call under the time limit (SIGALRM set and cleared around each call, the
   default) and with no limit (``step_time_limit(None)``); the ratio is the limit's cost;
2. the page's run of the four-arm scenario of ``bench_app.py`` for ``--people`` people:
   :func:`retrosim.app.outcome.run` in the server's process, and the same through
   :class:`retrosim.app.worker.Runner` (a fresh ``spawn`` process, the Outcome sent back);
   the difference is the start of the process and the transfer, which keeps the server free.

Ratios and differences are reported, not enforced: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import scenario  # noqa: E402

import retrosim  # noqa: E402
from retrosim.app import outcome, worker  # noqa: E402
from retrosim.controllers.contract import step_time_limit  # noqa: E402


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--subjects", type=int, default=20, help="people of hr-controller (20)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sc = retrosim.load_scenario("hr-controller")
    retrosim.run(sc, subjects=2, traces=False)                     # warmed

    def controlled(limit: float | None) -> None:
        with step_time_limit(limit):
            retrosim.run(sc, subjects=args.subjects, traces=False)

    limited = best(args.repeat, lambda: controlled(5.0))
    free = best(args.repeat, lambda: controlled(None))
    print(f"hr-controller, {args.subjects} people: {limited:.3f} s with the time limit on "
          f"every call, {free:.3f} s without: ratio {limited / free:.3f}")

    data = scenario()
    outcome.run(data, "bench-app.toml", 10)
    here = best(args.repeat, lambda: outcome.run(data, "bench-app.toml", args.people))
    apart = best(args.repeat, lambda: asyncio.run(
        worker.Runner().run(data, "bench-app.toml", args.people)))
    print(f"page run, {args.people} people: {here:.3f} s in the server's process, "
          f"{apart:.3f} s in a process of its own (+{apart - here:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
