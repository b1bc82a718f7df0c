"""How much Monte Carlo error the 90 % prediction intervals of a ``[subject]`` run carry: the
former independent normals against the randomly shifted Sobol' points.

Run ``python bench/bench_interval_error.py`` (``--seeds N``, default 200; ``--versions``,
default :data:`retrosim.results.intervals.VERSIONS`; ``--repeat`` for the timing). Four
measurements in one run:

1. **Error of the 5 % and 95 % quantiles of a known distribution.** For each seed the
   versions' draws (``z``, one standard normal per stream of
   :data:`retrosim.results.intervals._STREAMS`) are those of a run: the former independent
   normals (``randomness.normal`` keyed by ("uncertainty", stream) and version, as
   ``intervals`` drew them before) and the new points (:func:`intervals._normals`). The
   quantities are a stream alone (each exactly N(0, 1)); the heart-rate reserve
   ``10.8 z_hr_max - 9.8 z_hr_rest`` (exactly N(0, sqrt(10.8^2 + 9.8^2)); the two spreads
   of ``intervals.TRAIT_SD``); ``z_a + z_b`` for every pair of streams (exactly N(0, 2)); and
   the sum of all streams (exactly N(0, 9)). Each quantile is ``np.quantile`` over the
   versions, as the intervals take it. Reported: the RMS error of the 5 % and 95 % quantiles
   in SD units over the seeds, and the realized coverage ``Phi(high) - Phi(low)`` of the
   exact distribution by the interval (mean and SD over seeds; 90 % when exact).
2. **Time to make the draws** (CPU time, best of ``--repeat``): the former and the new, for
   :data:`~retrosim.results.intervals.VERSIONS` versions.
3. **The bounds of a ``[subject]`` run** (:data:`SCENARIO`, ``--outcome-seeds`` seeds, default
   100): each bound's SD over seeds with the former draws and with the new, in % of the
   interval's mean width, and their ratio. The exact bounds are not known, so this is the
   spread of the bounds, their sampling error, not their bias. A bound of a quantity given in
   whole units (``sbp_post``: mmHg) cannot move by less than one unit.
4. **Time of ``versions()`` and of a ``[subject]`` run with intervals** (CPU time, best of
   ``--repeat``): compare this line between commits.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import retrosim  # noqa: E402
from retrosim import randomness  # noqa: E402
from retrosim.results import intervals  # noqa: E402

SCENARIO = {"name": "bench", "seed": 3,
            "subject": {"mass_kg": 68.0, "age_yr": 58, "sex": "female",
                        "resting_bp_mmhg": [142, 88]},
            "arms": {"a": {"stages": ["walk forward at 2.0 mph for 5 min",
                                      "walk backward at 1.8 mph for 10 min",
                                      "rest for 40 min"]}}}
Z = float(stats.norm.ppf(0.95))


def iid(seed: int, index: np.ndarray) -> dict[str, np.ndarray]:
    """The former draws: an independent standard normal per stream and version."""
    return {name: randomness.normal(seed, randomness.key("uncertainty", name), index, 1)[:, 0]
            for name in intervals._STREAMS}


def quantities(z: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float]]:
    """Each quantity over the versions, with its exact SD (every one has mean 0)."""
    hr_sd = intervals.TRAIT_SD["hr_max_bpm"], intervals.TRAIT_SD["hr_rest_bpm"]
    out = {f"{name}": (z[name], 1.0) for name in intervals._STREAMS}
    out["hr reserve"] = (hr_sd[0] * z["hr_max"] - hr_sd[1] * z["hr_rest"],
                         float(np.hypot(*hr_sd)))
    for a, b in itertools.combinations(intervals._STREAMS, 2):
        out[f"{a}+{b}"] = (z[a] + z[b], float(np.sqrt(2.0)))
    out["sum of all"] = (sum(z.values()), float(np.sqrt(len(z))))  # type: ignore[arg-type]
    return out


def errors(draw: Callable[[int, np.ndarray], dict[str, np.ndarray]], seeds: int,
           count: int) -> dict[str, np.ndarray]:
    """(seeds, 3) per quantity: the 5 % and 95 % quantiles' errors in SD units, and the
    coverage of the exact distribution by the interval."""
    index = np.arange(count)
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for seed in range(seeds):
        for name, (values, sd) in quantities(draw(seed, index)).items():
            low, high = np.quantile(values, intervals.QUANTILES) / sd
            cover = float(stats.norm.cdf(high) - stats.norm.cdf(low))
            rows.setdefault(name, []).append((low + Z, high - Z, cover))
    return {name: np.array(r) for name, r in rows.items()}


def report(seeds: int, count: int) -> None:
    old = errors(iid, seeds, count)
    new = errors(intervals._normals, seeds, count)
    print(f"{seeds} seeds, {count} versions; quantile errors in SD units (RMS over seeds); "
          "coverage of the exact distribution, % (mean +/- SD over seeds; exact 90)")
    print(f"{'quantity':<22}{'iid 5%':>8}{'iid 95%':>8}{'iid cover':>15}"
          f"{'qmc 5%':>8}{'qmc 95%':>8}{'qmc cover':>15}")

    def line(name: str, o: np.ndarray, n: np.ndarray) -> None:
        def part(e: np.ndarray) -> str:
            rms = np.sqrt(np.mean(e[:, :2] ** 2, axis=0))
            cover = f"{100 * e[:, 2].mean():.1f}+/-{100 * e[:, 2].std():.1f}"
            return f"{rms[0]:>8.3f}{rms[1]:>8.3f}{cover:>15}"
        print(f"{name:<22}{part(o)}{part(n)}")

    pairs = [k for k in old if "+" in k]
    for name in old:
        if name not in pairs:
            line(name, old[name], new[name])
    def rms(e: np.ndarray) -> np.ndarray:
        return np.sqrt(np.mean(e[:, :2] ** 2, axis=0))

    for method, e in (("iid", old), ("qmc", new)):
        errs = np.array([rms(e[k]) for k in pairs])
        worst_pair = pairs[int(np.argmax(errs.max(axis=1)))]
        print(f"pairs, {method}: RMS error of the 5 % and 95 % quantiles {errs[:, 0].mean():.3f} "
              f"and {errs[:, 1].mean():.3f} SD on average over the {len(pairs)} pairs; "
              f"coverage SD {100 * np.mean([e[k][:, 2].std() for k in pairs]):.1f} %; worst "
              f"pair {worst_pair}: {rms(e[worst_pair])[0]:.3f} and {rms(e[worst_pair])[1]:.3f}")


def outcome_spread(seeds: int) -> None:
    """The SD over seeds of each interval bound of a ``[subject]`` run (:data:`SCENARIO`),
    the former draws against the new, in units of the mean width of the interval: the
    sampling error of the bounds a run prints (the exact bounds are not known here)."""
    scenario = retrosim.Scenario.from_dict(SCENARIO)
    bounds: dict[str, dict[str, list[float]]] = {"iid": {}, "qmc": {}}
    new = intervals._normals
    try:
        for method, draw in (("iid", iid), ("qmc", new)):
            intervals._normals = draw          # type: ignore[assignment]
            for seed in range(seeds):
                ds = retrosim.run(scenario, seed=seed, traces=False)
                for name in ds.data_vars:
                    if str(name).endswith(("_low", "_high")):
                        bounds[method].setdefault(str(name), []).append(
                            float(ds[name].values[0]))
    finally:
        intervals._normals = new                # type: ignore[assignment]
    print(f"\n{seeds} seeds of a [subject] run: SD over seeds of each bound, in % of the "
          "interval's mean width")
    print(f"{'bound':<26}{'iid':>8}{'qmc':>8}{'ratio':>8}")
    ratios = []
    for name in sorted(bounds["qmc"]):
        base = name.rsplit("_", 1)[0]
        width = np.mean(np.array(bounds["qmc"][f"{base}_high"])
                        - np.array(bounds["qmc"][f"{base}_low"]))
        if not width > 0:
            continue
        old_sd, new_sd = (100 * np.std(bounds[m][name]) / width for m in ("iid", "qmc"))
        if old_sd == 0.0:                  # not drawn: the same for every seed
            continue
        ratios.append(new_sd / old_sd)
        print(f"{name:<26}{old_sd:>8.2f}{new_sd:>8.2f}{new_sd / old_sd:>8.2f}")
    print(f"median ratio {np.median(ratios):.2f}, largest {np.max(ratios):.2f}")


def cpu(fn: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return float(best)


def timing(repeat: int) -> None:
    scenario = retrosim.Scenario.from_dict(SCENARIO)
    index = np.arange(intervals.VERSIONS)
    seeds = iter(range(10**6))               # a new seed each time: no table kept
    print(f"draws, {intervals.VERSIONS} versions: iid "
          f"{1e3 * cpu(lambda: iid(next(seeds), index), repeat):.2f} ms, new "
          f"{1e3 * cpu(lambda: intervals._normals(next(seeds), index), repeat):.2f} ms CPU")
    print(f"versions(): {1e3 * cpu(lambda: intervals.versions(scenario, 3), repeat):.2f} ms CPU")
    print(f"[subject] run with intervals: "
          f"{cpu(lambda: retrosim.run(scenario, traces=False), repeat):.3f} s CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--versions", type=int, default=intervals.VERSIONS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--outcome-seeds", type=int, default=100)
    parser.add_argument("--timing-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.timing_only:
        report(args.seeds, args.versions)
        outcome_spread(args.outcome_seeds)
    timing(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
