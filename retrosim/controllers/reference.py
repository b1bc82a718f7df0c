"""Reference controllers: the scripted protocol follower and a heart-rate target program.

Both are vectorised (one call drives the whole cohort) and hold their state per subject.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrosim.controllers.base import Command, Observation
from retrosim.errors import InputError, check_number
from retrosim.units import MPS_PER_KMH


class ProtocolFollower:
    """The scripted program: each stage's speed, grade and direction, commanded as it starts.

    What a plain treadmill program does, and what an arm without a controller does: a rest
    stage stops the belt. Called on events only (``period_s`` is inf).

    >>> from retrosim.controllers.base import Observation
    >>> obs = Observation(0.0, "stage", *[np.zeros(1)] * 11, stage=0, stage_speed_mps=1.2,
    ...                   stage_grade_frac=0.05, stage_direction=-1, stage_remaining_s=60.0)
    >>> c = ProtocolFollower().step(obs)
    >>> (c.speed_mps, c.grade_frac, c.direction, c.start)
    (1.2, 0.05, -1, True)
    """

    vectorised = True
    period_s = math.inf

    def __init__(self) -> None:
        self.stage = -1

    def step(self, obs: Observation) -> Command:
        if obs.stage == self.stage:
            return Command()
        self.stage = obs.stage
        if obs.stage_speed_mps == 0:
            return Command(speed_mps=0.0, grade_frac=obs.stage_grade_frac, stop=True)
        return Command(speed_mps=obs.stage_speed_mps, grade_frac=obs.stage_grade_frac,
                       direction=obs.stage_direction, start=True)


@dataclass
class HeartRateTarget:
    """Hold the heart rate in a zone around a target by stepping speed (then incline).

    As a lab treadmill's heart-rate program does it (h/p/cosmos MCU5 operating manual,
    docs/references.md#hpcosmos-mcu5): below the target zone raise the speed by 0.2-1.0 km/h
    every 25-20 s, more and sooner the further below; above it lower by 0.3-2.0 km/h every
    12-7 s. On loss of the heart-rate signal keep the speed, then ramp down to 2 km/h and end
    the session after one minute without a signal. How the step and the interval scale with
    the deviation (linearly from the zone's edge to ``full_scale_bpm`` beyond it), the zone's
    half-width and the time the speed is kept are assumptions: the manual gives the ranges
    only.

    The parameters are in SI units; the scenario's ``[controller]`` table speaks bpm, km/h, %
    and s.

    Parameters
    ----------
    target_hr_bpm : float, optional
        The target [min-1]; or ``target_frac_hrmax``, a share of each walker's
        age-predicted HRmax (one of the two).
    zone_bpm : float, optional
        Half-width of the target zone [min-1]; 3.
    min_speed_mps, max_speed_mps : float, optional
        The range the program steps in [m s-1]; 2 and 6.5 km/h.
    max_grade_frac : float, optional
        When the speed is at its maximum and the heart rate still low, raise the
        incline in 0.5-2 % steps up to this grade [-]; 0 (speed only). Above the zone the
        incline comes down before the speed.
    full_scale_bpm : float, optional
        Deviation beyond the zone at which steps are largest [min-1]; 15.
    loss_hold_s : float, optional
        How long the speed is kept after the signal is lost [s]; 10.
    loss_end_s : float, optional
        Time without a signal after which the session ends [s]; 60.
    period_s : float, optional
        How often the program looks at the heart rate [s]; 1.

    References
    ----------
    h/p/cosmos sports & medical gmbh, MCU5 operating manual: heart-rate-controlled mode (step
    sizes and intervals; 2 km/h and one minute on signal loss). Vendor manual, no DOI.

    Examples
    --------
    A walker 20 bpm below the target, 20 s after the last step: the speed rises by 0.2-1.0
    km/h, here by the largest step (20 bpm is beyond the full scale).

    >>> from retrosim.controllers.base import Observation
    >>> hr = HeartRateTarget(target_hr_bpm=120)
    >>> args = dict(reason="tick", grade_frac=0.0, direction=1, safety_key=True, estop=False,
    ...             running=True, handrail=False, target_speed_mps=1.0, target_grade_frac=0.0,
    ...             hr_max_bpm=180.0, stage=0, stage_speed_mps=1.0, stage_grade_frac=0.0,
    ...             stage_direction=1, stage_remaining_s=600.0)
    >>> first = hr.step(Observation(time_s=0.0, speed_mps=np.zeros(1), hr_bpm=np.full(1, 80.0),
    ...                             **{**args, "reason": "stage", "stage": 0}))
    >>> later = hr.step(Observation(time_s=20.0, speed_mps=np.ones(1), hr_bpm=np.full(1, 100.0),
    ...                             **args))
    >>> round(float((later.speed_mps[0] - first.speed_mps[0]) * 3.6), 2)
    1.0
    """

    target_hr_bpm: float | None = 110.0
    target_frac_hrmax: float | None = None
    zone_bpm: float = 3.0
    min_speed_mps: float = 2.0 * MPS_PER_KMH
    max_speed_mps: float = 6.5 * MPS_PER_KMH
    max_grade_frac: float = 0.0
    full_scale_bpm: float = 15.0
    loss_hold_s: float = 10.0
    loss_end_s: float = 60.0
    period_s: float = 1.0
    vectorised = True
    _state: dict[str, Any] = field(default_factory=dict, repr=False)

    #: Step ranges and intervals (h/p/cosmos MCU5 manual): (smallest, largest).
    UP_STEP_MPS = (0.2 * MPS_PER_KMH, 1.0 * MPS_PER_KMH)
    UP_EVERY_S = (25.0, 20.0)
    DOWN_STEP_MPS = (0.3 * MPS_PER_KMH, 2.0 * MPS_PER_KMH)
    DOWN_EVERY_S = (12.0, 7.0)
    GRADE_STEP = (0.005, 0.02)
    LOSS_SPEED_MPS = 2.0 * MPS_PER_KMH

    def target(self, obs: Observation) -> np.ndarray:
        """Each walker's target heart rate [min-1]."""
        if self.target_frac_hrmax is not None:
            return self.target_frac_hrmax * np.asarray(obs.hr_max_bpm, dtype=float)
        target = math.nan if self.target_hr_bpm is None else float(self.target_hr_bpm)
        return np.full(np.shape(obs.speed_mps), target)

    def step(self, obs: Observation) -> Command:
        n, t, s = obs.size, obs.time_s, self._state
        if not s:
            s.update(stage=-1, last=np.full(n, -np.inf), lost_at=np.full(n, np.nan),
                     speed=np.zeros(n), grade=np.zeros(n), ended=np.zeros(n, bool))
        if obs.stage != s["stage"]:                    # a new stage: its direction, its speed
            s["stage"] = obs.stage
            if obs.stage_speed_mps == 0:
                return Command(speed_mps=0.0, stop=True)
            s["speed"] = np.full(n, np.clip(obs.stage_speed_mps, self.min_speed_mps,
                                            self.max_speed_mps))
            s["grade"] = np.full(n, min(obs.stage_grade_frac, max(self.max_grade_frac,
                                                                  obs.stage_grade_frac)))
            s["last"] = np.full(n, t)
            s["ended"][:] = False
            return Command(speed_mps=s["speed"].copy(), grade_frac=s["grade"].copy(),
                           direction=obs.stage_direction, start=True)
        if obs.stage_speed_mps == 0:
            return Command()
        hr = np.asarray(obs.hr_bpm, dtype=float)
        speed, grade, last = s["speed"], s["grade"], s["last"]
        lost = ~np.isfinite(hr)
        s["lost_at"] = np.where(lost & np.isnan(s["lost_at"]), t, s["lost_at"])
        s["lost_at"] = np.where(lost, s["lost_at"], np.nan)
        since = np.where(lost, t - s["lost_at"], 0.0)
        stop = lost & (since >= self.loss_end_s) & ~s["ended"]
        s["ended"] |= stop
        ramp_down = lost & (since >= self.loss_hold_s) & ~s["ended"]
        speed[:] = np.where(ramp_down, np.minimum(speed, self.LOSS_SPEED_MPS), speed)

        dev = np.where(lost, 0.0, hr - self.target(obs))
        frac = np.clip((np.abs(dev) - self.zone_bpm) / self.full_scale_bpm, 0.0, 1.0)
        wait = t - last
        up = ~lost & ~s["ended"] & (dev < -self.zone_bpm) & \
            (wait >= _lerp(self.UP_EVERY_S, frac) - 1e-9)
        down = ~lost & ~s["ended"] & (dev > self.zone_bpm) & \
            (wait >= _lerp(self.DOWN_EVERY_S, frac) - 1e-9)
        at_top = speed >= self.max_speed_mps - 1e-9
        climb = up & at_top & (grade < self.max_grade_frac)
        speed[:] = np.where(up & ~at_top, np.minimum(speed + _lerp(self.UP_STEP_MPS, frac),
                                                     self.max_speed_mps), speed)
        grade[:] = np.where(climb, np.minimum(grade + _lerp(self.GRADE_STEP, frac),
                                              self.max_grade_frac), grade)
        flatten = down & (grade > 0)
        grade[:] = np.where(flatten, np.maximum(grade - _lerp(self.GRADE_STEP, frac), 0.0),
                            grade)
        speed[:] = np.where(down & ~flatten, np.maximum(speed - _lerp(self.DOWN_STEP_MPS, frac),
                                                        self.min_speed_mps), speed)
        changed = up | down | ramp_down
        last[:] = np.where(up | down, t, last)
        return Command(speed_mps=np.where(changed, speed, np.nan),
                       grade_frac=np.where(climb | flatten, grade, np.nan), stop=stop)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> HeartRateTarget:
        """From a scenario's controller parameters (bpm, km/h, %, s)."""
        keys = {"target_hr_bpm": (60, 220, "min-1", 1.0),
                "target_pct_hrmax": (30, 100, "%", 0.01), "zone_bpm": (0.5, 30, "min-1", 1.0),
                "min_speed_kmh": (0.8, 20, "km/h", MPS_PER_KMH),
                "max_speed_kmh": (0.8, 20, "km/h", MPS_PER_KMH),
                "max_grade_pct": (0, 15, "%", 0.01), "full_scale_bpm": (1, 100, "min-1", 1.0),
                "loss_hold_s": (0, 600, "s", 1.0), "loss_end_s": (0, 3600, "s", 1.0)}
        names = {"target_pct_hrmax": "target_frac_hrmax", "min_speed_kmh": "min_speed_mps",
                 "max_speed_kmh": "max_speed_mps", "max_grade_pct": "max_grade_frac"}
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            if key not in keys:
                raise InputError(key, "is not a parameter of the hr-target controller",
                                 ", ".join(keys))
            low, high, unit, scale = keys[key]
            kwargs[names.get(key, key)] = check_number(key, value, low, high, unit) * scale
        if "target_hr_bpm" in table and "target_pct_hrmax" in table:
            raise InputError("target_pct_hrmax", "give either target_hr_bpm or target_pct_hrmax",
                             "one of them")
        if "target_pct_hrmax" in table:
            kwargs["target_hr_bpm"] = None
        hr = cls(**kwargs)
        if hr.min_speed_mps > hr.max_speed_mps:
            raise InputError("min_speed_kmh", "is above max_speed_kmh", "min <= max")
        return hr


def _lerp(pair: tuple[float, float], frac: np.ndarray) -> np.ndarray:
    return pair[0] + (pair[1] - pair[0]) * frac
