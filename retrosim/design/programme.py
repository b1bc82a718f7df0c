"""Programme designs: a candidate is a ``[program]`` (weeks, sessions a week) and one arm whose
session is ``walk DIRECTION at SPEED mph for MINUTES min`` then ``rest for 10 min``, growing by
``progression`` mph a week (no cap below what the weeks reach, no cap above the treadmill's).

What is not varied keeps its value from the scenario: its ``[program]`` (the first phase's
weeks and sessions a week, what a fall does), its first arm's longest walking stage and
handrail, its progression in mph a week (0 when it has none).

A programme's sessions depend on each other (fitness, balance and practice carry over; a fall
may pause it), so a candidate runs as its own programme through :class:`retrosim.Simulation`
(:meth:`~retrosim.Simulation.programme_versions`), for the person (subject 0) and ``draws``
plausible versions of her (predicted traits, model errors and responses to training, as a
single-session design draws them), each with her own random events (falls and what they do to
the calendar): a limit holds at a quantile of those.

Outcomes at the end of the programme (:data:`OUTCOMES`): the changes of VO2max, Berg score and
resting systolic pressure from the first morning to the last day; over its sessions, the
energy walked, the highest fraction of heart-rate reserve, and the probability of at least one
fall, ``1 - prod(1 - r_i)`` over the exact risks of the sessions attended.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from retrosim import api, units
from retrosim.design import session as single
from retrosim.design.problem import CachedEvaluator, Candidate
from retrosim.model.scenario import Scenario
from retrosim.physiology import heart
from retrosim.results.programme import VARIABLES as PROGRAMME_VARIABLES
from retrosim.results.programme import programme_fall_risk

ARM = single.ARM
STEPS = {"speed_mph": 0.1, "minutes": 1.0, "weeks": 1.0, "sessions_per_week": 1.0,
         "progression": 0.05}
CHOICES = single.CHOICES
VARIABLES = ("weeks", "sessions_per_week", "minutes", "speed_mph", "progression",
             "direction", "handrail")
BOUNDS = {"speed_mph": (0.1, 12.0), "minutes": (1.0, 240.0), "weeks": (1.0, 52.0),
          "sessions_per_week": (1.0, 7.0), "progression": (0.0, 2.0)}
OUTCOMES = {
    "vo2max_change": "VO2max at the end minus at the start [mL kg-1 min-1]",
    "berg_change": "Berg Balance Scale at the end minus at the start [points]",
    "sbp_rest_change": "resting systolic pressure at the end minus at the start [mmHg]",
    "energy_walking": "kcal while walking, over the programme",
    "hr_reserve_peak": "highest peak fraction of heart-rate reserve of any session",
    "fall_risk": "probability of at least one fall over the programme",
    "sessions": "sessions attended",
}


def defaults(scenario: Scenario) -> dict[str, Any]:
    """The values of what is not varied, from the scenario's programme and first arm."""
    out = single.defaults(scenario)
    out.pop("grade_pct")
    program = scenario.program
    assert program is not None
    first = program.phases[0]
    name, arm = next(iter(scenario.arms.items()))
    plan = program.arms[name].progression
    step = plan.speed_mps_per_week if plan is not None else 0.0
    walking = [s for s in arm.protocol.stages if not s.is_rest]
    main = max(walking, key=lambda s: s.duration_s) if walking else None
    out["minutes"] = float(round(main.duration_s / 60.0)) if main else out["minutes"]
    return {**out, "weeks": float(first.weeks),
            "sessions_per_week": float(first.sessions_per_week),
            "progression": round(float(units.mps_to_mph(step)), 2)}


def document(base: dict[str, Any], values: Candidate) -> dict[str, Any]:
    """The scenario of one candidate, as TOML data."""
    doc = {k: v for k, v in base.items() if k not in ("arms", "sweep", "program")}
    program = {k: v for k, v in base.get("program", {}).items()
               if k in ("on_fall", "pause_days")}
    weeks = int(values["weeks"])
    doc["program"] = {"weeks": weeks, "sessions_per_week": int(values["sessions_per_week"]),
                      **program}
    speed, step = values["speed_mph"], values["progression"]
    arm: dict[str, Any] = {
        "description": f"{values['direction']} at {speed:g} mph for {values['minutes']:g} min"
                       f", +{step:g} mph a week, handrail {values['handrail']}",
        "handrail": values["handrail"],
        "stages": [f"walk {values['direction']} at {speed:g} mph for {values['minutes']:g} min",
                   f"rest for {single.REST_MIN} min"]}
    if step:
        arm["progression"] = {"speed_mph_per_week": step,
                              "max_speed_mph": round(float(speed + step * (weeks - 1)), 2)}
    doc["arms"] = {ARM: arm}
    return doc


def outcomes_of(ds: Any, scenario: Scenario) -> dict[str, np.ndarray]:
    """Every outcome of :data:`OUTCOMES` for each subject of a programme's result (N,)."""
    r = ds.isel(arm=0)
    hr_max = scenario.subject.hr_max_bpm or float(
        heart.HR_MAX_MODELS[scenario.energy.hr_max](np.array([scenario.subject.age_yr]),
                                                    scenario.subject.sex == "female")[0])
    rest = r.hr_rest_used.values
    attended = r.attended.values.astype(bool)
    reserve = np.where(attended, (r.hr_peak.values - rest) / (hr_max - rest), -np.inf)
    change = {f"{k}_change": (r[k].isel(day=-1) - r[k].isel(day=0)).values.astype(float)
              for k in PROGRAMME_VARIABLES.select("change")}
    return {**change,
            "energy_walking": np.where(attended, r.energy_exercise.values, 0.0).sum(axis=1),
            "hr_reserve_peak": reserve.max(axis=1),
            "fall_risk": programme_fall_risk(r),
            "sessions": attended.sum(axis=1).astype(float)}


class ProgrammeEvaluator(CachedEvaluator):
    """Evaluate programme candidates, each a run of the person and ``draws`` plausible
    versions of her, each with her own random events."""

    outcomes = OUTCOMES

    def document(self, candidate: Candidate) -> dict[str, Any]:
        return document(self.base, self.full(candidate))

    def simulate(self, todo: list[dict[str, Any]]) -> list[dict[str, np.ndarray]]:
        out = []
        for values in todo:
            sc = Scenario.from_dict(document(self.base, values), source=self.scenario.source)
            ds = api.Simulation(sc, seed=self.seed).programme_versions(self.draws)
            out.append(outcomes_of(ds, sc))
        return out


def evaluator(scenario: Scenario, base: dict[str, Any], seed: int, draws: int,
              fixed: dict[str, Any]) -> ProgrammeEvaluator:
    return ProgrammeEvaluator(scenario, base, seed, draws, fixed)
