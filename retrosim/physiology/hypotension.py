"""Post-exercise hypotension (PEH): how far pressure falls below rest after a bout, and when.

After a bout of aerobic exercise, pressure falls below its resting value within minutes,
reaches a nadir after about a quarter of an hour and recovers over hours. The drop at the
nadir is a product of independent factors::

    drop = kenney_seals(resting BP) x corso(bout MET) x bout length x person

and its course after the bout ends is a fixed shape, 0 at the end, 1 at the nadir
(:mod:`retrosim.physiology.peh_course`: the difference of two exponentials, an onset of
minutes and a recovery of hours, whose onset :func:`onset_tau_for_nadir` sets here).

References
----------
Full entries in docs/references.md (kenney-1993, corso-2017, macdonald-2000,
pescatello-2004, carpio-rivera-2016).

- Kenney & Seals (1993), Hypertension 22:653: after one aerobic bout, hypertensives -18 to -20 /
  -7 to -9 mmHg, normotensives -8 to -10 / -3 to -5 mmHg at most; lasting 2-4 h in the lab,
  up to 13 h.
- Corso et al. (2017), Med Sci Sports Exerc 49(5S), meta-analysis abstract;
  doi:10.1249/01.mss.0000519263.21081.af: hypertensives' awake ambulatory pressure
  -5.4 / -2.1 mmHg; -11.4 / -5.6 after bouts of 6-9 MET, -1.6 / -0.5 after 4 MET.
- MacDonald et al. (2000), J Hum Hypertens 14:125; doi:10.1038/sj.jhh.1000953: below
  baseline by 5 min; nadir about 15 min (-14 mmHg, borderline hypertension); bouts of
  10-45 min alike.
- MacDonald JR (2002), J Hum Hypertens 16:225 (review): the drop grows with baseline pressure
  over the whole range, normotensives included.
- Pescatello et al. (2004), ACSM position stand, Med Sci Sports Exerc 36:533: up to 22 h in
  daily life.
- Carpio-Rivera et al. (2016), Arq Bras Cardiol 106:422; doi:10.5935/abc.20160064: -4.8 /
  -3.2 mmHg over 65 studies; larger with a higher baseline, in men and without medication,
  smaller with age and BMI.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class PehModel:
    """Parameters of post-exercise hypotension; every default names its source.

    Drops are positive numbers of mmHg below the resting value (SBP, DBP pairs).

    normotensive_rest_mmhg, hypertensive_rest_mmhg : the resting pressures at which the two
        published groups are placed: 120/80 (the ACC/AHA normal boundary) and 150/95 (a stage-2
        group typical of the studies). Assumptions: the studies' group means are not used.
    normotensive_drop_mmhg : 9 / 4, the middle of Kenney & Seals' 8-10 / 3-5.
    hypertensive_drop_mmhg : 19 / 9 within Kenney & Seals' 18-20 / 7-9: the SBP midpoint, and
        the DBP value at which Corso's awake ambulatory SBP and DBP are both met with one time
        course (``bench/fit_peh_time_course.py``).
    dose_met, dose_sbp, dose_dbp : the fraction of the full drop by the bout's mean demand
        (MET): 0 at rest (no exercise, no PEH), Corso 2017's ratios at 4 MET (1.6 / 11.4 for
        SBP, 0.5 / 5.6 for DBP), and the full drop from 6 MET (the 6-9 MET group); linear in
        between, constant above.
    full_bout_s : 600 s. MacDonald 2000 found bouts of 10-45 min alike; a shorter bout gives
        a proportionally smaller drop (an assumption).
    female_factor, medication_factor : 0.8 and 0.7, the drop of a woman and of a person on
        antihypertensive medication relative to an unmedicated man. Carpio-Rivera 2016 gives the
        direction; the sizes are assumptions.
    age_decay_per_yr, bmi_decay_per_kg_m2 : the drop shrinks by ``exp(-k x excess)`` for each
        year above 40 (k = 0.01) and each kg m-2 of BMI above 25 (k = 0.02). Direction from
        Carpio-Rivera 2016; sizes and reference values are assumptions.
    nadir_s : 900 s, MacDonald 2000's nadir at about 15 min.
    recovery_tau_s : 38,000 s (10.6 h), fitted so that the mean drop over the 12 h after a
        6-9 MET bout is Corso's awake ambulatory -11.4 / -5.6 for the hypertensive group
        (the 12-h awake window is an assumption); the drop is then still present at 13 h
        (Kenney & Seals) and 22 h (Pescatello 2004) and has faded to a tenth by 24 h.
    onset_tau_s : derived, the onset time constant that puts the nadir at ``nadir_s`` given
        ``recovery_tau_s`` (:func:`onset_tau_for_nadir`): 164.7 s.
    dose : "relative" (default): the dose follows the bout's intensity relative to the person,
        mean VO2 / VO2max (:func:`relative_dose_response`); "met": by absolute MET
        (:func:`corso_dose_response`, the first model, ``PEH_MODELS["corso-2017-met"]``).
    corso_vo2max_met : 10 MET (35 mL kg-1 min-1), where Corso 2017's middle-aged hypertensives
        are placed to turn their MET classes into relative intensities: 4 MET is then 40 % and
        6 MET 60 % of VO2max, Kenney & Seals' threshold and Pescatello 2004's harder bout (an
        assumption: their fitness is not in our sources).
    dose_intensity : the relative intensities of the dose curve's knots, with the fractions of
        ``dose_sbp`` / ``dose_dbp``: 0 up to 30 % VO2max (an assumption below Kenney & Seals'
        "about 40 %"), Corso's 4-MET fraction at 40 %, the full drop from 60 %.
    baseline : "smooth" (default): the drop follows the line through the two groups below the
        normotensive one too, down to none (no clamp below 120/80: MacDonald 2002 and
        Pescatello et al. 2004 find the drop scales with baseline pressure across the whole
        range, normotensives included); "clamped": the same drop for everyone below 120/80
        (the first model). Both hold the hypertensive drop above 150/95, where the groups end.
    tail : "fixed" (default): everyone recovers with ``recovery_tau_s``; "age-pressure": the
        recovery constant lengthens with age above ``tail_age_yr``, weighted by resting SBP
        (:func:`retrosim.physiology.peh_course.recovery_tau`), so the drop lasts longer in
        older hypertensives (Taylor-Tolbert et al. 2000).
    tail_age_yr, tail_age_soft_yr : the age above which the tail lengthens (40 yr, as the
        person factor's) and the width of the smooth corner there (5 yr, an assumption).
    tail_sbp_mmhg : the resting SBPs between which the weight of the lengthening goes from
        little to most, 120 and 150 mmHg (Kenney & Seals' groups, as the drop's): a logistic
        centred between them whose 12 % and 88 % points they are (an assumption on shape).
    tail_per_decade : the lengthening per decade above ``tail_age_yr`` at full weight, a
        share of the constant at 40 (linear in age, so it grows without bound but slowly);
        fitted (``bench/fit_peh_tail.py``) to Taylor-Tolbert et al. 2000.
    tail_recovery_tau_s : the recovery constant of the "age-pressure" tail at 40 yr and full
        weight before lengthening; fitted with ``tail_per_decade`` so that Corso et al. 2017's
        group (41.8 yr, 140.6 mmHg) keeps the "fixed" constant, 38,000 s.

    >>> PehModel().hypertensive_drop_mmhg
    (19.0, 9.0)
    """

    normotensive_rest_mmhg: tuple[float, float] = (120.0, 80.0)
    hypertensive_rest_mmhg: tuple[float, float] = (150.0, 95.0)
    normotensive_drop_mmhg: tuple[float, float] = (9.0, 4.0)
    hypertensive_drop_mmhg: tuple[float, float] = (19.0, 9.0)
    dose_met: tuple[float, ...] = (1.0, 4.0, 6.0)
    dose_sbp: tuple[float, ...] = (0.0, 1.6 / 11.4, 1.0)
    dose_dbp: tuple[float, ...] = (0.0, 0.5 / 5.6, 1.0)
    full_bout_s: float = 600.0
    female_factor: float = 0.8
    medication_factor: float = 0.7
    age_decay_per_yr: float = 0.01
    bmi_decay_per_kg_m2: float = 0.02
    nadir_s: float = 900.0
    recovery_tau_s: float = 38_000.0
    dose: str = "relative"
    corso_vo2max_met: float = 10.0
    dose_intensity: tuple[float, ...] = (0.30, 0.40, 0.60)
    baseline: str = "smooth"
    tail: str = "fixed"
    tail_age_yr: float = 40.0
    tail_age_soft_yr: float = 5.0
    tail_sbp_mmhg: tuple[float, float] = (120.0, 150.0)
    tail_per_decade: float = 0.0
    tail_recovery_tau_s: float = 38_000.0

    @functools.cached_property
    def onset_tau_s(self) -> float:
        """Onset time constant [s] that puts the nadir at ``nadir_s``."""
        return onset_tau_for_nadir(self.nadir_s, self.recovery_tau_s)


#: The model retrosim uses unless told otherwise.
PEH = PehModel()


def kenney_seals_drop(sbp_rest: ArrayLike, dbp_rest: ArrayLike,
                      model: PehModel = PEH) -> tuple[np.ndarray, np.ndarray]:
    """Full-dose PEH at the nadir by resting pressure, mmHg below rest (SBP, DBP).

    Linear between the normotensive and hypertensive groups of Kenney & Seals (1993), placed
    at 120/80 and 150/95, and constant above them. Below 120/80 the line goes on down to no
    drop (``model.baseline == "smooth"``, MacDonald 2002) or stays at the normotensive drop
    (``"clamped"``). Never smaller for a higher resting pressure.

    Parameters
    ----------
    sbp_rest, dbp_rest : array_like
        Seated resting pressure [mmHg].
    model : PehModel, optional
        The model's constants.

    Returns
    -------
    tuple of numpy.ndarray
        (sbp_drop, dbp_drop) [mmHg], for an unmedicated man of 40 with a BMI of 25 after a
        bout of 6 MET or more lasting 10 min or more.

    References
    ----------
    Kenney & Seals 1993, Hypertension 22:653; the group placement is an assumption.

    Examples
    --------
    >>> [d.round(2).tolist() for d in kenney_seals_drop([120, 135, 150, 170], [80, 85, 95, 105])]
    [[9.0, 14.0, 19.0, 19.0], [4.0, 5.67, 9.0, 9.0]]
    >>> [d.round(2).tolist() for d in kenney_seals_drop([105, 90], [70, 60])]
    [[4.0, 0.0], [0.67, 0.0]]
    """
    (s0, d0), (s1, d1) = model.normotensive_rest_mmhg, model.hypertensive_rest_mmhg
    (a0, b0), (a1, b1) = model.normotensive_drop_mmhg, model.hypertensive_drop_mmhg
    sbp, dbp = np.asarray(sbp_rest, dtype=float), np.asarray(dbp_rest, dtype=float)
    if model.baseline == "clamped":
        return np.interp(sbp, [s0, s1], [a0, a1]), np.interp(dbp, [d0, d1], [b0, b1])
    return (np.clip(a0 + (a1 - a0) * (sbp - s0) / (s1 - s0), 0.0, a1),
            np.clip(b0 + (b1 - b0) * (dbp - d0) / (d1 - d0), 0.0, b1))


def corso_dose_response(met: ArrayLike, model: PehModel = PEH) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of the full PEH after a bout of this mean demand (SBP, DBP), 0-1.

    Corso et al. (2017): after 4 MET, -1.6 / -0.5 mmHg; after 6-9 MET, -11.4 / -5.6 mmHg
    (hypertensives, awake ambulatory). Their ratios are the fractions at 4 MET; 1 from 6 MET;
    0 at rest; linear in between.

    Parameters
    ----------
    met : array_like
        The bout's time-averaged demand [MET].
    model : PehModel, optional
        The model's constants.

    References
    ----------
    Corso et al. 2017, Med Sci Sports Exerc 49(5S); doi:10.1249/01.mss.0000519263.21081.af.

    Examples
    --------
    >>> [f.round(3).tolist() for f in corso_dose_response([1.0, 4.0, 5.0, 7.5])]
    [[0.0, 0.14, 0.57, 1.0], [0.0, 0.089, 0.545, 1.0]]
    """
    m = np.asarray(met, dtype=float)
    return (np.interp(m, model.dose_met, model.dose_sbp),
            np.interp(m, model.dose_met, model.dose_dbp))


def relative_dose_response(intensity_frac: ArrayLike, model: PehModel = PEH
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of the full PEH after a bout of this relative intensity (SBP, DBP), 0-1.

    Kenney & Seals 1993: PEH follows large-muscle exercise above about 40 % of peak aerobic
    capacity; Pescatello et al. 2004: 40 % and 60 % VO2max both produce it, more after 60 %
    over 5 h. Corso et al. 2017's MET classes were measured in middle-aged hypertensives; placed
    at a VO2max of 10 MET they become 40 % (4 MET: 1.6 / 11.4 of the full SBP drop) and 60 %
    (6 MET and more: all of it). 0 up to 30 % VO2max; linear between the knots, 1 above.
    For a very old or unfit person a slow walk is a high relative intensity, and gets PEH.

    Parameters
    ----------
    intensity_frac : array_like
        The bout's mean VO2 / VO2max [-].
    model : PehModel, optional
        The model's constants.

    References
    ----------
    Kenney & Seals (1993) Hypertension; Pescatello LS et al. (2004) J Hypertens 22:1881;
    Corso et al. (2017) Med Sci Sports Exerc.

    Examples
    --------
    >>> [f.round(3).tolist() for f in relative_dose_response([0.3, 0.35, 0.4, 0.5, 0.6])]
    [[0.0, 0.07, 0.14, 0.57, 1.0], [0.0, 0.045, 0.089, 0.545, 1.0]]
    """
    i = np.asarray(intensity_frac, dtype=float)
    xs = model.dose_intensity
    return (np.interp(i, xs, model.dose_sbp), np.interp(i, xs, model.dose_dbp))


def bout_length_factor(walking_s: ArrayLike, model: PehModel = PEH) -> np.ndarray:
    """Fraction of the full PEH after a bout of this length, 0-1.

    Bouts of 10-45 min give similar PEH (MacDonald et al. 2000); shorter bouts scale in
    proportion to their length (an assumption).

    Parameters
    ----------
    walking_s : array_like
        Time spent walking in the bout [s].
    model : PehModel, optional
        The model's constants.

    References
    ----------
    MacDonald et al. 2000, J Hum Hypertens 14:125: bouts of 10-45 min alike.

    Examples
    --------
    >>> bout_length_factor([0.0, 300.0, 600.0, 2700.0]).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    return np.clip(np.asarray(walking_s, dtype=float) / model.full_bout_s, 0.0, 1.0)


def person_factor(female: ArrayLike, age_yr: ArrayLike, bmi_kg_m2: ArrayLike,
                  medication: ArrayLike, model: PehModel = PEH) -> np.ndarray:
    """Relative size of a person's PEH: 1 for an unmedicated man of 40 or younger, BMI <= 25.

    ``f = (0.8 if female) x (0.7 if medicated) x exp(-0.01 (age - 40)+) x exp(-0.02 (BMI -
    25)+)``. Larger in men and without medication, smaller with age and BMI (Carpio-Rivera et
    al. 2016); the sizes are assumptions (:class:`PehModel`).

    Parameters
    ----------
    female : array_like of bool
        True for a woman.
    age_yr : array_like
        Age [yr].
    bmi_kg_m2 : array_like
        Body mass index [kg m-2].
    medication : array_like of bool
        Takes antihypertensive medication.
    model : PehModel, optional
        The model's constants.

    References
    ----------
    Carpio-Rivera et al. 2016, Arq Bras Cardiol 106:422: directions only.

    Examples
    --------
    >>> person_factor([False, True, False], [40, 40, 50], [25, 25, 30], [False, True, False]
    ...               ).round(3).tolist()
    [1.0, 0.56, 0.819]
    """
    age_excess = np.maximum(np.asarray(age_yr, dtype=float) - 40.0, 0.0)
    bmi_excess = np.maximum(np.asarray(bmi_kg_m2, dtype=float) - 25.0, 0.0)
    return (np.where(np.asarray(female, dtype=bool), model.female_factor, 1.0)
            * np.where(np.asarray(medication, dtype=bool), model.medication_factor, 1.0)
            * np.exp(-model.age_decay_per_yr * age_excess - model.bmi_decay_per_kg_m2 * bmi_excess))


def peh_drop_at_nadir(sbp_rest: ArrayLike, dbp_rest: ArrayLike, met: ArrayLike,
                      walking_s: ArrayLike, person: ArrayLike,
                      model: PehModel = PEH, vo2max_met: ArrayLike | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The drop below resting pressure at the nadir after one bout, mmHg (SBP, DBP).

    The product of :func:`kenney_seals_drop` (resting pressure), the dose
    (:func:`relative_dose_response` of ``met / vo2max_met``, or with ``model.dose == "met"``
    :func:`corso_dose_response` of the MET), :func:`bout_length_factor` and
    :func:`person_factor`.

    Parameters
    ----------
    sbp_rest, dbp_rest : array_like
        Seated resting pressure [mmHg].
    met : array_like
        The bout's mean demand [MET].
    walking_s : array_like
        The bout's length [s].
    person : array_like
        :func:`person_factor` [-].
    model : PehModel, optional
        The model's constants.
    vo2max_met : array_like, optional
        The person's VO2max in MET (VO2max over the VO2 of 1 MET); default
        ``model.corso_vo2max_met``, Corso's group.

    References
    ----------
    Kenney & Seals 1993; Corso et al. 2017; MacDonald et al. 2000; Carpio-Rivera et al. 2016
    (docs/references.md).

    Examples
    --------
    >>> [d.round(2).tolist() for d in peh_drop_at_nadir(150, 95, 7.0, 1800, 1.0)]
    [19.0, 9.0]
    """
    sbp, dbp = kenney_seals_drop(sbp_rest, dbp_rest, model)
    if model.dose == "met":
        f_sbp, f_dbp = corso_dose_response(met, model)
    else:
        top = model.corso_vo2max_met if vo2max_met is None else np.asarray(vo2max_met, float)
        f_sbp, f_dbp = relative_dose_response(np.asarray(met, dtype=float) / top, model)
    common = bout_length_factor(walking_s, model) * np.asarray(person, dtype=float)
    return sbp * f_sbp * common, dbp * f_dbp * common


def onset_tau_for_nadir(nadir_s: float, recovery_tau_s: ArrayLike) -> Any:
    """The onset time constant that puts the nadir of the PEH shape at ``nadir_s`` [s].

    The shape ``exp(-t/r) - exp(-t/o)`` peaks at ``t* = o r ln(r/o) / (r - o)``. With
    ``x = o/r`` and ``c = t*/r``, ``t* = nadir_s`` reads ``x (ln x - c) = -c``, whose root
    below 1 is ``x = exp(c + W(-c exp(-c)))`` on the lower branch ``W_-1`` of Lambert's W
    (Corless et al. 1996): here by Newton's method on ``w + ln(-w) = ln(c) - c`` from the
    branch's asymptotic series, to the last bit (a float for a float; element by element for
    an array of recovery constants, each longer than ``nadir_s``).

    References
    ----------
    MacDonald et al. 2000, J Hum Hypertens 14:125: nadir about 15 min after exercise.
    Corless RM, Gonnet GH, Hare DEG, Jeffrey DJ, Knuth DE (1996). On the Lambert W function.
    Adv Comput Math 5:329-359. doi:10.1007/BF02124750.

    Examples
    --------
    >>> round(onset_tau_for_nadir(900.0, 38_000.0), 1)
    164.7
    >>> onset_tau_for_nadir(900.0, np.array([38_000.0, 68_000.0])).round(1).tolist()
    [164.7, 146.2]
    """
    r = np.asarray(recovery_tau_s, dtype=float)
    c = float(nadir_s) / r
    if not np.all(c < 1.0):
        raise ValueError(f"a PEH recovery constant must be longer than its nadir time "
                         f"({nadir_s:g} s)")
    target = np.log(c) - c                        # ln(-z), z = -c exp(-c)
    ln_w = np.log(-target)
    w = target - ln_w + ln_w / target             # W_-1's asymptotic series (Corless 1996)
    for _ in range(50):
        step = (w + np.log(-w) - target) / (1.0 + 1.0 / w)
        w = w - step
        if np.all(np.abs(step) <= 4.0 * np.finfo(float).eps * np.abs(w)):
            break
    out = r * np.exp(c + w)
    return float(out) if out.ndim == 0 else out
