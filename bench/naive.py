"""The naive reference: one SimPy process per person, ticking every second.

This is the yardstick the engine is measured against (DESIGN.md, principle 2). It shares the
models and the treadmill plant with retrosim, and nothing else: no timeline, no closed form.

- The belt: a :class:`retrosim.engine.treadmill.Treadmill` driven by
  :func:`retrosim.engine.simulate.follow_protocol` in the same SimPy environment as the people; each
  person reads ``belt.state()`` at its own tick.
- Every person is a process that wakes every ``dt_s`` (1 s). At each tick it evaluates the
  energy model at the instantaneous speed, grade and direction (the sign of the belt velocity),
  applies the handrail support of the current stage (the stage's own, else the person's), and
  takes one forward Euler step of VO2 and HR toward their targets:
  ``x += dt (target - x) / tau``, with ``vo2 target = min(MET vo2_rest, vo2max)`` and the HR
  target from :func:`retrosim.physiology.heart.steady_state_hr`. Energy accumulates as
  ``kcal_per_min(MET) dt / 60`` (left rectangle rule). Peaks are the largest ticked values.

Per-person parameters come from :meth:`retrosim.solve.trajectory.Physiology.of`.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from itertools import accumulate

import numpy as np
import simpy

from retrosim.engine.simulate import EventLog, follow_protocol
from retrosim.engine.treadmill import Treadmill, TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.protocol import Protocol
from retrosim.model.scenario import Scenario
from retrosim.physiology import energy, heart
from retrosim.solve.trajectory import EnergyOptions, Physiology


def simulate(protocol: Protocol, limits: TreadmillLimits, cohort: Cohort,
             options: EnergyOptions, dt_s: float = 1.0) -> dict[str, np.ndarray]:
    """Run every person of ``cohort`` through ``protocol``; per-person summaries, each (N,).

    Returns ``energy_total`` [kcal], ``vo2_peak`` [mL kg-1 min-1] and ``hr_peak`` [min-1].
    """
    p = Physiology.of(cohort, options)
    model = energy.ENERGY_MODELS[options.model]
    n = cohort.size
    out = {name: np.zeros(n) for name in ("energy_total", "vo2_peak", "hr_peak")}

    env = simpy.Environment()
    first = protocol.stages[0]
    at_speed = limits.start == "at-speed"
    belt = Treadmill(env, limits, first.direction * first.speed_mps if at_speed else 0.0,
                     first.grade_frac if at_speed else 0.0)
    env.process(follow_protocol(env, protocol, belt, EventLog()))
    starts = list(accumulate((s.duration_s for s in protocol.stages[:-1]), initial=0.0))
    end = protocol.duration_s

    def person(i: int) -> Generator[simpy.Event, None, None]:
        mass, vo2_rest, vo2_max = float(p.mass_kg[i]), float(p.vo2_rest[i]), float(p.vo2_max[i])
        hr_rest, hr_max = float(p.hr_rest[i]), float(p.hr_max[i])
        tau_vo2, tau_hr = float(p.tau_vo2_s[i]), float(p.tau_hr_s[i])
        vo2, hr, kcal = vo2_rest, hr_rest, 0.0
        vo2_peak, hr_peak = vo2, hr
        while env.now < end:
            velocity, grade = belt.state()
            stage = protocol.stages[bisect.bisect_right(starts, env.now) - 1]
            support = (p.handrail[i] if stage.handrail is None
                       else energy.HANDRAIL_CODES.index(stage.handrail))
            met = float(energy.apply_handrail(
                model(abs(velocity), grade, -1 if velocity < 0 else 1), support))
            met = 1.0 + (met - 1.0) * float(p.met_scale[i])   # the person term of walking cost
            demand = met * vo2_rest
            vo2_target = min(demand, vo2_max)
            hr_target = float(heart.HR_MODELS[options.heart_rate](
                demand, vo2_rest, vo2_max, hr_rest, hr_max, -1 if velocity < 0 else 1,
                float(p.practice_min[i])))
            rate = float(energy.kcal_per_min(met, mass, resting_vo2=vo2_rest,
                                             convention=options.convention))
            h = min(dt_s, end - env.now)
            kcal += rate * h / 60.0
            vo2 += h * (vo2_target - vo2) / tau_vo2
            hr += h * (hr_target - hr) / tau_hr
            vo2_peak, hr_peak = max(vo2_peak, vo2), max(hr_peak, hr)
            yield env.timeout(h)
        out["energy_total"][i] = kcal
        out["vo2_peak"][i] = vo2_peak
        out["hr_peak"][i] = hr_peak

    for i in range(n):
        env.process(person(i))
    env.run()
    return out


def run(scenario: Scenario, arm: str | None = None, subjects: int = 1,
        dt_s: float = 1.0) -> dict[str, np.ndarray]:
    """The naive counterpart of ``retrosim.run(scenario, subjects=N)`` for one arm.

    ``arm`` defaults to the scenario's first. The people are those the engine simulates:
    ``subjects`` draws of the scenario's subject, with the arm's handrail when it sets one.
    """
    chosen = scenario.arms[arm or next(iter(scenario.arms))]
    cohort = Cohort.from_subject(scenario.subject, subjects)
    if chosen.handrail is not None:
        cohort = cohort.with_handrail(chosen.handrail)
    return simulate(chosen.protocol, scenario.treadmill, cohort, scenario.energy, dt_s)
