"""A day of rest after a session costs what half an hour does: blood pressure is event-driven.

Run ``python bench/bench_bp.py`` (``--quick`` for a short run). Two scenarios differ only in
the rest after a 30-min walk (3.5 mph at 5 %): 30 min, or 24 h with readings at 30 min and
1, 2, 4, 8, 12 and 24 h. It

1. times ``retrosim.run(scenario, subjects=N, traces=False)`` for both (best of three) and
   prints both timings and their ratio: the post-exercise hypotension is a closed-form function
   of the time since the walk ended, so the day of rest is one segment of the timeline, not
   86,400 steps;
2. integrates the same pressure with a naive fixed 1-s step over the whole day for a few people
   and prints its time and its largest difference from the engine's trace.

Exit status 1 if the naive and closed-form pressures differ by more than 1 mmHg (the
resolution of a reading; forward Euler at 1 s against a 30-s time constant errs by about
1/60 of each change). The ratio target (at most 1.5 with the same readings) is reported, not
enforced: timings depend on the machine. More readings cost more (each is an event for every
person); a longer rest does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import retrosim  # noqa: E402
from retrosim.engine.simulate import simulate_arm  # noqa: E402
from retrosim.model.scenario import Scenario  # noqa: E402
from retrosim.physiology import peh_course, pressure  # noqa: E402

TARGET_RATIO = 1.5
AGREEMENT_MMHG = 1.0


def scenario(rest: str, readings: list[int]) -> Scenario:
    return Scenario.from_dict({
        "name": f"bp-bench-{rest.replace(' ', '')}", "seed": 4,
        "subject": {"mass_kg": 80.0, "age_yr": 55, "sex": "male",
                    "resting_bp_mmhg": [150, 94]},
        "bp": {"readings_min": readings},
        "arms": {"walk": {"stages": ["walk forward at 3.5 mph, 5% grade for 30 min",
                                     f"rest for {rest}"]}},
    })


def best_of(repeat: int, fn, *args, **kwargs) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def naive_sbp(sc: Scenario, subjects: int, step_s: float = 1.0) -> tuple[np.ndarray, float]:
    """SBP every ``step_s`` over the whole arm by forward Euler on the pressor rise, plus the
    PEH of the engine's bout; and the seconds it took."""
    ds = retrosim.run(sc, subjects=subjects, trace_step_s=step_s)
    start = time.perf_counter()
    t = ds.time.values
    met = ds.met.isel(arm=0).values                                  # (N, M)
    target = pressure.pressor_rise(met, pressure.SBP_PER_MET_MMHG)
    rise = np.zeros_like(target)
    for i in range(1, t.size):
        dt = t[i] - t[i - 1]
        rise[:, i] = rise[:, i - 1] + dt * (target[:, i - 1] - rise[:, i - 1]) / pressure.BP_TAU_S
    end = ds.exercise_end.isel(arm=0).values[:, None]
    drop = 150 - ds.sbp_nadir.isel(arm=0).values[:, None]
    peak = peh_course.peh_shape(ds.bp_nadir_time.isel(arm=0).values[:, None] - end)
    sbp = 150 + rise - drop / peak * peh_course.peh_shape(t[None, :] - end)
    return np.abs(sbp - ds.sbp.isel(arm=0).values), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 people, one repeat")
    parser.add_argument("--subjects", type=int, default=None, help="people (default 100,000)")
    args = parser.parse_args(argv)
    n = args.subjects or (10_000 if args.quick else 100_000)
    repeat = 1 if args.quick else 3
    readings = [30, 60, 120, 240, 480, 720, 1440]
    short = scenario("30 min", [30])
    day = scenario("24 h", readings)
    for sc in (short, day):
        arm = sc.arms["walk"]
        knots = simulate_arm(arm.protocol, sc.treadmill)[0].t.shape[0]
        print(f"{sc.name}: {arm.protocol.duration_s / 3600:5.2f} h, {knots} knots, "
              f"{len(sc.arms['walk'].bp_readings_min or sc.bp.readings_min)} readings")
    retrosim.run(short, subjects=10, traces=False)                   # imports, caches
    t_short = best_of(repeat, retrosim.run, short, subjects=n, traces=False)
    t_day = best_of(repeat, retrosim.run, day, subjects=n, traces=False)
    t_day_one = best_of(repeat, retrosim.run, scenario("24 h", [30]), subjects=n, traces=False)
    print()
    print(f"{'':44} {'subjects':>9} {'time [s]':>10} {'sessions/s':>12}")
    for label, seconds in (("30-min walk + 30-min rest, 1 reading", t_short),
                           ("30-min walk + 24-h rest, 1 reading", t_day_one),
                           ("30-min walk + 24-h rest, 7 readings", t_day)):
        print(f"{label:44} {n:>9,} {seconds:>10.4f} {n / seconds:>12,.0f}")
    ratio = t_day_one / t_short
    print(f"ratio, 24-h rest / 30-min rest (same readings): {ratio:.2f} "
          f"(target <= {TARGET_RATIO:g}: {'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    print(f"ratio with the day's 7 readings: {t_day / t_short:.2f}")

    people = 5 if args.quick else 20
    diff, seconds = naive_sbp(day, people)
    steps = int(day.arms["walk"].protocol.duration_s)
    print()
    print(f"naive fixed step, 1 s: {steps:,} steps for {people} people in {seconds:.2f} s; "
          f"difference from the closed form: mean {diff.mean():.4f}, largest {diff.max():.4f} mmHg "
          f"(limit {AGREEMENT_MMHG} mmHg)")
    ok = diff.max() <= AGREEMENT_MMHG
    print("agreement: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
