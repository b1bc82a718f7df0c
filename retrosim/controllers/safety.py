"""Safety limits of a controlled treadmill: what a supervisor enforces and the invariants check.

One ``[safety]`` table serves both sides: :class:`~retrosim.controllers.SafetySupervisor`
keeps a controller within these limits, and :mod:`retrosim.testing` checks a result against
them. Defaults (typical treadmill ranges, stated as design assumptions, and the stage limits of
:mod:`retrosim.model.protocol`):

- speed: forward at most 2.5 m/s (9 km/h, above it people run), backward at most 2.0 m/s
  (7.2 km/h; the preferred backward walk-run transition is 1.63 m/s, Hreljac et al. 2005);
- acceleration: 0.3 m s-2 forward, 0.15 backward, the top of the typical ranges (design
  assumptions: the standards we could read give no numbers); an emergency stop may brake
  harder (1-2 m s-2) and is exempt;
- incline rate: 1 % per second, the top of the typical 0.5-1 %/s actuator (an assumption);
- heart rate: above 85 % of the age-predicted HRmax for no longer than 60 s (both stated
  assumptions, not published limits);
- what a controller asks: a target speed at most 2 km/h above its previous one, a target
  incline at most 2 % above it (a lab treadmill's heart-rate program steps by 0.2-2.0 km/h,
  h/p/cosmos MCU5 manual; the incline step is an assumption). The drive would ramp any jump,
  but a controller that asks for one is wrong, and a drive with faster ramps would obey it.

Messages speak the scenario's own speed unit (km/h or mph) with SI beside it:
:meth:`SafetyLimits.speed_text`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from retrosim.errors import InputError, check_number
from retrosim.units import MPS_PER_KMH, MPS_PER_MPH, kmh_to_mps, mps_to_mph

SAFETY_KEYS = ("max_speed_kmh", "max_speed_mph", "max_backward_speed_kmh",
               "max_backward_speed_mph", "max_accel_mps2", "max_backward_accel_mps2",
               "max_incline_rate_pct_per_s", "max_grade_pct", "hr_ceiling_bpm",
               "hr_ceiling_pct_hrmax", "hr_ceiling_max_s", "max_speed_step_kmh",
               "max_speed_step_mph", "max_grade_step_pct")
#: Speed units a scenario may speak, and their size in m s-1.
SPEED_UNITS = {"km/h": MPS_PER_KMH, "mph": MPS_PER_MPH}

@dataclass(frozen=True)
class SafetyLimits:
    """Limits of a controlled session, SI.

    Parameters
    ----------
    max_speed_mps : float, optional
        Forward belt speed cap [m s-1]; 2.5.
    max_backward_speed_mps : float, optional
        Backward belt speed cap [m s-1]; 2.0.
    max_accel_mps2 : float, optional
        Belt acceleration cap while forward [m s-2]; 0.3 (assumption).
    max_backward_accel_mps2 : float, optional
        The same backward [m s-2]; 0.15 (assumption).
    max_incline_rate_frac_per_s : float, optional
        Incline rate cap [s-1]; 0.01 (1 % per second, assumption).
    max_grade_frac : float, optional
        Incline cap [-]; 0.15 (a typical treadmill's 0-15 %).
    hr_ceiling_bpm : float, optional
        Heart-rate ceiling [min-1]; None: ``hr_ceiling_frac_hrmax`` of HRmax.
    hr_ceiling_frac_hrmax : float, optional
        The ceiling as a share of the age-predicted HRmax; 0.85.
    hr_ceiling_max_s : float, optional
        Longest time the heart rate may stay above the ceiling [s]; 60.
    max_speed_step_mps : float, optional
        Largest rise of the target speed a controller may ask for in one
        command [m s-1]; 2 km/h (a start from rest and a stage's own speed are exempt).
    max_grade_step_frac : float, optional
        The same for the target incline [-]; 0.02.
    speed_unit : str, optional
        The unit the scenario speaks ("km/h" or "mph"; "" when it did not say, and
        messages use km/h).

    Examples
    --------
    >>> SafetyLimits().hr_ceiling(np.array([180.0])).tolist()
    [153.0]
    >>> SafetyLimits(speed_unit="mph").speed_text(2.0)
    '4.47 mph (2 m s-1)'
    """

    max_speed_mps: float = 2.5
    max_backward_speed_mps: float = 2.0
    max_accel_mps2: float = 0.3
    max_backward_accel_mps2: float = 0.15
    max_incline_rate_frac_per_s: float = 0.01
    max_grade_frac: float = 0.15
    hr_ceiling_bpm: float | None = None
    hr_ceiling_frac_hrmax: float = 0.85
    hr_ceiling_max_s: float = 60.0
    max_speed_step_mps: float = 2.0 * MPS_PER_KMH
    max_grade_step_frac: float = 0.02
    speed_unit: str = ""

    @property
    def unit(self) -> str:
        """The speed unit of messages: the scenario's, else km/h."""
        return self.speed_unit or "km/h"

    def speed_text(self, speed_mps: float, signed: bool = False) -> str:
        """A speed in the scenario's unit with SI beside it: ``'4.9 km/h (1.36 m s-1)'``."""
        value = speed_mps / SPEED_UNITS[self.unit]
        sign = "+" if signed else ""
        return f"{value:{sign}.3g} {self.unit} ({speed_mps:{sign}.4g} m s-1)"

    def spoken_in(self, unit: str) -> SafetyLimits:
        """These limits speaking ``unit`` ("mph" or "km/h", the scenario's) unless ``[safety]``
        chose one."""
        return self if self.speed_unit else replace(self, speed_unit=unit)

    def hr_ceiling(self, hr_max_bpm: np.ndarray) -> np.ndarray:
        """Each subject's heart-rate ceiling [min-1] from their HRmax [min-1]."""
        hr_max_bpm = np.asarray(hr_max_bpm, dtype=float)
        if self.hr_ceiling_bpm is not None:
            return np.full(hr_max_bpm.shape, self.hr_ceiling_bpm)
        return self.hr_ceiling_frac_hrmax * hr_max_bpm

    def speed_cap(self, direction: np.ndarray) -> np.ndarray:
        """The speed cap [m s-1] for each walking direction (+1 / -1)."""
        return np.where(np.asarray(direction) < 0, self.max_backward_speed_mps,
                        self.max_speed_mps)

    def to_json(self) -> str:
        """The limits as JSON (kept in a result's ``safety`` attribute)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SafetyLimits:
        return cls(**json.loads(text))

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> SafetyLimits:
        """From a scenario's ``[safety]`` table (km/h or mph, %, s); InputError on bad keys."""
        for key in table:
            if key not in SAFETY_KEYS:
                raise InputError(key, "is not a safety key", ", ".join(SAFETY_KEYS))
        kwargs: dict[str, Any] = {}
        spoken = [k for k in table if k.endswith(("_kmh", "_mph"))]
        if spoken:
            kwargs["speed_unit"] = "mph" if spoken[0].endswith("_mph") else "km/h"
        kwargs.update(_speed_limits(table))
        kwargs.update(_number_limits(table, _RATE_KEYS))
        if "hr_ceiling_bpm" in table and "hr_ceiling_pct_hrmax" in table:
            raise InputError("hr_ceiling_pct_hrmax", "give either hr_ceiling_bpm or "
                             "hr_ceiling_pct_hrmax", "one of them")
        kwargs.update(_number_limits(table, _HEART_KEYS))
        return cls(**kwargs)


#: The ``[safety]`` speed keys: (key stem, field, upper bound [km/h]); each in km/h or mph.
_SPEED_KEYS = (("max_speed", "max_speed_mps", 20.0),
               ("max_backward_speed", "max_backward_speed_mps", 10.0),
               ("max_speed_step", "max_speed_step_mps", 20.0))
#: The other ``[safety]`` keys: key -> (field, low, high, unit, given in per cent).
_RATE_KEYS = {
    "max_accel_mps2": ("max_accel_mps2", 0.01, 3.0, "m s-2", False),
    "max_backward_accel_mps2": ("max_backward_accel_mps2", 0.01, 3.0, "m s-2", False),
    "max_incline_rate_pct_per_s": ("max_incline_rate_frac_per_s", 0.05, 10.0, "% s-1", True),
    "max_grade_pct": ("max_grade_frac", 0.0, 15.0, "%", True),
    "max_grade_step_pct": ("max_grade_step_frac", 0.1, 15.0, "%", True),
}
_HEART_KEYS = {
    "hr_ceiling_bpm": ("hr_ceiling_bpm", 60.0, 230.0, "min-1", False),
    "hr_ceiling_pct_hrmax": ("hr_ceiling_frac_hrmax", 30.0, 100.0, "%", True),
    "hr_ceiling_max_s": ("hr_ceiling_max_s", 0.0, 3600.0, "s", False),
}


def _speed_limits(table: dict[str, Any]) -> dict[str, float]:
    """The speed limits [m s-1] a ``[safety]`` table gives, each in km/h or in mph (not both)."""
    kwargs: dict[str, float] = {}
    for name, field_name, high_kmh in _SPEED_KEYS:
        given = [k for k in (f"{name}_kmh", f"{name}_mph") if k in table]
        if len(given) > 1:
            raise InputError(given[1], f"give either {name}_kmh or {name}_mph", "one of them")
        if given:
            key = given[0]
            scale = MPS_PER_KMH if key.endswith("kmh") else MPS_PER_MPH
            unit = "km/h" if key.endswith("kmh") else "mph"
            in_mph = round(float(mps_to_mph(kmh_to_mps(high_kmh))), 1)
            high = high_kmh if unit == "km/h" else in_mph
            kwargs[field_name] = check_number(key, table[key], 0.5, high, unit) * scale
    return kwargs


def _number_limits(table: dict[str, Any],
                   keys: dict[str, tuple[str, float, float, str, bool]]) -> dict[str, float]:
    """The limits of ``keys`` a ``[safety]`` table gives, in range (per cent as a fraction)."""
    kwargs: dict[str, float] = {}
    for key, (field_name, low, high, unit, per_cent) in keys.items():
        if key in table:
            value = check_number(key, table[key], low, high, unit)
            kwargs[field_name] = value / 100.0 if per_cent else value
    return kwargs
