"""Resting heart rate when a scenario does not give it: the adult mean of the person's sex, and
the spread between people, from the US national reference data (NHANES 1999-2008).

Source: Ostchega Y, Porter KS, Hughes J, Dillon CF, Nwankwo T (2011). Resting pulse rate
reference data for children, adolescents, and adults: United States, 1999-2008. National
Health Statistics Reports no. 41. Hyattsville, MD: National Center for Health Statistics
(abstract read). A normative sample of 35,302 people without a condition or medication that
affects the pulse, counted seated after about 4 min of quiet rest. Adults aged 20 and over:
women 74 min-1 (SE 0.2), men 71 (SE 0.3); bradycardia (below 60 min-1) in 15.2 % of men and
6.9 % of women; tachycardia (100 min-1 or more) in 1.3 % of men and 1.9 % of women
(:data:`OSTCHEGA_2011`).

- **The default** (:func:`default_hr_rest`): the adult mean of the person's sex, 71 (men) or
  74 (women). There is no age term: men's pulse levels off in early adulthood and women's
  later, in middle age (Ostchega et al. 2011), and the abstract gives no adult means by age,
  so an adult of any age gets her sex's mean.
- **The spread between people** (:func:`lognormal_fit`): a log-normal fitted exactly to the
  two published prevalences. With ``z = Phi^-1`` (``scipy.stats.norm.ppf``), ``p_b`` the share
  below 60 and ``p_t`` the share at 100 or more, the log-SD is
  ``s = (ln 100 - ln 60) / (z(1 - p_t) - z(p_b))`` and the median ``m = 60 exp(-z(p_b) s)``:
  s = 0.157 and m = 70.5 min-1 for men, s = 0.144 and m = 74.2 min-1 for women. The published
  means are not used in the fit; the log-normal's own mean, ``m exp(s^2 / 2)``, 71.4 and 75.0
  against the published 71 and 74, checks the shape (``retrosim validate``). Its SD,
  ``mean sqrt(exp(s^2) - 1)``, is 11.3 (men) and 10.8 (women) min-1.
- **A plausible version** of a person whose resting HR is not given
  (:func:`nhanes_resting_hr`): the fitted log-normal of her sex at a standard-normal deviate,
  ``m exp(s z)``, so her versions spread as the adults of her sex do (their shares below 60
  and at 100 or more are the published ones). The default, the mean, sits a little off the
  versions' median: 0.5 min-1 above it for men, 0.2 below it for women.

The prevalences were counted on whole beats per minute; the fit treats pulse as continuous.

>>> default_hr_rest([False, True]).tolist()
[71.0, 74.0]
>>> [round(x, 3) for x in lognormal_fit(OSTCHEGA_2011["male"])]
[70.506, 0.157]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

#: The thresholds of bradycardia and tachycardia [min-1] (Ostchega et al. 2011): below the
#: first, and at or above the second.
BRADYCARDIA_BPM, TACHYCARDIA_BPM = 60.0, 100.0


@dataclass(frozen=True)
class PulseReference:
    """Published resting pulse of one group: ``mean_bpm`` [min-1] and its standard error
    ``se_bpm``, the share with bradycardia (below 60 min-1) and with tachycardia (100 min-1
    or more), as fractions."""

    mean_bpm: float
    se_bpm: float
    bradycardia: float
    tachycardia: float


#: Ostchega et al. 2011 (abstract): adults aged 20 and over, NHANES 1999-2008, by sex.
OSTCHEGA_2011 = {"male": PulseReference(71.0, 0.3, 0.152, 0.013),
                 "female": PulseReference(74.0, 0.2, 0.069, 0.019)}


def lognormal_fit(ref: PulseReference) -> tuple[float, float]:
    """The log-normal whose shares below 60 and at or above 100 min-1 are ``ref``'s.

    Parameters
    ----------
    ref : PulseReference
        The published prevalences of bradycardia and tachycardia.

    Returns
    -------
    median : float
        The median [min-1], ``m = 60 exp(-z(p_b) s)``.
    log_sd : float
        The SD of ln(resting HR), ``s = (ln 100 - ln 60) / (z(1 - p_t) - z(p_b))``.

    References
    ----------
    Ostchega Y et al. (2011). Natl Health Stat Report 41 (module docstring).

    Examples
    --------
    >>> [round(x, 3) for x in lognormal_fit(OSTCHEGA_2011["female"])]
    [74.239, 0.144]
    """
    z_b = float(stats.norm.ppf(ref.bradycardia))
    z_t = float(stats.norm.ppf(1.0 - ref.tachycardia))
    log_sd = float(np.log(TACHYCARDIA_BPM / BRADYCARDIA_BPM) / (z_t - z_b))
    return float(BRADYCARDIA_BPM * np.exp(-z_b * log_sd)), log_sd


def lognormal_mean(ref: PulseReference) -> float:
    """The mean [min-1] of the log-normal fitted to ``ref``'s prevalences, ``m exp(s^2 / 2)``:
    to hold against the published mean, which the fit does not use.

    >>> round(lognormal_mean(OSTCHEGA_2011["male"]), 2)
    71.38
    """
    median, log_sd = lognormal_fit(ref)
    return float(median * np.exp(0.5 * log_sd ** 2))


#: The fitted (median [min-1], log-SD) by sex.
LOGNORMAL = {sex: lognormal_fit(ref) for sex, ref in OSTCHEGA_2011.items()}


def default_hr_rest(female: ArrayLike) -> np.ndarray:
    """The resting heart rate [min-1] of an adult whose scenario does not give it: the
    published mean of her sex (Ostchega et al. 2011).

    Parameters
    ----------
    female : array_like of bool
        True for a woman.

    Returns
    -------
    numpy.ndarray of float
        74 for a woman, 71 for a man.
    """
    return np.where(female, OSTCHEGA_2011["female"].mean_bpm, OSTCHEGA_2011["male"].mean_bpm)


def nhanes_resting_hr(female: ArrayLike, z: ArrayLike) -> np.ndarray:
    """Resting heart rate [min-1] at the standard-normal deviate ``z`` of the log-normal fitted
    to the prevalences of the person's sex (:data:`LOGNORMAL`): ``m exp(s z)``.

    Parameters
    ----------
    female : array_like of bool
        True for a woman.
    z : array_like of float
        Standard-normal deviates, one per person.

    Returns
    -------
    numpy.ndarray of float
        The resting heart rates.

    Examples
    --------
    >>> nhanes_resting_hr([False, True], 0.0).round(1).tolist()
    [70.5, 74.2]
    """
    female = np.asarray(female, dtype=bool)
    median = np.where(female, LOGNORMAL["female"][0], LOGNORMAL["male"][0])
    log_sd = np.where(female, LOGNORMAL["female"][1], LOGNORMAL["male"][1])
    return median * np.exp(log_sd * np.asarray(z, dtype=float))
