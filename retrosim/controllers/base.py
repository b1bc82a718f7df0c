"""The controller interface: an :class:`Observation` in, a :class:`Command` out.

A controller is any object with a ``period_s`` attribute and a ``step(observation)`` method
returning a :class:`Command`. The closed loop (:mod:`retrosim.engine.controlled`) calls it every
``period_s`` seconds and on events (a stage starts, a fault starts or ends). A *vectorised*
controller (``vectorised = True``) sees the whole cohort at once: every per-subject field of
the observation is an ``(N,)`` array, and it answers with arrays (or scalars, which apply to
everyone). Any other controller is *scalar*: it drives one person, sees plain floats and
answers with plain values; the loop gives each subject their own copy (:class:`PerSubject`).

Units are SI throughout: speeds in m s-1 (>= 0; the direction is separate, +1 forward,
-1 backward), grades as fractions, times in s, heart rate in min-1.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Observation:
    """What the console knows when the controller is called.

    Per-subject fields are ``(N,)`` arrays for a vectorised controller, plain values for a
    scalar one.

    time_s : session time [s] (shared). reason : why the call: "tick", "stage" or "fault".
    speed_mps : belt speed as the speed sensor reads it [m s-1, >= 0].
    grade_frac : incline [-]. direction : the belt's set direction (+1 / -1).
    hr_bpm : heart rate as the console's sensor reads it [min-1]; NaN when there is no signal.
    safety_key : the safety key is in place. estop : an emergency stop is latched.
    running : the belt is driven (not stopped or paused).
    handrail : the walker touches or grips the handrail.
    target_speed_mps, target_grade_frac : the console's current targets.
    hr_max_bpm : the walker's age-predicted HRmax [min-1], as a console computes it.
    stage : index of the program's current stage; stage_speed_mps, stage_grade_frac,
    stage_direction : its targets (speed 0 for rest); stage_remaining_s : time left in it.
    speed_step_mps : the console's speed step [m s-1] (targets are rounded to it; 0: none).
    """

    time_s: float
    reason: str
    speed_mps: Any
    grade_frac: Any
    direction: Any
    hr_bpm: Any
    safety_key: Any
    estop: Any
    running: Any
    handrail: Any
    target_speed_mps: Any
    target_grade_frac: Any
    hr_max_bpm: Any
    stage: int
    stage_speed_mps: float
    stage_grade_frac: float
    stage_direction: int
    stage_remaining_s: float
    speed_step_mps: float = 0.0

    @property
    def size(self) -> int:
        """Number of subjects (1 for a scalar observation)."""
        return int(np.size(self.speed_mps))

    def subject(self, i: int) -> Observation:
        """The scalar observation of subject ``i``."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value = value[i].item()
            values[f.name] = value
        return Observation(**values)


@dataclass(frozen=True)
class Command:
    """What a controller asks of the treadmill; ``None`` (or NaN in an array) changes nothing.

    speed_mps : target belt speed [m s-1, >= 0]. grade_frac : target incline [-].
    direction : +1 forward, -1 backward (0 in an array: no change).
    start, stop, pause : start or resume the belt; stop it (targets cleared); pause it
        (targets kept). reset : clear a latched emergency stop (only at rest, key in place).
    accel_mps2, backward_accel_mps2 : ramp-rate ceilings for the drive [m s-2] (the plant's
        own limits still apply). incline_rate_frac_per_s : the same for the incline [s-1].
    """

    speed_mps: Any = None
    grade_frac: Any = None
    direction: Any = None
    start: Any = False
    stop: Any = False
    pause: Any = False
    reset: Any = False
    accel_mps2: Any = None
    backward_accel_mps2: Any = None
    incline_rate_frac_per_s: Any = None

    def arrays(self, n: int) -> Command:
        """Every field as an ``(n,)`` array: NaN (0 for direction, False for flags) = none.

        >>> Command(speed_mps=1.0, stop=True).arrays(2).speed_mps.tolist()
        [1.0, 1.0]
        """
        out: dict[str, np.ndarray] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _FLAGS:
                out[f.name] = np.broadcast_to(np.asarray(bool(value) if np.ndim(value) == 0
                                                         else value, dtype=bool), (n,)).copy()
            elif f.name == "direction":
                out[f.name] = np.broadcast_to(np.asarray(0 if value is None else value,
                                                         dtype=np.int8), (n,)).copy()
            else:
                out[f.name] = np.broadcast_to(np.asarray(np.nan if value is None else value,
                                                         dtype=float), (n,)).copy()
        return Command(**out)

    def then(self, later: Command) -> Command:
        """This command followed by ``later`` (array form): later fields win where given."""
        out = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(later, f.name)
            if f.name in _FLAGS:
                out[f.name] = a | b
            elif f.name == "direction":
                out[f.name] = np.where(b != 0, b, a)
            else:
                out[f.name] = np.where(np.isnan(b), a, b)
        return Command(**out)


_FLAGS = ("start", "stop", "pause", "reset")
_FIELDS = tuple(f.name for f in fields(Command))


def stack(commands: list[Command]) -> Command:
    """Scalar commands of subjects 0..N-1 as one array command.

    >>> stack([Command(speed_mps=1.0), Command(stop=True)]).speed_mps.tolist()
    [1.0, nan]
    """
    n = len(commands)
    out: dict[str, np.ndarray] = {}
    for name in _FIELDS:
        values = [c.__dict__[name] for c in commands]
        if name in _FLAGS:
            out[name] = np.array([bool(v) for v in values], dtype=bool)
        elif name == "direction":
            out[name] = np.array([0 if v is None else v for v in values], dtype=np.int8)
        else:
            out[name] = np.array([math.nan if v is None else v for v in values], dtype=float)
        if out[name].shape != (n,):
            raise ValueError(f"{name} is not one value per subject")
    return Command(**out)


class StepFailed(Exception):
    """A scalar controller failed for one subject: it raised ``error``, or broke the contract
    (``problem``, ``allowed``); :class:`retrosim.controllers.contract.Checked` reports it."""

    def __init__(self, subject: int, error: BaseException | None = None, problem: str = "",
                 allowed: str = "") -> None:
        super().__init__(problem or repr(error))
        self.subject, self.error, self.problem, self.allowed = subject, error, problem, allowed


@runtime_checkable
class Controller(Protocol):
    """A treadmill controller: called every ``period_s`` seconds and on events."""

    period_s: float

    def step(self, observation: Observation) -> Command:
        """The command for this instant."""
        ...


def is_vectorised(controller: Any) -> bool:
    """True if the controller works on the subject axis (``vectorised = True``)."""
    return bool(getattr(controller, "vectorised", False))


class PerSubject:
    """A scalar controller run for every subject: one copy each, called in turn.

    A scalar controller costs a Python call per subject per call of the loop: fine for a
    person or a few hundred, slow for a large cohort (write a vectorised one for those). The
    observation of each subject is built from plain lists (one conversion per call, not per
    subject) and the answers are stacked field by field.
    """

    vectorised = True

    def __init__(self, prototype: Any) -> None:
        self.prototype = prototype
        self.period_s = float(getattr(prototype, "period_s", 1.0))
        self.copies: list[Any] = []

    def step(self, observation: Observation) -> Command:
        n = observation.size
        if len(self.copies) != n:
            self.copies = [copy.deepcopy(self.prototype) for _ in range(n)]
        values = observation.__dict__
        shared = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
        columns = [(k, v.tolist()) for k, v in values.items() if isinstance(v, np.ndarray)]
        make = object.__new__
        answers = []
        for i, controller in enumerate(self.copies):
            obs = make(Observation)
            view = obs.__dict__
            view.update(shared)
            for k, column in columns:
                view[k] = column[i]
            try:
                cmd = controller.step(obs)
            except Exception as err:
                raise StepFailed(i, err) from err
            if not isinstance(cmd, Command):
                raise StepFailed(i, problem=f"step returned {short_repr(cmd)}",
                                 allowed="a retrosim.controllers.Command (Command() asks for "
                                 "nothing)")
            for name in ("speed_mps", "grade_frac"):
                value = cmd.__dict__[name]
                if isinstance(value, float) and math.isnan(value):
                    raise StepFailed(i, problem=f"target {name} is NaN",
                                     allowed=f"{name} = a number, or None for no change")
            answers.append(cmd)
        try:
            return stack(answers)
        except (TypeError, ValueError):
            for i, cmd in enumerate(answers):
                for name in _FIELDS:
                    try:
                        stack([Command(**{name: cmd.__dict__[name]})])
                    except (TypeError, ValueError):
                        kind = "true or false" if name in _FLAGS else "a number"
                        raise StepFailed(i, problem=f"Command({name}="
                                         f"{short_repr(cmd.__dict__[name])}) is not {kind}",
                                         allowed=f"{name} = {kind} or None") from None
            raise


def short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def vectorise(controller: Any) -> Any:
    """The controller itself if vectorised, else a :class:`PerSubject` wrapper."""
    return controller if is_vectorised(controller) else PerSubject(controller)


#: The shortest call period [s]: a treadmill console looks at its sensors a few times a second
#: at most, and a shorter period only multiplies the calls (and the memory they hold).
MIN_PERIOD_S = 0.01


def period_of(controller: Any) -> float:
    """A controller's call period [s] (inf: on events only)."""
    period = float(getattr(controller, "period_s", 1.0))
    if not (period > 0 and (math.isfinite(period) or period == math.inf)):
        raise ValueError(f"period_s must be a positive number of seconds, not {period!r}")
    if period < MIN_PERIOD_S:
        raise ValueError(f"period_s = {period!r} s is shorter than {MIN_PERIOD_S} s")
    return period


def copy_of(controller: Any) -> Any:
    """A fresh copy of a controller, so that arms never share state."""
    return copy.deepcopy(controller)


def with_fields(command: Command, **changes: Any) -> Command:
    """``command`` with some fields replaced."""
    return replace(command, **changes)
