"""Blood pressure during exercise driven by the oxygen uptake reached, by age and sex.

The ``per-met`` rule (:func:`retrosim.physiology.pressure.pressor_rise`, about 10 mmHg per MET,
unverified) lets systolic pressure grow with the absolute workload: a fit young person at
15 MET would reach 140 mmHg above rest, and peaks fall with age as VO2max does. Normative
treadmill data say otherwise: peak SBP rises with age to the sixth decade and then levels off
(Sabbahi et al. 2018, FRIEND registry), peak and delta SBP are higher in men and rise with age,
the sex difference narrowing after 40-49, and delta DBP rises with age (Daida et al. 1996).

The ``daida-1996`` model scales each person's rise at VO2max by the share of the oxygen uptake
reserve in use, levelling off towards the peak::

    rise = delta_peak(age, sex) * h(x),   x = clip((VO2 - VO2rest) / (VO2max - VO2rest), 0, 1)
    h(x) = (1 - exp(-k x)) / (1 - exp(-k)),  k = 1

so the slope per mL kg-1 min-1 is ``delta_peak h'(x) / (VO2max - VO2rest)``: steeper in
older people and in men, flatter in the fit, and the uptake is capped at VO2max.

``delta_peak`` is linear in age between the decades 20-29 and 70-79 (centres 25 and 75 yr)
and constant outside. Its values come from Daida et al. 1996's 90th percentiles of peak SBP
(men 210 -> 234 mmHg, women 180 -> 220 mmHg), less 1.28 SD with an SD of 25 mmHg (an
assumption), less a resting SBP of the decade (men 122 -> 135, women 110 -> 138 mmHg: an
assumption): men 56 -> 67 mmHg, women 38 -> 50 mmHg. DBP: -5 -> +5 mmHg (men) and -6 -> +6
mmHg (women) from the 20s to the 70s: the direction is Daida et al.'s and Sabbahi et al.'s
(women's peak DBP rising each decade), the sizes are assumptions. The curvature k = 1 is an
assumption ("levels off towards peak").

References
----------
- Daida H et al. (1996) Mayo Clin Proc 71(5):445-452, doi:10.4065/71.5.445: peak exercise
  blood pressure by age and sex in 7,863 men and 2,406 women (Bruce protocol).
- Sabbahi A et al. (2018) Hypertension 71(2):229-236, doi:10.1161/HYPERTENSIONAHA.117.10116:
  peak SBP and DBP percentiles by decade from FRIEND (2,917 maximal treadmill tests).
- Full entries: docs/references.md (daida-1996, sabbahi-2018).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.registry import Model

REFERENCES = (
    "Daida H et al. (1996) Mayo Clin Proc 71:445 (peak exercise blood pressure by age and sex)",
    "Sabbahi A et al. (2018) Hypertension 71:229 (FRIEND peak blood pressure by decade)",
)
#: The assumptions of the model, as a result's ``references`` lists them.
ASSUMPTIONS = (
    "Assumption (bp): peak SBP SD 25 mmHg and resting SBP by decade (men 122 -> 135, women "
    "110 -> 138 mmHg) turn Daida et al. 1996's 90th percentiles into central rises",
    "Assumption (bp): DBP rise at VO2max -5 -> +5 mmHg (men), -6 -> +6 mmHg (women) from the "
    "20s to the 70s; curvature k = 1",
)

#: Daida et al. 1996's 90th percentiles of peak SBP [mmHg], (20-29, 70-79), by sex.
DAIDA_P90_SBP = {"male": (210.0, 234.0), "female": (180.0, 220.0)}
#: The decade centres the rises are anchored at [yr].
ANCHOR_AGES = (25.0, 75.0)
#: Assumed SD of peak SBP [mmHg] and the z of a 90th percentile.
PEAK_SBP_SD = 25.0
Z90 = 1.2816
#: Assumed resting SBP of the decades [mmHg], (20-29, 70-79), by sex.
REST_SBP = {"male": (122.0, 135.0), "female": (110.0, 138.0)}
#: The rise at VO2max [mmHg] at the anchor ages, by sex: SBP from Daida et al. 1996 with the
#: assumptions above; DBP assumed.
SBP_RISE_AT_PEAK = {sex: (DAIDA_P90_SBP[sex][0] - Z90 * PEAK_SBP_SD - REST_SBP[sex][0],
                          DAIDA_P90_SBP[sex][1] - Z90 * PEAK_SBP_SD - REST_SBP[sex][1])
                    for sex in ("male", "female")}
DBP_RISE_AT_PEAK = {"male": (-5.0, 5.0), "female": (-6.0, 6.0)}
#: Curvature of the rise with the share of the uptake reserve (an assumption).
CURVATURE = 1.0


def rise_at_peak(age_yr: ArrayLike, female: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """SBP and DBP rise above rest at VO2max [mmHg], by age and sex.

    Linear in age between 25 and 75 yr, constant outside (module docstring).

    Parameters
    ----------
    age_yr : array_like
        Age [yr].
    female : array_like of bool
        True for a woman.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The SBP and DBP rises [mmHg].

    References
    ----------
    Daida H et al. (1996) Mayo Clin Proc 71:445 (SBP; DBP direction); Sabbahi A et al. (2018)
    Hypertension 71:229 (direction); sizes of DBP and the conversions are assumptions.

    Examples
    --------
    >>> s, d = rise_at_peak([25, 75, 25, 75, 90], [False, False, True, True, False])
    >>> s.round(1).tolist(), d.tolist()
    ([56.0, 67.0, 38.0, 50.0, 67.0], [-5.0, 5.0, -6.0, 6.0, 5.0])
    """
    w = np.clip((np.asarray(age_yr, dtype=float) - ANCHOR_AGES[0])
                / (ANCHOR_AGES[1] - ANCHOR_AGES[0]), 0.0, 1.0)
    f = np.asarray(female, dtype=bool)

    def line(table: dict[str, tuple[float, float]]) -> np.ndarray:
        m0, m1 = table["male"]
        f0, f1 = table["female"]
        return np.where(f, f0 + (f1 - f0) * w, m0 + (m1 - m0) * w)

    return line(SBP_RISE_AT_PEAK), line(DBP_RISE_AT_PEAK)


def uptake_share(met: ArrayLike, vo2max_met: ArrayLike) -> np.ndarray:
    """Share of the oxygen uptake reserve in use, capped at VO2max [-], 0-1.

    ``clip((MET - 1) / (VO2max_MET - 1), 0, 1)``, VO2max in MET of the person's resting VO2.

    Examples
    --------
    >>> uptake_share([1.0, 5.5, 12.0, 20.0], 10.0).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    m = np.asarray(met, dtype=float)
    top = np.maximum(np.asarray(vo2max_met, dtype=float) - 1.0, 1e-9)
    return np.clip((m - 1.0) / top, 0.0, 1.0)


def daida_pressor_rise(met: ArrayLike, vo2max_met: ArrayLike, age_yr: ArrayLike,
                       female: ArrayLike, curvature: float = CURVATURE
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Steady-state SBP and DBP rise above rest at a demand [mmHg], by uptake, age and sex.

    ``rise = delta_peak(age, sex) (1 - exp(-k x)) / (1 - exp(-k))``, ``x`` the share of the
    uptake reserve in use (:func:`uptake_share`), ``delta_peak`` from :func:`rise_at_peak`.
    Zero at rest; never above the rise at VO2max, however high the demand; concave in ``x``.

    Parameters
    ----------
    met : array_like
        Demand [MET of the person's resting VO2].
    vo2max_met : array_like
        VO2max [MET].
    age_yr : array_like
        Age [yr].
    female : array_like of bool
        True for a woman.
    curvature : float, default 1
        ``k``, how fast the rise levels off (an assumption).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The SBP and DBP rises [mmHg].

    References
    ----------
    Daida H et al. (1996) Mayo Clin Proc 71:445, doi:10.4065/71.5.445; Sabbahi A et al.
    (2018) Hypertension 71:229, doi:10.1161/HYPERTENSIONAHA.117.10116.

    Examples
    --------
    A fit young man (VO2max 15 MET) and a man of 70 (7 MET), each at his VO2max and at half
    his reserve:

    >>> s, d = daida_pressor_rise([15.0, 8.0, 7.0, 4.0], [15.0, 15.0, 7.0, 7.0],
    ...                           [25, 25, 70, 70], False)
    >>> s.round(1).tolist(), d.round(1).tolist()
    ([56.0, 34.8, 65.9, 41.0], [-5.0, -3.1, 4.0, 2.5])
    """
    x = uptake_share(met, vo2max_met)
    shape = -np.expm1(-curvature * x) / -math.expm1(-curvature)
    sbp, dbp = rise_at_peak(age_yr, female)
    return sbp * shape, dbp * shape


def per_met_pressor_rise(met: ArrayLike, vo2max_met: ArrayLike, age_yr: ArrayLike,
                         female: ArrayLike, sbp_per_met_mmhg: float = 10.0,
                         dbp_per_met_mmhg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The ``per-met`` rule in the registry's signature: ``per_met * max(MET - 1, 0)``,
    whatever the person's VO2max, age or sex (unverified rule of thumb).

    >>> per_met_pressor_rise([1.0, 8.0], 10.0, 40, False)[0].tolist()
    [0.0, 70.0]
    """
    above = np.maximum(np.asarray(met, dtype=float) - 1.0, 0.0)
    return sbp_per_met_mmhg * above, dbp_per_met_mmhg * above


#: The exercise pressure models, by name (``[bp] model``).
PRESSOR_MODELS = {
    "per-met": Model(per_met_pressor_rise, (),
                     "SBP rises about 10 mmHg per MET above rest, DBP flat (unverified rule "
                     "of thumb)",
                     "Systolic pressure during exercise rises about 10 mmHg per MET above rest "
                     "(an unverified rule of thumb), not capped at VO2max and the same at every "
                     "age and for both sexes; diastolic pressure stays at rest. Peaks can come "
                     "out too high in fit young people and fall with age where normative data "
                     "rise."),
    "daida-1996": Model(daida_pressor_rise, REFERENCES,
                        "the rise at VO2max by age and sex, scaled by the share of the uptake "
                        "reserve in use, levelling off towards the peak",
                        "Systolic pressure during exercise rises with the share of the uptake "
                        "reserve in use (capped at VO2max) towards a rise at VO2max by age and "
                        "sex read from Daida et al. 1996's percentiles; the SD and resting "
                        "pressures of that conversion, the size of the diastolic change and "
                        "how fast the rise levels off are assumptions."),
}
