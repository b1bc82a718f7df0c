"""The forward model of a recording: retrosim's heart rate along the recorded walk.

The same path as a run (``retrosim.solve.trajectory``), taken through the physiology
functions directly so a fit can call it thousands of times: the energy model's MET at the
walk's speed, grade and direction (with the person's handrail), the demand ``MET x VO2rest``,
the steady-state heart rate of ``[energy] heart_rate`` (Swain et al. 1994 with the backward
excess, by default) and the first-order kinetics with time constant ``tau`` from HRrest at the
start. The inputs are taken as linear between the knots of a 1-s grid, so the state advances
in closed form (:func:`retrosim.physiology.oxygen.first_order_ramp`, the recurrence solved by
:func:`scipy.signal.lfilter`); a run of the same walk gives the same heart rate to within
the grid's resolution of the belt's ramps (``tests/fit/test_forward.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from retrosim.model.options import EnergyOptions
from retrosim.physiology import energy, heart

#: Spacing of the grid the walk is solved on [s].
GRID_S = 1.0


@dataclass(frozen=True)
class Walk:
    """The recorded walk: the grid's times [s]; the knots' times [s], VO2 demand
    [mL kg-1 min-1] and direction (+1 at rest); the resting VO2 and the heart-rate model."""

    t: np.ndarray
    knot_t: np.ndarray
    demand: np.ndarray
    direction: np.ndarray
    vo2_rest: float
    heart_rate: str

    @property
    def backward(self) -> bool:
        return bool(np.any(self.direction < 0))


def walk(time_s: np.ndarray, speed_mps: np.ndarray, grade_frac: np.ndarray,
         direction: np.ndarray, *, handrail: int = 0, vo2_rest: float = 3.5,
         options: EnergyOptions | None = None) -> Walk:
    """The demand along a walk given at ``time_s`` (readings linear in between; NaN readings
    are bridged), on the grid.

    As in a run, the demand is evaluated at the knots of the walk (where speed, grade or
    direction stop changing linearly) and taken as linear between them.
    """
    options = options or EnergyOptions()
    t = np.arange(0.0, float(time_s[-1]) + GRID_S / 2, GRID_S)
    speed = _bridge(time_s, speed_mps, time_s)
    grade = _bridge(time_s, grade_frac, time_s)
    ok = np.isfinite(direction)
    step = np.searchsorted(time_s[ok], time_s, side="right") - 1
    d = np.where(step >= 0, direction[ok][np.maximum(step, 0)], 1.0) if ok.any() else \
        np.ones_like(time_s)
    d = np.where(speed > 0, np.sign(d), 1.0)
    knot = _knots(time_s, speed, grade, d)
    met = energy.ENERGY_MODELS[options.model](speed[knot], grade[knot], d[knot])
    met = energy.apply_handrail(met, np.full(met.shape, handrail))
    return Walk(t, time_s[knot], np.asarray(met) * vo2_rest, d[knot], vo2_rest,
                options.heart_rate)


def heart_rate(w: Walk, hr_rest: float, vo2_max: float, hr_max: float, tau_s: float,
               practice_min: float = 0.0) -> np.ndarray:
    """Heart rate [min-1] on the grid: first order from ``hr_rest`` towards the steady state
    of the demand (evaluated at the walk's knots, linear between), exact in between."""
    target = np.interp(w.t, w.knot_t, heart.HR_MODELS[w.heart_rate](
        w.demand, w.vo2_rest, vo2_max, hr_rest, hr_max, w.direction, practice_min))
    return _relax(target, hr_rest, tau_s)


def oxygen_uptake(w: Walk, vo2_max: float, tau_s: float) -> np.ndarray:
    """Oxygen uptake [mL kg-1 min-1] on the grid, as a run gives it before EPOC's slow
    component: first order from the resting VO2 towards the demand capped at ``vo2_max``
    (at the knots, linear between), with time constant ``tau_s``."""
    target = np.interp(w.t, w.knot_t, np.minimum(w.demand, vo2_max))
    return _relax(target, w.vo2_rest, tau_s)


def _relax(target: np.ndarray, x0: float, tau_s: float) -> np.ndarray:
    """A first-order state on the grid from ``x0`` towards ``target`` (linear between grid
    points), exact in between."""
    # x[k+1] = e x[k] + c[k]: first_order_ramp over one grid step with slope (u1 - u0) / dt
    e = np.exp(-GRID_S / tau_s)
    slope = np.diff(target) / GRID_S
    c = (1.0 - e) * (target[:-1] - slope * tau_s) + slope * GRID_S
    x = np.empty_like(target)
    x[0] = x0
    x[1:], _ = lfilter([1.0], [1.0, -e], c, zi=[e * x0])
    return x


def at(w: Walk, values: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``values`` on the grid, read at ``times`` (linear; the first value before the start)."""
    return np.interp(times, w.t, values)


def _knots(t: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """Indices of the readings where some input stops being linear in time (and both ends)."""
    bend = np.zeros(t.size, bool)
    bend[[0, -1]] = True
    for x in inputs:
        rate = np.diff(x) / np.diff(t)
        bend[1:-1] |= ~np.isclose(rate[1:], rate[:-1], rtol=1e-9, atol=1e-9)
    return np.flatnonzero(bend)


def _bridge(t: np.ndarray, x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    if not ok.any():
        return np.zeros_like(grid)
    return np.interp(grid, t[ok], x[ok])
