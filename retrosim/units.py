"""Unit conversions: the only place where retrosim converts units.

Scenario files and the command line speak mph, km/h, percent grade and minutes; everything
inside retrosim is SI (m s-1, fraction, s, kg) with the unit in the name (``speed_mps``,
``grade_frac``, ``duration_s``). Oxygen uptake stays in the physiologist's unit, mL kg-1 min-1.

>>> round(float(mph_to_mps(3.5)), 4)
1.5646
>>> round(float(mps_to_m_per_min(mph_to_mps(3.5))), 2)
93.88
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: 1 international mile per hour in m s-1 (exact: 1609.344 m / 3600 s).
MPS_PER_MPH = 1609.344 / 3600.0
#: 1 km/h in m s-1 (exact).
MPS_PER_KMH = 1000.0 / 3600.0
#: Oxygen uptake of one MET, mL kg-1 min-1 (Ainsworth et al. 2011).
VO2_PER_MET = 3.5
#: Energy per litre of oxygen, kcal L-1 (the Compendium's conversion, Ainsworth et al. 2011).
KCAL_PER_L_O2 = 5.0

SECONDS = {"s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
           "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
           "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "hours": 3600.0}
"""Seconds per duration unit, by every spelling a stage string accepts."""

SPEED_MPS = {"mph": MPS_PER_MPH, "km/h": MPS_PER_KMH, "kmh": MPS_PER_KMH, "kph": MPS_PER_KMH,
             "m/s": 1.0}
"""m s-1 per speed unit, by every spelling a stage string accepts."""


def mph_to_mps(speed_mph: ArrayLike) -> np.ndarray:
    """Miles per hour -> m s-1."""
    return np.asarray(speed_mph, dtype=float) * MPS_PER_MPH


def mps_to_mph(speed_mps: ArrayLike) -> np.ndarray:
    """m s-1 -> miles per hour."""
    return np.asarray(speed_mps, dtype=float) / MPS_PER_MPH


def kmh_to_mps(speed_kmh: ArrayLike) -> np.ndarray:
    """km/h -> m s-1."""
    return np.asarray(speed_kmh, dtype=float) * MPS_PER_KMH


def mps_to_kmh(speed_mps: ArrayLike) -> np.ndarray:
    """m s-1 -> km/h."""
    return np.asarray(speed_mps, dtype=float) / MPS_PER_KMH


def mps_to_m_per_min(speed_mps: ArrayLike) -> np.ndarray:
    """m s-1 -> m min-1 (the speed unit of the ACSM metabolic equations)."""
    return np.asarray(speed_mps, dtype=float) * 60.0


def pct_to_frac(grade_pct: ArrayLike) -> np.ndarray:
    """Percent grade -> fractional grade (5 % -> 0.05)."""
    return np.asarray(grade_pct, dtype=float) / 100.0


def frac_to_pct(grade_frac: ArrayLike) -> np.ndarray:
    """Fractional grade -> percent grade."""
    return np.asarray(grade_frac, dtype=float) * 100.0


def min_to_s(duration_min: ArrayLike) -> np.ndarray:
    """Minutes -> seconds."""
    return np.asarray(duration_min, dtype=float) * 60.0


def speed_unit_of(data: Any) -> str:
    """The speed unit a scenario speaks, "mph" or "km/h": the one its stage strings and keys
    use most (mph on a tie or when it names none, the Compendium's unit). A scenario decides
    it once (:attr:`retrosim.model.scenario.Scenario.speed_unit`); its results, tables and
    safety messages all speak it.

    >>> speed_unit_of({"arms": {"a": {"stages": ["walk forward at 5 km/h for 10 min"]}}})
    'km/h'
    >>> speed_unit_of({"arms": {"a": {"stages": ["walk at 3 mph for 1 min",
    ...                                          "walk at 5 km/h for 1 min"]}}})
    'mph'
    """
    counts = {"km/h": 0, "mph": 0}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                counts["mph"] += str(k).endswith("_mph") or "_mph_" in str(k)
                counts["km/h"] += str(k).endswith("_kmh") or "_kmh_" in str(k)
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)
        elif isinstance(value, str):
            counts["mph"] += value.count("mph")
            counts["km/h"] += value.count("km/h") + value.count("kmh") + value.count("kph")

    visit(data)
    return "km/h" if counts["km/h"] > counts["mph"] else "mph"
