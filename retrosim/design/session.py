"""Single-session designs: a candidate is one arm, one walking stage then a seated rest.

A candidate's session is ``walk DIRECTION at SPEED mph, GRADE% grade for MINUTES min`` then
``rest for 10 min`` (so that the recovery shows in ``retrosim run``), with the handrail the
candidate holds. What is not varied keeps its value from the scenario's first arm: the speed,
grade and direction of its longest walking stage, its walking minutes, its handrail (or the
person's).

A batch of candidates is one scenario with one arm per distinct protocol, run through
:meth:`retrosim.Simulation.versions`: every arm's session holds the person as given (subject 0,
the central value an objective takes) and the plausible versions of her (the draws a limit's
quantile is taken over) on one subject axis. Each arm is named ``design``, as in the file
written for it, so a written design draws the same random events in ``retrosim run``.

The outcomes (:data:`OUTCOMES`) are exact where the engine is: the energy while walking and the
peaks of the first-order state, the fall risk ``1 - exp(-H)`` of the session as commanded; the
systolic peak is the pressure at the timeline's knots (the stage changes), where a first-order
rise toward a stepwise target peaks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from retrosim import api, units
from retrosim.design.problem import CachedEvaluator, Candidate
from retrosim.model.scenario import Scenario
from retrosim.model.subject import HANDRAIL_LEVELS
from retrosim.results.dataset import VARIABLES as RESULT_VARIABLES
from retrosim.variables import Catalogue, Variable

#: The arm name of every candidate, in the search and in the written file.
ARM = "design"
#: Seated rest after the walking stage [min].
REST_MIN = 10
#: The variables of a session, with the step a range moves on (mph, %, min) or the choices.
STEPS = {"speed_mph": 0.1, "grade_pct": 0.5, "minutes": 1.0}
CHOICES = {"direction": ("forward", "backward"), "handrail": HANDRAIL_LEVELS}
VARIABLES = ("speed_mph", "grade_pct", "direction", "minutes", "handrail")
#: Bounds a range may take (the treadmill and the stage parser check again).
BOUNDS = {"speed_mph": (0.1, 12.0), "grade_pct": (-3.0, 25.0), "minutes": (1.0, 240.0)}
#: The outcomes a design works out from a session; the others are the session's summaries as
#: they are, declared where the session declares them. The tag ``design:N`` places each in the
#: outcomes (the columns of ``front.csv``, after the varied variables).
DERIVED = Catalogue(
    Variable("energy_walking", "kcal", "energy expended while walking", {"design:0"}),
    Variable("hr_reserve_peak", "1", "peak fraction of heart-rate reserve, (HRpeak - HRrest)/"
             "(HRmax - HRrest)", {"design:1"}),
    Variable("sbp_peak", "mmHg", "peak systolic pressure", {"design:3"}),
    Variable("met_walking", "1", "mean MET while walking", {"design:6"}),
    Variable("minutes_walking", "min", "time walking", {"design:7"}),
)
#: The outcomes taken as they are from a session's summaries (declared with the design tag).
TAKEN = RESULT_VARIABLES.select("design")
#: Every outcome of a single-session design, declared.
DECLARED = Catalogue(*(RESULT_VARIABLES[name] for name in TAKEN), DERIVED)


def meaning(variable: Variable) -> str:
    """What an outcome is, with its units: ``long_name [units]`` (no units for a number).

    >>> meaning(DERIVED["sbp_peak"]), meaning(DERIVED["met_walking"])
    ('peak systolic pressure [mmHg]', 'mean MET while walking')
    """
    units = variable.units
    return f"{variable.long_name} [{units}]" if units not in ("", "1") else variable.long_name


#: The outcomes an objective or a limit may name, in their order: units and meaning.
OUTCOMES = {name: meaning(DECLARED[name]) for name in DECLARED.select("design")}


def defaults(scenario: Scenario) -> dict[str, Any]:
    """The values of what is not varied, from the scenario's first arm."""
    arm = next(iter(scenario.arms.values()))
    walking = [s for s in arm.protocol.stages if not s.is_rest] or list(arm.protocol.stages)
    main = max(walking, key=lambda s: s.duration_s)
    minutes = sum(s.duration_s for s in walking) / 60.0
    return {"speed_mph": round(float(units.mps_to_mph(main.speed_mps)), 1) or 1.0,
            "grade_pct": round(float(units.frac_to_pct(main.grade_frac)), 1),
            "direction": "forward" if main.direction > 0 else "backward",
            "minutes": float(round(minutes)) or 1.0,
            "handrail": arm.handrail or scenario.subject.handrail}


def arm_table(values: Candidate) -> dict[str, Any]:
    """The ``[arms.design]`` table of a candidate (every variable given)."""
    grade = f", {values['grade_pct']:g}% grade" if values["grade_pct"] else ""
    return {"description": f"{values['direction']} at {values['speed_mph']:g} mph{grade}, "
                           f"{values['minutes']:g} min, handrail {values['handrail']}",
            "handrail": values["handrail"],
            "stages": [f"walk {values['direction']} at {values['speed_mph']:g} mph{grade} "
                       f"for {values['minutes']:g} min", f"rest for {REST_MIN} min"]}


def knots_of(t: np.ndarray) -> np.ndarray:
    """Every knot time of a timeline (K, S): the shared ones, and those of the few columns a
    stop made their own."""
    if t.shape[1] == 1:
        return np.unique(t)
    own = (t != t[:, :1]).any(axis=0)
    return np.unique(np.concatenate([t[:, 0], t[:, own].ravel()]))


def outcomes_of(session: Any) -> dict[str, np.ndarray]:
    """Every outcome of :data:`OUTCOMES` for each subject of a session (N,)."""
    summary = {**session.trajectory_summary(), **session.summary}
    ph = session.physiology
    reserve = (summary["hr_peak"] - ph.hr_rest) / (ph.hr_max - ph.hr_rest)
    sbp = session.traces["sbp"](knots_of(session.timeline.t))
    return {"energy_walking": summary["energy_exercise"], "hr_reserve_peak": reserve,
            "sbp_peak": np.nanmax(sbp, axis=0), "met_walking": summary["met_mean_exercise"],
            "minutes_walking": summary["exercise_time"] / 60.0,
            **{name: summary[name] for name in TAKEN}}


class SessionEvaluator(CachedEvaluator):
    """Evaluate batches of single-session candidates for the person of ``scenario``, with
    ``draws`` plausible versions of her each, all of a batch's protocols in one run."""

    outcomes = OUTCOMES

    def document(self, candidate: Candidate) -> dict[str, Any]:
        """The scenario of one candidate, as TOML data: the person and options of the
        scenario, the candidate's arm."""
        doc = {k: v for k, v in self.base.items() if k not in ("arms", "sweep", "program")}
        doc["arms"] = {ARM: arm_table(self.full(candidate))}
        return doc

    def simulate(self, todo: list[dict[str, Any]]) -> list[dict[str, np.ndarray]]:
        doc = {k: v for k, v in self.base.items() if k not in ("arms", "sweep", "program")}
        doc["arms"] = {f"c{i}": arm_table(values) for i, values in enumerate(todo)}
        batch = Scenario.from_dict(doc, source=self.scenario.source)
        arms = {name: dataclasses.replace(arm, name=ARM) for name, arm in batch.arms.items()}
        batch = dataclasses.replace(batch, arms=arms)
        return [outcomes_of(session)
                for session in api.Simulation(batch, seed=self.seed).versions(self.draws)]


def evaluator(scenario: Scenario, base: dict[str, Any], seed: int, draws: int,
              fixed: dict[str, Any]) -> SessionEvaluator:
    return SessionEvaluator(scenario, base, seed, draws, fixed)
