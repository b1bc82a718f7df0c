"""Faults injected into a controlled session: sensors, the command bus and the plant.

A fault is scheduled in the scenario (``[[faults]]`` for every arm, ``[[arms.NAME.faults]]``
for one) with a kind, a start, an optional duration (default: to the end of the session) and
its own parameter:

==================== =========================================================== ==============
kind                 what happens while it lasts                                 parameter
==================== =========================================================== ==============
hr-loss              the heart-rate sensor has no signal: it reads NaN            (none)
hr-spike             the sensor reads ``offset_bpm`` off the true heart rate      offset_bpm, -50
speed-sensor-stuck   the speed sensor keeps reading its value at the onset       (none)
speed-sensor-noise   the speed sensor reads the belt speed plus Gaussian noise    sd_kmh, 0.5
runaway              every command on the bus asks for a jump to ``speed_kmh``    speed_kmh, 16
command-delay        commands reach the treadmill ``delay_s`` late                delay_s, 5
safety-key           the safety key is pulled (an e-stop); it is back at the end  (none)
belt-slip            the belt runs ``slip_pct`` slower than driven, under load     slip_pct, 20
==================== =========================================================== ==============

Sensor faults change what the controller observes; bus faults (runaway, delay) change its
commands on their way to the treadmill, so that a :class:`~retrosim.controllers.SafetySupervisor`
(which sits at the treadmill's end of the bus) sees and can stop them; plant faults change the
treadmill itself. A negative spike is the dangerous one for a heart-rate program (missed beats
read low, so the program speeds up); the default says so. The noise draws come from
``randomness.normal(seed, key("faults", arm, i), subject, calls)``: one per call of the
controller inside the window, per subject, whatever the batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from retrosim import randomness
from retrosim.controllers.base import Command
from retrosim.errors import InputError, check_choice, check_number
from retrosim.units import MPS_PER_KMH

#: kind -> (parameter key, low, high, default, scale to SI, unit) or None.
FAULT_KINDS: dict[str, tuple[str, float, float, float, float, str] | None] = {
    "hr-loss": None,
    "hr-spike": ("offset_bpm", -200.0, 200.0, -50.0, 1.0, "min-1"),
    "speed-sensor-stuck": None,
    "speed-sensor-noise": ("sd_kmh", 0.0, 10.0, 0.5, MPS_PER_KMH, "km/h"),
    "runaway": ("speed_kmh", 0.0, 30.0, 16.0, MPS_PER_KMH, "km/h"),
    "command-delay": ("delay_s", 0.0, 600.0, 5.0, 1.0, "s"),
    "safety-key": None,
    "belt-slip": ("slip_pct", 0.0, 90.0, 20.0, 0.01, "%"),
}
BUS_KINDS = ("runaway", "command-delay")


@dataclass(frozen=True)
class Fault:
    """One scheduled fault, SI: ``amount`` is the kind's parameter (offset [min-1], noise SD
    [m s-1], runaway speed [m s-1], delay [s] or slip fraction), NaN when it has none;
    ``subjects`` the global subject numbers it hits (None: everyone).

    >>> Fault.from_table({"kind": "hr-spike", "start_min": 5, "duration_s": 30}).amount
    -50.0
    """

    kind: str
    start_s: float
    duration_s: float = math.inf
    amount: float = math.nan
    subjects: tuple[int, ...] | None = None

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def __str__(self) -> str:
        param = FAULT_KINDS[self.kind]
        amount = f" ({param[0]} = {self.amount / param[4]:g})" if param else ""
        span = "to the end" if math.isinf(self.duration_s) else f"for {self.duration_s:g} s"
        return f"{self.kind}{amount} from {self.start_s:g} s {span}"

    @classmethod
    def from_table(cls, table: Any) -> Fault:
        """A fault from its scenario table; InputError names the key and what is allowed."""
        if not isinstance(table, dict):
            raise InputError("", f"{table!r} is not a fault table",
                             '{kind = "hr-loss", start_min = 5, duration_s = 60}')
        if "kind" not in table:
            raise InputError("kind", "is required", " | ".join(FAULT_KINDS))
        kind = check_choice("kind", table["kind"], FAULT_KINDS)
        param = FAULT_KINDS[kind]
        allowed = ("kind", "start_s", "start_min", "duration_s", "duration_min", "subjects") \
            + ((param[0],) if param else ())
        for key in table:
            if key not in allowed:
                raise InputError(key, f"is not a key of a {kind} fault", ", ".join(allowed))
        start = _time(table, "start", required=True)
        duration = _time(table, "duration", required=False)
        amount = math.nan
        if param:
            name, low, high, default, scale, unit = param
            amount = check_number(name, table.get(name, default), low, high, unit) * scale
        subjects = table.get("subjects")
        if subjects is not None:
            if not isinstance(subjects, list) or not subjects or not all(
                    isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in subjects):
                raise InputError("subjects", f"{subjects!r} is not a list of subject numbers",
                                 "[0, 3, 7]: whole numbers >= 0")
            subjects = tuple(subjects)
        return cls(kind, start, duration, amount, subjects)


def _time(table: dict[str, Any], name: str, required: bool) -> float:
    given = [k for k in (f"{name}_s", f"{name}_min") if k in table]
    if len(given) > 1:
        raise InputError(given[1], f"give either {name}_s or {name}_min", "one of them")
    if not given:
        if required:
            raise InputError(f"{name}_min", "is required", f"{name}_s or {name}_min, >= 0")
        return math.inf
    key = given[0]
    scale = 60.0 if key.endswith("_min") else 1.0
    low = 0.0 if name == "start" else 1.0 / scale
    return check_number(key, table[key], low, 24 * 3600.0 / scale,
                        "min" if scale == 60.0 else "s") * scale


def check_fault_times(faults: tuple[Fault, ...] | list[Fault], end_s: float, arm: str) -> None:
    """Refuse (InputError, one line) a fault that starts at or after the session's end: it
    would never strike, and a test that schedules it would pass without testing anything."""
    for i, f in enumerate(faults):
        if f.start_s >= end_s:
            raise InputError(f"arm {arm!r}, fault {i + 1}", f"{f} starts at or after the session's "
                             f"end ({end_s:g} s = {end_s / 60:g} min), so it would never strike",
                             f"a start from 0 to under {end_s:g} s ({end_s / 60:g} min)")


def parse_faults(value: Any, key: str) -> tuple[Fault, ...]:
    """A list of fault tables (``[[faults]]``) as Faults; errors name ``key[i]``."""
    if not isinstance(value, list):
        raise InputError(key, f"{value!r} is not a list of fault tables",
                         '[[faults]] with kind = "hr-loss", start_min = 5')
    out = []
    for i, table in enumerate(value):
        try:
            out.append(Fault.from_table(table))
        except InputError as err:
            raise err.within(f"{key}[{i}]") from None
    return tuple(out)


class FaultSchedule:
    """The faults of one arm at run time, for N subjects.

    ``call_times`` are the instants the controller is called (the noise draws one number per
    call inside a window).
    """

    def __init__(self, faults: tuple[Fault, ...], index: np.ndarray, seed: int, arm: str,
                 call_times: np.ndarray) -> None:
        self.faults = faults
        self.n = index.size
        self.masks = [np.ones(self.n, bool) if f.subjects is None
                      else np.isin(index, f.subjects) for f in faults]
        self.stuck: dict[int, np.ndarray] = {}
        self.noise: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i, f in enumerate(faults):
            if f.kind == "speed-sensor-noise":
                times = call_times[(call_times >= f.start_s) & (call_times < f.end_s)]
                draws = randomness.normal(seed, randomness.key("faults", arm, i), index,
                                          max(times.size, 1))
                self.noise[i] = (times, draws)

    def boundaries(self) -> list[float]:
        """Every finite start and end."""
        return sorted({t for f in self.faults for t in (f.start_s, f.end_s)
                       if math.isfinite(t)})

    def active(self, kind: str, t: float) -> list[tuple[int, Fault, np.ndarray]]:
        """The faults of ``kind`` active at ``t`` (start <= t < end), with their masks."""
        return [(i, f, m) for i, (f, m) in enumerate(zip(self.faults, self.masks, strict=True))
                if f.kind == kind and f.start_s <= t < f.end_s]

    def plant(self, loop: Any, t: float) -> None:
        """Plant faults at time ``t``: pull or return the safety key, start or end a slip."""
        for f, m in zip(self.faults, self.masks, strict=True):
            if f.kind == "safety-key" and f.start_s == t:
                loop.pull_key(m)
            if f.kind == "safety-key" and f.end_s == t:
                loop.insert_key(m)
        slip = np.zeros(self.n)
        for _, f, m in self.active("belt-slip", t):
            slip = np.where(m, np.maximum(slip, f.amount), slip)
        if (slip != loop.slip).any():
            loop.set_slip(slip)

    def sense(self, t: float, hr: np.ndarray, speed: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """What the heart-rate and speed sensors read at ``t`` [min-1, m s-1]."""
        hr, speed = hr.copy(), speed.copy()
        for _, f, m in self.active("hr-spike", t):
            hr = np.where(m, np.maximum(hr + f.amount, 0.0), hr)
        for _, _, m in self.active("hr-loss", t):
            hr = np.where(m, np.nan, hr)
        for i, f, m in self.active("speed-sensor-noise", t):
            times, draws = self.noise[i]
            col = min(int(np.searchsorted(times, t, side="right")) - 1, draws.shape[1] - 1)
            speed = np.where(m, np.maximum(speed + f.amount * draws[:, max(col, 0)], 0.0),
                             speed)
        for i, _, m in self.active("speed-sensor-stuck", t):
            if i not in self.stuck:
                self.stuck[i] = speed.copy()
            speed = np.where(m, self.stuck[i], speed)
        return hr, speed


def mask_command(cmd: Command, mask: np.ndarray) -> Command:
    """``cmd`` (array form) for the subjects in ``mask`` only; nothing for the others."""
    out = {}
    for f in fields(Command):
        a = getattr(cmd, f.name)
        none = False if a.dtype == bool else (0 if f.name == "direction" else np.nan)
        out[f.name] = np.where(mask, a, none).astype(a.dtype)
    return Command(**out)


class FaultyBus:
    """The command bus between a controller and the treadmill, with its faults.

    A runaway replaces the speed of every command in its window (and starts the belt); when
    it ends the bus sends the controller's latest genuine targets again. A delayed command is
    delivered at the first call at or after its due time.
    """

    vectorised = True

    def __init__(self, inner: Any, schedule: FaultSchedule) -> None:
        self.inner, self.schedule = inner, schedule
        self.period_s = float(getattr(inner, "period_s", 1.0))
        self.queue: list[tuple[float, Command]] = []
        self.genuine: Command | None = None
        self.was_runaway = np.zeros(schedule.n, bool)

    def step(self, obs: Any) -> Command:
        n, t = self.schedule.n, obs.time_s
        cmd = self.inner.step(obs).arrays(n)
        self.genuine = cmd if self.genuine is None else self.genuine.then(cmd)
        delayed = np.zeros(n, bool)
        for _, f, m in self.schedule.active("command-delay", t):
            self.queue.append((t + f.amount, mask_command(cmd, m)))
            delayed |= m
        out = mask_command(cmd, ~delayed)
        due = [c for when, c in self.queue if when <= t + 1e-9]
        self.queue = [(when, c) for when, c in self.queue if when > t + 1e-9]
        for c in due:
            out = c.then(out)
        runaway = np.zeros(n, bool)
        for _, f, m in self.schedule.active("runaway", t):
            jump = Command(speed_mps=np.where(m, f.amount, np.nan), start=m).arrays(n)
            out = out.then(jump)
            runaway |= m
        ended = self.was_runaway & ~runaway
        if ended.any():
            g = self.genuine
            out = out.then(mask_command(Command(speed_mps=g.speed_mps, grade_frac=g.grade_frac,
                                                direction=g.direction).arrays(n), ended))
        self.was_runaway = runaway
        return out
