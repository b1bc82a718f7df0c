"""The treadmill's rules, as data and pure functions: its limits (the ``[treadmill]`` table),
the console's speed grid, the ramps of belt and incline, the at-speed start and the
emergency stop. The open-loop plant (:mod:`retrosim.engine.treadmill`), the closed loop
(:mod:`retrosim.engine.closedloop`) and the stop splice (:meth:`retrosim.solve.timeline.
Timeline.stop`) all move the belt by these rules, scalars or one value per subject.

Ramp rates are design assumptions (the standards we could read give no numbers): forward
acceleration 0.1-0.3 m s-2 is typical, backward gentler (<= 0.15); an incline actuator moves
about 0.5-1 % per second. The emergency stop (safety key / tether) cuts drive power,
decelerates the belt at a bounded rate and never resets by itself (EN 957-6); the tether must
release before the user reaches 70 % of the deck length (ISO 20957-6:2021). The console sets
speed in steps (0.1 km/h or 0.1 mph).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from retrosim.errors import InputError, check_choice, check_number
from retrosim.units import MPS_PER_KMH, MPS_PER_MPH

START_MODES = ("stopped", "at-speed")
#: The keys of a scenario's ``[treadmill]`` table.
TREADMILL_KEYS = ("forward_accel_mps2", "backward_accel_mps2", "incline_rate_pct_per_s", "start",
                  "estop_decel_mps2", "speed_step_mph", "speed_step_kmh", "deck_length_m",
                  "tether_length_m")
#: The range [low, high] of each number of ``[treadmill]`` (tether_length_m: its own rule).
TREADMILL_RANGES = {"forward_accel_mps2": (0.05, 2.0), "backward_accel_mps2": (0.05, 2.0),
                    "estop_decel_mps2": (0.05, 5.0), "incline_rate_pct_per_s": (0.1, 5.0),
                    "speed_step_mph": (0.0, 1.0), "speed_step_kmh": (0.0, 1.0),
                    "deck_length_m": (0.8, 3.0)}
#: ISO 20957-6:2021: the tether releases before the user reaches this share of the deck.
TETHER_MAX_FRAC = 0.7


@dataclass(frozen=True)
class TreadmillLimits:
    """Rate limits of the belt and incline.

    Parameters
    ----------
    forward_accel_mps2 : float, optional
        Belt acceleration and deceleration while running forward [m s-2];
        0.2 is a design assumption within the typical 0.1-0.3.
    backward_accel_mps2 : float, optional
        The same in backward mode [m s-2]; 0.15, the gentlest typical value
        the literature we could read suggests for backward walking (an assumption).
    incline_rate_frac_per_s : float, optional
        Incline actuator rate [s-1]; 0.0075 (0.75 % per second), an
        assumption within the typical 0.5-1 % per second.
    start : str, optional
        "stopped" (the belt starts from rest, default) or "at-speed" (the session clock
        starts once the belt runs at the first stage's speed and incline, as the Compendium's
        steady-state values assume).
    estop_decel_mps2 : float, optional
        Deceleration of an emergency stop [m s-2]; 1.5, a design assumption
        within the 1-2 m s-2 typical of treadmill emergency stops.
    speed_step_mps : float, optional
        The console's speed step [m s-1]; commands are rounded to it. 0.1 mph, the
        step of a console that shows mph (consoles step by 0.1 km/h or 0.1 mph); 0
        means a continuous belt.
    deck_length_m : float, optional
        Length of the walking deck [m]; 1.4, a design assumption (a typical
        walking treadmill; no standard we could read fixes it).
    tether_length_m : float, optional
        How far from the front of the deck the tether pulls the safety key [m];
        default (None) 70 % of the deck, the furthest ISO 20957-6:2021 allows.
    """

    forward_accel_mps2: float = 0.2
    backward_accel_mps2: float = 0.15
    incline_rate_frac_per_s: float = 0.0075
    start: str = "stopped"
    estop_decel_mps2: float = 1.5
    speed_step_mps: float = 0.1 * MPS_PER_MPH
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
        return float(quantise(speed_mps, self.speed_step_mps))

    @classmethod
    def from_dict(cls, table: dict) -> TreadmillLimits:
        for key in table:
            if key not in TREADMILL_KEYS:
                raise InputError(key, "is not a treadmill key", ", ".join(TREADMILL_KEYS))
        kwargs: dict = {}
        for key in ("forward_accel_mps2", "backward_accel_mps2", "estop_decel_mps2"):
            if key in table:
                kwargs[key] = check_number(key, table[key], *TREADMILL_RANGES[key], "m s-2")
        if "incline_rate_pct_per_s" in table:
            rate = check_number("incline_rate_pct_per_s", table["incline_rate_pct_per_s"],
                                *TREADMILL_RANGES["incline_rate_pct_per_s"], "% s-1")
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
    for key, unit, scale in (("speed_step_mph", "mph", MPS_PER_MPH),
                             ("speed_step_kmh", "km/h", MPS_PER_KMH)):
        if key in table:
            kwargs["speed_step_mps"] = check_number(key, table[key], *TREADMILL_RANGES[key],
                                                    unit) * scale
    deck = check_number("deck_length_m", table.get("deck_length_m", 1.4),
                        *TREADMILL_RANGES["deck_length_m"], "m")
    kwargs["deck_length_m"] = deck
    if "tether_length_m" in table:
        longest = round(TETHER_MAX_FRAC * deck, 6)
        length = check_number("tether_length_m", table["tether_length_m"], 0.05, longest, "m")
        kwargs["tether_length_m"] = length
    return kwargs


def plan_velocity(t0: float, v0: float, v1: float, limits: TreadmillLimits) -> list[tuple]:
    """Knots ``(t, v)`` after ``t0`` that take the belt from ``v0`` to ``v1`` at its limits.

    Crossing zero (a change of direction) adds a knot at the stop: each leg runs at the rate
    of the direction it moves in (:func:`ramp`).

    >>> plan_velocity(0.0, 1.0, -0.3, TreadmillLimits())
    [(5.0, 0.0), (7.0, -0.3)]
    """
    if v0 == v1:
        return []
    t_zero, t_reach = (float(x) for x in ramp(t0, v0, v1, limits.forward_accel_mps2,
                                                 limits.backward_accel_mps2)[:2])
    return [(t_zero, 0.0), (t_reach, v1)] if v0 * v1 < 0 else [(t_reach, v1)]


def plan_grade(t0: float, g0: float, g1: float, limits: TreadmillLimits) -> list[tuple]:
    """Knots ``(t, grade)`` after ``t0`` that take the incline from ``g0`` to ``g1``."""
    if g0 == g1:
        return []
    return [(t0 + abs(g1 - g0) / limits.incline_rate_frac_per_s, g1)]


def quantise(speed_mps: ArrayLike, step_mps: float) -> np.ndarray:
    """Speeds [m s-1] rounded to the console's step (sign kept; a step of 0: unchanged).

    A speed already on the grid (within 1e-9 relative) is kept as given.

    >>> quantise([1.0, -0.53], 0.1).round(9).tolist()
    [1.0, -0.5]
    """
    speed = np.asarray(speed_mps, dtype=float)
    if step_mps <= 0:
        return speed
    q = np.round(speed / step_mps) * step_mps
    return np.where(np.abs(q - speed) <= 1e-9 * np.maximum(np.abs(speed), 1.0), speed, q)


def ramp(t0: ArrayLike, v0: ArrayLike, v1: ArrayLike, forward_mps2: ArrayLike,
         backward_mps2: ArrayLike) -> tuple[np.ndarray, ...]:
    """The belt's ramp from ``v0`` to ``v1`` starting at ``t0``, at the rate of the direction
    it moves in: ``(t_zero, t_reach, a0, a1, a_move)``.

    ``t_zero`` is when it passes through rest on a change of direction (inf if it does not),
    ``t_reach`` when it reaches ``v1`` (inf if ``v0 == v1``); ``a0``, ``a1`` are the rates of
    the legs before and after the stop, ``a_move`` that of a ramp without one [m s-2].

    >>> [float(x) for x in ramp(0.0, 1.0, -0.3, 0.2, 0.15)[:2]]
    [5.0, 7.0]
    """
    t0, v0, v1 = (np.asarray(x, dtype=float) for x in (t0, v0, v1))
    a0 = np.where(v0 >= 0, forward_mps2, backward_mps2)
    a1 = np.where(v1 >= 0, forward_mps2, backward_mps2)
    cross = v0 * v1 < 0
    moving = np.where(v1 != 0, v1, v0)
    a_move = np.where(moving >= 0, forward_mps2, backward_mps2)
    t_zero = np.where(cross, t0 + np.abs(v0) / a0, np.inf)
    t_reach = np.where(cross, t_zero + np.abs(v1) / a1, t0 + np.abs(v1 - v0) / a_move)
    return t_zero, np.where(v0 == v1, np.inf, t_reach), a0, a1, a_move


def incline_reach(t0: ArrayLike, g0: ArrayLike, g1: ArrayLike, rate: ArrayLike) -> np.ndarray:
    """When the incline, moving at ``rate`` [s-1], reaches ``g1`` from ``g0`` (inf: no move)."""
    g0, g1 = np.asarray(g0, dtype=float), np.asarray(g1, dtype=float)
    return np.where(g0 == g1, np.inf, np.asarray(t0) + np.abs(g1 - g0) / rate)


def estop_rest(t_stop: ArrayLike, v_stop: ArrayLike, decel_mps2: ArrayLike) -> np.ndarray:
    """When a belt moving at ``v_stop`` at ``t_stop`` comes to rest after an emergency stop
    (drive cut, braked at ``decel_mps2``; the incline holds where it is).

    >>> float(estop_rest(10.0, -1.5, 1.5))
    11.0
    """
    return np.asarray(t_stop, dtype=float) + np.abs(v_stop) / decel_mps2


def estop_velocity(t: ArrayLike, t_stop: ArrayLike, v_stop: ArrayLike,
                   decel_mps2: ArrayLike) -> np.ndarray:
    """The belt's velocity at ``t >= t_stop`` after an emergency stop at ``t_stop``.

    >>> estop_velocity([10.5, 12.0], 10.0, -1.5, 1.5).tolist()
    [-0.75, 0.0]
    """
    t, t_stop, v_stop = (np.asarray(x, dtype=float) for x in (t, t_stop, v_stop))
    return np.where(estop_rest(t_stop, v_stop, decel_mps2) < t, 0.0,
                    v_stop - np.sign(v_stop) * decel_mps2 * (t - t_stop))


def start_state(limits: TreadmillLimits, first: Any) -> tuple[float, float, bool]:
    """The belt at time 0 for a protocol whose first stage is ``first``: ``(velocity, grade,
    running)``. ``start = "at-speed"`` starts the clock with the belt already at the first
    walking stage's speed and incline (a first rest stage starts at rest)."""
    at_speed = limits.start == "at-speed" and not first.is_rest
    if not at_speed:
        return 0.0, 0.0, False
    return first.direction * first.speed_mps, first.grade_frac, True
