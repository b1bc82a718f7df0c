"""A user's controller, as an example: what ``path = "package.module:Class"`` points at.

:class:`ProportionalHr` is the kind of heart-rate program an app developer writes: a scalar
controller (one person, plain floats), a few lines of state, a gain to tune. The scenario
``controller-regression`` runs it, its test (``tests/testing/test_controller_regression.py``) keeps
its golden trace and checks the safety invariants. It is deliberately simple, not a
recommendation.

:class:`InclineHr` is a heart-rate program for uphill walking that passes its scenario
``incline-hr`` under ``retrosim check`` but hides a bug that ``retrosim check --explore`` finds
(``docs/explore.md``).
"""

from __future__ import annotations

import math

from retrosim.controllers.base import Command, Observation
from retrosim.units import MPS_PER_KMH


class ProportionalHr:
    """Integral heart-rate control: every ``period_s`` change the speed by ``gain`` km/h per
    bpm the heart rate is below (or above) the target, within ``min_speed_kmh`` to
    ``max_speed_kmh`` walking forward (``max_backward_speed_kmh`` walking backward: the
    stage's direction decides); keep the speed while the signal is lost.

    >>> from retrosim.controllers.base import Observation
    >>> c = ProportionalHr(target_hr_bpm=110, gain=0.01)
    >>> obs = Observation(0.0, "stage", 0.8, 0.0, 1, 100.0, True, False, False, False, 0.0,
    ...                   0.0, 180.0, 0, 0.8, 0.0, 1, 600.0)
    >>> round(c.step(obs).speed_mps * 3.6, 2)
    2.88
    """

    def __init__(self, target_hr_bpm: float = 110.0, gain: float = 0.01,
                 min_speed_kmh: float = 2.0, max_speed_kmh: float = 6.5,
                 max_backward_speed_kmh: float = 4.0, period_s: float = 5.0) -> None:
        self.target_hr_bpm, self.gain = target_hr_bpm, gain
        self.min_speed_kmh, self.max_speed_kmh = min_speed_kmh, max_speed_kmh
        self.max_backward_speed_kmh = max_backward_speed_kmh
        self.period_s = period_s
        self.speed_kmh = math.nan
        self.top_kmh = max_speed_kmh
        self.stage = -1

    def step(self, obs: Observation) -> Command:
        if obs.stage != self.stage:
            self.stage = obs.stage
            if obs.stage_speed_mps == 0:
                return Command(stop=True)
            self.top_kmh = self.max_speed_kmh if obs.stage_direction > 0 else \
                min(self.max_speed_kmh, self.max_backward_speed_kmh)
            self.speed_kmh = min(obs.stage_speed_mps / MPS_PER_KMH, self.top_kmh)
            return Command(speed_mps=self.speed_kmh * MPS_PER_KMH, direction=obs.stage_direction,
                           grade_frac=obs.stage_grade_frac, start=True)
        if obs.stage_speed_mps == 0 or math.isnan(obs.hr_bpm):
            return Command()
        change = self.gain * (self.target_hr_bpm - obs.hr_bpm)
        self.speed_kmh = min(max(self.speed_kmh + change, self.min_speed_kmh), self.top_kmh)
        return Command(speed_mps=self.speed_kmh * MPS_PER_KMH)


class InclineHr:
    """A heart-rate program for uphill walking, with a latent bug kept on purpose.

    Every ``period_s`` it moves the speed toward the target heart rate by ``gain`` km/h per
    bpm of error, never more than ``max_change_kmh`` at one call, within ``min_speed_kmh``
    to ``max_speed_kmh`` (``max_backward_speed_kmh`` backward); at its lowest speed it
    lowers the incline by 3 % a call instead. A stage starts at its own speed (or climbs
    toward its range's top), incline and direction. When the heart-rate signal is lost it
    keeps the speed on a level stage; on an incline of ``incline_pct`` or more it comes
    down to ``fallback_kmh`` once the signal has been gone for ``loss_hold_s`` (walking
    uphill blind is the risky case); after ``loss_end_s`` without a signal it stops the
    belt. When the signal returns it resumes.

    The bug: it resumes by asking for the speed it had before the dropout in one command,
    forgetting its own ``max_change_kmh``. After a dropout during an incline walked faster
    than ``fallback_kmh`` + 2 km/h, the treadmill is asked for a rise of more than the 2 km/h
    a controller may ask at once (the ``commanded-speed-step`` invariant). Its scenario
    ``incline-hr`` passes ``retrosim check``; ``retrosim check ... --explore`` finds the bug
    (``docs/explore.md``). Not a recommendation.

    >>> from retrosim.controllers.base import Observation
    >>> c = InclineHr()
    >>> obs = Observation(0.0, "stage", 0.0, 0.0, 1, 100.0, True, False, False, False, 0.0,
    ...                   0.0, 180.0, 0, 6.0 / 3.6, 0.06, 1, 600.0)
    >>> round(c.step(obs).speed_mps * 3.6, 2)                 # the stage's own speed
    6.0
    """

    def __init__(self, target_hr_bpm: float = 115.0, gain: float = 0.02,
                 max_change_kmh: float = 0.5, min_speed_kmh: float = 2.0,
                 max_speed_kmh: float = 6.5, max_backward_speed_kmh: float = 4.0,
                 incline_pct: float = 2.0, fallback_kmh: float = 1.0,
                 loss_hold_s: float = 10.0, loss_end_s: float = 60.0,
                 period_s: float = 5.0) -> None:
        self.target_hr_bpm, self.gain, self.max_change_kmh = target_hr_bpm, gain, max_change_kmh
        self.min_speed_kmh, self.max_speed_kmh = min_speed_kmh, max_speed_kmh
        self.max_backward_speed_kmh = max_backward_speed_kmh
        self.incline_pct, self.fallback_kmh = incline_pct, fallback_kmh
        self.loss_hold_s, self.loss_end_s, self.period_s = loss_hold_s, loss_end_s, period_s
        self.speed_kmh = self.top_kmh = max_speed_kmh
        self.stage, self.lost_at, self.fell_back = -1, math.nan, False

    def step(self, obs: Observation) -> Command:
        if obs.stage != self.stage:
            self.stage, self.lost_at, self.fell_back = obs.stage, math.nan, False
            if obs.stage_speed_mps == 0:
                return Command(stop=True)
            self.top_kmh = self.max_speed_kmh if obs.stage_direction > 0 else \
                min(self.max_speed_kmh, self.max_backward_speed_kmh)
            self.speed_kmh = obs.stage_speed_mps / MPS_PER_KMH
            if self.speed_kmh > self.top_kmh:             # above its range: climb to the top
                now = obs.target_speed_mps / MPS_PER_KMH if obs.running else 0.0
                self.speed_kmh = min(self.top_kmh, max(now + self.max_change_kmh,
                                                       self.min_speed_kmh))
            return Command(speed_mps=self.speed_kmh * MPS_PER_KMH, direction=obs.stage_direction,
                           grade_frac=obs.stage_grade_frac, start=True)
        if obs.stage_speed_mps == 0:
            return Command()
        if math.isnan(obs.hr_bpm):                        # no signal
            if math.isnan(self.lost_at):
                self.lost_at = obs.time_s
            if obs.time_s - self.lost_at >= self.loss_end_s:
                return Command(stop=True)                 # a minute blind: end the walk
            uphill = obs.stage_grade_frac * 100 >= self.incline_pct
            if uphill and obs.time_s - self.lost_at >= self.loss_hold_s and not self.fell_back:
                self.fell_back = True
                return Command(speed_mps=min(self.fallback_kmh, self.speed_kmh) * MPS_PER_KMH)
            return Command()
        self.lost_at = math.nan
        if self.fell_back:                                # the signal is back: resume
            self.fell_back = False
            return Command(speed_mps=self.speed_kmh * MPS_PER_KMH)     # the bug: one jump
        change = self.gain * (self.target_hr_bpm - obs.hr_bpm)
        change = min(max(change, -self.max_change_kmh), self.max_change_kmh)
        if change < 0 and self.speed_kmh <= self.min_speed_kmh and obs.target_grade_frac > 0:
            return Command(grade_frac=max(obs.target_grade_frac - 0.03, 0.0))   # flatten
        self.speed_kmh = min(max(self.speed_kmh + change, self.min_speed_kmh), self.top_kmh)
        return Command(speed_mps=self.speed_kmh * MPS_PER_KMH)
