"""Fit a person's traits to a recorded session.

The traits the heart rate of a walk informs, each with its prior from what retrosim predicts
when a scenario does not give it (:mod:`retrosim.results.intervals`):

- ``hr_rest_bpm``: log-normal, the one the prediction intervals draw for the person's sex
  (median 70.5 bpm and log-sd 0.157 for a man, 74.2 bpm and 0.144 for a woman, fitted to the
  prevalences of bradycardia and tachycardia in NHANES 1999-2008, Ostchega et al. 2011;
  ``resting_hr.LOGNORMAL``);
- ``vo2max_ml_kg_min``: log-normal around Wasserman's prediction from mass, age and sex
  (``oxygen.wasserman_vo2max``), log-sd the standard error of estimate of 6.6 mL/kg/min over
  that prediction (de Souza e Silva et al. 2018; ``intervals.vo2max_log_sd``);
- ``hr_max_bpm``: normal around the age prediction (``[energy] hr_max``), sd 10.8 bpm (Nes
  et al. 2013);
- ``hr_tau_s``: log-normal around 30 s (McNarry et al. 2012: 30-33 s at moderate intensity),
  log-sd 0.3 (an assumption: a 90 % range of 18-49 s, which spans the oxygen-uptake time
  constants of young to older adults); the on constant: where heart rate falls, the forward
  model recovers with the off constants of ``[energy] hr_kinetics`` for the subject's age and
  fitness (:meth:`retrosim.fit.forward.Walk.tau_off_s`, and with two phases
  :meth:`retrosim.fit.forward.Walk.tau_slow_s`), as a run does;
- ``backward_practice_min`` (a walk with backward stretches only): the share of the novice
  backward excess that remains, ``w = exp(-practice / 335 min)``
  (``heart.backward_excess``), with logit(w) ~ N(0, 1.5) (an assumption: no knowledge of the
  person's practice);
- the sensor's lag behind the heart, a nuisance: normal, 2 +/- 2 s (not written).

A recording with a metabolic cart's oxygen uptake (the CSV's ``vo2_ml_kg_min``) fits it too,
beside the heart rate: a run's VO2 is first order (the time constant from age and fitness,
``oxygen.vo2_time_constant``, not a fitted trait) towards the demand capped at VO2max, so a
walk that reaches VO2max shows it as a plateau, and one that does not bounds it from below.
Each reading's error is white with a known coefficient of variation, :data:`VO2_READING_CV`,
on top of the cart's calibration, a factor common to the session, a nuisance with a log-normal
prior of log-sd :data:`VO2_CALIBRATION_SD` (not written). Unless ``[energy] epoc = "fast"``
a run's VO2 carries EPOC beyond the off-kinetics after each bout of walking, which
this forward path does not: the readings after the first bout's end are left out.

VO2max comes from the heart-rate-to-work relation: the walk's oxygen demand (the energy
model's MET at each speed, grade and direction) sets the steady-state heart rate through
Swain et al. (1994)'s %HRmax-%VO2max relation, so a person whose heart rate rises less for
the same work has the larger VO2max (or HRmax: on a submaximal walk the two are traded
against each other, and the priors separate them). A trait the scenario gives as a plain
value is held fixed; one given as ``{mean, sd}`` (an earlier fit) is its prior. A trait whose
posterior sd is not below :data:`INFORMED` of its prior sd is reported as not informed and
keeps its prior (it is not written).

References
----------
- Swain DP, Abernathy KS, Smith CS, Lee SJ, Bunn SA (1994). Med Sci Sports Exerc 26:112-116.
- McNarry MA, Kingsley MIC, Lewis MJ (2012). Am J Physiol Regul Integr Comp Physiol 303:R791;
  doi:10.1152/ajpregu.00203.2012.
- Hansen JE, Sue DY, Wasserman K (1984). Am Rev Respir Dis 129:S49-S55.
- Macfarlane DJ (2001). Automated metabolic gas analysis systems: a review. Sports Med
  31:841-861 (pages recalled).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from retrosim.errors import InputError
from retrosim.fit import forward
from retrosim.fit.problem import Parameter, Posterior, Problem, map_laplace
from retrosim.fit.records import Recording
from retrosim.model.options import EnergyOptions
from retrosim.model.subject import HANDRAIL_LEVELS, Subject
from retrosim.physiology import energy, heart, oxygen, resting_hr
from retrosim.physiology.oxygen import FITNESS_LEVELS
from retrosim.results.intervals import TRAIT_SD, vo2max_log_sd

#: A trait counts as informed when its posterior sd is below this share of its prior sd.
INFORMED = 0.7
HR_TAU_LOG_SD = 0.3
PRACTICE_LOGIT_SD = 1.5
LAG_PRIOR_S = (2.0, 2.0)
#: A metabolic cart's oxygen uptake: each reading's white error [coefficient of variation] and
#: the log-sd of the session's calibration factor. The calibration's 3 % is the accuracy of
#: automated carts against the Douglas bag (Macfarlane 2001: within about 2-3 %); the readings'
#: 5 % is an assumption for breath-by-breath values averaged over a few breaths.
VO2_READING_CV = 0.05
VO2_CALIBRATION_SD = 0.03
#: The fewest cart readings that are fitted.
MIN_VO2_READINGS = 10
#: The traits that can be fitted, in order, and the method that informs each.
TRAITS = ("hr_rest_bpm", "vo2max_ml_kg_min", "hr_max_bpm", "hr_tau_s", "backward_practice_min")
METHOD = ("heart rate against the walk's oxygen demand (energy model, Swain et al. 1994's "
          "%HRmax-%VO2max relation with the backward excess), first-order kinetics; MAP with "
          "a Laplace approximation")


@dataclass(frozen=True)
class Trait:
    """A fitted trait in natural units: posterior mean and sd, the 90 % interval, and whether
    the record informed it (``informed``) or it was held at a given value (``fixed``)."""

    key: str
    mean: float
    sd: float
    low: float
    high: float
    prior_sd_ratio: float
    informed: bool
    fixed: bool = False

    @property
    def status(self) -> str:
        """How the value was reached, in words: held (given), fitted, or its prior kept."""
        return "held (given)" if self.fixed else "fitted" if self.informed else \
            "not informed: prior kept"


@dataclass(frozen=True)
class PersonFit:
    """The fit of a recording: the traits, the posterior, the walk and timings."""

    traits: dict[str, Trait]
    posterior: Posterior
    walk: forward.Walk
    recording: Recording
    subject: Subject
    lag_s: float
    seconds: float
    fixed: dict[str, float]
    warnings: tuple[str, ...] = field(default=())

    @property
    def informed(self) -> list[str]:
        return [k for k, t in self.traits.items() if t.informed and not t.fixed]

    @property
    def not_informed(self) -> list[str]:
        return [k for k, t in self.traits.items() if not t.informed and not t.fixed]

    def subject_table(self) -> dict[str, object]:
        """The fitted traits in the scenario's uncertain form, ``{mean, sd, from = "fit"}``."""
        out: dict[str, object] = {}
        for key in self.informed:
            t = self.traits[key]
            digits = 1 if key != "backward_practice_min" else 0
            out[key] = {"mean": round(float(t.mean), digits),
                        "sd": max(round(float(t.sd), 2), 0.01),
                        "from": "fit"}
        return out

    def predict(self, theta: np.ndarray | None = None, times: np.ndarray | None = None
                ) -> np.ndarray:
        """The model's heart rate at the recording's times (or ``times``), at the MAP or at
        ``theta`` (a point in the fitting space)."""
        model = _model(self.walk, self.posterior.parameters, self.fixed,
                       self.recording.time_s if times is None else times)
        return model(self.posterior.mean if theta is None else theta)


def priors(subject: Subject, options: EnergyOptions, backward: bool) -> list[Parameter]:
    """The prior of every trait the subject does not give as a plain value (module docstring),
    and the sensor lag's."""
    given = subject.uncertain()
    age = np.array([subject.age_yr])
    rest_median, rest_log_sd = resting_hr.LOGNORMAL[subject.sex]
    vo2max = oxygen.wasserman_vo2max(subject.mass_kg, subject.age_yr, subject.sex == "female")
    base = {
        "hr_rest_bpm": Parameter("hr_rest_bpm", math.log(rest_median), rest_log_sd, "log"),
        "vo2max_ml_kg_min": Parameter(
            "vo2max_ml_kg_min", float(np.log(vo2max)), float(vo2max_log_sd(vo2max)), "log"),
        "hr_max_bpm": Parameter("hr_max_bpm", float(heart.HR_MAX_MODELS[options.hr_max](
                                    age, subject.sex == "female")[0]),
                                TRAIT_SD["hr_max_bpm"]),
        "hr_tau_s": Parameter("hr_tau_s", float(np.log(heart.HR_TAU_S)), HR_TAU_LOG_SD, "log"),
        "backward_practice_min": Parameter("backward_practice_min", 0.0, PRACTICE_LOGIT_SD,
                                           "logit-practice"),
    }
    out = []
    for key, p in base.items():
        if key == "backward_practice_min" and not backward:
            continue
        if key in _plain(subject):               # given as a plain value: held fixed
            continue
        if key in given:                         # an earlier fit: its posterior is the prior
            mean, sd = getattr(subject, key), given[key]
            if p.space == "log":
                p = Parameter(key, math.log(mean), sd / mean, "log")
            elif p.space == "natural":
                p = Parameter(key, mean, sd)
            else:
                w = math.exp(-mean / heart.PRACTICE_TAU_MIN)
                w = min(max(w, 1e-3), 1 - 1e-3)
                p = Parameter(key, math.log(w / (1 - w)), min(sd / (heart.PRACTICE_TAU_MIN * (
                    1 - w)), PRACTICE_LOGIT_SD), "logit-practice")
        out.append(p)
    return [*out, Parameter("lag_s", *LAG_PRIOR_S)]


def fit_person(rec: Recording, subject: Subject, options: EnergyOptions | None = None
               ) -> PersonFit:
    """Fit ``subject``'s traits to ``rec`` (which has speed, grade and direction by now)."""
    options = options or EnergyOptions()
    if rec.speed_mps is None:
        raise InputError("speed", "missing: the recording has no speed",
                         "a recording with speed, or --stages FILE", source=rec.source)
    started = time.perf_counter()
    grade = rec.grade_frac if rec.grade_frac is not None else np.zeros(rec.time_s.size)
    direction = rec.direction if rec.direction is not None else np.ones(rec.time_s.size)
    w = forward.walk(rec.time_s, rec.speed_mps, grade, direction, age_yr=subject.age_yr,
                     fitness=subject.fitness, handrail=HANDRAIL_LEVELS.index(subject.handrail),
                     vo2_rest=_vo2_rest(subject, options), options=options)
    params = tuple(priors(subject, options, w.backward))
    fixed = _fixed_values(subject, options)
    cart = _cart(rec, options)
    if cart is not None:
        params = (*params, Parameter("vo2_calibration", 0.0, VO2_CALIBRATION_SD, "log"))
        known = _oxygen_model(w, params, fixed, *cart,
                              tau_vo2_s=float(oxygen.vo2_time_constant(
                                  subject.age_yr, FITNESS_LEVELS.index(subject.fitness))))
    problem = Problem(params, _model(w, params, fixed, rec.time_s), rec.hr_bpm,
                      known if cart is not None else None)
    post = map_laplace(problem, regions=_below_plateau(params, w))
    traits = {}
    for p in params:
        if p.name not in TRAITS:
            continue
        mean, sd = _natural_mean_sd(post, p)
        lo, hi = _interval(post, p)
        ratio = post.shrinkage(p.name)
        traits[p.name] = Trait(p.name, mean, sd, lo, hi, ratio, ratio < INFORMED)
    for key in sorted(_plain(subject)):
        value = fixed[key]
        traits[key] = Trait(key, value, 0.0, value, value, 0.0, False, fixed=True)
    lag = float(post.mean[[p.name for p in params].index("lag_s")])
    return PersonFit(traits, post, w, rec, subject, lag, time.perf_counter() - started,
                     fixed, rec.warnings)


# -- the model as a function of the parameters ----------------------------------------------

def _below_plateau(params: tuple[Parameter, ...], w: forward.Walk
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The walks that stay below VO2max at their highest demand (heart rate never reaches its
    plateau at HRmax) and those that reach it, when both are fitted: below, heart rate
    informs only their relation (a ridge); at the plateau, HRmax itself. :func:`map_laplace`
    keeps a mode on each side."""
    names = [p.name for p in params]
    if not {"vo2max_ml_kg_min", "hr_max_bpm"} <= set(names) or w.demand.size == 0:
        return []
    edge = np.full(len(params), np.inf)
    edge[names.index("vo2max_ml_kg_min")] = float(np.log(np.max(w.demand)))
    return [(np.where(np.isfinite(edge), edge, -np.inf), np.full(len(params), np.inf)),
            (np.full(len(params), -np.inf), edge)]


def _practice(logit_w: float) -> float:
    """Backward practice [min] from the logit of the remaining excess share."""
    w = 1.0 / (1.0 + math.exp(-logit_w))
    return -heart.PRACTICE_TAU_MIN * math.log(w)


def _model(w: forward.Walk, params: tuple[Parameter, ...], fixed: dict[str, float],
           times: np.ndarray):
    names = [p.name for p in params]

    def predict(theta: Sequence[float]) -> np.ndarray:
        v = {**fixed, **{n: float(p.natural(x)) for n, p, x in zip(names, params, theta,
                                                                     strict=True)}}
        practice = v["backward_practice_min"]
        if "backward_practice_min" in names:
            practice = _practice(v["backward_practice_min"])
        hr_max = max(v["hr_max_bpm"], v["hr_rest_bpm"] + 20.0)
        hr = forward.heart_rate(w, v["hr_rest_bpm"], v["vo2max_ml_kg_min"], hr_max,
                                v["hr_tau_s"], practice)
        return forward.at(w, hr, times - v["lag_s"])

    return predict


def _cart(rec: Recording, options: EnergyOptions) -> tuple[np.ndarray, np.ndarray] | None:
    """The cart's readings that are fitted (times [s], VO2), or None: those before the first
    bout's end when EPOC's slow component is on (the module docstring)."""
    if rec.vo2_ml_kg_min is None or rec.speed_mps is None:
        return None
    keep = np.isfinite(rec.vo2_ml_kg_min) & (rec.vo2_ml_kg_min > 0)
    if options.epoc != "fast":
        moving = np.nan_to_num(rec.speed_mps) > 0
        if moving.any():
            first = int(np.argmax(moving))
            stops = np.flatnonzero(~moving[first:])
            if stops.size:
                keep &= rec.time_s <= rec.time_s[first + stops[0]]
    if np.count_nonzero(keep) < MIN_VO2_READINGS:
        return None
    return rec.time_s[keep], rec.vo2_ml_kg_min[keep]


def _oxygen_model(w: forward.Walk, params: tuple[Parameter, ...], fixed: dict[str, float],
                  times: np.ndarray, readings: np.ndarray, *, tau_vo2_s: float
                  ) -> Callable[[np.ndarray], np.ndarray]:
    """The cart's standardised residuals as a function of the parameters."""
    names = [p.name for p in params]
    sd = VO2_READING_CV * readings

    def standardised(theta: np.ndarray) -> np.ndarray:
        v = {**fixed, **{n: float(p.natural(x)) for n, p, x in zip(names, params, theta,
                                                                     strict=True)}}
        vo2 = forward.oxygen_uptake(w, v["vo2max_ml_kg_min"], tau_vo2_s)
        return (readings - v["vo2_calibration"] * forward.at(w, vo2, times)) / sd

    return standardised


def _fixed_values(subject: Subject, opts: EnergyOptions) -> dict[str, float]:
    """Each trait's value when it is not fitted: given, else predicted (the lag: none)."""
    vo2max = subject.vo2max_ml_kg_min or float(oxygen.wasserman_vo2max(
        subject.mass_kg, subject.age_yr, subject.sex == "female"))
    rest = subject.hr_rest_bpm or float(resting_hr.default_hr_rest(subject.sex == "female"))
    return {"hr_rest_bpm": rest, "vo2max_ml_kg_min": vo2max,
            "hr_max_bpm": subject.hr_max_bpm or float(
                heart.HR_MAX_MODELS[opts.hr_max](np.array([subject.age_yr]),
                                                 subject.sex == "female")[0]),
            "hr_tau_s": subject.hr_tau_s or heart.HR_TAU_S,
            "backward_practice_min": subject.backward_practice_min, "lag_s": 0.0,
            "vo2_calibration": 1.0}


def _plain(subject: Subject) -> set[str]:
    """The traits the subject gives as plain values (held fixed); backward practice counts
    as given when it is not the default 0."""
    given = subject.uncertain()
    out = {k for k in TRAITS[:-1] if getattr(subject, k) is not None and k not in given}
    if subject.backward_practice_min > 0 and "backward_practice_min" not in given:
        out.add("backward_practice_min")
    return out


def _vo2_rest(subject: Subject, options: EnergyOptions) -> float:
    if options.resting_rate == "mifflin-st-jeor":
        height = subject.height_cm or {"female": 162.0, "male": 175.0}[subject.sex]
        rmr = energy.mifflin_st_jeor_rmr(subject.mass_kg, height, subject.age_yr,
                                         subject.sex == "female")
        return float(energy.resting_vo2_from_rmr(rmr, subject.mass_kg))
    return float(energy.RESTING_VO2[options.resting_rate])


def _natural_mean_sd(post: Posterior, p: Parameter) -> tuple[float, float]:
    if p.space != "logit-practice":
        return post.natural_mean_sd(p.name)
    i = [q.name for q in post.parameters].index(p.name)
    z, weight = np.polynomial.hermite_e.hermegauss(40)     # Gauss-Hermite quadrature
    weight = weight / weight.sum()
    first = second = 0.0
    for w_mode, m, cov in zip(post.weights, post.means, post.covs, strict=True):
        values = np.array([_practice(x) for x in m[i] + np.sqrt(cov[i, i]) * z])
        first += w_mode * float(weight @ values)
        second += w_mode * float(weight @ values ** 2)
    return first, float(np.sqrt(max(second - first * first, 0.0)))


def _interval(post: Posterior, p: Parameter) -> tuple[float, float]:
    if p.space != "logit-practice":
        return post.interval(p.name)
    lo, hi = post.quantile(p.name, 0.05), post.quantile(p.name, 0.95)
    return _practice(hi), _practice(lo)              # practice falls as w rises
