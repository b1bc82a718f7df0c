"""The recovery check: virtual people with known traits, their recordings, the fit's coverage.

Each virtual person has a mass, age and sex, and traits drawn from the fit's own priors
(:func:`retrosim.fit.person.priors`): when the prior is the population the people come from,
a well-calibrated posterior's 90 % intervals contain the truth in 90 % of people. The person
walks :data:`PROTOCOL` in :class:`retrosim.Simulation` (the full run, not the fit's forward
path, with the default heart-rate kinetics), and the recording is made the way a chest strap
and a treadmill console make one:

- the heart rate lags the heart by a few seconds (uniform 0-5 s), is read with a white error
  (sd :data:`WHITE_SD` bpm) plus a slowly wandering one (AR(1), :data:`AR_RHO` per second,
  stationary sd :data:`AR_SD` bpm), rounded to whole beats, and drops out for
  :data:`DROPOUTS` stretches of 10-40 s;
- the speed is shown to :data:`SPEED_STEP_MPH` (a console set in mph); the grade and
  direction are as the treadmill set them;
- with ``vo2``, a metabolic cart reads the run's oxygen uptake every second, scaled by its
  calibration (log-normal, log-sd ``VO2_CALIBRATION_SD``) and with a white error of
  coefficient of variation ``VO2_READING_CV`` (:mod:`retrosim.fit.person`).

Every draw comes from ``randomness.key("recovery", ...)`` streams keyed by person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from retrosim import randomness
from retrosim.api import Simulation
from retrosim.fit import person as fitting
from retrosim.fit.problem import Posterior
from retrosim.fit.records import Recording
from retrosim.model.options import EnergyOptions
from retrosim.model.scenario import Scenario
from retrosim.model.subject import LIMITS, Subject
from retrosim.physiology import heart
from retrosim.units import mph_to_mps, mps_to_mph

#: The recorded session (about 20 min): rest, three forward levels, backward, recovery.
PROTOCOL = ("rest for 2 min", "walk forward at 2.5 mph for 3 min",
            "walk forward at 3.5 mph for 3 min", "walk forward at 3.5 mph, 8% grade for 3 min",
            "walk backward at 1.5 mph for 3 min", "walk backward at 2 mph, 4% grade for 3 min",
            "rest for 3 min")
WHITE_SD = 2.0
AR_RHO = 0.95
AR_SD = 2.0
DROPOUTS = 3
MAX_LAG_S = 5.0
SPEED_STEP_MPH = 0.1


@dataclass(frozen=True)
class Person:
    subject: Subject                 # what the fit is told: mass, age, sex
    truth: dict[str, float]          # the traits it should recover
    lag_s: float


def person(seed: int, index: int) -> Person:
    """Virtual person ``index``: mass, age, sex and traits drawn from the fit's priors."""
    u = randomness.uniform(seed, randomness.key("recovery", "body"), np.array([index]), 3)[0]
    z = randomness.normal(seed, randomness.key("recovery", "traits"), np.array([index]), 5)[0]
    lag = randomness.uniform(seed, randomness.key("recovery", "lag"), np.array([index]), 1)[0, 0]
    base = Subject(mass_kg=round(50.0 + 50.0 * u[0], 1), age_yr=round(25.0 + 45.0 * u[1]),
                   sex="female" if u[2] < 0.5 else "male")
    truth = {}
    for p, zi in zip(fitting.priors(base, EnergyOptions(), backward=True)[:-1], z, strict=False):
        theta = p.prior_mean + p.prior_sd * zi
        if p.space == "log":
            value = float(np.exp(theta))
        elif p.space == "natural":
            value = float(theta)
        else:
            value = fitting._practice(theta)
        low, high, _ = LIMITS[p.name]
        truth[p.name] = float(np.clip(value, low, high))
    truth["hr_max_bpm"] = max(truth["hr_max_bpm"], truth["hr_rest_bpm"] + 20.0)
    return Person(base, truth, float(MAX_LAG_S * lag))


def recording(seed: int, index: int, who: Person, *, vo2: bool = False,
              energy: dict[str, str] | None = None) -> Recording:
    """``who`` walks :data:`PROTOCOL` in a run (under the ``[energy]`` table ``energy``, the
    default models without one); the recording a strap and a console make (and a metabolic
    cart, with ``vo2``)."""
    # the default heart-rate kinetics (``[energy] hr_kinetics``), which the fit's forward
    # model follows: rising with the person's hr_tau_s, recovering in the two phases of her
    # age and fitness
    doc = {"name": f"virtual-{index}", "seed": seed,
           "subject": {"mass_kg": who.subject.mass_kg, "age_yr": who.subject.age_yr,
                       "sex": who.subject.sex, **who.truth},
           "arms": {"recorded": {"stages": list(PROTOCOL)}}}
    if energy:
        doc["energy"] = energy
    ds = Simulation(Scenario.from_dict(doc)).dataset(intervals=False, trace_step_s=1.0)
    one = ds.isel(arm=0, subject=0)
    keep = np.isfinite(one["speed"].values)
    t = ds["time"].values[keep]
    hr = np.interp(t - who.lag_s, t, one["hr"].values[keep])
    ids = np.array([index])
    white = randomness.normal(seed, randomness.key("recovery", "white"), ids, t.size)[0]
    shocks = randomness.normal(seed, randomness.key("recovery", "wander"), ids, t.size)[0]
    wander = np.empty(t.size)
    wander[0] = AR_SD * shocks[0]
    innovation = AR_SD * np.sqrt(1.0 - AR_RHO ** 2)
    for i in range(1, t.size):
        wander[i] = AR_RHO * wander[i - 1] + innovation * shocks[i]
    hr = np.round(hr + WHITE_SD * white + wander)
    gaps = randomness.uniform(seed, randomness.key("recovery", "dropouts"), ids,
                              2 * DROPOUTS)[0]
    for start, length in zip(gaps[:DROPOUTS], gaps[DROPOUTS:], strict=True):
        first = int(start * (t.size - 40))
        hr[first:first + int(10 + 30 * length)] = np.nan
    speed = mph_to_mps(np.round(mps_to_mph(one["speed"].values[keep]) / SPEED_STEP_MPH)
                       * SPEED_STEP_MPH)
    cart = None
    if vo2:
        draws = randomness.normal(seed, randomness.key("recovery", "cart"), ids, t.size + 1)[0]
        scale = np.exp(fitting.VO2_CALIBRATION_SD * draws[0])
        cart = one["vo2"].values[keep] * scale * (1.0 + fitting.VO2_READING_CV * draws[1:])
    return Recording(f"virtual-{index}", t, hr, speed, one["grade"].values[keep],
                     one["direction"].values[keep], cart)


def coverage(n: int, seed: int = 0, *, vo2: bool = False) -> dict[str, object]:
    """Fit ``n`` virtual people (recorded with a metabolic cart too, with ``vo2``); per trait,
    the share of them whose 90 % interval holds the truth (``coverage``), each person's
    z-score (``z``) and the interval's width in natural units (``width``); the fit times [s].

    The z-score is the normal quantile of the posterior's probability below the truth (the
    probability integral transform, which a mixture and a log or logit space leave
    meaningful): over people from the prior it is standard normal when the posterior is
    calibrated, so its mean shows a bias and its sd a width too small (above 1) or too large.
    """
    hits: dict[str, list[bool]] = {}
    scores: dict[str, list[float]] = {}
    widths: dict[str, list[float]] = {}
    seconds = []
    for i in range(n):
        who = person(seed, i)
        fit = fitting.fit_person(recording(seed, i, who, vo2=vo2), who.subject)
        seconds.append(fit.seconds)
        for key, trait in fit.traits.items():
            hits.setdefault(key, []).append(trait.low <= who.truth[key] <= trait.high)
            scores.setdefault(key, []).append(z_score(fit.posterior, key, who.truth[key]))
            widths.setdefault(key, []).append(trait.high - trait.low)
    return {"coverage": {k: float(np.mean(v)) for k, v in hits.items()},
            "z": {k: np.array(v) for k, v in scores.items()},
            "width": {k: np.array(v) for k, v in widths.items()},
            "people": n, "seconds": np.array(seconds)}


def z_score(post: Posterior, key: str, value: float) -> float:
    """The normal quantile of ``post``'s probability that trait ``key`` is below ``value``."""
    i = [p.name for p in post.parameters].index(key)
    space = post.parameters[i].space
    if space == "log":
        x, sign = float(np.log(value)), 1.0
    elif space == "natural":
        x, sign = float(value), 1.0
    else:                                       # logit of the remaining share: falls as it rises
        w = min(max(float(np.exp(-value / heart.PRACTICE_TAU_MIN)), 1e-12), 1.0 - 1e-12)
        x, sign = float(np.log(w / (1.0 - w))), -1.0
    sd = np.sqrt(post.covs[:, i, i])
    below = float(post.weights @ stats.norm.cdf((x - post.means[:, i]) / sd))
    return sign * float(stats.norm.ppf(min(max(below, 1e-12), 1.0 - 1e-12)))

