"""Programme studies against whole programmes run by the calendar (rows of ``retrosim validate``).

Each study is run as the programme it describes (a scenario built here, falls off unless the
row is about falls) and the model's value is read from the programme Dataset the same way the
study measured it, with the default programme model (``[program] model``,
:mod:`retrosim.physiology.courses`). Rows whose source set a constant are calibration rows:
Murtagh et al. (2015)'s gain, Hickson et al. (1981)'s 9-week gain and half-time and Mujika &
Padilla (2001)'s detraining fix the dose-response constants, Heath et al. (2001)'s VO2 fall the
novice O2 excess, Cornelissen & Smart (2013) the falls by baseline, Meredith et al. (1990)
their time course, Kim, Kim & Shin (2002) the resting-HR slope, Chen et al. (2020)'s gain the
Berg headroom share. Heath et al.'s heart-rate fall, HERITAGE's 20-week gain (Bouchard et al.
1999), Skinner et al. (2001)'s gains unrelated to baseline, Coyle et al. (1984)'s detraining
of athletes, the shape of DREW's dose-response (Church
et al. 2007), Lee et al. (2021)'s walking trials and Sherrington et al. (2019)'s rate of falls
are validation: the model was not fitted to them. The optional ``dose-response-split-pressure``
has its own rows, pinned: Kiernan et al. (2024) set its diastolic rate (calibration), Leitao et
al. (2021)'s detraining is held out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from retrosim.api import run
from retrosim.model.options import EnergyOptions
from retrosim.model.scenario import Scenario
from retrosim.physiology import balance, energy, heart, oxygen, training, walking_cost
from retrosim.units import VO2_PER_MET, mph_to_mps
from retrosim.validation.cohort import prescribed_speed_mph
from retrosim.validation.person import walking_fall_rate
from retrosim.validation.table import Row, compare


def run_programme(subject: dict[str, Any], stages: list[Any], program: dict[str, Any], *,
                  subjects: int = 1, falls: bool = False, **arm: Any) -> xr.Dataset:
    """A one-arm programme for ``subject`` (a [subject] table) through :func:`retrosim.run`;
    with ``subjects`` above 1, for a cohort of that many people like her, each with her own
    response to training (a study's group), rather than one person run again.

    >>> ds = run_programme({"mass_kg": 70, "age_yr": 40, "sex": "male"},
    ...                    ["walk forward at 3 mph for 20 min"], {"weeks": 1,
    ...                    "sessions_per_week": 2})
    >>> ds.sizes["day"], ds.sizes["session"]
    (8, 2)
    """
    people = {"subject": subject} if subjects == 1 else {"cohort": {"size": subjects,
                                                                     **subject}}
    data = {"name": "validation", "seed": 1, **people, "program": program,
            "arms": {"a": {"stages": stages, **arm}}}
    if not falls:
        data["falls"] = {"model": "none"}
    ds = run(Scenario.from_dict(data), subjects=subjects).isel(arm=0)
    return ds.isel(subject=0) if subjects == 1 else ds


def _heath_rows() -> list[Row]:
    """Heath et al. (2001): 8 men, 12 sessions (3 a week x 15 min x 4 weeks) at 3.2-3.7 mph
    backward; tested at the same speed before and after."""
    ds = run_programme({"mass_kg": 75, "age_yr": 22, "sex": "male", "vo2max_ml_kg_min": 45},
                       ["walk backward at 3.5 mph for 15 min"],
                       {"weeks": 4, "sessions_per_week": 3}, subjects=100)
    met = float(energy.ENERGY_MODELS["continuous"](mph_to_mps(3.5), 0.0, -1.0))

    def test(day: int) -> tuple[float, float]:
        state = ds.isel(day=day)
        practice = state.backward_practice.values
        vo2 = met * 3.5 * (1.0 + training.heath_familiarisation(practice))
        hr = heart.HR_MODELS[heart.DEFAULT_HR_MODEL](            # the sessions' HR model
            vo2, 3.5, state.vo2max.values, state.hr_rest.values, heart.tanaka_hr_max(22.0),
            -1.0, practice)
        return float(vo2.mean()), float(hr.mean())

    (vo2_0, hr_0), (vo2_1, hr_1) = test(0), test(-1)
    return [
        compare("programmes", "Heath et al. 2001", "VO2 change at the same backward speed after "
                "12 sessions (%; calibrates the novice O2 excess)", 100.0 * (vo2_1 / vo2_0 - 1),
                100.0 * (1.66 / 2.05 - 1), tolerance=5.0, unit="%-points", kind="calibration"),
        compare("programmes", "Heath et al. 2001", "HR change at the same backward speed after "
                "12 sessions (bpm)", hr_1 - hr_0, 118.8 - 142.6, tolerance=6.0, unit="bpm"),
    ]


#: Share of women in the walking trials: 81 % of 2,001 participants in the updated review of
#: the same trials by the same group (Oja et al. 2018, Br J Sports Med 52:769).
_WALKING_WOMEN = 0.81


def _fitness_rows() -> list[Row]:
    rows = []
    gains = []
    for sex in ("male", "female"):
        ds = run_programme({"mass_kg": 75, "age_yr": 45, "sex": sex, "fitness": "inactive"},
                           ["walk forward at 3.5 mph for 30 min"],
                           {"weeks": 12, "sessions_per_week": 3}, subjects=200)
        gains.append(float((ds.vo2max.isel(day=-1) - ds.vo2max.isel(day=0)).mean()))
    walkers = (1.0 - _WALKING_WOMEN) * gains[0] + _WALKING_WOMEN * gains[1]
    rows.append(compare("programmes", "Murtagh et al. 2015", "VO2max gain (mL/kg/min), 12 weeks "
                        "x 3 x 30 min at 3.5 mph, inactive 45-y-olds, 81 % women (calibrates "
                        "the load)", walkers, (2.48, 3.60), tolerance=0.0, kind="calibration"))
    ds = run_programme({"mass_kg": 75, "age_yr": 25, "sex": "male"},
                       ["walk forward at 3.5 mph, 15% grade for 40 min"],
                       {"weeks": 9, "sessions_per_week": 6}, subjects=200)
    v = ds.vo2max.values.astype(float).mean(axis=0)
    g = v / v[0] - 1.0
    rows.append(compare("programmes", "Hickson et al. 1981", "VO2max gain (%) after 9 weeks x 6 "
                        "x 40 min near-maximal (calibrates the saturation)", 100.0 * g[-1], 23.0,
                        tolerance=5.0, unit="%-points", kind="calibration"))
    half = float(np.interp(g[-1] / 2.0, g, ds.day.values))
    rows.append(compare("programmes", "Hickson et al. 1981", "half-time of the VO2max rise at a "
                        "constant work rate (days)", half, (10.3, 10.8), tolerance=2.0,
                        unit="d", kind="calibration"))
    stop = run_programme({"mass_kg": 75, "age_yr": 45, "sex": "male"},
                         ["walk forward at 3.5 mph for 30 min"],
                         {"phases": [{"weeks": 8, "sessions_per_week": 3},
                                     {"weeks": 6, "sessions_per_week": 0}]})
    v = stop.vo2max.values.astype(float)
    left = (v[-1] - v[0]) / (v[8 * 7] - v[0])
    rows.append(compare("programmes", "Mujika & Padilla 2001", "share of a recent VO2max gain "
                        "left after 6 weeks without training (%)", 100.0 * left, 0.0,
                        tolerance=10.0, unit="%-points", kind="calibration"))
    return rows + _heritage_rows() + _skinner_rows() + _coyle_rows() + _drew_rows()


def _heritage_rows() -> list[Row]:
    """Bouchard et al. (1999), HERITAGE: sedentary adults, 20 weeks x 3 sessions, from 55 % of
    VO2max for 30 min to 75 % for 50 min by week 14 (here: 3.5 mph uphill, the grade rising
    from about 55 % to 75 % of a 35-y-old's predicted VO2max)."""
    ds = run_programme({"mass_kg": 75, "age_yr": 35, "sex": "male"},
                       ["walk forward at 3.5 mph, 4.5% grade for 30 min"],
                       {"weeks": 20, "sessions_per_week": 3}, subjects=200,
                       progression={"grade_pct_per_week": 0.35, "max_grade_pct": 9.0,
                                    "duration_min_per_week": 1.5, "max_duration_min": 50})
    gain = (ds.vo2max.isel(day=-1) - ds.vo2max.isel(day=0)).values.astype(float) * 75.0
    return [compare("programmes", "Bouchard et al. 1999", "mean VO2max gain (mL/min) after 20 "
                    "weeks of HERITAGE's progressive programme, sedentary 35-y-old men, 75 kg",
                    float(gain.mean()), 400.0, tolerance=100.0, unit="mL/min")]


def _skinner_rows() -> list[Row]:
    """Skinner et al. (2001), HERITAGE: in 633 sedentary adults of 17-65 y the baseline VO2max
    correlated nonsignificantly with the absolute gain after 20 weeks at the same relative
    intensity. Here two inactive men of 55 (75 kg), one at the sedentary norm and one 40 %
    above it, walk 20 weeks of 3 x 40 min at 3.5 mph up the grade nearest 65 % of their own
    VO2max; the row is the ratio of their gains (mL/kg/min), published 1 (no relation)."""
    norm = float(oxygen.wasserman_vo2max(np.array([75.0]), np.array([55.0]),
                                         np.array([False]))[0])
    grades = np.arange(0.0, 15.01, 0.5)
    options = EnergyOptions()          # the run's energy model, with the person term at 55
    cost = VO2_PER_MET * (1.0 + (np.asarray(energy.ENERGY_MODELS[options.model](
        mph_to_mps(3.5), grades / 100.0, 1.0), dtype=float) - 1.0) * float(
        walking_cost.person_factor(options.walking_cost, options.model, 55.0)))
    gains = []
    for entry in (norm, 1.4 * norm):
        grade = float(grades[np.argmin(np.abs(cost - 0.65 * entry))])
        ds = run_programme({"mass_kg": 75, "age_yr": 55, "sex": "male", "fitness": "inactive",
                            "vo2max_ml_kg_min": round(entry, 2)},
                           [f"walk forward at 3.5 mph, {grade:g}% grade for 40 min"],
                           {"weeks": 20, "sessions_per_week": 3}, subjects=200)
        v = ds.vo2max.values.astype(float)
        gains.append(float((v[:, -1] - v[:, 0]).mean()))
    return [compare("programmes", "Skinner et al. 2001", "VO2max gain (mL/kg/min) of an "
                    "inactive 55-y-old man starting 40 % above the sedentary norm over one at "
                    "it (ratio), 20 weeks at 65 % of VO2max (HERITAGE: unrelated to baseline)",
                    gains[1] / gains[0], 1.0, tolerance=0.25)]


#: Church et al. (2007), DREW: weekly minutes and the gain of absolute peak VO2 over control
#: (%) after 6 months at 50 % of peak VO2, by weekly dose (4, 8, 12 kcal/kg); and the
#: between-woman SD (mL/min) and number of each group's gains (Sisson et al. 2009, as
#: tabulated by Ross et al. 2019, Table 1).
_DREW = ((72.2, 4.2, 144.0, 138), (135.8, 6.0, 129.0, 84), (191.7, 8.2, 146.0, 88))
#: DREW's mean baseline peak VO2, mL/min (Church et al. 2007).
_DREW_BASELINE_ML_MIN = 1300.0


def _drew_rows() -> list[Row]:
    """Church et al. (2007), DREW: 464 sedentary postmenopausal women (57 y, BMI 32, peak VO2
    15.4 mL/kg/min, 1.30 L/min), 6 months at the heart rate of 50 % of peak VO2, 3-4 sessions
    a week; here 3 sessions a week of level walking at the treadmill step nearest 50 % of that
    peak VO2 for her (by the default energy model and walking-cost person term: 1.4 mph; 1.6
    without the person term) for a third of each group's weekly minutes. Two rows are the
    shape of the dose-response, the gains of the larger doses over the smallest one's (held
    out); three are the level of each group's gain, a calibration of
    ``dose-response-threshold``'s intensity floor (chosen with them in view). The level's
    tolerance is the 95 % half-width of each group's mean, 1.96 SD / sqrt(n) of Sisson et al.
    (2009)'s gains, as a share of the baseline."""
    gains = []
    options = EnergyOptions()
    speed = float(prescribed_speed_mph(0.5 * 15.4, options.model, walking_cost.person_factor(
        options.walking_cost, options.model, 57.0)))
    for minutes, *_ in _DREW:
        ds = run_programme({"mass_kg": 84, "age_yr": 57, "sex": "female",
                            "vo2max_ml_kg_min": 15.4},
                           [f"walk forward at {speed:g} mph for {minutes / 3.0:.1f} min"],
                           {"weeks": 26, "sessions_per_week": 3}, subjects=100)
        v = ds.vo2max.values.astype(float)
        gains.append(float((v[:, -1] / v[:, 0] - 1.0).mean()))
    shape = [compare("programmes", "Church et al. 2007", f"peak VO2 gain at {minutes:.0f} min "
                     f"a week over the gain at {_DREW[0][0]:.0f} (ratio), 6 months at 50 % of "
                     "peak VO2 (DREW)", gain / gains[0], published / _DREW[0][1],
                     tolerance=0.3)
             for (minutes, published, *_), gain in zip(_DREW[1:], gains[1:], strict=True)]
    level = [compare("programmes", "Church et al. 2007", f"peak VO2 gain (%) at {minutes:.0f} "
                     "min a week, 6 months at 50 % of peak VO2, sedentary women of 57 (DREW; "
                     "calibrates the intensity floor)", 100.0 * gain, published,
                     tolerance=round(100.0 * 1.96 * sd / np.sqrt(n) / _DREW_BASELINE_ML_MIN, 1),
                     unit="%-points", kind="calibration")
             for (minutes, published, sd, n), gain in zip(_DREW, gains, strict=True)]
    return shape + level


def _coyle_rows() -> list[Row]:
    """Coyle et al. (1984): endurance-trained men (VO2max about 62 mL/kg/min) who stopped
    training: VO2max 7 % lower after 21 days and 16 % lower after 84 days."""
    ds = run_programme({"mass_kg": 70, "age_yr": 26, "sex": "male", "vo2max_ml_kg_min": 62,
                        "fitness": "trained"},
                       ["rest for 1 min"], {"phases": [{"weeks": 1, "sessions_per_week": 1},
                                                       {"weeks": 12, "sessions_per_week": 0}]},
                       subjects=200)
    v = ds.vo2max.values.astype(float).mean(axis=0)
    return [compare("programmes", "Coyle et al. 1984", f"VO2max loss (%) {day} days after "
                    "trained athletes stopped", 100.0 * (1.0 - v[day] / v[0]), loss,
                    tolerance=3.0, unit="%-points") for day, loss in ((21, 7.0), (84, 16.0))]


_CORNELISSEN = {"hypertensive": ((155, 95), (-8.3, (-10.7, -6.0)), (-5.2, (-6.8, -3.4))),
                "prehypertensive": ((128, 82), (-2.1, (-3.3, -0.83)), (-1.7, (-2.7, -0.68))),
                "normotensive": ((112, 72), (-0.75, (-2.2, 0.69)), (-1.1, (-2.2, -0.068)))}


def _pressure_rows() -> list[Row]:
    rows = []
    for group, (bp, (_, sbp_ci), (_, dbp_ci)) in _CORNELISSEN.items():
        ds = run_programme({"mass_kg": 80, "age_yr": 50, "sex": "male",
                            "resting_bp_mmhg": list(bp)},
                           ["walk forward at 3.5 mph, 3% grade for 40 min"],
                           {"weeks": 12, "sessions_per_week": 3})
        for name, ci in (("sbp_rest", sbp_ci), ("dbp_rest", dbp_ci)):
            change = float(ds[name].isel(day=-1) - ds[name].isel(day=0))
            rows.append(compare("programmes", "Cornelissen & Smart 2013", f"{name[:3].upper()} "
                                f"change (mmHg) after 12 weeks, {group} {bp[0]}/{bp[1]}",
                                change, ci, tolerance=0.0, kind="calibration"))
    ds = run_programme({"mass_kg": 70, "age_yr": 40, "sex": "male",
                        "resting_bp_mmhg": [150, 95]},
                       ["walk forward at 3.5 mph, 5% grade for 40 min"],
                       {"phases": [{"weeks": 4, "sessions_per_week": 3},
                                   {"weeks": 4, "sessions_per_week": 0}]})
    s = ds.sbp_rest.values.astype(float) - float(ds.sbp_rest[0])
    days = ds.session_day.values.astype(int)
    month, last = s[28], int(days[-1])
    rows.append(compare("programmes", "Meredith et al. 1990", "share of the one-month fall "
                        "reached after the 4th session (%): no further fall after it",
                        100.0 * s[days[4]] / month, 100.0, tolerance=10.0, unit="%-points",
                        kind="calibration"))
    rows.append(compare("programmes", "Meredith et al. 1990", "share of the fall left 1 week "
                        "after the last session (%): still low for 1-2 weeks",
                        100.0 * s[last + 7] / s[last + 1], 100.0, tolerance=10.0,
                        unit="%-points", kind="calibration"))
    rows.append(compare("programmes", "Meredith et al. 1990", "share of the fall left 4 weeks "
                        "after the last session (%): back toward the sedentary level",
                        100.0 * s[min(last + 28, s.size - 1)] / s[last + 1], 0.0,
                        tolerance=10.0, unit="%-points", kind="calibration"))
    return rows


_SPLIT = "dose-response-split-pressure"


def _split_pressure_rows() -> list[Row]:
    """Resting pressure with its own course for each pressure (``dose-response-split-pressure``,
    pinned, since it is not the default). Kiernan et al. (2024), 10 hypertensive adults of 57,
    136.5/83.4 mmHg, 12 weeks x 3 x 40 min at moderate to vigorous intensity: the systolic fall
    stable from week 3 and the diastolic from week 10 (calibration: the diastolic rate was set
    from it). Leitao et al. (2021), held out: 28 hypertensive women of 67 (baseline pressure
    not in the abstract; 150/90 assumed), 9 months of training then 3 months without: the
    fall "reversed" (read as none of it left)."""
    ds = run_programme({"mass_kg": 90, "age_yr": 57, "sex": "male",
                        "resting_bp_mmhg": [136.5, 83.4]},
                       ["walk forward at 3.5 mph, 5% grade for 40 min"],
                       {"weeks": 12, "sessions_per_week": 3, "model": _SPLIT})
    end = int(ds.session_day.values[-1]) + 1
    rows = []
    for name, week in (("sbp_rest", 3), ("dbp_rest", 10)):
        fall = float(ds[name][0]) - ds[name].values.astype(float)
        rows.append(compare("programmes", "Kiernan et al. 2024", f"{name[:3].upper()}: share "
                            f"of the 12-week fall reached by week {week} (%), where it "
                            f"stabilised ({_SPLIT})", 100.0 * fall[7 * week] / fall[end],
                            100.0, tolerance=10.0, unit="%-points", kind="calibration"))
    ds = run_programme({"mass_kg": 65, "age_yr": 67, "sex": "female",
                        "resting_bp_mmhg": [150, 90]},
                       ["walk forward at 3 mph for 45 min"],
                       {"phases": [{"weeks": 36, "sessions_per_week": 3},
                                   {"weeks": 13, "sessions_per_week": 0}], "model": _SPLIT})
    last = int(ds.session_day.values[-1])
    for name in ("sbp_rest", "dbp_rest"):
        fall = float(ds[name][0]) - ds[name].values.astype(float)
        rows.append(compare("programmes", "Leitao et al. 2021", f"{name[:3].upper()}: share of "
                            "the 9-month fall left 3 months after stopping (%), older "
                            f"hypertensive women ({_SPLIT})",
                            100.0 * fall[last + 1 + 84] / fall[last + 1], 0.0, tolerance=25.0,
                            unit="%-points"))
    return rows


def _balance_rows() -> list[Row]:
    ds = run_programme({"mass_kg": 70, "age_yr": 60, "sex": "male", "berg": 40,
                        "fitness": "inactive"}, ["walk backward at 1.0 mph for 30 min"],
                       {"weeks": 4, "sessions_per_week": 5})
    rows = [compare("programmes", "Chen et al. 2020", "Berg gain (points), 4 weeks x 5 x 30 min "
                    "backward from Berg 40 (calibrates the headroom share)",
                    float(ds.berg[-1] - ds.berg[0]), (2.12, 5.52), tolerance=0.0,
                    kind="calibration")]
    ds = run_programme({"mass_kg": 70, "age_yr": 70, "sex": "female", "berg": 46},
                       ["walk backward at 1.5 mph for 20 min"],
                       {"weeks": 12, "sessions_per_week": 3})
    start, end = float(ds.berg[0]), float(ds.berg[-1])
    model = balance.FALL_PRESETS[balance.DEFAULT_FALL_MODEL]
    ratio = walking_fall_rate(end, p=model, entry=start) / \
        walking_fall_rate(start, p=model, entry=start)
    rows.append(compare("programmes", "Sherrington et al. 2019", "rate ratio of falls after 12 "
                        "weeks x 3 x 20 min backward, Berg 46, 70 y (through the default fall "
                        "model, perturbations-entry)", ratio, (0.70, 0.81), tolerance=0.05))
    return rows


def programme_rows() -> list[Row]:
    """Familiarisation, fitness, resting pressure and balance over whole programmes.

    >>> rows = programme_rows()
    >>> len(rows), [r.mark for r in rows].count("bad")
    (30, 0)
    """
    return (_heath_rows() + _fitness_rows() + _pressure_rows() + _split_pressure_rows()
            + _balance_rows())
