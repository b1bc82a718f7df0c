"""How sure a ``[subject]`` run is: 90 % prediction intervals of its summaries.

A person is never known exactly. What the scenario did not give is predicted (VO2max from mass,
age and sex; HRmax from age; resting HR from sex), and each prediction carries its error;
each model carries its error on the published data it rests on. :func:`prediction_intervals`
runs :data:`VERSIONS` plausible versions of the person through every arm at once (one batch on
the subject axis) and takes the 5th and 95th percentiles of each summary:

- traits, only where predicted: VO2max x exp(N(0, s)), s = 6.6 / predicted VO2max
  (mL/kg/min): the standard error of estimate of VO2max from age, sex, body mass and height in
  7,617 adults of the FRIEND registry (de Souza e Silva et al. 2018, Eur J Prev Cardiol
  25:742; R^2 0.62; treadmill and cycle ergometer), carried onto the log scale at the
  person's own prediction (the SD of log VO2max is SEE / VO2max to first order). No standard
  error of the equation retrosim uses (Hansen, Sue & Wasserman 1984) was read; FRIEND's own
  equation fits its own data, so 6.6 is a lower bound for another equation's error there
  (:func:`vo2max_log_sd`); HRmax +
  N(0, 10.8) bpm, the standard error of estimate of HRmax from age in 3,320 healthy adults
  (Nes et al. 2013, Scand J Med Sci Sports 23:697); resting HR from the log-normal of the
  person's sex fitted to the prevalences of bradycardia and tachycardia in NHANES 1999-2008,
  median x exp(N(0, s)): 70.5 bpm and s = 0.157 for men, 74.2 bpm and s = 0.144 for women
  (Ostchega et al. 2011, Natl Health Stat Report 41;
  :func:`retrosim.physiology.resting_hr.nhanes_resting_hr`). The person as given keeps the
  published mean of her sex, 71 or 74 bpm (``resting_hr.default_hr_rest``): 0.5 bpm above
  the versions' median for a man, 0.2 below it for a woman.
  ``retrosim validate --coverage`` (:mod:`retrosim.validation.coverage`) reports how much of
  published between-person distributions these intervals hold;
- models: net MET x exp(N(0, s_E)), s_E the energy model's RMS relative error on the 2011
  Compendium codes (:func:`energy_model_error`; 0 for the 2011 lookup itself); the backward HR
  excess x exp(N(0, 0.24)) (Kim & Choi 2001 and Heath et al. 2001 put the novice excess at
  about 10-22 bpm: that span as a 90 % range); EPOC's slow volume x exp(N(0, 0.13)) (Bahr et
  al. 1987: 15.2 +/- 2.0 %); PEH x exp(N(0, 0.3)) (an assumption: the dose by relative
  intensity rests on three studies that disagree).

The draws are a randomized quasi-Monte Carlo point set (:func:`_normals`), not independent
normals: version ``i`` takes row ``i`` of the unscrambled Sobol' sequence in ``len(_STREAMS)``
dimensions (Sobol' 1967, USSR Comput Math Math Phys 7:86; the direction numbers of Joe & Kuo
2008, SIAM J Sci Comput 30:2635, as ``scipy.stats.qmc.Sobol``), one dimension per stream of
:data:`_STREAMS`, each dimension moved by its own random shift modulo 1 (Cranley & Patterson
1976, SIAM J Numer Anal 13:904: each version's draw stays exactly uniform, so exactly normal
after the inverse distribution function). The versions fill each stream's distribution evenly
(a stream's first ``2**m`` values hold one in each of ``2**m`` equal-probability cells), so the
5th and 95th percentiles of 200 versions sit far nearer the exact ones than those of 200
independent draws: over 200 seeds the RMS error of a standard normal's 5 % and 95 % quantiles
falls from 0.15 to 0.04 SD, and the realized coverage of the exact distribution by the interval
from 89.1 +/- 2.1 % to 89.5 +/- 0.2 % (``bench/bench_interval_error.py``). A quantity of two
streams gains less (their sum: 0.146 to 0.095 SD on average over the pairs; the pair of
dimensions 2 and 8 alone is worse than independent draws, 0.19 SD), one of all nine little
(0.15 to 0.12 SD). The shifts come from the stream ``randomness.key("uncertainty", <stream>)``:
the same seed gives the same intervals whatever ``--subjects`` (versions are numbered by
version, never by the run's subjects), another seed other, independent shifts. Versions walk
without random falls (the fall model's exact risk alone,
:data:`retrosim.events.falls.RISK_ONLY`), so an interval is the physiology's, not the luck of a
session; the exact fall risk gets one too, as the versions' fatigue differs. A value the
scenario gives (``vo2max_ml_kg_min``, ``hr_max_bpm``, ``hr_rest_bpm``) is not drawn, and the
intervals narrow. A trait given with its uncertainty, ``{mean, sd}`` (a person fitted to a
recording, ``retrosim fit``), is drawn as mean + N(0, sd), kept inside the subject's limits:
its sd, not the population's, sets its spread.

A ``[subject]`` programme's versions walk the whole programme once
(:func:`retrosim.results.programme_intervals.programme_intervals`): the fall risk over the
programme and every daily state (``vo2max``, ``hr_rest``, ``sbp_rest``, ...) get their
interval from that one walk, each version with her own response to training.

A ``[cohort]`` run already spreads over people: its summaries' spread is between persons, and
no within-person interval is added (the Dataset's ``uncertainty`` attribute says which).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special
from scipy.stats import qmc

from retrosim import randomness
from retrosim.engine.simulate import run_arm
from retrosim.events import falls
from retrosim.model.people import Cohort
from retrosim.model.subject import LIMITS
from retrosim.physiology import energy, heart, oxygen, resting_hr
from retrosim.physiology.compendium import compendium_rows
from retrosim.results.dataset import VARIABLES
from retrosim.units import mph_to_mps, pct_to_frac

if TYPE_CHECKING:
    import xarray as xr

    from retrosim.model.scenario import Scenario

#: Plausible versions of the person per run.
VERSIONS = 200
QUANTILES = (0.05, 0.95)
INTERVAL = "90% prediction interval"
#: The summaries that get an interval, when the run has them.
OUTCOMES = VARIABLES.select("interval")
#: Prediction errors of traits not given: VO2max in mL/kg/min, the standard error of estimate of
#: FRIEND's equation from age, sex, body mass and height (de Souza e Silva et al. 2018: 6.6),
#: drawn on the log scale (:func:`vo2max_log_sd`); HRmax in bpm, Nes et al. (2013)'s standard
#: error of estimate. Resting HR's spread is by sex, from :mod:`retrosim.physiology.resting_hr`.
TRAIT_SD = {"vo2max_ml_kg_min": 6.6, "hr_max_bpm": 10.8}
#: Log-SDs of the model errors that are not computed from data (see the module docstring).
MODEL_LOG_SD = {"excess": float(np.log(22.0 / 10.0) / (2 * 1.6449)),
                "epoc": oxygen.BAHR_1987_FRACTION_SD / oxygen.BAHR_1987_FRACTION,
                "peh": 0.3}
#: A trait given as {mean, sd}: its stream.
_FITTED_STREAMS = {"vo2max_ml_kg_min": "vo2max", "hr_max_bpm": "hr_max",
                   "hr_rest_bpm": "hr_rest", "hr_tau_s": "hr_tau",
                   "backward_practice_min": "practice"}
#: The drawn quantities, one per dimension of the Sobol' points, in this order forever: stream
#: ``_STREAMS[j]`` takes dimension ``j``, and its shift comes from the random stream
#: ``randomness.key("uncertainty", _STREAMS[j])``. First the streams every run of a person
#: with predicted traits draws: the traits (VO2max, HRmax, resting HR), the energy model's
#: error ("met") and the other model errors (:data:`MODEL_LOG_SD`); then the traits drawn
#: only when fitted with their sd (:data:`_FITTED_STREAMS`). Of the first nine dimensions the
#: pair 2 and 8 (resting HR and practice) is the least even: the sum of its two normals has
#: its 5 % and 95 % quantiles off by 0.19 SD (RMS), more than independent draws' 0.15
#: (``bench/bench_interval_error.py``); so the streams every run draws take the first seven.
#: A new stream is appended at the end, so that no other stream changes dimension.
_TRAITS = tuple(_FITTED_STREAMS.values())
_STREAMS = (*_TRAITS[:3], "met", *MODEL_LOG_SD, *_TRAITS[3:])
_FIRST = 0   # versions are numbered 0 .. VERSIONS - 1: rows of the Sobol' points
#: Where a shifted point falls on 0 exactly (the inverse normal would be infinite), it is
#: moved to the nearest double above 0; 1 is never reached (a remainder modulo 1).
_TINY = 2.0 ** -53


def vo2max_log_sd(predicted_ml_kg_min: ArrayLike) -> np.ndarray:
    """Log-SD of a VO2max predicted from age, sex and size, at the predicted value.

    ``s = SEE / predicted``: the standard error of estimate, 6.6 mL/kg/min (de Souza e Silva
    et al. 2018, FRIEND: 7,617 adults, age, sex, body mass and height; :data:`TRAIT_SD`),
    over the person's own prediction, the SD of log VO2max to first order (delta method). A
    regression's SEE is one number for everyone, so the relative error grows where the
    prediction is low: 0.15 at 44 mL/kg/min, 0.33 at 20. Baynard et al. (2016) found 6.70-6.89
    from age, sex and waist or BMI in the same registry, and noted a bias growing with VO2max;
    how the error spreads at low values was not read.

    >>> vo2max_log_sd([44.0, 20.0]).round(3).tolist()
    [0.15, 0.33]
    """
    return TRAIT_SD["vo2max_ml_kg_min"] / np.asarray(predicted_ml_kg_min, dtype=float)


def energy_model_error(name: str) -> float:
    """RMS relative error of energy model ``name``'s net MET at the 2011 Compendium codes.

    >>> energy_model_error("compendium-2011")
    0.0
    >>> 0.02 < energy_model_error("continuous") < 0.10
    True
    """
    model = energy.ENERGY_MODELS[name]
    rows = [r for r in compendium_rows() if r.edition == 2011]
    met = np.array([float(model(mph_to_mps(r.speed_mph), pct_to_frac(r.grade_pct),
                                -1.0 if r.direction == "backward" else 1.0)) for r in rows])
    published = np.array([r.met for r in rows])
    return float(np.sqrt(np.mean(((met - 1.0) / (published - 1.0) - 1.0) ** 2)))


@functools.lru_cache(maxsize=8)
def _sobol(m: int) -> np.ndarray:
    """The first ``2**m`` unscrambled Sobol' points in ``len(_STREAMS)`` dimensions, (2**m,
    len(_STREAMS)), read-only: a power of 2, so the whole set is a (t, m, s)-net in base 2,
    and the first rows of a larger set are these rows, the same doubles."""
    points = qmc.Sobol(d=len(_STREAMS), scramble=False).random_base2(m)
    points.flags.writeable = False
    return points


def _normals(seed: int, index: np.ndarray) -> dict[str, np.ndarray]:
    """A standard normal per stream of :data:`_STREAMS` for each version of ``index``: row
    ``index`` of the Sobol' points (:func:`_sobol`, as many as cover the largest index),
    each dimension shifted modulo 1 by a uniform of its stream's random stream (row 0 of
    ``randomness.uniform(seed, key("uncertainty", stream), ...)``), through the inverse
    normal distribution function (``scipy.special.ndtri``, what ``scipy.stats.norm.ppf``
    computes). A version's draws depend on the seed and her index alone, never on the other
    versions asked for.

    >>> z = _normals(0, np.arange(256))["hr_max"]      # 256 = 2**8: one in each 1/256 cell
    >>> np.sort(np.floor(256 * special.ndtr(z))).tolist() == list(range(256))
    True
    >>> few = _normals(0, np.array([5, 1]))["peh"]
    >>> bool((few == _normals(0, np.arange(1000))["peh"][[5, 1]]).all())
    True
    """
    index = np.asarray(index, dtype=np.int64)
    need = int(index.max()) + 1 if index.size else 1
    points = _sobol(max(need - 1, 0).bit_length())[index]
    shift = np.array([randomness.uniform(seed, randomness.key("uncertainty", name),
                                         np.zeros(1, dtype=np.int64), 1)[0, 0]
                      for name in _STREAMS])
    u = np.maximum((points + shift) % 1.0, _TINY)
    z = special.ndtri(u)
    return {name: z[:, j] for j, name in enumerate(_STREAMS)}


def versions(scenario: Scenario, seed: int, count: int = VERSIONS,
             base: Cohort | None = None) -> Any:
    """The cohort of ``count`` (default :data:`VERSIONS`) plausible versions of the scenario's
    subject; the first :data:`VERSIONS` are the same whatever ``count``.

    ``base`` (``count`` people) replaces the subject repeated: each version is then a
    plausible version of one of ``base``'s people (the members of a published cohort, each
    with her own age, mass and VO2max), her predictions made from her own traits and her
    draws keyed by her ``index``; what the scenario's subject gives or leaves out still
    decides what is drawn."""
    subject = scenario.subject
    if base is None:
        base = Cohort.from_subject(subject, count, _FIRST)
    elif base.size != count:
        raise ValueError(f"base has {base.size} people, not {count}")
    z = _normals(seed, base.index)
    changes: dict[str, np.ndarray] = {}
    if subject.vo2max_ml_kg_min is None:
        predicted = oxygen.wasserman_vo2max(base.mass_kg, base.age_yr, base.female)
        changes["vo2max_ml_kg_min"] = np.clip(predicted * np.exp(vo2max_log_sd(predicted)
                                                                 * z["vo2max"]), 8.0, 90.0)
    if subject.hr_max_bpm is None:
        predicted = heart.HR_MAX_MODELS[scenario.energy.hr_max](base.age_yr, base.female)
        changes["hr_max_bpm"] = predicted + TRAIT_SD["hr_max_bpm"] * z["hr_max"]
    if subject.hr_rest_bpm is None:
        changes["hr_rest_bpm"] = np.clip(resting_hr.nhanes_resting_hr(base.female,
                                                                      z["hr_rest"]), 40.0, 110.0)
    for key, sd in subject.uncertain().items():      # a fitted trait: its own spread
        low, high, _ = LIMITS[key]
        changes[key] = np.clip(getattr(base, key) + sd * z[_FITTED_STREAMS[key]], low, high)
    if "hr_max_bpm" in changes:            # keep the maximum above rest
        changes["hr_max_bpm"] = np.maximum(changes["hr_max_bpm"],
                                           changes.get("hr_rest_bpm", base.hr_rest_bpm) + 20.0)
    log_sd = {"met": energy_model_error(scenario.energy.model), **MODEL_LOG_SD}
    for name, sd in log_sd.items():
        changes[f"{name}_scale"] = np.exp(sd * z[name])
    changes["responsiveness"] = np.full(count, np.nan)    # each her own response to training
    return dataclasses.replace(base, **changes)


def person_and_versions(scenario: Scenario, seed: int, count: int,
                        base: Cohort | None = None) -> Any:
    """The person as given (subject 0) followed by ``count`` plausible versions of her
    (:func:`versions`, of ``base``'s people where given), as one cohort: the batch a protocol
    search evaluates."""
    person = Cohort.from_subject(scenario.subject, 1, _FIRST)
    if count == 0:
        return person
    return Cohort.concatenate([person, versions(scenario, seed, count, base)])


def risk_only(models: Sequence[Any]) -> list[Any]:
    """``models`` with the fall model's exact risk alone in place of the fall model
    (:data:`retrosim.events.falls.RISK_ONLY`): versions of a person walk without random falls."""
    return [falls.RISK_ONLY if getattr(m, "name", "") == "falls" else m for m in models]


def containing(low: np.ndarray, high: np.ndarray,
                centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``low`` and ``high`` widened where needed to contain ``centre`` (a NaN centre leaves
    them as they are).

    >>> containing(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([0.5, np.nan]))
    (array([0.5, 2. ]), array([3., 4.]))
    """
    known = np.isfinite(centre)
    return (np.where(known, np.minimum(low, centre), low),
            np.where(known, np.maximum(high, centre), high))


def prediction_intervals(scenario: Scenario, seed: int, central: xr.Dataset,
                         models: Sequence[Any]) -> dict[str, np.ndarray]:
    """``<name>_low`` and ``<name>_high`` (arm,) of each summary of :data:`OUTCOMES` in
    ``central``: the 5th and 95th percentiles over the plausible versions, widened where
    needed to contain the central value (subject 0's: the person as given)."""
    quiet = risk_only(models)
    people = versions(scenario, seed)
    out: dict[str, list[float]] = {}
    for arm in scenario.arms.values():
        session = run_arm(arm, scenario, people, seed, models=quiet)
        summary = {**session.trajectory_summary(), **session.summary}
        for name in OUTCOMES:
            if name not in central or name not in summary:
                continue
            values = np.asarray(summary[name], dtype=float)
            centre = float(central[name].sel(arm=arm.name).values.ravel()[0])
            if np.isnan(values).all():
                low = high = np.nan
            else:
                q = np.nanquantile(values, QUANTILES)
                low, high = map(float, containing(q[0], q[1], np.asarray(centre)))
            out.setdefault(f"{name}_low", []).append(float(low))
            out.setdefault(f"{name}_high", []).append(float(high))
    return {name: np.array(v) for name, v in out.items()}


def attach(ds: xr.Dataset, scenario: Scenario, seed: int, models: Sequence[Any]) -> xr.Dataset:
    """``ds`` with the intervals of a ``[subject]`` run as variables on ``arm`` (CF ``units``,
    ``long_name``, ``interval``) and the ``uncertainty`` attribute saying what they are; a
    ``[cohort]`` run gets the attribute only."""
    if scenario.cohort is not None or any(a.cohort is not None for a in scenario.arms.values()):
        ds.attrs["uncertainty"] = ("between-person: the spread over the cohort's subjects; "
                                   "no within-person prediction interval is added")
        return ds
    for name, values in prediction_intervals(scenario, seed, ds, models).items():
        base = name.rsplit("_", 1)[0]
        ds[name] = (("arm",), values)
        ds[name].attrs.update(units=ds[base].attrs.get("units", ""),
                              long_name=f"{ds[base].attrs.get('long_name', base)}, "
                                        f"{'lower' if name.endswith('_low') else 'upper'} "
                                        "bound of the 90% prediction interval",
                              interval=INTERVAL)
    fitted = scenario.subject.uncertain()
    given = [k for k in ("vo2max_ml_kg_min", "hr_max_bpm", "hr_rest_bpm")
             if getattr(scenario.subject, k) is not None and k not in fitted]
    ds.attrs["uncertainty"] = (
        f"within-person: {INTERVAL} over {VERSIONS} plausible versions of the person "
        "(predicted traits and model errors drawn; no random falls); "
        f"measured: {', '.join(given) if given else 'none'}"
        + (f"; with their sd: {', '.join(fitted)}" if fitted else ""))
    return ds
