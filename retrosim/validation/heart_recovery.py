"""Rows for heart rate's recovery after exercise (:mod:`retrosim.physiology.hr_kinetics`):
the first-minute fall after a submaximal bout the kinetics are built from (calibration), the
first minute after a maximal test in older adults and the course over 6 min after a
cardiopulmonary test in young men (validation: held out from every fit), for the default
``vagal-recovery`` and the earlier ``slower-recovery`` and ``two-phase-recovery``.
"""

from __future__ import annotations

import numpy as np

from retrosim.physiology import heart, hr_kinetics
from retrosim.validation.table import Row, compare

#: Best et al. 2014, J Appl Physiol 117:1302 (abstract; pages recalled): 16 normotensive
#: older adults (9 men, 7 women, 67 +/- 5 y) after a maximal treadmill test, seated: heart
#: rate fell 36 +/- 12 bpm in the first minute of recovery.
BEST_2014_AGE_YR, BEST_2014_MEN, BEST_2014_WOMEN = 67.0, 9, 7
BEST_2014_FALL_1_MIN_BPM = (36.0, 12.0)            # mean, SD


def hr_recovery_rows() -> list[Row]:
    """The ``slower-recovery`` heart-rate kinetics: Barak et al. 2011's first-minute fall
    (calibration: the young constant is derived from it) and the older adults of Best et al.
    2014 (validation: the model was not fitted to them).

    >>> [r.mark for r in hr_recovery_rows()].count("bad")
    0
    """
    ex, stable, tau, rest = hr_kinetics.BARAK_2011["non-athletes"]
    published = (ex - stable) * (1.0 - np.exp(-60.0 / tau))
    young = float(hr_kinetics.recovery_tau(22.0, 1))
    rows = [compare("heart rate", "Barak et al. 2011", "HR fall (bpm) in the first minute "
                    "after a submaximal bout, young non-athletes (slower-recovery)",
                    (ex - rest) * (1.0 - np.exp(-60.0 / young)), float(published),
                    tolerance=0.5, unit="bpm", kind="calibration")]
    age, men, women = BEST_2014_AGE_YR, BEST_2014_MEN, BEST_2014_WOMEN
    # peak at the predicted HRmax of the group's mix of sexes; resting HR is not in the
    # abstract: 70 bpm assumed (as bench/fit_hr_recovery.py assumes it)
    peak = (men * float(heart.HR_MAX_MODELS["by-sex"](age, False))
            + women * float(heart.HR_MAX_MODELS["by-sex"](age, True))) / (men + women)
    mean, sd = BEST_2014_FALL_1_MIN_BPM
    fall = {name: (peak - 70.0) * (1.0 - np.exp(-60.0 / float(
        hr_kinetics.HR_KINETICS_MODELS[name](heart.HR_TAU_S, age, 1))))
        for name in ("slower-recovery", "symmetric")}
    two = peak - float(_two_phase_recovery(np.array([60.0]), 70.0, peak, peak, age)[0])
    rows.append(compare("heart rate", "Best et al. 2014", "HR fall (bpm) in the first minute "
                        "after a maximal test, normotensive 67-y-olds (slower-recovery; "
                        f"symmetric gives {fall['symmetric']:.0f}, two-phase-recovery "
                        f"{two:.0f})", fall["slower-recovery"], mean, tolerance=sd, unit="bpm"))
    return rows + hr_course_rows() + vagal_recovery_rows()


#: Facioli et al. 2021, Sci Rep (Table 2): 60 men after a cardiopulmonary exercise test; the
#: moderate-fitness group (VO2 38-48 mL/kg/min): resting and peak HR [bpm], and the fall from
#: the peak at 3 and 6 min (mean, SD) [bpm]. Their age is not in the table: 25 yr is assumed.
FACIOLI_2021_REST, FACIOLI_2021_PEAK, FACIOLI_2021_AGE_YR = 69.0, 181.0, 25.0
FACIOLI_2021_FALL_BPM = {3.0: (49.0, 14.0), 6.0: (60.0, 12.0)}


def _two_phase_recovery(t: np.ndarray, rest: float, peak: float, hr_max: float, age: float
                        ) -> np.ndarray:
    """``two-phase-recovery``'s heart rate [min-1] at ``t`` [s] after a bout held at ``peak``
    (both phases at their steady state), recreational fitness."""
    slow = float(hr_kinetics.slow_target(peak, rest, hr_max))
    fast = float(hr_kinetics.fast_phase(heart.HR_TAU_S, age, 1))
    tau_slow = float(hr_kinetics.slow_phase(heart.HR_TAU_S, age, 1))
    return rest + (peak - rest - slow) * np.exp(-t / fast) + slow * np.exp(-t / tau_slow)


def hr_course_rows() -> list[Row]:
    """``two-phase-recovery``: Barak et al. 2011's first-minute fall, one of the values it is
    fitted to (calibration), and the course of recovery over 6 min, which it was not fitted to
    (validation of that option): Facioli et al. 2021's men of moderate fitness, peak at their
    published 181 bpm with HRmax predicted for 25 yr. The rows name what the default,
    ``slower-recovery``, gives (one constant recovers nearly all the gap by 6 min).

    >>> [r.mark for r in hr_course_rows()].count("bad")
    0
    """
    ex, stable, tau, rest = hr_kinetics.BARAK_2011["non-athletes"]
    young = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](22.0, False))
    rows = [compare("heart rate", "Barak et al. 2011", "HR fall (bpm) in the first minute "
                    "after a submaximal bout, young non-athletes (two-phase-recovery: fitted "
                    "with Pierpont et al. 2000, bench/fit_hr_recovery.py)",
                    ex - float(_two_phase_recovery(np.array([60.0]), rest, ex, young, 22.0)[0]),
                    float((ex - stable) * (1.0 - np.exp(-60.0 / tau))), tolerance=0.5,
                    unit="bpm", kind="calibration")]
    rest, peak, age = FACIOLI_2021_REST, FACIOLI_2021_PEAK, FACIOLI_2021_AGE_YR
    hr_max = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](age, False))
    one = float(hr_kinetics.recovery_tau(age, 1))
    for minutes, (mean, sd) in FACIOLI_2021_FALL_BPM.items():
        t = np.array([60.0 * minutes])
        two = peak - float(_two_phase_recovery(t, rest, peak, hr_max, age)[0])
        rows.append(compare("heart rate", "Facioli et al. 2021", f"HR fall (bpm) {minutes:.0f} "
                            "min after a cardiopulmonary test, men of moderate fitness "
                            f"(two-phase-recovery; slower-recovery gives "
                            f"{(peak - rest) * (1.0 - np.exp(-t[0] / one)):.0f})", two, mean,
                            tolerance=sd, unit="bpm"))
    return rows



def _vagal_recovery(t: np.ndarray, rest: float, peak: float, age: float, fitness: int
                    ) -> np.ndarray:
    """``vagal-recovery``'s heart rate [min-1] at ``t`` [s] after a bout held at ``peak``
    (both phases at their steady state)."""
    slow = float(hr_kinetics.vagal_slow_target(peak, rest, hr_kinetics.vagal_capacity(fitness)))
    fast = float(hr_kinetics.vagal_fast(heart.HR_TAU_S, age, fitness))
    tau_slow = float(hr_kinetics.vagal_slow(heart.HR_TAU_S, age, fitness))
    return rest + (peak - rest - slow) * np.exp(-t / fast) + slow * np.exp(-t / tau_slow)


def vagal_recovery_rows() -> list[Row]:
    """``vagal-recovery`` (the default): Barak et al. 2011's first-minute fall after a
    submaximal bout in non-athletes and athletes (calibration: the fast phase is read from
    their fits, the slow constant fitted with them by ``bench/fit_hr_vagal_recovery.py``),
    Best et al. 2014's older adults after a maximal test and Facioli et al. 2021's course
    after a cardiopulmonary test (validation: held out).

    >>> [r.mark for r in vagal_recovery_rows()].count("bad")
    0
    """
    rows = []
    for group, fitness in (("non-athletes", 1), ("athletes", 2)):
        ex, stable, tau, rest = hr_kinetics.BARAK_2011[group]
        rows.append(compare("heart rate", "Barak et al. 2011", "HR fall (bpm) in the first "
                            f"minute after a submaximal bout, young {group} (vagal-recovery)",
                            ex - float(_vagal_recovery(np.array([60.0]), rest, ex, 22.0,
                                                       fitness)[0]),
                            float((ex - stable) * (1.0 - np.exp(-60.0 / tau))), tolerance=0.5,
                            unit="bpm", kind="calibration"))
    age, men, women = BEST_2014_AGE_YR, BEST_2014_MEN, BEST_2014_WOMEN
    peak = (men * float(heart.HR_MAX_MODELS["by-sex"](age, False))
            + women * float(heart.HR_MAX_MODELS["by-sex"](age, True))) / (men + women)
    mean, sd = BEST_2014_FALL_1_MIN_BPM
    rows.append(compare("heart rate", "Best et al. 2014", "HR fall (bpm) in the first minute "
                        "after a maximal test, normotensive 67-y-olds, resting 70 bpm assumed "
                        "(vagal-recovery)",
                        peak - float(_vagal_recovery(np.array([60.0]), 70.0, peak, age, 1)[0]),
                        mean, tolerance=sd, unit="bpm"))
    rest, peak, age = FACIOLI_2021_REST, FACIOLI_2021_PEAK, FACIOLI_2021_AGE_YR
    for minutes, (mean, sd) in FACIOLI_2021_FALL_BPM.items():
        t = np.array([60.0 * minutes])
        rows.append(compare("heart rate", "Facioli et al. 2021", f"HR fall (bpm) {minutes:.0f} "
                            "min after a cardiopulmonary test, men of moderate fitness "
                            "(vagal-recovery)",
                            peak - float(_vagal_recovery(t, rest, peak, age, 1)[0]), mean,
                            tolerance=sd, unit="bpm"))
    return rows
