"""The open-loop plant: a motorised belt and an incline actuator as a SimPy resource.

The belt's walking velocity is signed (positive forward, negative backward): a change of
direction decelerates to a stop and then accelerates the other way. Between commands the belt
speed and the incline move linearly, so the treadmill's whole history is a list of knots
``(time, velocity, grade)`` joined by straight lines; everything downstream (demand, kinetics,
traces) is exact on that representation. The rules it moves by (limits, the console's speed
grid, ramps, the emergency stop) are those of :mod:`retrosim.model.treadmill`.
"""

from __future__ import annotations

import bisect

import numpy as np
import simpy

from retrosim.errors import RetrosimError
from retrosim.model.treadmill import TreadmillLimits, estop_rest, plan_grade, plan_velocity


class EmergencyStopLatched(RetrosimError):
    """A command reached a treadmill whose emergency stop is latched (``reset()`` first)."""


class _Knots:
    """One quantity's knots ``(t, value)``, times increasing. A command cuts the pending ramp
    off at ``now`` and appends the new one: each knot is appended and removed at most once,
    so a session of K commands costs O(K) in all, and a look-up O(log K)."""

    def __init__(self, t: float, value: float) -> None:
        self.t, self.x = [t], [value]

    def at(self, t: float) -> float:
        j = bisect.bisect_right(self.t, t)
        if j == 0:
            return self.x[0]
        if j == len(self.t):
            return self.x[-1]
        return float(np.interp(t, self.t[j - 1:j + 1], self.x[j - 1:j + 1]))

    def cut(self, now: float, value: float) -> None:
        """Forget the knots at or after ``now``; ``value`` is the quantity at ``now``."""
        while self.t and self.t[-1] >= now:
            self.t.pop()
            self.x.pop()
        self.t.append(now)
        self.x.append(value)

    def extend(self, knots: list[tuple]) -> None:
        for t, value in knots:
            self.t.append(t)
            self.x.append(value)


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
        self._v = _Knots(env.now, limits.quantise(velocity))
        self._g = _Knots(env.now, grade)
        self.latched = False
        self.stops: list[tuple[float, str]] = []

    def emergency_stop(self, cause: str = "stop button") -> float:
        """Cut drive and latch; the belt decelerates to rest. Returns when it is at rest [s]."""
        now = self.env.now
        v_now, g_now = self.state(now)
        self._v.cut(now, v_now)
        self._g.cut(now, g_now)
        if v_now != 0.0:
            self._v.extend([(float(estop_rest(now, v_now, self.limits.estop_decel_mps2)), 0.0)])
        self.latched = True
        self.stops.append((now, cause))
        return self._v.t[-1]

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
        return self._v.at(t), self._g.at(t)

    def command(self, velocity: float, grade: float) -> float:
        """Ramp toward ``velocity`` (rounded to the console step) and ``grade``; returns when
        both will be reached [s]. Refused while an emergency stop is latched."""
        if self.latched:
            raise EmergencyStopLatched("the emergency stop is latched: reset() the treadmill "
                                       "before commanding it")
        velocity = self.limits.quantise(velocity)
        now = self.env.now
        v_now, g_now = self.state(now)
        self._v.cut(now, v_now)
        self._g.cut(now, g_now)
        self._v.extend(plan_velocity(now, v_now, velocity, self.limits))
        self._g.extend(plan_grade(now, g_now, grade, self.limits))
        return max(self._v.t[-1], self._g.t[-1])

    def knots(self, t_end: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The history up to ``t_end`` as knot arrays (union of belt and incline knots)."""
        times = sorted({t for t in self._v.t + self._g.t if t < t_end} | {t_end})
        t = np.asarray(times, dtype=float)
        return t, np.interp(t, self._v.t, self._v.x), np.interp(t, self._g.t, self._g.x)
