"""Heart rate: maximum, steady state from the oxygen uptake reserve, and kinetics.

References
----------
- Tanaka H, Monahan KD, Seals DR (2001). Age-predicted maximal heart rate revisited. J Am Coll
  Cardiol 37:153-156; doi:10.1016/S0735-1097(00)01054-8: HRmax = 208 - 0.7 age.
- The traditional HRmax = 220 - age (Fox et al. 1971; details recalled, see docs/references.md).
- Swain DP, Leutholtz BC, King ME, Haas LA, Branch JD (1998). Relationship between % heart rate
  reserve and % VO2 reserve in treadmill exercise. Med Sci Sports Exerc 30:318-321;
  doi:10.1097/00005768-199802000-00022: on a treadmill %HRR = 1.03 %VO2R + 1.5, where
  %VO2R = (VO2 - VO2rest) / (VO2max - VO2rest).
- HR time constant at moderate intensity about 30-33 s (McNarry MA, Kingsley MIC, Lewis MJ
  2012, Am J Physiol Regul Integr Comp Physiol 303:R791; doi:10.1152/ajpregu.00203.2012).
- Full entries: docs/references.md (tanaka-2001, fox-1971, swain-1998, mcnarry-2012).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.registry import Model

#: Heart-rate time constant at moderate intensity, s (McNarry et al. 2012: 30-33 s).
HR_TAU_S = 30.0


def tanaka_hr_max(age_yr: ArrayLike) -> np.ndarray:
    """Age-predicted maximal heart rate, Tanaka et al. (2001): ``208 - 0.7 age`` [min-1].

    >>> tanaka_hr_max([40.0]).tolist()
    [180.0]
    """
    return 208.0 - 0.7 * np.asarray(age_yr, dtype=float)


def fox_hr_max(age_yr: ArrayLike) -> np.ndarray:
    """Age-predicted maximal heart rate, ``220 - age`` [min-1] (Fox et al. 1971).

    >>> fox_hr_max([40.0]).tolist()
    [180.0]
    """
    return 220.0 - np.asarray(age_yr, dtype=float)


#: Age-predicted HRmax by name: ``age_yr -> HRmax [min-1]`` (``[energy] hr_max``).
HR_MAX_MODELS: dict[str, Model] = {
    "tanaka-2001": Model(tanaka_hr_max,
                         ("Tanaka H, Monahan KD, Seals DR (2001) J Am Coll Cardiol 37:153-156",),
                         "208 - 0.7 age, from a meta-analysis of 351 studies"),
    "fox-1971": Model(fox_hr_max,
                      ("Fox SM, Naughton JP, Haskell WL (1971) Ann Clin Res 3:404-432",),
                      "the traditional 220 - age"),
}
DEFAULT_HR_MAX_MODEL = "tanaka-2001"


def percent_vo2_reserve(vo2, vo2_rest, vo2_max):
    """Oxygen uptake reserve in use, percent: ``100 (VO2 - rest) / (max - rest)``.

    >>> float(percent_vo2_reserve(21.0, 3.5, 38.5))
    50.0
    """
    return 100.0 * (np.asarray(vo2) - vo2_rest) / (np.asarray(vo2_max) - vo2_rest)


def swain_percent_hrr(percent_vo2r: ArrayLike) -> np.ndarray:
    """Percent heart-rate reserve from percent VO2 reserve on a treadmill (Swain et al. 1998).

    ``%HRR = 1.03 %VO2R + 1.5``.

    >>> float(swain_percent_hrr(50.0))
    53.0
    """
    return 1.03 * np.asarray(percent_vo2r, dtype=float) + 1.5


def steady_state_hr(vo2, vo2_rest, vo2_max, hr_rest, hr_max):
    """Steady-state heart rate for a sustained oxygen uptake [min-1].

    Swain's relation applied to the subject's reserves and bounded by [HRrest, HRmax]. At rest
    (VO2 at or below its resting value) the heart rate is HRrest: the equation's 1.5 % intercept
    is a fit over exercise intensities and is not applied at rest.

    Parameters
    ----------
    vo2, vo2_rest, vo2_max : oxygen uptake, its resting and maximal values [mL kg-1 min-1].
    hr_rest, hr_max : resting and maximal heart rate [min-1].

    >>> steady_state_hr([3.5, 21.0, 60.0], 3.5, 38.5, 70.0, 180.0).round(1).tolist()
    [70.0, 128.3, 180.0]
    """
    p = percent_vo2_reserve(vo2, vo2_rest, vo2_max)
    fraction = np.where(p > 0.0, np.clip(swain_percent_hrr(p) / 100.0, 0.0, 1.0), 0.0)
    return hr_rest + fraction * (np.asarray(hr_max) - hr_rest)
