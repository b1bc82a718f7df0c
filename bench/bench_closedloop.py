"""Controlled sessions per second: a heart-rate program in the loop, whole cohorts at once.

Run ``python bench/bench_closedloop.py`` (or ``make bench``). It runs the bundled
``hr-controller`` scenario (three arms, 30 min of walking under the hr-target program called
every second, then 30 min seated) for N = 1, 1,000 and 10,000 people with ``traces=False``
and prints the time and sessions per second. The program is vectorised, so a call costs a
few passes over (N,) arrays: the time grows far slower than N. Timings depend on the machine;
nothing is enforced.
"""

from __future__ import annotations

import time

import retrosim


def main() -> None:
    sc = retrosim.load_scenario("hr-controller")
    arms = len(sc.arms)
    print(f"{sc.name}: {arms} arms, hr-target called every 1 s for 30 min, then 30 min seated")
    print(f"{'subjects':>10}{'time [s]':>11}{'sessions/s':>13}")
    for n in (1, 1_000, 10_000):
        start = time.perf_counter()
        retrosim.run(sc, subjects=n, traces=False)
        elapsed = time.perf_counter() - start
        print(f"{n:>10,}{elapsed:>11.2f}{arms * n / elapsed:>13,.0f}")


if __name__ == "__main__":
    main()
