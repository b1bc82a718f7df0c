"""A published training cohort as its members, for ``retrosim validate --coverage``.

A published spread of VO2max gains [mL/min] is a spread over the members of a cohort: women of
different age, mass and VO2max, each trained at her own prescribed intensity for her own dose.
:class:`PublishedCohort` describes such a group: its baseline distributions
(:class:`Baseline`, a normal of the published mean and SD, kept inside the study's inclusion
limits) and its prescription (a share of each member's own VO2max, a weekly dose in kcal per kg
of body mass). :func:`members` draws the members, the same women for every group of a study
(their draws are keyed by member number alone, so two doses compare the same people);
:func:`walk` gives each her treadmill speed and minutes and walks her through the programme.

The prescription, member by member (DREW: "the heart rate associated with 50 % of each
woman's peak VO2", each group's weekly kcal/kg; Church et al. 2007):

- **speed** (:func:`prescribed_speed_mph`): the treadmill step (0.1 mph, level, forward)
  whose gross VO2 by the run's energy model (``[energy] model``, the project's default
  ``continuous``), with the walking-cost person term of her age (``[energy] walking_cost``),
  is nearest the share of her VO2max; a member whose share lies below the
  cost of the slowest walking speed walks that speed;
- **minutes** (:func:`weekly_minutes`): the weekly dose at that step's kcal per minute per kg
  (the same person term; :func:`retrosim.physiology.energy.kcal_per_min`: MET x 3.5
  mL/kg/min x 5 kcal per L O2), shared by the sessions of a week, so a fitter woman walks
  faster and for fewer minutes; where the study reports its mean weekly minutes, its kcal
  are scaled to give them.

Members are walked as plausible versions of themselves
(:meth:`retrosim.Simulation.programme_versions` with the members as the base: her HRmax
predicted from her own age, the model errors drawn), each with her own response to
training. Members who share a speed share a session, so the programme runs once per speed
step used.

DREW's groups (:data:`DREW`) and what of them is read or assumed are set out at
:data:`DREW_MINUTES`. Sources (full entries in ``docs/references.md``):

- Church TS, Earnest CP, Skinner JS, Blair SN (2007). JAMA 297:2081-2091;
  doi:10.1001/jama.297.19.2081 (DREW; abstract read: baseline peak VO2 1.30 +/- 0.25 L/min,
  72.2 +/- 12.3, 135.8 +/- 19.5 and 191.7 +/- 33.7 min a week, intensity the heart rate of
  50 % of each woman's peak VO2).
- Sisson SB et al. (2009). Med Sci Sports Exerc 41:539-545; doi:10.1249/MSS.0b013e3181896c4e
  (women of 45-75 y; abstract read).
- Ross R et al. (2019). Br J Sports Med 53:1141-1153, Table 1 (each group's age and VO2max).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from retrosim import randomness
from retrosim.api import Simulation
from retrosim.model.people import Cohort
from retrosim.model.protocol import SPEED_LIMITS_MPS
from retrosim.model.scenario import Scenario
from retrosim.model.subject import LIMITS
from retrosim.physiology import energy, walking_cost
from retrosim.units import MPS_PER_MPH, VO2_PER_MET, mph_to_mps

#: The treadmill's speed step [mph] a prescribed speed is set in.
SPEED_STEP_MPH = 0.1


@dataclasses.dataclass(frozen=True)
class Baseline:
    """A published baseline distribution: normal with ``mean`` and ``sd``, kept inside
    ``[low, high]`` (a study's inclusion limits) by truncation, not by clipping."""

    mean: float
    sd: float
    low: float = -np.inf
    high: float = np.inf

    def quantile(self, z: ArrayLike) -> np.ndarray:
        """The value at the standard-normal deviate ``z``: the truncated normal's quantile at
        ``Phi(z)``, so one draw of ``z`` per member gives the distribution exactly.

        >>> Baseline(10.0, 2.0).quantile([-1.0, 0.0, 1.0]).tolist()
        [8.0, 10.0, 12.0]
        >>> Baseline(10.0, 2.0, 10.0, 14.0).quantile([-8.0, 8.0]).round(6).tolist()
        [10.0, 14.0]
        """
        a, b = special.ndtr((self.low - self.mean) / self.sd), special.ndtr(
            (self.high - self.mean) / self.sd)
        u = a + special.ndtr(np.asarray(z, dtype=float)) * (b - a)
        return np.asarray(self.mean + self.sd * special.ndtri(u), dtype=float)


@dataclasses.dataclass(frozen=True)
class PublishedCohort:
    """A published training group as its members: ``sex``, baseline distributions of age
    [yr], body mass [kg] and absolute VO2max [mL/min] (mass and absolute VO2max correlated
    ``mass_vo2max_correlation``, in their normal deviates), and the prescription: level
    forward walking at ``intensity_frac`` of each member's own VO2max for ``kcal_kg_week``
    kcal per kg of body mass a week. The kcal are the energy model's gross kcal unless the
    study's mean weekly minutes ``minutes_week`` are given: then the study's own accounting
    of the kcal is taken as proportional to the model's, its scale such that the members walk
    those minutes on average (each still for minutes inversely proportional to her own cost,
    :func:`weekly_minutes`)."""

    sex: str
    age_yr: Baseline
    mass_kg: Baseline
    vo2max_ml_min: Baseline
    intensity_frac: float
    kcal_kg_week: float
    mass_vo2max_correlation: float = 0.0
    minutes_week: float | None = None


def members(cohort: PublishedCohort, seed: int, count: int) -> dict[str, np.ndarray]:
    """``count`` members' age [yr], mass [kg] and VO2max [mL/kg/min]: each trait a
    :meth:`Baseline.quantile` of a standard normal keyed by the trait and the member's number
    (the same women for every group drawn with the same seed), absolute VO2max and mass drawn
    apart and their ratio kept inside the subject's limits of VO2max.

    >>> c = PublishedCohort("female", Baseline(57.0, 6.5, 45.0, 75.0), Baseline(84.0, 12.0),
    ...                     Baseline(1300.0, 250.0), 0.5, 8.0)
    >>> m = members(c, 0, 4000)
    >>> bool(45.0 <= m["age_yr"].min() and m["age_yr"].max() <= 75.0)
    True
    >>> bool(abs(np.mean(m["vo2max_ml_kg_min"] * m["mass_kg"]) - 1300.0) < 20.0)
    True
    """
    index = np.arange(count)

    def z(trait: str) -> np.ndarray:
        return randomness.normal(seed, randomness.key("coverage", "cohort", trait), index,
                                 1)[:, 0]

    z_mass, rho = z("mass_kg"), cohort.mass_vo2max_correlation
    mass = cohort.mass_kg.quantile(z_mass)
    z_vo2max = rho * z_mass + np.sqrt(1.0 - rho ** 2) * z("vo2max")
    low, high, _ = LIMITS["vo2max_ml_kg_min"]
    vo2max = np.clip(cohort.vo2max_ml_min.quantile(z_vo2max) / mass, low, high)
    return {"age_yr": cohort.age_yr.quantile(z("age_yr")), "mass_kg": mass,
            "vo2max_ml_kg_min": vo2max}


def prescribed_speed_mph(vo2_ml_kg_min: ArrayLike, model: str,
                         net_factor: ArrayLike = 1.0) -> np.ndarray:
    """The treadmill step [mph] of level forward walking whose gross VO2 by energy model
    ``model`` is nearest ``vo2_ml_kg_min``, between the slowest and the fastest walking
    speed a stage allows (below the slowest step's cost, the slowest step). ``net_factor``
    (like ``vo2_ml_kg_min``) scales each walker's net MET: the walking-cost person term of her
    age (:func:`retrosim.physiology.walking_cost.person_factor`), so the step is the one that
    gives her the prescribed uptake in a run.

    >>> prescribed_speed_mph([7.7, 1.0], "continuous").tolist()
    [1.6, 0.5]
    """
    low, high = SPEED_LIMITS_MPS[1]
    steps = np.arange(np.ceil(low / MPS_PER_MPH / SPEED_STEP_MPH),
                      np.floor(high / MPS_PER_MPH / SPEED_STEP_MPH) + 1) * SPEED_STEP_MPH
    steps = np.round(steps, 1)
    met = np.asarray(energy.ENERGY_MODELS[model](mph_to_mps(steps), 0.0, 1.0), dtype=float)
    target = np.asarray(vo2_ml_kg_min, dtype=float)
    factor = np.broadcast_to(np.asarray(net_factor, dtype=float), target.shape).reshape(-1, 1)
    cost = VO2_PER_MET * (1.0 + (met[None, :] - 1.0) * factor)
    return steps[np.argmin(np.abs(cost - target.reshape(-1, 1)), axis=1)].reshape(
        target.shape)


def weekly_minutes(speed_mph: ArrayLike, kcal_kg_week: float, model: str,
                   mean_minutes: float | None = None, net_factor: ArrayLike = 1.0
                   ) -> np.ndarray:
    """Minutes a week for ``kcal_kg_week`` kcal per kg of level forward walking at each of
    ``speed_mph``, at the energy model's gross kcal
    (:func:`retrosim.physiology.energy.kcal_per_min`); with ``mean_minutes``, the kcal
    rescaled so that the minutes average ``mean_minutes`` (a study's own accounting of its
    dose, proportional to the model's); ``net_factor`` scales the net MET as in
    :func:`prescribed_speed_mph`.

    >>> round(float(weekly_minutes(1.6, 8.0, "continuous")), 1)   # 2.2 MET
    206.1
    >>> weekly_minutes([1.6, 1.6], 8.0, "continuous", 135.8).round(1).tolist()
    [135.8, 135.8]
    """
    met = 1.0 + (energy.ENERGY_MODELS[model](mph_to_mps(speed_mph), 0.0, 1.0) - 1.0) * \
        np.asarray(net_factor, dtype=float)
    minutes = np.asarray(kcal_kg_week / energy.kcal_per_min(met, 1.0), dtype=float)
    return minutes if mean_minutes is None else minutes * (mean_minutes / np.mean(minutes))


def _take(people: Cohort, rows: np.ndarray) -> Cohort:
    return Cohort(**{f.name: getattr(people, f.name)[rows] for f in dataclasses.fields(Cohort)})


def walk(cohort: PublishedCohort, program: dict[str, Any], seed: int, count: int
         ) -> dict[str, np.ndarray]:
    """``count`` members of ``cohort`` walk ``program`` (a [program] table) at their own
    prescription, each as a plausible version of herself: each member's true VO2max [mL/min]
    before and after (``before``, ``after``), her prescribed ``speed_mph`` and
    ``minutes`` a session, and her ``mass_kg``, ``age_yr`` and baseline
    ``vo2max_ml_kg_min``. The scenario's subject is the cohort's typical member (its means:
    she gives the traits not drawn, the same for all); with ``minutes_week``, a member's
    minutes depend on the others' (their mean is the study's)."""
    drawn = members(cohort, seed, count)
    typical = {"mass_kg": cohort.mass_kg.mean, "age_yr": cohort.age_yr.mean,
               "vo2max_ml_kg_min": cohort.vo2max_ml_min.mean / cohort.mass_kg.mean,
               "sex": cohort.sex}
    document = {"name": "coverage", "seed": seed, "subject": typical,
                "falls": {"model": "none"}, "program": dict(program),
                "arms": {"a": {"stages": ["rest for 1 min"]}}}
    template = Scenario.from_dict(document)
    base = dataclasses.replace(Cohort.from_subject(template.subject, count), **drawn)
    model = template.energy.model
    factor = walking_cost.person_factor(template.energy.walking_cost, model, drawn["age_yr"])
    speed = prescribed_speed_mph(cohort.intensity_frac * drawn["vo2max_ml_kg_min"], model,
                                 factor)
    minutes = weekly_minutes(speed, cohort.kcal_kg_week, model, cohort.minutes_week,
                             factor) / int(program["sessions_per_week"])
    vo2max = np.empty((count, 2))
    for step in np.unique(speed):
        rows = np.flatnonzero(speed == step)
        stage = {"direction": "forward", "speed_mph": float(step), "grade_pct": 0.0,
                 "duration_min": float(minutes[rows[0]])}
        scenario = Scenario.from_dict({**document, "arms": {"a": {"stages": [stage]}}})
        ds = Simulation(scenario, seed=seed).programme_versions(rows.size, _take(base, rows))
        v = ds.vo2max.isel(arm=0).values.astype(float)[1:]
        vo2max[rows] = v[:, [0, -1]] * drawn["mass_kg"][rows, None]
    return {"before": vo2max[:, 0], "after": vo2max[:, 1], "speed_mph": speed,
            "minutes": minutes, **drawn}


#: DREW's weekly minutes, mean and SD, by dose [kcal/kg a week] (Church et al. 2007). DREW's
#: women: age 45-75 y (Sisson et al. 2009); body mass 84 kg (1.30 L/min at 15.4 mL/kg/min),
#: kept inside the BMI inclusion range 25-43 at the cohort's BMI of 32 (height^2 = 84 / 32
#: m^2); absolute VO2max of SD 250 mL/min (Church et al. 2007: 1.30 +/- 0.25 L/min over all
#: 464 women). Assumed, not read: the SDs of age (6.5 y) and mass (12 kg), each group's mass
#: (84 kg) and its SD of VO2max (the whole cohort's); the correlation of mass and absolute
#: VO2max is chosen from these minutes (:func:`_drew_correlation`).
DREW_MINUTES = {4: (72.2, 12.3), 8: (135.8, 19.5), 12: (191.7, 33.7)}
_DREW_AGE_SD, _DREW_MASS, _DREW_MASS_SD, _DREW_VO2MAX_SD = 6.5, 84.0, 12.0, 250.0
_DREW_HEIGHT2 = 84.0 / 32.0


def _drew_correlation() -> float:
    """The correlation of mass and absolute VO2max that gives relative VO2max the spread of
    DREW's weekly minutes: at a fixed share of her own VO2max for a fixed kcal per kg, a
    woman's minutes are inversely proportional to her relative VO2max, so their coefficients
    of variation agree (to first order, ``cv_rel^2 = cv_abs^2 + cv_mass^2 - 2 r cv_abs
    cv_mass``).

    >>> round(_drew_correlation(), 2)
    0.56
    """
    cv_minutes = float(np.mean([sd / mean for mean, sd in DREW_MINUTES.values()]))
    cv_abs, cv_mass = _DREW_VO2MAX_SD / 1300.0, _DREW_MASS_SD / _DREW_MASS
    return (cv_abs ** 2 + cv_mass ** 2 - cv_minutes ** 2) / (2.0 * cv_abs * cv_mass)


def _drew(age: float, vo2max: float, kcal: int) -> PublishedCohort:
    """A DREW group's women: age [yr] and VO2max [mL/kg/min] the group's (Ross et al. 2019,
    Table 1), 50 % of her own VO2max for ``kcal`` kcal/kg a week, the group's weekly minutes
    (Church et al. 2007)."""
    return PublishedCohort(
        "female", Baseline(age, _DREW_AGE_SD, 45.0, 75.0),
        Baseline(_DREW_MASS, _DREW_MASS_SD, 25.0 * _DREW_HEIGHT2, 43.0 * _DREW_HEIGHT2),
        Baseline(vo2max * _DREW_MASS, _DREW_VO2MAX_SD), 0.5, float(kcal), _drew_correlation(),
        DREW_MINUTES[kcal][0])


#: DREW's three exercise groups (Church et al. 2007) by weekly dose [kcal/kg], as cohorts.
DREW = {4: _drew(58.0, 15.4, 4), 8: _drew(56.7, 14.9, 8), 12: _drew(56.3, 16.1, 12)}
