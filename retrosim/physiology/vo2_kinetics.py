"""VO2 time constants as part of a person's state: set by fitness and age, shortened by
training within weeks, lost again without it.

A person's moderate-intensity VO2 time constant starts at the value of their fitness label and
age (:func:`retrosim.physiology.oxygen.vo2_time_constant`). Endurance training speeds it up
within weeks: in Murias et al. (2010) tau fell from 34 to 22 s in young men and from 43 to
35 s in older men by the third week of training (3 x 45 min a week at about 70 % VO2peak),
with no further change over 12 weeks. Here a programme carries a **speeding** state ``s``
(0-1): a session of training effect ``h`` (the dose-response model's
:func:`retrosim.physiology.dose_response.session_effect`) closes a share ``r h`` of the
distance left, ``s + (1 - s) r h``, and between sessions it decays, ``s exp(-days / 16)``
(each a closed form, so a gap of any length is one exact step). The time constant moves
towards the trained value for the person's age by a share ``F s`` of the gap:

    tau = tau_label - F s (tau_label - tau_trained(age))

``F`` is set so that Murias et al.'s regimen, held, closes their mean share of the gap (0.51:
0.63 in the young, 0.39 in the older men, each against the ``trained`` label at their age),
and ``r`` so that nine sessions in three weeks bring 90 % of that plateau (their week-3 result
with no later change): r = 0.111 and a plateau of s = 0.40 under their regimen, F = 1.28
(``F s`` is capped at 1, the trained label itself).

How sure: the size rests on one training study of 16 men (Murias et al. 2010), the direction
and its speed on several (Phillips et al. 1995: faster within days; Babcock et al. 1994 in
72-year-olds over six months); the loss without training (16 days, the dose-response model's
fast detraining constant) is an assumption.

References
----------
- Murias JM, Kowalchuk JM, Paterson DH (2010). Speeding of VO2 kinetics with endurance
  training in old and young men is associated with improved matching of local O2 delivery to
  muscle O2 utilization. J Appl Physiol 108:913-922; doi:10.1152/japplphysiol.01355.2009.
- Phillips SM, Green HJ, MacDonald MJ, Hughson RL (1995). Progressive effect of endurance
  training on VO2 kinetics at the onset of submaximal exercise. J Appl Physiol 79:1914-1920
  (direction only, no number used).
- Babcock MA, Paterson DH, Cunningham DA (1994). Effects of aerobic endurance training on gas
  exchange kinetics of older men. Med Sci Sports Exerc 26:447-452 (the validation row).
- George MA, McLay KM, Doyle-Baker PK, Reimer RA, Murias JM (2018). Front Physiol 9:277 (the
  labels' time constants, ``oxygen.TAU_BY_FITNESS_S``).
- Full entries: docs/references.md (murias-2010, phillips-1995, babcock-1994, george-2018).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology import dose_response as dr
from retrosim.physiology import oxygen
from retrosim.physiology.registry import Model

#: Murias et al. 2010: (age [yr], tau before, tau at week 3 [s]) of the young and older men.
MURIAS_2010 = {"young": (23.0, 34.0, 22.0), "older": (68.0, 43.0, 35.0)}
#: Murias et al. 2010's regimen: sessions a week, minutes, fraction of VO2peak, weeks to the
#: plateau.
MURIAS_2010_REGIMEN = (3, 45.0, 0.70, 3)
#: Babcock et al. 1994: 8 men of 72 y, 6 months of cycle training: tau before, after and the
#: after SD [s].
BABCOCK_1994 = (72.0, 62.2, 31.9, 7.0)
#: Days over which the speeding is lost without training (an assumption: the fast detraining
#: constant of the dose-response model it was calibrated beside, ``dose-response-saturating``;
#: the default ``dose-response-threshold``'s is 15 d, within a day of it).
LOSS_TAU_DAYS = dr.SATURATING.fast_tau_days
#: Share of the plateau the regimen reaches by its third week (9 sessions).
_PLATEAU_SHARE_AT_WEEK_3 = 0.9


def _trained_share(age_yr: float, before_s: float, after_s: float) -> float:
    """The share of the gap to the ``trained`` label at ``age_yr`` that training closed."""
    trained = float(oxygen.vo2_time_constant(age_yr, 2))
    return (before_s - after_s) / (before_s - trained)


def regimen_speeding(rate: float, effect: float, sessions: int) -> np.ndarray:
    """The speeding on the mornings after sessions 1..n of Murias et al.'s regimen (three
    sessions a week, gaps of 7/3 days) at a session effect ``effect`` and rate ``rate``.

    >>> regimen_speeding(SPEEDING_RATE, 0.94, 9)[-1].round(2)
    np.float64(0.36)
    """
    s, out = 0.0, []
    keep = float(np.exp(-7.0 / MURIAS_2010_REGIMEN[0] / LOSS_TAU_DAYS))
    for _ in range(sessions + 1):
        out.append(s)
        s = (s + (1.0 - s) * rate * effect) * keep
    return np.asarray(out[1:])


def _calibrate() -> tuple[float, float]:
    """``(r, F)``: r so that 9 sessions reach 90 % of the regimen's plateau, F so that the
    plateau closes Murias et al.'s mean share of the gap. Their sessions are taken at the
    dose-response model's effect (45 min at 70 % VO2peak nearly saturates it: h = 0.94 for
    VO2max 40)."""
    vo2max = 40.0
    frac = (MURIAS_2010_REGIMEN[2] * vo2max - 3.5) / (vo2max - 3.5)
    effect = float(dr.session_effect(MURIAS_2010_REGIMEN[1] * dr.trimp_weight(frac, False)))
    weeks = MURIAS_2010_REGIMEN[3] * MURIAS_2010_REGIMEN[0]
    lo, hi = 1e-3, 1.0
    for _ in range(60):                     # bisection: reach grows with the rate
        mid = 0.5 * (lo + hi)
        states = regimen_speeding(mid, effect, 200)
        lo, hi = (lo, mid) if states[weeks - 1] >= _PLATEAU_SHARE_AT_WEEK_3 * states[-1] \
            else (mid, hi)
    rate = 0.5 * (lo + hi)
    plateau = float(regimen_speeding(rate, effect, 200)[-1])
    share = float(np.mean([_trained_share(*v) for v in MURIAS_2010.values()]))
    return rate, share / plateau


SPEEDING_RATE, SPEEDING_SHARE = _calibrate()


def speeding_after_session(speeding: ArrayLike, effect: ArrayLike) -> np.ndarray:
    """The speeding just after a session of training effect ``h``: ``s + (1 - s) r h``.

    >>> speeding_after_session([0.0, 1.0], 1.0).round(3).tolist()
    [0.111, 1.0]
    """
    s = np.asarray(speeding, dtype=float)
    return s + (1.0 - s) * SPEEDING_RATE * np.asarray(effect, dtype=float)


def speeding_decay(speeding: ArrayLike, days: ArrayLike) -> np.ndarray:
    """The speeding ``days`` later without training: ``s exp(-days / 16)``.

    >>> speeding_decay([0.5], 16.0).round(3).tolist()
    [0.184]
    """
    return np.asarray(speeding, dtype=float) * np.exp(-np.asarray(days, dtype=float)
                                                      / LOSS_TAU_DAYS)


def trainable(age_yr: ArrayLike, fitness: ArrayLike, speeding: ArrayLike) -> np.ndarray:
    """The moderate-intensity VO2 time constant [s] of a person with ``speeding`` in place:
    ``tau_label - F s (tau_label - tau_trained(age))``, never faster than the trained label.

    >>> trainable([25.0, 25.0], [0, 0], [0.0, 0.4]).round(1).tolist()   # 0.4: held regimen
    [39.0, 26.7]
    """
    label = oxygen.vo2_time_constant(age_yr, fitness)
    trained = oxygen.vo2_time_constant(age_yr, np.full(np.shape(label), 2))
    share = np.clip(SPEEDING_SHARE * np.asarray(speeding, dtype=float), 0.0, 1.0)
    return label - share * np.maximum(label - trained, 0.0)


def fitness_label(age_yr: ArrayLike, fitness: ArrayLike, speeding: ArrayLike) -> np.ndarray:
    """The first model: the label's time constant, whatever the training (``speeding`` is
    accepted and not used).

    >>> fitness_label([25.0], [0], [1.0]).tolist()
    [39.0]
    """
    return oxygen.vo2_time_constant(age_yr, fitness) + 0.0 * np.asarray(speeding)


#: VO2 kinetics by name: ``(age_yr, fitness, speeding) -> tau [s]`` (``[energy]
#: vo2_kinetics``); a programme carries ``speeding`` from session to session.
VO2_KINETICS_MODELS: dict[str, Model] = {
    "trainable": Model(
        trainable,
        ("George MA et al. (2018) Front Physiol 9:277",
         "Murias JM, Kowalchuk JM, Paterson DH (2010) J Appl Physiol 108:913-922",
         "Phillips SM et al. (1995) J Appl Physiol 79:1914-1920"),
        "set by fitness and age, shortened by a programme's training within about three "
        "weeks, lost over weeks without it",
        "The speeding is sized from one study of 16 men (Murias et al. 2010: about half of "
        "the gap to a trained person's time constant, within three weeks); older men in a "
        "six-month study speeded more (Babcock et al. 1994). Its loss without training "
        "(16 days) is an assumption. A single session is the same as with the label."),
    "fitness-label": Model(
        fitness_label,
        ("George MA et al. (2018) Front Physiol 9:277",),
        "set by the fitness label and age, the same all programme long (the first model)",
        "The VO2 time constant follows the fitness label and never changes with training, "
        "where training shortens it within weeks (Murias et al. 2010)."),
}
DEFAULT_VO2_KINETICS_MODEL = "trainable"
