"""The safety invariants themselves, what :mod:`retrosim.testing.invariants` checks.

Each invariant is a function of a :class:`Stretch` of one arm's traces (the previous sample in
front, for the rates) and the :class:`~retrosim.controllers.safety.SafetyLimits`, returning a
:data:`Finding`: where the stretch is bad, the value compared and its limit. :data:`INVARIANTS`
names them (the table in :mod:`retrosim.testing.invariants`); :class:`Violation` and
:class:`InvariantReport` are what a check reports. The checks that walk a result Dataset or a
scenario's sessions block by block, and every name here, are in
:mod:`retrosim.testing.invariants`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from retrosim.controllers.safety import SafetyLimits

_REL, _ABS = 1e-6, 1e-9      # tolerance of a comparison with a limit (rounding only)


@dataclass(frozen=True)
class Violation:
    """The first time one invariant failed: where, when, by how much."""

    invariant: str
    arm: str
    subject: int
    time_s: float
    value: float
    limit: float
    unit: str
    what: str
    shown: tuple[str, str] | None = None      # value and limit in the scenario's unit and SI

    def __str__(self) -> str:
        value, limit = self.shown or (f"{self.value:.4g} {self.unit}",
                                      f"{self.limit:.4g} {self.unit}")
        return (f"{self.invariant}: arm {self.arm!r}, subject {self.subject}, at "
                f"t = {self.time_s:g} s: {self.what} {value} > limit {limit}")


@dataclass
class InvariantReport:
    """What :func:`check` found: the first violation of each failed invariant."""

    checked: list[str]
    violations: list[Violation] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)   # (arm, subject) pairs that failed
    pairs: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def __bool__(self) -> bool:
        return self.ok

    @property
    def first(self) -> Violation | None:
        """The earliest violation of all."""
        return min(self.violations, key=lambda v: v.time_s, default=None)

    def __str__(self) -> str:
        if self.ok:
            return (f"all {len(self.checked)} invariants hold ({', '.join(self.checked)}) for "
                    f"{self.pairs} arm-subject pairs")
        lines = [f"{len(self.violations)} of {len(self.checked)} invariants violated; the first "
                 "violation of each:"]
        for v in sorted(self.violations, key=lambda v: v.time_s):
            lines.append(f"  {v}  [{self.cases[v.invariant]} of {self.pairs} arm-subject pairs]")
        return "\n".join(lines)


Finding = tuple[np.ndarray, np.ndarray, np.ndarray]   # bad (N, m), value, limit (same shape)


@dataclass
class Stretch:
    """A stretch of one arm's traces: ``t`` (m,) and, for N subjects, (N, m) arrays; the
    rate invariants see the previous sample in front (``prev``: t, speed, direction, grade),
    and ``latched`` marks an emergency stop in force at each sample (the previous included)."""

    t: np.ndarray
    speed: np.ndarray
    direction: np.ndarray
    grade: np.ndarray
    hr: np.ndarray
    latched: np.ndarray
    hr_since: np.ndarray        # time above the heart-rate ceiling, (N, m)
    ceiling: np.ndarray         # (N,)

    def signed(self) -> np.ndarray:
        return self.speed * np.where(self.direction < 0, -1.0, 1.0)


def _rate(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Change per second between consecutive samples, (N, m)."""
    return np.diff(x, axis=-1) / np.diff(t)


def _above(value: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    return np.nan_to_num(value, nan=-np.inf) > np.asarray(limit) * (1 + _REL) + _ABS


def speed_cap(s: Stretch, lim: SafetyLimits) -> Finding:
    speed, forward = s.speed[:, 1:], s.direction[:, 1:] >= 0
    return forward & _above(speed, lim.max_speed_mps), speed, np.full(speed.shape,
                                                                      lim.max_speed_mps)


def backward_speed_cap(s: Stretch, lim: SafetyLimits) -> Finding:
    speed, backward = s.speed[:, 1:], s.direction[:, 1:] < 0
    return backward & _above(speed, lim.max_backward_speed_mps), speed, \
        np.full(speed.shape, lim.max_backward_speed_mps)


def acceleration(s: Stretch, lim: SafetyLimits) -> Finding:
    v = s.signed()
    accel = np.abs(_rate(v, s.t))
    lo, hi = v[..., :-1], v[..., 1:]
    limit = np.where((lo >= 0) & (hi >= 0), lim.max_accel_mps2,
                     np.where((lo <= 0) & (hi <= 0), lim.max_backward_accel_mps2,
                              max(lim.max_accel_mps2, lim.max_backward_accel_mps2)))
    braking = s.latched[..., 1:] | s.latched[..., :-1]
    return ~braking & _above(accel, limit), accel, limit


def estop_latched(s: Stretch, lim: SafetyLimits) -> Finding:
    rise = np.diff(s.speed, axis=-1)
    both = s.latched[..., :-1] & s.latched[..., 1:]
    return both & _above(rise, 0.0), s.speed[..., 1:], np.zeros(rise.shape)


def hr_ceiling(s: Stretch, lim: SafetyLimits) -> Finding:
    above = _above(s.hr[:, 1:], s.ceiling[:, None])
    since = s.hr_since
    return above & _above(since, lim.hr_ceiling_max_s), since, \
        np.full(since.shape, lim.hr_ceiling_max_s)


def incline_rate(s: Stretch, lim: SafetyLimits) -> Finding:
    rate = np.abs(_rate(s.grade, s.t))
    return _above(rate, lim.max_incline_rate_frac_per_s), rate, \
        np.full(rate.shape, lim.max_incline_rate_frac_per_s)


#: name -> (check on a stretch, unit, what is compared); the commanded steps are per-subject
#: summaries the engine records at each call of the controller (:mod:`retrosim.engine.
#: controlled`), checked once per arm.
INVARIANTS: dict[str, tuple[Callable[[Stretch, SafetyLimits], Finding] | None, str, str]] = {
    "speed-cap": (speed_cap, "m s-1", "forward belt speed"),
    "backward-speed-cap": (backward_speed_cap, "m s-1", "backward belt speed"),
    "acceleration": (acceleration, "m s-2", "belt acceleration"),
    "estop-latched": (estop_latched, "m s-1", "belt speeding up after an e-stop, to"),
    "hr-ceiling": (hr_ceiling, "s", "heart rate above its ceiling for"),
    "incline-rate": (incline_rate, "s-1", "incline rate"),
    "commanded-speed-step": (None, "m s-1", "the treadmill was asked for a speed step of"),
    "commanded-incline-step": (None, "-", "the treadmill was asked for an incline step of"),
}
_STEPS = {"commanded-speed-step": ("command_speed_step", "max_speed_step_mps"),
          "commanded-incline-step": ("command_grade_step", "max_grade_step_frac")}
_SPEEDS = ("speed-cap", "backward-speed-cap", "estop-latched", "commanded-speed-step")


def limits_of(ds: xr.Dataset) -> SafetyLimits:
    """The safety limits a result was run with (its ``safety`` attribute), else defaults."""
    text = ds.attrs.get("safety")
    return SafetyLimits.from_json(text) if text else SafetyLimits()


def _shown(name: str, value: float, limit: float, lim: SafetyLimits) -> tuple[str, str] | None:
    if name in _SPEEDS:
        return lim.speed_text(value), lim.speed_text(limit)
    if name == "commanded-incline-step":
        return f"{value * 100:.3g} % ({value:.3g})", f"{limit * 100:.3g} % ({limit:.3g})"
    return None
