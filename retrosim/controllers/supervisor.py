"""A safety supervisor that wraps any controller and keeps it within the safety limits.

It sits at the treadmill's end of the command bus (as a drive's firmware does), so it sees
every command as it arrives, corrupted or delayed ones included
(:mod:`retrosim.controllers.faults`). Its rules fail safe: when two readings of the heart
rate disagree it acts on the higher; when it has none it brings the belt to its safe state
(slow and level, then stopped); above the heart-rate ceiling it stops the belt early enough
for the heart rate to come back under the ceiling in time; and it stops a bus that keeps
asking for jumps the limits do not allow.
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
       second since it), and so are a sensor's readings after a step between two readings
       larger than that (the sensor's offset, kept until a step back cancels it): the inner
       controller sees NaN (no signal) instead. The ceiling rules (6) act on the more
       dangerous reading (fail-safe): the highest of the reading, the reading less the
       sensor's offset and the last plausible one risen since at ``hr_drift_bpm_per_s`` (to
       at most HRmax; a jump up may be the true heart rate coming back after a sensor read
       low); without a reading, that last one. Without a reading the heart rate is unseen,
       not steady: on a levelled belt the work falls but does not end, and the slow phase
       of the recovery (Barak et al. 2011) may hold it above the ceiling for longer than the
       minute before the belt stops on a lost signal (rule 5), so the ceiling's clock must
       start when it may have crossed, not when a reading shows it.
    2. The inner controller is called (at its own period, and on every event).
    3. Its ``reset`` is dropped (only a person resets an emergency stop) and nothing starts
       while the e-stop is latched, the key is out, or after the supervisor ended the session.
    4. Speed targets are capped for the direction, grades to ``max_grade_frac``, and the drive
       and incline get the acceleration and incline-rate ceilings; a target may rise by at
       most ``max_speed_step_mps`` (``max_grade_step_frac``) above the console's at one call
       (except a start from rest and a stage's own target at its start). A bus that asks
       for a speed above the cap and more than that step above the console's target at
       ``bus_fault_calls`` consecutive calls of the inner controller is faulty (a runaway
       command, a broken controller): the belt stops. (A target just above the cap, or a
       jump within it, is capped or climbed in steps, as before; three calls are an
       assumption.)
    5. Without a plausible heart rate neither speed nor incline may rise; after
       ``hr_loss_hold_s`` the belt comes to its safe state, 2 km/h on the level (a lab
       treadmill runs down to 2 km/h: h/p/cosmos MCU5 operating manual; at that speed the
       incline carries most of the load, ACSM's walking equation), and after
       ``hr_loss_end_s`` it stops (the manual's one minute).
    6. Above the heart-rate ceiling neither speed nor incline may rise, the incline comes
       down to level and the speed by ``ceiling_step_mps`` every ``ceiling_every_s``; the
       belt stops after half of ``hr_ceiling_max_s`` above it, or sooner: as soon as the
       time above it, the time the belt takes to stop (at the acceleration ceiling) and the
       time the heart rate needs to fall back under it at ``recovery_bpm_per_s`` (12 min-1
       in the first minute, the lower bound of a normal recovery: Cole et al. 1999) would
       reach ``hr_ceiling_max_s``. (Steps and times are assumptions.)

    Parameters
    ----------
    inner : object
        The controller it wraps (any: scalar ones are vectorised).
    limits : SafetyLimits, optional
        The limits it enforces; default :class:`SafetyLimits`'s.
    period_s : float, optional
        Its own call period [s], at most the inner controller's; 1.
    hr_jump_bpm, hr_drift_bpm_per_s : float, optional
        The plausibility window: a reading may differ from the last plausible one by
        ``hr_jump_bpm`` plus ``hr_drift_bpm_per_s`` per second since it [min-1, min-1 s-1];
        15 and 0.5.
    hr_loss_hold_s, hr_loss_end_s : float, optional
        Without a plausible reading: when the belt comes to its safe state, and when it
        stops [s]; 10 and 60.
    ceiling_step_mps, ceiling_every_s : float, optional
        Above the ceiling: how much the speed comes down [m s-1], and how often [s]; 1 km/h
        every 10 s.
    recovery_bpm_per_s : float, optional
        The fall of the heart rate after the belt has stopped that the stop is timed for
        [min-1 s-1]; 12 min-1 in a minute (Cole et al. 1999).
    bus_fault_calls : int, optional
        Consecutive calls asking for a jump beyond the cap that make a faulty bus; 3.

    References
    ----------
    h/p/cosmos sports & medical gmbh, MCU5 operating manual (signal loss: 2 km/h, then the end
    after one minute). ACSM's Guidelines for Exercise Testing and Prescription (the walking
    VO2 equation: at 2 km/h the grade term outweighs the speed term above about 6 %). Cole
    CR et al. (1999), Heart-rate recovery immediately after exercise as a predictor of
    mortality, N Engl J Med 341:1351-1357, doi:10.1056/NEJM199910283411804 (abnormal: a fall
    of 12 min-1 or less in the first minute). Barak OF et al. (2011), Heart rate recovery
    after submaximal exercise in four different recovery protocols in male athletes and
    non-athletes, J Sports Sci Med 10:369-375 (the fast vagal and the slow phase of the fall).

    Examples
    --------
    >>> from retrosim.controllers.reference import ProtocolFollower
    >>> SafetySupervisor(ProtocolFollower()).period_s
    1.0
    """

    vectorised = True
    HR_PLAUSIBLE = (30.0, 230.0)
    LOSS_SPEED_MPS = 2.0 * MPS_PER_KMH
    #: The slowest normal fall of the heart rate after exercise (Cole et al. 1999) [min-1 s-1].
    RECOVERY_BPM_PER_S = 12.0 / 60.0

    def __init__(self, inner: Any, limits: SafetyLimits | None = None, *, period_s: float = 1.0,
                 hr_jump_bpm: float = 15.0, hr_drift_bpm_per_s: float = 0.5,
                 hr_loss_hold_s: float = 10.0, hr_loss_end_s: float = 60.0,
                 ceiling_step_mps: float = 1.0 * MPS_PER_KMH,
                 ceiling_every_s: float = 10.0,
                 recovery_bpm_per_s: float = RECOVERY_BPM_PER_S,
                 bus_fault_calls: int = 3) -> None:
        self.inner = vectorise(inner)
        self.limits = limits or SafetyLimits()
        self.period_s = min(period_of(inner), period_s)
        self.hr_jump_bpm, self.hr_drift_bpm_per_s = hr_jump_bpm, hr_drift_bpm_per_s
        self.hr_loss_hold_s, self.hr_loss_end_s = hr_loss_hold_s, hr_loss_end_s
        self.ceiling_step_mps, self.ceiling_every_s = ceiling_step_mps, ceiling_every_s
        self.recovery_bpm_per_s, self.bus_fault_calls = recovery_bpm_per_s, bus_fault_calls
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
        n, s, lim = obs.size, self._state(obs.size), self.limits
        plausible, worst = self._read(obs)
        clean = np.where(plausible, np.asarray(obs.hr_bpm, dtype=float), np.nan)
        cmd, called = self._ask(obs, clean)
        speed, grade, faulty = self._limit(obs, cmd, called)
        speed, grade, end = self._heart(obs, speed, grade, plausible, worst)
        end = (end | faulty) & ~s["ended"]
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

    def _state(self, n: int) -> dict[str, Any]:
        s = self._s
        if not s:
            s.update(last_inner=-math.inf, good_hr=np.full(n, np.nan), good_t=np.zeros(n),
                     lost_at=np.full(n, np.nan), above_at=np.full(n, np.nan),
                     cut_at=np.full(n, -np.inf), ended=np.zeros(n, bool),
                     beyond=np.zeros(n, int), raw_hr=np.full(n, np.nan),
                     raw_t=np.zeros(n), offset=np.zeros(n))
        return s

    def _read(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        """Which readings are plausible (1), and the heart rate the ceiling rules act on: the
        highest of the reading, the reading less the sensor's offset and the last plausible
        one risen since at ``hr_drift_bpm_per_s`` (to at most HRmax; without a reading, that
        one; NaN: none).

        A step between two readings larger than a heart rate can make is the sensor's: it is
        kept as the sensor's offset, and the sensor's readings are not plausible until a step
        back cancels it (to within ``hr_jump_bpm``), however near the last plausible reading
        they drift meanwhile."""
        s, t = self._s, obs.time_s
        hr = np.asarray(obs.hr_bpm, dtype=float)
        low, high = self.HR_PLAUSIBLE
        seen = np.isfinite(hr)
        in_range = seen & (hr >= low) & (hr <= high)
        step = hr - s["raw_hr"]
        jumped = seen & (np.abs(np.nan_to_num(step)) > self.hr_jump_bpm
                         + self.hr_drift_bpm_per_s * (t - s["raw_t"]))
        offset = np.where(jumped, s["offset"] + np.nan_to_num(step), s["offset"])
        s["offset"] = np.where(np.abs(offset) <= self.hr_jump_bpm, 0.0, offset)
        s["raw_hr"], s["raw_t"] = np.where(seen, hr, s["raw_hr"]), np.where(seen, t, s["raw_t"])
        allowance = self.hr_jump_bpm + self.hr_drift_bpm_per_s * (t - s["good_t"])
        plausible = in_range & (s["offset"] == 0) & (
            np.isnan(s["good_hr"]) | (np.abs(hr - s["good_hr"]) <= allowance))
        drifted = np.minimum(s["good_hr"] + self.hr_drift_bpm_per_s * (t - s["good_t"]),
                          np.asarray(obs.hr_max_bpm, dtype=float))
        worst = np.fmax(np.fmax(np.where(in_range, hr, np.nan), hr - s["offset"]), drifted)
        worst = np.where(plausible, hr, worst)
        s["good_hr"] = np.where(plausible, hr, s["good_hr"])
        s["good_t"] = np.where(plausible, t, s["good_t"])
        return plausible, worst

    def _ask(self, obs: Observation, clean: np.ndarray) -> tuple[Command, bool]:
        """The inner controller's command (array form), and whether it was asked."""
        s = self._s
        if obs.reason != "tick" or obs.time_s - s["last_inner"] >= period_of(self.inner) - 1e-9:
            s["last_inner"] = obs.time_s
            return self.inner.step(replace(obs, hr_bpm=clean)).arrays(obs.size), True
        return Command().arrays(obs.size), False

    def _limit(self, obs: Observation, cmd: Command, called: bool
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The command's speed and grade within the caps and steps (rule 4), and where the
        bus has now asked for a jump beyond the cap at ``bus_fault_calls`` consecutive calls."""
        lim, s = self.limits, self._s
        target = np.asarray(obs.target_speed_mps, dtype=float)
        direction = np.where(cmd.direction != 0, cmd.direction, obs.direction)
        cap = top = lim.speed_cap(direction)
        if obs.speed_step_mps > 0:                  # the largest console step within the cap
            cap = np.floor(cap / obs.speed_step_mps + 1e-9) * obs.speed_step_mps
        asked = cmd.speed_mps
        speed = np.minimum(asked, cap)
        speed = np.where(np.isnan(speed) & (target > cap), cap, speed)
        grade = np.clip(cmd.grade_frac, 0.0, lim.max_grade_frac)
        own_speed = (obs.reason == "stage") & (np.abs(speed - obs.stage_speed_mps) <= 1e-6)
        own_grade = (obs.reason == "stage") & (np.abs(grade - obs.stage_grade_frac) <= 1e-6)
        at_rest = ~np.asarray(obs.running, bool)
        step_top = np.where(at_rest | own_speed, np.inf, target + lim.max_speed_step_mps)
        speed = np.minimum(speed, step_top)
        held_grade = np.asarray(obs.target_grade_frac, dtype=float)
        grade = np.where(at_rest | own_grade, grade,
                         np.minimum(grade, held_grade + lim.max_grade_step_frac))
        if called:                          # a jump to a speed the limits never allow
            beyond = (asked > top + 1e-6) & (asked > step_top + 1e-6)
            s["beyond"] = np.where(beyond, s["beyond"] + 1, 0)
        return speed, grade, s["beyond"] >= self.bus_fault_calls

    def _heart(self, obs: Observation, speed: np.ndarray, grade: np.ndarray,
               plausible: np.ndarray, worst: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rules 5 and 6: the speed and grade without a plausible heart rate and above the
        ceiling, and where the belt must stop."""
        t, s, lim = obs.time_s, self._s, self.limits
        running = np.asarray(obs.running, bool)
        target = np.asarray(obs.target_speed_mps, dtype=float)
        held_grade = np.asarray(obs.target_grade_frac, dtype=float)
        lost = running & ~plausible
        since_lost = _since(s, "lost_at", lost, t)
        ceiling = lim.hr_ceiling(obs.hr_max_bpm)
        above = running & (np.nan_to_num(worst, nan=-np.inf) > ceiling)
        since_above = _since(s, "above_at", above, t)
        hold = lost | above                              # neither may rise
        speed = np.where(hold & (np.where(np.isnan(speed), target, speed) > target), target,
                         speed)
        grade = np.where(hold & (np.where(np.isnan(grade), held_grade, grade) > held_grade),
                         held_grade, grade)
        slow = lost & (since_lost >= self.hr_loss_hold_s)
        grade = np.where((slow | above) & (held_grade > 0), 0.0, grade)
        speed = np.where(slow & (np.where(np.isnan(speed), target, speed)
                                 > self.LOSS_SPEED_MPS), self.LOSS_SPEED_MPS, speed)
        cut = above & (t - s["cut_at"] >= self.ceiling_every_s - 1e-9)
        speed = np.where(cut, np.maximum(target - self.ceiling_step_mps, self.LOSS_SPEED_MPS),
                         speed)
        s["cut_at"] = np.where(cut, t, s["cut_at"])
        end = (lost & (since_lost >= self.hr_loss_end_s)) | (above & (
            (since_above >= 0.5 * lim.hr_ceiling_max_s)
            | (since_above + self._recovery_s(obs, worst - ceiling) >= lim.hr_ceiling_max_s)))
        return speed, grade, end

    def _recovery_s(self, obs: Observation, excess_bpm: np.ndarray) -> np.ndarray:
        """How long, from now, until a heart rate ``excess_bpm`` above its ceiling is back
        under it if the belt is told to stop at the next call [s]: a call period, the time the
        belt takes to stop at the acceleration ceiling (the heart rate assumed not to fall
        before) and the fall at ``recovery_bpm_per_s``."""
        lim = self.limits
        speed = np.fmax(np.asarray(obs.speed_mps, dtype=float),
                        np.asarray(obs.target_speed_mps, dtype=float))
        decel = np.where(np.asarray(obs.direction) < 0, lim.max_backward_accel_mps2,
                         lim.max_accel_mps2)
        return self.period_s + speed / decel + np.maximum(excess_bpm, 0.0) / \
            self.recovery_bpm_per_s


def _since(s: dict[str, Any], key: str, now: np.ndarray, t: float) -> np.ndarray:
    """How long each subject has been in the state ``now`` (0 where not), keeping its start
    in ``s[key]``."""
    s[key] = np.where(now, np.where(np.isnan(s[key]), t, s[key]), np.nan)
    return np.where(now, t - s[key], 0.0)
