"""Sweeps as data: a ``[sweep]`` grid over protocol parameters and cohort keys -> more arms.

A scenario's ``[sweep]`` table lists values for protocol parameters and, under
``[sweep.cohort]``, for cohort keys; every arm is run at every point of the grid (their
product), as one job::

    [sweep]
    speed_mph = [1.5, 2.0]              # every walking stage at this speed
    handrail = ["none", "grip"]         # the arm's handrail
    objectives = {energy_total = "max", fell = "min"}
    events = ["bp-exaggerated"]         # per-person counts of these events, as summaries

    [sweep.cohort]
    balance = ["good", "impaired"]      # everyone at this level (any [cohort] value works)

Protocol parameters apply to every walking stage of every arm (rest stages keep their
duration): ``direction``, one of ``speed_mph``/``speed_kmh``/``speed_mps``, ``grade_pct``,
one of ``duration_s``/``duration_min``/``duration_h``; ``handrail`` sets the arm's handrail
(a stage's own handrail still wins). Arm ``backward`` at one grid point is named
``backward/speed_mph=2,handrail=grip``. A cohort grid point keeps everyone's other draws:
the same people, with one key set otherwise, so arms stay paired.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

from retrosim import units
from retrosim.errors import InputError, check_choice
from retrosim.model.arm import Arm
from retrosim.model.cohort import CohortSpec
from retrosim.model.protocol import DIRECTIONS, Protocol, Stage
from retrosim.model.subject import HANDRAIL_LEVELS

SPEED_KEYS = {"speed_mph": units.MPS_PER_MPH, "speed_kmh": units.MPS_PER_KMH, "speed_mps": 1.0}
DURATION_KEYS = {"duration_s": 1.0, "duration_min": 60.0, "duration_h": 3600.0}
PROTOCOL_KEYS = ("direction", *SPEED_KEYS, "grade_pct", *DURATION_KEYS, "handrail")
SWEEP_KEYS = (*PROTOCOL_KEYS, "cohort", "objectives", "events")
GOALS = ("max", "min")


@dataclass(frozen=True)
class Sweep:
    """A validated ``[sweep]`` table.

    ``grid``: (parameter, values) in the order given; cohort keys are named ``cohort.KEY``.
    ``objectives``: (summary, "max" or "min") for the ranking; empty: the defaults.
    ``events``: event kinds counted per person into summaries ``events_KIND`` (a sweep's
    store and :func:`retrosim.scale.comparison.compare` add them).
    """

    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    objectives: tuple[tuple[str, str], ...] = ()
    events: tuple[str, ...] = ()

    @classmethod
    def from_table(cls, table: Any) -> Sweep:
        if not isinstance(table, dict):
            raise InputError("", f"{table!r} is not a table", "[sweep] with lists of values")
        for key in table:
            if key not in SWEEP_KEYS:
                raise InputError(key, "is not a sweep key", ", ".join(SWEEP_KEYS))
        for group in (SPEED_KEYS, DURATION_KEYS):
            given = [k for k in group if k in table]
            if len(given) > 1:
                raise InputError(given[1], f"and {given[0]} both given", "one of them")
        grid = [(key, _values(key, table[key])) for key in table if key in PROTOCOL_KEYS]
        cohort = table.get("cohort", {})
        if not isinstance(cohort, dict):
            raise InputError("cohort", f"{cohort!r} is not a table",
                             "[sweep.cohort] with lists of values")
        grid += [(f"cohort.{key}", _values(f"cohort.{key}", values))
                 for key, values in cohort.items()]
        objectives = table.get("objectives", {})
        if not isinstance(objectives, dict):
            raise InputError("objectives", f"{objectives!r} is not a table",
                             '{energy_total = "max", ...}')
        for name, goal in objectives.items():
            check_choice(f"objectives.{name}", goal, GOALS)
        events = table.get("events", [])
        if not isinstance(events, list) or not all(isinstance(e, str) and e.strip()
                                                   for e in events):
            raise InputError("events", f"{events!r} is not a list of event kinds",
                             '["bp-exaggerated", "fall", ...]')
        for key, values in grid:
            if key == "direction":
                for v in values:
                    check_choice("direction", v, ("forward", "backward"))
            if key == "handrail":
                for v in values:
                    check_choice("handrail", v, HANDRAIL_LEVELS)
        return cls(tuple(grid), tuple(objectives.items()), tuple(dict.fromkeys(events)))

    def points(self) -> list[dict[str, Any]]:
        """Every point of the grid, as {parameter: value}, the last parameter fastest."""
        names = [name for name, _ in self.grid]
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(values for _, values in self.grid))]


def expand(arms: dict[str, Arm], sweep: Sweep, cohort: CohortSpec | None) -> dict[str, Arm]:
    """Every arm at every grid point (arms unchanged when the grid is empty).

    ``cohort`` is the scenario's population (a ``[subject]`` scenario passes its subject as a
    constant cohort); it is needed only when the grid names cohort keys.
    """
    if not sweep.grid:
        return arms
    populations: dict[str, CohortSpec] = {}
    out: dict[str, Arm] = {}
    for arm in arms.values():
        for point in sweep.points():
            label = ",".join(f"{k}={label_of(v)}" for k, v in point.items())
            stages = tuple(_stage(s, point, arm.name, label, i)
                           for i, s in enumerate(arm.protocol.stages))
            people = {k.removeprefix("cohort."): v for k, v in point.items()
                      if k.startswith("cohort.")}
            spec = None
            if people:
                key = repr(sorted(people.items()))
                if key not in populations:
                    assert cohort is not None
                    try:
                        populations[key] = cohort.with_values(people)
                    except InputError as err:
                        raise InputError("cohort", f"at {label}: {err.key}: {err.problem}",
                                         err.allowed) from None
                spec = populations[key]
            name = f"{arm.name}/{label}"
            out[name] = dataclasses.replace(
                arm, name=name, protocol=Protocol(stages),
                handrail=point.get("handrail", arm.handrail),
                params=tuple((k, label_of(v) if isinstance(v, dict | list) else v)
                             for k, v in point.items()),
                cohort=spec, base=arm.name)
    return out


def coordinates(arms: list[Arm]) -> dict[str, list[Any]]:
    """Per-arm coordinates of a swept scenario: the base arm and each grid parameter."""
    if not any(arm.params for arm in arms):
        return {}
    coords: dict[str, list[Any]] = {"protocol": [arm.base or arm.name for arm in arms]}
    for name in dict.fromkeys(k for arm in arms for k, _ in arm.params):
        coords[name.replace(".", "_")] = [dict(arm.params).get(name) for arm in arms]
    return coords


def label_of(value: Any) -> str:
    """A short, stable text for a grid value.

    >>> label_of(2.0), label_of("grip"), label_of({"dist": "normal", "mean": 70, "sd": 8})
    ('2', 'grip', 'normal(mean=70,sd=8)')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ";".join(label_of(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ",".join(f"{k}={label_of(v)}" for k, v in value.items() if k != "dist")
        return f"{value['dist']}({inner})" if "dist" in value else inner
    return str(value)


def _values(key: str, values: Any) -> tuple[Any, ...]:
    if not isinstance(values, list) or not values:
        raise InputError(key, f"{values!r} is not a list of values", "a non-empty list, "
                         "e.g. [1.5, 2.0]")
    labels = [label_of(v) for v in values]
    if len(set(labels)) < len(labels):
        raise InputError(key, "repeats a value", "each value once")
    if key in SPEED_KEYS or key == "grade_pct" or key in DURATION_KEYS:
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise InputError(key, f"{v!r} is not a number", "numbers")
    return tuple(values)


def _stage(stage: Stage, point: dict[str, Any], arm: str, label: str, i: int) -> Stage:
    if stage.is_rest:
        return stage
    direction = DIRECTIONS[point["direction"]] if "direction" in point else stage.direction
    speed = next((point[k] * f for k, f in SPEED_KEYS.items() if k in point), stage.speed_mps)
    grade = point["grade_pct"] / 100.0 if "grade_pct" in point else stage.grade_frac
    duration = next((point[k] * f for k, f in DURATION_KEYS.items() if k in point),
                    stage.duration_s)
    try:
        return Stage.make(direction, float(speed), float(grade), float(duration),
                          stage.handrail)
    except InputError as err:
        raise InputError("", f"arm {arm} at {label}, stage {i + 1}: {err.problem}",
                         err.allowed) from None
