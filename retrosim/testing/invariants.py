"""Safety invariants checked on a result Dataset, with a report of the first violation.

Each invariant looks at the traces of every arm and subject at the Dataset's time resolution
(a rate is the change between two samples over their interval, so a finer ``trace_step_s``
sees more) against :class:`~retrosim.controllers.safety.SafetyLimits`:

========================= ==================================================================
speed-cap                 the belt never runs forward faster than ``max_speed_mps``
backward-speed-cap        nor backward faster than ``max_backward_speed_mps``
acceleration              the belt's acceleration stays within ``max_accel_mps2`` (forward)
                          and ``max_backward_accel_mps2`` (backward); an e-stop is exempt
estop-latched             after an emergency stop the belt never speeds up again until a
                          person resets it (a ``manual-reset`` event; a controller's own
                          reset is an automatic restart, and a violation)
hr-ceiling                the heart rate is never above its ceiling for longer than
                          ``hr_ceiling_max_s``
incline-rate              the incline moves no faster than ``max_incline_rate_frac_per_s``
========================= ==================================================================
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

    def __str__(self) -> str:
        return (f"{self.invariant}: arm {self.arm!r}, subject {self.subject}, at "
                f"t = {self.time_s:g} s: {self.what} {self.value:.4g} {self.unit} > limit "
                f"{self.limit:.4g} {self.unit}")


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


Finding = tuple[np.ndarray, np.ndarray, np.ndarray]   # bad (A, N, M), value, limit (same shape)


def _signed(ds: xr.Dataset) -> np.ndarray:
    return ds.speed.values * np.where(ds.direction.values < 0, -1.0, 1.0)


def _events(ds: xr.Dataset, kind: str) -> dict[tuple[int, int], np.ndarray]:
    """Times of each (arm, subject)'s events of ``kind`` (subject -1: every subject)."""
    arms, subjects = list(ds.arm.values), list(ds.subject.values)
    out: dict[tuple[int, int], list[float]] = {}
    if "event_kind" not in ds:
        return {}
    hit = ds.event_kind.values == kind
    position = {s: i for i, s in enumerate(subjects)}
    for arm, subject, t in zip(ds.event_arm.values[hit], ds.event_subject.values[hit],
                               ds.event_time.values[hit], strict=True):
        a = arms.index(arm)
        cols = range(len(subjects)) if subject < 0 else [position[int(subject)]]
        for n in cols:
            out.setdefault((a, n), []).append(float(t))
    return {k: np.sort(v) for k, v in out.items()}


def _latched(ds: xr.Dataset) -> np.ndarray:
    """(A, N, M): an emergency stop is latched at each sample: from an ``estop`` event until
    a person's reset (a ``manual-reset`` event; a controller's reset does not count)."""
    t = ds.time.values
    out = np.zeros((ds.sizes["arm"], ds.sizes["subject"], t.size), bool)
    resets = _events(ds, "manual-reset")
    for (a, n), stops in _events(ds, "estop").items():
        mine = resets.get((a, n), np.empty(0))
        for e in stops:
            later = mine[mine >= e]
            r = later[0] if later.size else np.inf
            out[a, n] |= (t >= e) & (t < r)
    return out


def _rate(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Change per second between consecutive samples, (A, N, M-1)."""
    return np.diff(x, axis=-1) / np.diff(t)


def _above(value: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    return np.nan_to_num(value, nan=-np.inf) > np.asarray(limit) * (1 + _REL) + _ABS


def speed_cap(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    speed, forward = ds.speed.values, ds.direction.values >= 0
    return forward & _above(speed, lim.max_speed_mps), speed, np.full(speed.shape,
                                                                      lim.max_speed_mps)


def backward_speed_cap(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    speed, backward = ds.speed.values, ds.direction.values < 0
    return backward & _above(speed, lim.max_backward_speed_mps), speed, \
        np.full(speed.shape, lim.max_backward_speed_mps)


def acceleration(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    t, v = ds.time.values, _signed(ds)
    accel = np.abs(_rate(v, t))
    lo, hi = v[..., :-1], v[..., 1:]
    limit = np.where((lo >= 0) & (hi >= 0), lim.max_accel_mps2,
                     np.where((lo <= 0) & (hi <= 0), lim.max_backward_accel_mps2,
                              max(lim.max_accel_mps2, lim.max_backward_accel_mps2)))
    braking = _latched(ds)
    braking = braking[..., 1:] | braking[..., :-1]
    return ~braking & _above(accel, limit), accel, limit


def estop_latched(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    speed = ds.speed.values
    rise = np.diff(speed, axis=-1)
    latched = _latched(ds)
    return latched[..., :-1] & latched[..., 1:] & _above(rise, 0.0), speed[..., 1:], \
        np.zeros(rise.shape)


def hr_ceiling(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    t, hr = ds.time.values, ds.hr.values
    if "hr_ceiling" in ds:
        ceiling = np.where(np.isnan(ds.hr_ceiling.values), np.inf, ds.hr_ceiling.values)
    elif lim.hr_ceiling_bpm is not None:
        ceiling = np.full(hr.shape[:2], lim.hr_ceiling_bpm)
    else:
        ceiling = np.full(hr.shape[:2], np.inf)
    above = _above(hr, ceiling[..., None])
    idx = np.arange(t.size)
    last_below = np.maximum.accumulate(np.where(above, -1, idx), axis=-1)
    since = t[None, None, :] - np.where(last_below >= 0, t[np.maximum(last_below, 0)], t[0])
    return above & _above(since, lim.hr_ceiling_max_s), since, \
        np.full(since.shape, lim.hr_ceiling_max_s)


def incline_rate(ds: xr.Dataset, lim: SafetyLimits) -> Finding:
    rate = np.abs(_rate(ds.grade.values, ds.time.values))
    return _above(rate, lim.max_incline_rate_frac_per_s), rate, \
        np.full(rate.shape, lim.max_incline_rate_frac_per_s)


#: name -> (check, unit, what is compared, time index offset: 1 for rates between samples).
INVARIANTS: dict[str, tuple[Callable[[xr.Dataset, SafetyLimits], Finding], str, str, int]] = {
    "speed-cap": (speed_cap, "m s-1", "forward belt speed", 0),
    "backward-speed-cap": (backward_speed_cap, "m s-1", "backward belt speed", 0),
    "acceleration": (acceleration, "m s-2", "belt acceleration", 1),
    "estop-latched": (estop_latched, "m s-1", "belt speeding up after an e-stop, to", 1),
    "hr-ceiling": (hr_ceiling, "s", "heart rate above its ceiling for", 0),
    "incline-rate": (incline_rate, "s-1", "incline rate", 1),
}


def limits_of(ds: xr.Dataset) -> SafetyLimits:
    """The safety limits a result was run with (its ``safety`` attribute), else defaults."""
    text = ds.attrs.get("safety")
    return SafetyLimits.from_json(text) if text else SafetyLimits()


def check(ds: xr.Dataset, limits: SafetyLimits | None = None,
          invariants: list[str] | None = None) -> InvariantReport:
    """Check every invariant (or those named) on a result with traces; see the module doc.

    >>> import retrosim
    >>> ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
    >>> check(ds).ok
    True
    """
    if "speed" not in ds:
        raise ValueError("the result has no traces: run it with traces=True")
    lim = limits or limits_of(ds)
    names = list(INVARIANTS) if invariants is None else invariants
    unknown = [n for n in names if n not in INVARIANTS]
    if unknown:
        raise ValueError(f"unknown invariants {unknown}; known: {', '.join(INVARIANTS)}")
    report = InvariantReport(checked=names, pairs=ds.sizes["arm"] * ds.sizes["subject"])
    t = ds.time.values
    for name in names:
        fn, unit, what, offset = INVARIANTS[name]
        bad, value, limit = fn(ds, lim)
        if not bad.any():
            continue
        first = np.where(bad.any(-1), bad.argmax(-1), bad.shape[-1])     # (A, N)
        a, n = np.unravel_index(np.argmin(first), first.shape)
        m = first[a, n]
        report.cases[name] = int(bad.any(-1).sum())
        report.violations.append(Violation(
            name, str(ds.arm.values[a]), int(ds.subject.values[n]), float(t[m + offset]),
            float(value[a, n, m]), float(limit[a, n, m]), unit, what))
    return report
