"""EPOC as a rapid and a prolonged component, each on its published time course.

After a bout, oxygen uptake returns to rest in three parts. The first-order off-kinetics
(:func:`retrosim.physiology.oxygen.epoc`, the VO2 time constant of the engine) repay the O2
deficit within minutes. The rest of the *rapid* component (lactate removal, temperature,
phosphocreatine) is repaid within the hour; a *prolonged* component, small after moderate
exercise, lasts hours after long hard bouts (Børsheim & Bahr 2003). The ``two-component``
model adds the two to the off-kinetics after each bout, each with volume V and time constant
tau, shaped like :func:`retrosim.physiology.oxygen.epoc_slow_uptake`::

    V_rapid = R70 (I / 0.70) min(D / 5 min, 1)            tau_rapid = d(I, sex, VO2max) / 3
    V_prolonged = S70 ((I - 0.50)+ / 0.20)^2 (D - D0)+    tau_prolonged = 12 h / 3

with I the bout's mean VO2 / VO2max and D its walking minutes.

- The rapid component is in proportion to the intensity and does not grow with duration
  (Hagberg et al. 1980: 50-80 % VO2max, 5 and 20 min). It is in mL kg-1 at a relative
  intensity, not a share of the O2 cost: at 70 % VO2max trained and untrained people repay the
  same EPOC, the trained faster (Short & Sedlock 1997: 3.2 and 3.5 L in 40 and 50 min, VO2peak
  53.3 and 37.4 mL kg-1 min-1). ``R70`` = 36 mL kg-1 is their 3.35 L at an assumed 70 kg
  (47.9 mL kg-1) less the off-kinetics of their groups at retrosim's VO2 time constants
  (15 mL kg-1 untrained at 39 s, 8.5 trained at 15 s; mean 11.7). Bouts shorter than
  5 min get a proportional share (an assumption).
- Its duration d is Smith & McNaughton 1993's by intensity and sex, shortened with fitness in
  Short & Sedlock's ratio (50 -> 40 min from VO2peak 37.4 to 53.3, linear, constant outside;
  Smith & McNaughton's moderately trained subjects are placed at the untrained end, an
  assumption); tau is a third of it (within 5 % of the start after 3 tau, as the ``slow``
  model).
- The prolonged component needs a hard and long bout: none below 50 % VO2max (LaForgia et al.
  2006: a prolonged EPOC after >= 50 min at >= 70 %; Hagberg et al. 1980: no slow-component
  change at 50 and 65 %), and it grows with duration beyond D0. ``S70`` = 1.8 mL kg-1 per min
  and D0 = 31 min are the values that give Bahr et al. 1987's 12-h EPOC ratios (40 / 20 min:
  6.8 / 5.1 L; 80 / 20 min: 14.4 / 5.1 L at 70 % VO2max) over a rapid component and
  off-kinetics of 48 mL kg-1. The square above 50 % is an assumption for "curvilinear in
  intensity, more than in duration" (Børsheim & Bahr 2003). Bahr et al. found the raised
  uptake for 12 h and not at 24 h: tau = 4 h (12 h as 3 tau, an assumption).

The ``intensity-duration`` model (the default) keeps the rapid component's form and time
constant and lets the prolonged one grow in proportion to the walking minutes from the first
one, above a lower intensity::

    V_rapid = R (I / 0.70) min(D / 5 min, 1)              tau_rapid = d(I, sex, VO2max) / 3
    V_prolonged = S ((I - 0.40)+ / 0.30)^2 D              tau_prolonged = 4 h

- Linear in duration from the start: Bahr et al. 1987 found the O2 uptake raised for 12 h
  after 20, 40 and 80 min alike and the 12-h EPOC "proportional to exercise duration";
  Børsheim & Bahr 2003: linear in duration at higher intensities, curvilinear in intensity,
  the duration effect appearing at about 50-60 % VO2max. The square above 40 % puts a ninth of
  the 70 % slope at 50 % and four ninths at 60 % (an assumption for that onset).
- ``R`` = 24 and ``S`` = 2.2 mL kg-1 (per min for S) are the least-squares fit, each residual
  over its SD, to Short & Sedlock 1997's EPOC after 30 min at 70 % VO2peak (3.5 and 3.2 L,
  within their measured 50 and 40 min) and Bahr et al. 1987's 12-h EPOC after 20, 40 and 80
  min at 70 % (5.1 +/- 1.2, 6.8 +/- 1.7, 14.4 +/- 1.2 L), all at an assumed 70 kg.
- Chad & Wenger 1988 (30, 45 and 60 min at 70 %, two men and three women) found EPOC 2.35 and
  5.3 times larger after 45 and 60 min than after 30: steeper than linear; the model gives
  1.3 and 1.6.

Between-person variation scales both volumes (``epoc_scale``).

References
----------
- Børsheim E, Bahr R (2003) Sports Med 33(14):1037-1060, doi:10.2165/00007256-200333140-00002.
- Hagberg JM, Mullin JP, Nagle FJ (1980) J Appl Physiol 48(3):540-544 (pages recalled).
- Short KR, Sedlock DA (1997) J Appl Physiol 83(1):153-159.
- Smith J, McNaughton L (1993) Eur J Appl Physiol 67:420-425 (PubMed 8299613).
- Bahr R, Ingnes I, Vaage O, Sejersted OM, Newsholme EA (1987) J Appl Physiol 62(2):485-490.
- LaForgia J, Withers RT, Gore CJ (2006) J Sports Sci 24(12):1247-1264,
  doi:10.1080/02640410600552064.
- Chad KE, Wenger HA (1988) Can J Sport Sci 13(4):204-207 (PubMed 3219667).
- Full entries: docs/references.md.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology import oxygen
from retrosim.physiology.registry import Model

REFERENCES = (
    "Borsheim E, Bahr R (2003) Sports Med 33:1037 (rapid and prolonged EPOC)",
    "Hagberg JM et al. (1980) J Appl Physiol 48:540 (rapid component by intensity, not "
    "duration)",
    "Short KR, Sedlock DA (1997) J Appl Physiol 83:153 (EPOC of trained and untrained people)",
    "Smith J, McNaughton L (1993) Eur J Appl Physiol 67:420 (EPOC duration by intensity, sex)",
    "Bahr R et al. (1987) J Appl Physiol 62:485 (12-h EPOC by duration)",
)

#: Rapid component at 70 % VO2max beyond the first-order off-kinetics [mL kg-1]: Short &
#: Sedlock 1997's 3.35 L at an assumed 70 kg, less their groups' off-kinetics (module
#: docstring).
SHORT_SEDLOCK_1997 = {"vo2peak": (37.4, 53.3), "epoc_l": (3.5, 3.2), "minutes": (50.0, 40.0)}
REFERENCE_MASS_KG = 70.0
RAPID_AT_70_ML_KG = 36.0
#: Bouts shorter than this get a proportional share of the rapid component [min].
RAPID_FULL_MIN = 5.0
#: Prolonged component: mL kg-1 per minute beyond D0 at 70 % VO2max, D0 [min], the intensity
#: below which there is none, and its time constant [s] (module docstring).
PROLONGED_SLOPE_ML_KG_MIN = 1.8
PROLONGED_ONSET_MIN = 31.0
PROLONGED_THRESHOLD = 0.50
PROLONGED_TAU_S = 4.0 * 3600.0
#: The ``intensity-duration`` model: its rapid component at 70 % VO2max [mL kg-1], its
#: prolonged component per walking minute at 70 % [mL kg-1 min-1] and the intensity below which
#: there is none (module docstring).
LINEAR_RAPID_AT_70_ML_KG = 24.0
LINEAR_SLOPE_ML_KG_MIN = 2.2
LINEAR_THRESHOLD = 0.40


def rapid_volume(intensity_frac: ArrayLike, minutes: ArrayLike) -> np.ndarray:
    """The rapid component beyond the off-kinetics [mL kg-1]: in proportion to intensity,
    not to duration (Hagberg et al. 1980), 36 mL kg-1 at 70 % VO2max (Short & Sedlock 1997).

    Examples
    --------
    >>> rapid_volume([0.35, 0.7, 0.7, 0.7], [30, 30, 90, 2.5]).round(1).tolist()
    [18.0, 36.0, 36.0, 18.0]
    """
    i = np.clip(np.asarray(intensity_frac, dtype=float), 0.0, 1.0)
    share = np.clip(np.asarray(minutes, dtype=float) / RAPID_FULL_MIN, 0.0, 1.0)
    return RAPID_AT_70_ML_KG * i / 0.70 * share


def rapid_tau_s(intensity_frac: ArrayLike, female: ArrayLike, vo2max: ArrayLike) -> np.ndarray:
    """Time constant of the rapid component [s]: a third of Smith & McNaughton 1993's EPOC
    duration by intensity and sex, times Short & Sedlock 1997's ratio for fitness (1 at a
    VO2peak of 37.4, 0.8 at 53.3 mL kg-1 min-1, linear between, constant outside).

    Examples
    --------
    >>> (rapid_tau_s(0.7, False, [37.4, 53.3]) / 60).round(2).tolist()
    [16.0, 12.8]
    """
    d = SHORT_SEDLOCK_1997
    factor = np.interp(np.asarray(vo2max, dtype=float), d["vo2peak"],
                       (1.0, d["minutes"][1] / d["minutes"][0]))
    return oxygen.epoc_slow_tau_s(intensity_frac, female) * factor


def prolonged_volume(intensity_frac: ArrayLike, minutes: ArrayLike) -> np.ndarray:
    """The prolonged component [mL kg-1]: none below 50 % VO2max or before 31 min, then
    1.8 mL kg-1 per minute at 70 %, rising with the square of the intensity above 50 %.

    Examples
    --------
    >>> prolonged_volume([0.45, 0.7, 0.7, 0.8], [80, 20, 80, 80]).round(1).tolist()
    [0.0, 0.0, 88.2, 198.5]
    """
    i = np.clip(np.asarray(intensity_frac, dtype=float), 0.0, 1.0)
    over = np.maximum(i - PROLONGED_THRESHOLD, 0.0) / (0.70 - PROLONGED_THRESHOLD)
    beyond = np.maximum(np.asarray(minutes, dtype=float) - PROLONGED_ONSET_MIN, 0.0)
    return PROLONGED_SLOPE_ML_KG_MIN * over ** 2 * beyond


def two_component(intensity_frac: ArrayLike, minutes: ArrayLike, female: ArrayLike,
                  vo2max: ArrayLike, o2_cost_ml_kg: ArrayLike | None = None
                  ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The rapid and prolonged components after a bout: ((V_rapid, tau_rapid),
    (V_prolonged, tau_prolonged)), volumes [mL kg-1] and time constants [s].

    Parameters
    ----------
    intensity_frac : array_like
        The bout's mean VO2 / VO2max [-].
    minutes : array_like
        The bout's walking time [min].
    female : array_like of bool
        True for a woman.
    vo2max : array_like
        VO2max [mL kg-1 min-1].
    o2_cost_ml_kg : array_like, optional
        The bout's O2 cost [mL kg-1]; unused (the rapid component is set by intensity, not
        cost), taken so that every entry of :data:`EPOC_MODELS` is called alike.

    Examples
    --------
    30 min at 70 % VO2max, an untrained man: the rapid component only, repaid within the hour.

    >>> (vr, tr), (vp, tp) = two_component(0.7, 30.0, False, 37.4)
    >>> float(vr), round(float(tr) / 60, 1), float(vp), float(tp) / 3600
    (36.0, 16.0, 0.0, 4.0)
    """
    i = np.asarray(intensity_frac, dtype=float)
    prolonged = prolonged_volume(i, minutes)
    return ((rapid_volume(i, minutes), rapid_tau_s(i, female, vo2max)),
            (prolonged, np.full(prolonged.shape, PROLONGED_TAU_S)))


def prolonged_linear_volume(intensity_frac: ArrayLike, minutes: ArrayLike) -> np.ndarray:
    """The ``intensity-duration`` model's prolonged component [mL kg-1]: in proportion to the
    walking minutes from the first (Bahr et al. 1987), 2.2 mL kg-1 per minute at 70 % VO2max,
    with the square of the intensity above 40 % (Børsheim & Bahr 2003), none below.

    Examples
    --------
    >>> prolonged_linear_volume([0.35, 0.5, 0.7, 0.7, 0.8], [80, 80, 20, 80, 80]).round(1).tolist()
    [0.0, 19.6, 44.0, 176.0, 312.9]
    """
    i = np.clip(np.asarray(intensity_frac, dtype=float), 0.0, 1.0)
    over = np.maximum(i - LINEAR_THRESHOLD, 0.0) / (0.70 - LINEAR_THRESHOLD)
    return LINEAR_SLOPE_ML_KG_MIN * over ** 2 * np.maximum(np.asarray(minutes, dtype=float), 0.0)


def intensity_duration(intensity_frac: ArrayLike, minutes: ArrayLike, female: ArrayLike,
                       vo2max: ArrayLike, o2_cost_ml_kg: ArrayLike | None = None
                       ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The rapid and prolonged components of the ``intensity-duration`` model:
    ((V_rapid, tau_rapid), (V_prolonged, tau_prolonged)), volumes [mL kg-1] and time constants
    [s]. The rapid one is :func:`rapid_volume`'s form at 24 mL kg-1 for 70 % VO2max with
    :func:`rapid_tau_s`; the prolonged one :func:`prolonged_linear_volume`, repaid with 4 h.

    Parameters as :func:`two_component` (``o2_cost_ml_kg`` unused).

    Examples
    --------
    20 and 80 min at 70 % VO2max, an untrained man: the same rapid component, four times the
    prolonged one.

    >>> (vr, tr), (vp, tp) = intensity_duration(0.7, [20.0, 80.0], False, 37.4)
    >>> vr.tolist(), (tr / 60).round(1).tolist(), vp.round(1).tolist(), (tp / 3600).tolist()
    ([24.0, 24.0], [16.0, 16.0], [44.0, 176.0], [4.0, 4.0])
    """
    i = np.asarray(intensity_frac, dtype=float)
    rapid = rapid_volume(i, minutes) * (LINEAR_RAPID_AT_70_ML_KG / RAPID_AT_70_ML_KG)
    prolonged = prolonged_linear_volume(i, minutes)
    tau = np.broadcast_to(rapid_tau_s(i, female, vo2max), prolonged.shape)
    return ((rapid, tau), (prolonged, np.full(prolonged.shape, PROLONGED_TAU_S)))


def slow(intensity_frac: ArrayLike, minutes: ArrayLike, female: ArrayLike, vo2max: ArrayLike,
         o2_cost_ml_kg: ArrayLike | None = None) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """One slow component after a bout, ((V, tau),): a share of its O2 cost
    (:func:`retrosim.physiology.oxygen.epoc_slow_volume`, Bahr et al. 1987) repaid with a third
    of Smith & McNaughton 1993's duration (:func:`retrosim.physiology.oxygen.epoc_slow_tau_s`).

    Parameters as :func:`two_component`; ``o2_cost_ml_kg`` (the bout's O2 cost [mL kg-1])
    is the mean VO2 times ``minutes`` when not given; ``vo2max`` is unused.

    Examples
    --------
    30 min at 28 of 40 mL kg-1 min-1, a man:

    >>> ((v, tau),) = slow(0.7, 30.0, False, 40.0)
    >>> round(float(v), 1), round(float(tau) / 60, 1)
    (127.7, 16.0)
    >>> ((v, _),) = slow(0.7, 30.0, False, 40.0, o2_cost_ml_kg=28.0 * 30)
    >>> round(float(v), 1)
    127.7
    """
    i = np.asarray(intensity_frac, dtype=float)
    cost = (i * np.asarray(vo2max, dtype=float) * np.asarray(minutes, dtype=float)
            if o2_cost_ml_kg is None else o2_cost_ml_kg)
    return ((oxygen.epoc_slow_volume(cost, i), oxygen.epoc_slow_tau_s(i, female)),)


def off_kinetics_only(intensity_frac: ArrayLike, minutes: ArrayLike, female: ArrayLike,
                      vo2max: ArrayLike, o2_cost_ml_kg: ArrayLike | None = None
                      ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """No component beyond the first-order off-kinetics (:func:`retrosim.physiology.oxygen.epoc`,
    which the engine applies after every bout whatever the model): an empty tuple.

    >>> off_kinetics_only(0.7, 30.0, False, 40.0)
    ()
    """
    return ()


#: The EPOC models (``[energy] epoc``). Each entry is called alike,
#: ``EPOC_MODELS[name](intensity_frac, minutes, female, vo2max, o2_cost_ml_kg)``, and returns
#: the bout's components beyond the off-kinetics, one (volume [mL kg-1], tau [s]) pair each.
EPOC_MODELS = {
    "intensity-duration": Model(
        intensity_duration,
        ("Borsheim E, Bahr R (2003) Sports Med 33:1037 (EPOC linear in duration, curvilinear "
         "in intensity)",
         "Bahr R et al. (1987) J Appl Physiol 62:485 (12-h EPOC after 20, 40 and 80 min)",
         "Short KR, Sedlock DA (1997) J Appl Physiol 83:153 (EPOC of trained and untrained "
         "people)",
         "Smith J, McNaughton L (1993) Eur J Appl Physiol 67:420 (EPOC duration by intensity, "
         "sex)",
         "Chad KE, Wenger HA (1988) Can J Sport Sci 13:204 (EPOC after 30, 45 and 60 min)"),
        "the off-kinetics, a rapid component in proportion to intensity repaid within the hour "
        "(faster in the fit) and a prolonged one in proportion to the walking minutes above "
        "40 % VO2max, repaid over hours",
        "Fitted at 70 % VO2max only (Short & Sedlock 1997, Bahr et al. 1987, at an assumed "
        "70 kg); the square above 40 % and the 4-h time constant are assumptions; grows less "
        "steeply with duration than Chad & Wenger 1988's five subjects and less at 50 % than "
        "Gore & Withers 1990. Measured from cycling, not walking."),
    "two-component": Model(
        two_component, REFERENCES,
        "the off-kinetics, a rapid component in proportion to intensity repaid within the hour "
        "(faster in the fit) and a prolonged one after long hard bouts, repaid over hours",
        "EPOC beyond the off-kinetics is a rapid component set by the bout's relative intensity "
        "(36 mL/kg at 70 % VO2max, from one study at an assumed 70 kg) and a prolonged one "
        "after bouts above 50 % VO2max longer than 31 min; the shape above 50 %, the time "
        "constants as a third of measured durations and the placement of Smith & McNaughton's "
        "subjects are assumptions. Measured from cycling, not walking."),
    "slow": Model(
        slow,
        ("Bahr R et al. (1987) J Appl Physiol 62:485 (12-h EPOC, 15.2 % of the O2 cost)",
         "Smith J, McNaughton L (1993) Eur J Appl Physiol 67:420 (EPOC duration)"),
        "the off-kinetics and one slow component, 15.2 % of the bout's O2 cost at 70 % VO2max "
        "scaled by intensity, repaid within Smith & McNaughton's durations",
        "Bahr et al. 1987's 12-h EPOC repaid within about an hour: the first hour holds two to "
        "three times the measured excess; grows with duration and with absolute fitness at the "
        "same relative intensity, and the fit recover no faster."),
    "fast": Model(
        off_kinetics_only,
        ("Markovitz GH et al. (2004) Br J Sports Med 38:553 (symmetric on and off kinetics)",),
        "the first-order off-kinetics only: EPOC equals the O2 deficit",
        "Leaves out every EPOC beyond the O2 deficit: a few tenths of a kcal after a moderate "
        "walk where studies measure several kcal."),
}
DEFAULT_EPOC_MODEL = "intensity-duration"
