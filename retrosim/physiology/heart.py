"""Heart rate: maximum, steady state from the oxygen uptake reserve, and kinetics.

References
----------
- Tanaka H, Monahan KD, Seals DR (2001). Age-predicted maximal heart rate revisited. J Am Coll
  Cardiol 37:153-156; doi:10.1016/S0735-1097(00)01054-8: HRmax = 208 - 0.7 age.
- The traditional HRmax = 220 - age (Fox et al. 1971; details recalled, see docs/references.md).
- Gulati M, Shaw LJ, Thisted RA, Black HR, Bairey Merz CN, Arnsdorf MF (2010). Heart rate
  response to exercise stress testing in asymptomatic women: the St. James Women Take Heart
  Project. Circulation 122:130-137: women's peak HR = 206 - 0.88 age.
- Sydó N, Abdelmoneim SS, Mulvagh SL, Merkely B, Gulati M, Allison TG (2014). Relationship
  between exercise heart rate and age in men vs women. Mayo Clin Proc 89:1664-1672: in
  19,013 patients of 40-89 y without cardiovascular disease, heart-rate-lowering drugs, poor
  exercise capacity, smoking, diabetes or obesity, women's peak HR on a treadmill = 210 - 0.79
  age (men's 220 - 0.95 age).
- Swain DP, Leutholtz BC, King ME, Haas LA, Branch JD (1998). Relationship between % heart rate
  reserve and % VO2 reserve in treadmill exercise. Med Sci Sports Exerc 30:318-321;
  doi:10.1097/00005768-199802000-00022: on a treadmill %HRR = 1.03 %VO2R + 1.5, where
  %VO2R = (VO2 - VO2rest) / (VO2max - VO2rest).
- HR time constant at moderate intensity about 30-33 s (McNarry MA, Kingsley MIC, Lewis MJ
  2012, Am J Physiol Regul Integr Comp Physiol 303:R791; doi:10.1152/ajpregu.00203.2012).
- Full entries: docs/references.md (tanaka-2001, fox-1971, gulati-2010, sydo-2014, nes-2013,
  arena-2016, swain-1998, mcnarry-2012).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.registry import Model

#: Heart-rate time constant at moderate intensity, s (McNarry et al. 2012: 30-33 s).
HR_TAU_S = 30.0


def tanaka_hr_max(age_yr: ArrayLike, female: ArrayLike = False) -> np.ndarray:
    """Age-predicted maximal heart rate, Tanaka et al. (2001): ``208 - 0.7 age`` [min-1], the
    same for women and men (``female`` is accepted and not used).

    >>> tanaka_hr_max([40.0]).tolist()
    [180.0]
    """
    return 208.0 - 0.7 * np.asarray(age_yr, dtype=float) + 0.0 * np.asarray(female)


def fox_hr_max(age_yr: ArrayLike, female: ArrayLike = False) -> np.ndarray:
    """Age-predicted maximal heart rate, ``220 - age`` [min-1] (Fox et al. 1971), the same for
    women and men.

    >>> fox_hr_max([40.0]).tolist()
    [180.0]
    """
    return 220.0 - np.asarray(age_yr, dtype=float) + 0.0 * np.asarray(female)


def gulati_hr_max(age_yr: ArrayLike) -> np.ndarray:
    """Peak heart rate of women on a treadmill, Gulati et al. (2010): ``206 - 0.88 age``
    [min-1] (5,437 asymptomatic women of the St James Women Take Heart Project). It falls
    faster with age than the sex-pooled lines: about 2 bpm above Tanaka's at 20 years, 11
    below at 70.

    >>> gulati_hr_max([20.0, 70.0]).round(1).tolist()
    [188.4, 144.4]
    """
    return 206.0 - 0.88 * np.asarray(age_yr, dtype=float)


def by_sex_hr_max(age_yr: ArrayLike, female: ArrayLike = False) -> np.ndarray:
    """Age-predicted maximal heart rate chosen by the person's sex [min-1]: Gulati et al.
    (2010) for women, Tanaka et al. (2001) for men (``by-sex``, the default until
    :func:`sydo_by_sex_hr_max`). Gulati's women were 35 and over; her line lies below the
    other cohorts' women at every age: 184 at 25, where Loe et al. (2013) measured 194 +/- 9
    in women of 20-29; 144 at 70, where the HUNT line for both sexes gives 166 (Nes et al.
    2013). A measured ``hr_max_bpm`` always wins.

    >>> by_sex_hr_max([40.0, 40.0], [False, True]).round(1).tolist()
    [180.0, 170.8]
    """
    age = np.asarray(age_yr, dtype=float)
    return np.where(np.asarray(female, dtype=bool), gulati_hr_max(age), tanaka_hr_max(age))


def sydo_by_sex_hr_max(age_yr: ArrayLike, female: ArrayLike = False) -> np.ndarray:
    """Age-predicted maximal heart rate chosen by the person's sex [min-1]: Sydo et al.
    (2014), ``210 - 0.79 age``, for women; Tanaka et al. (2001) for men (the default).

    Why this women's line: Sydo et al. (2014), Gulati among its authors, is the later
    analysis of a larger treadmill cohort (37,010 patients, a third of them women) and fits
    its lines in those without what lowers peak heart rate (poor exercise capacity, smoking,
    diabetes, obesity): the healthy adult a scenario describes by default. It keeps a sex
    term (1.6 bpm below Tanaka's line at 40, 4.3 at 70) and lies nearer the cohorts that
    hold young women and find no term for sex: the HUNT Fitness Study, 211 - 0.64 age, ages
    19-89 (Nes et al. 2013); the FRIEND registry, 209.3 - 0.72 age, mean age 43 (Arena et
    al. 2016); Tanaka's meta-analysis. Its women were 40-89, so below 40 it is extrapolated,
    as Gulati's line was below 35. Men keep Tanaka's line (Sydo's men, 220 - 0.95 age, give
    153 at 70 where the HUNT line gives 166). A measured ``hr_max_bpm`` always wins.

    >>> sydo_by_sex_hr_max([25.0, 40.0, 40.0], [True, True, False]).round(2).tolist()
    [190.25, 178.4, 180.0]
    """
    age = np.asarray(age_yr, dtype=float)
    return np.where(np.asarray(female, dtype=bool), 210.0 - 0.79 * age, tanaka_hr_max(age))


_OWN_MAX = "A measured hr_max_bpm replaces the prediction."
#: Age-predicted HRmax by name: ``(age_yr, female) -> HRmax [min-1]`` (``[energy] hr_max``).
HR_MAX_MODELS: dict[str, Model] = {
    "by-sex-sydo-2014": Model(
        sydo_by_sex_hr_max,
        ("Sydo N et al. (2014) Mayo Clin Proc 89:1664-1672",
         "Tanaka H, Monahan KD, Seals DR (2001) J Am Coll Cardiol 37:153-156"),
        "210 - 0.79 age for women (Sydo 2014), 208 - 0.7 age for men (Tanaka 2001)",
        "HRmax is predicted from age: Sydo's line for women comes from women of 40-89 without "
        "what lowers peak heart rate and is extrapolated below 40; cohorts with young women "
        "find little difference between the sexes. " + _OWN_MAX),
    "by-sex": Model(by_sex_hr_max,
                    ("Gulati M et al. (2010) Circulation 122:130-137",
                     "Tanaka H, Monahan KD, Seals DR (2001) J Am Coll Cardiol 37:153-156"),
                    "206 - 0.88 age for women (Gulati 2010), 208 - 0.7 age for men (Tanaka "
                    "2001); the default before by-sex-sydo-2014",
                    "HRmax is predicted from age: Gulati's line for women comes from one "
                    "cohort of women aged 35 and over and lies below other cohorts' women at "
                    "every age. " + _OWN_MAX),
    "tanaka-2001": Model(tanaka_hr_max,
                         ("Tanaka H, Monahan KD, Seals DR (2001) J Am Coll Cardiol 37:153-156",),
                         "208 - 0.7 age, from a meta-analysis of 351 studies, both sexes",
                         "HRmax is predicted from age, the same line for women and men. "
                         + _OWN_MAX),
    "fox-1971": Model(fox_hr_max,
                      ("Fox SM, Naughton JP, Haskell WL (1971) Ann Clin Res 3:404-432",),
                      "the traditional 220 - age",
                      "HRmax is the traditional 220 - age, which Tanaka et al. 2001 found to "
                      "overestimate HRmax in younger adults and underestimate it in older "
                      "ones. " + _OWN_MAX),
}
DEFAULT_HR_MAX_MODEL = "by-sex-sydo-2014"


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
    vo2, vo2_rest, vo2_max : array_like
        Oxygen uptake, its resting and maximal values [mL kg-1 min-1].
    hr_rest, hr_max : array_like
        Resting and maximal heart rate [min-1].

    Examples
    --------
    >>> steady_state_hr([3.5, 21.0, 60.0], 3.5, 38.5, 70.0, 180.0).round(1).tolist()
    [70.0, 128.3, 180.0]
    """
    p = percent_vo2_reserve(vo2, vo2_rest, vo2_max)
    fraction = np.where(p > 0.0, np.clip(swain_percent_hrr(p) / 100.0, 0.0, 1.0), 0.0)
    return hr_rest + fraction * (np.asarray(hr_max) - hr_rest)


#: Swain et al. 1994, Med Sci Sports Exerc 26:112 (81 men, 81 women, 18-34 y, treadmill):
#: %HRmax at 40 / 60 / 80 / 85 %VO2max, and 100 at 100 (the definition of both maxima).
SWAIN_1994_POINTS = ((40.0, 63.0), (60.0, 76.0), (80.0, 89.0), (85.0, 92.0), (100.0, 100.0))

#: Kim & Choi 2001, J Korean Acad Rehabil Med 25:474 (20 young men, treadmill 5 km/h, level):
#: VO2 [mL kg-1 min-1], its %VO2max, HR [min-1] and its %HRmax, forward and backward.
KIM_CHOI_2001_HR = {"forward": (15.9, 37.3, 120.9, 61.6), "backward": (23.6, 55.8, 166.1, 84.3)}

#: Heath et al. 2001, Phys Ther Sport 2:171 (8 men, 3.2-3.7 mph backward): 12 sessions of
#: 15 min (180 min of practice). Of the 24-bpm fall of HR at the same speed, the 19 % fall of
#: VO2 explains 12-18 bpm with a typical HR-VO2 slope, leaving 6-12 bpm that practice alone
#: removed (derived); the midpoint, 9 bpm, is used.
HEATH_2001_PRACTICE_MIN = 180.0
HEATH_2001_EXCESS_REMOVED_BPM = (6.0, 12.0)


def swain_1994_percent_hrmax(percent_vo2max: ArrayLike, percent_rest_vo2: ArrayLike,
                             percent_rest_hr: ArrayLike) -> np.ndarray:
    """%HRmax at a %VO2max: Swain et al. 1994's points, joined to rest below 40 %VO2max.

    From 40 %VO2max up, straight lines through the published points (63 / 76 / 89 / 92 %HRmax
    at 40 / 60 / 80 / 85 %VO2max, then 100 at 100); below, a straight line from the person's
    resting point (VO2rest, HRrest as % of the maxima) to (40, 63). Never below the resting
    %HRmax, and 100 from 100 %VO2max up. Assumptions: the young adults' relation holds at any
    age once both are expressed relative to the person's maxima; the join to rest is linear.

    Parameters
    ----------
    percent_vo2max : array_like
        VO2 / VO2max x 100 [%].
    percent_rest_vo2 : array_like
        VO2rest / VO2max x 100 [%].
    percent_rest_hr : array_like
        HRrest / HRmax x 100 [%].

    Returns
    -------
    numpy.ndarray
        %HRmax [%].

    References
    ----------
    Swain DP, Abernathy KS, Smith CS, Lee SJ, Bunn SA (1994) Target heart rates for the
    development of cardiorespiratory fitness. Med Sci Sports Exerc 26:112-116.

    Examples
    --------
    >>> swain_1994_percent_hrmax([40.0, 60.0, 85.0, 120.0], 10.0, 35.0).tolist()
    [63.0, 76.0, 92.0, 100.0]
    """
    # the person's quantities (rest) stay at their own shape until they meet the demand's
    p, r, h = (np.asarray(x, dtype=float)
               for x in (percent_vo2max, percent_rest_vo2, percent_rest_hr))
    (p0, h0), *_ = SWAIN_1994_POINTS
    xp, fp = zip(*SWAIN_1994_POINTS, strict=True)
    upper = np.interp(p, xp, fp)
    span = np.where(r < p0, p0 - r, 1.0)
    joined = h + (h0 - h) * (p - r) / span
    pct = np.where((p < p0) & (r < p0), joined, upper)
    return np.where(p <= r, h, np.maximum(pct, h))


def _kim_choi_excess() -> tuple[float, float]:
    """Kim & Choi 2001's backward excess over Swain 1994 [%HRmax points] and its %VO2R."""
    vo2, pct_max, _, pct_hr = KIM_CHOI_2001_HR["backward"]
    vo2_max = vo2 / pct_max * 100.0
    rest = 100.0 * VO2_REST_ML_KG_MIN / vo2_max
    forward_hr_pct = KIM_CHOI_2001_HR["forward"][3]
    hr_max = KIM_CHOI_2001_HR["forward"][2] / forward_hr_pct * 100.0
    base = float(swain_1994_percent_hrmax(pct_max, rest,
                                          100.0 * KIM_CHOI_2001_HR_REST_BPM / hr_max))
    return pct_hr - base, 100.0 * (pct_max - rest) / (100.0 - rest)


VO2_REST_ML_KG_MIN = 3.5       # 1 MET
KIM_CHOI_2001_HR_REST_BPM = 70.0   # assumed: Kim & Choi do not report resting HR
_EXCESS_PTS, _EXCESS_VO2R = _kim_choi_excess()
#: Novice backward excess [%HRmax points per %VO2R]: Kim & Choi 2001's 11.0 points at 51.8
#: %VO2R (derived: their backward point above Swain 1994's relation), in proportion to the
#: VO2 reserve in use (an assumption: no excess at rest).
NOVICE_EXCESS_PER_VO2R = _EXCESS_PTS / _EXCESS_VO2R
#: The novice excess at Kim & Choi's intensity, bpm (HRmax 196.3 derived from their %HRmax).
_NOVICE_EXCESS_BPM = _EXCESS_PTS / 100.0 * (KIM_CHOI_2001_HR["forward"][2]
                                            / KIM_CHOI_2001_HR["forward"][3] * 100.0)
#: Practice time constant [min]: the excess decays as exp(-practice / tau), tau chosen so that
#: 180 min of practice removes Heath et al. 2001's 9 bpm (6-12) of a novice excess of Kim &
#: Choi's size, about 22 bpm (derived; Heath's own novice excess is not reported). That the
#: excess falls towards zero with long practice is an assumption.
PRACTICE_TAU_MIN = -HEATH_2001_PRACTICE_MIN / float(
    np.log(1.0 - np.mean(HEATH_2001_EXCESS_REMOVED_BPM) / _NOVICE_EXCESS_BPM))


def backward_excess(practice_min: ArrayLike, percent_vo2r: ArrayLike = _EXCESS_VO2R,
                    *, tau_min: float = PRACTICE_TAU_MIN) -> np.ndarray:
    """Extra heart rate of backward walking over forward at the same VO2 [%HRmax points].

    ``excess = k x %VO2R x exp(-practice / tau)``: Thomas et al. 2018 find HR higher walking
    backward than forward at a matched VO2; its size in novices, k, is Kim & Choi 2001's
    backward point above Swain 1994's relation (11.0 points at 51.8 %VO2R); it shrinks with
    accumulated backward practice as Heath et al. 2001 report (tau = 335 min). Never negative;
    zero at rest. A programme carries ``practice_min`` from session to session.

    Parameters
    ----------
    practice_min : array_like
        Accumulated effective backward practice [min], >= 0 (0: unpractised).
    percent_vo2r : array_like, optional
        Oxygen uptake reserve in use [%]; default Kim & Choi's 51.8.
    tau_min : float, optional
        Practice time constant [min].

    Returns
    -------
    numpy.ndarray
        The excess [percentage points of HRmax], >= 0.

    References
    ----------
    Thomas, Hammond & Magal (2018) Gait Posture 65:20; Kim & Choi (2001) J Korean Acad
    Rehabil Med 25:474; Heath et al. (2001) Phys Ther Sport 2:171; Swain DP et al. (1994) Med
    Sci Sports Exerc 26:112.

    Examples
    --------
    >>> backward_excess([0.0, 180.0, 1e6]).round(2).tolist()
    [11.03, 6.44, 0.0]
    """
    practice = np.maximum(np.asarray(practice_min, dtype=float), 0.0)
    vo2r = np.clip(np.asarray(percent_vo2r, dtype=float), 0.0, 100.0)
    return NOVICE_EXCESS_PER_VO2R * vo2r * np.exp(-practice / tau_min)


def swain_1994_backward_hr(vo2, vo2_rest, vo2_max, hr_rest, hr_max, direction=1.0,
                           practice_min=0.0, *, excess_scale=1.0):
    """Steady-state heart rate [min-1]: Swain 1994's %HRmax-%VO2max, plus the backward excess.

    ``HR = HRmax x min(swain_1994_percent_hrmax + backward_excess (backward only), 100) / 100``,
    HRrest at or below resting VO2 (:func:`swain_1994_percent_hrmax`, :func:`backward_excess`).
    Never falls with VO2, never below HRrest, never above HRmax.

    Parameters
    ----------
    vo2, vo2_rest, vo2_max : array_like
        Oxygen uptake (demand), resting and maximal [mL kg-1 min-1].
    hr_rest, hr_max : array_like
        Resting and maximal heart rate [min-1].
    direction : array_like, optional
        +1 forward (default), -1 backward.
    practice_min : array_like, optional
        Accumulated backward practice [min] (``backward_practice_min``); default 0.
    excess_scale : array_like, optional
        Factor on the excess (1; a plausible version of the person draws it).

    References
    ----------
    Swain DP et al. (1994) Med Sci Sports Exerc 26:112; Thomas, Hammond & Magal (2018) Gait Posture
    65:20; Kim & Choi (2001); Heath et al. (2001) Phys Ther Sport 2:171.

    Examples
    --------
    >>> hr = swain_1994_backward_hr([15.9, 23.6], 3.5, 42.4, 70.0, 196.6, [1, -1])
    >>> hr.round(0).tolist()                       # Kim & Choi 2001: 120.9, 166.1
    [120.0, 165.0]
    """
    vo2, vo2_max, hr_rest, hr_max = (np.asarray(x, dtype=float)
                                     for x in (vo2, vo2_max, hr_rest, hr_max))
    pct = swain_1994_percent_hrmax(100.0 * vo2 / vo2_max, 100.0 * np.asarray(vo2_rest) / vo2_max,
                                   100.0 * hr_rest / hr_max)
    vo2r = 100.0 * (vo2 - vo2_rest) / (vo2_max - vo2_rest)
    extra = np.where(np.asarray(direction) < 0,
                     backward_excess(practice_min, vo2r) * np.asarray(excess_scale), 0.0)
    hr = hr_max * np.minimum(pct + extra, 100.0) / 100.0
    return np.where(vo2 <= np.asarray(vo2_rest), np.broadcast_to(hr_rest, hr.shape), hr)


def _swain_1998(vo2, vo2_rest, vo2_max, hr_rest, hr_max, direction=1.0, practice_min=0.0, *,
                excess_scale=1.0):
    return steady_state_hr(vo2, vo2_rest, vo2_max, hr_rest, hr_max)


#: Steady-state heart-rate models by name: ``(vo2, vo2_rest, vo2_max, hr_rest, hr_max,
#: direction, practice_min) -> HR [min-1]`` (``[energy] heart_rate``).
HR_MODELS: dict[str, Model] = {
    "swain-1994-backward": Model(
        swain_1994_backward_hr,
        ("Swain DP et al. (1994) Med Sci Sports Exerc 26:112-116",
         "Thomas, Hammond & Magal (2018) Gait Posture 65:20",
         "Kim & Choi (2001) J Korean Acad Rehabil Med 25:474",
         "Heath et al. (2001) Phys Ther Sport 2:171"),
        "Swain 1994's %HRmax-%VO2max points, plus a backward excess at the same VO2 that "
        "shrinks with practice",
        "Backward heart rate adds an excess over forward at the same oxygen uptake, sized from "
        f"novices at one speed (Kim & Choi 2001: {_EXCESS_PTS:.0f} points of HRmax at "
        f"{_EXCESS_VO2R:.0f} % of the VO2 reserve) and shrinking with backward practice (Heath "
        f"et al. 2001; a time constant of {PRACTICE_TAU_MIN:.0f} min, derived); at other "
        "intensities it is scaled with the VO2 reserve in use, an assumption."),
    "swain-1998-hrr": Model(
        _swain_1998, ("Swain DP et al. (1998) Med Sci Sports Exerc 30:318-321",),
        "%HRR = 1.03 %VO2R + 1.5, the same in both directions (the first model)",
        "Heart rate follows oxygen uptake alone, the same in both directions, and backward "
        "walking raises heart rate more than its oxygen cost does (Kim & Choi 2001 measured "
        f"{KIM_CHOI_2001_HR['backward'][2]:.0f} bpm backward against "
        f"{KIM_CHOI_2001_HR['forward'][2]:.0f} forward at 5 km/h). Read a modelled backward heart "
        "rate, %HRmax and %HRR as lower bounds."),
}
DEFAULT_HR_MODEL = "swain-1994-backward"
