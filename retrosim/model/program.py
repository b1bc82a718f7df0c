"""Programmes: the ``[program]`` table and each arm's ``progression``, as a calendar of sessions.

A ``[program]`` table makes a scenario a programme of many sessions over weeks
(``docs/scenario-format.md``, "Programmes")::

    [program]
    weeks = 6                   # or phases = [{weeks = 4, sessions_per_week = 3},
    sessions_per_week = 3       #              {weeks = 4, sessions_per_week = 0}]
    on_fall = "pause"           # continue | pause | stop
    pause_days = 7
    model = "dose-response-threshold"   # how state moves between sessions (TRAINING_MODELS)

Each arm's ``stages`` is one session. An arm's optional ``progression`` grows the session week
by week (speed, grade and walking time, each with a cap), or its ``sessions`` list gives the
session of each week. Sessions of a week are spread over it: ``n`` sessions fall on days
``floor(7 k / n)``, k = 0 ... n - 1 (3 a week: Monday, Wednesday, Friday). Everything is
validated here, once, with the one-line errors of :class:`retrosim.errors.InputError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from retrosim import units
from retrosim.errors import InputError, check_choice, check_number
from retrosim.model.protocol import GRADE_LIMITS_PCT, MAX_STAGE_S, SPEED_LIMITS_MPS, Protocol
from retrosim.physiology.courses import DEFAULT_TRAINING_MODEL, TRAINING_MODELS

PROGRAM_KEYS = ("weeks", "sessions_per_week", "phases", "on_fall", "pause_days", "model")
PHASE_KEYS = ("weeks", "sessions_per_week")
ON_FALL = ("continue", "pause", "stop")
#: The longest programme a file may ask for (the day axis is 7 x weeks + 1 long).
MAX_WEEKS = 260
DEFAULT_PAUSE_DAYS = 7.0
_SPEED_UNITS = {"mph": units.MPS_PER_MPH, "kmh": units.MPS_PER_KMH}
PROGRESSION_KEYS = ("speed_mph_per_week", "max_speed_mph", "speed_kmh_per_week",
                    "max_speed_kmh", "grade_pct_per_week", "max_grade_pct",
                    "duration_min_per_week", "max_duration_min")


@dataclass(frozen=True)
class Phase:
    """A block of weeks with the same number of sessions a week (0: a break)."""

    weeks: int
    sessions_per_week: int


@dataclass(frozen=True)
class Progression:
    """How an arm's session grows each week, in SI; caps are inclusive, None: no growth.

    >>> p = Progression(speed_mps_per_week=0.1, max_speed_mps=1.2)
    >>> s = Protocol.parse(["walk backward at 2 mph for 10 min"])
    >>> round(p.session(s, 3).stages[0].speed_mps, 3)
    1.194
    """

    speed_mps_per_week: float = 0.0
    max_speed_mps: float | None = None
    grade_frac_per_week: float = 0.0
    max_grade_frac: float | None = None
    duration_s_per_week: float = 0.0
    max_duration_s: float | None = None

    def session(self, base: Protocol, week: int) -> Protocol:
        """The session of week ``week`` (0 = the first): every walking stage's speed and grade
        grow by the weekly steps up to their caps; the walking time grows on the longest
        walking stage until the session's walking time reaches its cap."""
        stages = list(base.stages)
        walking = [i for i, s in enumerate(stages) if not s.is_rest]
        for i in walking:
            s = stages[i]
            speed = s.speed_mps + week * self.speed_mps_per_week
            if self.max_speed_mps is not None:
                speed = min(speed, max(self.max_speed_mps, s.speed_mps))
            grade = s.grade_frac + week * self.grade_frac_per_week
            if self.max_grade_frac is not None:
                grade = min(grade, max(self.max_grade_frac, s.grade_frac))
            stages[i] = replace(s, speed_mps=speed, grade_frac=grade)
        if self.duration_s_per_week and walking:
            total = sum(stages[i].duration_s for i in walking)
            cap = math.inf if self.max_duration_s is None else max(self.max_duration_s, total)
            extra = min(week * self.duration_s_per_week, cap - total)
            longest = max(walking, key=lambda i: (stages[i].duration_s, -i))
            stages[longest] = replace(stages[longest],
                                      duration_s=stages[longest].duration_s + extra)
        return Protocol(tuple(stages))

    @classmethod
    def from_table(cls, table: Any, base: Protocol, key: str) -> Progression:
        """Validate an arm's ``progression`` table against its session ``base``."""
        if not isinstance(table, dict):
            raise InputError(key, f"{table!r} is not a table",
                             "{speed_mph_per_week = 0.25, max_speed_mph = 3.0, ...}")
        for name in table:
            if name not in PROGRESSION_KEYS:
                raise InputError(f"{key}.{name}", "is not a progression key",
                                 ", ".join(PROGRESSION_KEYS))
        speeds = [u for u in _SPEED_UNITS if f"speed_{u}_per_week" in table
                  or f"max_speed_{u}" in table]
        if len(speeds) > 1:
            raise InputError(f"{key}.speed_kmh_per_week", "give speeds in mph or in km/h, "
                             "not both", "speed_mph_per_week and max_speed_mph, or the km/h "
                             "pair")
        out: dict[str, Any] = {}
        walking = [s for s in base.stages if not s.is_rest]
        if speeds:
            u = speeds[0]
            top = SPEED_LIMITS_MPS[-1 if any(s.direction < 0 for s in walking) else 1][1]
            top_u = top / _SPEED_UNITS[u]
            out["speed_mps_per_week"] = _number(table, f"speed_{u}_per_week", key, 0.0, 2.0,
                                                u.replace("kmh", "km/h")) * _SPEED_UNITS[u]
            if f"max_speed_{u}" in table:
                cap = _number(table, f"max_speed_{u}", key, 0.5, top_u,
                              u.replace("kmh", "km/h")) * _SPEED_UNITS[u]
                out["max_speed_mps"] = cap
                _cap_not_below(walking, "speed_mps", cap, out["speed_mps_per_week"],
                               f"{key}.max_speed_{u}", f"{u.replace('kmh', 'km/h')}",
                               1.0 / _SPEED_UNITS[u])
            elif out["speed_mps_per_week"]:
                raise InputError(f"{key}.max_speed_{u}", "is required with a speed step",
                                 f"a cap up to {top_u:.3g} {u.replace('kmh', 'km/h')}")
        if "grade_pct_per_week" in table or "max_grade_pct" in table:
            out["grade_frac_per_week"] = _number(table, "grade_pct_per_week", key, 0.0, 5.0,
                                                 "%") / 100.0
            if "max_grade_pct" not in table:
                raise InputError(f"{key}.max_grade_pct", "is required with a grade step",
                                 f"{GRADE_LIMITS_PCT[0]:g}-{GRADE_LIMITS_PCT[1]:g} %")
            out["max_grade_frac"] = _number(table, "max_grade_pct", key, *GRADE_LIMITS_PCT,
                                            "%") / 100.0
            _cap_not_below(walking, "grade_frac", out["max_grade_frac"],
                           out["grade_frac_per_week"], f"{key}.max_grade_pct", "%", 100.0)
        if "duration_min_per_week" in table or "max_duration_min" in table:
            out["duration_s_per_week"] = _number(table, "duration_min_per_week", key, 0.0, 60.0,
                                                 "min") * 60.0
            if "max_duration_min" not in table:
                raise InputError(f"{key}.max_duration_min", "is required with a duration step",
                                 f"1-{MAX_STAGE_S / 60:g} min of walking per session")
            cap = _number(table, "max_duration_min", key, 1.0, MAX_STAGE_S / 60.0, "min") * 60.0
            total = sum(s.duration_s for s in walking)
            if cap < total:
                raise InputError(f"{key}.max_duration_min", f"{cap / 60:g} min is below the "
                                 f"session's {total / 60:g} min of walking",
                                 f"{total / 60:g}-{MAX_STAGE_S / 60:g} min")
            out["max_duration_s"] = cap
        if not walking and out:
            raise InputError(key, "the session has no walking stage to grow", "a walking stage")
        return cls(**out)


def _number(table: dict[str, Any], name: str, key: str, low: float, high: float,
            unit: str) -> float:
    if name not in table:
        raise InputError(f"{key}.{name}", "is required", f"{low:g} to {high:g} {unit}")
    return check_number(f"{key}.{name}", table[name], low, high, unit)


def _cap_not_below(walking: list[Any], field: str, cap: float, step: float, key: str,
                   unit: str, scale: float) -> None:
    """A cap below the session's own value would never be reached by growing."""
    values = [getattr(s, field) for s in walking]
    if step > 0 and cap < min(values):
        raise InputError(key, f"{cap * scale:.3g} {unit} is below the session's "
                         f"{min(values) * scale:.3g} {unit}", "a cap at or above the start")


@dataclass(frozen=True)
class ArmPlan:
    """One arm's sessions: the base session and how it changes week by week."""

    base: Protocol
    progression: Progression | None = None
    weekly: tuple[Protocol, ...] = ()        # the session of each week (the last repeats)

    def session(self, week: int, base: Protocol | None = None) -> Protocol:
        """The session of week ``week`` (0 = the first), grown from ``base`` (default the
        arm's stages; a swept arm passes its own)."""
        base = self.base if base is None else base
        if self.weekly:
            return self.weekly[min(week, len(self.weekly) - 1)]
        if self.progression is not None:
            return self.progression.session(base, week)
        return base


@dataclass(frozen=True)
class Program:
    """A validated ``[program]`` table with every arm's plan.

    >>> p = Program.from_tables({"weeks": 2, "sessions_per_week": 3},
    ...                         {"a": {"stages": ["walk backward at 2 mph for 15 min"]}})
    >>> [day for day, week in p.schedule()]
    [0, 2, 4, 7, 9, 11]
    >>> p.days
    14
    """

    phases: tuple[Phase, ...]
    arms: dict[str, ArmPlan]
    on_fall: str = "continue"
    pause_days: float = DEFAULT_PAUSE_DAYS
    model: str = DEFAULT_TRAINING_MODEL

    @property
    def weeks(self) -> int:
        return sum(p.weeks for p in self.phases)

    @property
    def days(self) -> int:
        """The last day of the day axis, 7 x weeks (the axis runs 0 ... days)."""
        return 7 * self.weeks

    def schedule(self) -> list[tuple[int, int]]:
        """Every session as (day, week), in order."""
        out, week = [], 0
        for phase in self.phases:
            n = phase.sessions_per_week
            for _ in range(phase.weeks):
                out += [(7 * week + (7 * k) // n, week) for k in range(n)]
                week += 1
        return out

    def describe(self) -> str:
        """One line: the phases and what a fall does."""
        phases = ", then ".join(f"{p.weeks} wk x {p.sessions_per_week}/wk" for p in self.phases)
        fall = self.on_fall if self.on_fall != "pause" else f"pause {self.pause_days:g} d"
        return f"{phases}; after a fall: {fall}"

    @classmethod
    def from_tables(cls, table: Any, arms: dict[str, Any]) -> Program:
        """Validate ``[program]`` and the programme keys of every ``[arms.NAME]``."""
        if not isinstance(table, dict):
            raise InputError("program", f"{table!r} is not a table",
                             "[program] with weeks and sessions_per_week, or phases")
        for name in table:
            if name not in PROGRAM_KEYS:
                raise InputError(f"program.{name}", "is not a program key",
                                 ", ".join(PROGRAM_KEYS))
        if "phases" in table:
            if "weeks" in table or "sessions_per_week" in table:
                raise InputError("program.phases", "give phases, or weeks and "
                                 "sessions_per_week, not both", "one of them")
            spec = table["phases"]
            if not isinstance(spec, list) or not spec:
                raise InputError("program.phases", f"{spec!r} is not a list of phases",
                                 "[{weeks = 4, sessions_per_week = 3}, ...]")
            phases = tuple(_phase(p, f"program.phases[{i}]") for i, p in enumerate(spec))
        else:
            phases = (_phase(table, "program"),)
        total = sum(p.weeks for p in phases)
        if total > MAX_WEEKS:
            raise InputError("program.phases" if "phases" in table else "program.weeks",
                             f"{total} weeks is longer than retrosim runs", f"1-{MAX_WEEKS} "
                             "weeks in all")
        if not any(p.sessions_per_week for p in phases):
            raise InputError("program.sessions_per_week", "the programme has no session",
                             "1-7 sessions a week in at least one phase")
        on_fall = check_choice("program.on_fall", table.get("on_fall", "continue"), ON_FALL)
        if "pause_days" in table and on_fall != "pause":
            raise InputError("program.pause_days", "applies only with on_fall = \"pause\"",
                             'on_fall = "pause"')
        pause = check_number("program.pause_days", table.get("pause_days", DEFAULT_PAUSE_DAYS),
                             1, 7 * MAX_WEEKS, "days", integer=True)
        model = check_choice("program.model", table.get("model", DEFAULT_TRAINING_MODEL),
                             TRAINING_MODELS)
        plans = {name: _plan(spec, f"arms.{name}", total) for name, spec in arms.items()}
        return cls(phases, plans, on_fall, pause, model)


def _phase(table: Any, key: str) -> Phase:
    if not isinstance(table, dict):
        raise InputError(key, f"{table!r} is not a table", "{weeks = 4, sessions_per_week = 3}")
    if key != "program":
        for name in table:
            if name not in PHASE_KEYS:
                raise InputError(f"{key}.{name}", "is not a phase key", ", ".join(PHASE_KEYS))
    for name in PHASE_KEYS:
        if name not in table:
            raise InputError(f"{key}.{name}", "is required",
                             f"1-{MAX_WEEKS}" if name == "weeks" else "0-7")
    weeks = int(check_number(f"{key}.weeks", table["weeks"], 1, MAX_WEEKS, "weeks",
                             integer=True))
    per_week = int(check_number(f"{key}.sessions_per_week", table["sessions_per_week"], 0, 7,
                                integer=True))
    return Phase(weeks, per_week)


def _plan(spec: Any, key: str, weeks: int) -> ArmPlan:
    if not isinstance(spec, dict) or "stages" not in spec:
        return ArmPlan(Protocol(()))        # the scenario's own checks name what is missing
    base = Protocol.parse(spec["stages"], key=f"{key}.stages")
    if "progression" in spec and "sessions" in spec:
        raise InputError(f"{key}.sessions", "give progression or sessions, not both",
                         "one of them")
    if "progression" in spec:
        return ArmPlan(base, Progression.from_table(spec["progression"], base,
                                                    f"{key}.progression"))
    if "sessions" in spec:
        listed = spec["sessions"]
        if not isinstance(listed, list) or not listed:
            raise InputError(f"{key}.sessions", f"{listed!r} is not a list of sessions",
                             "[[stages of week 1], [stages of week 2], ...]")
        if len(listed) > weeks:
            raise InputError(f"{key}.sessions", f"lists {len(listed)} weeks; the programme "
                             f"has {weeks}", f"at most {weeks} sessions (the last repeats)")
        return ArmPlan(base, weekly=tuple(Protocol.parse(s, key=f"{key}.sessions[{i}]")
                                          for i, s in enumerate(listed)))
    return ArmPlan(base)


def check_arm_keys(arms: Any) -> None:
    """Programme keys in an arm of a scenario without ``[program]`` are errors."""
    if not isinstance(arms, dict):
        return
    for name, spec in arms.items():
        if isinstance(spec, dict):
            for k in ("progression", "sessions"):
                if k in spec:
                    raise InputError(f"arms.{name}.{k}", "needs a [program] table",
                                     "[program] with weeks and sessions_per_week")
