"""Rows for the models that know more of the person: the covariate fall model, exercise
pressure by age, sex and uptake, the walking-cost person term, resting heart rate by sex when
not given, the speeding of VO2 kinetics with training, and the tail of post-exercise hypotension
by age and resting pressure.

Each topic has calibration rows (the values the model was built from, reproduced) and a
validation row from a source it was not fitted to.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from retrosim.physiology import (
    balance,
    dose_response,
    exercise_pressure,
    fall_covariates,
    heart,
    hr_drift,
    hypotension,
    oxygen,
    peh_course,
    peh_models,
    resting_hr,
    vo2_kinetics,
    walking_cost,
)
from retrosim.validation.table import Row, compare

_COVARIATES = balance.FALL_PRESETS["perturbations-covariates"]
_ENTRY = balance.FALL_PRESETS["perturbations-entry"]


def walking_fall_rate(berg: float, learned: float = 0.0,
                      p: balance.FallParameters = _COVARIATES, entry: float = np.nan) -> float:
    """Falls per second of walking at the reference condition (trips) of a man with no fall
    in the past year, fall model ``p``; ``entry`` the Berg score at a programme's start."""
    rate = berg
    if p.berg_change_per_point is not None:
        rate = float(fall_covariates.rate_berg(berg, entry, p.berg_change_per_point,
                                               p.berg_rate_per_point))
        berg = float(fall_covariates.entry_score(berg, entry))
    exposure = float(balance.walking_exposure(balance.REFERENCE_SPEED_MPS, 0.0, False, 0.0,
                                              rate, p))
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
    ratio = walking_fall_rate(base + fall_covariates.TRIAL_BERG_GAIN) / walking_fall_rate(base)
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
    trained = walking_fall_rate(base, learned=40.0) / walking_fall_rate(base)
    rows.append(compare("falls", "Nørgaard et al. 2023", "fall-rate ratio after 40 treadmill "
                        "perturbations (learning, covariate model)", trained, 0.78,
                        tolerance=0.30, good=0.10))
    return rows


def falls_entry_rows() -> list[Row]:
    """The default ``perturbations-entry`` fall model: a Berg change since entry against
    training trials (calibration; the entry level keeps the ``perturbations`` model's
    cross-sectional slope, which tests/physiology checks).

    >>> [r.mark for r in falls_entry_rows()].count("bad")
    0
    """
    base, gain = 40.0, fall_covariates.TRIAL_BERG_GAIN
    ratio = walking_fall_rate(base + gain, p=_ENTRY, entry=base) / \
        walking_fall_rate(base, p=_ENTRY, entry=base)
    return [compare("falls", "Sherrington et al. 2019; Howe et al. 2011",
                    "fall-rate ratio for a 3.5-point Berg gain since entry, from Berg 40 "
                    "(perturbations-entry)", ratio, fall_covariates.TRIAL_FALL_RATE_RATIO,
                    tolerance=0.03, kind="calibration")]


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


def resting_hr_rows() -> list[Row]:
    """The resting heart rate of a person whose scenario does not give it
    (:mod:`retrosim.physiology.resting_hr`): the log-normal by sex fitted to NHANES's
    prevalences of bradycardia and tachycardia gives them back (calibration: it was built
    from them), and its mean, which the fit does not use, against the published mean
    (validation of the shape; Ostchega et al. 2011). Tolerance 2 % of the mean, an
    acceptance for a shape fitted to the tails; the row names the mean of a normal fitted
    the same way, which misses by more.

    >>> [r.mark for r in resting_hr_rows()].count("bad")
    0
    """
    rows = []
    for sex, ref in resting_hr.OSTCHEGA_2011.items():
        people = "men" if sex == "male" else "women"
        median, log_sd = resting_hr.lognormal_fit(ref)
        shape = stats.lognorm(log_sd, scale=median)
        for what, model, published in (
                (f"below {resting_hr.BRADYCARDIA_BPM:g} min-1",
                 shape.cdf(resting_hr.BRADYCARDIA_BPM), ref.bradycardia),
                (f"of {resting_hr.TACHYCARDIA_BPM:g} min-1 or more",
                 shape.sf(resting_hr.TACHYCARDIA_BPM), ref.tachycardia)):
            rows.append(compare("heart rate", "Ostchega et al. 2011", f"share (%) of adult "
                                f"{people} with resting pulse {what} (the fitted "
                                "log-normal)", 100.0 * float(model), 100.0 * published,
                                tolerance=0.0, kind="calibration"))
        z_b, z_t = stats.norm.ppf([ref.bradycardia, 1.0 - ref.tachycardia])
        sd = (resting_hr.TACHYCARDIA_BPM - resting_hr.BRADYCARDIA_BPM) / (z_t - z_b)
        normal = resting_hr.BRADYCARDIA_BPM - z_b * sd
        rows.append(compare("heart rate", "Ostchega et al. 2011", f"mean resting pulse (min-1) "
                            f"of adult {people}, of the log-normal fitted to the shares below "
                            f"60 and at 100 or more (a normal fitted so gives {normal:.1f})",
                            resting_hr.lognormal_mean(ref), ref.mean_bpm, tolerance=2.0,
                            relative=True))
    return rows


#: Lafrenz et al. 2008, Med Sci Sports Exerc 40:1065 (abstract): 10 endurance-trained men
#: (23 y, VO2max 64.7) cycling at 59.2 % VO2max at 22 degC with fluid replaced: heart rate
#: rose 2 % between the 15th and the 45th minute.
LAFRENZ_2008_COOL = (23.0, 64.7, 0.592, 10, 2.0)       # age, VO2max, fraction, n, rise %


def hr_drift_rows() -> list[Row]:
    """Heart rate's drift over a long bout: Lafrenz et al. 2008's cool, hydrated bout, which
    no drift model was fitted to (validation of the default, ``none``; the row names what
    ``teso-2025`` and ``teso-saturating`` give: both more than the published
    rise, which is the low end of the drift, cool and with fluid replaced).

    >>> [r.mark for r in hr_drift_rows()].count("bad")
    0
    """
    age, vo2max, fraction, n, rise = LAFRENZ_2008_COOL
    # resting HR is not in the abstract: 55 bpm for endurance-trained men (an assumption; it
    # moves only the base the rise is a percentage of)
    hr_max = float(heart.HR_MAX_MODELS["by-sex"](age, False))
    steady = float(heart.HR_MODELS[heart.DEFAULT_HR_MODEL](fraction * vo2max, 3.5, vo2max,
                                                           55.0, hr_max))
    rate = {name: hr_drift.HR_DRIFT_MODELS[name](fraction, age, False)
            for name in ("none", "teso-2025")}
    model = {name: 0.0 if r is None else 100.0 * 30.0 * float(r) / (steady + 15.0 * float(r))
             for name, r in rate.items()}
    # the saturating drift from the bout's start: c (1 - exp(-t/T)), c its ceiling
    ceiling = float(hr_drift.saturating_ceiling(rate["teso-2025"], steady, hr_max, True))
    at_15, at_45 = (ceiling * (1.0 - np.exp(-m / hr_drift.SATURATING_TAU_MIN))
                    for m in (15.0, 45.0))
    model["teso-saturating"] = 100.0 * (at_45 - at_15) / (steady + at_15)
    # tolerance: the error of a drift equation for a group of n over 30 min, Teso et al.
    # 2025's SEE (0.61 bpm min-1) / sqrt(n) x 30 min, as a percentage of the steady HR
    tolerance = 100.0 * 0.61 / np.sqrt(n) * 30.0 / steady
    return [compare("heart rate", "Lafrenz et al. 2008", "HR rise (%) from the 15th to the "
                    "45th min at 59 % VO2max, trained men, 22 degC, hydrated (none; teso-2025 "
                    f"gives {model['teso-2025']:.0f}, teso-saturating "
                    f"{model['teso-saturating']:.1f})", model["none"], rise,
                    tolerance=tolerance, unit="points")]


def vo2_kinetics_rows() -> list[Row]:
    """The ``trainable`` VO2 kinetics: Murias et al. 2010's week-3 time constants under their
    regimen held (calibration: the share and rate are fitted to them) and Babcock et al.
    1994's older men after six months (validation).

    >>> [r.mark for r in vo2_kinetics_rows()].count("bad")
    0
    """
    vk = vo2_kinetics
    sessions, minutes, intensity, weeks = vk.MURIAS_2010_REGIMEN
    vo2max = 40.0                  # Murias et al.'s dose, at full effect (module docstring)
    frac = (intensity * vo2max - 3.5) / (vo2max - 3.5)
    effect = float(dose_response.session_effect(minutes * dose_response.trimp_weight(frac,
                                                                                      False)))
    week3 = float(vk.regimen_speeding(vk.SPEEDING_RATE, effect, weeks * sessions)[-2])
    plateau = float(vk.regimen_speeding(vk.SPEEDING_RATE, effect, 200)[-1])
    rows = []
    for (group, (age, before, after)), sd in zip(vk.MURIAS_2010.items(), (8.0, 9.0),
                                                 strict=True):
        # from the group's measured tau towards the trained label at their age; tolerance:
        # the week-3 SD (8 / 9 s)
        trained = float(oxygen.vo2_time_constant(age, 2))
        model = before - min(vk.SPEEDING_SHARE * week3, 1.0) * (before - trained)
        rows.append(compare("oxygen", "Murias et al. 2010", f"VO2 tau (s) after 3 "
                            f"weeks of training, {group} men from {before:g} s (trainable)",
                            model, after, tolerance=sd, unit="s", kind="calibration"))
    age, before, after, _ = vk.BABCOCK_1994
    label = float(oxygen.vo2_time_constant(age, 0))            # inactive at 72 y
    trained = float(oxygen.vo2_time_constant(age, 2))
    model = label - min(vk.SPEEDING_SHARE * plateau, 1.0) * (label - trained)
    # tolerance 30 %: the two training studies of older men differ by that much (Murias et
    # al.'s 68-y-olds speeded by 19 %, Babcock et al.'s 72-y-olds by 49 %)
    rows.append(compare("oxygen", "Babcock et al. 1994", "VO2 tau (s) after 6 months "
                        f"of training, inactive 72-y-old men from {before:g} s (model "
                        f"{label:.0f}) (trainable)", model, after, tolerance=30.0,
                        relative=True))
    return rows


def _peh_mean(age_yr: float, rest: tuple[float, float], female: bool, bmi: float,
              medicated: bool, intensity: float, minutes: float, hours: float,
              model: hypotension.PehModel) -> float:
    """Mean SBP drop [mmHg] over the ``hours`` after one bout, or (``hours`` < 0) the drop
    left ``-hours`` after it, for one person (VO2max placed at 10 MET)."""
    person = hypotension.person_factor(female, age_yr, bmi, medicated, model)
    drop = float(hypotension.peh_drop_at_nadir(*rest, 10.0 * intensity, minutes * 60.0,
                                               person, model, vo2max_met=10.0)[0])
    tau = float(peh_course.recovery_tau(age_yr, rest[0], model))
    if hours < 0:
        onset = hypotension.onset_tau_for_nadir(model.nadir_s, tau)
        return drop * float(peh_course.peh_shape(-hours * 3600.0, model, tau, onset))
    return drop * peh_course.peh_mean_shape(hours * 3600.0, model, tau)


def peh_tail_rows() -> list[Row]:
    """The ``age-pressure-tail`` PEH model: Taylor-Tolbert et al. 2000's 16 hours and Corso et
    al. 2017's group, to which it was fitted (calibration), and the 20-h ambulatory mean of
    older women of Costa et al. 2019, to which it was not.

    >>> [r.mark for r in peh_tail_rows()].count("bad")
    0
    """
    tail = peh_models.PEH_MODELS["age-pressure-tail"]
    # Taylor-Tolbert et al. 2000 (abstract): 11 obese hypertensive men, 60 yr, 45 min at
    # 70 % VO2max; SBP 6-13 mmHg lower for the first 16 h (rest 145/95, BMI 30 assumed).
    left = _peh_mean(60.0, (145.0, 95.0), False, 30.0, False, 0.70, 45.0, -16.0, tail)
    rows = [compare("blood pressure", "Taylor-Tolbert et al. 2000", "SBP drop (mmHg) left 16 h "
                    "after 45 min at 70 % VO2max, men of 60 yr (145/95 assumed) "
                    "(age-pressure-tail)", left, (6.0, 13.0), tolerance=0.1, unit="mmHg",
                    kind="calibration")]          # 0.1: the fitted constants are rounded
    # Corso et al. 2017 (abstract): 41.8 yr, 140.6/89.2 mmHg; the fixed constant was fitted
    # to their awake means, and the tail keeps it for their group.
    corso = float(peh_course.recovery_tau(41.8, 140.6, tail)) / 3600.0
    rows.append(compare("blood pressure", "Corso et al. 2017", "PEH recovery constant (h) of "
                        "the meta-analysis's group, 41.8 yr, 140.6 mmHg (age-pressure-tail)",
                        corso, hypotension.PEH.recovery_tau_s / 3600.0, tolerance=0.05,
                        unit="h", kind="calibration"))
    # Costa et al. 2019 (abstract): 20 inactive hypertensive women, 64.9 yr, 30 min of
    # self-selected walking (about 90 % of it at 40 % of HR reserve or more); mean ambulatory
    # SBP over the next 20 h 3.4 mmHg lower than after a control session (95 % CI 0.9-5.9).
    # Assumed: medicated, 130/80 at rest, BMI 28, 50 % VO2max.
    mean = _peh_mean(64.9, (130.0, 80.0), True, 28.0, True, 0.50, 30.0, 20.0, tail)
    rows.append(compare("blood pressure", "Costa et al. 2019", "mean SBP drop (mmHg) over 20 h "
                        "after 30 min of walking, medicated women of 64.9 yr (130/80, BMI 28, "
                        "50 % VO2max assumed) (age-pressure-tail)", mean, (0.9, 5.9),
                        tolerance=0.0, unit="mmHg", shown="3.4 (CI 0.9-5.9)"))
    return rows

