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
commanded-speed-step      the treadmill is never asked for a target speed more than
                          ``max_speed_step_mps`` above the console's, even though the drive
                          would ramp it (a start from rest and a stage's own speed are exempt;
                          what the controller, its supervisor and the bus asked at each call)
commanded-incline-step    nor for a target incline more than ``max_grade_step_frac`` above it
========================= ==================================================================

The checks run block by block along the time axis (:class:`ArmCheck`): what they keep is one
sample per subject (for the rates), the time since the heart rate went above its ceiling, and
each subject's first violation, so the memory does not grow with the length of the trace.
:func:`check` runs them on a result Dataset; :func:`check_scenario` runs a scenario arm by arm
and chunk by chunk and checks each session as it comes, without a Dataset (``retrosim
check``). Messages speak the scenario's speed unit with SI beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from retrosim import api
from retrosim.controllers.safety import SafetyLimits
from retrosim.results.io import VARIABLES
from retrosim.testing.definitions import (
    _STEPS,
    INVARIANTS,
    InvariantReport,
    Stretch,
    Violation,
    _above,
    _shown,
    limits_of,
)

__all__ = ["BLOCK", "CHUNK", "ArmCheck", "check", "check_scenario", "check_session",
           "check_sessions"]


class ArmCheck:
    """The invariants of one arm, fed its traces stretch by stretch (:meth:`feed`).

    ``subjects`` are the global subject numbers of the columns; ``estops`` and ``resets``
    the (time, column) pairs of ``estop`` and ``manual-reset`` events (column -1: every
    subject); ``ceiling`` each subject's heart-rate ceiling (inf: none); ``steps`` the
    commanded-step summaries (``command_speed_step``, ``..._time``; absent: none).
    """

    def __init__(self, arm: str, subjects: np.ndarray, lim: SafetyLimits, names: list[str],
                 ceiling: np.ndarray, estops: tuple[np.ndarray, np.ndarray],
                 resets: tuple[np.ndarray, np.ndarray],
                 steps: dict[str, np.ndarray] | None = None) -> None:
        n = subjects.size
        self.arm, self.subjects, self.lim, self.names = arm, subjects, lim, names
        self.ceiling = np.where(np.isnan(ceiling), np.inf, ceiling)
        self.first = {name: np.full(n, np.inf) for name in names}
        self.value = {name: np.zeros(n) for name in names}
        self.limit = {name: np.zeros(n) for name in names}
        self._windows = _latch_windows(n, estops, resets)
        self._prev: tuple[np.ndarray, ...] | None = None
        self._last_below = np.zeros(n)
        for name, (key, limit_name) in _STEPS.items():
            if name in names and steps is not None and key in steps:
                step, when = steps[key], steps[f"{key}_time"]
                limit = getattr(lim, limit_name)
                bad = _above(step, limit)
                self._note(name, bad, np.where(bad, when, np.inf), step, np.full(n, limit))

    def _note(self, name: str, bad: np.ndarray, when: np.ndarray, value: np.ndarray,
              limit: np.ndarray) -> None:
        new = bad & np.isinf(self.first[name])
        self.first[name] = np.where(new, when, self.first[name])
        self.value[name] = np.where(new, value, self.value[name])
        self.limit[name] = np.where(new, limit, self.limit[name])

    def feed(self, t: np.ndarray, speed: np.ndarray, direction: np.ndarray,
             grade: np.ndarray, hr: np.ndarray) -> None:
        """The next stretch: times ``t`` (m,) and (N, m) traces (NaN: after the arm's end)."""
        n = self.subjects.size
        if self._prev is None:            # a copy of the first sample, 1 s before: no rate
            self._prev = (t[:1] - 1.0, speed[:, :1], direction[:, :1], grade[:, :1], hr[:, :1])
            self._last_below = np.full(n, float(t[0]))
        tt, sp, di, gr, h = (np.concatenate([p, x], axis=-1) for p, x in
                             zip(self._prev, (t, speed, direction, grade, hr), strict=True))
        above = _above(hr, self.ceiling[:, None])
        idx = np.arange(t.size)
        last = np.maximum.accumulate(np.where(above, -1, idx), axis=-1)
        below_t = np.where(last >= 0, t[np.maximum(last, 0)], self._last_below[:, None])
        self._last_below = below_t[:, -1]
        stretch = Stretch(tt, sp, di, gr, h, self._latched(tt), t[None, :] - below_t,
                          self.ceiling)
        times = t
        for name in self.names:
            fn = INVARIANTS[name][0]
            if fn is None:
                continue
            bad, value, limit = fn(stretch, self.lim)
            if not bad.any():
                continue
            hit = np.asarray(bad.any(-1))
            m = bad.argmax(-1)
            rows = np.arange(n)
            self._note(name, hit, np.where(hit, times[m], np.inf), value[rows, m],
                       limit[rows, m])
        self._prev = (t[-1:], speed[:, -1:], direction[:, -1:], grade[:, -1:], hr[:, -1:])

    def _latched(self, t: np.ndarray) -> np.ndarray:
        """(N, m): an emergency stop is in force (from an ``estop`` until a person's reset)."""
        starts, ends = self._windows
        out = np.zeros((self.subjects.size, t.size), bool)
        for k in range(starts.shape[1]):
            out |= (t[None, :] >= starts[:, k, None]) & (t[None, :] < ends[:, k, None])
        return out

    def violations(self, arm_index: int) -> Iterator[tuple[tuple[float, int, int], Violation,
                                                           int]]:
        """Each failed invariant's earliest violation (with its sort key) and how many
        subjects failed it."""
        for name in self.names:
            first = self.first[name]
            failed = np.isfinite(first)
            if not failed.any():
                continue
            col = int(np.argmin(first))
            value, limit = float(self.value[name][col]), float(self.limit[name][col])
            _, unit, what = INVARIANTS[name]
            v = Violation(name, self.arm, int(self.subjects[col]), float(first[col]), value,
                          limit, unit, what, _shown(name, value, limit, self.lim))
            yield (float(first[col]), arm_index, col), v, int(failed.sum())


def _latch_windows(n: int, estops: tuple[np.ndarray, np.ndarray],
                   resets: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(N, K) start and end times of each subject's latched emergency stops (inf: none)."""
    e_t, e_col = estops
    r_t, r_col = resets
    per: list[list[float]] = [[] for _ in range(n)]
    for t, c in zip(e_t.tolist(), e_col.tolist(), strict=True):
        for col in (range(n) if c < 0 else [c]):
            per[col].append(t)
    k = max((len(x) for x in per), default=0)
    starts = np.full((n, k), np.inf)
    ends = np.full((n, k), np.inf)
    for col, times in enumerate(per):
        for j, e in enumerate(sorted(times)):
            starts[col, j] = e
            mine = r_t[((r_col == col) | (r_col < 0)) & (r_t >= e)]
            ends[col, j] = mine.min() if mine.size else np.inf
    return starts, ends


@dataclass
class _Collect:
    names: list[str]
    pairs: int = 0
    found: dict[str, tuple[tuple[float, int, int], Violation]] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)

    def add(self, check: ArmCheck, arm_index: int) -> None:
        self.pairs += check.subjects.size
        for key, v, count in check.violations(arm_index):
            self.cases[v.invariant] = self.cases.get(v.invariant, 0) + count
            if v.invariant not in self.found or key < self.found[v.invariant][0]:
                self.found[v.invariant] = (key, v)

    def report(self) -> InvariantReport:
        return InvariantReport(checked=self.names, violations=[
            self.found[n][1] for n in self.names if n in self.found], cases=self.cases,
            pairs=self.pairs)


def _names(invariants: list[str] | None) -> list[str]:
    names = list(INVARIANTS) if invariants is None else invariants
    unknown = [n for n in names if n not in INVARIANTS]
    if unknown:
        raise ValueError(f"unknown invariants {unknown}; known: {', '.join(INVARIANTS)}")
    return names


#: Samples per stretch: what one block of the check holds at a time, per subject.
BLOCK = 512
#: People per chunk of :func:`check_scenario`: one chunk's sessions are in memory at a time.
CHUNK = 1000
#: The traces the invariants read (declared with the ``safety`` tag): ArmCheck.feed's inputs.
SAFETY_TRACES = VARIABLES.select("safety")


def check(ds: xr.Dataset, limits: SafetyLimits | None = None,
          invariants: list[str] | None = None) -> InvariantReport:
    """Check every invariant (or those named) on a result with traces; see the module doc.

    Parameters
    ----------
    ds : xarray.Dataset
        A result with traces (:func:`retrosim.run` with ``traces=True``, or
        :func:`retrosim.testing.run_controller`).
    limits : SafetyLimits, optional
        The limits to check against; default the result's own ``[safety]`` limits.
    invariants : list of str, optional
        The names of the invariants to check (``INVARIANTS``); default all.

    Returns
    -------
    InvariantReport
        Whether each holds, and the first violation of each that does not.

    Raises
    ------
    ValueError
        When the result has no traces.

    Examples
    --------
    >>> import retrosim
    >>> ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
    >>> check(ds).ok
    True
    """
    if "speed" not in ds:
        raise ValueError("the result has no traces: run it with traces=True")
    lim = limits or limits_of(ds)
    names = _names(invariants)
    out = _Collect(names)
    t = ds.time.values
    subjects = ds.subject.values
    for a, arm in enumerate(ds.arm.values):
        arm = str(arm)
        ceiling = ds.hr_ceiling.values[a] if "hr_ceiling" in ds else np.full(subjects.size,
                                                                             np.nan)
        ceiling = np.where(np.isnan(ceiling), _fixed_ceiling(lim), ceiling)
        steps = {k: ds[k].values[a] for k in ("command_speed_step", "command_speed_step_time",
                                              "command_grade_step", "command_grade_step_time")
                 if k in ds}
        estops, resets = _ds_events(ds, arm)
        check_ = ArmCheck(arm, subjects, lim, names, ceiling, estops, resets, steps)
        for i in range(0, t.size, BLOCK):
            sl = slice(i, i + BLOCK)
            check_.feed(t[sl], ds.speed.values[a, :, sl], ds.direction.values[a, :, sl],
                        ds.grade.values[a, :, sl], ds.hr.values[a, :, sl])
        out.add(check_, a)
    return out.report()


def _fixed_ceiling(lim: SafetyLimits) -> float:
    return np.inf if lim.hr_ceiling_bpm is None else lim.hr_ceiling_bpm


Events = tuple[np.ndarray, np.ndarray]


def _ds_events(ds: xr.Dataset, arm: str) -> tuple[Events, Events]:
    """The arm's estop and manual-reset events as (times, columns) (-1: every subject)."""
    empty = (np.empty(0), np.empty(0, np.int64))
    if "event_kind" not in ds:
        return empty, empty
    position = {int(s): i for i, s in enumerate(ds.subject.values)}
    mine = ds.event_arm.values == arm
    out = []
    for kind in ("estop", "manual-reset"):
        hit = mine & (ds.event_kind.values == kind)
        cols = np.array([-1 if s < 0 else position[int(s)]
                         for s in ds.event_subject.values[hit]], dtype=np.int64)
        out.append((ds.event_time.values[hit].astype(float), cols))
    return out[0], out[1]


def check_session(session: Any, lim: SafetyLimits, names: list[str], step_s: float
                  ) -> ArmCheck:
    """The invariants of one arm's session (:class:`~retrosim.engine.session.Session`),
    sampled every ``step_s`` seconds stretch by stretch, as the Dataset would hold them."""
    duration = session.timeline.duration_s
    t = api.trace_times(duration, step_s)
    times, cols, kinds = session.log.columns()[:3]
    events = tuple((times[kinds == k].astype(float), cols[kinds == k].astype(np.int64))
                   for k in ("estop", "manual-reset"))
    ceiling = session.summary.get("hr_ceiling")
    n = session.size
    ceiling = np.full(n, _fixed_ceiling(lim)) if ceiling is None else ceiling
    check_ = ArmCheck(session.arm.name, session.cohort.index, lim, names, ceiling,
                      events[0], events[1], session.summary)
    for i in range(0, t.size, BLOCK):
        tb = t[i:i + BLOCK]
        tr = session.trajectory.sample(tb)
        check_.feed(tb, **{k: np.broadcast_to(tr[k], (tb.size, n)).T for k in SAFETY_TRACES})
    return check_


def check_sessions(sessions: Iterator[Any] | list[Any], lim: SafetyLimits, arms: list[str],
                   step_s: float, invariants: list[str] | None = None,
                   progress: Any = None) -> InvariantReport:
    """The invariants of sessions as they come (each is checked, then let go): the report of
    :func:`check` on the Dataset they would make, without the Dataset."""
    names = _names(invariants)
    found: dict[str, list[ArmCheck]] = {}
    for session in sessions:
        found.setdefault(session.arm.name, []).append(check_session(session, lim, names,
                                                                    step_s))
        if progress is not None:
            progress.update(session.size)
    out = _Collect(names)
    for i, name in enumerate(arms):
        for check_ in found.get(name, []):
            out.add(check_, i)
    return out.report()


def check_scenario(scenario: Any, *, seed: int, subjects: int, step_s: float,
                   invariants: list[str] | None = None, chunk: int = CHUNK,
                   progress: Any = None) -> InvariantReport:
    """Run ``scenario`` (validated run arguments) and check each arm's session as it comes,
    ``chunk`` people at a time, without a Dataset: the memory holds one chunk's session and
    a few numbers per person. ``progress`` (a tqdm bar, or None) advances by one per arm and
    person."""
    def sessions() -> Iterator[Any]:
        for first in range(0, subjects, chunk):
            yield from api.iter_sessions(scenario, seed=seed, subjects=min(chunk, subjects - first),
                                     first=first)

    return check_sessions(sessions(), scenario.safety, list(scenario.arms), step_s, invariants,
                          progress)
