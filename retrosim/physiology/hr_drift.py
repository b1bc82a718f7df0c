"""Cardiovascular drift: the slow rise of heart rate over a bout at constant work.

During constant submaximal work heart rate keeps rising after its fast on-response while
stroke volume falls and cardiac output holds (Coyle & González-Alonso 2001, a review: from
about the 10th minute at 50-75 % VO2max). Teso et al. 2025 measured this slow component of
heart rate (scHR, the slope of a line fitted from the 5th to the 9th minute) in 66 adults in
six constant bouts each and give it as a linear equation in the intensity relative to the
respiratory compensation point (RCP), age and sex; it is larger at higher intensity, smaller
with age and in women.

``teso-2025`` enters the heart-rate target as a term that grows linearly with time in the
bout (``rate x time``), so a target linear between knots stays linear and every interval of
the first-order heart rate stays an exact closed-form step. It is not capped at HRmax: a cap
would put a corner in the target inside an interval at a time of each subject's own, where
the closed form needs a knot.

``teso-saturating`` starts at Teso's rate and slows over a long bout: the
drift is a first-order state with the time constant ``T`` (:data:`SATURATING_TAU_MIN`)
towards a ceiling ``T x rate`` (:func:`saturating_ceiling`), never above the headroom
between the target before drift and HRmax, zero while the belt stands (the drift then fades
with the same ``T``). Over a bout at constant work from rest the drift is
``rate T (1 - exp(-t/T))``: its slope at the start is Teso's rate and it approaches its
ceiling. Coyle & González-Alonso 2001 give heart rate rising about 10-15 % from the 10th to
the 60th minute at 60-75 % VO2max (more in the heat or dehydrated); ``T`` is set so that a
30-year-old man at 65 % VO2max (Teso's rate 1.38 bpm min-1) gains 12.5 % (the middle) of a
145-bpm heart rate (18.1 bpm) from the 10th to the 60th minute: ``T`` = 23 min, a
calibration to that review's range, not to any held-out row. The solve is in
:mod:`retrosim.solve.drift`.

References
----------
- Teso M, Colosio AL, Loi M, Boone J, Pogliaghi S (2025). Predicting heart rate slow
  component dynamics: a model across exercise intensities, age, and sex. Sports 13(2):45;
  doi:10.3390/sports13020045 (abstract read: the equation and its SEE, 0.61 bpm min-1).
- Teso M, Colosio AL, Pogliaghi S (2022). An intensity-dependent slow component of HR
  interferes with accurate exercise implementation in postmenopausal women. Med Sci Sports
  Exerc 54:655-664; doi:10.1249/MSS.0000000000002835 (abstract read: a slow component in
  every intensity domain, linear in %RCP).
- Coyle EF, González-Alonso J (2001). Cardiovascular drift during prolonged exercise: new
  perspectives. Exerc Sport Sci Rev 29:88-92 (introduction read: the onset and the range).
- Lafrenz AJ, Wingo JE, Ganio MS, Cureton KJ (2008). Effect of ambient temperature on
  cardiovascular drift and maximal oxygen uptake. Med Sci Sports Exerc 40:1065-1071 (abstract
  read: +2 % from the 15th to the 45th minute, cool and hydrated; the held-out validation row,
  ``retrosim.validation.person.hr_drift_rows``).
- Colakoglu M, Ozkaya O, Balci GA (2018). Moderate intensity intermittent exercise modality
  may prevent cardiovascular drift. Sports 6(3):98; doi:10.3390/sports6030098 (abstract read;
  a second held-out comparison, in docs/models/heart.md).
- Full entries: docs/references.md (teso-2025, teso-2022, coyle-2001, lafrenz-2008,
  colakoglu-2018).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology.registry import Model

#: Teso et al. 2025, the scHR equation [bpm min-1]: intercept, per % of the RCP's intensity,
#: per year of age, for women (men 0, women 1).
TESO_2025 = (-0.0514, 0.0240, -0.0172, -0.347)
#: The saturating drift's time constant [min] (module docstring: from Coyle & González-Alonso
#: 2001's 10-15 % rise from the 10th to the 60th minute at 60-75 % VO2max; a calibration).
SATURATING_TAU_MIN = 23.0
#: The RCP as a fraction of VO2max: an assumption (the RCP lies between the gas-exchange
#: threshold and VO2max; 80 % is a middle value for healthy adults, not from Teso et al.).
RCP_FRACTION_OF_VO2MAX = 0.80


def teso_2025_rate(fraction_vo2max: ArrayLike, age_yr: ArrayLike, female: ArrayLike
                   ) -> np.ndarray:
    """Rate of the slow rise of heart rate at constant work [bpm min-1], never negative.

    ``scHR = -0.0514 + 0.0240 %RCP - 0.0172 age - 0.347 female`` (Teso et al. 2025), with
    ``%RCP = 100 x (VO2 / VO2max) / 0.80`` (the RCP at 80 % of VO2max, an assumption); below
    the intensity where the line crosses zero there is no drift.

    Parameters
    ----------
    fraction_vo2max : array_like
        Steady-state uptake over VO2max [-].
    age_yr : array_like
        Age [yr].
    female : array_like of bool
        Sex.

    Returns
    -------
    numpy.ndarray
        scHR [bpm min-1].

    Examples
    --------
    >>> teso_2025_rate([0.6, 0.6, 0.3], [35.0, 54.0, 35.0], [False, True, False]).round(3)
    array([1.147, 0.473, 0.247])
    """
    a, per_rcp, per_year, per_female = TESO_2025
    rcp_pct = 100.0 * np.asarray(fraction_vo2max, dtype=float) / RCP_FRACTION_OF_VO2MAX
    rate = (a + per_rcp * rcp_pct + per_year * np.asarray(age_yr, dtype=float)
            + per_female * np.asarray(female, dtype=float))
    return np.maximum(rate, 0.0)


def teso_saturating_rate(fraction_vo2max: ArrayLike, age_yr: ArrayLike, female: ArrayLike
                         ) -> np.ndarray:
    """The saturating drift's rate at the start of a bout [bpm min-1]: Teso et al. 2025's
    (:func:`teso_2025_rate`); the ceiling it approaches is :func:`saturating_ceiling`.

    >>> bool((teso_saturating_rate(0.6, 35.0, False) == teso_2025_rate(0.6, 35.0, False)).all())
    True
    """
    return teso_2025_rate(fraction_vo2max, age_yr, female)


def saturating_ceiling(rate_per_min: ArrayLike, base: ArrayLike, hr_max: ArrayLike,
                       moving: ArrayLike) -> np.ndarray:
    """The ceiling the saturating drift approaches [bpm]: ``T x rate`` while the belt moves,
    never above the headroom ``HRmax - base`` (``base`` the heart-rate target before drift)
    nor below zero, zero while the belt stands.

    >>> saturating_ceiling([1.0, 1.0, 1.0], [120.0, 180.0, 120.0], 190.0,
    ...                    [True, True, False]).tolist()
    [23.0, 10.0, 0.0]
    """
    room = np.maximum(np.asarray(hr_max, dtype=float) - np.asarray(base, dtype=float), 0.0)
    ceiling = np.minimum(SATURATING_TAU_MIN * np.asarray(rate_per_min, dtype=float), room)
    return np.where(moving, ceiling, 0.0)


def drift_at_knots(t: np.ndarray, rate_per_min: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """The drift term of the heart-rate target at each knot [bpm], (K, N).

    The drift starts at zero with each bout and grows by the trapezoid of its rate between
    knots (exact where the rate is constant, as over a stage of constant work); a knot where
    the belt stands ends the bout and sets it back to zero. ``t`` is (K, S), ``rate_per_min``
    (K, N) [bpm min-1] and ``moving`` (K, S) bool.

    >>> drift_at_knots(np.array([[0.0], [600.0], [1800.0], [1810.0]]),
    ...                np.array([[1.0], [1.0], [1.0], [0.0]]),
    ...                np.array([[True], [True], [True], [False]])).ravel().tolist()
    [0.0, 10.0, 30.0, 0.0]
    """
    out = np.zeros_like(rate_per_min + t, dtype=float)
    dt_min = np.diff(t, axis=0) / 60.0
    for i in range(len(out) - 1):
        grown = out[i] + 0.5 * dt_min[i] * (rate_per_min[i] + rate_per_min[i + 1])
        out[i + 1] = np.where(moving[i + 1], grown, 0.0)
    return out


def none(fraction_vo2max: ArrayLike, age_yr: ArrayLike, female: ArrayLike) -> None:
    """No drift (the first model): the heart-rate target is set by the work alone.

    >>> none(0.6, 35.0, False) is None
    True
    """
    return None


#: Drift of heart rate by name (``[energy] hr_drift``):
#: ``(fraction_vo2max, age_yr, female) -> rate [bpm min-1]`` or None (no drift).
HR_DRIFT_MODELS: dict[str, Model] = {
    "none": Model(
        none, ("Lafrenz AJ, Wingo JE, Ganio MS, Cureton KJ (2008) Med Sci Sports Exerc "
               "40:1065-1071",),
        "no drift: at constant work the heart-rate target is constant (the first model)",
        "Heart rate settles at its target and stays there however long the bout; measured "
        "heart rate keeps rising at constant work (Coyle & González-Alonso 2001), little in "
        "cool hydrated bouts (Lafrenz et al. 2008: 2 % over 30 min) and more in the heat or "
        "after dehydration, which the model has no input for."),
    "teso-2025": Model(
        teso_2025_rate,
        ("Teso M, Colosio AL, Loi M, Boone J, Pogliaghi S (2025) Sports 13:45",
         "Teso M, Colosio AL, Pogliaghi S (2022) Med Sci Sports Exerc 54:655-664",
         "Coyle EF, González-Alonso J (2001) Exerc Sport Sci Rev 29:88-92"),
        "heart rate rises linearly through each bout at a rate set by intensity relative to "
        "the RCP, age and sex (Teso et al. 2025); back to zero when the belt stops",
        "The rate was fitted from the 5th to the 9th minute of cycling bouts; the model "
        "applies it from the start of the bout and keeps it constant however long the bout, "
        "where the rise slows over longer bouts: a 30-min bout's rise may be overstated. "
        "Held out, it gives a 24 % rise from the 15th to the 45th minute where Lafrenz et "
        "al. 2008 measured 2 % (cool, hydrated, trained men). The RCP is taken at 80 % of "
        "VO2max (an assumption); the drifting target is not capped at HRmax; the drift ends "
        "when the belt stops, where it fades over minutes in life. Not capped at HRmax: a cap "
        "would put a corner inside an interval at each subject's own time, where the exact "
        "solve needs a knot; use teso-saturating for a bounded drift."),
    "teso-saturating": Model(
        teso_saturating_rate,
        ("Teso M, Colosio AL, Loi M, Boone J, Pogliaghi S (2025) Sports 13:45",
         "Coyle EF, González-Alonso J (2001) Exerc Sport Sci Rev 29:88-92"),
        "heart rate drifts at Teso et al. 2025's rate at the start of a bout and approaches "
        "a ceiling (23 min x that rate, never above HRmax) with a 23-min time constant, so "
        "that it rises 10-15 % from the 10th to the 60th minute at 60-75 % VO2max (Coyle & "
        "González-Alonso 2001); it fades with the same constant after the belt stops",
        "The time constant is a calibration to a review's range for moderate exercise in "
        "neutral conditions, at one age and intensity; the model has no input for heat, "
        "hydration or fitness, which move the drift (Lafrenz et al. 2008 measured 2 % from "
        "the 15th to the 45th minute cool and hydrated, where the model gives more). The "
        "drift adds to heart rate without its fast kinetics (its 23-min constant is 20-50 "
        "times theirs). The RCP is taken at 80 % of VO2max (an assumption)."),
}
#: The default: no drift. ``teso-saturating`` is bounded and within the reviews' range but
#: costs the engine a third of its session throughput (the exact peak of a heart rate that is
#: the sum of two exponentials needs a root search) and overstates the held-out cool, hydrated
#: bout (Lafrenz et al. 2008), so it is chosen by name.
DEFAULT_HR_DRIFT_MODEL = "none"
