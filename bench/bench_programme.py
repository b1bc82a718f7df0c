"""A 36-session programme against 36 independent runs of the same sessions, in one run.

Run ``python bench/bench_programme.py`` (or ``make bench``); ``--quick`` for 1,000 people only.
The programme is 12 weeks x 3 sessions (36) of a 25-minute backward session with a weekly
progression, for a cohort of 70-year-olds (falls and blood pressure on). For N = 10,000 and
100,000 people (once each) it times

1. ``retrosim.run`` of the programme: the calendar, 36 sessions of the whole cohort with the
   state carried between them, the daily state and the Dataset;
2. the same 36 session protocols run independently, each by
   ``retrosim.engine.simulate.run_arm`` on the whole cohort with no state, with the same
   per-session summaries (energy, VO2 and HR peaks, MET mean; what a programme would cost as
   36 separate runs);

and prints the wall times, the sessions (person-sessions) per CPU second of each and the
ratios of their CPU and wall times.
The targets (state carrying costs at most 2x per session; 100,000 people in under a minute on
two cores) are reported, not enforced: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import PROGRAMME  # noqa: E402

import retrosim  # noqa: E402
from retrosim.engine import programme  # noqa: E402
from retrosim.engine.simulate import people, run_arm  # noqa: E402
from retrosim.events import MODELS  # noqa: E402
from retrosim.model.scenario import Scenario  # noqa: E402

TARGET_RATIO = 2.0
TARGET_WALL_S = 60.0

SCENARIO = PROGRAMME


def time_programme(scenario: Scenario, n: int) -> tuple[float, float]:
    """Wall and CPU seconds of the programme."""
    start, cpu = time.perf_counter(), time.process_time()
    retrosim.run(scenario, subjects=n, traces=False)
    return time.perf_counter() - start, time.process_time() - cpu


def time_independent(scenario: Scenario, n: int) -> tuple[float, float]:
    """The programme's 36 session protocols, each a separate run of the whole cohort."""
    program = scenario.program
    assert program is not None
    arm = scenario.arms["backward"]
    plan = program.arms["backward"]
    start, cpu = time.perf_counter(), time.process_time()
    cohort = people(scenario, arm, n, scenario.seed)
    for number, (_, week) in enumerate(program.schedule()):
        session_arm = dataclasses.replace(arm, protocol=plan.session(week, arm.protocol))
        session = run_arm(session_arm, scenario, cohort,
                          programme.session_seed(scenario.seed, number), models=MODELS)
        session.trajectory.summary()      # the per-session outcomes a run reports
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people only")
    args = parser.parse_args()
    scenario = Scenario.from_dict(SCENARIO)
    time_programme(scenario, 50)           # imports and first calls out of the timings
    time_independent(scenario, 50)
    sizes = (1_000,) if args.quick else (10_000, 100_000)
    sessions = len(scenario.program.schedule()) if scenario.program else 0
    print(f"programme: {scenario.program.describe() if scenario.program else ''}, "
          f"{sessions} sessions")
    print(f"{'people':>9} {'programme s':>12} {'36 runs s':>10} {'programme /s':>13} "
          f"{'runs /s':>10} {'CPU ratio':>10} {'wall ratio':>10}")
    worst, wall = 0.0, 0.0
    for n in sizes:
        (w_prog, c_prog), (w_runs, c_runs) = time_programme(scenario, n), \
            time_independent(scenario, n)
        ratio = c_prog / c_runs
        worst, wall = max(worst, ratio), max(wall, w_prog)
        print(f"{n:>9,} {w_prog:>12.2f} {w_runs:>10.2f} {n * sessions / c_prog:>13,.0f} "
              f"{n * sessions / c_runs:>10,.0f} {ratio:>10.2f} {w_prog / w_runs:>10.2f}")
    print("(seconds are wall time; sessions per second and the CPU ratio use this process's "
          "CPU time, which another load on the machine changes less)")
    print(f"state carrying costs {worst:.2f}x per session (target <= {TARGET_RATIO:g}x): "
          f"{'met' if worst <= TARGET_RATIO else 'NOT met'}")
    if not args.quick:
        print(f"100,000 people in {wall:.1f} s (target < {TARGET_WALL_S:g} s): "
              f"{'met' if wall < TARGET_WALL_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
