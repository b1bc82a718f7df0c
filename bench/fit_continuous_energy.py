"""Fit the constants of retrosim.physiology.energy_continuous.continuous_met to published values.

Run ``python bench/fit_continuous_energy.py``: it prints the fitted constants, to be copied into
``ContinuousEnergyParams`` (tests/physiology/test_energy.py checks that they match this fit).

Least squares on relative error (scipy.optimize.least_squares), in three steps, each on its own
published values (the Compendium codes of Ainsworth et al. 2011; Kim & Choi 2001), every code
at its condition in retrosim/data/compendium_walking.csv (band midpoints, 17151 at 1.5 mph):
1. level net cost a v + b v**n to the 2011 forward level codes; n is first fitted freely
   (about 4.9), then fixed at the nearest integer, 5, and a, b refitted;
2. the grade coefficient c to the 2011 forward uphill codes 17210 and 17211;
3. the backward factor r and grade coefficient c_b to 17320, 17325 and the Kim & Choi 2001
   backward/forward VO2 ratio, bounded by r >= 1 and c_b >= c.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import least_squares

from retrosim.physiology.compendium import compendium_rows
from retrosim.physiology.energy_continuous import ContinuousEnergyParams, continuous_met
from retrosim.units import mph_to_mps, pct_to_frac
from retrosim.validation.table import KIM_CHOI_2001

FIXED_EXPONENT = 5.0


def _rows(direction: str, slopes: tuple[str, ...]) -> list:
    return [r for r in compendium_rows()
            if r.edition == 2011 and r.direction == direction and r.slope in slopes]


def _relative_errors(params: ContinuousEnergyParams, rows: list) -> np.ndarray:
    sign = np.array([-1.0 if r.direction == "backward" else 1.0 for r in rows])
    model = continuous_met(mph_to_mps([r.speed_mph for r in rows]),
                           pct_to_frac([r.grade_pct for r in rows]), sign, params=params)
    return model / np.array([r.met for r in rows]) - 1.0


def _kim_choi_error(params: ContinuousEnergyParams) -> float:
    fwd, back = continuous_met(KIM_CHOI_2001["speed_mps"], 0.0, [1.0, -1.0], params=params)
    return float(back / fwd / (KIM_CHOI_2001["backward_vo2"] / KIM_CHOI_2001["forward_vo2"]) - 1)


def fit() -> tuple[ContinuousEnergyParams, float, np.ndarray]:
    """The fitted constants, the freely fitted level exponent and the unbounded (r, c_b)."""
    p = ContinuousEnergyParams()
    level = _rows("forward", ("level",))

    def level_res(x: np.ndarray, n: float | None = None) -> np.ndarray:
        q = dataclasses.replace(p, level_linear=x[0], level_power=x[1],
                                level_exponent=x[2] if n is None else n)
        return _relative_errors(q, level)

    free = least_squares(level_res, [1.5, 0.1, 3.0], bounds=([0, 0, 1], [np.inf, np.inf, 10]))
    fixed = least_squares(lambda x: level_res(x, FIXED_EXPONENT), free.x[:2],
                          bounds=([0, 0], [np.inf, np.inf]))
    p = dataclasses.replace(p, level_linear=fixed.x[0], level_power=fixed.x[1],
                            level_exponent=FIXED_EXPONENT)

    uphill = _rows("forward", ("uphill",))
    grade = least_squares(lambda x: _relative_errors(dataclasses.replace(p, grade_coef=x[0]),
                                                     uphill), [1.8], bounds=([0], [np.inf]))
    p = dataclasses.replace(p, grade_coef=grade.x[0])

    backward = _rows("backward", ("level", "uphill"))

    def back_res(x: np.ndarray) -> np.ndarray:
        q = dataclasses.replace(p, backward_factor=x[0], backward_grade_coef=x[1])
        return np.append(_relative_errors(q, backward), _kim_choi_error(q))

    back = least_squares(back_res, [1.5, p.grade_coef + 0.1],
                         bounds=([1.0, p.grade_coef], [np.inf, np.inf]))
    unbounded = least_squares(back_res, [1.5, p.grade_coef])
    p = dataclasses.replace(p, backward_factor=back.x[0], backward_grade_coef=back.x[1])
    return p, float(free.x[2]), unbounded.x


if __name__ == "__main__":
    params, exponent, unbounded = fit()
    print(f"free level exponent: {exponent:.3f} (fixed at {FIXED_EXPONENT:g})")
    print(f"unbounded backward fit: r = {unbounded[0]:.4f}, c_b = {unbounded[1]:.4f}")
    for field in dataclasses.fields(params):
        print(f"{field.name} = {getattr(params, field.name):.9f}")
