"""Oxygen uptake kinetics in closed form: on/off transients, O2 deficit, EPOC.

VO2 follows its steady-state demand with first-order kinetics. Between two events the demand is
constant or moves linearly in time, and a first-order system driven by a linear input has an
exact solution, so the engine advances the state in one step however long the interval is.

References
----------
- Moderate-intensity time constants: young and middle-aged 22 +/- 9 s (McNarry et al. 2012,
  Am J Physiol Regul Integr Comp Physiol 303:R791; doi:10.1152/ajpregu.00203.2012); young
  29-32 s vs older (68 y) 42-49 s (Am J Physiol Regul Integr Comp Physiol 2011;301:R218,
  doi:10.1152/ajpregu.00060.2011); inactive / recreational / trained young adults 39 / 27 /
  15 s (George et al. 2018, Front Physiol 9:277; doi:10.3389/fphys.2018.00277).
- On and off transients are symmetric at moderate intensity: 38.0 vs 39.0 s (Markovitz et al.
  2004, Br J Sports Med 38:553), so the O2 deficit is repaid exactly by the fast EPOC.
- Full entries: docs/references.md (mcnarry-2012, murias-2011, george-2018, markovitz-2004).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Moderate-intensity VO2 time constant of young adults by fitness, s (George et al. 2018).
TAU_BY_FITNESS_S: dict[str, float] = {"inactive": 39.0, "recreational": 27.0, "trained": 15.0}
FITNESS_LEVELS = tuple(TAU_BY_FITNESS_S)

#: Age at which the George et al. (2018) values were measured (young adults), yr.
_TAU_REFERENCE_AGE_YR = 25.0
#: Relative slowing of tau per year of age above the reference: young 29-32 s vs 68-y-olds
#: 42-49 s (AJP Regul 2011;301:R218), midpoints 30.5 -> 45.5 s over 43 years.
TAU_AGE_SLOPE_PER_YR = (45.5 / 30.5 - 1.0) / (68.0 - _TAU_REFERENCE_AGE_YR)


def vo2_time_constant(age_yr: ArrayLike, fitness: ArrayLike) -> np.ndarray:
    """Time constant of moderate-intensity VO2 kinetics from age and fitness.

    ``tau = tau_fitness * (1 + k * max(age - 25, 0))``: the young-adult value for the fitness
    level (inactive 39 s, recreational 27 s, trained 15 s; George et al. 2018) slowed with age
    by ``k = TAU_AGE_SLOPE_PER_YR`` (about 1.1 % per year), the ratio of the 68-y-old to the
    young group in AJP Regul 2011;301:R218 spread linearly over the years between them.

    Parameters
    ----------
    age_yr : array_like
        Age [yr].
    fitness : array_like of int
        Fitness code [-]: 0 inactive, 1 recreational, 2 trained (``FITNESS_LEVELS``).

    Returns
    -------
    numpy.ndarray
        tau [s], the same for the on- and off-transient (Markovitz et al. 2004).

    Examples
    --------
    >>> vo2_time_constant([25, 68], [1, 1]).round(1).tolist()
    [27.0, 40.3]
    """
    base = np.asarray(list(TAU_BY_FITNESS_S.values()))[np.asarray(fitness, dtype=int)]
    extra_years = np.maximum(np.asarray(age_yr, dtype=float) - _TAU_REFERENCE_AGE_YR, 0.0)
    return base * (1.0 + TAU_AGE_SLOPE_PER_YR * extra_years)


def first_order_step(x0: ArrayLike, target: ArrayLike, dt_s: ArrayLike, tau_s: ArrayLike):
    """Exact first-order response to a constant target after ``dt_s``.

    ``x(t) = target + (x0 - target) exp(-t / tau)``.

    >>> round(float(first_order_step(0.0, 1.0, 30.0, 30.0)), 4)   # one tau: 63.2 %
    0.6321
    """
    target = np.asarray(target)
    return target + (np.asarray(x0) - target) * np.exp(-np.asarray(dt_s) / np.asarray(tau_s))


def first_order_ramp(x0, u0, slope, dt_s, tau_s):
    """Exact first-order response to a linearly moving target ``u(t) = u0 + slope t``.

    Solves ``tau dx/dt = u(t) - x`` from ``x(0) = x0``:
    ``x(t) = u(t) - slope tau + (x0 - u0 + slope tau) exp(-t / tau)``.
    With ``slope = 0`` this is :func:`first_order_step`.

    Parameters
    ----------
    x0 : array_like
        State at the start of the interval [any unit].
    u0 : array_like
        Target at the start [same unit].
    slope : array_like
        The target's rate [unit s-1].
    dt_s : array_like
        Time since the start [s].
    tau_s : array_like
        Time constant [s].

    Examples
    --------
    >>> round(float(first_order_ramp(0.0, 0.0, 1.0, 1000.0, 20.0)), 6)  # lags the ramp by tau
    980.0
    """
    x0, u0, slope = np.asarray(x0), np.asarray(u0), np.asarray(slope)
    lag = slope * tau_s
    out, rest, decay = u0 + slope * dt_s, x0 - u0, np.negative(dt_s) / tau_s
    if isinstance(out, np.ndarray) and out.shape == lag.shape == rest.shape == decay.shape \
            and out.dtype == lag.dtype == rest.dtype == decay.dtype == np.float64:
        out -= lag                         # the same operations in place: no temporaries
        rest += lag
        rest *= np.exp(decay, out=decay)
        out += rest
        return out
    return out - lag + (rest + lag) * np.exp(decay)


def oxygen_deficit(vo2_rest, vo2_steady, tau_s):
    """O2 deficit of a step from rest to a steady state, mL kg-1.

    ``deficit = (VO2_ss - VO2_rest) * tau / 60`` (tau in s, VO2 in mL kg-1 min-1): the area
    between the demand and the exponential on-response, fully developed after about 5 tau.

    >>> float(oxygen_deficit(3.5, 15.05, 30.0))
    5.775
    """
    return (np.asarray(vo2_steady) - vo2_rest) * np.asarray(tau_s) / 60.0


def epoc(vo2_end, vo2_rest, tau_off_s):
    """Excess post-exercise O2 consumption of the fast component, mL kg-1.

    From an end-of-exercise uptake ``vo2_end`` the off-transient decays exponentially to rest:
    ``EPOC = (VO2_end - VO2_rest) * tau_off / 60``. With symmetric kinetics (Markovitz et al.
    2004) and a bout long enough to reach steady state, it equals :func:`oxygen_deficit`.

    >>> float(epoc(15.05, 3.5, 30.0))
    5.775
    """
    return (np.asarray(vo2_end) - vo2_rest) * np.asarray(tau_off_s) / 60.0


def wasserman_vo2max(mass_kg, age_yr, female):
    """Predicted VO2max of a sedentary adult from mass, age and sex, mL kg-1 min-1.

    Men: ``VO2max = W (50.72 - 0.372 A)`` mL min-1; women: ``(W + 43)(22.78 - 0.17 A)``
    mL min-1; divided by W. Used when a scenario does not give ``vo2max_ml_kg_min``.

    References
    ----------
    Hansen JE, Sue DY, Wasserman K (1984). Predicted values for clinical exercise testing.
    Am Rev Respir Dis 129:S49-S55. The coefficients are recalled, not read in the source
    (unverified): a default, never a test expectation. They predict cycle-ergometer values,
    which run about 10 % below treadmill VO2max.

    Examples
    --------
    >>> wasserman_vo2max([61.0], [55.0], [True]).round(1).tolist()
    [22.9]
    """
    mass = np.asarray(mass_kg, dtype=float)
    age = np.asarray(age_yr, dtype=float)
    men = mass * (50.72 - 0.372 * age)
    women = (mass + 43.0) * (22.78 - 0.17 * age)
    return np.where(np.asarray(female, dtype=bool), women, men) / mass


#: Bahr R et al. (1987) J Appl Physiol 62:485:
#: after 20 / 40 / 80 min at 70 % VO2max the 12-h EPOC grew in proportion to duration, on
#: average 15.2 +/- 2.0 % of the exercise's total O2 cost.
BAHR_1987_FRACTION = 0.152
BAHR_1987_FRACTION_SD = 0.020
BAHR_1987_INTENSITY = 0.70
#: Smith J, McNaughton L (1993) Eur J Appl Physiol (PubMed 8299613): how long EPOC lasted
#: [min] after exercise at 40 / 50 / 70 % VO2max, men and women (moderately trained).
SMITH_MCNAUGHTON_1993_MIN = {"intensity": (0.40, 0.50, 0.70), "men": (31.0, 42.0, 48.0),
                             "women": (27.0, 36.0, 39.0)}
#: An exponential is within 5 % of its start after 3 time constants: EPOC's measured duration
#: is taken as 3 tau (an assumption).
_DURATION_IN_TAU = 3.0


def epoc_slow_volume(o2_cost_ml_kg: ArrayLike, intensity_frac: ArrayLike) -> np.ndarray:
    """Slow component of EPOC after a bout, mL O2 kg-1.

    ``V = 0.152 x (I / 0.70) x O2 cost``: Bahr et al. 1987's 15.2 % of the bout's total O2
    cost at 70 % VO2max (it grew in proportion to duration), scaled in proportion to the bout's
    relative intensity I (an assumption for the direction that Smith & McNaughton 1993 and
    Sedlock et al. 1989 report: more EPOC after harder bouts). Bahr measured 12 h; retrosim
    repays it within Smith & McNaughton's shorter durations (:func:`epoc_slow_tau_s`), so the
    hour after a bout holds the whole of it: an upper reading of the shorter studies (Sedlock
    et al. 1989: 12-29 kcal after cycling bouts).

    Parameters
    ----------
    o2_cost_ml_kg : array_like
        Total O2 taken up during the bout [mL kg-1].
    intensity_frac : array_like
        The bout's mean VO2 / VO2max [-].

    Returns
    -------
    numpy.ndarray
        The slow component's volume [mL kg-1], >= 0.

    References
    ----------
    Bahr R et al. (1987) J Appl Physiol 62:485; Smith J, McNaughton L (1993) Eur J Appl
    Physiol (PubMed 8299613); Sedlock DA, Fissinger JA, Melby CL (1989) Med Sci Sports Exerc
    21:662.

    Examples
    --------
    >>> round(float(epoc_slow_volume(28.0 * 30, 0.70)), 1)     # 30 min at 28 of 40 mL/kg/min
    127.7
    """
    cost = np.maximum(np.asarray(o2_cost_ml_kg, dtype=float), 0.0)
    intensity = np.clip(np.asarray(intensity_frac, dtype=float), 0.0, 1.0)
    return BAHR_1987_FRACTION * intensity / BAHR_1987_INTENSITY * cost


def epoc_slow_tau_s(intensity_frac: ArrayLike, female: ArrayLike) -> np.ndarray:
    """Time constant of EPOC's slow component [s], by relative intensity and sex.

    A third of Smith & McNaughton 1993's EPOC duration (31 / 42 / 48 min in men, 27 / 36 /
    39 min in women after 40 / 50 / 70 % VO2max), linear in intensity between their points and
    constant outside them.

    References
    ----------
    Smith J, McNaughton L (1993) Eur J Appl Physiol (PubMed 8299613).

    Examples
    --------
    >>> (epoc_slow_tau_s([0.4, 0.7], [False, True]) / 60).round(1).tolist()
    [10.3, 13.0]
    """
    d = SMITH_MCNAUGHTON_1993_MIN
    i = np.asarray(intensity_frac, dtype=float)
    men = np.interp(i, d["intensity"], d["men"])
    women = np.interp(i, d["intensity"], d["women"])
    return 60.0 * np.where(np.asarray(female, dtype=bool), women, men) / _DURATION_IN_TAU


def epoc_slow_uptake(since_end_s: ArrayLike, volume_ml_kg: ArrayLike, tau_slow_s: ArrayLike,
                     tau_fast_s: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Extra VO2 [mL kg-1 min-1] of the slow component and its integral [mL kg-1] so far.

    ``x(s) = A (exp(-s / tau_s) - exp(-s / tau_f))`` for s >= 0 since the bout's end, 0 before:
    it starts at 0 (the slow component is part of the uptake measured during exercise), rises
    as the fast component decays (tau_f, the VO2 time constant) and is repaid with tau_s.
    ``A = 60 V / (tau_s - tau_f)`` so that the whole area is V; the area so far is
    ``A / 60 (tau_s (1 - exp(-s/tau_s)) - tau_f (1 - exp(-s/tau_f)))``: both in closed form.

    References
    ----------
    Bahr R et al. (1987); Smith J, McNaughton L (1993).

    Examples
    --------
    >>> x, area = epoc_slow_uptake([0.0, 1e6], 120.0, 900.0, 30.0)
    >>> x.round(6).tolist(), area.round(6).tolist()
    ([0.0, 0.0], [0.0, 120.0])
    """
    s = np.maximum(np.asarray(since_end_s, dtype=float), 0.0)
    ts, tf = np.asarray(tau_slow_s, dtype=float), np.asarray(tau_fast_s, dtype=float)
    amp = 60.0 * np.asarray(volume_ml_kg, dtype=float) / (ts - tf)
    es, ef = np.exp(-s / ts), np.exp(-s / tf)
    return amp * (es - ef), amp / 60.0 * (ts * (1.0 - es) - tf * (1.0 - ef))
