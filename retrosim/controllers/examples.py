"""A user's controller, as an example: what ``path = "package.module:Class"`` points at.

:class:`ProportionalHr` is the kind of heart-rate program an app developer writes: a scalar
controller (one person, plain floats), a few lines of state, a gain to tune. The scenario
``controller-regression`` runs it, its test (``tests/testing/test_controller_regression.py``) keeps
its golden trace and checks the safety invariants. It is deliberately simple, not a
recommendation.
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
