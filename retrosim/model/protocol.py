"""Stages and protocols, and the readable stage strings that describe them.

A stage is one steady instruction to the treadmill; the belt ramps to it at the plant's limits.
Stages are written as a person would say them::

    walk forward at 3.5 mph for 10 min
    walk backward at 2.0 mph, 5% grade for 5 min
    walk backward at 3 km/h for 90 s
    rest for 30 min

or as a table: ``{direction = "backward", speed_mph = 2.0, grade_pct = 5, duration_min = 5}``.
Both are parsed once into a typed, SI :class:`Stage`.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retrosim import units
from retrosim.errors import InputError, check_choice, check_number
from retrosim.model.budget import check_stage_text

EXAMPLES = ('"walk forward at 3.5 mph for 10 min"',
            '"walk backward at 2.0 mph, 5% grade for 5 min"',
            '"walk backward at 3 km/h for 90 s"', '"rest for 30 min"')
_EXAMPLES = ", ".join(EXAMPLES)

#: Speed limits of walking on a treadmill, m s-1. The lower bound is the console's usual
#: minimum of 0.8 km/h; forward walking above 2.5 m/s (5.6 mph) is running; backward walking
#: has a preferred walk-run transition at 1.63 m/s (Hreljac et al. 2005), and 2.0 m/s
#: (4.5 mph) is the most retrosim accepts.
SPEED_LIMITS_MPS = {1: (0.8 * units.MPS_PER_KMH, 2.5), -1: (0.8 * units.MPS_PER_KMH, 2.0)}
GRADE_LIMITS_PCT = (0.0, 15.0)        # a typical treadmill's incline range
MAX_STAGE_S = 24 * 3600.0
DIRECTIONS = {"forward": 1, "forwards": 1, "backward": -1, "backwards": -1}

#: A number: every digit belongs to exactly one part of the pattern, so a failed match costs
#: time linear in the text (an earlier "\d+\.?\d*" could split a run of digits n ways).
_NUM = r"(?P<{}>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|nan|inf)"
_DURATION = _NUM.format("duration") + r"\s*(?P<dunit>[a-z]+)"
_WALK = re.compile(
    r"walk(?:\s+(?P<direction>[a-z]+))?\s+at\s+" + _NUM.format("speed")
    + r"\s*(?P<sunit>mph|km/h|kmh|kph|m/s)"
    + r"(?:\s*,\s*" + _NUM.format("grade") + r"\s*%\s*(?:grade|incline))?"
    + r"\s+for\s+" + _DURATION + r"$")
_REST = re.compile(r"rest\s+for\s+" + _DURATION + r"$")


@dataclass(frozen=True)
class Stage:
    """One steady treadmill instruction, in SI units.

    Parameters
    ----------
    direction : {1, -1}
        1 forward, -1 backward.
    speed_mps : float
        Belt speed [m s-1]; 0 is rest (belt stopped, person seated).
    grade_frac : float
        Grade as a fraction (0.05 is 5 %).
    duration_s : float
        Duration [s].
    handrail : {"none", "light", "grip"}, optional
        Overrides the subject's support for this stage when given.

    Examples
    --------
    >>> Stage.parse("walk backward at 2.0 mph, 5% grade for 5 min")
    Stage('walk backward at 2 mph, 5% grade for 5 min')
    """

    direction: int
    speed_mps: float
    grade_frac: float
    duration_s: float
    handrail: str | None = None

    @property
    def is_rest(self) -> bool:
        """True for rest: the belt stopped, the person seated."""
        return self.speed_mps == 0.0

    def __str__(self) -> str:
        duration = _fmt_duration(self.duration_s)
        if self.is_rest:
            return f"rest for {duration}"
        direction = "forward" if self.direction > 0 else "backward"
        grade = f", {units.frac_to_pct(self.grade_frac):g}% grade" if self.grade_frac else ""
        speed = f"{units.mps_to_mph(self.speed_mps):.3g}"
        return f"walk {direction} at {speed} mph{grade} for {duration}"

    def __repr__(self) -> str:
        return f"Stage({str(self)!r})"

    @classmethod
    def rest(cls, duration_s: float, key: str = "stage") -> Stage:
        """Make a validated rest stage: belt stopped, person seated.

        Parameters
        ----------
        duration_s : float
            Duration [s].
        key : str, default "stage"
            Where the stage comes from, named by the error when it is bad.

        Returns
        -------
        Stage
            The rest stage.
        """
        return cls(1, 0.0, 0.0, check_number(f"{key} duration", duration_s, 1.0, MAX_STAGE_S,
                                             "s"))

    @classmethod
    def parse(cls, spec: str | dict[str, Any], key: str = "stage") -> Stage:
        """Read a stage from its string or table form.

        Parameters
        ----------
        spec : str or dict
            ``"walk backward at 2 mph, 5% grade for 5 min"``, ``"rest for 10 min"``, or a
            table of the same (see the scenario format).
        key : str, default "stage"
            Where the stage comes from, named by the error when it is bad.

        Returns
        -------
        Stage
            The validated stage.

        Raises
        ------
        InputError
            When ``spec`` is not a stage, naming ``key``.
        """
        if isinstance(spec, str):
            return _parse_string(spec, key)
        if isinstance(spec, dict):
            return _parse_table(spec, key)
        raise InputError(key, f"{spec!r} is neither a stage string nor a table", _EXAMPLES)

    @classmethod
    def make(cls, direction: int, speed_mps: float, grade_frac: float, duration_s: float,
             handrail: str | None = None, key: str = "stage") -> Stage:
        """Make a validated walking stage from SI values.

        Parameters
        ----------
        direction : {1, -1}
            1 forward, -1 backward.
        speed_mps : float
            Belt speed [m s-1], within the direction's limits.
        grade_frac : float
            Grade as a fraction.
        duration_s : float
            Duration [s].
        handrail : {"none", "light", "grip"}, optional
            Overrides the subject's support for this stage.
        key : str, default "stage"
            Where the stage comes from, named by the error when it is bad.

        Returns
        -------
        Stage
            The validated stage.
        """
        duration_s = check_number(f"{key} duration", duration_s, 1.0, MAX_STAGE_S, "s")
        if handrail is not None:
            check_choice(f"{key} handrail", handrail, ("none", "light", "grip"))
        low, high = SPEED_LIMITS_MPS[direction]
        if not (math.isfinite(speed_mps) and low <= speed_mps <= high):
            word = "forward" if direction > 0 else "backward"
            raise InputError(key, f"speed {_fmt_speed(speed_mps)} is out of range for walking "
                             f"{word}", f"{_fmt_speed(low)} to {_fmt_speed(high)}")
        check_number(f"{key} grade", float(units.frac_to_pct(grade_frac)), *GRADE_LIMITS_PCT,
                     "%")
        return cls(direction, float(speed_mps), float(grade_frac), duration_s, handrail)


def _parse_string(text: str, key: str) -> Stage:
    check_stage_text(text, key, _EXAMPLES)
    spoken = " ".join(text.strip().lower().split())
    if m := _REST.match(spoken):
        return Stage.rest(_seconds(m, key, text), key=key)
    if m := _WALK.match(spoken):
        direction = m["direction"] or "forward"
        if direction not in DIRECTIONS:
            raise InputError(key, f"{text!r}: direction {direction!r} is not known",
                             "forward | backward")
        speed = _number(m["speed"], key, text) * units.SPEED_MPS[m["sunit"]]
        grade = _number(m["grade"], key, text) / 100.0 if m["grade"] else 0.0
        return Stage.make(DIRECTIONS[direction], speed, grade, _seconds(m, key, text), key=key)
    raise InputError(key, f"{text!r} is not a stage", f"stages like {_EXAMPLES}")


def _number(token: str, key: str, text: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise InputError(key, f"{text!r}: {token} is not a finite number", _EXAMPLES)
    return value


def _seconds(m: re.Match[str], key: str, text: str) -> float:
    unit = m["dunit"]
    if unit not in units.SECONDS:
        raise InputError(key, f"{text!r}: {unit!r} is not a unit of time", "s | min | h")
    return _number(m["duration"], key, text) * units.SECONDS[unit]


_SPEED_KEYS = {"speed_mph": units.MPS_PER_MPH, "speed_kmh": units.MPS_PER_KMH, "speed_mps": 1.0}
_DURATION_KEYS = {"duration_s": 1.0, "duration_min": 60.0, "duration_h": 3600.0}
_TABLE_KEYS = ("action", "direction", "grade_pct", "handrail", *_SPEED_KEYS, *_DURATION_KEYS)


def _one_of(table: dict[str, Any], options: dict[str, float], key: str, what: str) -> float:
    given = [k for k in options if k in table]
    if len(given) != 1:
        problem = "has several" if given else "needs one of the"
        raise InputError(key, f"{problem} {what} keys", " | ".join(options))
    name = given[0]
    value = table[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not abs(value) <= sys.float_info.max:
        raise InputError(f"{key}.{name}", f"{value!r} is not a finite number", "a number")
    return value * options[name]


def _parse_table(table: dict[str, Any], key: str) -> Stage:
    for name in table:
        if name not in _TABLE_KEYS:
            raise InputError(f"{key}.{name}", "is not a stage key", ", ".join(_TABLE_KEYS))
    action = check_choice(f"{key}.action", table.get("action", "walk"), ("walk", "rest"))
    duration = _one_of(table, _DURATION_KEYS, key, "duration")
    handrail = table.get("handrail")
    if action == "rest":
        extra = [k for k in table if k not in ("action", *_DURATION_KEYS)]
        if extra:
            raise InputError(f"{key}.{extra[0]}", "does not apply to rest", "duration_*")
        return Stage.rest(duration, key=key)
    direction = check_choice(f"{key}.direction", table.get("direction", "forward"),
                             ("forward", "backward"))
    speed = _one_of(table, _SPEED_KEYS, key, "speed")
    grade = table.get("grade_pct", 0.0)
    if isinstance(grade, bool) or not isinstance(grade, int | float) or \
            not abs(grade) <= sys.float_info.max:
        raise InputError(f"{key}.grade_pct", f"{grade!r} is not a finite number", "0-15 %")
    return Stage.make(DIRECTIONS[direction], speed, grade / 100.0, duration, handrail, key=key)


@dataclass(frozen=True)
class Protocol:
    """An ordered sequence of stages.

    Parameters
    ----------
    stages : tuple of Stage
        The stages, in the order they are walked.

    Examples
    --------
    >>> p = Protocol.parse(["walk forward at 2 mph for 3 min", "rest for 30 min"])
    >>> p.duration_s
    1980.0
    """

    stages: tuple[Stage, ...]

    @property
    def duration_s(self) -> float:
        """The total duration [s]."""
        return float(sum(s.duration_s for s in self.stages))

    @classmethod
    def parse(cls, specs: Sequence[str | dict[str, Any]], key: str = "stages") -> Protocol:
        """Read a protocol from its stages' string or table forms.

        Parameters
        ----------
        specs : sequence of str or dict
            The stages, each as :meth:`Stage.parse` reads it.
        key : str, default "stages"
            Where the stages come from, named by the error when one is bad.

        Returns
        -------
        Protocol
            The validated protocol.
        """
        if isinstance(specs, str | dict) or not isinstance(specs, Sequence) or not specs:
            raise InputError(key, "needs a non-empty list of stages", f"[{EXAMPLES[0]}, ...]")
        return cls(tuple(Stage.parse(s, f"{key}[{i}]") for i, s in enumerate(specs)))

    def __str__(self) -> str:
        return "; ".join(map(str, self.stages))


def _fmt_duration(seconds: float) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _fmt_speed(speed_mps: float) -> str:
    speed_mps = float(speed_mps)
    return f"{speed_mps / units.MPS_PER_MPH:.2g} mph ({speed_mps / units.MPS_PER_KMH:.2g} km/h)"
