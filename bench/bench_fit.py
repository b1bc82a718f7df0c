"""How fast ``retrosim fit`` is, and how well its intervals cover the truth.

Run ``python bench/bench_fit.py`` (``--people N`` for the recovery check, default 200;
``--people 0`` for the timing alone). Two measurements in one run:

1. **Time for a 60-min 1-Hz record.** A virtual person walks the recovery session three
   times over and rests 9 min (60 min, 3,601 readings) in ``retrosim.Simulation``; the fit of
   the recording is timed (best of ``--repeat``), and one evaluation of the fit's forward
   model is set against one run of the same walk in ``retrosim.Simulation`` (the naive way
   to evaluate the model).
2. **Recovery.** ``retrosim.fit.recovery.coverage`` for ``--people`` virtual people: the share
   whose 90 % interval holds the true trait, per trait (the figure in docs/fit.md), and the
   mean and sd of the people's z-scores (``recovery.z_score``: 0 and 1 when calibrated; the
   mean shows a bias, the sd a width).
3. **The error model alone.** ``--constants`` records of 300 readings of a constant with the
   recovery's noise (white 2 bpm plus an AR(1) wander, 0.95 per reading, sd 2 bpm), each
   fitted for the constant: the share of 90 % intervals holding it, with the error model
   integrated over (as fitted) and at its point estimate only.

``--white-only`` records the recovery's people without the slow wander (white error only);
``--vo2`` records them with a metabolic cart's oxygen uptake too (``recovery.recording``), and
the table adds each trait's mean 90 % interval width.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.fit import forward, recovery  # noqa: E402
from retrosim.fit.person import fit_person  # noqa: E402


def timing(repeat: int) -> None:
    base = recovery.PROTOCOL
    recovery.PROTOCOL = tuple(base[:-1]) * 3 + ("rest for 9 min",)      # 60 min
    try:
        who = recovery.person(0, 0)
        t0 = time.perf_counter()
        rec = recovery.recording(0, 0, who)
        run_s = time.perf_counter() - t0
    finally:
        recovery.PROTOCOL = base
    best = min(fit_person(rec, who.subject).seconds for _ in range(repeat))
    fit = fit_person(rec, who.subject)
    w = fit.walk
    t0 = time.perf_counter()
    for _ in range(200):
        forward.heart_rate(w, 70.0, 35.0, 180.0, 30.0, 100.0)
    eval_s = (time.perf_counter() - t0) / 200
    print(f"60-min record: {rec.time_s.size} readings, {rec.duration_s / 60:.0f} min")
    print(f"fit (best of {repeat}): {best:.2f} s; modes {len(fit.posterior.weights)}")
    print(f"one forward-model evaluation {eval_s * 1e3:.2f} ms; one Simulation run of the walk "
          f"{run_s * 1e3:.0f} ms: {run_s / eval_s:.0f}x")


def recovery_check(people: int, seed: int, vo2: bool = False) -> None:
    t0 = time.perf_counter()
    out = recovery.coverage(people, seed, vo2=vo2)
    total = time.perf_counter() - t0
    seconds = np.asarray(out["seconds"])
    print(f"recovery: {people} virtual people{' with a cart' if vo2 else ''}, seed {seed}, "
          f"{total:.0f} s "
          f"(fit {seconds.mean():.2f} s mean, {seconds.max():.2f} s max)")
    print("| trait | people whose 90 % interval holds the truth | z mean | z sd | mean width |")
    print("|---|---|---|---|---|")
    for key, share in out["coverage"].items():           # type: ignore[union-attr]
        z = out["z"][key]                                 # type: ignore[index]
        width = np.mean(out["width"][key])                # type: ignore[index]
        print(f"| `{key}` | {share:.1%} | {np.mean(z):+.2f} | {np.std(z):.2f} | {width:.2f} |")


def constants(n: int, seed: int) -> None:
    from retrosim.fit import problem

    rng = np.random.default_rng(seed)
    records = []
    for _ in range(n):
        a = np.empty(300)
        a[0] = recovery.AR_SD * rng.standard_normal()
        shocks = rng.standard_normal(300) * recovery.AR_SD * np.sqrt(1 - recovery.AR_RHO ** 2)
        for i in range(1, 300):
            a[i] = recovery.AR_RHO * a[i - 1] + shocks[i]
        records.append(70.0 + a + recovery.WHITE_SD * rng.standard_normal(300))
    prior = (problem.Parameter("c", 70.0, 100.0),)
    for label, integrate in (("integrated over the error model", True),
                             ("at its point estimate", False)):
        hits = []
        for y in records:
            post = problem.map_laplace(problem.Problem(prior, lambda th: np.full(300, th[0]), y),
                                       integrate=integrate)
            lo, hi = post.interval("c")
            hits.append(lo <= 70.0 <= hi)
        print(f"constant, {n} records, {label}: {np.mean(hits):.1%} of 90 % intervals hold it")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--constants", type=int, default=150)
    p.add_argument("--vo2", action="store_true",
                   help="record the recovery's people with a metabolic cart's oxygen uptake too")
    p.add_argument("--white-only", action="store_true",
                   help="record the recovery's people with white reading error only (no wander)")
    args = p.parse_args()
    if args.white_only:
        recovery.AR_SD = 0.0
    if args.constants:
        constants(args.constants, args.seed)
    timing(args.repeat)
    if args.people:
        recovery_check(args.people, args.seed, args.vo2)


if __name__ == "__main__":
    main()
