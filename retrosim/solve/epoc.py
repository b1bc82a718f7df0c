"""EPOC beyond the first-order off-kinetics after each bout of a timeline, in closed form.

:func:`slow_epoc` prices every bout on a timeline (:func:`retrosim.solve.bouts.find_bouts`)
with the model ``[energy] epoc`` of :data:`retrosim.physiology.epoc.EPOC_MODELS`: one slow
component per bout (``"slow"``) or a rapid and a prolonged one (``"intensity-duration"``,
``"two-component"``), each a
row of :class:`SlowEpoc`, which
carries the extra VO2 and energy that a
:class:`~retrosim.solve.trajectory.Trajectory` adds to its own. Both are re-exported from
:mod:`retrosim.solve.trajectory`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from retrosim.model.options import EnergyOptions
from retrosim.physiology import energy, epoc, oxygen
from retrosim.solve.bouts import find_bouts
from retrosim.solve.parameters import Physiology
from retrosim.solve.timeline import Timeline


@dataclass(frozen=True)
class SlowEpoc:
    """EPOC beyond the off-kinetics after each bout, in closed form
    (:func:`retrosim.physiology.oxygen.epoc_slow_uptake`).

    end_s, volume_ml_kg, tau_s : (B, N) each component's bout end [s], volume [mL kg-1] and
    time constant [s] (zero volume: no such bout; a bout has one row per component);
    tau_fast_s (N,) the VO2 time constant; kcal_per_ml_kg (N,) energy of 1 mL kg-1 of O2 for
    the person [kcal].
    """

    end_s: np.ndarray
    volume_ml_kg: np.ndarray
    tau_s: np.ndarray
    tau_fast_s: np.ndarray
    kcal_per_ml_kg: np.ndarray

    def at(self, times: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Extra VO2 [mL kg-1 min-1] and cumulative extra energy [kcal] at ``times`` (M, 1)
        or (N,), summed over the bouts that have ended."""
        t = np.asarray(times, dtype=float)
        vo2 = np.zeros(np.broadcast_shapes(t.shape, self.tau_fast_s.shape))
        kcal = np.zeros_like(vo2)
        for b in range(self.end_s.shape[0]):
            end = self.end_s[b]                   # a time or NaN: never infinite
            since = t - np.where(np.isnan(end), np.inf, end)
            x, area = oxygen.epoc_slow_uptake(since, self.volume_ml_kg[b], self.tau_s[b],
                                              self.tau_fast_s)
            vo2 += x
            kcal += area * self.kcal_per_ml_kg
        return vo2, kcal


def slow_epoc(timeline: Timeline, vo2_target: np.ndarray, physiology: Physiology,
              options: EnergyOptions) -> SlowEpoc | None:
    """EPOC beyond the off-kinetics of every bout on ``timeline`` from the model
    ``epoc.EPOC_MODELS[options.epoc]`` (None if it has no component, as "fast", or nobody
    walks). Each bout's intensity is the mean of its demand (capped at VO2max) over VO2max, its
    O2 cost that demand integrated over its walking; "slow" prices the cost, the others the
    intensity and walking minutes."""
    bouts = find_bouts(timeline, vo2_target)
    if bouts.end_s.shape[0] == 0:
        return None
    p = physiology
    intensity = np.nan_to_num(bouts.met / p.vo2_max)       # (B, N); "met" is the mean here
    cost = bouts.met * bouts.walking_s / 60.0     # finite or NaN, as are the bouts' seconds
    cost = np.where(np.isnan(cost), 0.0, cost)
    walking = np.where(np.isnan(bouts.walking_s), 0.0, bouts.walking_s)
    parts = epoc.EPOC_MODELS[options.epoc](intensity, walking / 60.0,
                                           p.female, p.vo2_max, cost)
    if not parts:
        return None
    ended = ~np.isnan(bouts.end_s)
    volume = np.concatenate([np.where(ended, v * p.epoc_scale, 0.0) for v, _ in parts])
    tau = np.concatenate([np.broadcast_to(t, intensity.shape) for _, t in parts])
    kcal = energy.kcal_per_min(1.0 / p.vo2_rest, p.mass_kg, resting_vo2=p.vo2_rest,
                               convention=options.convention)
    return SlowEpoc(np.concatenate([bouts.end_s] * len(parts)), volume, tau, p.tau_vo2_s, kcal)
