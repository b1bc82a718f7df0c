"""The plant: a motorised belt and an incline actuator that move at limited rates.

The belt's walking velocity is signed (positive forward, negative backward): a change of
direction decelerates to a stop and then accelerates the other way. Between commands the belt
speed and the incline move linearly, so the treadmill's whole history is a list of knots
``(time, velocity, grade)`` joined by straight lines; everything downstream (demand, kinetics,
traces) is exact on that representation.

Ramp rates are design assumptions (REFERENCES.md section 6: the standards we could read give
no numbers): forward acceleration 0.1-0.3 m s-2 is typical, backward gentler (<= 0.15); an
incline actuator moves about 0.5-1 % per second.

Safety (REFERENCES.md section 6): the emergency stop (safety key / tether) cuts drive power,
decelerates the belt at a bounded rate and never resets by itself (EN 957-6); the tether must
release before the user reaches 70 % of the deck length (ISO 20957-6:2021). The console sets
speed in steps (0.1 km/h or 0.1 mph).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from retrosim.errors import InputError, RetrosimError, check_choice, check_number

START_MODES = ("stopped", "at-speed")
_MPS_PER_MPH, _MPS_PER_KMH = 1609.344 / 3600.0, 1000.0 / 3600.0
#: ISO 20957-6:2021: the tether releases before the user reaches this share of the deck.
TETHER_MAX_FRAC = 0.7


class EmergencyStopLatched(RetrosimError):
    """A command reached a treadmill whose emergency stop is latched (``reset()`` first)."""


@dataclass(frozen=True)
class TreadmillLimits:
    """Rate limits of the belt and incline.

    Parameters
    ----------
    forward_accel_mps2 : belt acceleration and deceleration while running forward [m s-2];
        0.2 is a design assumption within the typical 0.1-0.3.
    backward_accel_mps2 : the same in backward mode [m s-2]; 0.15, the gentlest typical value
        the literature we could read suggests for backward walking (an assumption).
    incline_rate_frac_per_s : incline actuator rate [s-1]; 0.0075 (0.75 % per second), an
        assumption within the typical 0.5-1 % per second.
    start : "stopped" (the belt starts from rest, default) or "at-speed" (the session clock
        starts once the belt runs at the first stage's speed and incline, as the Compendium's
        steady-state values assume).
    estop_decel_mps2 : deceleration of an emergency stop [m s-2]; 1.5, a design assumption
        within the 1-2 m s-2 REFERENCES.md section 6 gives.
    speed_step_mps : the console's speed step [m s-1]; commands are rounded to it. 0.1 mph, the
        step of a console that shows mph (REFERENCES.md section 6: 0.1 km/h or 0.1 mph); 0
        means a continuous belt.
    deck_length_m : length of the walking deck [m]; 1.4, a design assumption (a typical
        walking treadmill; no standard we could read fixes it).
    tether_length_m : how far from the front of the deck the tether pulls the safety key [m];
        default (None) 70 % of the deck, the furthest ISO 20957-6:2021 allows.
    """

    forward_accel_mps2: float = 0.2
    backward_accel_mps2: float = 0.15
    incline_rate_frac_per_s: float = 0.0075
    start: str = "stopped"
    estop_decel_mps2: float = 1.5
    speed_step_mps: float = 0.1 * _MPS_PER_MPH
    deck_length_m: float = 1.4
    tether_length_m: float | None = None

    @property
    def tether_release_m(self) -> float:
        """Distance from the front of the deck at which the safety key releases [m]."""
        if self.tether_length_m is None:
            return TETHER_MAX_FRAC * self.deck_length_m
        return self.tether_length_m

    def quantise(self, speed_mps: float) -> float:
        """A commanded belt speed [m s-1] rounded to the console's step (sign kept).

        >>> round(TreadmillLimits().quantise(2.37 * 1609.344 / 3600) * 3600 / 1609.344, 9)
        2.4
        """
        step = self.speed_step_mps
        if step <= 0:
            return speed_mps
        q = round(speed_mps / step) * step
        return speed_mps if abs(q - speed_mps) <= 1e-9 * max(abs(speed_mps), 1.0) else q

    @classmethod
    def from_dict(cls, table: dict) -> TreadmillLimits:
        keys = ("forward_accel_mps2", "backward_accel_mps2", "incline_rate_pct_per_s", "start",
                "estop_decel_mps2", "speed_step_mph", "speed_step_kmh", "deck_length_m",
                "tether_length_m")
        for key in table:
            if key not in keys:
                raise InputError(key, "is not a treadmill key", ", ".join(keys))
        kwargs: dict = {}
        for key, high in (("forward_accel_mps2", 2.0), ("backward_accel_mps2", 2.0),
                          ("estop_decel_mps2", 5.0)):
            if key in table:
                kwargs[key] = check_number(key, table[key], 0.05, high, "m s-2")
        if "incline_rate_pct_per_s" in table:
            rate = check_number("incline_rate_pct_per_s", table["incline_rate_pct_per_s"],
                                0.1, 5.0, "% s-1")
            kwargs["incline_rate_frac_per_s"] = rate / 100.0
        if "start" in table:
            kwargs["start"] = check_choice("start", table["start"], START_MODES)
        kwargs.update(_safety_keys(table))
        return cls(**kwargs)

    def accel(self, velocity: float) -> float:
        """The acceleration limit that applies while the belt moves at ``velocity``."""
        return self.forward_accel_mps2 if velocity >= 0 else self.backward_accel_mps2


def _safety_keys(table: dict) -> dict:
    """The console step, deck and tether keys of a ``[treadmill]`` table, validated."""
    kwargs: dict = {}
    if "speed_step_mph" in table and "speed_step_kmh" in table:
        raise InputError("speed_step_kmh", "give either speed_step_mph or speed_step_kmh",
                         "one of them")
    for key, unit, scale in (("speed_step_mph", "mph", _MPS_PER_MPH),
                             ("speed_step_kmh", "km/h", _MPS_PER_KMH)):
        if key in table:
            kwargs["speed_step_mps"] = check_number(key, table[key], 0.0, 1.0, unit) * scale
    deck = check_number("deck_length_m", table.get("deck_length_m", 1.4), 0.8, 3.0, "m")
    kwargs["deck_length_m"] = deck
    if "tether_length_m" in table:
        longest = round(TETHER_MAX_FRAC * deck, 6)
        length = check_number("tether_length_m", table["tether_length_m"], 0.05, longest, "m")
        kwargs["tether_length_m"] = length
    return kwargs


def plan_velocity(t0: float, v0: float, v1: float, limits: TreadmillLimits) -> list[tuple]:
    """Knots ``(t, v)`` after ``t0`` that take the belt from ``v0`` to ``v1`` at its limits.

    Crossing zero (a change of direction) adds a knot at the stop: each leg runs at the rate
    of the direction it moves in.

    >>> plan_velocity(0.0, 1.0, -0.3, TreadmillLimits())
    [(5.0, 0.0), (7.0, -0.3)]
    """
    if v0 == v1:
        return []
    if v0 * v1 < 0:
        t_stop = t0 + abs(v0) / limits.accel(v0)
        return [(t_stop, 0.0), *plan_velocity(t_stop, 0.0, v1, limits)]
    moving = v1 if v1 != 0 else v0
    return [(t0 + abs(v1 - v0) / limits.accel(moving), v1)]


def plan_grade(t0: float, g0: float, g1: float, limits: TreadmillLimits) -> list[tuple]:
    """Knots ``(t, grade)`` after ``t0`` that take the incline from ``g0`` to ``g1``."""
    if g0 == g1:
        return []
    return [(t0 + abs(g1 - g0) / limits.incline_rate_frac_per_s, g1)]


def _interp(knots: list[tuple], t: float) -> float:
    times = [k[0] for k in knots]
    values = [k[1] for k in knots]
    return float(np.interp(t, times, values))


class Treadmill:
    """The belt and incline as a SimPy resource of the session: commands in, knots out.

    ``command`` replaces whatever ramp is in progress: the current position on the old ramp
    becomes a knot and a new ramp starts from it, so commands may arrive at any time.
    ``knots()`` returns the history as arrays ``t, velocity, grade``; between knots every
    quantity is linear in time. Commanded speeds are rounded to the console's step.

    Safety: :meth:`emergency_stop` cuts drive, brings the belt to rest at
    ``limits.estop_decel_mps2``, holds the incline where it is and latches: every command is
    refused (:class:`EmergencyStopLatched`) until a deliberate :meth:`reset` once the belt is at
    rest. :meth:`walker_at` pulls the tether's safety key (an emergency stop) when the walker is
    at or past ``limits.tether_release_m`` from the front of the deck. ``stops`` lists every
    emergency stop as ``(time, cause)``.
    """

    def __init__(self, env: simpy.Environment, limits: TreadmillLimits,
                 velocity: float = 0.0, grade: float = 0.0) -> None:
        self.env, self.limits = env, limits
        self._v: list[tuple] = [(env.now, limits.quantise(velocity))]
        self._g: list[tuple] = [(env.now, grade)]
        self.latched = False
        self.stops: list[tuple[float, str]] = []

    def emergency_stop(self, cause: str = "stop button") -> float:
        """Cut drive and latch; the belt decelerates to rest. Returns when it is at rest [s]."""
        now = self.env.now
        v_now, g_now = self.state(now)
        self._v = [k for k in self._v if k[0] < now] + [(now, v_now)]
        self._g = [k for k in self._g if k[0] < now] + [(now, g_now)]
        if v_now != 0.0:
            self._v.append((now + abs(v_now) / self.limits.estop_decel_mps2, 0.0))
        self.latched = True
        self.stops.append((now, cause))
        return self._v[-1][0]

    def walker_at(self, position_m: float) -> bool:
        """Report the walker's distance from the front of the deck [m]; True if the tether
        pulls the safety key (at or past ``limits.tether_release_m``), which stops the belt."""
        if position_m >= self.limits.tether_release_m and not self.latched:
            self.emergency_stop("tether")
            return True
        return False

    def reset(self) -> None:
        """Clear a latched emergency stop; only once the belt is at rest."""
        velocity, _ = self.state()
        if velocity != 0.0:
            raise EmergencyStopLatched(f"the belt is still moving ({abs(velocity):.2f} m/s): "
                                       "reset once it is at rest")
        self.latched = False

    def state(self, t: float | None = None) -> tuple[float, float]:
        """Belt velocity [m s-1, signed] and grade [-] at time ``t`` (default: now)."""
        t = self.env.now if t is None else t
        return _interp(self._v, t), _interp(self._g, t)

    def command(self, velocity: float, grade: float) -> float:
        """Ramp toward ``velocity`` (rounded to the console step) and ``grade``; returns when
        both will be reached [s]. Refused while an emergency stop is latched."""
        if self.latched:
            raise EmergencyStopLatched("the emergency stop is latched: reset() the treadmill "
                                       "before commanding it")
        velocity = self.limits.quantise(velocity)
        now = self.env.now
        v_now, g_now = self.state(now)
        self._v = [k for k in self._v if k[0] < now] + [(now, v_now)]
        self._g = [k for k in self._g if k[0] < now] + [(now, g_now)]
        self._v += plan_velocity(now, v_now, velocity, self.limits)
        self._g += plan_grade(now, g_now, grade, self.limits)
        return max(self._v[-1][0], self._g[-1][0])

    def knots(self, t_end: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The history up to ``t_end`` as knot arrays (union of belt and incline knots)."""
        times = sorted({k[0] for k in self._v + self._g if k[0] < t_end} | {t_end})
        t = np.asarray(times, dtype=float)
        return t, np.interp(t, *zip(*self._v, strict=True)), \
            np.interp(t, *zip(*self._g, strict=True))
