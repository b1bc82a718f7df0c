"""A five-variable session design for one person: its time, and its front against grid and
random search.

Run ``python bench/bench_design.py`` (``--budget N``, ``--draws D``, ``--hv-draws D``, ``--seeds
N``, ``--workers N``, ``--skip-timing``, ``--skip-hv``). The problem is the one of
``docs/design.md``: the person of ``knee-rehab-first-session``; speed 0.5-3.0 mph, grade 0-8 %,
forward or backward, 5-30 min, no rail or a light touch; maximise the energy walked and minimise
the fall risk with the heart rate under 60 % of reserve, the fall risk under 1 in 1,000 and
systolic pressure under 180 mmHg, each at the 90th percentile of the person's prediction
distribution.

1. **Time**: NSGA-II with a budget of ``--budget`` candidates (2,000) and ``--draws`` (1,000)
   plausible versions of the person each, 2 M sessions, once: wall clock and the process's CPU
   time (on a shared machine the wall clock includes waiting for a core), with the CPU time's
   split between the batch evaluation (building the candidate arms, the engine's sessions, the
   outcomes) and pymoo; with ``--workers N`` again on a local Dask cluster of N processes
   (each generation's new candidates cut into one task per worker). The goal (under 30 s on
   two cores) is reported, not enforced.
2. **Quality**: the hypervolume of the front (objectives scaled by 100 kcal and by the fall
   limit, reference point 0 kcal and the fall limit) of NSGA-II, of a full-factorial grid and of
   random search with the same number of evaluations, and of NSGA-II with a tenth of them (the
   goal: at least the grid's), the seeded searches over ``--seeds`` seeds (5) and NSGA-II with a
   tenth over ``--tenth-seeds`` (15), from ``--first-seed`` (1): the median and the worst. These
   runs use ``--hv-draws`` (200) versions each and share one evaluator (a candidate met again is
   not simulated again), to keep the bench short; a limit's quantile moves little between 200
   and 1,000 draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.design import search, session  # noqa: E402
from retrosim.design.study import run_design  # noqa: E402

SCENARIO = "knee-rehab-first-session"
PROBLEM = dict(objectives=["energy_walking", "-fall_risk"],
               vary=["speed_mph=0.5..3.0", "grade_pct=0..8", "direction=forward,backward",
                     "minutes=5..30", "handrail=none,light"],
               limits=["hr_reserve_peak<=0.60", "fall_risk<=0.001", "sbp_peak<=180"])
TARGET_S = 30.0
#: Objective scales and reference point of the hypervolume (minimised: -kcal, risk).
SCALE = np.array([100.0, 0.001])
REFERENCE = np.array([0.0, 1.0])


def timed_study(budget: int, draws: int):
    spent = {"evaluate": 0.0, "outcomes": 0.0}          # CPU time of the process [s]
    call, outcomes = session.SessionEvaluator.__call__, session.outcomes_of

    def evaluate(self, candidates):             # time the batch evaluation
        t = time.process_time()
        try:
            return call(self, candidates)
        finally:
            spent["evaluate"] += time.process_time() - t

    def outcomes_of(s):
        t = time.process_time()
        try:
            return outcomes(s)
        finally:
            spent["outcomes"] += time.process_time() - t

    session.SessionEvaluator.__call__ = evaluate       # type: ignore[method-assign]
    session.outcomes_of = outcomes_of
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        st = run_design(SCENARIO, **PROBLEM, budget=budget, draws=draws, seed=1)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        session.SessionEvaluator.__call__ = call        # type: ignore[method-assign]
        session.outcomes_of = outcomes
    distinct = len(st.problem.evaluate._seen)           # type: ignore[attr-defined]
    sessions = distinct * (draws + 1)
    print(f"NSGA-II, budget {budget:,}, {draws:,} plausible versions per candidate")
    print(f"  {st.archive.distinct:,} distinct candidates evaluated ({distinct:,} protocols "
          f"simulated, {sessions:,} person-sessions; {len(st.archive.candidates):,} proposed, "
          f"the repeats from the cache), {st.front.size} on the front")
    print(f"  wall clock {total:.1f} s (goal < {TARGET_S:.0f} s: "
          f"{'met' if total < TARGET_S else 'not met'}); "
          f"{1e6 * total / max(sessions, 1):.1f} us per person-session; CPU time of the "
          f"process {cpu:.1f} s (the machine is shared: wall clock above CPU time is waiting)")
    other = spent["evaluate"] - spent["outcomes"]
    print(f"  CPU time: batch evaluation {spent['evaluate']:.1f} s "
          f"({100 * spent['evaluate'] / cpu:.0f}%; engine sessions and arm building "
          f"{other:.1f} s, outcomes {spent['outcomes']:.1f} s); pymoo and the rest "
          f"{cpu - spent['evaluate']:.1f} s")
    return st


def clustered_study(budget: int, draws: int, workers: int, local) -> None:
    """The same search with each generation's new candidates on a local Dask cluster."""
    from retrosim.scale.cluster import Cluster, connect

    with connect(Cluster(None, workers)) as client:
        t0, c0 = time.perf_counter(), time.process_time()
        st = run_design(SCENARIO, **PROBLEM, budget=budget, draws=draws, seed=1, client=client)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    same = all(np.array_equal(a, b) for a, b in zip(st.archive.arrays(), local.archive.arrays(),
                                                    strict=True)) and \
        np.array_equal(st.front, local.front)
    print(f"  on a local Dask cluster of {workers} processes: wall clock {total:.1f} s (goal < "
          f"{TARGET_S:.0f} s: {'met' if total < TARGET_S else 'not met'}); CPU time of this "
          f"process {cpu:.1f} s; {st.archive.distinct:,} candidates, {st.front.size} on the "
          f"front ({'bit for bit' if same else 'NOT'} the same as in this process)")


def quality(budget: int, draws: int, seeds: int, tenth_seeds: int, first: int = 1) -> None:
    """Hypervolumes of NSGA-II (at the budget and a tenth of it, over ``seeds`` and
    ``tenth_seeds`` seeds) and random search over ``seeds`` seeds, and of the grid (one: it
    has no seed), on one problem whose evaluator is
    shared (a candidate met again in another search is not simulated again; its numbers are
    the same)."""
    from retrosim.design.study import build

    _, problem, _, _ = build(SCENARIO, **PROBLEM, budget=budget, draws=draws, seed=1)
    rows = []
    for method, n, runs in (("grid", budget, [1]),
                            ("random", budget, range(first, first + seeds)),
                            ("nsga2", budget, range(first, first + seeds)),
                            ("nsga2", budget // 10, range(first, first + tenth_seeds))):
        t = time.perf_counter()
        found = []
        for seed in runs:
            archive = search.solve(problem, n, seed, method=method)
            F, G = archive.arrays()
            idx = search.front(F, G)
            found.append((search.hypervolume(F[idx] / SCALE, REFERENCE), archive.distinct,
                          idx.size))
        hv = np.array([f[0] for f in found])
        rows.append((method, int(np.median([f[1] for f in found])),
                     int(np.median([f[2] for f in found])), float(np.median(hv)),
                     float(hv.min()), len(found), time.perf_counter() - t))
    print(f"front hypervolume ({draws} versions per candidate; objectives in 100 kcal and in "
          f"units of the fall limit; reference 0 kcal, the fall limit); median and worst over "
          f"seeds from {first}")
    print(f"  {'method':<8} {'evaluations':>11} {'front':>6} {'median':>8} {'worst':>8} "
          f"{'seeds':>5} {'time s':>7}")
    for method, n, size, med, worst, runs, secs in rows:
        print(f"  {method:<8} {n:>11,} {size:>6} {med:>8.4f} {worst:>8.4f} {runs:>5} "
              f"{secs:>7.1f}")
    grid_hv = rows[0][3]
    tenth, full = rows[3], rows[2]
    print(f"  NSGA-II with a tenth of the evaluations: median {tenth[3] / grid_hv:.3f} x, worst "
          f"{tenth[4] / grid_hv:.3f} x the grid's hypervolume (goal >= 1: "
          f"{'met' if tenth[3] >= grid_hv else 'not met'} by the median, "
          f"{'met' if tenth[4] >= grid_hv else 'not met'} by the worst); with the same: median "
          f"{full[3] / grid_hv:.3f} x, worst {full[4] / grid_hv:.3f} x")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=int, default=2000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--hv-draws", type=int, default=200)
    p.add_argument("--seeds", type=int, default=5, help="seeds of each seeded search (5)")
    p.add_argument("--first-seed", type=int, default=1, help="the first seed (1)")
    p.add_argument("--tenth-seeds", type=int, default=15,
                   help="seeds of NSGA-II with a tenth of the budget (15; it is quick)")
    p.add_argument("--workers", type=int, default=0,
                   help="also time the search on a local Dask cluster of this many processes")
    p.add_argument("--skip-timing", action="store_true")
    p.add_argument("--skip-hv", action="store_true")
    args = p.parse_args()
    if not args.skip_timing:
        local = timed_study(args.budget, args.draws)
        if args.workers:
            clustered_study(args.budget, args.draws, args.workers, local)
    if not args.skip_hv:
        quality(args.budget, args.hv_draws, args.seeds, args.tenth_seeds, args.first_seed)


if __name__ == "__main__":
    main()
