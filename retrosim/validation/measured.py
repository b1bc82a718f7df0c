"""A measured VO2max gain: the true gain plus the error of the tests it is the difference of.

A published gain of VO2max is the difference of tests taken before and after a programme, so
its between-person spread holds, besides the spread of true responses, the day-to-day variation
of each test: the person's own biological variation from one day to the next and the error of
the equipment. Katch, Sady & Freedson (1982) measured both with 8-20 repeated maximal
treadmill tests per person over 2-4 weeks: together a standard deviation of +/- 5.6 % of the
person's VO2max, 90 % or more of it biological (:data:`TEST_CV`). Each test is thus her true
VO2max times ``1 + e``, ``e`` normal with SD 0.056, independent between tests on different
days; a visit's value is the mean of its ``n`` tests (HERITAGE tested twice before and twice
after, Bouchard et al. 1999). The measured gain of a person whose true VO2max goes from ``V0``
to ``V1`` is then normal about ``V1 - V0`` with the standard deviation
``cv sqrt(V0^2 / n0 + V1^2 / n1)`` (:func:`gain_error_sd`); over people drawn as a run draws
them, the measured gains are the mixture of those normals, and a 90 % interval of measured
gains is that mixture's 5th and 95th percentiles (:func:`mixture_quantiles`).

This is the interval a published spread of measured gains is compared with; a run's own
intervals stay those of true VO2max (what a programme does to the person, not what a test
would read).

Why the spread that does not shrink with the dose is put here, in the measurement, and not in
the response to training: the change of VO2max spreads as widely without training as with it
(Williamson, Atkinson & Batterham 2017: in the one early training study with a comparator arm,
+/- 5.6 mL/kg/min without training, +/- 3.7 with it), most of a single test's day-to-day
variation is the person's own biology (Katch et al. 1982), and non-response beyond the test's
error falls with the dose until nobody is left without a gain (Montero & Lundby 2017: 69 % at
one session a week, none at four). A true response with a spread of its own at any dose would
give true losses at a low dose that those sources do not show, so the response to training
keeps a responsiveness that scales the gain (``retrosim.physiology.training.responsiveness``).
HERITAGE's own reproducibility study (Skinner JS et al. 1999, Med Sci Sports Exerc 31(11),
"Reproducibility of maximal exercise test data in the HERITAGE Family Study") would give the
error of its tests; only its introduction could be read.

Sources (full entries in ``docs/references.md``):

- Katch VL, Sady SS, Freedson P (1982). Biological variability in maximum aerobic power. Med
  Sci Sports Exerc 14(1):21-25; doi:10.1249/00005768-198201000-00004 (abstract read: 4 trained
  women and 1 trained man, 80 tests; ``Si + Se`` +/- 5.6 %).
- Bouchard C et al. (1999). J Appl Physiol 87:1003-1008 (HERITAGE: VO2max tested twice before
  and twice after the programme; abstract read).
- Williamson PJ, Atkinson G, Batterham AM (2017). Sports Med 47(8):1501-1513;
  doi:10.1007/s40279-017-0680-8 (abstract read).
- Montero D, Lundby C (2017). J Physiol 595(11):3377-3387; doi:10.1113/JP273480 (abstract
  read).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

#: Day-to-day variation of one maximal test, biological and technical together, as a share of
#: the person's VO2max: Katch, Sady & Freedson (1982), +/- 5.6 %.
TEST_CV = 0.056


def gain_error_sd(vo2max_before: ArrayLike, vo2max_after: ArrayLike, tests_before: int = 1,
                  tests_after: int = 1, cv: float = TEST_CV) -> np.ndarray:
    """The standard deviation of the error of a measured gain [the unit of VO2max]: each
    visit's value is the mean of its tests, each test off by a share ``cv`` of the true value.

    >>> gain_error_sd(1000.0, 1000.0, cv=0.05).round(3).tolist()
    70.711
    >>> gain_error_sd(1000.0, 1000.0, 2, 2, cv=0.05).round(3).tolist()
    50.0
    """
    v0 = np.asarray(vo2max_before, dtype=float)
    v1 = np.asarray(vo2max_after, dtype=float)
    return cv * np.sqrt(v0 ** 2 / tests_before + v1 ** 2 / tests_after)


def mixture_quantiles(centres: ArrayLike, sds: ArrayLike, quantiles: ArrayLike
                      ) -> np.ndarray:
    """Quantiles of an equal-weight mixture of normals (``centres``, ``sds``): the values ``x``
    at which ``mean(Phi((x - centre) / sd))`` reaches each quantile (Brent's method, to
    1e-9 of the spread).

    >>> mixture_quantiles([0.0], [1.0], [0.05, 0.95]).round(6).tolist()
    [-1.644854, 1.644854]
    >>> mixture_quantiles([-1.0, 1.0], [1.0, 1.0], [0.5]).round(9).tolist()
    [0.0]
    """
    mu = np.asarray(centres, dtype=float).ravel()
    sd = np.broadcast_to(np.asarray(sds, dtype=float), mu.shape).ravel()
    if mu.size == 0 or np.any(sd <= 0.0):
        raise ValueError("a mixture needs at least one normal, each of positive SD")
    low, high = float(np.min(mu - 10.0 * sd)), float(np.max(mu + 10.0 * sd))
    tol = 1e-9 * float(np.max(sd))

    def share(x: float, q: float) -> float:
        return float(np.mean(stats.norm.cdf((x - mu) / sd))) - q

    return np.array([optimize.brentq(share, low, high, args=(float(q),), xtol=tol)
                     for q in np.asarray(quantiles, dtype=float)])
