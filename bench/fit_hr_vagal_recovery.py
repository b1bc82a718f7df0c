"""Fit the slow constant of ``vagal-recovery``; print it and the held-out checks.

Run ``python bench/fit_hr_vagal_recovery.py``. ``vagal-recovery``
(:mod:`retrosim.physiology.hr_kinetics`) splits heart rate's fall after a bout into a fast
(vagal) phase, which removes at most a capacity of beats, and a slow phase for the rest of the
rise above rest. The fast phase's capacity and constant are read from Barak et al. 2011
(Table 2: exercise HR - stabilised HR0, and T); the one constant fitted here is the slow
phase's at 25 yr, by least squares on five published numbers, each scaled by its tolerance
(calibration):

- Barak et al. 2011 (Table 2, seated recovery after 3 min at about 145 bpm, young
  non-athletes and athletes): the time constant T of their first-order fit to 5 min of
  recovery towards a free asymptote (tolerance 10 %) and that asymptote, HR0 (tolerance 10 %
  of the fall to it). The model's 5 min are fitted the same way;
- Pierpont et al. 2000 (abstract; nine healthy adults of 24-46 yr): the time constant of a
  first-order fit after maximal treadmill work, about 126 s (tolerance 25 %: the authors
  found the fit inadequate after maximal work). Their group's age (35 yr) and resting heart
  rate (70 bpm) are assumptions, as in ``bench/fit_hr_recovery.py``. Their submaximal value
  (about 45 s) is not used: it is a second reading of the fast phase's constant, which Barak
  et al. give directly, and rests on an assumed intensity.

Held out, printed after the fit: Facioli et al. 2021 (Table 2, 1, 3 and 6 min after a
cardiopulmonary test), Best et al. 2014 (the first minute after a maximal test at 67 yr),
Imai et al. 1994 (T30 and T120 at 30, 60 and 100 % of the reserve, taken for their 50 % of
the anaerobic threshold, the threshold and the maximum: assumed) and Darr et al. 1988 (the
trained recover faster at either age).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit, minimize_scalar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.physiology import heart, hr_kinetics  # noqa: E402

#: Barak et al. 2011's men (22 yr), the fitness code each group stands for.
BARAK_AGE_YR = 22.0
BARAK_GROUPS = (("non-athletes", 1), ("athletes", 2))
#: Pierpont et al. 2000 (abstract): the maximal bout's time constant [s]; assumed age, rest.
PIERPONT_MAX_T_S = 16.7 / 0.132
PIERPONT_AGE_YR, PIERPONT_REST = 35.0, 70.0
#: Window of the fitted first-order decay [s] (Barak et al.: 5 min of recovery).
WINDOW_S = 300.0
T = np.arange(0.0, WINDOW_S + 0.5, 1.0)


def hr_max(age_yr: float, female: bool = False) -> float:
    return float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](age_yr, female))


def recovery(t: np.ndarray, rest: float, peak: float, age: float, fitness: int,
             tau_slow_young: float | None = None) -> np.ndarray:
    """Heart rate [min-1] at ``t`` [s] after a steady bout at ``peak`` (both phases at their
    steady state): the closed form of ``vagal-recovery`` towards ``rest``."""
    slow = float(hr_kinetics.vagal_slow_target(peak, rest,
                                               hr_kinetics.vagal_capacity(fitness)))
    tf = float(hr_kinetics.vagal_fast(heart.HR_TAU_S, age, fitness))
    ts = float(hr_kinetics.vagal_slow(heart.HR_TAU_S, age, fitness, tau_slow_young))
    return rest + (peak - rest - slow) * np.exp(-t / tf) + slow * np.exp(-t / ts)


def first_order_fit(t: np.ndarray, hr: np.ndarray) -> tuple[float, float]:
    """The time constant [s] and asymptote [min-1] of ``A exp(-t / T) + C`` fitted to ``hr``."""
    (_, tau, c), _ = curve_fit(lambda s, a, tau, c: a * np.exp(-s / tau) + c, t, hr,
                               p0=(hr[0] - hr[-1], 60.0, hr[-1]), maxfev=20000)
    return float(tau), float(c)


def residuals(tau_slow_young: float) -> np.ndarray:
    """The five calibration residuals, each divided by its tolerance."""
    out = []
    for group, fitness in BARAK_GROUPS:
        ex, stable, tau, rest = hr_kinetics.BARAK_2011[group]
        fit_t, fit_c = first_order_fit(T, recovery(T, rest, ex, BARAK_AGE_YR, fitness,
                                                   tau_slow_young))
        out += [(fit_t - tau) / (0.1 * tau), (fit_c - stable) / (0.1 * (ex - stable))]
    top, _ = first_order_fit(T, recovery(T, PIERPONT_REST, hr_max(PIERPONT_AGE_YR),
                                         PIERPONT_AGE_YR, 1, tau_slow_young))
    out.append((top - PIERPONT_MAX_T_S) / (0.25 * PIERPONT_MAX_T_S))
    return np.array(out)


def fit() -> float:
    """The slow phase's constant at 25 yr [s], least squares over 5 min to 2 h."""
    best = minimize_scalar(lambda x: float((residuals(x) ** 2).sum()), bounds=(300.0, 7200.0),
                           method="bounded", options={"xatol": 1.0})
    return float(best.x)


def ln_time_constant(t_end: float, curve: np.ndarray, t: np.ndarray) -> float:
    """Imai et al.'s T30 / T120: the negative reciprocal of the slope of ln HR over the first
    ``t_end`` seconds (a least-squares line) [s]."""
    inside = t <= t_end
    return float(-1.0 / np.polyfit(t[inside], np.log(curve[inside]), 1)[0])


def main() -> None:
    tau = fit()
    print(f"VAGAL_SLOW_TAU_YOUNG_S = {tau:.0f}")
    print("calibration residuals / tolerance (Barak non-athletes T, HR0; athletes T, HR0; "
          f"Pierpont maximal T): {', '.join(f'{r:+.2f}' for r in residuals(tau))}")
    print("held out:")
    rest, peak = 69.0, 181.0
    fall = [peak - float(recovery(np.array([60.0 * m]), rest, peak, 25.0, 1, tau)[0])
            for m in (1, 3, 6)]
    print(f"  Facioli 2021 fall at 1, 3, 6 min: {', '.join(f'{v:.1f}' for v in fall)} "
          "(26 +/- 5.6, 49 +/- 14, 60 +/- 12)")
    best_peak = (9 * hr_max(67.0) + 7 * hr_max(67.0, True)) / 16
    best = best_peak - float(recovery(np.array([60.0]), 70.0, best_peak, 67.0, 1, tau)[0])
    print(f"  Best 2014 first-minute fall at 67 yr: {best:.1f} bpm (36 +/- 12)")
    t = np.arange(0.0, 120.5, 1.0)
    for window in (30.0, 120.0):
        values = [ln_time_constant(window, recovery(t, 65.0, 65.0 + r * (hr_max(25.0) - 65.0),
                                                    25.0, 1, tau), t) for r in (0.3, 0.6, 1.0)]
        print(f"  Imai T{window:.0f} at 30 / 60 / 100 % of the reserve: "
              f"{' / '.join(f'{v:.0f}' for v in values)} s")
    for age in (25.0, 65.0):
        top = hr_max(age)
        falls = {f: [top - float(recovery(np.array([s]), 70.0, top, age, f, tau)[0])
                     for s in (60.0, 120.0, 300.0)] for f in (0, 2)}
        print(f"  {age:.0f} yr after a maximal bout, fall at 1 / 2 / 5 min: inactive "
              f"{' / '.join(f'{v:.0f}' for v in falls[0])}, trained "
              f"{' / '.join(f'{v:.0f}' for v in falls[2])} bpm")


if __name__ == "__main__":
    main()
