"""What a programme of sessions changes, session after session: pure models of the state a
person carries from one session to the next.

Four states, each moved in closed form: a session adds to a state at once; between sessions
the state relaxes along an exponential kernel, so a gap of any length is one exact step
(never a daily loop).

- **Backward practice** ``P`` [min]: accumulated effective minutes of backward walking. Each
  session adds its backward minutes; in a break it fades, ``P exp(-days / tau_P)``.
  Familiarisation: the extra oxygen cost of an unpractised backward walker falls as
  ``exp(-P / P_0)`` (Heath et al. 2001; Wall & Charteris 1980); the session's heart-rate model
  reads ``P`` for its backward excess.
- **Aerobic fitness** ``G`` [fraction of the starting VO2max]: an impulse response (the fitness
  term of Banister's model). A session adds ``k r W0 (1 - exp(-L / W0))``, where ``L`` is its
  load in reserve-minutes (minutes x fraction of the VO2 reserve in use, so the same session is
  a smaller load for a fitter person), ``W0`` saturates long or hard sessions (Wenger & Bell
  1986) and ``r`` is the person's responsiveness (Bouchard et al. 1999). Between sessions
  ``G exp(-days / tau_V)`` with Hickson et al. 1981's half-time of about 10.5 days, which also
  sets the loss in a break (Mujika & Padilla 2001). Resting HR falls with the gain (Kim, Kim &
  Shin 2002).
- **Resting pressure** ``A`` [0-1, the share of the full training effect]: each session closes
  half of the gap to 1, so the fall is most of the way there by the 3rd session and does not
  grow after the 4th (Meredith et al. 1990); after the last session it holds for a week, then
  decays (Meredith et al. 1990: low for 1-2 weeks, then back). The full effect depends on the
  person's baseline category (Cornelissen & Smart 2013).
- **Balance**: the Berg score rises with backward practice toward the scale's 56-point
  ceiling, ``B0 + (56 - B0) g (1 - exp(-P / P_B))`` (Chen et al. 2020), and fades with ``P``.
  The session's fall model uses that day's score (``retrosim.physiology.balance``), which is
  how practice lowers the fall rate (Sherrington et al. 2019 for the size of the effect).

References
----------
- Heath et al. (2001). Phys Ther Sport 2:171 (12 sessions of backward walking).
- Terblanche et al. (2005). Int J Sports Med 26:214 (six weeks of backward walking).
- Wall & Charteris (1980). Ergonomics 23:425 (treadmill habituation).
- Hickson RC et al. (1981). Med Sci Sports Exerc 13:17.
- Murtagh EM et al. (2015). Prev Med 72:34-43. doi:10.1016/j.ypmed.2014.12.041
- Bouchard C et al. (1999). J Appl Physiol 87:1003 (HERITAGE).
- Wenger HA, Bell GJ (1986). Sports Med 3:346.
- Mujika I, Padilla S (2001). Med Sci Sports Exerc 33:413.
- Kim, Kim & Shin (2002). J Korean Acad Rehabil Med 26:342.
- Cornelissen VA, Smart NA (2013). J Am Heart Assoc 2:e004473. doi:10.1161/JAHA.112.004473
- Meredith IT et al. (1990). J Hypertens 8:859-866 (PubMed 2172376).
- Chen Z-H et al. (2020). Medicine 99:e20731. doi:10.1097/MD.0000000000020731
- Sherrington C et al. (2019). Cochrane Database Syst Rev CD012424.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: The Berg Balance Scale's ceiling, points.
BERG_MAX = 56.0


@dataclass(frozen=True)
class TrainingParameters:
    """Time constants and sizes of the programme models; each default names its source.

    practice_fade_tau_days : backward practice fades in a break with this time constant.
        No study measured it: a design assumption (60 d), tunable.
    familiarisation_min : practice [min] over which the novice excess falls by 1/e: Wall &
        Charteris (1980), treadmill habituation takes about an hour of distributed practice.
    novice_o2_excess_frac : extra O2 cost of a novice backward walker, 0.25: derived from
        Heath et al. (2001), VO2 2.05 -> 1.66 L/min (-19 %) after 12 x 15 min of practice,
        with ``familiarisation_min`` = 60: (1 + a) / (1 + a e^-3) = 2.05 / 1.66.
    vo2max_tau_days : 15.2 d, Hickson et al. (1981)'s half-times of 10.3 and 10.8 d
        (mean 10.55 d / ln 2).
    vo2max_gain_per_load : gain fraction per unit of saturated load (reserve-minutes), and
    load_saturation : W0, reserve-minutes at which a session's load saturates. The two are
        fitted together so that Murtagh et al. (2015)'s walking programmes (3 x 30 min brisk
        walking for 12 weeks, inactive adults: +3.04 (2.48-3.60) mL/kg/min) and Hickson et
        al. (1981)'s 6 x 40 min near-maximal training (+23 % in 9 weeks) both land in range:
        k = 0.0037, W0 = 6 reserve-minutes (a 30-min brisk walk is 11-17). Wenger & Bell
        (1986): beyond about 35 min more of the same adds little.
    responsiveness_cv : between-person coefficient of variation of the gain, 0.5: derived
        from Bouchard et al. (1999)'s HERITAGE gains of about +400 mL/min ranging from about 0
        to more than 1 L/min (a gamma distribution of mean 1, shape 4).
    hr_rest_per_gain : fall of resting HR per relative VO2max gain, 0.36: derived from Kim,
        Kim & Shin (2002), VO2max 2111 -> 2521 mL/min (+19.4 %) with resting HR 72 -> 67
        (-6.9 %).
    bp_onset_frac : share of the remaining gap each session closes, 0.5: Meredith et al.
        (1990), the fall was significant by the 3rd session (0.875) and did not grow after the
        4th (0.94).
    bp_hold_days, bp_loss_tau_days : after the last session the fall holds 7 d, then decays
        with a 7-d time constant: Meredith et al. (1990), low for 1-2 weeks after stopping,
        then back toward the sedentary level (5 % of the fall left 4 weeks after).
    bp_fall_mmhg : the full fall (systolic, diastolic) by baseline category, Cornelissen &
        Smart (2013), endurance training: hypertensive (>= 140 or >= 90) 8.3 / 5.2,
        prehypertensive (120-139 or 80-89) 2.1 / 1.7, normotensive 0.75 / 1.1 mmHg.
    berg_headroom_frac : share of the distance to the ceiling that practice can close, and
    berg_practice_min : practice [min] over which it builds (1/e): fitted so that a typical
        trial of Chen et al. (2020)'s review (4 weeks x 5 x 30 min backward, Berg 40) adds
        +3.82 (2.12-5.52) points; the 300 min scale is an assumption (half such a trial).
    """

    practice_fade_tau_days: float = 60.0
    familiarisation_min: float = 60.0
    novice_o2_excess_frac: float = 0.25
    vo2max_tau_days: float = 10.55 / math.log(2.0)
    vo2max_gain_per_load: float = 0.0037
    load_saturation: float = 6.0
    responsiveness_cv: float = 0.5
    hr_rest_per_gain: float = 0.36
    bp_onset_frac: float = 0.5
    bp_hold_days: float = 7.0
    bp_loss_tau_days: float = 7.0
    bp_fall_mmhg: tuple[tuple[float, float], ...] = ((0.75, 1.1), (2.1, 1.7), (8.3, 5.2))
    berg_headroom_frac: float = 0.30
    berg_practice_min: float = 300.0


TRAINING = TrainingParameters()


def practice_fade(practice_min: ArrayLike, days: ArrayLike,
                  params: TrainingParameters = TRAINING) -> np.ndarray:
    """Backward practice left after ``days`` without backward walking [min].

    ``P exp(-days / tau_P)``, tau_P = ``practice_fade_tau_days`` (an assumption).

    >>> practice_fade(120.0, 60.0).round(1).tolist()
    44.1
    """
    return np.asarray(practice_min, dtype=float) * np.exp(
        -np.asarray(days, dtype=float) / params.practice_fade_tau_days)


def heath_familiarisation(practice_min: ArrayLike, params: TrainingParameters = TRAINING
                          ) -> np.ndarray:
    """Extra O2 cost [fraction] of backward walking with practice ``P`` [min].

    ``a exp(-P / P0)``: a novice (P = 0) pays 25 % more oxygen than a practised walker; after
    180 min (Heath et al. 2001's 12 x 15 min) 1.2 %. The extra heart rate beyond the O2 cost
    is the session's own model (``physiology.heart.backward_excess``), which shrinks with the
    same practice.

    >>> heath_familiarisation([0.0, 60.0, 180.0]).round(3).tolist()
    [0.25, 0.092, 0.012]
    """
    fade = np.exp(-np.asarray(practice_min, dtype=float) / params.familiarisation_min)
    return params.novice_o2_excess_frac * fade


def session_load(reserve_minutes: ArrayLike, params: TrainingParameters = TRAINING
                 ) -> np.ndarray:
    """A session's saturated training load from its reserve-minutes [min].

    ``W0 (1 - exp(-L / W0))``: linear for short, easy sessions, saturating for long, hard ones.

    >>> session_load([0.0, 3.0, 15.0, 100.0]).round(2).tolist()
    [0.0, 2.36, 5.51, 6.0]
    """
    w0 = params.load_saturation
    return w0 * -np.expm1(-np.asarray(reserve_minutes, dtype=float) / w0)


def hickson_gain_after_session(gain_frac: ArrayLike, reserve_minutes: ArrayLike,
                               responsiveness: ArrayLike,
                               params: TrainingParameters = TRAINING) -> np.ndarray:
    """VO2max gain [fraction of the starting value] just after a session.

    ``G + k r W0 (1 - exp(-L / W0))``.

    >>> float(hickson_gain_after_session(0.0, 15.0, 1.0).round(4))
    0.0204
    """
    return np.asarray(gain_frac, dtype=float) + params.vo2max_gain_per_load * \
        np.asarray(responsiveness, dtype=float) * session_load(reserve_minutes, params)


def hickson_gain_decay(gain_frac: ArrayLike, days: ArrayLike,
                       params: TrainingParameters = TRAINING) -> np.ndarray:
    """VO2max gain left after ``days`` without training: ``G exp(-days / tau_V)``.

    Half of it is gone after Hickson et al. (1981)'s half-time of 10.55 days; 16 % is left
    after 4 weeks (Mujika & Padilla 2001: recently acquired gains are lost in about a month).

    >>> hickson_gain_decay(0.2, [10.55, 28.0]).round(3).tolist()
    [0.1, 0.032]
    """
    return np.asarray(gain_frac, dtype=float) * np.exp(
        -np.asarray(days, dtype=float) / params.vo2max_tau_days)


def kim_hr_rest(hr_rest0: ArrayLike, gain_frac: ArrayLike,
                params: TrainingParameters = TRAINING) -> np.ndarray:
    """Resting HR [min-1] with a relative VO2max gain: ``HR0 (1 - beta G)``, beta = 0.36.

    >>> kim_hr_rest(72.0, 2521.0 / 2111.0 - 1.0).round(1).tolist()
    67.0
    """
    return np.asarray(hr_rest0, dtype=float) * (
        1.0 - params.hr_rest_per_gain * np.asarray(gain_frac, dtype=float))


def bp_category(sbp: ArrayLike, dbp: ArrayLike) -> np.ndarray:
    """Cornelissen & Smart (2013)'s groups: 0 normotensive, 1 prehypertensive (120-139 or
    80-89 mmHg), 2 hypertensive (>= 140 or >= 90).

    >>> bp_category([115, 125, 118, 150], [75, 75, 85, 85]).tolist()
    [0, 1, 1, 2]
    """
    s, d = np.asarray(sbp, dtype=float), np.asarray(dbp, dtype=float)
    return np.where((s >= 140) | (d >= 90), 2, np.where((s >= 120) | (d >= 80), 1, 0))


def cornelissen_smart_fall(sbp: ArrayLike, dbp: ArrayLike,
                           params: TrainingParameters = TRAINING
                           ) -> tuple[np.ndarray, np.ndarray]:
    """The full fall of resting (systolic, diastolic) pressure with endurance training [mmHg],
    by baseline category (Cornelissen & Smart 2013).

    >>> [x.tolist() for x in cornelissen_smart_fall([150.0, 125.0], [95.0, 78.0])]
    [[8.3, 2.1], [5.2, 1.7]]
    """
    table = np.asarray(params.bp_fall_mmhg)
    cat = bp_category(sbp, dbp)
    return table[cat, 0], table[cat, 1]


def meredith_after_session(adaptation: ArrayLike,
                           params: TrainingParameters = TRAINING) -> np.ndarray:
    """Share of the full pressure fall just after a session: ``A + f (1 - A)``, f = 0.5.

    >>> meredith_after_session(np.array([0.0, 0.5, 0.75])).tolist()
    [0.5, 0.75, 0.875]
    """
    a = np.asarray(adaptation, dtype=float)
    return a + params.bp_onset_frac * (1.0 - a)


def meredith_decay(adaptation: ArrayLike, days_since_session: ArrayLike,
                   params: TrainingParameters = TRAINING) -> np.ndarray:
    """Share of the pressure fall left ``days_since_session`` after the last session.

    ``A exp(-max(0, days - hold) / tau)``: held for 7 days, then a 7-day time constant.

    >>> meredith_decay(1.0, [3.0, 14.0, 28.0]).round(3).tolist()
    [1.0, 0.368, 0.05]
    """
    late = np.maximum(np.asarray(days_since_session, dtype=float) - params.bp_hold_days, 0.0)
    return np.asarray(adaptation, dtype=float) * np.exp(-late / params.bp_loss_tau_days)


def chen_berg(berg0: ArrayLike, practice_min: ArrayLike,
              params: TrainingParameters = TRAINING) -> np.ndarray:
    """Berg score [points] with backward practice ``P`` [min], never above 56.

    ``B0 + (56 - B0) g (1 - exp(-P / P_B))``: the gain shrinks as the score nears the ceiling.

    >>> chen_berg([40.0, 54.0], 480.0).round(2).tolist()
    [43.83, 54.48]
    """
    b0 = np.asarray(berg0, dtype=float)
    room = np.maximum(BERG_MAX - b0, 0.0)
    built = -np.expm1(-np.asarray(practice_min, dtype=float) / params.berg_practice_min)
    return np.minimum(b0 + room * params.berg_headroom_frac * built, BERG_MAX)


def responsiveness(u: np.ndarray, params: TrainingParameters = TRAINING) -> np.ndarray:
    """Each person's responsiveness (mean 1) from rows of standard exponentials ``u`` (N, m).

    A gamma variate of shape m = 1 / cv^2 (4 for cv = 0.5) as the mean of m exponentials:
    Bouchard et al. (1999)'s spread of VO2max gains between people.

    >>> float(responsiveness(np.ones((1, 4)))[0])
    1.0
    """
    shape = round(1.0 / params.responsiveness_cv ** 2)
    return np.asarray(u, dtype=float)[:, :shape].mean(axis=1)


#: The programme models by state, for the registry-minded reader and the references.
TRAINING_MODELS = {
    "practice": practice_fade, "familiarisation": heath_familiarisation,
    "vo2max": (hickson_gain_after_session, hickson_gain_decay), "hr_rest": kim_hr_rest,
    "bp": (cornelissen_smart_fall, meredith_after_session, meredith_decay), "berg": chen_berg,
}

REFERENCES = (
    "Heath et al. (2001) Phys Ther Sport 2:171 (familiarisation to backward walking)",
    "Wall & Charteris (1980) Ergonomics 23:425 (treadmill habituation)",
    "Hickson RC et al. (1981) Med Sci Sports Exerc 13:17 (VO2max half-time about 10 days)",
    "Murtagh EM et al. (2015) Prev Med 72:34 (walking programmes, VO2max)",
    "Bouchard C et al. (1999) J Appl Physiol 87:1003 (between-person spread of the gain)",
    "Wenger HA, Bell GJ (1986) Sports Med 3:346 (dose and initial fitness)",
    "Mujika I, Padilla S (2001) Med Sci Sports Exerc 33:413 (detraining)",
    "Kim, Kim & Shin (2002) J Korean Acad Rehabil Med 26:342 (resting HR)",
    "Cornelissen VA, Smart NA (2013) J Am Heart Assoc 2:e004473 (resting BP by category)",
    "Meredith IT et al. (1990) J Hypertens 8:859 (time course of the BP fall)",
    "Chen Z-H et al. (2020) Medicine 99:e20731 (backward walking and the Berg score)",
    "Sherrington C et al. (2019) Cochrane CD012424 (exercise and the rate of falls)",
)
