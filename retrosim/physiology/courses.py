"""The programme models by name (``[program] model``): how a person's state moves from one
session to the next, each a :class:`Course` of pure functions over per-person arrays.

A course has three steps, all closed form, so a gap of any length is one exact step:

- ``start(base)``: the state anchors before the first session, from the baseline arrays
  (``vo2max0``, ``sedentary`` (the sedentary-norm VO2max), ``held`` (a trained person, whose
  entry fitness above the norm is trained state the programme must keep up), ``age``,
  ``female``, ``hr_rest0``, ``sbp0``, ``dbp0``, ``berg0``, ``response`` (responsiveness, mean
  1));
- ``morning(base, anchor, since)``: the state ``since`` days after the anchors were set
  (``vo2max``, ``hr_rest``, ``sbp_rest``, ``dbp_rest``, ``berg``, ``backward_practice`` and
  the model's own keys, which start with ``_``);
- ``after(base, morning, load)``: the new anchors after a session with ``load``
  (``reserve_min``, ``impulse``, ``backward_min`` per person, and ``dose_impulse`` for a
  course with its own weighting, :attr:`Course.weight`).

>>> base = {k: np.array([v]) for k, v in dict(vo2max0=30.0, sedentary=30.0, age=45.0,
...         held=False, female=False, hr_rest0=72.0, sbp0=140.0, dbp0=90.0, berg0=50.0,
...         response=1.0).items()}
>>> load = {k: np.array([v]) for k, v in dict(reserve_min=15.0, impulse=25.0,
...         backward_min=0.0, dose_impulse=12.0).items()}
>>> for name, course in TRAINING_MODELS.items():
...     a = course.function.start(base)
...     for _ in range(36):
...         a = course.function.after(base, course.function.morning(base, a, 2.33), load)
...     print(name, round(float(course.function.morning(base, a, 2.33)["vo2max"][0]), 1))
dose-response 33.4
dose-response-saturating 33.4
dose-response-threshold 32.5
dose-response-split-pressure 32.5
hickson-1981 33.7
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from retrosim.physiology import dose_response as dr
from retrosim.physiology import rest_pressure as rp
from retrosim.physiology import training, vo2_kinetics
from retrosim.physiology.registry import Model

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Course:
    """One programme model: its three steps (module docstring). Called, it is ``morning``.

    ``weight`` : the model's own impulse per minute at a fraction of the reserve,
    ``weight(frac, female)``, when it differs from Banister's weighting
    (:func:`retrosim.physiology.dose_response.trimp_weight` with the default constants);
    the session's load then also holds ``dose_impulse``, those minutes weighted by it.
    """

    start: Callable[[Arrays], Arrays]
    morning: Callable[[Arrays, Arrays, np.ndarray], Arrays]
    after: Callable[[Arrays, Arrays, Arrays], Arrays]
    weight: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def __call__(self, base: Arrays, anchor: Arrays, since: np.ndarray) -> Arrays:
        return self.morning(base, anchor, since)


def _hickson_start(base: Arrays) -> Arrays:
    zero = np.zeros_like(base["vo2max0"], dtype=float)
    fall = training.cornelissen_smart_fall(base["sbp0"], base["dbp0"])
    return {"practice": zero, "gain": zero, "adaptation": zero,
            "sbp_fall": fall[0], "dbp_fall": fall[1]}


def _hickson_morning(base: Arrays, anchor: Arrays, since: np.ndarray) -> Arrays:
    practice = training.practice_fade(anchor["practice"], since)
    gain = training.hickson_gain_decay(anchor["gain"], since)
    adapted = training.meredith_decay(anchor["adaptation"], since)
    return {"vo2max": base["vo2max0"] * (1.0 + gain),
            "hr_rest": training.kim_hr_rest(base["hr_rest0"], gain),
            "sbp_rest": base["sbp0"] - anchor["sbp_fall"] * adapted,
            "dbp_rest": base["dbp0"] - anchor["dbp_fall"] * adapted,
            "berg": training.chen_berg(base["berg0"], practice),
            "backward_practice": practice, "_gain": gain, "_adaptation": adapted}


def _hickson_after(base: Arrays, morning: Arrays, load: Arrays) -> Arrays:
    return {"practice": morning["backward_practice"] + load["backward_min"],
            "gain": training.hickson_gain_after_session(morning["_gain"], load["reserve_min"],
                                                        base["response"]),
            "adaptation": training.meredith_after_session(morning["_adaptation"]),
            "sbp_fall": morning["_sbp_fall"], "dbp_fall": morning["_dbp_fall"]}


def _dose_course(params: dr.DoseParameters, pressure: rp.RestPressureParameters | None = None
                 ) -> Course:
    """The dose-response course with the constants ``params``.

    With an intensity floor, VO2max follows the sessions' ``dose_impulse`` (weighted by
    :func:`dr.trimp_weight` with ``params``) and its own recent load (``dose_load``), while
    resting pressure keeps following Banister's ``impulse``: the fall of resting pressure with
    training differs little by intensity (Cornelissen & Smart 2013). With ``pressure``,
    systolic and diastolic pressure each keep their own share of the fall, with the rates of
    :mod:`retrosim.physiology.rest_pressure` for the diastolic one; without it they share one."""
    floored = params.intensity_floor > 0.0
    dbp_params = None if pressure is None else rp.diastolic(params, pressure)

    def start(base: Arrays) -> Arrays:
        top = dr.ceiling(base["age"], base["response"], params)
        vbase, fast, slow = dr.entry_state(base["vo2max0"], base["sedentary"], top,
                                           base["held"])
        fall = dr.bp_full_fall(base["sbp0"], base["dbp0"], params)
        zero = np.zeros_like(fast)
        shares = ({"sbp_adaptation": zero, "dbp_adaptation": zero} if pressure is not None
                  else {"adaptation": zero})
        return {"practice": zero, "fast": fast, "slow": slow, **shares, "top": top,
                "load": zero, **({"dose_load": zero} if floored else {}),
                "vbase": vbase, "trained0": fast + slow, "sbp_fall": fall[0],
                "dbp_fall": fall[1]}

    def morning(base: Arrays, anchor: Arrays, since: np.ndarray) -> Arrays:
        practice = training.practice_fade(anchor["practice"], since)
        fast, slow = dr.vo2max_decay(anchor["fast"], anchor["slow"], since, params)
        if dbp_params is not None:
            sbp_share = dr.bp_decay(anchor["sbp_adaptation"], since, params)
            dbp_share = dr.bp_decay(anchor["dbp_adaptation"], since, dbp_params)
            shares = {"_sbp_adaptation": sbp_share, "_dbp_adaptation": dbp_share}
        else:
            sbp_share = dbp_share = dr.bp_decay(anchor["adaptation"], since, params)
            shares = {"_adaptation": sbp_share}
        trained = fast + slow
        out = {"vo2max": anchor["vbase"] + trained,
               "hr_rest": dr.hr_rest(base["hr_rest0"], trained - anchor["trained0"], params),
               "sbp_rest": base["sbp0"] - anchor["sbp_fall"] * sbp_share,
               "dbp_rest": base["dbp0"] - anchor["dbp_fall"] * dbp_share,
               "berg": training.chen_berg(base["berg0"], practice),
               "backward_practice": practice, "_fast": fast, "_slow": slow, **shares,
               "_load": dr.recent_load_decay(anchor["load"], since, params)}
        if floored:
            out["_dose_load"] = dr.recent_load_decay(anchor["dose_load"], since, params)
        return out

    def after(base: Arrays, morning: Arrays, load: Arrays) -> Arrays:
        effect = dr.session_effect(load["impulse"], params, morning["_load"])
        dose = (dr.session_effect(load["dose_impulse"], params, morning["_dose_load"])
                if floored else effect)
        fast, slow = dr.vo2max_after_session(morning["_fast"], morning["_slow"],
                                             morning["_top"], dose, params)
        if dbp_params is not None:
            shares = {
                "sbp_adaptation": dr.bp_after_session(morning["_sbp_adaptation"], effect, params),
                "dbp_adaptation": dr.bp_after_session(morning["_dbp_adaptation"], effect,
                                                      dbp_params)}
        else:
            shares = {"adaptation": dr.bp_after_session(morning["_adaptation"], effect, params)}
        new = {"practice": morning["backward_practice"] + load["backward_min"],
               "fast": fast, "slow": slow, "load": morning["_load"] + load["impulse"],
               **shares, "top": morning["_top"], "vbase": morning["_vbase"],
               "trained0": morning["_trained0"], "sbp_fall": morning["_sbp_fall"],
               "dbp_fall": morning["_dbp_fall"]}
        if floored:
            new["dose_load"] = morning["_dose_load"] + load["dose_impulse"]
        return new

    def weight(frac: np.ndarray, female: np.ndarray) -> np.ndarray:
        return dr.trimp_weight(frac, female, params)

    return Course(start, _carry(morning, "top", "vbase", "trained0", "sbp_fall", "dbp_fall"),
                  after, weight if floored else None)


def _carry(morning: Callable[[Arrays, Arrays, np.ndarray], Arrays], *keys: str
           ) -> Callable[[Arrays, Arrays, np.ndarray], Arrays]:
    """``morning`` that also hands the anchors ``keys`` (constant per person) on as ``_key``."""
    def inner(base: Arrays, anchor: Arrays, since: np.ndarray) -> Arrays:
        return {**morning(base, anchor, since), **{f"_{k}": anchor[k] for k in keys}}
    return inner


def _with_kinetics(course: Course) -> Course:
    """``course`` that also carries the speeding of VO2 kinetics (``speeding`` anchor,
    ``vo2_speeding`` each morning; :mod:`retrosim.physiology.vo2_kinetics`), moved by the
    session's training effect (:func:`retrosim.physiology.dose_response.session_effect`)."""
    def start(base: Arrays) -> Arrays:
        return {**course.start(base), "speeding": np.zeros_like(base["vo2max0"], dtype=float)}

    def morning(base: Arrays, anchor: Arrays, since: np.ndarray) -> Arrays:
        return {**course.morning(base, anchor, since),
                "vo2_speeding": vo2_kinetics.speeding_decay(anchor["speeding"], since)}

    def after(base: Arrays, morning: Arrays, load: Arrays) -> Arrays:
        return {**course.after(base, morning, load),
                "speeding": vo2_kinetics.speeding_after_session(
                    morning["vo2_speeding"], dr.session_effect(load["impulse"]))}
    return Course(start, morning, after, course.weight)


HICKSON = _with_kinetics(Course(_hickson_start, _carry(_hickson_morning, "sbp_fall", "dbp_fall"),
                                 _hickson_after))
DOSE_RESPONSE = _with_kinetics(_dose_course(dr.DOSE))
SATURATING = _with_kinetics(_dose_course(dr.SATURATING))
THRESHOLD = _with_kinetics(_dose_course(dr.THRESHOLD))
SPLIT_PRESSURE = _with_kinetics(_dose_course(dr.THRESHOLD, rp.SPLIT))

#: The sources of ``dose-response-threshold``, which the models built on it cite too.
_THRESHOLD_SOURCES = (
    "Morton RH et al. (1990) J Appl Physiol 69:1171 (intensity weighting)",
    "Swain DP, Franklin BA (2002) Med Sci Sports Exerc 34:152 (minimal intensity)",
    "Huang G et al. (2016) Eur J Prev Cardiol 23:518 (gain by intensity, older adults)",
    "Busso T (2003) Med Sci Sports Exerc 35:1188 (recent load changes the response)",
    "Hickson RC et al. (1981) Med Sci Sports Exerc 13:17 (fast time constant)",
    "Mujika I, Padilla S (2001) Med Sci Sports Exerc 33:413 (loss of recent gains)",
    "Coyle EF et al. (1984) J Appl Physiol 57:1857 (fast and slow detraining)",
    "Bouchard C et al. (1999) J Appl Physiol 87:1003 (absolute gains, their spread)",
    "Church TS et al. (2007) JAMA 297:2081 (DREW: gains at 50 % of peak VO2)",
    "Cornelissen VA, Smart NA (2013) J Am Heart Assoc 2:e004473 (BP by baseline)",
    "Meredith IT et al. (1990) J Hypertens 8:859 (BP time course and its loss)")

_COMMON_CAVEAT = ("Balance follows backward practice alone; muscle strength, pain, body "
                  "weight and the fatigue term of impulse-response models are not modelled.")
#: Programme models by name (``[program] model``).
TRAINING_MODELS = {
    "dose-response": Model(
        DOSE_RESPONSE,
        ("Morton RH et al. (1990) J Appl Physiol 69:1171 (intensity weighting)",
         "Busso T (2003) Med Sci Sports Exerc 35:1188 (recent load changes the response)",
         "Hickson RC et al. (1981) Med Sci Sports Exerc 13:17 (fast time constant)",
         "Mujika I, Padilla S (2001) Med Sci Sports Exerc 33:413 (loss of recent gains)",
         "Coyle EF et al. (1984) J Appl Physiol 57:1857 (fast and slow detraining)",
         "Bouchard C et al. (1999) J Appl Physiol 87:1003 (absolute gains, their spread)",
         "Cornelissen VA, Smart NA (2013) J Am Heart Assoc 2:e004473 (BP by baseline)",
         "Meredith IT et al. (1990) J Hypertens 8:859 (BP time course)"),
        "training impulse by intensity relative to reserve, duration and frequency, concave "
        "in the session and the recent load, towards an absolute age-dependent ceiling; a "
        "fast compartment consolidated into a slow one, so gains rise for months",
        "The dose-response constants (DoseParameters) are fits, and the recent-load and "
        "consolidation forms, the practice fade, the pressure's hold and loss and the Berg "
        "practice scale are assumptions. The level of DREW's gains at 50 % of a low peak VO2 "
        "(Church et al. 2007) comes out two to three times too high. " + _COMMON_CAVEAT),
    "dose-response-saturating": Model(
        SATURATING,
        ("Morton RH et al. (1990) J Appl Physiol 69:1171 (intensity weighting)",
         "Hickson RC et al. (1981) Med Sci Sports Exerc 13:17 (fast time constant)",
         "Coyle EF et al. (1984) J Appl Physiol 57:1857 (fast and slow detraining)",
         "Bouchard C et al. (1999) J Appl Physiol 87:1003 (absolute gains, their spread)",
         "Cornelissen VA, Smart NA (2013) J Am Heart Assoc 2:e004473 (BP by baseline)",
         "Meredith IT et al. (1990) J Hypertens 8:859 (BP time course)"),
        "the first dose-response constants: each session's effect saturates at 20 impulse "
        "units and the slow compartment fills over years",
        "A gain at a constant dose is complete within about eight weeks, and at equal weekly "
        "minutes frequent short sessions win by nearly double (the per-session saturation, "
        "an assumption). The constants (dose_response.SATURATING) are fits; the practice "
        "fade, the pressure's hold and loss and the Berg practice scale are assumptions. "
        + _COMMON_CAVEAT),
    "dose-response-threshold": Model(
        THRESHOLD, _THRESHOLD_SOURCES,
        "the dose-response model with an intensity floor: minutes below a quarter of the "
        "reserve add nothing to the impulse, so long easy sessions no longer make up for "
        "intensity through their length",
        "The floor (0.25 of the reserve) was chosen with DREW's gains in view, so DREW's "
        "level calibrates it; the other dose-response constants (dose_response.THRESHOLD) "
        "are fits, and the recent-load and consolidation forms, the practice fade, the "
        "pressure's hold and loss and the Berg practice scale are assumptions. "
        + _COMMON_CAVEAT),
    "dose-response-split-pressure": Model(
        SPLIT_PRESSURE,
        (*_THRESHOLD_SOURCES,
         "Kiernan PA et al. (2024) J Cardiovasc Dev Dis 11:42 (SBP by week 3, DBP by 10)"),
        "dose-response-threshold with systolic and diastolic resting pressure each on its "
        "own course: the systolic fall is reached within a few sessions, the diastolic over "
        "about ten weeks; both are lost within weeks of stopping",
        "The diastolic rate rests on one study of the post-exercise fall in 10 hypertensive "
        "responders (Kiernan et al. 2024), read as resting pressure; Meredith et al. (1990) "
        "found the whole fall within a month in normotensives. The loss on stopping is the "
        "same for both pressures (an assumption). Otherwise as dose-response-threshold: the "
        "floor was chosen with DREW's gains in view, the other constants are fits, and the "
        "recent-load and consolidation forms, the practice fade and the Berg practice scale "
        "are assumptions. " + _COMMON_CAVEAT),
    "hickson-1981": Model(
        HICKSON,
        ("Hickson RC et al. (1981) Med Sci Sports Exerc 13:17 (one time constant)",
         "Murtagh EM et al. (2015) Prev Med 72:34 (walking programmes)",
         "Cornelissen VA, Smart NA (2013) J Am Heart Assoc 2:e004473 (BP by category)",
         "Meredith IT et al. (1990) J Hypertens 8:859 (BP time course)"),
        "saturating reserve-minute load, gain a fraction of entry VO2max, one time constant",
        "Gains and losses follow one time constant whatever the dose's intensity, and the "
        "gain is a fraction of the entry VO2max (TrainingParameters); the practice fade, the "
        "pressure's hold and loss and the Berg practice scale are assumptions. "
        + _COMMON_CAVEAT),
}
DEFAULT_TRAINING_MODEL = "dose-response-threshold"


def course(name: str) -> Course:
    """The :class:`Course` registered as ``name``.

    >>> course("dose-response") is DOSE_RESPONSE, course(DEFAULT_TRAINING_MODEL) is THRESHOLD
    (True, True)
    """
    found = TRAINING_MODELS[name].function
    assert isinstance(found, Course)
    return found
