"""The controller contract, checked at every call: what a controller must be and may answer.

A controller has a ``period_s`` (seconds > 0, or inf: on events only) and a
``step(observation)`` that returns a :class:`~retrosim.controllers.base.Command`. Its targets
are finite, not negative and within the treadmill's range (speed 0-20 km/h, incline 0-15 %);
a direction is +1 or -1; a ramp-rate ceiling is a positive number. ``None`` means "no
change", and so does NaN in a vectorised controller's arrays (a scalar controller gives
``None``: its NaN is a mistake). The parameters a scenario or ``--param`` passes must have the
type of the class's defaults.

A broken contract is a :class:`ControllerError` (an :class:`~retrosim.errors.InputError`: one
line naming the controller, the arm, the subject, the simulated time and what is allowed); an
exception raised inside the controller is a :class:`ControllerCrash` that keeps the
controller's own traceback frames. Every call has a time limit (:func:`step_time_limit`,
:data:`STEP_TIMEOUT_S` by default): a ``step`` that does not return within it is a
:class:`ControllerCrash` (a ``TimeoutError`` with the frames where it was stopped).
:class:`Checked` wraps a controller (innermost, before the supervisor and the command bus)
to check every answer; :class:`CommandSteps` records the largest rise of the targets the
treadmill is asked for (the ``commanded-*-step`` invariants of :mod:`retrosim.testing`).
"""

from __future__ import annotations

import inspect
import math
import numbers
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from retrosim.controllers.base import (
    MIN_PERIOD_S,
    Command,
    Observation,
    StepFailed,
    short_repr,
)
from retrosim.controllers.safety import SafetyLimits
from retrosim.errors import InputError, RetrosimError

_RATES = ("accel_mps2", "backward_accel_mps2", "incline_rate_frac_per_s")
_FLAGS = ("start", "stop", "pause", "reset")


def where(controller: str, arm: str, time_s: float, subject: int | str | None = None) -> str:
    """``controller 'X', arm 'a', subject 3, at t = 62 s``: the key of a contract message."""
    who = f", subject {subject}" if subject is not None else ""
    return f"controller {controller!r}, arm {arm!r}{who}, at t = {time_s:g} s"


class ControllerError(InputError):
    """A controller broke its contract (one line: controller, arm, subject, time, allowed)."""

    def __init__(self, controller: str, arm: str, time_s: float, problem: str, allowed: str,
                 subject: int | str | None = None) -> None:
        self.controller, self.arm, self.time_s, self.subject = controller, arm, time_s, subject
        super().__init__(where(controller, arm, time_s, subject), problem, allowed)

    def within(self, key_prefix: str | None = None, source: str | None = None) -> InputError:
        return self

    def __reduce__(self) -> tuple[Any, ...]:          # from a Dask worker, whole
        return (type(self), (self.controller, self.arm, self.time_s, self.problem,
                             self.allowed, self.subject))


class ControllerCrash(RetrosimError):
    """A controller raised: its arm, subject and time, and the traceback of its own frames."""

    def __init__(self, controller: str, arm: str, time_s: float, error: BaseException,
                 subject: int | str | None = None, skip: int = 1,
                 frames: str | None = None) -> None:
        self.controller, self.arm, self.time_s, self.subject = controller, arm, time_s, subject
        self.error = error
        if frames is None:
            frames = "".join(traceback.format_list(
                traceback.extract_tb(error.__traceback__)[skip:]))
        self.frames = frames
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:          # from a Dask worker, with its frames
        return (type(self), (self.controller, self.arm, self.time_s, self.error,
                             self.subject, 1, self.frames))

    @property
    def headline(self) -> str:
        """One line: who crashed, where and when, and the exception."""
        text = f"{type(self.error).__name__}: {self.error}".replace("\n", " ")
        return f"{where(self.controller, self.arm, self.time_s, self.subject)}: raised {text}"

    def __str__(self) -> str:
        return (f"{self.headline}\nTraceback of the controller (most recent call last):\n"
                f"{self.frames}".rstrip("\n"))


#: Seconds one controller call may take by default (a console's step is a few microseconds
#: to milliseconds of arithmetic; seconds mean it is stuck).
STEP_TIMEOUT_S = 5.0
_TIMEOUT: ContextVar[float | None] = ContextVar("retrosim_step_timeout", default=STEP_TIMEOUT_S)


@contextmanager
def step_time_limit(seconds: float | None) -> Iterator[None]:
    """Calls of controllers inside the block get ``seconds`` each (None: no limit)."""
    token = _TIMEOUT.set(seconds)
    try:
        yield
    finally:
        _TIMEOUT.reset(token)


class _Expired(BaseException):
    """Raised inside a controller's ``step`` by the timer (a BaseException, so that the
    controller's own ``except Exception`` does not swallow it)."""


def _expire(signum: int, frame: Any) -> None:
    raise _Expired


@contextmanager
def _timer(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with :class:`_Expired`.

    The timer is SIGALRM (``setitimer``), in the main thread only: it stops a ``step`` that
    loops in Python or sleeps, and leaves the controller's objects where they are (a worker
    thread cannot be stopped from outside, and a process per call would copy the controller's
    state at every call). A C extension that never returns to the interpreter is stopped when
    it does. Outside the main thread (Dask's worker threads) there is no limit. A timer set
    by the caller (``signal.alarm``) is kept: it is put back, less the time spent, after the
    call, and when it is due first it is left alone."""
    if seconds is None or not hasattr(signal, "setitimer") or \
            threading.current_thread() is not threading.main_thread():
        yield
        return
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:
        yield
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer - (time.monotonic() - started), 1e-3))


def check_period(controller: Any, label: str, arm: str) -> None:
    """Refuse a controller without a usable ``period_s``."""
    allowed = (f"period_s = {MIN_PERIOD_S}-inf seconds (a class attribute or set in __init__; "
               "inf: on events only)")
    if not hasattr(controller, "period_s"):
        raise ControllerError(label, arm, 0.0, "has no period_s: it would never be called "
                              "between events", allowed)
    period = controller.period_s
    if isinstance(period, bool) or not isinstance(period, numbers.Real) or math.isnan(period) \
            or period <= 0:
        raise ControllerError(label, arm, 0.0, f"period_s = {period!r} is not a positive number "
                              "of seconds", allowed)
    if period < MIN_PERIOD_S:
        raise ControllerError(label, arm, 0.0, f"period_s = {period!r} s would call it more "
                              f"than {1 / MIN_PERIOD_S:g} times a second", allowed)


def check_params(cls: Any, params: dict[str, Any], label: str, arm: str) -> None:
    """Refuse parameters whose type differs from the class's defaults (or annotations):
    ``--param gain=abc`` where ``gain=0.01``."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return
    for name, value in params.items():
        p = signature.parameters.get(name)
        if p is None or p.default is inspect.Parameter.empty or p.default is None:
            continue
        default = p.default
        if isinstance(default, bool):
            ok, kind = isinstance(value, bool), "true or false"
        elif isinstance(default, numbers.Real):
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            kind = "a number"
        elif isinstance(default, str):
            ok, kind = isinstance(value, str), "a string"
        else:
            continue
        if not ok:
            raise ControllerError(label, arm, 0.0, f"parameter {name} = {value!r} is "
                                  f"{'a ' + type(value).__name__}, not {kind}",
                                  f"{name} = {kind} (its default is {default!r})")


class Checked:
    """A controller whose every answer is checked against the contract (module docstring).

    ``inner`` is vectorised (a :class:`~retrosim.controllers.base.PerSubject` for a scalar
    controller); ``label`` and ``arm`` name it in messages; ``max_speed_mps`` and
    ``max_grade_frac`` are the treadmill's range; ``limits`` give the speed unit of messages.
    """

    vectorised = True

    def __init__(self, inner: Any, label: str, arm: str, *, max_speed_mps: float,
                 max_grade_frac: float, limits: SafetyLimits | None = None) -> None:
        self.inner, self.label, self.arm = inner, label, arm
        self.period_s = inner.period_s
        self.max_speed_mps, self.max_grade_frac = max_speed_mps, max_grade_frac
        self.limits = limits or SafetyLimits()

    def step(self, obs: Observation) -> Command:
        t = obs.time_s
        limit = _TIMEOUT.get()
        try:
            with _timer(limit):
                cmd = self.inner.step(obs)
        except _Expired as expired:
            error = TimeoutError(f"step(observation) did not return within {limit:g} s "
                                 "(--step-timeout)")
            error.__traceback__ = expired.__traceback__
            raise ControllerCrash(self.label, self.arm, t, error) from None
        except StepFailed as failed:
            if failed.error is not None:
                raise ControllerCrash(self.label, self.arm, t, failed.error,
                                      failed.subject) from failed.error
            raise ControllerError(self.label, self.arm, t, failed.problem, failed.allowed,
                                  failed.subject) from None
        except (ControllerError, ControllerCrash):
            raise
        except Exception as err:
            raise ControllerCrash(self.label, self.arm, t, err, "every (vectorised)") from err
        if not isinstance(cmd, Command):
            raise ControllerError(self.label, self.arm, t, f"step returned {short_repr(cmd)}",
                                  "a retrosim.controllers.Command (Command() asks for nothing)")
        self._check(cmd, t, obs.size)
        return cmd

    # -- the checks ----------------------------------------------------------------------------
    def _fail(self, t: float, problem: str, allowed: str, bad: np.ndarray | None = None) -> None:
        subject: int | str | None = None
        if bad is not None:
            subject = int(np.flatnonzero(bad)[0])
        raise ControllerError(self.label, self.arm, t, problem, allowed, subject)

    def _given(self, cmd: Command, n: int, t: float) -> dict[str, np.ndarray]:
        """The fields the command gives, as ``(n,)`` arrays (refused if they are not numbers
        or flags of the right shape)."""
        out = {}
        for name, value in cmd.__dict__.items():
            if value is None or value is False:
                continue
            flag = name in _FLAGS
            try:
                out[name] = np.broadcast_to(np.asarray(value, dtype=bool if flag else float),
                                            (n,))
            except (TypeError, ValueError):
                kind = "true or false" if flag else "a number"
                self._fail(t, f"Command({name}={short_repr(value)}) is not {kind}",
                           f"{name} = {kind} or None, or an array of {n} for a vectorised "
                           "controller")
        return out

    def _check(self, cmd: Command, t: float, n: int) -> None:
        c = self._given(cmd, n, t)
        lim = self.limits
        if "speed_mps" in c:
            top = self.max_speed_mps
            speed = c["speed_mps"]
            given = ~np.isnan(speed)
            span = f"0-{lim.speed_text(top)}, or None for no change"
            bad = np.isinf(speed) | (given & (speed < 0))
            if bad.any():
                v = float(speed[bad][0])
                if math.isinf(v):
                    self._fail(t, f"target speed {v} is not finite", span, bad)
                self._fail(t, f"target speed {lim.speed_text(v)} is negative (set the direction "
                           "to -1 to walk backward)", span, bad)
            bad = given & (speed > top * (1 + 1e-9))
            if bad.any():
                self._fail(t, f"target speed {lim.speed_text(float(speed[bad][0]))} is above "
                           "the treadmill's range", span, bad)
        if "grade_frac" in c:
            grade = c["grade_frac"]
            top_g = self.max_grade_frac
            bad = np.isinf(grade) | (grade < 0) | (grade > top_g + 1e-12)
            if bad.any():
                self._fail(t, f"target incline {float(grade[bad][0]) * 100:g} % is outside the "
                           "treadmill's range", f"grade_frac 0-{top_g:g} (0-{top_g * 100:g} %), "
                           "or None", bad)
        if "direction" in c:
            bad = ~np.isin(c["direction"], (-1.0, 0.0, 1.0))
            if bad.any():
                self._fail(t, f"direction {float(c['direction'][bad][0])!r} is not +1 or -1",
                           "direction = 1 (forward), -1 (backward) or None", bad)
        for name in _RATES:
            if name in c:
                value = c[name]
                bad = ~np.isnan(value) & ~((value > 0) & np.isfinite(value))
                if bad.any():
                    self._fail(t, f"{name} = {float(value[bad][0])!r} is not a positive number",
                               f"{name} > 0, or None", bad)


class CommandSteps:
    """The largest rise of the target speed and incline the treadmill was asked for in one
    call, per subject, and when (what the ``commanded-*-step`` invariants check).

    A rise is measured from the console's target at the call; a belt at rest (a start) and a
    stage's own target at its start are exempt. :attr:`steps` holds ``speed_step`` [m s-1],
    ``speed_step_time`` [s], ``grade_step`` [-] and ``grade_step_time``.

    >>> from retrosim.controllers.base import Observation
    >>> obs = Observation(60.0, "tick", 1.0, 0.0, 1, 100.0, True, False, True, False, 1.0,
    ...                   0.0, 180.0, 0, 1.0, 0.0, 1, 600.0)
    >>> steps = CommandSteps(1)
    >>> steps.record(Command(speed_mps=2.36), obs)
    >>> steps.steps["speed_step"].round(2).tolist(), steps.steps["speed_step_time"].tolist()
    ([1.36], [60.0])
    """

    def __init__(self, n: int) -> None:
        self.steps: dict[str, np.ndarray] = {}
        for key in ("speed", "grade"):
            self.steps[f"{key}_step"] = np.zeros(n)
            self.steps[f"{key}_step_time"] = np.full(n, np.nan)

    def record(self, cmd: Command, obs: Observation) -> None:
        d = cmd.__dict__
        if d["speed_mps"] is None and d["grade_frac"] is None:
            return
        s = self.steps
        n = s["speed_step"].size
        exempt = ~np.broadcast_to(np.asarray(obs.running, bool), (n,))
        if d["stop"] is not None and d["stop"] is not False:
            exempt = exempt | np.broadcast_to(np.asarray(d["stop"], bool), (n,))
        for key, value, held, own in (
                ("speed", d["speed_mps"], obs.target_speed_mps, obs.stage_speed_mps),
                ("grade", d["grade_frac"], obs.target_grade_frac, obs.stage_grade_frac)):
            if value is None:
                continue
            new = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            free = exempt | (np.abs(new - own) <= 1e-6) if obs.reason == "stage" else exempt
            rise = np.where(np.isnan(new) | free, 0.0, new - np.asarray(held, dtype=float))
            larger = rise > s[f"{key}_step"]
            if larger.any():
                s[f"{key}_step"] = np.where(larger, rise, s[f"{key}_step"])
                s[f"{key}_step_time"] = np.where(larger, obs.time_s, s[f"{key}_step_time"])
