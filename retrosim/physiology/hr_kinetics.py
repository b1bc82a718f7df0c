"""Heart-rate kinetics: the on and off (recovery) time constants of each person.

Heart rate follows its steady-state target with first-order kinetics. Rising, it follows
with about 30 s at moderate intensity (McNarry et al. 2012). Falling after exercise it is
slower: over the first minute after a submaximal bout young adults lose about half of the gap
to resting heart rate, not the 86 % a 30-s constant gives, and the fall is slower with age
(Pierpont & Voth 2004, a review; Best et al. 2014 in older adults).

References
----------
- McNarry MA, Kingsley MIC, Lewis MJ (2012). Am J Physiol Regul Integr Comp Physiol
  303:R791; doi:10.1152/ajpregu.00203.2012: HR on-kinetics about 30-33 s at moderate work.
- Barak OF, Ovcin ZB, Jakovljevic DG, Lozanov-Crvenkovic Z, Brodie DA, Grujic NG (2011).
  Heart rate recovery after submaximal exercise in four different recovery protocols in male
  athletes and non-athletes. J Sports Sci Med 10:369-375 (Table 2, seated inactive recovery
  after 3 min at about 145 bpm: exponential time constant 52.5 / 50.6 s towards a stabilised
  89 / 100 bpm; resting 74 / 86 bpm, athletes / non-athletes).
- Pierpont GL, Voth EJ (2004). Assessing autonomic function by analysis of heart rate
  recovery in healthy and cardiac patients. Am J Cardiol 94:64-68: a review; recovery slows
  with age and is faster in the fit (direction only, no number used).
- Imai K et al. (1994). J Am Coll Cardiol 24:1529-1535; doi:10.1016/0735-1097(94)90150-3:
  the vagally mediated fast phase (T30) is shorter in athletes and longer in heart failure;
  T120 grows with the work load (direction only, no number used).
- Murias JM et al. (2011) Am J Physiol Regul Integr Comp Physiol 301:R218: the slowing of
  kinetics with age, ``oxygen.TAU_AGE_SLOPE_PER_YR`` (applied to HR recovery: an assumption).
- Pierpont GL et al. (2000). Heart rate recovery post-exercise as an index
  of parasympathetic activity. J Auton Nerv Syst 80:169-174; doi:10.1016/S0165-1838(00)00090-4
  (abstract): a first-order fit's time constant, about 45 s after submaximal and 126 s after
  maximal treadmill work (``two-phase-recovery`` is fitted to it and to Barak et al.).
- Facioli TP et al. (2021). Sci Rep 11 (Table 2); doi:10.1038/s41598-021-83071-w: heart
  rate 1, 3 and 6 min after a cardiopulmonary test (held out from ``two-phase-recovery``).
- Full entries: docs/references.md (mcnarry-2012, barak-2011, pierpont-2000, pierpont-2004,
  imai-1994, facioli-2021, murias-2011).

Vagal recovery (``vagal-recovery``): heart rate is the sum of a fast (vagal) and
a slow first-order state (:mod:`retrosim.solve.hr_phases`); the fast one takes the target's
rise above rest up to a capacity set by fitness (:func:`vagal_capacity`), the slow one the
excess (:func:`vagal_slow_target`), as Barak et al. 2011 fitted recovery towards a stabilised
heart rate above rest; the fast constant does not depend on the work load (Imai et al. 1994)
and the trained recover faster (Darr KC, Bassett DR, Morgan BJ, Thomas DP (1988) Am J Physiol
254:H340-H343; docs/references.md darr-1988).

Two-phase recovery (``two-phase-recovery``): heart rate is the sum of a fast and a slow
first-order state (:mod:`retrosim.solve.hr_phases`); the slow state takes a share of the
target's rise above rest that grows with the fraction of the heart-rate reserve reached
(:func:`slow_target`), so that recovery lengthens after harder bouts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology import oxygen
from retrosim.physiology.registry import Model

#: Barak et al. 2011, Table 2, seated inactive recovery: (exercise HR, stabilised HR0, time
#: constant T [s], resting HR) of the athletes and non-athletes (young men).
BARAK_2011 = {"athletes": (147.0, 89.0, 52.5, 74.0), "non-athletes": (144.0, 100.0, 50.6, 86.0)}


def one_minute_equivalent_tau(hr_exercise: float, hr_stable: float, tau_s: float,
                              hr_rest: float) -> float:
    """The single time constant to resting HR that loses in the first minute what a fit
    towards a raised asymptote loses [s].

    A first-order model relaxes towards the resting heart rate; Barak et al. fitted their
    exponential towards a stabilised value above rest (HR0). Both lose the same beats in the
    first minute when ``tau_eq = -60 / ln(1 - fall_60 / (HRex - HRrest))``, ``fall_60 =
    (HRex - HR0)(1 - exp(-60 / T))``.

    >>> round(one_minute_equivalent_tau(*BARAK_2011["non-athletes"]), 1)
    80.2
    """
    fall = (hr_exercise - hr_stable) * (1.0 - np.exp(-60.0 / tau_s))
    return float(-60.0 / np.log(1.0 - fall / (hr_exercise - hr_rest)))


#: Young adults' recovery time constant by fitness code (0 inactive, 1 recreational,
#: 2 trained), s: Barak et al. 2011's non-athletes for the inactive and recreational, their
#: athletes for the trained (derived, :func:`one_minute_equivalent_tau`).
TAU_OFF_YOUNG_S = (one_minute_equivalent_tau(*BARAK_2011["non-athletes"]),
                   one_minute_equivalent_tau(*BARAK_2011["non-athletes"]),
                   one_minute_equivalent_tau(*BARAK_2011["athletes"]))
_REFERENCE_AGE_YR = 25.0


def recovery_tau(age_yr: ArrayLike, fitness: ArrayLike) -> np.ndarray:
    """Time constant of heart rate falling after exercise [s], by age and fitness.

    ``tau_off = tau_young(fitness) x (1 + k max(age - 25, 0))``: the young value is Barak et
    al. 2011's first-minute fall after a submaximal bout expressed as one time constant to
    resting heart rate (80.2 s in non-athletes, 77.0 s in athletes); ``k`` is the slowing of
    oxygen-uptake kinetics with age (``oxygen.TAU_AGE_SLOPE_PER_YR``, about 1.1 % a year;
    that heart-rate recovery slows at the same rate is an assumption).

    Parameters
    ----------
    age_yr : array_like
        Age [yr].
    fitness : array_like of int
        Fitness code [-]: 0 inactive, 1 recreational, 2 trained.

    Returns
    -------
    numpy.ndarray
        tau_off [s].

    Examples
    --------
    >>> recovery_tau([25.0, 70.0, 25.0], [1, 1, 2]).round(1).tolist()
    [80.2, 121.4, 77.0]
    """
    base = np.asarray(TAU_OFF_YOUNG_S)[np.asarray(fitness, dtype=int)]
    extra = np.maximum(np.asarray(age_yr, dtype=float) - _REFERENCE_AGE_YR, 0.0)
    return base * (1.0 + oxygen.TAU_AGE_SLOPE_PER_YR * extra)


def symmetric(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike) -> np.ndarray:
    """The off constant of the first model: the on constant (one constant, rising and
    falling).

    >>> symmetric([30.0], [70.0], [0]).tolist()
    [30.0]
    """
    return np.asarray(tau_on_s, dtype=float) + 0.0 * np.asarray(age_yr, dtype=float)


def slower_recovery(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike) -> np.ndarray:
    """The off constant of the recovery model: :func:`recovery_tau`, never faster than the
    on constant.

    >>> slower_recovery([30.0, 100.0], [25.0, 25.0], [1, 1]).round(1).tolist()
    [80.2, 100.0]
    """
    return np.maximum(recovery_tau(age_yr, fitness), np.asarray(tau_on_s, dtype=float))


#: Two-phase recovery (``two-phase-recovery``), fitted by ``bench/fit_hr_recovery.py``: the
#: fast (vagal) and slow phases' constants as multiples of :func:`recovery_tau`, and the slow
#: phase's share of the off-response after a bout at the whole heart-rate reserve.
FAST_PHASE_SCALE = 0.306
SLOW_PHASE_SCALE = 8.29
SLOW_SHARE_AT_MAX = 0.799


def fast_phase(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike,
               scale: float | None = None) -> np.ndarray:
    """The fast (vagal) phase's off constant of ``two-phase-recovery`` [s]:
    ``FAST_PHASE_SCALE x`` :func:`recovery_tau`, never faster than the on constant.

    >>> fast_phase([30.0], [25.0], [1], scale=0.5).round(1).tolist()
    [40.1]
    """
    return _scaled_recovery(FAST_PHASE_SCALE if scale is None else scale, tau_on_s, age_yr,
                            fitness)


def slow_phase(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike,
               scale: float | None = None) -> np.ndarray:
    """The slow phase's off constant of ``two-phase-recovery`` [s]: ``SLOW_PHASE_SCALE x``
    :func:`recovery_tau`, never faster than the on constant.

    >>> slow_phase([30.0], [25.0], [1], scale=3.0).round(1).tolist()
    [240.5]
    """
    return _scaled_recovery(SLOW_PHASE_SCALE if scale is None else scale, tau_on_s, age_yr,
                            fitness)


def _scaled_recovery(scale: float, tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike
                     ) -> np.ndarray:
    """``scale x`` :func:`recovery_tau`, never faster than the on constant [s]."""
    return np.maximum(scale * recovery_tau(age_yr, fitness), np.asarray(tau_on_s, dtype=float))


def slow_target(hr_target: ArrayLike, hr_rest: ArrayLike, hr_max: ArrayLike,
                share_at_max: float | None = None) -> np.ndarray:
    """The slow phase's part of heart rate's target above rest [min-1].

    Its share of the target's rise above rest grows in proportion to the rise's fraction of
    the heart-rate reserve, ``r = (target - rest) / (max - rest)``: the part is
    ``SLOW_SHARE_AT_MAX r (target - rest)``, nothing at rest and ``SLOW_SHARE_AT_MAX`` of the
    whole rise at the maximum. The fast phase takes the rest of the target.

    >>> slow_target([70.0, 130.0, 190.0], 70.0, 190.0, share_at_max=0.6).round(1).tolist()
    [0.0, 18.0, 72.0]
    """
    share = SLOW_SHARE_AT_MAX if share_at_max is None else share_at_max
    rise = np.asarray(hr_target, dtype=float) - hr_rest
    return share * rise * rise / (np.asarray(hr_max, dtype=float) - hr_rest)


#: Vagal recovery (``vagal-recovery``): Barak et al. 2011 (Table 2) fitted seated
#: recovery after a submaximal bout as one exponential towards a stabilised heart rate above
#: rest. The part that falls, exercise HR - HR0, is the fast (vagal) phase's capacity [bpm] and
#: its time constant T [s] the fast phase's constant at 25 yr, by fitness code (0 inactive, 1
#: recreational: the non-athletes; 2 trained: the athletes).
VAGAL_CAPACITY_BPM = tuple(BARAK_2011[g][0] - BARAK_2011[g][1]
                           for g in ("non-athletes", "non-athletes", "athletes"))
VAGAL_TAU_YOUNG_S = tuple(BARAK_2011[g][2] for g in ("non-athletes", "non-athletes", "athletes"))
#: The slow phase's constant at 25 yr [s], fitted by ``bench/fit_hr_vagal_recovery.py``.
VAGAL_SLOW_TAU_YOUNG_S = 1997.0


def _age_factor(age_yr: ArrayLike) -> np.ndarray:
    """``1 + k max(age - 25, 0)``, k ``oxygen.TAU_AGE_SLOPE_PER_YR`` (Murias et al. 2011)."""
    extra = np.maximum(np.asarray(age_yr, dtype=float) - _REFERENCE_AGE_YR, 0.0)
    return 1.0 + oxygen.TAU_AGE_SLOPE_PER_YR * extra


def vagal_capacity(fitness: ArrayLike) -> np.ndarray:
    """The most heart rate can lose in the fast (vagal) phase of ``vagal-recovery`` [bpm], by
    fitness code: Barak et al. 2011's fall to their stabilised heart rate, 44 bpm in
    non-athletes (inactive and recreational), 58 bpm in athletes (trained).

    >>> vagal_capacity([0, 1, 2]).tolist()
    [44.0, 44.0, 58.0]
    """
    return np.asarray(VAGAL_CAPACITY_BPM)[np.asarray(fitness, dtype=int)]


def vagal_fast(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike) -> np.ndarray:
    """The fast (vagal) phase's off constant of ``vagal-recovery`` [s]: Barak et al. 2011's
    time constant (50.6 s non-athletes, 52.5 s athletes), the same after every work load
    (Imai et al. 1994), longer with age as oxygen-uptake kinetics are (an assumption), never
    faster than the on constant.

    >>> vagal_fast([30.0, 30.0, 30.0], [25.0, 25.0, 70.0], [1, 2, 1]).round(1).tolist()
    [50.6, 52.5, 76.6]
    """
    base = np.asarray(VAGAL_TAU_YOUNG_S)[np.asarray(fitness, dtype=int)]
    return np.maximum(base * _age_factor(age_yr), np.asarray(tau_on_s, dtype=float))


def vagal_slow(tau_on_s: ArrayLike, age_yr: ArrayLike, fitness: ArrayLike,
               tau_young_s: float | None = None) -> np.ndarray:
    """The slow phase's off constant of ``vagal-recovery`` [s]: ``VAGAL_SLOW_TAU_YOUNG_S`` at
    25 yr (or ``tau_young_s``), longer with age as :func:`vagal_fast`, never faster than the on
    constant; the same at every fitness.

    >>> vagal_slow([30.0, 30.0], [25.0, 70.0], [1, 2], tau_young_s=600.0).round(1).tolist()
    [600.0, 908.8]
    """
    young = VAGAL_SLOW_TAU_YOUNG_S if tau_young_s is None else tau_young_s
    return np.maximum(young * _age_factor(age_yr) + 0.0 * np.asarray(fitness, dtype=float),
                      np.asarray(tau_on_s, dtype=float))


def vagal_slow_target(hr_target: ArrayLike, hr_rest: ArrayLike, capacity_bpm: ArrayLike
                      ) -> np.ndarray:
    """The slow phase's part of heart rate's target above rest in ``vagal-recovery``
    [min-1]: what the rise above rest exceeds the vagal capacity by (:func:`vagal_capacity`),
    nothing below it. The fast phase takes the rest of the target, so after a light bout
    heart rate falls in one fast phase and after a hard one the fast phase removes at most the
    capacity (Barak et al. 2011's fall to a stabilised heart rate).

    >>> vagal_slow_target([70.0, 100.0, 190.0], 70.0, 44.0).tolist()
    [0.0, 0.0, 76.0]
    """
    rise = np.asarray(hr_target, dtype=float) - np.asarray(hr_rest, dtype=float)
    return np.maximum(rise - np.asarray(capacity_bpm, dtype=float), 0.0)


#: Heart-rate kinetics by name: ``(tau_on_s, age_yr, fitness) -> tau_off_s``
#: (``[energy] hr_kinetics``); the on constant is ``heart.HR_TAU_S`` (30 s) or the person's
#: ``hr_tau_s``.
HR_KINETICS_MODELS: dict[str, Model] = {
    "slower-recovery": Model(
        slower_recovery,
        ("McNarry MA, Kingsley MIC, Lewis MJ (2012) Am J Physiol Regul Integr Comp Physiol "
         "303:R791",
         "Barak OF et al. (2011) J Sports Sci Med 10:369-375",
         "Pierpont GL, Voth EJ (2004) Am J Cardiol 94:64-68",
         "Murias JM, Spencer MD, Kowalchuk JM, Paterson DH (2011) Am J Physiol Regul Integr "
         "Comp Physiol 301:R218-R224"),
        "rising with 30 s; falling with a slower recovery constant, 80 s in young adults "
        "(77 s if trained), longer with age",
        "Heart rate falls after exercise with one time constant towards resting heart rate, "
        "sized from the first minute after a submaximal bout in young men (Barak et al. "
        "2011, derived); that it slows with age at the rate oxygen-uptake kinetics do is an "
        "assumption, and it does not yet grow with the bout's intensity (Imai et al. 1994 "
        "find the later recovery slower after harder work). The off constant applies over "
        "any interval whose target ends below the heart rate at its start."),
    "vagal-recovery": Model(
        vagal_fast,
        ("Barak OF et al. (2011) J Sports Sci Med 10:369-375",
         "Imai K et al. (1994) J Am Coll Cardiol 24:1529-1535",
         "Darr KC, Bassett DR, Morgan BJ, Thomas DP (1988) Am J Physiol 254:H340-H343",
         "Pierpont GL et al. (2000) J Auton Nerv Syst 80:169-174",
         "Murias JM, Spencer MD, Kowalchuk JM, Paterson DH (2011) Am J Physiol Regul Integr "
         "Comp Physiol 301:R218-R224"),
        "rising with 30 s; falling in a fast (vagal) phase of about 50 s that removes at most "
        "44 bpm (58 bpm if trained) and a slow phase of about half an hour for the rest; both "
        "longer with age",
        "The fast phase's capacity and constant are Barak et al. 2011's fit to seated recovery "
        "after a submaximal bout in young men (athletes for the trained, non-athletes for the "
        "inactive and recreational); the slow constant is fitted to Barak et al. and Pierpont "
        "et al. 2000's maximal bout (bench/fit_hr_vagal_recovery.py). Inactive and "
        "recreational people recover alike; that both phases slow with age at the rate "
        "oxygen-uptake kinetics do is an assumption (Darr et al. 1988 find no age effect "
        "between groups of matched fitness). Recovery is passive: walking on slowly keeps "
        "the target above rest. Both phases' constants switch together, on whether the whole "
        "target ends an interval below the heart rate."),
    "symmetric": Model(
        symmetric,
        ("McNarry MA, Kingsley MIC, Lewis MJ (2012) Am J Physiol Regul Integr Comp Physiol "
         "303:R791",),
        "one time constant, 30 s, rising and falling (the first model)",
        "Heart rate falls after exercise as fast as it rose (30 s), about twice as fast as "
        "measured recovery, and the same at every age and fitness."),
    "two-phase-recovery": Model(
        fast_phase,
        ("Barak OF et al. (2011) J Sports Sci Med 10:369-375",
         "Pierpont GL et al. (2000) J Auton Nerv Syst 80:169-174",
         "Imai K et al. (1994) J Am Coll Cardiol 24:1529-1535",
         "Murias JM, Spencer MD, Kowalchuk JM, Paterson DH (2011) Am J Physiol Regul Integr "
         "Comp Physiol 301:R218-R224"),
        "rising with 30 s; falling in a fast (vagal) phase of about 30 s and a slow phase of "
        "about 11 min whose share grows with the fraction of the heart-rate reserve reached "
        "(80 % of the fall after a maximal bout)",
        "Fitted to Barak et al. 2011 and Pierpont et al. 2000 (bench/fit_hr_recovery.py); it "
        "follows Facioli et al. 2021's held-out course over 6 min after a cardiopulmonary "
        "test, but gives older adults too small a first-minute fall after a maximal test "
        "(Best et al. 2014: 18 against 36 +/- 12 bpm), and its 30-s time constant lengthens "
        "after harder work, where Imai et al. 1994 find it almost independent of the work "
        "load. The slowing with age is an assumption, as in slower-recovery. Both phases' "
        "constants switch together, on whether the whole target ends an interval below the "
        "heart rate."),
}
#: The slow phase's falling constant of the kinetics that have one, by name:
#: ``(tau_on_s, age_yr, fitness) -> tau_slow_s`` (:mod:`retrosim.solve.hr_phases`).
SLOW_PHASES = {"two-phase-recovery": slow_phase, "vagal-recovery": vagal_slow}
#: The fast phase's capacity [bpm] of the kinetics that split the target by one, by name:
#: ``fitness -> capacity_bpm`` (:func:`vagal_slow_target`; the others split by
#: :func:`slow_target`).
FAST_CAPACITIES = {"vagal-recovery": vagal_capacity}
DEFAULT_HR_KINETICS_MODEL = "slower-recovery"
