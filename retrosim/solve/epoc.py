"""EPOC's slow component after each bout of a timeline, in closed form.

:func:`slow_epoc` prices every bout on a timeline (:func:`retrosim.solve.bouts.find_bouts`);
:class:`SlowEpoc` carries the extra VO2 and energy that a
:class:`~retrosim.solve.trajectory.Trajectory` adds to its own. Both are re-exported from
:mod:`retrosim.solve.trajectory`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from retrosim.model.options import EnergyOptions
from retrosim.physiology import energy, oxygen
from retrosim.solve.bouts import find_bouts
from retrosim.solve.parameters import Physiology
from retrosim.solve.timeline import Timeline


@dataclass(frozen=True)
class SlowEpoc:
    """EPOC's slow component after each bout, in closed form (:mod:`retrosim.physiology.oxygen`).

    end_s, volume_ml_kg, tau_s : (B, N) each bout's end [s], slow volume [mL kg-1] and time
    constant [s] (NaN volume: no such bout); tau_fast_s (N,) the VO2 time constant;
    kcal_per_ml_kg (N,) energy of 1 mL kg-1 of O2 for the person [kcal].
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
            since = t - np.nan_to_num(self.end_s[b], nan=np.inf)
            x, area = oxygen.epoc_slow_uptake(since, self.volume_ml_kg[b], self.tau_s[b],
                                              self.tau_fast_s)
            vo2 += x
            kcal += area * self.kcal_per_ml_kg
        return vo2, kcal


def slow_epoc(timeline: Timeline, vo2_target: np.ndarray, physiology: Physiology,
              options: EnergyOptions) -> SlowEpoc | None:
    """EPOC's slow component of every bout on ``timeline`` (None if ``options.epoc`` is
    "fast" or nobody walks). Each bout's O2 cost is its demand (capped at VO2max) integrated
    over its walking; its intensity the mean of that demand over VO2max."""
    if options.epoc != "slow":
        return None
    bouts = find_bouts(timeline, vo2_target)
    if bouts.end_s.shape[0] == 0:
        return None
    p = physiology
    intensity = bouts.met / p.vo2_max                      # (B, N); "met" is the mean here
    cost = bouts.met * bouts.walking_s / 60.0
    volume = oxygen.epoc_slow_volume(np.nan_to_num(cost), np.nan_to_num(intensity))
    volume = np.where(np.isnan(bouts.end_s), 0.0, volume * p.epoc_scale)
    tau = oxygen.epoc_slow_tau_s(np.nan_to_num(intensity), p.female)
    kcal = energy.kcal_per_min(1.0 / p.vo2_rest, p.mass_kg, resting_vo2=p.vo2_rest,
                               convention=options.convention)
    return SlowEpoc(bouts.end_s, volume, tau, p.tau_vo2_s, kcal)
