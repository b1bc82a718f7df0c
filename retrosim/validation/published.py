"""Every published value the models rest on, against the model's output for the same conditions.

One function per topic returns rows (:func:`all_rows` is every one); each row runs a
model (a pure function of :mod:`retrosim.physiology`, or the engine for a whole session) at the
condition the source describes. Values recorded as *unverified* (recalled, not read in the
source) are defaults, never rows: the "about 10 mmHg per MET" of exercise pressure,
Shumway-Cook et al. 1997's coefficients, Hansen, Sue & Wasserman's VO2max. What is left out,
and why, is listed on the validation page (``docs/validation.md``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from retrosim.api import run
from retrosim.model.scenario import load_scenario
from retrosim.physiology import balance, energy, heart, hypotension, oxygen, peh_course, pressure
from retrosim.physiology.compendium import compendium_rows
from retrosim.units import VO2_PER_MET, mph_to_mps, pct_to_frac
from retrosim.validation import heart_recovery, person, programmes, recovery
from retrosim.validation.table import Row, compare, continuous_model_errors

#: The Compendium model that looks up a row of ``data/compendium_walking.csv``.
_LOOKUP = {(2011, "ground"): "compendium-2011", (2024, "ground"): "compendium-2024",
           (2024, "treadmill"): "compendium-2024-treadmill"}
_AUTHOR = {2011: "Ainsworth 2011", 2024: "Herrmann 2024"}
HOUR_S = 3600.0


def energy_rows() -> list[Row]:
    """Compendium codes (exact through each lookup, and through the continuous model), the
    2011 headline through the engine, the kcal conventions, ACSM, resting rates, Berling 2006.

    >>> len(energy_rows()) > 70
    True
    """
    rows = []
    for r in compendium_rows():
        name = _LOOKUP[(r.edition, r.surface)]
        met = energy.ENERGY_MODELS[name](mph_to_mps(r.speed_mph), pct_to_frac(r.grade_pct),
                                         -1.0 if r.direction == "backward" else 1.0)
        rows.append(compare("energy", f"{_AUTHOR[r.edition]} {r.code}",
                            f"MET, {r.direction} {r.speed_mph:g} mph, {r.grade_pct:g} % "
                            f"({name})", float(met), r.met, tolerance=0.0, kind="calibration"))
    for e in continuous_model_errors():
        what = "MET" if e.source.startswith(("Ainsworth", "Herrmann")) else "value"
        rows.append(compare("energy", e.source, f"{what}, {e.condition} (continuous)",
                            e.model, e.published, tolerance=e.tolerance_pct, relative=True,
                            kind="calibration" if e.fitted else "validation"))
    rows += _backward_rows() + person.walking_cost_rows()
    rows += [calibration(r) for r in _headline_rows()]
    acsm = float(energy.acsm_walking_vo2(60.0 * mph_to_mps(3.5), 0.10))
    rows.append(compare("energy", "ACSM walking equation", "VO2 at 3.5 mph, 10 % "
                        "(mL/kg/min, worked example)", acsm, 29.79, tolerance=0.005,
                        good=0.005))
    level = float(energy.acsm_met(mph_to_mps(3.5), 0.0, 1.0))
    rows.append(compare("energy", "ACSM walking equation", "MET at 3.5 mph, level", level, 3.68,
                        tolerance=0.005, good=0.005))
    for name, value, source in (("byrne-2005", 2.6, "Byrne et al. 2005"),
                                ("willis-2024-older", 2.7, "Willis et al. 2024")):
        rows.append(compare("energy", source, f"resting VO2 (mL/kg/min), resting_rate = "
                            f"{name}", energy.RESTING_VO2[name], value, tolerance=0.0))
    rows[-4:] = [calibration(r) for r in rows[-4:]]      # worked examples, defined presets
    for free, grip in energy.BERLING_2006_VO2:
        model = VO2_PER_MET * float(energy.apply_handrail(free / VO2_PER_MET, 2))
        rows.append(compare("energy", "Berling et al. 2006", f"VO2 gripping the handrail "
                            f"(mL/kg/min), {free} free", model, grip, tolerance=5.0,
                            relative=True))
    return rows


def calibration(row: Row) -> Row:
    """The row, as a calibration row (a table or a fit against what it was built from)."""
    return row._replace(kind="calibration")


def _backward_rows() -> list[Row]:
    """Backward walking beyond the fitted data: Chaloupka et al. 1997 (backward costs more at
    3.5 mph, level and 5 %), and the energy models that answer outside their source's
    conditions (the fallback is logged, never silent)."""
    v = float(mph_to_mps(3.5))
    rows = []
    for grade in (0.0, 5.0):
        fwd, back = energy.continuous_met(v, pct_to_frac(grade), [1.0, -1.0])
        rows.append(compare("energy", "Chaloupka et al. 1997", f"backward / forward VO2, 3.5 "
                            f"mph, {grade:g} % (continuous; backward higher)",
                            float(back / fwd), (np.nextafter(1.0, 2.0), np.inf), tolerance=0.0,
                            shown="> 1"))
    for name in ("compendium-2011", "acsm"):
        flagged = energy.outside_source(name, mph_to_mps(2.0), 0.0, -1.0)
        rows.append(calibration(compare(
            "energy", "source conditions", f"backward at 2 mph is flagged as outside {name}'s "
            "source (1 = flagged)", float(flagged), 1.0, tolerance=0.0)))
    return rows


def _headline_rows() -> list[Row]:
    """The bundled ``compendium-2011`` scenario through the engine: 45.90 / 64.05 / 85.40 kcal
    (Ainsworth 2011, 61.0 kg, 10 min at 3.5 mph), backward / forward 6.0 / 4.3, and the
    met-hours convention's 5 % less (1 / 1.05)."""
    scenario = load_scenario("compendium-2011")
    kcal = run(scenario, traces=False).energy_total.values[:, 0]
    hours = dataclasses.replace(scenario, energy=dataclasses.replace(
        scenario.energy, convention="met-hours"))
    kcal_hours = run(hours, traces=False).energy_total.values[:, 0]
    rows = [compare("energy", "Ainsworth 2011 headline", f"kcal in 10 min, {arm} (engine, "
                    "61.0 kg)", float(k), published, tolerance=0.005, good=0.005,
                    shown=f"{round(published)} ({published:.2f})")
            for arm, k, published in zip(scenario.arms, kcal, (45.90, 64.05, 85.40),
                                         strict=True)]
    rows.append(compare("energy", "Ainsworth 2011 headline", "backward / forward kcal, level "
                        "(6.0 / 4.3: about 40 % more)", float(kcal[1] / kcal[0]), 6.0 / 4.3,
                        tolerance=0.0, shown="1.395"))
    rows.append(compare("energy", "Ainsworth 2011", "met-hours / oxygen kcal (1 / 1.05: 5 % "
                        "less)", float(kcal_hours[0] / kcal[0]), 1.0 / 1.05, tolerance=0.0,
                        shown="0.952"))
    return rows


def kinetics_rows() -> list[Row]:
    """VO2 time constants by fitness and age, on/off symmetry; HRmax, Swain's relation, HR tau.

    >>> [r.mark for r in kinetics_rows()].count("bad")
    0
    """
    rows = []
    for code, (fitness, tau) in enumerate(oxygen.TAU_BY_FITNESS_S.items()):
        rows.append(compare("oxygen", "George et al. 2018", f"VO2 tau (s), {fitness}, 25 y",
                            float(oxygen.vo2_time_constant(25.0, code)), tau, tolerance=0.0))
    young, old = oxygen.vo2_time_constant([25.0, 68.0], [1, 1])
    rows.append(compare("oxygen", "AJP Regul 2011;301:R218", "VO2 tau (s) at 68 y of a walker "
                        "whose young tau is 30.5 s (29-32)", 30.5 * float(old / young),
                        (42.0, 49.0), tolerance=0.0))
    rows.append(compare("oxygen", "McNarry et al. 2012", "VO2 tau (s), moderate, "
                        "recreational, 30 y", float(oxygen.vo2_time_constant(30.0, 1)),
                        (13.0, 31.0), tolerance=0.0, shown="22 +/- 9"))
    rows.append(compare("oxygen", "Markovitz et al. 2004", "VO2 tau off / on (38.0 vs 39.0 s)",
                        1.0, 39.0 / 38.0, tolerance=5.0, relative=True))
    for age, hr_max in ((20.0, 194.0), (40.0, 180.0), (70.0, 159.0)):
        rows.append(compare("heart rate", "Tanaka et al. 2001", f"HRmax (bpm) at {age:g} y",
                            float(heart.tanaka_hr_max(age)), hr_max, tolerance=0.0))
    for age in (40.0, 70.0):
        rows.append(compare("heart rate", "Sydo et al. 2014", f"women's peak HR (bpm) at "
                            f"{age:g} y (210 - 0.79 age; the default for women)",
                            float(heart.HR_MAX_MODELS["by-sex-sydo-2014"](age, True)),
                            210.0 - 0.79 * age, tolerance=0.0, kind="calibration"))
    for age in (20.0, 40.0, 70.0):
        rows.append(compare("heart rate", "Gulati et al. 2010", f"women's peak HR (bpm) at "
                            f"{age:g} y (206 - 0.88 age; by-sex)",
                            float(heart.HR_MAX_MODELS["by-sex"](age, True)), 206.0 - 0.88 * age,
                            tolerance=0.0, kind="calibration"))
    rows.append(compare("heart rate", "220 - age", "HRmax (bpm) at 40 y",
                        float(heart.HR_MAX_MODELS["fox-1971"](40.0)), 180.0, tolerance=0.0))
    rows.append(compare("heart rate", "Swain et al. 1998", "%HRR at 50 %VO2R (1.03 x 50 + 1.5)",
                        float(heart.swain_percent_hrr(50.0)), 53.0, tolerance=0.0))
    rows.append(compare("heart rate", "Swain et al. 1998", "steady HR (bpm), VO2 19.25 of "
                        "3.5-35, HR 60-180", float(heart.steady_state_hr(19.25, 3.5, 35.0, 60.0,
                                                                        180.0)),
                        60.0 + 0.53 * 120.0, tolerance=0.005, good=0.005))
    rows.append(compare("heart rate", "McNarry et al. 2012", "HR tau (s), moderate",
                        heart.HR_TAU_S, (30.0, 33.0), tolerance=0.0))
    validated = [r for r in rows if r.source == "McNarry et al. 2012" and "VO2" in r.quantity]
    rows = [r if r in validated else calibration(r) for r in rows]
    return (rows + _backward_hr_rows() + recovery.epoc_rows() + heart_recovery.hr_recovery_rows()
            + person.hr_drift_rows() + person.resting_hr_rows() + person.vo2_kinetics_rows())


def _backward_hr_rows() -> list[Row]:
    """Swain 1994 against Kim & Choi 2001's forward point (validation: other people's data),
    the backward excess fitted to their backward point, practice (Heath et al. 2001)."""
    kc = heart.KIM_CHOI_2001_HR
    vo2_max = float(np.mean([v / p * 100.0 for v, p, _, _ in kc.values()]))
    hr_max = float(np.mean([h / p * 100.0 for _, _, h, p in kc.values()]))
    rows = []
    for way, sign in (("forward", 1.0), ("backward", -1.0)):
        vo2, _, hr, _ = kc[way]
        model = float(heart.swain_1994_backward_hr(vo2, 3.5, vo2_max, 70.0, hr_max, sign))
        row = compare("heart rate", "Kim & Choi 2001", f"HR (bpm), {way} 5 km/h at their VO2 "
                      f"{vo2:g} (VO2max {vo2_max:.1f}, HRmax {hr_max:.0f} derived, rest 70)",
                      model, hr, tolerance=10.0, unit="bpm")
        rows.append(row if way == "forward" else calibration(row))
    novice, practised = heart.backward_excess([0.0, heart.HEATH_2001_PRACTICE_MIN])
    removed = float(novice - practised) / 100.0 * hr_max
    rows.append(calibration(compare(
        "heart rate", "Heath et al. 2001", "backward HR excess removed by 180 min of practice "
        "(bpm, Kim & Choi's novice excess)", removed, heart.HEATH_2001_EXCESS_REMOVED_BPM,
        tolerance=0.0, unit="bpm")))
    rows.append(calibration(compare(
        "heart rate", "Thomas et al. 2018", "backward HR above forward at the same VO2 "
        "(%HRmax points, novice, 50 %VO2R)", float(heart.backward_excess(0.0, 50.0)),
        (np.nextafter(0.0, 1.0), np.inf), tolerance=0.0, shown="> 0")))
    return rows


def falls_rows() -> list[Row]:
    """Berg bands and cut-offs, TUG and backward-speed cut-offs, P(fall) after a perturbation
    at the reference walker.

    >>> len(falls_rows())
    8
    """
    scores = np.arange(57)
    levels = balance.level_from_berg(scores)
    top = {name: int(scores[levels == code].max())
           for code, name in enumerate(balance.BALANCE_LEVELS)}
    rows = [
        compare("falls", "Berg et al. 1992", "highest Berg score of 'severe' (wheelchair, "
                "0-20)", top["severe"], 20.0, tolerance=0.0),
        compare("falls", "Berg et al. 1992; Jeon & Kim 2017", "highest Berg score of "
                "'impaired' (walks with assistance, 21-40; cut-off 40)", top["impaired"], 40.0,
                tolerance=0.0),
        compare("falls", "Muir et al. 2008", "highest Berg score of 'moderate' (cut-off <= 45)",
                top["moderate"], 45.0, tolerance=0.0),
    ]
    tug = np.round(np.arange(500, 3001) * 0.01, 2)           # 5-30 s in 0.01 s
    capped = balance.effective_berg(0, np.nan, tug) < balance.BERG_OF_LEVEL["good"]
    rows.append(compare("falls", "Barry et al. 2014", "Timed Up and Go (s) from which balance "
                        "is at best moderate", float(tug[capped].min()), 13.5, tolerance=0.0))
    speed = np.round(np.arange(5, 201) * 0.01, 2)             # 0.05-2 m/s in 0.01 m/s
    slow = balance.effective_berg(0, np.nan, backward_speed_mps=speed) < \
        balance.BERG_OF_LEVEL["good"]
    rows.append(compare("falls", "Fritz et al. 2013", "backward walking speed (m/s) below "
                        "which balance is at best moderate", float(speed[~slow].min()), 0.6,
                        tolerance=0.0))
    for kind, published, source, what in (
            (0, 0.127, "perturbation studies", "P(fall | unexpected overground trip)"),
            (1, 0.438, "perturbation studies", "P(fall | first novel slip), the misstep"),
            (2, 0.35, "Owings et al. 2001", "P(fall | unexpected treadmill belt start)")):
        p = float(balance.fall_probability(kind, balance.REFERENCE_BERG, False, 0))
        rows.append(compare("falls", source, f"{what} (%), reference walker", 100.0 * p,
                            100.0 * published, tolerance=0.0, unit="%"))
    return [calibration(r) for r in rows]


def pressure_rows() -> list[Row]:
    """Post-exercise hypotension (size, dose, time course, who), exercise alarms, the ACC/AHA
    2017 categories and the rules of measuring.

    >>> [r.mark for r in pressure_rows()].count("bad")
    0
    """
    def nadir(sbp, dbp, met=7.5, minutes=30.0):
        return hypotension.peh_drop_at_nadir(sbp, dbp, met, minutes * 60.0, 1.0)

    rows = []
    for group, rest, ranges in (("hypertensive", (150, 95), ((18, 20), (7, 9))),
                                ("normotensive", (120, 80), ((8, 10), (3, 5)))):
        for which, drop, published in zip(("SBP", "DBP"), nadir(*rest), ranges, strict=True):
            rows.append(compare("blood pressure", "Kenney & Seals 1993", f"PEH {which} drop "
                                f"(mmHg) at the nadir, {group} ({rest[0]}/{rest[1]} assumed)",
                                float(drop), published, tolerance=0.0))
    rows.append(compare("blood pressure", "MacDonald et al. 2000", "PEH SBP drop (mmHg) at the "
                        "nadir, borderline (135/85 assumed)", float(nadir(135, 85)[0]), 14.0,
                        tolerance=1.0, shown="about 14"))
    awake = peh_course.peh_mean_shape(12 * HOUR_S)
    for met, awake_means, tol in ((7.5, (11.4, 5.6), 0.5), (4.0, (1.6, 0.5), 0.2)):
        for which, drop, value in zip(("SBP", "DBP"), nadir(150, 95, met), awake_means,
                                      strict=True):
            rows.append(compare("blood pressure", "Corso et al. 2017", f"awake mean {which} "
                                f"drop (mmHg) after a {met:g}-MET bout, hypertensive (12 h "
                                "awake assumed)", float(drop) * awake, value, tolerance=tol))
    rows.append(compare("blood pressure", "MacDonald et al. 2000", "PEH after 45 min / after "
                        "10 min of exercise (bouts of 10-45 min alike)",
                        float(nadir(140, 90, minutes=45)[0] / nadir(140, 90, minutes=10)[0]),
                        1.0, tolerance=10.0, relative=True, shown="alike (1)"))
    t = np.arange(0.0, 3 * HOUR_S, 1.0)
    rows.append(compare("blood pressure", "MacDonald et al. 2000", "time of the PEH nadir (min)",
                        float(t[np.argmax(peh_course.peh_shape(t))]) / 60.0, 15.0,
                        tolerance=1.0, shown="about 15"))
    rows.append(compare("blood pressure", "MacDonald et al. 2000", "PEH at 5 min, share of the "
                        "nadir drop (%): below baseline by 5 min",
                        100.0 * float(peh_course.peh_shape(300.0)), (1e-9, 100.0),
                        tolerance=0.0, shown="> 0"))
    full = float(nadir(150, 95)[0])
    for hours, source in ((13, "Kenney & Seals 1993"), (22, "Pescatello et al. 2004")):
        rows.append(compare("blood pressure", source, f"SBP drop (mmHg) left {hours} h after a "
                            f"full bout, hypertensive (lasts up to {hours} h)",
                            full * float(peh_course.peh_shape(hours * HOUR_S)), (1.0, np.inf),
                            tolerance=0.0, shown=">= 1 (present)"))
    factor = hypotension.person_factor
    for what, low, high in (("woman / man", factor(True, 40, 25, False),
                             factor(False, 40, 25, False)),
                            ("medicated / unmedicated", factor(False, 40, 25, True),
                             factor(False, 40, 25, False)),
                            ("age 70 / age 40", factor(False, 70, 25, False),
                             factor(False, 40, 25, False)),
                            ("BMI 32 / BMI 25", factor(False, 40, 32, False),
                             factor(False, 40, 25, False))):
        rows.append(compare("blood pressure", "Carpio-Rivera et al. 2016", f"PEH {what} "
                            "(smaller)", float(low / high), (0.0, np.nextafter(1.0, 0.0)),
                            tolerance=0.0, shown="< 1"))
    for pct in (40, 60):
        rows.append(compare("blood pressure", "Pescatello et al. 2004", f"PEH SBP drop (mmHg) "
                            f"at the nadir after {pct} % VO2max, hypertensive (150/95 assumed; "
                            "both produce PEH)", float(hypotension.peh_drop_at_nadir(
                                150, 95, pct / 10.0, 1800.0, 1.0, vo2max_met=10.0)[0]),
                            (1.0, np.inf), tolerance=0.0, shown=">= 1 (present)"))
    independent = ("borderline", "left")        # MacDonald's 14 mmHg; the drop's persistence
    rows = [r if any(w in r.quantity for w in independent) else calibration(r) for r in rows]
    return rows + [calibration(r) for r in _threshold_rows()]


def _first(values: np.ndarray, flags: np.ndarray) -> float:
    """The first of ``values`` (ascending) where ``flags`` holds."""
    return float(values[np.argmax(flags)])


def _threshold_rows() -> list[Row]:
    """Exercise alarms, ACC/AHA 2017 boundaries and the measuring rules, each found by
    scanning the model function in whole mmHg (or seconds)."""
    mmhg = np.arange(40.0, 301.0)
    cat_sbp = pressure.acc_aha_category(mmhg, 60.0)          # DBP low: SBP decides
    cat_dbp = pressure.acc_aha_category(100.0, mmhg)         # SBP low: DBP decides
    lowest = [("elevated", cat_sbp, 1, "SBP", 120.0), ("stage 1", cat_sbp, 2, "SBP", 130.0),
              ("stage 2", cat_sbp, 3, "SBP", 140.0), ("stage 1", cat_dbp, 2, "DBP", 80.0),
              ("stage 2", cat_dbp, 3, "DBP", 90.0)]
    rows = [compare("blood pressure", "ACC/AHA 2017", f"lowest {which} (mmHg) of {name}",
                    _first(mmhg, codes >= code), value, tolerance=0.0)
            for name, codes, code, which, value in lowest]
    rows += [compare("blood pressure", "ACC/AHA 2017", f"highest {which} (mmHg) below crisis "
                     f"(crisis: > {value:g})", _first(mmhg, codes == 4) - 1.0, value,
                     tolerance=0.0) for codes, which, value in ((cat_sbp, "SBP", 180.0),
                                                                (cat_dbp, "DBP", 120.0))]
    for sex, value in (("male", 210.0), ("female", 190.0)):
        flags = pressure.exaggerated_response(mmhg, 70.0, sex == "female")
        rows.append(compare("blood pressure", "exaggerated response", f"lowest SBP (mmHg) "
                            f"flagged, {'men' if sex == 'male' else 'women'}",
                            _first(mmhg, flags), value, tolerance=0.0))
    rows.append(compare("blood pressure", "exaggerated response", "lowest DBP (mmHg) flagged",
                        _first(mmhg, pressure.exaggerated_response(120.0, mmhg, False)), 110.0,
                        tolerance=0.0))
    rows.append(compare("blood pressure", "ACC/AHA, ACSM stop criteria", "highest SBP (mmHg) "
                        "that does not stop the test (stop: > 250)",
                        _first(mmhg, pressure.acc_aha_stop(mmhg, 70.0)) - 1.0, 250.0,
                        tolerance=0.0))
    rows.append(compare("blood pressure", "ACC/AHA, ACSM stop criteria", "highest DBP (mmHg) "
                        "that does not stop the test (stop: > 115)",
                        _first(mmhg, pressure.acc_aha_stop(120.0, mmhg)) - 1.0, 115.0,
                        tolerance=0.0))
    rows.append(compare("blood pressure", "measuring (ACC/AHA 2017)", "lowest SBP (mmHg) "
                        "rechecked after 5 min (180/120 or more)",
                        _first(mmhg, pressure.needs_recheck(mmhg, 70.0)), 180.0, tolerance=0.0))
    rows.append(compare("blood pressure", "measuring (ACC/AHA 2017)", "lowest DBP (mmHg) "
                        "rechecked after 5 min", _first(mmhg, pressure.needs_recheck(120.0,
                                                                                     mmhg)),
                        120.0, tolerance=0.0))
    seconds = np.arange(0.0, 3601.0)
    rows.append(compare("blood pressure", "measuring (ACC/AHA 2017)", "earliest reading valid "
                        "for diagnosis (min after exercise)",
                        _first(seconds, pressure.valid_for_diagnosis(seconds)) / 60.0, 30.0,
                        tolerance=0.0))
    rows.append(compare("blood pressure", "measuring (ACC/AHA 2017)", "delay of the recheck "
                        "(min)", pressure.RECHECK_AFTER_S / 60.0, 5.0, tolerance=0.0))
    return rows


def all_rows() -> list[Row]:
    """Every topic's rows: energy, oxygen and heart-rate kinetics, falls, blood pressure."""
    return energy_rows() + kinetics_rows() + falls_rows() + person.falls_covariate_rows() \
        + person.falls_entry_rows() \
        + pressure_rows() + person.peh_tail_rows() + person.exercise_pressure_rows() \
        + programme_rows()


def programme_rows() -> list[Row]:
    """Whole programmes through the calendar: familiarisation, fitness, resting pressure
    and balance over weeks (:mod:`retrosim.validation.programmes`)."""
    return programmes.programme_rows()
