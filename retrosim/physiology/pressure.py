"""Blood pressure: the response to exercise, its alarms, and the ACC/AHA classes of a reading.

During exercise systolic pressure (SBP) rises with the workload and diastolic pressure (DBP)
stays near its resting value. A response can be exaggerated, or cross a criterion for stopping
an exercise test. A seated reading carries measurement noise and is classified by the ACC/AHA
2017 guideline; a reading of 180/120 or more is rechecked five minutes later. What happens
after exercise, post-exercise hypotension, is in :mod:`retrosim.physiology.hypotension`.

References
----------
- During exercise SBP rises about 10 mmHg per MET, DBP stays flat or falls slightly: a
  recalled rule of thumb with no source read (unverified: a default, never a test
  expectation).
- Exaggerated response: SBP >= 210 mmHg (men) / >= 190 mmHg (women), or DBP >= 110 mmHg: the
  thresholds used in exercise testing; no single source recorded.
- Stop criteria: SBP > 250 or DBP > 115 mmHg; SBP falling by more than 10 mmHg despite a
  rising workload (ACSM's Guidelines for Exercise Testing and Prescription, test termination
  criteria).
- Measuring: no exercise within 30 min before a reading, 5 min seated rest (Whelton PK et al.
  2017 ACC/AHA guideline, Hypertension 71:1269; doi:10.1161/HYP.0000000000000066); a reading
  of 180/120 or higher is a hypertensive crisis: wait 5 minutes and measure again.
- Categories, by the higher of SBP and DBP (Whelton et al. 2017): normal < 120 and < 80;
  elevated 120-129 and < 80; stage 1 130-139 or 80-89; stage 2 >= 140 or >= 90; crisis > 180
  and/or > 120.
- Full entries: docs/references.md (acsm-guidelines, whelton-2017).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.heart import HR_TAU_S

#: Rise of SBP per MET above rest during exercise, mmHg ("about 10 mmHg per MET", a recalled
#: rule of thumb with no source read; unverified: a default, never a test expectation).
SBP_PER_MET_MMHG = 10.0
#: Change of DBP per MET during exercise, mmHg: flat (the same rule of thumb).
DBP_PER_MET_MMHG = 0.0
#: Time constant of the pressor response, s. No published value used: an assumption that
#: pressure follows cardiac output, whose time course heart rate tracks (``heart.HR_TAU_S``,
#: 30 s, McNarry et al. 2012, Am J Physiol Regul Integr Comp Physiol 303:R791). MacDonald et
#: al. 2000 (pressure below baseline 5 min after exercise) bounds it above by about 2.5 min
#: for a typical bout.
BP_TAU_S = HR_TAU_S

#: Exaggerated response thresholds, mmHg, reached at or above (exercise-testing thresholds; no
#: single source recorded).
EXAGGERATED_SBP_MMHG = {"female": 190.0, "male": 210.0}
EXAGGERATED_DBP_MMHG = 110.0
#: Stop criteria, mmHg: pressures strictly above these, and a fall of SBP by more than this
#: while the workload rises (ACSM's Guidelines for Exercise Testing and Prescription).
STOP_SBP_MMHG = 250.0
STOP_DBP_MMHG = 115.0
STOP_SBP_FALL_MMHG = 10.0

#: ACC/AHA 2017 categories; a reading's category is its index here (-1: no reading).
CATEGORIES = ("normal", "elevated", "stage 1", "stage 2", "crisis")
#: Short names for tables.
CATEGORY_ABBREVIATIONS = ("N", "E", "S1", "S2", "C")
#: A reading at or above either of these is rechecked ("180/120 or higher ... wait 5 minutes
#: and measure again"; crisis as in Whelton et al. 2017), mmHg.
RECHECK_SBP_MMHG = 180.0
RECHECK_DBP_MMHG = 120.0
#: Delay of the recheck, s (5 min).
RECHECK_AFTER_S = 300.0
#: A reading is valid for diagnosis from this long after exercise, s (30 min).
VALID_AFTER_S = 1800.0
#: Default measurement noise (SD of a reading about the true pressure), mmHg: systolic,
#: diastolic. No published value used: a stated assumption covering device error and
#: beat-to-beat variability.
NOISE_SD_MMHG = (5.0, 4.0)


def pressor_rise(met: ArrayLike, per_met_mmhg: ArrayLike = SBP_PER_MET_MMHG) -> np.ndarray:
    """Steady-state rise of blood pressure above rest at a metabolic demand, mmHg.

    ``rise = per_met * max(MET - 1, 0)``: zero at rest, linear in the workload above it.

    Parameters
    ----------
    met : array_like
        Demand [MET].
    per_met_mmhg : array_like, optional
        Rise per MET [mmHg]; SBP 10 (unverified), DBP 0.

    Returns
    -------
    numpy.ndarray
        The rise [mmHg].

    References
    ----------
    SBP rises about 10 mmHg per MET, DBP stays flat: a recalled rule of thumb with no source
    read (unverified).

    Examples
    --------
    >>> pressor_rise([1.0, 4.3, 8.0]).round(1).tolist()
    [0.0, 33.0, 70.0]
    """
    return np.asarray(per_met_mmhg, dtype=float) * np.maximum(
        np.asarray(met, dtype=float) - 1.0, 0.0)


def exaggerated_response(sbp: ArrayLike, dbp: ArrayLike, female: ArrayLike) -> np.ndarray:
    """Whether an exercise pressure is an exaggerated response.

    SBP >= 210 mmHg in men or >= 190 mmHg in women, or DBP >= 110 mmHg.

    Parameters
    ----------
    sbp, dbp : array_like
        Pressures during exercise [mmHg].
    female : array_like of bool
        True for a woman.

    References
    ----------
    Exaggerated-response thresholds as used in exercise testing (SBP >= 210 men / >= 190
    women, DBP >= 110 mmHg); no single source recorded.

    Examples
    --------
    >>> exaggerated_response([200, 200, 150], [80, 80, 110], [False, True, False]).tolist()
    [False, True, True]
    """
    limit = np.where(np.asarray(female, dtype=bool), EXAGGERATED_SBP_MMHG["female"],
                     EXAGGERATED_SBP_MMHG["male"])
    return (np.asarray(sbp) >= limit) | (np.asarray(dbp) >= EXAGGERATED_DBP_MMHG)


def acc_aha_stop(sbp: ArrayLike, dbp: ArrayLike) -> np.ndarray:
    """Whether an exercise pressure meets an ACC/AHA stop criterion: SBP > 250 or DBP > 115.

    The third criterion, a falling SBP as the workload rises, needs a history:
    :func:`sbp_fall_as_workload_rises`.

    Parameters
    ----------
    sbp, dbp : array_like
        Pressures during exercise [mmHg].

    References
    ----------
    ACSM's Guidelines for Exercise Testing and Prescription (test termination criteria:
    SBP > 250 or DBP > 115 mmHg); docs/references.md#acsm-guidelines.

    Examples
    --------
    >>> acc_aha_stop([250, 251, 200], [115, 80, 116]).tolist()
    [False, True, True]
    """
    return (np.asarray(sbp) > STOP_SBP_MMHG) | (np.asarray(dbp) > STOP_DBP_MMHG)


def sbp_fall_as_workload_rises(sbp: ArrayLike, workload: ArrayLike) -> np.ndarray:
    """Where SBP has fallen more than 10 mmHg below its peak while the workload kept rising.

    Along axis 0 (successive times), a stretch lasts while the workload does not fall; within
    it the peak SBP so far is kept, and a point is flagged when SBP is more than 10 mmHg below
    that peak. A fall of the workload starts a new stretch.

    Parameters
    ----------
    sbp : array_like
        SBP at successive times [mmHg], shape (T, ...).
    workload : array_like
        The workload at the same times [any unit, e.g. MET], same shape.

    Returns
    -------
    numpy.ndarray of bool
        True where SBP has fallen, shape (T, ...).

    References
    ----------
    ACSM's Guidelines for Exercise Testing and Prescription (test termination criteria: SBP
    falling > 10 mmHg despite a rising workload).

    Examples
    --------
    >>> sbp_fall_as_workload_rises([150, 170, 158, 150, 140], [3, 5, 6, 4, 5]).tolist()
    [False, False, True, False, False]
    """
    s = np.asarray(sbp, dtype=float)
    w = np.asarray(workload, dtype=float)
    peak = s[0].copy()
    flags = np.zeros(s.shape, dtype=bool)
    for i in range(1, s.shape[0]):
        peak = np.where(w[i] >= w[i - 1], np.maximum(peak, s[i]), s[i])
        flags[i] = peak - s[i] > STOP_SBP_FALL_MMHG
    return flags


def acc_aha_category(sbp: ArrayLike, dbp: ArrayLike) -> np.ndarray:
    """ACC/AHA 2017 category of a reading, as an index into :data:`CATEGORIES`.

    Classified by the higher of the two: 0 normal (SBP < 120 and DBP < 80), 1 elevated
    (120-129 and < 80), 2 stage 1 (130-139 or 80-89), 3 stage 2 (>= 140 or >= 90), 4 crisis
    (> 180 and/or > 120); -1 where a value is NaN (no reading).

    Parameters
    ----------
    sbp, dbp : array_like
        A reading [mmHg].

    Returns
    -------
    numpy.ndarray of int8
        The category codes.

    References
    ----------
    Whelton PK et al. 2017 ACC/AHA high blood pressure guideline, executive summary
    (Hypertension 2018;71(6):1269; doi:10.1161/HYP.0000000000000066): the categories.

    Examples
    --------
    >>> acc_aha_category([119, 120, 130, 140, 180, 181], [79, 80, 80, 90, 120, 121]).tolist()
    [0, 2, 2, 3, 3, 4]
    """
    s = np.asarray(sbp, dtype=float)
    d = np.asarray(dbp, dtype=float)
    # the thresholds rise, so a category is the number of them reached
    by_sbp = ((s >= 120.0).astype(np.int8) + (s >= 130.0) + (s >= 140.0) + (s > 180.0))
    by_dbp = ((d >= 80.0).astype(np.int8) * 2 + (d >= 90.0) + (d > 120.0))
    category = np.maximum(by_sbp, by_dbp)
    return np.where(np.isnan(s) | np.isnan(d), -1, category).astype(np.int8)


def needs_recheck(sbp: ArrayLike, dbp: ArrayLike) -> np.ndarray:
    """Whether a reading of 180/120 or more calls for a second reading 5 minutes later.

    The threshold is inclusive ("180/120 or higher"), one mmHg below the ACC/AHA crisis
    category (> 180 and/or > 120): a reading of exactly 180/120 is stage 2 and rechecked.

    References
    ----------
    Whelton et al. 2017 (crisis: > 180 and/or > 120 mmHg); the advice to wait 5 minutes and
    measure again is patient guidance whose source was not recorded.

    Examples
    --------
    >>> needs_recheck([179, 180, 150, 150], [119, 90, 120, 119]).tolist()
    [False, True, True, False]
    """
    return (np.asarray(sbp) >= RECHECK_SBP_MMHG) | (np.asarray(dbp) >= RECHECK_DBP_MMHG)


def valid_for_diagnosis(since_exercise_s: ArrayLike) -> np.ndarray:
    """Whether a reading taken this long after exercise [s] may be used for diagnosis.

    Valid from 30 minutes after the end of exercise.

    References
    ----------
    Whelton et al. 2017 (measuring: no exercise within 30 min before a reading).

    Examples
    --------
    >>> valid_for_diagnosis([0.0, 1799.0, 1800.0]).tolist()
    [False, False, True]
    """
    return np.asarray(since_exercise_s, dtype=float) >= VALID_AFTER_S


def seated_reading(true_mmhg: ArrayLike, noise_z: ArrayLike,
                   noise_sd_mmhg: ArrayLike) -> np.ndarray:
    """A device reading: the true pressure plus noise, shown in whole mmHg.

    ``reading = round(true + sd * z)``, with ``z`` standard normal draws supplied by the
    caller (models draw no random numbers). Readings are clipped to 0-300 mmHg, the display
    range of an upper-arm monitor (an assumption).

    Parameters
    ----------
    true_mmhg : array_like
        The modelled pressure at the time of the reading [mmHg].
    noise_z : array_like
        Standard normal draws [-].
    noise_sd_mmhg : array_like
        SD of the measurement error [mmHg].

    References
    ----------
    Whelton et al. 2017 (measuring: 5 min seated rest); the noise SD is an assumption
    (:data:`NOISE_SD_MMHG`).

    Examples
    --------
    >>> seated_reading([128.3, 128.3], [0.0, -1.0], 5.0).tolist()
    [128.0, 123.0]
    """
    value = np.asarray(true_mmhg, dtype=float) + np.asarray(noise_sd_mmhg) * np.asarray(noise_z)
    return np.clip(np.round(value), 0.0, 300.0)
