"""Hypothesis strategies for what can vary under a controller: the walker, the protocol and
the fault schedule, composed into one :class:`Case` that is a runnable scenario.

Each draw is built so that Hypothesis's shrinking makes it simpler: fewer stages and faults
(lists shrink toward short), shorter stages and faults, numbers on round grids (speeds in
0.5 km/h, grades in whole percent, fault starts in whole minutes or 5 s steps, fault
lengths from 5 s to 10 min) that shrink toward a typical value (a 3 km/h walk on the level;
a 40-year-old man of 70 kg with a resting heart rate of 70 bpm, good balance, no backward
practice; a fault at the start, for 5 s or to the end, with the kind's default parameter,
which the scenario then leaves out). The walker's traits range over the
bundled cohorts (``retrosim/data/cohorts``) and the subject limits; the stages over the
treadmill's limits (:mod:`retrosim.model.protocol`) and the scenario's ``[safety]`` caps,
so that a protocol never breaks the limits by itself; faults over every kind
:mod:`retrosim.controllers.faults` knows, anywhere inside the session.

>>> from hypothesis import find, settings
>>> case = find(cases(), lambda c: len(c.faults) == 1 and c.faults[0]["kind"] == "runaway",
...             settings=settings(database=None, derandomize=True, max_examples=2000))
>>> case.faults, case.stages
(({'kind': 'runaway', 'start_s': 0},), ('walk forward at 3 km/h for 1 min',))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from retrosim.controllers.faults import FAULT_KINDS
from retrosim.controllers.safety import SafetyLimits
from retrosim.model.protocol import GRADE_LIMITS_PCT, SPEED_LIMITS_MPS
from retrosim.physiology.balance import BALANCE_LEVELS
from retrosim.units import MPS_PER_KMH

#: The typical walker the draws shrink toward, and how far each trait may move from it
#: (the span of the bundled cohorts, within the subject limits).
WALKER = {"age_yr": (40, 18, 90), "mass_kg": (70, 45, 130), "hr_rest_bpm": (70, 45, 100)}
FITNESS = ("recreational", "inactive", "trained")
#: Accumulated backward practice [min] a walker may have (0: unpractised).
PRACTICE_MIN = (0, 30, 120, 600)
#: A fault kind's parameter: (key, the kind's default, grid step, lowest, highest).
FAULT_STEPS: dict[str, tuple[str, float, float, float, float]] = {
    "hr-spike": ("offset_bpm", -50.0, 10.0, -150.0, 100.0),
    "speed-sensor-noise": ("sd_kmh", 0.5, 0.5, 0.5, 5.0),
    "runaway": ("speed_kmh", 16.0, 1.0, 1.0, 20.0),
    "command-delay": ("delay_s", 5.0, 5.0, 5.0, 60.0),
    "belt-slip": ("slip_pct", 20.0, 5.0, 5.0, 70.0),
}
#: How long a fault lasts [s], when it does not last to the end of the session.
FAULT_DURATIONS_S = (5, 10, 15, 20, 30, 45, 60, 120, 300, 600)
SPEED_STEP_KMH = 0.5
TIME_STEP_S = 5
MAX_STAGES, MAX_STAGE_MIN, MAX_FAULTS = 3, 5, 3


@dataclass(frozen=True)
class Case:
    """One walker, one protocol and one fault schedule: a scenario's ``[subject]``, its
    arm's ``stages`` (stage strings) and its ``[[faults]]`` tables, with the run's seed."""

    walker: dict[str, Any]
    stages: tuple[str, ...]
    faults: tuple[dict[str, Any], ...]
    seed: int = 0

    @property
    def duration_s(self) -> float:
        return session_s(self.stages)

    def scenario(self, base: dict[str, Any] | None = None, name: str = "explored",
                 controller: dict[str, Any] | None = None) -> dict[str, Any]:
        """The scenario data: ``base``'s tables (``[safety]``, ``[treadmill]``, ...) with
        this walker, protocol and faults in one arm, ``explored``."""
        data: dict[str, Any] = {"name": name, "seed": self.seed, **(base or {}),
                                "subject": dict(self.walker)}
        if controller is not None:
            data["controller"] = dict(controller)
        if self.faults:
            data["faults"] = [dict(f) for f in self.faults]
        data["arms"] = {"explored": {"stages": list(self.stages)}}
        return data

    def __str__(self) -> str:
        w = self.walker
        walker = (f"{w['age_yr']} yr {w['sex']} {w['mass_kg']} kg, resting HR "
                  f"{w['hr_rest_bpm']}, {w['fitness']}, {w['balance']} balance"
                  + (f", {w['backward_practice_min']} min backward practice"
                     if w["backward_practice_min"] else ""))
        faults = "; ".join(fault_text(f) for f in self.faults) or "none"
        return (f"walker {walker}; stages: {'; '.join(self.stages)}; faults: {faults}; "
                f"seed {self.seed}")


def fault_text(f: dict[str, Any]) -> str:
    """``hr-loss at 60 s for 30 s`` (with a parameter when it is not the default)."""
    param = FAULT_STEPS.get(f["kind"])
    amount = f" ({param[0]} = {f[param[0]]:g})" if param and param[0] in f else ""
    span = f"for {f['duration_s']} s" if "duration_s" in f else "to the end"
    return f"{f['kind']}{amount} at {f['start_s']} s {span}"


def undetectable(case: Case) -> tuple[dict[str, Any], ...]:
    """The faults of ``case`` no supervisor could tell from the truth with the signals it has:
    a sensor reading low (an ``hr-spike`` with a negative offset) from before the first reading
    it could be compared with, at the session's start or while the signal is lost
    (``hr-loss``). Every reading the supervisor gets is then off by the same amount, with no
    step to see; the heart rate is in fact higher than any reading says.

    >>> spike = {"kind": "hr-spike", "start_s": 0}
    >>> undetectable(Case({}, ("walk forward at 3 km/h for 2 min",), (spike,)))
    ({'kind': 'hr-spike', 'start_s': 0},)
    >>> undetectable(Case({}, ("walk forward at 3 km/h for 2 min",), ({**spike, "start_s": 30},)))
    ()
    """
    def low_from_start(f: dict[str, Any]) -> bool:
        if f["kind"] != "hr-spike" or f.get("offset_bpm", FAULT_STEPS["hr-spike"][1]) >= 0:
            return False
        return f["start_s"] == 0 or any(
            g["kind"] == "hr-loss" and g["start_s"] <= f["start_s"]
            < g["start_s"] + g.get("duration_s", math.inf) for g in case.faults)

    return tuple(f for f in case.faults if low_from_start(f))


def session_s(stages: Sequence[str]) -> float:
    """The length of stage strings drawn here [s] (each ends "for N min")."""
    return sum(60.0 * int(s.rsplit("for ", 1)[1].split()[0]) for s in stages)


def _around(name: str) -> st.SearchStrategy[int]:
    typical, low, high = WALKER[name]
    return st.integers(low - typical, high - typical).map(lambda k: typical + k)


@st.composite
def walkers(draw: Any) -> dict[str, Any]:
    """A walker: a ``[subject]`` table (shrinks toward a typical 40-year-old man)."""
    return {"age_yr": draw(_around("age_yr")), "sex": draw(st.sampled_from(("male", "female"))),
            "mass_kg": draw(_around("mass_kg")), "hr_rest_bpm": draw(_around("hr_rest_bpm")),
            "fitness": draw(st.sampled_from(FITNESS)),
            "balance": draw(st.sampled_from(BALANCE_LEVELS)),
            "backward_practice_min": draw(st.sampled_from(PRACTICE_MIN))}


def _grid(low_kmh: float, high_kmh: float, typical_kmh: float = 3.0) -> st.SearchStrategy[float]:
    lo = math.ceil(round(low_kmh / SPEED_STEP_KMH, 9))
    hi = math.floor(round(high_kmh / SPEED_STEP_KMH, 9))
    mid = min(max(round(typical_kmh / SPEED_STEP_KMH), lo), hi)
    return st.integers(lo - mid, hi - mid).map(lambda k: (mid + k) * SPEED_STEP_KMH)


def walks(limits: SafetyLimits | None = None) -> st.SearchStrategy[str]:
    """A walking stage string within the treadmill's limits and the ``[safety]`` caps
    (forward, 3 km/h, level, 1 min when shrunk)."""
    lim = limits or SafetyLimits()
    grade_top = int(min(GRADE_LIMITS_PCT[1], lim.max_grade_frac * 100 + 1e-9))

    def walk(direction: str, cap_mps: float, sign: int) -> st.SearchStrategy[str]:
        low, high = SPEED_LIMITS_MPS[sign]
        speeds = _grid(max(low / MPS_PER_KMH, 1.0), min(high, cap_mps) / MPS_PER_KMH)
        return st.builds(
            lambda v, g, m: f"walk {direction} at {v:g} km/h" + (f", {g}% grade" if g else "")
            + f" for {m} min", speeds, st.integers(0, grade_top), st.integers(1, MAX_STAGE_MIN))

    return st.one_of(walk("forward", lim.max_speed_mps, 1),
                     walk("backward", lim.max_backward_speed_mps, -1))


def protocols(limits: SafetyLimits | None = None) -> st.SearchStrategy[tuple[str, ...]]:
    """One to :data:`MAX_STAGES` stages: a walk first (a session starts walking), then
    walks or rests."""
    rest = st.integers(1, MAX_STAGE_MIN).map(lambda m: f"rest for {m} min")
    return st.builds(lambda first, more: (first, *more), walks(limits),
                     st.lists(st.one_of(walks(limits), rest), max_size=MAX_STAGES - 1))


@st.composite
def faults(draw: Any, duration_s: float, kinds: Sequence[str] | None = None
           ) -> dict[str, Any]:
    """A fault table of one of ``kinds`` (default every kind) inside a session of
    ``duration_s``: it starts before the end (at a whole minute, or
    on a 5 s grid) and lasts 5 s to 10 min or to the end."""
    kind = draw(st.sampled_from(tuple(kinds or FAULT_KINDS)))
    last = max(int(duration_s) // TIME_STEP_S - 1, 0)
    start = draw(st.one_of(st.integers(0, last * TIME_STEP_S // 60).map(lambda m: 60 * m),
                           st.integers(0, last).map(lambda k: TIME_STEP_S * k)))
    table: dict[str, Any] = {"kind": kind, "start_s": min(start, last * TIME_STEP_S)}
    length = draw(st.one_of(st.sampled_from(FAULT_DURATIONS_S), st.none()))
    if length is not None:
        table["duration_s"] = length
    if kind in FAULT_STEPS:
        key, default, step, low, high = FAULT_STEPS[kind]
        k = draw(st.integers(round((low - default) / step), round((high - default) / step)))
        if k:
            value = default + k * step
            table[key] = int(value) if value == int(value) else value
    return table


@st.composite
def cases(draw: Any, limits: SafetyLimits | None = None,
          kinds: Sequence[str] | None = None) -> Case:
    """A :class:`Case`: a walker, a protocol, up to :data:`MAX_FAULTS` faults inside it,
    and a seed (0 when shrunk)."""
    walker = draw(walkers())
    protocol = draw(protocols(limits))
    schedule = draw(st.lists(faults(session_s(protocol), kinds), max_size=MAX_FAULTS))
    seed = draw(st.integers(0, 999))
    return Case(walker, protocol, tuple(schedule), seed)
