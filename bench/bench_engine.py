"""Sessions per second: the closed-form engine against the naive one-process-per-person model.

Run ``python bench/bench_engine.py`` (or ``make bench``); ``--quick`` for a short run. It
builds a 30-minute, six-stage protocol (a forward warm-up, four backward stages with grades,
one of them with a light handrail touch, a forward cool-down), then

1. times the naive reference (``bench/naive.py``: a SimPy process per person, forward Euler
   at 1 s) on a few people;
2. times ``retrosim.run(scenario, subjects=N, traces=False)`` at N = 1, 10,000 and 100,000,
   best of three;
3. prints sessions per second for both, their ratio, and how far the two agree on energy,
   VO2 peak and HR peak for the same people.

Exit status 1 if the mean relative energy difference exceeds 0.5 %. The throughput targets
(>= 100x the naive model, >= 50,000 sessions per second) are reported, not enforced: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import naive  # noqa: E402
from workloads import STAGES  # noqa: E402

import retrosim  # noqa: E402
from retrosim.model.scenario import Scenario  # noqa: E402

ENERGY_LIMIT_PCT = 0.5
TARGET_RATIO = 100.0
TARGET_SESSIONS_PER_S = 50_000.0



def scenario(model: str) -> Scenario:
    """The benchmark's scenario: one subject, one arm, the six stages above (30 min)."""
    return Scenario.from_dict({
        "name": "bench-six-stage",
        "description": "30-minute six-stage forward/backward protocol",
        "seed": 1,
        "subject": {"mass_kg": 75.0, "age_yr": 50, "sex": "male", "hr_rest_bpm": 68,
                    "vo2max_ml_kg_min": 32, "fitness": "recreational"},
        "energy": {"model": model},
        "arms": {"six-stage": {"stages": STAGES}},
    })


def best_of(repeat: int, fn, *args, **kwargs) -> tuple[float, object]:
    """Smallest wall time of ``repeat`` calls [s], and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def rate(n: int, seconds: float) -> str:
    """Sessions per second, with a decimal when there are few."""
    r = n / seconds
    return f"{r:,.1f}" if r < 100 else f"{r:,.0f}"


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="5 naive people, engine at 1, 1,000 and 10,000, one repeat")
    parser.add_argument("--naive-subjects", type=int, default=None,
                        help="people for the naive reference (default 20)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="engine batch sizes (default 1 10000 100000)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="engine timings are the best of this many runs (default 3)")
    parser.add_argument("--model", default="continuous",
                        help="energy model, a key of retrosim.physiology.energy.ENERGY_MODELS")
    args = parser.parse_args(argv)
    n_naive = args.naive_subjects or (5 if args.quick else 20)
    sizes = args.sizes or ([1, 1_000, 10_000] if args.quick else [1, 10_000, 100_000])
    repeat = args.repeat or (1 if args.quick else 3)
    if n_naive < 1 or repeat < 1 or min(sizes) < 1:
        parser.error("sizes, --naive-subjects and --repeat must be at least 1")

    sc = scenario(args.model)
    arm = next(iter(sc.arms.values()))
    print(f"protocol: {len(arm.protocol.stages)} stages, {arm.protocol.duration_s / 60:g} min; "
          f"energy model {sc.energy.model!r}; {cpus()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")
    for stage in arm.protocol.stages:
        print(f"  {stage}" + (f" (handrail {stage.handrail})" if stage.handrail else ""))

    retrosim.run(sc, subjects=1, traces=False)                      # imports, caches
    naive_s, reference = best_of(1, naive.run, sc, subjects=n_naive)
    rows = [("naive: SimPy process per person, 1 s Euler", n_naive, naive_s)]
    for n in sizes:
        seconds, _ = best_of(repeat, retrosim.run, sc, subjects=n, traces=False)
        rows.append(("engine: closed form, retrosim.run", n, seconds))

    print()
    print(f"{'':44} {'subjects':>9} {'time [s]':>10} {'sessions/s':>12} {'per session':>12}")
    for label, n, seconds in rows:
        print(f"{label:44} {n:>9,} {seconds:>10.4f} {rate(n, seconds):>12} "
              f"{1e3 * seconds / n:>9.4f} ms")
    naive_rate = n_naive / naive_s
    n_big, big_s = rows[-1][1], rows[-1][2]
    fast_rate = n_big / big_s
    ratio = fast_rate / naive_rate
    print()
    print(f"speed-up, engine at {n_big:,} vs naive: {ratio:,.0f}x "
          f"(target >= {TARGET_RATIO:g}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})")
    print(f"engine throughput at {n_big:,}: {rate(n_big, big_s)} sessions/s "
          f"(target >= {TARGET_SESSIONS_PER_S:,.0f} on two cores: "
          f"{'met' if fast_rate >= TARGET_SESSIONS_PER_S else 'NOT met'})")

    engine = retrosim.run(sc, subjects=n_naive, traces=False)
    print()
    print(f"agreement, the same {n_naive} people (naive - engine):")
    print(f"  {'':14} {'engine':>10} {'naive':>10} {'mean |d|/x':>11} {'max |d|':>10}")
    energy_pct = 0.0
    for name, unit in (("energy_total", "kcal"), ("vo2_peak", "mL kg-1 min-1"),
                       ("hr_peak", "min-1")):
        ours = engine[name].values[0]
        theirs = reference[name]
        rel = float(np.mean(np.abs(theirs - ours) / np.abs(ours))) * 100.0
        if name == "energy_total":
            energy_pct = rel
        print(f"  {name:14} {ours.mean():>10.3f} {theirs.mean():>10.3f} {rel:>10.4f}% "
              f"{np.max(np.abs(theirs - ours)):>10.4f} {unit}")
    ok = energy_pct <= ENERGY_LIMIT_PCT
    print(f"energy agreement {energy_pct:.4f} % (limit {ENERGY_LIMIT_PCT} %): "
          f"{'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
