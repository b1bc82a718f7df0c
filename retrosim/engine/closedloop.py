"""The plant and the walkers advanced together, so that a controller can watch them live.

:class:`ClosedLoop` holds, for every subject of a cohort, the treadmill's state (signed belt
velocity, grade, the console's targets, ramp-rate ceilings, the e-stop latch, the safety key,
a slipping belt) and the physiological state (VO2, HR, energy, distance) at the current time,
plus the knots produced so far. :meth:`ClosedLoop.advance_to` moves everyone forward in
closed form: the belt and the incline move linearly between breakpoints (a change of
direction, a target reached), each breakpoint becomes a knot, and VO2 and HR advance across
each knot interval in one exact step (:func:`retrosim.physiology.oxygen.first_order_ramp`, the
demand from :func:`retrosim.solve.trajectory.knot_demand`, linear between knots as in
:func:`retrosim.solve.trajectory.solve`). :meth:`ClosedLoop.command` applies per-subject commands at
the current time with the plant's rules (:mod:`retrosim.model.treadmill`):
ramp limits, the console's speed step, a latched emergency stop that refuses every command
until a deliberate reset at rest with the key in place. :meth:`ClosedLoop.timeline` returns the
per-subject :class:`~retrosim.solve.timeline.Timeline` (arrays ``(K, N)``), so that
:func:`~retrosim.solve.trajectory.solve` and everything downstream work on it unchanged.

Everything is vectorised over subjects: a call costs a few numpy operations on ``(N,)``
arrays, whatever N is.
"""

from __future__ import annotations

import numpy as np

from retrosim.controllers.base import Command
from retrosim.engine.knot_rows import empty_command, keep_rows
from retrosim.engine.session import ESTOP, EventLog
from retrosim.model.protocol import GRADE_LIMITS_PCT
from retrosim.model.treadmill import TreadmillLimits, incline_reach, quantise, ramp
from retrosim.physiology import hr_drift, oxygen
from retrosim.solve import hr_phases
from retrosim.solve.relax import relax_interval
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import (
    EnergyOptions,
    Physiology,
    drift_rate,
    drift_tau_s,
    knot_demand,
)
from retrosim.units import MPS_PER_KMH

STOPPED, RUNNING, PAUSED = 0, 1, 2
#: The belt's top speed, m s-1 (consoles typically go to 20 km/h: a design default, no source).
MAX_BELT_MPS = 20.0 * MPS_PER_KMH
#: Speed a start command ramps to when no target is set, m s-1 (<= 1.0 km/h: design default).
START_SPEED_MPS = 1.0 * MPS_PER_KMH
MAX_GRADE_FRAC = GRADE_LIMITS_PCT[1] / 100.0
#: Breakpoints closer than this (relative to the time, s) are one instant.
_SAME_INSTANT_S = 1e-12


class ClosedLoop:
    """A cohort on its treadmills, advanced event by event (see the module docstring).

    Parameters
    ----------
    physiology : the cohort's :class:`~retrosim.solve.trajectory.Physiology` (N subjects).
    limits, options : the treadmill's limits and the energy options.
    velocity, grade : the belt at time 0 [m s-1 signed, -]; running : driven at time 0.
    direction, handrail : the set direction (+1 / -1) and the support code (-1: each
    subject's own) at time 0.
    log : where plant events go (start, stop, pause, estop, reset, refused).

    Examples
    --------
    One walker, the belt started toward 1.2 m/s (rounded to the 0.1 mph step) and 2 % grade;
    after 5 minutes the heart rate is at its steady state.

    >>> from retrosim.model.people import Cohort
    >>> from retrosim.model.subject import Subject
    >>> from retrosim.solve.trajectory import EnergyOptions, Physiology
    >>> man = Subject(mass_kg=70, age_yr=40, sex="male", hr_rest_bpm=70)
    >>> p = Physiology.of(Cohort.from_subject(man), EnergyOptions())
    >>> loop = ClosedLoop(p, TreadmillLimits(), EnergyOptions())
    >>> loop.command(Command(speed_mps=1.2, grade_frac=0.02, start=True))
    >>> loop.advance_to(300.0)
    >>> round(float(loop.v[0]), 4), round(float(loop.hr[0]), 1)
    (1.207, 113.0)
    """

    def __init__(self, physiology: Physiology, limits: TreadmillLimits, options: EnergyOptions,
                 *, velocity: float = 0.0, grade: float = 0.0, running: bool = False,
                 direction: int = 1, handrail: int = -1, log: EventLog | None = None) -> None:
        n = physiology.mass_kg.shape[0]
        self.n, self.p, self.limits, self.options = n, physiology, limits, options
        self.log = log if log is not None else EventLog()
        self.now = 0.0
        full = np.full
        self.v = full(n, self._quantise(np.array(velocity)).item())
        self.g = full(n, float(grade))
        self.set_speed = np.abs(self.v)
        self.set_dir = full(n, -1 if velocity < 0 or direction < 0 else 1, dtype=np.int8)
        self.set_grade = self.g.copy()
        self.mode = full(n, RUNNING if running else STOPPED, dtype=np.int8)
        self.latched = np.zeros(n, bool)
        self.key = np.ones(n, bool)
        self.slip = np.zeros(n)
        self.accel_cap = full(n, np.inf)
        self.backward_accel_cap = full(n, np.inf)
        self.incline_cap = full(n, np.inf)
        self.handrail = full(n, handrail, dtype=np.int8)
        self._refusal_logged = np.zeros(n, bool)
        self._rows: list[tuple[np.ndarray, ...]] = []
        #: The demand at the last knot and the state there (set by the first ``_append``).
        self.met: np.ndarray
        self._vo2_t: np.ndarray
        self._hr_t: np.ndarray
        self._kcal_rate: np.ndarray
        #: Heart rate's target before drift, and the drift and its rate at the last knot
        #: (rate None without a drift model, ``[energy] hr_drift``).
        self._hr_base: np.ndarray
        self._drift: np.ndarray = np.zeros(n)
        self._drift_rate: np.ndarray | None = None
        #: The saturating drift (:mod:`retrosim.solve.drift`): its constant [s] (None: not
        #: this model), its state and its ceiling at the last knot; ``hr`` is the sum.
        self._sat_tau = drift_tau_s(options)
        self._sat = (np.zeros(n), np.zeros(n))
        self._row_state: tuple[np.ndarray, ...]
        #: Two phases (:mod:`retrosim.solve.hr_phases`): the states and targets at the last knot
        self._phases = physiology.tau_hr_slow_s is not None
        self._row_phases = (physiology.hr_rest.astype(float), np.zeros(n))
        self._phase_t: tuple[np.ndarray, np.ndarray]
        self.vo2, self.hr = physiology.vo2_rest.copy(), physiology.hr_rest.astype(float).copy()
        self.kcal, self.distance_m = np.zeros(n), np.zeros(n)
        self._append(full(n, 0.0), self.v, self.g, first=True)

    # -- state -------------------------------------------------------------------------------
    def _quantise(self, speed: np.ndarray) -> np.ndarray:
        """Speeds rounded to the console's step (:func:`retrosim.model.treadmill.quantise`)."""
        return quantise(speed, self.limits.speed_step_mps)

    @property
    def drive_target(self) -> np.ndarray:
        """The velocity the drive ramps to [m s-1, signed]: 0 unless running and unlatched."""
        on = (self.mode == RUNNING) & ~self.latched
        return np.where(on, self.set_speed * self.set_dir * (1.0 - self.slip), 0.0)

    @property
    def kcal_rate_per_s(self) -> np.ndarray:
        """The energy rate now [kcal s-1] (the demand at the last knot: it is constant on a
        flat stretch, linear on a ramp)."""
        return self._kcal_rate

    def _rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lim = self.limits
        fwd = np.minimum(lim.forward_accel_mps2, self.accel_cap)
        back = np.minimum(lim.backward_accel_mps2, self.backward_accel_cap)
        brake = self.latched
        fwd = np.where(brake, lim.estop_decel_mps2, fwd)
        back = np.where(brake, lim.estop_decel_mps2, back)
        return fwd, back, np.minimum(lim.incline_rate_frac_per_s, self.incline_cap)

    def _plan(self) -> tuple[np.ndarray, ...]:
        """Breakpoints of the current ramps, absolute times (inf: none)."""
        fwd, back, incline = self._rates()
        t_zero, t_reach, a0, a1, a_move = ramp(self.now, self.v, self.drive_target, fwd, back)
        t_grade = incline_reach(self.now, self.g, self.set_grade, incline)
        return t_zero, t_reach, t_grade, a0, a1, a_move, incline

    def _state_at(self, tau: np.ndarray, plan: tuple[np.ndarray, ...]
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Belt velocity and grade at absolute times ``tau`` (N,) under ``plan``."""
        t_zero, t_reach, t_grade, a0, a1, a_move, incline = plan
        v0, vt, g0, gt = self.v, self.drive_target, self.g, self.set_grade
        s = tau - self.now
        straight = v0 + np.sign(vt - v0) * a_move * s
        leg1 = v0 - np.sign(v0) * a0 * s
        leg2 = np.sign(vt) * a1 * (tau - np.where(np.isfinite(t_zero), t_zero, tau))
        crossing = np.where(tau >= t_zero, leg2, leg1)
        v = np.where(tau >= t_reach, vt, np.where(np.isfinite(t_zero), crossing, straight))
        v = np.where(np.isinf(t_reach), v0, v)
        g = np.where(tau >= t_grade, gt, g0 + np.sign(gt - g0) * incline * s)
        return v, np.where(np.isinf(t_grade), g0, g)

    # -- time --------------------------------------------------------------------------------
    def advance_to(self, t: float) -> None:
        """Move every subject forward to time ``t`` [s] in closed form.

        Each breakpoint of a ramp becomes a knot, and so does ``t`` unless every belt and
        incline is at rest on its target (then the state moves on from the last knot, exactly,
        and no knot is needed until something changes).
        """
        if t <= self.now:
            return
        plan = self._plan()
        if np.isinf(plan[1]).all() and np.isinf(plan[2]).all():     # all flat: no knot
            self.now = float(t)
            self._relax()
            return
        points = np.stack(plan[:3], axis=1)                               # (N, 3)
        # a breakpoint a rounding error away from now, from the next one or from t is the
        # same instant: one knot there, so that no interval is shorter than the times' own
        # precision
        eps = _SAME_INSTANT_S * max(1.0, float(t))
        points = np.where((points > self.now + eps) & (points < t), points, np.inf)
        points.sort(axis=1)
        later = np.minimum(np.concatenate([points[:, 1:], np.full((self.n, 1), float(t))],
                                          axis=1), float(t))
        points = np.where(np.isfinite(points) & (later - points <= eps), np.inf, points)
        points.sort(axis=1)
        m = int(np.isfinite(points).sum(axis=1).max())
        rows = [np.where(np.isfinite(points[:, j]), points[:, j], t) for j in range(m)]
        for tau in [*rows, np.full(self.n, float(t))]:
            v, g = self._state_at(tau, plan)
            self._append(tau, v, g)
        self.v, self.g, self.now = v, g, float(t)

    def _flush(self) -> None:
        """A knot at the current time if the last one is earlier (before the plan changes)."""
        if self._rows[-1][0].max() < self.now:
            self._append(np.full(self.n, self.now), self.v, self.g)

    def _relax(self) -> None:
        """The state now from the last knot under a constant demand (a flat stretch)."""
        t_row, vo2, hr, kcal, dist = self._row_state
        dt = self.now - t_row
        self.vo2 = oxygen.first_order_step(vo2, self._vo2_t, dt, self.p.tau_vo2_s)
        # the target now: drifting, it is linear from the last knot to now (as a knot would)
        hr_now = self._hr_t if self._drift_rate is None else self._hr_base + np.where(
            self.v != 0, self._drift + dt / 60.0 * self._drift_rate, 0.0)
        if self._phases:
            fast, slow = hr_phases.step(*self._row_phases, self._phase_t, hr_phases.split_target(
                hr_now, self.p, self._hr_base), np.full(self.n, dt), self.p)
            self.hr = fast + slow
        elif self._drift_rate is None:
            tau_hr = np.where(self._hr_t < hr, self.p.tau_hr_off_s, self.p.tau_hr_s)
            self.hr = oxygen.first_order_step(hr, self._hr_t, dt, tau_hr)
        else:
            tau_hr = np.where(hr_now < hr, self.p.tau_hr_off_s, self.p.tau_hr_s)
            self.hr = oxygen.first_order_ramp(hr, self._hr_t, (hr_now - self._hr_t) / dt, dt,
                                              tau_hr)
        if self._sat_tau is not None:            # the ceiling is constant on a flat stretch
            self.hr = self.hr + oxygen.first_order_step(*self._sat, dt, self._sat_tau)
        self.kcal = kcal + dt * self._kcal_rate
        self.distance_m = dist + dt * np.abs(self.v)

    def _append(self, tau: np.ndarray, v: np.ndarray, g: np.ndarray, first: bool = False) -> None:
        """A knot row at times ``tau`` (N,): the physiology advances to it exactly."""
        last = self._rows[-1] if self._rows else None
        if last is not None and (v == last[1]).all() and (g == last[2]).all() and \
                (self.handrail == last[3]).all():
            met, vo2_t, hr_t, kcal_rate = self.met, self._vo2_t, self._hr_base, self._kcal_rate
        else:
            met, vo2_t, hr_t, kcal_rate = knot_demand(v, g, self.handrail, self.p, self.options)
        self._hr_base = hr_t
        rate = drift_rate(vo2_t, self.p, self.options)
        ceiling = None if rate is None or self._sat_tau is None else \
            hr_drift.saturating_ceiling(rate, hr_t, self.p.hr_max, v != 0)
        if ceiling is not None:
            rate = None                  # the drift is its own state, not in the target
        if rate is not None:         # as hr_drift.drift_at_knots, one knot row at a time
            drift = np.zeros(self.n) if first else np.where(
                v != 0, self._drift + 0.5 * ((tau - self._row_state[0]) / 60.0)
                * (self._drift_rate + rate), 0.0)
            hr_t = hr_t + drift
            self._drift, self._drift_rate = drift, rate
        parts = hr_phases.split_target(hr_t, self.p, self._hr_base) if self._phases else None
        if not first:
            assert last is not None, "the first knot row comes from __init__"
            t_prev, vo2, hr, kcal, dist = self._row_state
            v_prev = last[1]
            dt = tau - t_prev
            self.vo2 = relax_interval(vo2, self._vo2_t, vo2_t, dt, self.p.tau_vo2_s)
            if parts is not None:
                self._row_phases = hr_phases.step(*self._row_phases, self._phase_t, parts, dt,
                                                  self.p)
                self.hr = self._row_phases[0] + self._row_phases[1]
            else:
                self.hr = relax_interval(hr, self._hr_t, hr_t, dt, self.p.tau_hr_s,
                                         self.p.tau_hr_off_s)
            self.kcal = kcal + 0.5 * dt * (self._kcal_rate + kcal_rate)
            self.distance_m = dist + 0.5 * dt * (np.abs(v_prev) + np.abs(v))
            if ceiling is not None and self._sat_tau is not None:
                self._sat = (relax_interval(*self._sat, ceiling, dt, self._sat_tau), ceiling)
        elif ceiling is not None:
            self._sat = (np.zeros(self.n), ceiling)
        self.met, self._vo2_t, self._hr_t, self._kcal_rate = met, vo2_t, hr_t, kcal_rate
        if parts is not None:
            self._phase_t = parts
        tau = np.asarray(tau, dtype=float)
        self._row_state = (tau, self.vo2, self.hr, self.kcal, self.distance_m)
        if ceiling is not None:                   # heart rate is the state plus the drift
            self.hr = self.hr + self._sat[0]
        self._rows.append((tau, v, g, self.handrail.copy(), self.set_dir.copy()))

    def _jump(self) -> None:
        """A knot at the current time after a change of handrail or direction (the knot
        before the change is already there: :meth:`_flush`)."""
        self._append(np.full(self.n, self.now), self.v, self.g)

    # -- commands ----------------------------------------------------------------------------
    def set_handrail(self, code: np.ndarray | int) -> None:
        """The support in force from now (a code, or -1 for each subject's own)."""
        code = np.broadcast_to(np.asarray(code, dtype=np.int8), (self.n,))
        if (code != self.handrail).any():
            self._flush()
            self.handrail = code.copy()
            self._jump()

    def command(self, cmd: Command) -> None:
        """Apply a command (scalars for everyone, or ``(N,)`` arrays) at the current time."""
        if empty_command(cmd):
            return
        self._flush()
        c = cmd.arrays(self.n)
        may_reset = c.reset & self.latched & self.key & (self.v == 0.0)
        self._log(c.reset & self.latched & ~may_reset, "refused",
                  "reset refused: the belt must be at rest with the safety key in place")
        self.latched &= ~may_reset
        self._refusal_logged &= ~may_reset
        self._log(may_reset, "reset", "emergency stop reset by the controller")
        asks = (c.start | np.isfinite(c.speed_mps) | np.isfinite(c.grade_frac)
                | (c.direction != 0))
        refused = self.latched & asks & ~self._refusal_logged
        self._log(refused, "refused", "command refused: emergency stop latched")
        self._refusal_logged |= refused
        ok = ~self.latched
        old_dir = self.set_dir.copy()
        self.set_dir = np.where(ok & (c.direction != 0), np.sign(c.direction),
                                self.set_dir).astype(np.int8)
        speed = self._quantise(np.clip(np.nan_to_num(c.speed_mps), 0.0, MAX_BELT_MPS))
        self.set_speed = np.where(ok & np.isfinite(c.speed_mps), speed, self.set_speed)
        grade = np.clip(np.nan_to_num(c.grade_frac), 0.0, MAX_GRADE_FRAC)
        self.set_grade = np.where(ok & np.isfinite(c.grade_frac), grade, self.set_grade)
        for name, value in (("accel_cap", c.accel_mps2),
                            ("backward_accel_cap", c.backward_accel_mps2),
                            ("incline_cap", c.incline_rate_frac_per_s)):
            setattr(self, name, np.where(np.isfinite(value) & (value > 0), value,
                                         getattr(self, name)))
        stop = ok & c.stop
        self._log(stop & (self.mode != STOPPED), "stop", "belt stopped by the controller")
        self.set_speed = np.where(stop, 0.0, self.set_speed)
        self.mode = np.where(stop, STOPPED, self.mode).astype(np.int8)
        pause = ok & c.pause & ~c.stop & (self.mode == RUNNING)
        self._log(pause, "pause", "belt paused by the controller")
        self.mode = np.where(pause, PAUSED, self.mode).astype(np.int8)
        start = ok & c.start & ~c.stop & ~c.pause & self.key & (self.mode != RUNNING)
        self.set_speed = np.where(start & (self.set_speed == 0),
                                  self._quantise(np.array(START_SPEED_MPS)), self.set_speed)
        self._log(start, "start", "belt started by the controller")
        self.mode = np.where(start, RUNNING, self.mode).astype(np.int8)
        if (self.set_dir != old_dir).any():
            self._jump()

    def emergency_stop(self, subjects: np.ndarray, cause: str) -> None:
        """Cut drive and latch for ``subjects`` (bool (N,)): the belt brakes at the e-stop's
        deceleration, the incline holds, every command is refused until a reset."""
        hit = subjects & ~self.latched
        if not hit.any():
            return
        self._flush()
        self.latched |= hit
        self.mode = np.where(hit, STOPPED, self.mode).astype(np.int8)
        self.set_speed = np.where(hit, 0.0, self.set_speed)
        self.set_grade = np.where(hit, self.g, self.set_grade)
        self._log(hit, ESTOP, f"emergency stop ({cause}): drive cut, belt to rest at "
                  f"{self.limits.estop_decel_mps2:g} m s-2, latched")

    def pull_key(self, subjects: np.ndarray) -> None:
        """The safety key leaves its socket: an emergency stop."""
        self.key &= ~subjects
        self.emergency_stop(subjects, "safety key pulled")

    def insert_key(self, subjects: np.ndarray) -> None:
        """The safety key is back; the latch stays until a reset."""
        self.key |= subjects

    def set_slip(self, fraction: np.ndarray | float) -> None:
        """The belt slips under load: it runs ``fraction`` slower than driven (0: grips)."""
        self._flush()
        self.slip = np.broadcast_to(np.asarray(fraction, dtype=float), (self.n,)).copy()

    def _log(self, mask: np.ndarray, kind: str, detail: str) -> None:
        if mask.any():
            idx = np.flatnonzero(mask)
            self.log.add_many(np.full(idx.size, self.now), idx, kind, detail)

    # -- results -----------------------------------------------------------------------------
    def timeline(self) -> Timeline:
        """The knots up to now as a per-subject timeline ``(K, N)``, without redundant knots."""
        self._flush()
        arrays = [np.stack([r[i] for r in self._rows]) for i in range(5)]
        same_as_prev = np.ones(arrays[0].shape, bool)
        for a in arrays:
            same_as_prev[1:] &= a[1:] == a[:-1]
        same_as_prev[0] = False
        arrays = keep_rows(arrays, ~same_as_prev)
        values = arrays[1:]
        flat = np.zeros(arrays[0].shape, bool)
        flat[1:-1] = True
        for a in values:
            flat[1:-1] &= (a[1:-1] == a[:-2]) & (a[1:-1] == a[2:])
        t, v, g, h, d = keep_rows(arrays, ~flat)
        return Timeline(t, v, g, h.astype(np.int8), d.astype(np.int8))
