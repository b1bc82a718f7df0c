"""The continuous energy model of forward and backward walking, and its fitted constants.

Gross MET, continuous in speed and grade, for both directions: a convex level net cost, the
ACSM vertical term with a fitted coefficient, and a backward factor and backward grade
coefficient. Fitted to the Compendium codes (Ainsworth et al. 2011; Herrmann et al. 2024),
Kim & Choi 2001 and Hooper et al. 2004; see :func:`continuous_met`. It is registered as
"continuous" and "continuous-shared-grade" in
:data:`retrosim.physiology.energy.ENERGY_MODELS`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from retrosim.units import VO2_PER_MET


@dataclasses.dataclass(frozen=True)
class ContinuousEnergyParams:
    """Constants of :func:`continuous_met`, fitted by ``bench/fit_continuous_energy.py``.

    Least squares on relative error, in steps: a, b to the 2011 forward level codes (n fitted
    freely is 4.90, fixed at 5); c to the 2011 uphill codes 17210, 17211; r, c_b to 17320,
    17325 and the Kim & Choi 2001 ratio, bounded by r >= 1 and c_b >= c. That bound is active:
    unbounded, 17325 asks for c_b = 1.35 < c, a backward climb cheaper than a forward one.
    """

    level_linear: float = 1.684892367  # a [MET s m-1]
    level_power: float = 0.066380959  # b [MET s^5 m^-5]
    level_exponent: float = 5.0  # n [-]
    grade_coef: float = 1.690745776  # c [mL kg-1 m-1], ACSM walking has 1.8
    backward_factor: float = 1.559704530  # r [-], on the level net cost
    backward_grade_coef: float = 1.690745776  # c_b [mL kg-1 m-1]


#: The first fit: one grade term shared by both directions (c_b = c, the bound active). Its
#: backward/forward VO2 ratio at 2.5 mph falls from 1.37 on the level to 1.16 at 12.5 %.
SHARED_GRADE_PARAMS = ContinuousEnergyParams()

#: The default fit (``bench/fit_backward_uphill.py``): a, b, n, c and r as above; the
#: backward grade coefficient c_b refitted, by least squares on relative error with every
#: residual weighted alike, to two groups of sources that disagree:
#:
#: - the Compendium's backward uphill codes 17325 (2011: 8.0 MET; 2024: 7.8) and 17475 (2024,
#:   2.5 mph at 10 %: 7.8), which alone ask for c_b = 1.64, a ratio that falls with grade;
#: - Hooper et al. 2004 (J Orthop Sports Phys Ther 34:65-71; 27 young adults, 5, 7.5 and 10 %
#:   grade): backward %VO2max above forward at every grade with no direction x grade
#:   interaction, read as a backward/forward ratio equal at every grade to its level value,
#:   taken at 2.5 mph (the speed is not in the abstract); alone they ask for c_b = 2.32.
#:
#: The compromise, c_b = 1.971, leaves the Compendium codes +9.1 % (2011 17325), +11.9 %
#: (2024 17325) and +1.2 % (17475) high and the ratio 5-8 % below its level value at 5-10 %.
CONTINUOUS_PARAMS = ContinuousEnergyParams(backward_grade_coef=1.970940314)


def continuous_met(speed_mps: ArrayLike, grade_frac: ArrayLike, direction: ArrayLike, *,
                   params: ContinuousEnergyParams = CONTINUOUS_PARAMS) -> np.ndarray:
    """Gross MET of walking, continuous in speed and grade, both directions (the default).

    With v the speed [m s-1], S = 60 v [m min-1] and G the grade, gross MET is::

        forward:  1 +     (a v + b v**n) + c   S G / 3.5
        backward: 1 + r * (a v + b v**n) + c_b S G / 3.5

    The level net cost a v + b v**n is convex and increasing (the steep term follows the
    Compendium's rise towards 4.5-5 mph); the grade term is the ACSM vertical term with a fitted
    coefficient; backward walking multiplies the level net cost by r and has its own grade
    coefficient c_b, fitted to the Compendium's backward uphill codes and Hooper et al. 2004
    together (:data:`CONTINUOUS_PARAMS`; the first fit, c_b = c, is the model
    "continuous-shared-grade"). Assumptions: the 2011 Compendium codes (evaluated at their
    band midpoints, 17151 at 1.5 mph) are the truth for absolute cost, Kim & Choi 2001 only for the
    backward/forward ratio (their absolute VO2 exceeds the Compendium's); r does not depend on
    speed; downhill is costed as level (grade clipped at 0); fitted data span 1.5-5 mph and
    0-10.5 %, beyond that it extrapolates. With a, b, c >= 0, r >= 1 and c_b >= c it never
    decreases with speed or grade, is >= 1, backward >= forward, and is 1.0 at speed 0.

    Parameters
    ----------
    speed_mps, grade_frac, direction : array_like
        As :func:`compendium_met` [m s-1], [-], +1 / -1.
    params : ContinuousEnergyParams
        The fitted constants a, b, n, c, r, c_b (see its docstring for the fit).

    Returns
    -------
    numpy.ndarray
        Gross MET [-], the broadcast shape of the inputs.

    References
    ----------
    Ainsworth BE et al. 2011, Med Sci Sports Exerc 43(8):1575-81; Herrmann SD et al. 2024, J
    Sport Health Sci 13:6-12; Kim & Choi 2001, J Korean Acad Rehabil Med 25:474; Hooper TL et
    al. 2004, J Orthop Sports Phys Ther 34:65-71 (PubMed 15029939); ACSM metabolic
    equations. Errors: :func:`retrosim.validation.table.continuous_model_errors`.

    Examples
    --------
    >>> continuous_met(1.5646, [0.0, 0.05], [[1], [-1]]).round(2).tolist()
    [[4.26, 6.53], [6.08, 8.73]]
    """
    v, g, d = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                    for x in (speed_mps, grade_frac, direction)))
    v, g, p = np.maximum(v, 0.0), np.maximum(g, 0.0), params
    level = p.level_linear * v + p.level_power * v**p.level_exponent
    climb = 60.0 * v * g / VO2_PER_MET
    back = d < 0
    return (1.0 + np.where(back, p.backward_factor, 1.0) * level
            + np.where(back, p.backward_grade_coef, p.grade_coef) * climb)
