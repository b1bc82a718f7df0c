"""Rows for the models that know more of the person: the covariate fall model, exercise
pressure by age, sex and uptake, and the walking-cost person term.

Each topic has calibration rows (the values the model was built from, reproduced) and a
validation row from a source it was not fitted to.
"""

from __future__ import annotations

import numpy as np

from retrosim.physiology import balance, exercise_pressure, fall_covariates, walking_cost
from retrosim.validation.table import Row, compare

_COVARIATES = balance.FALL_PRESETS["perturbations-covariates"]


def _walking_fall_rate(berg: float, learned: float = 0.0) -> float:
    """Falls per second of walking at the reference condition (trips), covariate model."""
    p = _COVARIATES
    exposure = float(balance.walking_exposure(balance.REFERENCE_SPEED_MPS, 0.0, False, 0.0,
                                              berg, p))
    fall = float(balance.fall_probability(0, berg, False, 0, p))
    factor = float(fall_covariates.learning_factor(learned, p.learning_floor, p.learning_scale))
    return p.trip_rate_per_s * exposure * fall * factor


def falls_covariate_rows() -> list[Row]:
    """The covariate fall model: its Berg slope against training trials, fall history
    against Deandrea et al. 2010 and the floor of learning against Mansfield et al. 2015
    (calibration); learning against a treadmill perturbation
    trial it was not fitted to (Nørgaard et al. 2023).

    >>> [r.mark for r in falls_covariate_rows()].count("bad")
    0
    """
    base = 40.0
    ratio = _walking_fall_rate(base + fall_covariates.TRIAL_BERG_GAIN) / _walking_fall_rate(base)
    rows = [compare("falls", "Sherrington et al. 2019; Howe et al. 2011",
                    "fall-rate ratio for a 3.5-point Berg gain (covariate model)", ratio,
                    fall_covariates.TRIAL_FALL_RATE_RATIO, tolerance=0.03, kind="calibration")]
    for n, odds in ((1, 2.8), (2, 3.5)):
        value = float(np.exp(fall_covariates.person_log_odds(
            False, n, _COVARIATES.female_fall_odds_ratio,
            _COVARIATES.history_fall_odds_ratios)))
        rows.append(compare("falls", "Deandrea et al. 2010", f"odds ratio of a fall, "
                            f"{'one fall' if n == 1 else 'two or more falls'} in the past "
                            "year", value, odds, tolerance=0.0, kind="calibration"))
    floor = _COVARIATES.learning_floor
    rows.append(compare("falls", "Mansfield et al. 2015", "risk ratio of falling after "
                        "perturbation training, the learning factor's floor", floor, 0.71,
                        tolerance=0.0, kind="calibration"))
    # Nørgaard et al. 2023: 40 treadmill slips and trips in 4 sessions; daily-life falls over
    # the next 12 months, incidence rate ratio 0.78 (95 % CI 0.48-1.27) against walking.
    trained = _walking_fall_rate(base, learned=40.0) / _walking_fall_rate(base)
    rows.append(compare("falls", "Nørgaard et al. 2023", "fall-rate ratio after 40 treadmill "
                        "perturbations (learning, covariate model)", trained, 0.78,
                        tolerance=0.30, good=0.10))
    return rows


def exercise_pressure_rows() -> list[Row]:
    """The ``daida-1996`` exercise pressure model: Daida et al. 1996's 90th percentiles of
    peak SBP (calibration, with the stated SD and resting pressures), and the rise at peak of
    men in a FRIEND-referenced cohort it was not fitted to (Hedman et al. 2021).

    >>> [r.mark for r in exercise_pressure_rows()].count("bad")
    0
    """
    rows = []
    for sex in ("male", "female"):
        for i, decade in enumerate(("20-29", "70-79")):
            age = exercise_pressure.ANCHOR_AGES[i]
            sbp, _ = exercise_pressure.daida_pressor_rise(10.0, 10.0, age, sex == "female")
            p90 = exercise_pressure.REST_SBP[sex][i] + float(sbp) \
                + exercise_pressure.Z90 * exercise_pressure.PEAK_SBP_SD
            rows.append(compare("blood pressure", "Daida et al. 1996", f"90th percentile of peak "
                                f"SBP (mmHg), {sex}, {decade}", p90,
                                exercise_pressure.DAIDA_P90_SBP[sex][i], tolerance=0.5,
                                unit="mmHg", kind="calibration"))
    # Hedman et al. 2021, men whose peak SBP lay between FRIEND's 10th and 90th percentiles:
    # age 58.6 +- 10.8 yr, SBP 135 at rest -> 187 at peak, delta 52 +- 19 mmHg, at 9.0 MET.
    sbp, _ = exercise_pressure.daida_pressor_rise(9.0, 9.0, 58.6, False)
    rows.append(compare("blood pressure", "Hedman et al. 2021", "rise of SBP from rest to peak "
                        "(mmHg), men, 58.6 yr (daida-1996)", float(sbp), 52.0, tolerance=19.0,
                        unit="mmHg"))
    return rows


def walking_cost_rows() -> list[Row]:
    """The ``das-gupta-2019`` walking-cost person term: the review's net costs (calibration)
    and the older adults' excess cited from Martin et al. 1992 (validation).

    >>> [r.mark for r in walking_cost_rows()].count("bad")
    0
    """
    factor = float(walking_cost.das_gupta_2019_factor(walking_cost.ANCHOR_AGES[1]))
    young = walking_cost.NET_COST_J_KG_M["young"]
    rows = [compare("energy", "Das Gupta et al. 2019", "net cost of walking (J/kg/m), older "
                    "adults, from the young adults' 2.4 (das-gupta-2019)", young * factor,
                    walking_cost.NET_COST_J_KG_M["older"], tolerance=0.0, kind="calibration")]
    # Martin, Rothstein & Larish 1992, as a later paper cites them: healthy older adults spend
    # 15-20 % more than young adults walking, across a range of speeds.
    rows.append(compare("energy", "Martin et al. 1992", "excess metabolic cost of walking, "
                        "older over young adults (%) (das-gupta-2019, 70 yr)",
                        100.0 * (factor - 1.0), (15.0, 20.0), tolerance=3.0, unit="%"))
    return rows


def person_rows() -> list[Row]:
    """Every row of this module."""
    return falls_covariate_rows() + exercise_pressure_rows() + walking_cost_rows()
