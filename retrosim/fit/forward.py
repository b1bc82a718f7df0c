"""The forward model of a recording: retrosim's heart rate along the recorded walk.

The same path as a run (``retrosim.solve.trajectory``), taken through the physiology
functions directly so a fit can call it thousands of times: the energy model's MET at the
walk's speed, grade and direction (with the person's handrail and the walking-cost person term
of her age, ``[energy] walking_cost``), the demand ``MET x VO2rest``,
the steady-state heart rate of ``[energy] heart_rate`` (Swain et al. 1994 with the backward
excess, by default) and first-order kinetics from HRrest at the start, with the on and off
time constants of ``[energy] hr_kinetics`` as in a run (:mod:`retrosim.physiology.hr_kinetics`):
the person's ``tau`` rising, and over any interval whose target ends below the heart rate at
its start the off (recovery) constant of her age and fitness (:mod:`retrosim.solve.relax`).
The inputs are taken as linear between the knots of a 1-s grid, so the state advances in
closed form (:func:`retrosim.physiology.oxygen.first_order_ramp`, the recurrence solved by
:func:`scipy.signal.lfilter` over each run of intervals with one constant); a run of the same
walk gives the same heart rate to within the grid's resolution of the belt's ramps
(``tests/fit/test_forward.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from retrosim.model.options import EnergyOptions
from retrosim.physiology import energy, heart, hr_kinetics, walking_cost
from retrosim.physiology.oxygen import FITNESS_LEVELS

#: Spacing of the grid the walk is solved on [s].
GRID_S = 1.0
#: Grid steps solved at once while the heart rate keeps rising or keeps falling.
_CHUNK = 1024


@dataclass(frozen=True)
class Walk:
    """The recorded walk: the grid's times [s]; the knots' times [s], VO2 demand
    [mL kg-1 min-1] and direction (+1 at rest); the resting VO2, the heart-rate model, the
    heart-rate kinetics (``[energy] hr_kinetics``) and the age [yr] and fitness code (0
    inactive, 1 recreational, 2 trained) that set the walker's recovery constant."""

    t: np.ndarray
    knot_t: np.ndarray
    demand: np.ndarray
    direction: np.ndarray
    vo2_rest: float
    heart_rate: str
    hr_kinetics: str
    age_yr: float
    fitness: int

    def tau_off_s(self, tau_s: float) -> float:
        """Heart rate's off (recovery) time constant [s] for the on constant ``tau_s`` (the
        fast phase's, with two phases)."""
        return float(hr_kinetics.HR_KINETICS_MODELS[self.hr_kinetics](
            tau_s, self.age_yr, self.fitness))

    def tau_slow_s(self, tau_s: float) -> float | None:
        """The slow phase's off constant [s] of two-phase kinetics, None without one."""
        slow = hr_kinetics.SLOW_PHASES.get(self.hr_kinetics)
        return None if slow is None else float(slow(tau_s, self.age_yr, self.fitness))

    def slow_part(self, knots: np.ndarray, hr_rest: float, hr_max: float) -> np.ndarray:
        """The slow phase's part of the target at the knots [min-1], split as in a run
        (:func:`retrosim.solve.hr_phases.split_target`)."""
        capacity = hr_kinetics.FAST_CAPACITIES.get(self.hr_kinetics)
        if capacity is None:
            return hr_kinetics.slow_target(knots, hr_rest, hr_max)
        return hr_kinetics.vagal_slow_target(knots, hr_rest, capacity(self.fitness))

    @property
    def backward(self) -> bool:
        return bool(np.any(self.direction < 0))


def walk(time_s: np.ndarray, speed_mps: np.ndarray, grade_frac: np.ndarray,
         direction: np.ndarray, *, age_yr: float, fitness: str = "recreational",
         handrail: int = 0, vo2_rest: float = 3.5, options: EnergyOptions | None = None
         ) -> Walk:
    """The demand along a walk given at ``time_s`` (readings linear in between; NaN readings
    are bridged), on the grid, walked by a person of ``age_yr`` and ``fitness`` (a
    ``Subject`` fitness level), which set her heart rate's recovery constant.

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
    met = 1.0 + (met - 1.0) * walking_cost.person_factor(options.walking_cost, options.model,
                                                         age_yr)
    return Walk(t, time_s[knot], np.asarray(met) * vo2_rest, d[knot], vo2_rest,
                options.heart_rate, options.hr_kinetics, float(age_yr),
                FITNESS_LEVELS.index(fitness))


def heart_rate(w: Walk, hr_rest: float, vo2_max: float, hr_max: float, tau_s: float,
               practice_min: float = 0.0) -> np.ndarray:
    """Heart rate [min-1] on the grid: first order from ``hr_rest`` towards the steady state
    of the demand (evaluated at the walk's knots, linear between), exact in between, with the
    on constant ``tau_s`` and the walk's off constant (:meth:`Walk.tau_off_s`) where the
    target ends an interval below the heart rate at its start."""
    knots = heart.HR_MODELS[w.heart_rate](
        w.demand, w.vo2_rest, vo2_max, hr_rest, hr_max, w.direction, practice_min)
    tau_slow = w.tau_slow_s(tau_s)
    if tau_slow is not None:       # two phases, each target split at the knots as in a run
        slow = w.slow_part(knots, hr_rest, hr_max)
        return _relax_two(np.interp(w.t, w.knot_t, knots - slow), np.interp(w.t, w.knot_t, slow),
                          hr_rest, tau_s, (w.tau_off_s(tau_s), tau_slow))
    return _relax(np.interp(w.t, w.knot_t, knots), hr_rest, tau_s, w.tau_off_s(tau_s))


def oxygen_uptake(w: Walk, vo2_max: float, tau_s: float) -> np.ndarray:
    """Oxygen uptake [mL kg-1 min-1] on the grid, as a run gives it before EPOC's slow
    component: first order from the resting VO2 towards the demand capped at ``vo2_max``
    (at the knots, linear between), with time constant ``tau_s``."""
    target = np.interp(w.t, w.knot_t, np.minimum(w.demand, vo2_max))
    return _relax(target, w.vo2_rest, tau_s)


def _relax(target: np.ndarray, x0: float, tau_s: float, tau_off_s: float | None = None
           ) -> np.ndarray:
    """A first-order state on the grid from ``x0`` towards ``target`` (linear between grid
    points), exact in between; with ``tau_off_s``, that constant over each grid interval
    whose target ends below the state at its start (``u[k+1] < x[k]``, the rule of
    :func:`retrosim.solve.relax.relax_interval`), ``tau_s`` over the others.

    With two constants the recurrence is solved a chunk at a time with the constant of the
    chunk's first interval, up to the first interval that needs the other one, from which it
    starts again: a few restarts where heart rate turns.

    Five minutes at a target of 150 from 70, then a minute back at 70: the same rise, a
    slower fall (70 + 80 exp(-60 / tau) after the minute: 81 at 30 s, 108 at 80 s).

    >>> u = np.r_[70.0, np.full(300, 150.0), np.full(60, 70.0)]
    >>> one, two = _relax(u, 70.0, 30.0), _relax(u, 70.0, 30.0, 80.0)
    >>> bool(np.array_equal(one[:301], two[:301])), round(float(one[-1])), round(float(two[-1]))
    (True, 81, 108)
    """
    if tau_off_s is None or tau_off_s == tau_s:
        e = np.exp(-GRID_S / tau_s)
        x = np.empty_like(target)
        x[0] = x0
        x[1:], _ = lfilter([1.0], [1.0, -e], _drive(target, tau_s, e), zi=[e * x0])
        return x
    # x[k+1] = e x[k] + c[k] with the rising (0) or falling (1) constant's e and c
    es = (np.exp(-GRID_S / tau_s), np.exp(-GRID_S / tau_off_s))
    cs = (_drive(target, tau_s, es[0]), _drive(target, tau_off_s, es[1]))
    n = target.size
    x = np.empty_like(target)
    x[0] = x0
    k = 0
    while k < n - 1:
        falling = int(target[k + 1] < x[k])
        j = min(k + _CHUNK, n - 1)
        x[k + 1:j + 1], _ = lfilter([1.0], [1.0, -es[falling]], cs[falling][k:j],
                                    zi=[es[falling] * x[k]])
        turned = np.flatnonzero((target[k + 2:j + 1] < x[k + 1:j]) != falling)
        k = k + 1 + int(turned[0]) if turned.size else j
    return x


def _relax_two(fast_t: np.ndarray, slow_t: np.ndarray, x0: float, tau_s: float,
               tau_off: tuple[float, float]) -> np.ndarray:
    """Heart rate on the grid as the sum of a fast state from ``x0`` towards ``fast_t`` and a
    slow state from 0 towards ``slow_t`` (two-phase kinetics, :mod:`retrosim.solve.hr_phases`):
    each state falls with its own off constant (``tau_off``: the fast one's, the slow one's)
    over the grid intervals whose own target ends below it, and rises with ``tau_s``
    otherwise (:func:`_relax` for each).

    The rise of :func:`_relax`'s example split 60 + 20, then a minute's fall to about
    70 + 60 exp(-60 / 30) + 20 exp(-60 / 600) = 96.

    >>> u = np.r_[70.0, np.full(300, 150.0), np.full(60, 70.0)]
    >>> one = _relax(u, 70.0, 30.0)
    >>> two = _relax_two(u - 20.0 * (u > 70), 20.0 * (u > 70), 70.0, 30.0, (30.0, 600.0))
    >>> bool(np.allclose(one[:301], two[:301], rtol=1e-12)), round(float(two[-1]))
    (True, 96)
    """
    return _relax(fast_t, x0, tau_s, tau_off[0]) + _relax(slow_t, 0.0, tau_s, tau_off[1])


def _drive(target: np.ndarray, tau_s: float, e: float) -> np.ndarray:
    """c[k] of the recurrence x[k+1] = e x[k] + c[k]: first_order_ramp over one grid step
    with slope (u[k+1] - u[k]) / dt."""
    slope = np.diff(target) / GRID_S
    return (1.0 - e) * (target[:-1] - slope * tau_s) + slope * GRID_S


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
