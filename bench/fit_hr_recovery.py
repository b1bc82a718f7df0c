"""Fit the two-phase heart-rate recovery; print the constants it gives and the held-out checks.

Run ``python bench/fit_hr_recovery.py``. ``two-phase-recovery``
(:mod:`retrosim.physiology.hr_kinetics`) splits heart rate's fall after a bout into a fast
(vagal) phase and a slow phase whose share grows with the fraction of the heart-rate reserve
the bout reached. Three constants (the two phases' constants as multiples of the
``slower-recovery`` constant, and the slow share at the whole reserve) are fitted by least
squares to four published numbers together, each scaled by its tolerance:

- Barak et al. 2011 (Table 2, seated recovery after 3 min at about 144 bpm, young
  non-athletes): the first minute's fall, 30.6 bpm (tolerance 0.5), and the time constant of
  their first-order fit to the 5 min of recovery towards a free asymptote, 50.6 s (10 %);
- Pierpont et al. 2000 (abstract; nine healthy adults of 24-46 yr after treadmill work): the
  time constant of a first-order decay fitted to the recovery, about 45 s after submaximal
  work (10 %) and about 126 s after maximal work (25 %: the authors found the first-order fit
  inadequate after maximal work, its T unstable). The fit is taken as Barak et al.'s, 5 min
  towards a free asymptote; the submaximal stage's fraction of the reserve (60 %) and the
  group's age (35 yr) and resting heart rate (70 bpm) are assumptions (the abstract gives
  none);
Held out, printed after the fit:

- Facioli et al. 2021 (Table 2): the share of the peak-to-rest gap recovered 1, 3 and 6 min
  after a cardiopulmonary test, young men of moderate fitness
  (``retrosim.validation.heart_recovery.hr_course_rows``);
- Best et al. 2014: the first-minute fall after a maximal test in 67-yr-olds
  (``retrosim.validation.heart_recovery.hr_recovery_rows``);
- Imai et al. 1994 (abstract): the time constant of the first 30 s (T30, from the slope of
  ln HR) almost independent of the work load, that of the first 120 s (T120) longer after
  harder work; the two work loads taken as 30 % and 100 % of the reserve (assumed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit, least_squares

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.physiology import heart, hr_kinetics  # noqa: E402

#: Barak et al. 2011's young non-athletes (22 yr): exercise, stabilised, T, resting HR.
BARAK = hr_kinetics.BARAK_2011["non-athletes"]
BARAK_AGE_YR = 22.0
#: Pierpont et al. 2000 (abstract): submaximal and maximal time constants [s].
PIERPONT_T_S = (1.9 / 0.042, 16.7 / 0.132)
#: Assumed: the group's age and resting HR, the submaximal stage's fraction of the reserve.
PIERPONT_AGE_YR, PIERPONT_REST, PIERPONT_SUBMAX = 35.0, 70.0, 0.6
#: Window of the fitted first-order decay [s] (assumed: "T stabilized only after 3 min").
WINDOW_S = 300.0


def recovery(t: np.ndarray, rest: float, hr_max: float, r: float, age: float,
             consts: tuple[float, float, float]) -> np.ndarray:
    """Heart rate [min-1] at ``t`` [s] after a steady bout at fraction ``r`` of the reserve."""
    kf, ks, share = consts
    rise = r * (hr_max - rest)
    slow = float(hr_kinetics.slow_target(rest + rise, rest, hr_max, share_at_max=share))
    tf = float(hr_kinetics.fast_phase(heart.HR_TAU_S, age, 1, scale=kf))
    ts = float(hr_kinetics.slow_phase(heart.HR_TAU_S, age, 1, scale=ks))
    return rest + (rise - slow) * np.exp(-t / tf) + slow * np.exp(-t / ts)


def first_order_fit(t: np.ndarray, hr: np.ndarray) -> float:
    """The time constant [s] of ``A exp(-t / T) + C`` fitted to ``hr`` (least squares)."""
    (_, tau, _), _ = curve_fit(lambda s, a, tau, c: a * np.exp(-s / tau) + c, t, hr,
                               p0=(hr[0] - hr[-1], 60.0, hr[-1]), maxfev=20000)
    return float(tau)


def time_constant_first(t_end: float, curve: np.ndarray, t: np.ndarray) -> float:
    """Imai et al.'s T30 / T120 read as the negative reciprocal of the slope of ln HR over
    the first ``t_end`` seconds (a least-squares line) [s]."""
    inside = t <= t_end
    slope = np.polyfit(t[inside], np.log(curve[inside]), 1)[0]
    return float(-1.0 / slope)


def outputs(consts: tuple[float, float, float]) -> tuple[float, float, float]:
    """Barak's first-minute fall [bpm], Pierpont's submaximal and maximal T [s]."""
    ex, _, _, rest = BARAK
    young_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](BARAK_AGE_YR, False))
    r = (ex - rest) / (young_max - rest)
    fall = ex - float(recovery(np.array([60.0]), rest, young_max, r, BARAK_AGE_YR, consts)[0])
    hr_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](PIERPONT_AGE_YR, False))
    t = np.arange(0.0, WINDOW_S + 0.5, 1.0)
    sub, top = (first_order_fit(t, recovery(t, PIERPONT_REST, hr_max, r, PIERPONT_AGE_YR,
                                            consts)) for r in (PIERPONT_SUBMAX, 1.0))
    return fall, sub, top


def best_fall(consts: tuple[float, float, float]) -> float:
    """Best et al. 2014's first-minute fall [bpm] (held out), as the validation row sets it:
    9 men and 7 women of 67 yr, peak at the predicted HRmax, resting 70 bpm."""
    model = heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL]
    peak = (9 * float(model(67.0, False)) + 7 * float(model(67.0, True))) / 16
    return peak - float(recovery(np.array([60.0]), 70.0, peak, 1.0, 67.0, consts)[0])


def barak_tau(consts: tuple[float, float, float]) -> float:
    """The time constant [s] of a first-order decay fitted to the model's 5 min after Barak
    et al.'s bout, towards a free asymptote, as they fitted theirs."""
    ex, _, _, rest = BARAK
    young_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](BARAK_AGE_YR, False))
    t = np.arange(0.0, WINDOW_S + 0.5, 1.0)
    return first_order_fit(t, recovery(t, rest, young_max, (ex - rest) / (young_max - rest),
                                       BARAK_AGE_YR, consts))


def imai(consts: tuple[float, float, float], window_s: float) -> tuple[float, float]:
    """Imai et al.'s time constant of the first ``window_s`` [s] after 30 % and 100 % of the
    reserve (25 yr, resting 65 bpm, assumed)."""
    hr_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](25.0, False))
    t = np.arange(0.0, window_s + 0.5, 1.0)
    low, top = (time_constant_first(window_s, recovery(t, 65.0, hr_max, r, 25.0, consts), t)
                for r in (0.3, 1.0))
    return low, top


#: Facioli et al. 2021 (Table 2), moderate fitness: resting and peak HR, the fall at 1, 3,
#: 6 min [bpm]; the men's age (25 yr) is assumed.
FACIOLI_REST, FACIOLI_PEAK, FACIOLI_FALL = 69.0, 181.0, (26.0, 49.0, 60.0)
FACIOLI_SHARES = tuple(f / (FACIOLI_PEAK - FACIOLI_REST) for f in FACIOLI_FALL)


def facioli_shares(consts: tuple[float, float, float]) -> np.ndarray:
    """The model's share of Facioli et al.'s gap recovered at 1, 3 and 6 min."""
    hr_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](25.0, False))
    r = (FACIOLI_PEAK - FACIOLI_REST) / (hr_max - FACIOLI_REST)
    hr = recovery(np.array([60.0, 180.0, 360.0]), FACIOLI_REST, hr_max, r, 25.0, consts)
    return (FACIOLI_PEAK - hr) / (FACIOLI_PEAK - FACIOLI_REST)


def targets() -> tuple[np.ndarray, np.ndarray]:
    """The four published numbers and the tolerance each residual is scaled by."""
    ex, stable, tau, _ = BARAK
    barak = (ex - stable) * (1.0 - np.exp(-60.0 / tau))
    return (np.array([barak, tau, *PIERPONT_T_S]),
            np.array([0.5, 0.1 * tau, 0.1 * PIERPONT_T_S[0], 0.25 * PIERPONT_T_S[1]]))


def model_values(x: tuple[float, float, float]) -> np.ndarray:
    """The model's values of :func:`targets` for the constants ``x``."""
    fall, sub, top = outputs(x)
    return np.array([fall, barak_tau(x), sub, top])


def fit() -> tuple[float, float, float]:
    """The three constants (fast and slow scale, slow share at the maximum), least squares."""
    target, scale = targets()
    best = least_squares(lambda x: (model_values(tuple(x)) - target) / scale,
                         x0=(0.5, 3.0, 0.5), bounds=([0.0, 1.0, 0.0], [3.0, 100.0, 1.0]))
    kf, ks, share = (float(v) for v in best.x)
    return kf, ks, share


def main() -> None:
    target, _ = targets()
    consts = fit()
    kf, ks, share = consts
    print(f"FAST_PHASE_SCALE = {kf:.3f}\nSLOW_PHASE_SCALE = {ks:.2f}\n"
          f"SLOW_SHARE_AT_MAX = {share:.3f}")
    for name, value, want in zip(("Barak first-minute fall [bpm]", "Barak 5-min T [s]",
                                  "Pierpont submaximal T [s]", "Pierpont maximal T [s]"),
                                 model_values(consts), target, strict=True):
        print(f"  {name}: {value:.2f} (published {want:.2f})")
    for age in (25.0, 70.0):
        fast = float(hr_kinetics.fast_phase(heart.HR_TAU_S, age, 1, scale=kf))
        slow = float(hr_kinetics.slow_phase(heart.HR_TAU_S, age, 1, scale=ks))
        print(f"at {age:.0f} yr, recreational: fast {fast:.1f} s (never faster than the on "
              f"constant), slow {slow:.0f} s")
    print("held out:")
    print(f"  Facioli 2021 share recovered at 1, 3, 6 min: "
          f"{', '.join(f'{v:.2f}' for v in facioli_shares(consts))} "
          f"(published {', '.join(f'{v:.2f}' for v in FACIOLI_SHARES)})")
    print(f"  Best 2014 first-minute fall {best_fall(consts):.1f} bpm (36 +/- 12)")
    for window in (30.0, 120.0):
        low, top = imai(consts, window)
        print(f"  Imai T{window:.0f}: {low:.0f} s after 30 % of the reserve, {top:.0f} s after "
              "the maximum")


if __name__ == "__main__":
    main()
