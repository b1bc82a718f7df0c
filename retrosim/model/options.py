"""The options of a scenario's tables that are not people or protocols: ``[energy]``,
``[bp]`` and ``[falls]``, validated into typed SI objects (errors name the key).

>>> EnergyOptions(model="acsm").hr_max
'by-sex-sydo-2014'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from retrosim.errors import InputError, check_choice, check_number
from retrosim.physiology import (
    energy,
    epoc,
    exercise_pressure,
    heart,
    hr_drift,
    hr_kinetics,
    peh_models,
    pressure,
    vo2_kinetics,
    walking_cost,
)
from retrosim.physiology.balance import DEFAULT_FALL_MODEL, FALL_PRESETS, FallParameters

RESTING_RATES = (*energy.RESTING_VO2, "mifflin-st-jeor")


@dataclass(frozen=True)
class EnergyOptions:
    """How demand and kcal are computed.

    model : a key of ``energy.ENERGY_MODELS`` (default "continuous").
    resting_rate : the subject's resting VO2: "standard" (3.5 mL kg-1 min-1, the MET
        definition), "byrne-2005" (2.6, the measured average; Byrne et al. 2005),
        "willis-2024-older" (2.7, the Older Adult Compendium's MET for people 60+) or
        "mifflin-st-jeor" (each person's RMR from mass, height, age and sex, Mifflin-St Jeor
        1990), which scales every MET as the Compendium's corrected-MET method does.
    convention : "oxygen" (5 kcal per L O2, default) or "met-hours" (1 kcal kg-1 h-1 per MET).
    hr_max : the age-predicted maximal heart rate, a key of ``heart.HR_MAX_MODELS``
        ("by-sex-sydo-2014", default: Sydo 2014 for women, Tanaka 2001 for men; "by-sex":
        Gulati 2010 for women, Tanaka 2001 for men; "tanaka-2001" or "fox-1971" for the same
        line in both sexes).
    heart_rate : the steady-state heart-rate model, a key of ``heart.HR_MODELS``
        ("swain-1994-backward", default, or "swain-1998-hrr").
    hr_kinetics : heart rate's on and off time constants, a key of
        ``hr_kinetics.HR_KINETICS_MODELS``: "slower-recovery" (default: 30 s rising, one
        recovery constant by age and fitness falling), "vagal-recovery" (30 s rising; falling,
        a fast vagal phase that removes at most a capacity of beats set by fitness and a slow
        phase for the rest, both slower with age), "symmetric" (30 s both ways) or
        "two-phase-recovery" (a fast and a slow phase falling, the slow one's share growing with
        the intensity reached).
    hr_drift : the slow rise of heart rate over a bout at constant work, a key of
        ``hr_drift.HR_DRIFT_MODELS``: "none" (default: the target is set by the work alone),
        "teso-saturating" (a rise at a rate set by intensity, age and sex that approaches a
        ceiling below HRmax) or "teso-2025" (a linear rise through each bout).
    vo2_kinetics : the VO2 time constant, a key of ``vo2_kinetics.VO2_KINETICS_MODELS``:
        "trainable" (default: set by fitness and age, shortened by a programme's training) or
        "fitness-label" (the label's value all programme long).
    epoc : a key of ``epoc.EPOC_MODELS``: "intensity-duration" (default) repays a rapid
        component (within the hour, set by relative intensity, faster in the fit) and a
        prolonged one (hours, in proportion to the walking minutes above 40 % VO2max) after
        each bout, beside the first-order off-kinetics; "two-component" the same rapid form
        and a prolonged one only after bouts above 50 % VO2max longer than 31 min;
        "slow" one slow component in proportion to the O2 cost (``oxygen.epoc_slow_volume``,
        the first model); "fast" only the symmetric first-order kinetics.
    walking_cost : the person term of walking cost, a key of
        ``walking_cost.WALKING_COST_MODELS``: "das-gupta-2019" (default: older adults pay up
        to 17 % more net cost per kg) or "none" (the energy model's MET for everyone). It
        applies to the modelled energy models, not to a lookup of the Compendium's table
        (``walking_cost.in_effect``).
    """

    model: str = energy.DEFAULT_ENERGY_MODEL
    resting_rate: str = "standard"
    convention: str = "oxygen"
    hr_max: str = heart.DEFAULT_HR_MAX_MODEL
    heart_rate: str = heart.DEFAULT_HR_MODEL
    hr_kinetics: str = hr_kinetics.DEFAULT_HR_KINETICS_MODEL
    hr_drift: str = hr_drift.DEFAULT_HR_DRIFT_MODEL
    vo2_kinetics: str = vo2_kinetics.DEFAULT_VO2_KINETICS_MODEL
    epoc: str = epoc.DEFAULT_EPOC_MODEL
    walking_cost: str = walking_cost.DEFAULT_WALKING_COST_MODEL

    def __post_init__(self) -> None:
        check_choice("model", self.model, energy.ENERGY_MODELS)
        check_choice("resting_rate", self.resting_rate, RESTING_RATES)
        check_choice("convention", self.convention, energy.KCAL_CONVENTIONS)
        check_choice("hr_max", self.hr_max, heart.HR_MAX_MODELS)
        check_choice("heart_rate", self.heart_rate, heart.HR_MODELS)
        check_choice("hr_kinetics", self.hr_kinetics, hr_kinetics.HR_KINETICS_MODELS)
        check_choice("hr_drift", self.hr_drift, hr_drift.HR_DRIFT_MODELS)
        check_choice("vo2_kinetics", self.vo2_kinetics, vo2_kinetics.VO2_KINETICS_MODELS)
        check_choice("epoc", self.epoc, epoc.EPOC_MODELS)
        check_choice("walking_cost", self.walking_cost, walking_cost.WALKING_COST_MODELS)


#: What ``[bp] stop_on`` may name.
STOP_KINDS = ("acc-aha", "exaggerated")
BP_KEYS = ("model", "peh", "readings_min", "noise_sd_mmhg", "stop_on", "sbp_per_met_mmhg")
MAX_READINGS = 50
MAX_READING_MIN = 2880.0           # two days after exercise


@dataclass(frozen=True)
class BpOptions:
    """The ``[bp]`` table of a scenario.

    readings_min : when the seated readings are taken, in minutes after the end of exercise
        (default one reading at 30 min, the earliest valid for diagnosis). An arm may set its
        own with ``bp_readings_min``.
    noise_sd_mmhg : SD of a reading's error, systolic and diastolic [mmHg]; default 5 / 4, an
        assumption (``pressure.NOISE_SD_MMHG``).
    stop_on : the alarms that stop a session: "acc-aha" (SBP > 250 or DBP > 115 mmHg),
        "exaggerated" (SBP >= 210 men / 190 women, or DBP >= 110 mmHg). Default none: the alarms
        are logged only.
    sbp_per_met_mmhg : rise of SBP per MET during exercise [mmHg]; default 10 (unverified).
        Used by the "per-met" model only.
    model : the exercise pressure model (``exercise_pressure.PRESSOR_MODELS``): "daida-1996"
        (default: the rise at VO2max by age and sex, scaled by the share of the uptake reserve
        in use, capped at VO2max) or "per-met" (the rule above).
    peh : the post-exercise hypotension model (``peh_models.PEH_MODELS``):
        "age-pressure-tail" (default: the drop recovers more slowly with age above 40, the
        more so the higher the resting SBP; Taylor-Tolbert et al. 2000),
        "kenney-seals-smooth" (one recovery constant, 10.6 h, for everyone),
        "kenney-seals-relative" or "corso-2017-met" (the earlier models).
    """

    readings_min: tuple[float, ...] = (30.0,)
    noise_sd_mmhg: tuple[float, float] = pressure.NOISE_SD_MMHG
    stop_on: tuple[str, ...] = ()
    sbp_per_met_mmhg: float = pressure.SBP_PER_MET_MMHG
    model: str = "daida-1996"
    peh: str = peh_models.DEFAULT_PEH_MODEL

    @classmethod
    def from_dict(cls, table: dict[str, Any]) -> BpOptions:
        """Validate a ``[bp]`` table; keys in errors are relative to it."""
        for key in table:
            if key not in BP_KEYS:
                raise InputError(key, "is not a bp key", ", ".join(BP_KEYS))
        kwargs: dict[str, Any] = {}
        if "model" in table:
            kwargs["model"] = check_choice("model", table["model"],
                                           exercise_pressure.PRESSOR_MODELS)
        if "peh" in table:
            kwargs["peh"] = check_choice("peh", table["peh"], peh_models.PEH_MODELS)
        if "readings_min" in table:
            kwargs["readings_min"] = check_readings_min("readings_min", table["readings_min"])
        if "noise_sd_mmhg" in table:
            sd = table["noise_sd_mmhg"]
            pair = sd if isinstance(sd, list | tuple) else [sd, sd]
            if len(pair) != 2:
                raise InputError("noise_sd_mmhg", f"{sd!r} is not one number or a "
                                 "[systolic, diastolic] pair", "0-20 mmHg")
            kwargs["noise_sd_mmhg"] = tuple(
                check_number(f"noise_sd_mmhg[{i}]" if pair is sd else "noise_sd_mmhg", v, 0,
                             20, "mmHg") for i, v in enumerate(pair))
        if "stop_on" in table:
            kinds = table["stop_on"]
            if not isinstance(kinds, list):
                raise InputError("stop_on", f"{kinds!r} is not a list", ", ".join(STOP_KINDS))
            kwargs["stop_on"] = tuple(dict.fromkeys(
                check_choice(f"stop_on[{i}]", k, STOP_KINDS) for i, k in enumerate(kinds)))
        if "sbp_per_met_mmhg" in table:
            kwargs["sbp_per_met_mmhg"] = check_number(
                "sbp_per_met_mmhg", table["sbp_per_met_mmhg"], 0, 30, "mmHg")
        return cls(**kwargs)


def check_readings_min(key: str, value: Any) -> tuple[float, ...]:
    """A reading schedule: minutes after exercise, increasing, 0-2880; else InputError.

    >>> check_readings_min("bp.readings_min", [30, 60, 1440])
    (30.0, 60.0, 1440.0)
    """
    allowed = f"a list of increasing minutes after exercise, 0-{MAX_READING_MIN:g}, at most " \
              f"{MAX_READINGS}"
    if not isinstance(value, list):
        raise InputError(key, f"{value!r} is not a list", allowed)
    if len(value) > MAX_READINGS:
        raise InputError(key, f"has {len(value)} readings", allowed)
    minutes = tuple(check_number(f"{key}[{i}]", v, 0, MAX_READING_MIN, "min")
                    for i, v in enumerate(value))
    for i in range(1, len(minutes)):
        if minutes[i] <= minutes[i - 1]:
            raise InputError(f"{key}[{i}]", f"{minutes[i]:g} min does not come after "
                             f"{minutes[i - 1]:g} min", allowed)
    return minutes


FALL_MODELS = tuple(FALL_PRESETS)
#: ``[falls]`` key -> (field, low, high, unit, factor to the field's unit).
_NUMERIC_KEYS = {
    "trips_per_h": ("trip_rate_per_s", 0.0, 10.0, "h-1", 1 / 3600.0),
    "missteps_per_h": ("misstep_rate_per_s", 0.0, 10.0, "h-1", 1 / 3600.0),
    "handrail_slips_per_h": ("handrail_slip_rate_per_s", 0.0, 10.0, "h-1", 1 / 3600.0),
    "unexpected_per_mps": ("unexpected_per_mps", 0.0, 1.0, "(m s-1)-1", 1.0),
    "speed_exponent": ("speed_exponent", 0.0, 3.0, "", 1.0),
    "grade_gain": ("grade_gain", 0.0, 20.0, "", 1.0),
    "fatigue_gain": ("fatigue_gain", 0.0, 10.0, "", 1.0),
    "attention": ("attention", 0.1, 1.0, "", 1.0),
    "backward_rate_ratio": ("backward_rate_ratio", 1.0, 20.0, "", 1.0),
    "backward_fall_odds_ratio": ("backward_fall_odds_ratio", 1.0, 20.0, "", 1.0),
    "berg_rate_per_point": ("berg_rate_per_point", 0.0, 0.5, "", 1.0),
    "berg_log_odds_per_point": ("berg_log_odds_per_point", 0.0, 0.5, "", 1.0),
    "trip_fall_pct": ("trip_fall", 0.1, 99.9, "%", 0.01),
    "misstep_fall_pct": ("misstep_fall", 0.1, 99.9, "%", 0.01),
    "speed_change_fall_pct": ("speed_change_fall", 0.1, 99.9, "%", 0.01),
    "handrail_slip_fall_pct": ("handrail_slip_fall", 0.1, 99.9, "%", 0.01),
    "light_arrest_pct": ("light_arrest", 0.0, 100.0, "%", 0.01),
    "grip_arrest_pct": ("grip_arrest", 0.0, 100.0, "%", 0.01),
    "walker_position_pct": ("walker_position_frac", 5.0, 65.0, "%", 0.01),
    "stumble_drift_s": ("stumble_drift_s", 0.01, 5.0, "s", 1.0),
}
FALLS_KEYS = ("model", *_NUMERIC_KEYS)


def fall_parameters(table: dict[str, Any]) -> FallParameters:
    """The :class:`~retrosim.physiology.balance.FallParameters` of a scenario's ``[falls]``
    table (rates per hour, probabilities in %); keys in errors are relative to it.

    >>> fall_parameters({"trips_per_h": 3.6}).trip_rate_per_s
    0.001
    """
    for key in table:
        if key not in FALLS_KEYS:
            raise InputError(key, "is not a falls key", ", ".join(FALLS_KEYS))
    kwargs: dict = {}
    model = DEFAULT_FALL_MODEL
    if "model" in table:
        model = check_choice("model", table["model"], FALL_MODELS)
    for key, (name, low, high, unit, scale) in _NUMERIC_KEYS.items():
        if key in table:
            kwargs[name] = check_number(key, table[key], low, high, unit) * scale
    params = dataclasses.replace(FALL_PRESETS[model], **kwargs)
    if params.grip_arrest < params.light_arrest:
        raise InputError("grip_arrest_pct", f"{100 * params.grip_arrest:g} % is below "
                         f"light_arrest_pct", f">= light_arrest_pct "
                         f"({100 * params.light_arrest:g} %)")
    return params


GUIDANCE_KEYS = ("max_hr_reserve_pct",)


@dataclass(frozen=True)
class GuidanceOptions:
    """The ``[guidance]`` table of a scenario: what the person's exercise guidance allows.

    max_hr_reserve_pct : the highest heart rate a session may reach, as a percentage of the
        heart-rate reserve (HRR). Default none: ACSM's bands decide (moderate, below 60 % HRR,
        for people with hypertension; below near-maximal, 90 % HRR, for everyone else), see
        :mod:`retrosim.events.guidance`.
    """

    max_hr_reserve_pct: float | None = None

    @classmethod
    def from_dict(cls, table: dict[str, Any]) -> GuidanceOptions:
        """Validate a ``[guidance]`` table; keys in errors are relative to it."""
        for key in table:
            if key not in GUIDANCE_KEYS:
                raise InputError(key, "is not a guidance key", ", ".join(GUIDANCE_KEYS))
        limit = table.get("max_hr_reserve_pct")
        return cls(None if limit is None else
                   check_number("max_hr_reserve_pct", limit, 10, 100, "% of HRR"))
