"""Energy cost of forward and backward walking: Compendium, ACSM, a continuous model, kcal, RMR.

Every model takes ``(speed_mps, grade_frac, direction)`` (m s-1, fraction, +1 forward / -1
backward) and returns gross MET; pick one by name from :data:`ENERGY_MODELS`. Sources: the
Compendium codes (Ainsworth et al. 2011; Herrmann et al. 2024), the ACSM metabolic equations,
Kim & Choi 2001 and Berling et al. 2006; each function's References, and docs/references.md.

>>> {name: round(float(f(1.5646, 0.0, -1)), 1) for name, f in ENERGY_MODELS.items()}
... # doctest: +NORMALIZE_WHITESPACE
{'continuous': 6.1, 'continuous-shared-grade': 6.1, 'compendium-2011': 6.0,
 'compendium-2024': 6.0, 'compendium-2024-treadmill': 6.0, 'acsm': 3.7}
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from retrosim.errors import RetrosimError
from retrosim.physiology.compendium import compendium_met
from retrosim.physiology.energy_continuous import SHARED_GRADE_PARAMS, continuous_met
from retrosim.physiology.registry import Model
from retrosim.units import KCAL_PER_L_O2, MPS_PER_MPH, VO2_PER_MET


def acsm_walking_vo2(speed_m_per_min: ArrayLike, grade_frac: ArrayLike) -> np.ndarray:
    """Steady-state VO2 of walking, ACSM metabolic equation: 3.5 + 0.1 S + 1.8 S G.

    Parameters
    ----------
    speed_m_per_min, grade_frac : array_like
        Speed S [m min-1], stated for 50-100; grade G [-], 0.05 = 5 %.

    Returns
    -------
    numpy.ndarray
        VO2 [mL kg-1 min-1].

    References
    ----------
    ACSM's Guidelines for Exercise Testing and Prescription, metabolic equations.

    Examples
    --------
    >>> round(float(acsm_walking_vo2(3.5 * 26.8224, 0.10)), 2)
    29.79
    """
    s = np.asarray(speed_m_per_min, dtype=float)
    return VO2_PER_MET + 0.1 * s + 1.8 * s * np.asarray(grade_frac, dtype=float)


def acsm_running_vo2(speed_m_per_min: ArrayLike, grade_frac: ArrayLike) -> np.ndarray:
    """Steady-state VO2 of running, ACSM metabolic equation: 3.5 + 0.2 S + 0.9 S G.

    Parameters
    ----------
    speed_m_per_min, grade_frac : array_like
        Speed S [m min-1], for running (above about 134, 5 mph); grade G [-].

    Returns
    -------
    numpy.ndarray
        VO2 [mL kg-1 min-1].

    References
    ----------
    ACSM's Guidelines for Exercise Testing and Prescription, metabolic equations.

    Examples
    --------
    >>> round(float(acsm_running_vo2(160.0, 0.05)), 1)
    42.7
    """
    s = np.asarray(speed_m_per_min, dtype=float)
    return VO2_PER_MET + 0.2 * s + 0.9 * s * np.asarray(grade_frac, dtype=float)


def acsm_met(speed_mps: ArrayLike, grade_frac: ArrayLike, direction: ArrayLike) -> np.ndarray:
    """Gross MET of the ACSM walking equation, VO2 / 3.5, for either direction.

    Assumptions: no backward equation exists, so ``direction`` is ignored (backward is costed
    as forward); downhill is costed as level (grade clipped at 0). Speed 0 gives 1.0 MET.
    Parameters, returns and references as :func:`compendium_met` and :func:`acsm_walking_vo2`.

    >>> round(float(acsm_met(1.5646, 0.0, 1)), 2)
    3.68
    """
    v, g, _ = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                    for x in (speed_mps, grade_frac, direction)))
    return acsm_walking_vo2(60.0 * np.maximum(v, 0.0), np.maximum(g, 0.0)) / VO2_PER_MET


EnergyModel = Callable[[ArrayLike, ArrayLike, ArrayLike], np.ndarray]
_AINSWORTH_2011 = "Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81"
_HERRMANN_2024 = "Herrmann SD et al. (2024) J Sport Health Sci 13:6-12"
_HOOPER_2004 = "Hooper TL et al. (2004) J Orthop Sports Phys Ther 34:65-71"
_FITTED = ("Fitted over 1.5-5 mph and 0-10.5 % grade; it extrapolates beyond.")
_LOOKUP = ("The Compendium codes are steady-state rates at the speeds and grades they list (the "
           "backward codes at 3.5 mph only): between codes the rate steps, and any backward "
           "walking takes a backward code's value.")
_NOVICE = "Costs describe people new to backward walking."
#: Energy models by name: ``(speed_mps, grade_frac, direction) -> gross MET``, each with its
#: sources and a one-line description (``docs/models/energy.md``'s table is generated from them).
ENERGY_MODELS: dict[str, Model] = {
    "continuous": Model(
        continuous_met,
        (_AINSWORTH_2011, _HERRMANN_2024, "Kim & Choi (2001) J Korean Acad Rehabil Med 25:474",
         _HOOPER_2004),
        "a smooth model for any speed and grade in both directions; backward climbing fitted "
        "to the Compendium's backward codes and Hooper et al. 2004 together",
        _FITTED + " " + _NOVICE),
    "continuous-shared-grade": Model(
        functools.partial(continuous_met, params=SHARED_GRADE_PARAMS),
        (_AINSWORTH_2011, "Kim & Choi (2001) J Korean Acad Rehabil Med 25:474"),
        "the first continuous fit: one grade term for both directions, so backward climbing "
        "costs too little (ratio 1.37 level, 1.16 at 12.5 %, 2.5 mph)",
        _FITTED + " Backward climbing costs too little: one grade term serves both "
        "directions. " + _NOVICE),
    "compendium-2011": Model(
        functools.partial(compendium_met, edition=2011), (_AINSWORTH_2011,),
        "the 2011 Compendium walking codes as a lookup (Ainsworth et al. 2011)",
        _LOOKUP + " " + _NOVICE),
    "compendium-2024": Model(
        functools.partial(compendium_met, edition=2024), (_HERRMANN_2024,),
        "the 2024 Adult Compendium walking codes (Herrmann et al. 2024)",
        _LOOKUP + " " + _NOVICE),
    "compendium-2024-treadmill": Model(
        functools.partial(compendium_met, edition=2024, treadmill_codes=True), (_HERRMANN_2024,),
        "the same, with the 2024 treadmill codes 17349-17361 and 17475 competing",
        _LOOKUP + " " + _NOVICE),
    "acsm": Model(
        acsm_met, ("ACSM's Guidelines for Exercise Testing and Prescription, metabolic equations",),
        "the ACSM walking equation, VO2 = 3.5 + 0.1 S + 1.8 S G (S in m/min), / 3.5",
        "The ACSM equation is for forward walking at about 50-100 m/min (1.9-3.7 mph) and has "
        "no term for direction: backward walking costs the same as forward, far less than the "
        "Compendium's backward codes."),
}
DEFAULT_ENERGY_MODEL = "continuous"
#: The energy models that look a published table up (the Compendium's codes): each returns
#: the table's MET, the one intensity the Compendium assigns an activity for adults in
#: general, not a prediction of one person's cost (the Compendium was not built to give the
#: energy cost of an activity within individuals, Ainsworth et al. 2011; its 2024 edition was
#: built from adults of 19-59 yr, Herrmann et al. 2024), so no person term applies to them
#: (:func:`retrosim.physiology.walking_cost.in_effect`).
TABLE_LOOKUPS = frozenset({"compendium-2011", "compendium-2024", "compendium-2024-treadmill"})

#: Berling et al. 2006, J Cardiopulm Rehabil 26:391: VO2 [mL kg-1 min-1] (free, gripping).
BERLING_2006_VO2 = ((20.3, 17.2), (22.8, 18.0), (26.1, 20.6))
_GRIP_NET_FACTOR = float(np.mean([(grip - VO2_PER_MET) / (free - VO2_PER_MET)
                                  for free, grip in BERLING_2006_VO2]))
HANDRAIL_CODES = ("none", "light", "grip")
#: Factor on net MET by handrail use. "grip": the mean net-VO2 ratio of Berling's three pairs.
#: "light" has no published value: assumed half of grip's reduction.
HANDRAIL_NET_FACTOR = {"none": 1.0, "light": 1.0 - (1.0 - _GRIP_NET_FACTOR) / 2.0,
                       "grip": _GRIP_NET_FACTOR}


def apply_handrail(met: ArrayLike, support: ArrayLike) -> np.ndarray:
    """Gross MET with handrail support: 1 + (met - 1) * HANDRAIL_NET_FACTOR[support].

    Parameters
    ----------
    met, support : array_like
        Gross MET without support [-]; int index into :data:`HANDRAIL_CODES` (0 none, 1 light
        touch, 2 grip).

    Returns
    -------
    numpy.ndarray
        Gross MET [-]. Grip lowers net cost by 22.6 %; light touch by half that (assumed).

    References
    ----------
    Berling et al. 2006, J Cardiopulm Rehabil 26:391.

    Examples
    --------
    >>> apply_handrail([4.3, 4.3, 4.3], [0, 1, 2]).round(2).tolist()
    [4.3, 3.93, 3.56]
    """
    code = np.asarray(support)
    if code.size and (not np.issubdtype(code.dtype, np.integer) or code.min() < 0
                      or code.max() >= len(HANDRAIL_CODES)):
        raise RetrosimError(f"handrail support codes must be 0, 1 or 2 {HANDRAIL_CODES}")
    factor = np.array([HANDRAIL_NET_FACTOR[k] for k in HANDRAIL_CODES])[code]
    return 1.0 + (np.asarray(met, dtype=float) - 1.0) * factor


KCAL_CONVENTIONS = ("oxygen", "met-hours")
#: Resting VO2 [mL kg-1 min-1] that defines 1 MET: the Compendium's 3.5 (Ainsworth 2011), the
#: measured mean 2.6 (Byrne et al. 2005, J Appl Physiol 99:1112), 2.7 for people 60+ (Older
#: Adult Compendium, Willis et al. 2024).
RESTING_VO2 = {"standard": VO2_PER_MET, "byrne-2005": 2.6, "willis-2024-older": 2.7}
#: The sources of each ``[energy] resting_rate`` (the standard MET is the Compendium's own).
RESTING_RATE_REFERENCES: dict[str, tuple[str, ...]] = {
    "standard": (),
    "byrne-2005": ("Byrne NM et al. (2005) J Appl Physiol 99:1112 (resting VO2)",),
    "willis-2024-older": ("Willis EA et al. (2024) Older Adult Compendium "
                          "(1 MET = 2.7 mL/kg/min)",),
    "mifflin-st-jeor": ("Mifflin MD, St Jeor ST et al. (1990) Am J Clin Nutr 51:241 (RMR)",),
}


def kcal_per_min(met: ArrayLike, mass_kg: ArrayLike, *, resting_vo2: ArrayLike = VO2_PER_MET,
                 convention: str = "oxygen") -> np.ndarray:
    """Energy expenditure rate of an activity of ``met`` gross MET.

    "oxygen": MET x resting_vo2 x mass / 1000 x 5 kcal per L O2 (= MET x 3.5 x mass / 200).
    "met-hours": 1 MET = 1 kcal kg-1 h-1 (scaled by resting_vo2 / 3.5); it gives 1/1.05, about
    5 % less.

    Parameters
    ----------
    met, mass_kg : array_like
        Gross MET [-]; body mass [kg].
    resting_vo2 : array_like
        VO2 of 1 MET [mL kg-1 min-1], see :data:`RESTING_VO2`.
    convention : str
        One of :data:`KCAL_CONVENTIONS`.

    Returns
    -------
    numpy.ndarray
        Energy rate [kcal min-1].

    References
    ----------
    Ainsworth BE et al. 2011, Med Sci Sports Exerc 43(8):1575-81.

    Examples
    --------
    >>> (10 * kcal_per_min([4.3, 6.0, 8.0], 61.0)).round(2).tolist()
    [45.9, 64.05, 85.4]
    """
    met, mass, vo2 = (np.asarray(x, dtype=float) for x in (met, mass_kg, resting_vo2))
    if convention == "oxygen":
        return met * vo2 * mass / 1000.0 * KCAL_PER_L_O2
    if convention == "met-hours":
        return met * mass / 60.0 * (vo2 / VO2_PER_MET)
    raise RetrosimError(f"kcal convention must be one of {KCAL_CONVENTIONS}, got {convention!r}")


def mifflin_st_jeor_rmr(mass_kg: ArrayLike, height_cm: ArrayLike, age_yr: ArrayLike,
                        female: ArrayLike) -> np.ndarray:
    """Resting metabolic rate: 10 W + 6.25 H - 5 A + 5 (men) or - 161 (women).

    Parameters
    ----------
    mass_kg, height_cm, age_yr, female : array_like
        Body mass W [kg], height H [cm], age A [yr]; True for women.

    Returns
    -------
    numpy.ndarray
        RMR [kcal day-1].

    References
    ----------
    Mifflin MD, St Jeor ST et al. 1990, Am J Clin Nutr 51:241.

    Examples
    --------
    >>> mifflin_st_jeor_rmr(61.0, 165.0, 55.0, [True, False]).tolist()
    [1205.25, 1371.25]
    """
    w, h, a = (np.asarray(x, dtype=float) for x in (mass_kg, height_cm, age_yr))
    return 10.0 * w + 6.25 * h - 5.0 * a + np.where(np.asarray(female, dtype=bool), -161.0, 5.0)


def resting_vo2_from_rmr(rmr_kcal_day: ArrayLike, mass_kg: ArrayLike) -> np.ndarray:
    """Resting VO2 from a resting metabolic rate, at 5 kcal per L O2.

    Parameters
    ----------
    rmr_kcal_day, mass_kg : array_like
        Resting metabolic rate [kcal day-1]; body mass [kg].

    Returns
    -------
    numpy.ndarray
        Resting VO2 [mL kg-1 min-1].

    References
    ----------
    Ainsworth BE et al. 2011 (5 kcal per L O2); Byrne NM et al. 2005, J Appl Physiol 99:1112.

    Examples
    --------
    >>> round(float(resting_vo2_from_rmr(1205.25, 61.0)), 3)
    2.744
    """
    rmr, mass = np.asarray(rmr_kcal_day, dtype=float), np.asarray(mass_kg, dtype=float)
    return rmr / KCAL_PER_L_O2 * 1000.0 / (24.0 * 60.0) / mass


_SPEED_TOL_MPS = 0.05 * MPS_PER_MPH  # half a 0.1-mph treadmill step
_GRADE_TOL = 0.0025           # half a 0.5 % incline step


def _at(x: np.ndarray, value: float, tol: float) -> np.ndarray:
    return np.abs(x - value) <= tol


def _compendium_inside(edition: int, treadmill: bool):
    forward_max_grade = 0.15 if edition == 2011 else 0.10
    points = [(3.5, 0.0), (3.5, 0.05)] + ([(2.5, 0.10)] if treadmill else [])

    def inside(speed_mps: ArrayLike, grade_frac: ArrayLike, direction: ArrayLike) -> np.ndarray:
        v, g, d = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                        for x in (speed_mps, grade_frac, direction)))
        listed = np.zeros(v.shape, bool)
        for mph, grade in points:
            listed |= _at(v, mph * MPS_PER_MPH, _SPEED_TOL_MPS) & _at(g, grade, _GRADE_TOL)
        forward = (v <= 5.0 * MPS_PER_MPH + _SPEED_TOL_MPS) & (g <= forward_max_grade + _GRADE_TOL)
        return (v <= 0) | np.where(d < 0, listed, forward)

    return inside


def _acsm_inside(speed_mps: ArrayLike, grade_frac: ArrayLike,
                 direction: ArrayLike) -> np.ndarray:
    v, _, d = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                    for x in (speed_mps, grade_frac, direction)))
    s = 60.0 * v
    return (v <= 0) | ((d > 0) & (s >= 50.0 - 1e-9) & (s <= 100.0 + 1e-9))


#: Where each energy model's source speaks: name -> (inside(speed_mps, grade_frac, direction)
#: -> bool array, the range in words). Outside it the model still answers (the lookup's
#: nearest code, ACSM's forward equation: the fallback its docstring states), and the engine
#: logs an ``energy-outside`` event naming the stage and this range. The continuous model is
#: absent: it is meant to extrapolate (its docstring gives its fitted span).
SOURCE_CONDITIONS: dict[str, tuple[Callable[..., np.ndarray], str]] = {
    "compendium-2011": (_compendium_inside(2011, False),
                        "the 2011 Compendium lists backward walking only at 3.5 mph, level "
                        "(17320) or 5 % (17325), and forward walking up to 5.0 mph and 15 %"),
    "compendium-2024": (_compendium_inside(2024, False),
                        "the 2024 Compendium lists backward walking only at 3.5 mph, level "
                        "(17320) or 5 % (17325), and forward walking up to 5.0 mph and 10 %"),
    "compendium-2024-treadmill": (_compendium_inside(2024, True),
                                  "the 2024 Compendium lists backward walking only at 3.5 mph, "
                                  "level or 5 % (17320, 17325), and 2.5 mph at 10 % (17475), "
                                  "forward walking up to 5.0 mph and 10 %"),
    "acsm": (_acsm_inside, "the ACSM walking equation is for forward walking at 50-100 m/min "
             "(1.9-3.7 mph); it has no backward form"),
}


def outside_source(name: str, speed_mps: ArrayLike, grade_frac: ArrayLike,
                   direction: ArrayLike) -> np.ndarray:
    """Whether each condition lies outside what energy model ``name``'s source covers.

    Parameters
    ----------
    name : str
        A key of :data:`ENERGY_MODELS`.
    speed_mps, grade_frac, direction : array_like
        As the models take them.

    Returns
    -------
    numpy.ndarray of bool
        True where the model answers by its fallback (see :data:`SOURCE_CONDITIONS`); always
        False for a model without stated conditions.

    References
    ----------
    Ainsworth BE et al. 2011; Herrmann SD et al. 2024; ACSM metabolic equations.

    Examples
    --------
    >>> outside_source("compendium-2011", [0.894, 1.5646], 0.0, -1).tolist()   # 2, 3.5 mph
    [True, False]
    >>> outside_source("acsm", 1.5646, 0.0, [1, -1]).tolist()
    [False, True]
    """
    if name not in SOURCE_CONDITIONS:
        return np.zeros(np.broadcast(*(np.asarray(x) for x in (speed_mps, grade_frac,
                                                                direction))).shape, bool)
    return ~SOURCE_CONDITIONS[name][0](speed_mps, grade_frac, direction)
