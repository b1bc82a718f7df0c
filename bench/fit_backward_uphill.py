"""Refit the backward grade coefficient c_b of retrosim's ``continuous`` energy model.

Run ``python bench/fit_backward_uphill.py``: it prints c_b (copied into
``retrosim.physiology.energy_continuous.CONTINUOUS_PARAMS``; tests/physiology/test_energy.py
checks that it matches), then the residuals of each group of sources alone and together.

a, b, n, c and r stay those of ``bench/fit_continuous_energy.py`` (its steps 1-3 fit the
forward codes, the backward level code 17320 and Kim & Choi 2001's level ratio). c_b is fitted
by least squares on relative error, every residual weighted alike, to:

- the Compendium's backward uphill codes: 2011 17325 (3.5 mph, 5 %, 8.0 MET), 2024 17325
  (7.8) and 2024 17475 (2.5 mph, 10 %, 7.8);
- Hooper et al. 2004, J Orthop Sports Phys Ther 34:65-71: backward above forward at 5, 7.5
  and 10 % grade with no direction x grade interaction, read as "the backward/forward VO2
  ratio at each grade equals its level value", taken at 2.5 mph.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import least_squares

from retrosim.physiology.energy_continuous import (
    SHARED_GRADE_PARAMS,
    ContinuousEnergyParams,
    continuous_met,
)
from retrosim.units import mph_to_mps

#: (speed [mph], grade [%], MET) of the Compendium's backward uphill codes.
COMPENDIUM_BACKWARD_UPHILL = ((3.5, 5.0, 8.0), (3.5, 5.0, 7.8), (2.5, 10.0, 7.8))
#: Hooper et al. 2004's grades [%], at the speed the ratio is held [mph].
HOOPER_2004_GRADES_PCT = (5.0, 7.5, 10.0)
RATIO_SPEED_MPH = 2.5


def ratio(params: ContinuousEnergyParams, speed_mph: float, grade_pct: float) -> float:
    """Backward / forward gross MET (= VO2) at one speed and grade."""
    fwd, back = continuous_met(mph_to_mps(speed_mph), grade_pct / 100.0, [1.0, -1.0],
                               params=params)
    return float(back / fwd)


def residuals(params: ContinuousEnergyParams) -> tuple[np.ndarray, np.ndarray]:
    """Relative residuals of the Compendium codes and of Hooper's constant ratio."""
    comp = [float(continuous_met(mph_to_mps(v), g / 100.0, -1.0, params=params)) / met - 1.0
            for v, g, met in COMPENDIUM_BACKWARD_UPHILL]
    level = ratio(params, RATIO_SPEED_MPH, 0.0)
    hooper = [ratio(params, RATIO_SPEED_MPH, g) / level - 1.0 for g in HOOPER_2004_GRADES_PCT]
    return np.array(comp), np.array(hooper)


def fit(groups: tuple[int, ...] = (0, 1)) -> float:
    """c_b fitted to the groups (0: Compendium, 1: Hooper 2004)."""
    def res(x: np.ndarray) -> np.ndarray:
        both = residuals(dataclasses.replace(SHARED_GRADE_PARAMS, backward_grade_coef=x[0]))
        return np.concatenate([both[i] for i in groups])

    return float(least_squares(res, [SHARED_GRADE_PARAMS.grade_coef], xtol=1e-14,
                               ftol=1e-14).x[0])


if __name__ == "__main__":
    for label, groups in (("both", (0, 1)), ("Compendium alone", (0,)),
                          ("Hooper 2004 alone", (1,))):
        c_b = fit(groups)
        comp, hooper = residuals(dataclasses.replace(SHARED_GRADE_PARAMS,
                                                     backward_grade_coef=c_b))
        print(f"{label:18} c_b = {c_b:.9f}  Compendium {np.round(100 * comp, 1)} %  "
              f"ratio vs level {np.round(100 * hooper, 1)} %")
