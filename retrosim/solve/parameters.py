"""Per-subject parameters of the closed forms, derived once from a cohort and its options.

:class:`Physiology` holds them as (N,) arrays; :mod:`retrosim.solve.trajectory` (re-exported
there), :mod:`retrosim.solve.epoc` and the engine read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrosim.model.options import EnergyOptions
from retrosim.model.people import Cohort
from retrosim.physiology import energy, heart, hr_kinetics, oxygen, vo2_kinetics, walking_cost


@dataclass(frozen=True)
class Physiology:
    """Per-subject parameters derived from a cohort, each an (N,) array."""

    mass_kg: np.ndarray
    vo2_rest: np.ndarray      # mL kg-1 min-1
    vo2_max: np.ndarray       # mL kg-1 min-1
    hr_rest: np.ndarray       # min-1
    hr_max: np.ndarray        # min-1
    tau_vo2_s: np.ndarray
    tau_hr_s: np.ndarray      # rising (on)
    handrail: np.ndarray      # support code, energy.HANDRAIL_CODES
    # Set in __post_init__ when not given (None):
    female: np.ndarray = None  # type: ignore[assignment]        # bool (EPOC's slow tau)
    age_yr: np.ndarray = None  # type: ignore[assignment]        # yr (heart-rate drift)
    practice_min: np.ndarray = None  # type: ignore[assignment]  # backward practice [min]
    #: Heart rate's falling (off, recovery) time constant [s]; None: tau_hr_s (symmetric).
    tau_hr_off_s: np.ndarray = None  # type: ignore[assignment]
    #: The slow phase's falling constant [s] of two-phase kinetics (``[energy] hr_kinetics``,
    #: :mod:`retrosim.solve.hr_phases`); None: heart rate is one state.
    tau_hr_slow_s: np.ndarray | None = None
    #: The fast phase's capacity [bpm] of kinetics that split the target by one
    #: (``hr_kinetics.FAST_CAPACITIES``); None: the split of ``hr_kinetics.slow_target``.
    hr_vagal_bpm: np.ndarray | None = None
    #: Multiplicative model errors of one plausible version of the person (1: the central
    #: model; :mod:`retrosim.results.intervals` draws them): net MET, backward HR excess,
    #: EPOC's slow volume, PEH.
    met_scale: np.ndarray = None  # type: ignore[assignment]
    excess_scale: np.ndarray = None  # type: ignore[assignment]
    epoc_scale: np.ndarray = None  # type: ignore[assignment]
    peh_scale: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = self.mass_kg.shape[0]
        for name, value in (("female", False), ("age_yr", 0.0), ("practice_min", 0.0),
                            ("met_scale", 1.0),
                            ("excess_scale", 1.0), ("epoc_scale", 1.0), ("peh_scale", 1.0)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(n, value))
        if self.tau_hr_off_s is None:
            object.__setattr__(self, "tau_hr_off_s", self.tau_hr_s)

    @classmethod
    def of(cls, cohort: Cohort, options: EnergyOptions) -> Physiology:
        if options.resting_rate == "mifflin-st-jeor":
            rmr = energy.mifflin_st_jeor_rmr(cohort.mass_kg, cohort.height_cm, cohort.age_yr,
                                             cohort.female)
            vo2_rest = energy.resting_vo2_from_rmr(rmr, cohort.mass_kg)
        else:
            vo2_rest = np.full(cohort.size, energy.RESTING_VO2[options.resting_rate])
        predicted = oxygen.wasserman_vo2max(cohort.mass_kg, cohort.age_yr, cohort.female)
        vo2_max = np.where(np.isnan(cohort.vo2max_ml_kg_min), predicted,
                           cohort.vo2max_ml_kg_min)
        hr_max = heart.HR_MAX_MODELS[options.hr_max](cohort.age_yr, cohort.female)
        if cohort.hr_max_bpm is not None and not np.isnan(cohort.hr_max_bpm).all():
            hr_max = np.where(np.isnan(cohort.hr_max_bpm), hr_max, cohort.hr_max_bpm)
        tau_hr = np.where(np.isnan(cohort.hr_tau_s), heart.HR_TAU_S, cohort.hr_tau_s)
        return cls(
            mass_kg=cohort.mass_kg, vo2_rest=vo2_rest, vo2_max=vo2_max,
            hr_rest=cohort.hr_rest_bpm, hr_max=hr_max,
            tau_vo2_s=vo2_kinetics.VO2_KINETICS_MODELS[options.vo2_kinetics](
                cohort.age_yr, cohort.fitness, cohort.vo2_speeding),
            tau_hr_s=tau_hr,
            tau_hr_off_s=hr_kinetics.HR_KINETICS_MODELS[options.hr_kinetics](
                tau_hr, cohort.age_yr, cohort.fitness),
            tau_hr_slow_s=hr_kinetics.SLOW_PHASES[options.hr_kinetics](
                tau_hr, cohort.age_yr, cohort.fitness)
            if options.hr_kinetics in hr_kinetics.SLOW_PHASES else None,
            hr_vagal_bpm=hr_kinetics.FAST_CAPACITIES[options.hr_kinetics](cohort.fitness)
            if options.hr_kinetics in hr_kinetics.FAST_CAPACITIES else None,
            handrail=cohort.handrail,
            female=cohort.female, age_yr=cohort.age_yr, practice_min=cohort.backward_practice_min,
            met_scale=cohort.met_scale * walking_cost.person_factor(
                options.walking_cost, options.model, cohort.age_yr),
            excess_scale=cohort.excess_scale,
            epoc_scale=cohort.epoc_scale, peh_scale=cohort.peh_scale,
        )

    def traits(self) -> dict[str, np.ndarray]:
        """The traits a session's result keeps per subject (for %HRmax and %HRR): resting and
        maximal heart rate and VO2max, each (N,)."""
        return {"hr_rest": self.hr_rest, "hr_max": self.hr_max, "vo2_max": self.vo2_max}

    def subset(self, idx: np.ndarray) -> Physiology:
        """The parameters of the subjects at positions ``idx``."""
        values: dict = {name: None if value is None else value[idx]
                        for name, value in vars(self).items()}
        return Physiology(**values)
