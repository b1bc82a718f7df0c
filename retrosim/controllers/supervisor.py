"""A safety supervisor that wraps any controller and keeps it within the safety limits.

It sits at the treadmill's end of the command bus (as a drive's firmware does), so it sees
every command as it arrives, corrupted or delayed ones included
(:mod:`retrosim.controllers.faults`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from typing import Any

import numpy as np

from retrosim.controllers.base import Command, Observation, period_of, vectorise
from retrosim.controllers.safety import SafetyLimits
from retrosim.units import MPS_PER_KMH


class SafetySupervisor:
    """Enforce :class:`~retrosim.controllers.safety.SafetyLimits` on whatever ``inner`` commands.

    Every call:

    1. Heart-rate readings that cannot be true are rejected (outside 30-230 min-1, or further
       from the last plausible reading than ``hr_jump_bpm`` plus ``hr_drift_bpm_per_s`` per
       second since it): the inner controller sees NaN (no signal) instead.
    2. The inner controller is called (at its own period, and on every event).
    3. Its ``reset`` is dropped (only a person resets an emergency stop) and nothing starts
       while the e-stop is latched, the key is out, or after the supervisor ended the session.
    4. Speed targets are capped for the direction, grades to ``max_grade_frac``, and the drive
       and incline get the acceleration and incline-rate ceilings; a target may rise by at
       most ``max_speed_step_mps`` (``max_grade_step_frac``) above the console's at one call
       (except a start from rest and a stage's own target at its start).
    5. Without a plausible heart rate the speed may not rise; after ``hr_loss_hold_s`` it
       comes down to 2 km/h, and after ``hr_loss_end_s`` the belt stops (as a lab
       treadmill does on signal loss: h/p/cosmos MCU5 operating manual).
    6. Above the heart-rate ceiling the speed may not rise and comes down by
       ``ceiling_step_mps`` every ``ceiling_every_s``; a heart rate above it for half of
       ``hr_ceiling_max_s`` stops the belt. (Steps and times are assumptions.)

    >>> from retrosim.controllers.reference import ProtocolFollower
    >>> SafetySupervisor(ProtocolFollower()).period_s
    1.0
    """

    vectorised = True
    HR_PLAUSIBLE = (30.0, 230.0)
    LOSS_SPEED_MPS = 2.0 * MPS_PER_KMH

    def __init__(self, inner: Any, limits: SafetyLimits | None = None, *, period_s: float = 1.0,
                 hr_jump_bpm: float = 15.0, hr_drift_bpm_per_s: float = 0.5,
                 hr_loss_hold_s: float = 10.0, hr_loss_end_s: float = 60.0,
                 ceiling_step_mps: float = 1.0 * MPS_PER_KMH,
                 ceiling_every_s: float = 10.0) -> None:
        self.inner = vectorise(inner)
        self.limits = limits or SafetyLimits()
        self.period_s = min(period_of(inner), period_s)
        self.hr_jump_bpm, self.hr_drift_bpm_per_s = hr_jump_bpm, hr_drift_bpm_per_s
        self.hr_loss_hold_s, self.hr_loss_end_s = hr_loss_hold_s, hr_loss_end_s
        self.ceiling_step_mps, self.ceiling_every_s = ceiling_step_mps, ceiling_every_s
        self._s: dict[str, Any] = {}

    def with_inner(self, inner: Any) -> SafetySupervisor:
        """The same supervisor around another controller (the engine puts the faulty bus
        between them)."""
        out = copy.copy(self)
        out.inner, out._s = vectorise(inner), {}
        return out

    def with_limits(self, limits: SafetyLimits) -> SafetySupervisor:
        """The same supervisor with other limits (a scenario's ``[safety]``)."""
        out = copy.copy(self)
        out.limits = limits
        return out

    def step(self, obs: Observation) -> Command:
        n, t, s, lim = obs.size, obs.time_s, self._s, self.limits
        if not s:
            s.update(last_inner=-math.inf, good_hr=np.full(n, np.nan), good_t=np.zeros(n),
                     lost_at=np.full(n, np.nan), above_at=np.full(n, np.nan),
                     cut_at=np.full(n, -np.inf), ended=np.zeros(n, bool))
        hr = np.asarray(obs.hr_bpm, dtype=float)
        allowance = self.hr_jump_bpm + self.hr_drift_bpm_per_s * (t - s["good_t"])
        low, high = self.HR_PLAUSIBLE
        plausible = np.isfinite(hr) & (hr >= low) & (hr <= high) & (
            np.isnan(s["good_hr"]) | (np.abs(hr - s["good_hr"]) <= allowance))
        s["good_hr"] = np.where(plausible, hr, s["good_hr"])
        s["good_t"] = np.where(plausible, t, s["good_t"])
        clean = np.where(plausible, hr, np.nan)

        if obs.reason != "tick" or t - s["last_inner"] >= period_of(self.inner) - 1e-9:
            cmd = self.inner.step(replace(obs, hr_bpm=clean)).arrays(n)
            s["last_inner"] = t
        else:
            cmd = Command().arrays(n)

        running = np.asarray(obs.running, bool)
        target = np.asarray(obs.target_speed_mps, dtype=float)
        direction = np.where(cmd.direction != 0, cmd.direction, obs.direction)
        cap = lim.speed_cap(direction)
        if obs.speed_step_mps > 0:                  # the largest console step within the cap
            cap = np.floor(cap / obs.speed_step_mps + 1e-9) * obs.speed_step_mps
        speed = np.minimum(cmd.speed_mps, cap)
        speed = np.where(np.isnan(speed) & (target > cap), cap, speed)
        grade = np.clip(cmd.grade_frac, 0.0, lim.max_grade_frac)
        own_speed = (obs.reason == "stage") & (np.abs(speed - obs.stage_speed_mps) <= 1e-6)
        own_grade = (obs.reason == "stage") & (np.abs(grade - obs.stage_grade_frac) <= 1e-6)
        at_rest = ~np.asarray(obs.running, bool)
        speed = np.where(at_rest | own_speed, speed,
                         np.minimum(speed, target + lim.max_speed_step_mps))
        held_grade = np.asarray(obs.target_grade_frac, dtype=float)
        grade = np.where(at_rest | own_grade, grade,
                         np.minimum(grade, held_grade + lim.max_grade_step_frac))

        lost = running & ~plausible
        s["lost_at"] = np.where(lost, np.where(np.isnan(s["lost_at"]), t, s["lost_at"]), np.nan)
        since_lost = np.where(lost, t - s["lost_at"], 0.0)
        ceiling = lim.hr_ceiling(obs.hr_max_bpm)
        above = running & plausible & (clean > ceiling)
        s["above_at"] = np.where(above, np.where(np.isnan(s["above_at"]), t, s["above_at"]),
                                 np.nan)
        since_above = np.where(above, t - s["above_at"], 0.0)
        hold = lost | above                              # the speed may not rise
        current = np.where(np.isnan(speed), target, speed)
        speed = np.where(hold & (current > target), target, speed)
        slow = lost & (since_lost >= self.hr_loss_hold_s)
        speed = np.where(slow & (np.where(np.isnan(speed), target, speed)
                                 > self.LOSS_SPEED_MPS), self.LOSS_SPEED_MPS, speed)
        cut = above & (t - s["cut_at"] >= self.ceiling_every_s - 1e-9)
        speed = np.where(cut, np.maximum(target - self.ceiling_step_mps, self.LOSS_SPEED_MPS),
                         speed)
        s["cut_at"] = np.where(cut, t, s["cut_at"])
        end = ((lost & (since_lost >= self.hr_loss_end_s))
               | (above & (since_above >= 0.5 * lim.hr_ceiling_max_s))) & ~s["ended"]
        s["ended"] |= end
        blocked = np.asarray(obs.estop, bool) | ~np.asarray(obs.safety_key, bool) | s["ended"]
        return Command(
            speed_mps=np.where(s["ended"], np.nan, speed), grade_frac=grade,
            direction=np.where(blocked, 0, cmd.direction), start=cmd.start & ~blocked,
            stop=cmd.stop | end, pause=cmd.pause, reset=np.zeros(n, bool),
            accel_mps2=np.fmin(cmd.accel_mps2, lim.max_accel_mps2),
            backward_accel_mps2=np.fmin(cmd.backward_accel_mps2, lim.max_backward_accel_mps2),
            incline_rate_frac_per_s=np.fmin(cmd.incline_rate_frac_per_s,
                                            lim.max_incline_rate_frac_per_s))
