"""What moves fall risk besides balance: sex, fall history, speed, learning; and the Berg slope
calibrated against training trials.

The ``perturbations`` fall model (:mod:`retrosim.physiology.balance`) knows the walker by their
Berg score alone, with a slope taken from a cross-sectional study of fallers (Shumway-Cook et
al. 1997): between people a Berg point stands for everything that goes with poor balance, so a
gain of a few points from training cuts the modelled risk far more than trials show. The
``perturbations-covariates`` model names the other factors and shrinks the Berg slope:

- Fall history: odds ratio 2.8 for one fall in the past year, 3.5 for two or more (Deandrea et
  al. 2010, meta-analysis of prospective studies, all fallers and recurrent fallers).
- Sex: women fell more than four times as often as men after an induced trip (Pavol et al.
  1999, 79 people, 10 falls); population cohorts find a smaller excess. The odds ratio used,
  1.5, is an assumption between the two.
- Speed during a perturbation: older adults who walked faster, with longer and quicker steps,
  were more likely to fall after an induced trip (Pavol et al. 1999b). The slope, +1 log-odds per
  m s-1 above 3 mph, is an assumption.
- Learning: falls become rarer with each repeated perturbation, within a session (older adults
  fell on 73 % of first slips and learned to avoid falling at an exponential rate: Pavol et al.
  2002; fewer than 5 % of falls by the fifth slip: Pai et al. 2010) and across sessions (the
  effect of one slip is retained 6-12 months: Liu et al. 2017). Laboratory learning of one
  perturbation transfers only in part to the varied perturbations of daily walking: P(fall)
  falls towards 0.71 of the naive value (``learning_floor``), the risk ratio of fallers after
  perturbation-based balance training (Mansfield et al. 2015, meta-analysis of 8 trials), with
  a scale of 2 perturbations (an assumption: most of the adaptation happens over the first few
  slips, Pai et al. 2010).
  Within a session the number of perturbations so far is its expectation (the cumulative
  perturbation hazard), so the fall hazard stays a closed form; across a programme's
  sessions the perturbations each person met (recoveries and falls) are carried over.
- Berg: the total effect of a Berg point is calibrated to training trials: balance and
  functional exercise cut the rate of falls to 0.76 (0.70-0.81) of control (Sherrington et
  al. 2019, Cochrane review, summary of findings 2: gait, balance and functional training, 39
  trials, 7920 people, high certainty) while such programmes raise the Berg score by 3.48
  (2.01-4.95) points (Howe et al. 2011, Cochrane review, abstract: gait, balance,
  co-ordination and functional tasks, 4 trials, 145 people), rounded to 3.5. Both read in the
  reviews (the Berg gain rests on few trials: moderate confidence). So
  ``exp(-3.5 k) = 0.76``: k = 0.078 per point, split between the perturbation rate and the
  odds of a fall in the ``perturbations`` model's proportion (0.15 : 0.10).

The ``perturbations-entry`` model (the default) keeps both slopes, each where it was measured
(:func:`rate_berg`): the entry Berg score sets the level of risk by the cross-sectional
slope (between people, as in ``perturbations``: a Berg 20 walker is not a Berg 50 walker with
less training), and a change of Berg since entry (a programme's training, or detraining) moves
it by the trials' 0.078 per point (on the rate of walking perturbations, so the effect is
exact whatever the odds of a fall). Sex and fall history are centred on their prevalence in the
population a Berg level stands for (:func:`population_log_odds`: community-dwelling older
adults, about 30 % of whom fall in a year, Tinetti et al. 1988), so the average person at a
Berg level keeps that level's risk, one with no fall last year is below it, one with two falls
above. Deandrea et al. 2010 pooled the studies' odds ratios of fall history with no common
balance term (they did not pool balance: its measures were not comparable; the abstract says
nothing of adjustment), so the history odds ratios are taken as not adjusted for balance:
part of what they carry may be the poor balance the Berg score already counts (a caveat the
model states).

References
----------
Full entries in docs/references.md (tinetti-1988, deandrea-2010, pavol-1999, pavol-1999b,
pavol-2002, pai-2010, liu-2017, mansfield-2015, norgaard-2023, sherrington-2019, howe-2011).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

#: The sources of the covariate fall model, as a result's ``references`` lists them.
REFERENCES = (
    "Deandrea S et al. (2010) Epidemiology 21:658 (fall history, odds ratios 2.8 and 3.5)",
    "Pavol MJ et al. (1999) J Gerontol A 54:M103 (sex and the outcome of induced trips)",
    "Pavol MJ et al. (1999b) J Gerontol A 54:M583 (faster walkers fall more after trips)",
    "Pavol MJ et al. (2002) J Gerontol A 57:M496 (falls decrease with repeated slips)",
    "Pai YC et al. (2010) Arch Phys Med Rehabil 91:452 (rapid adaptation to repeated slips)",
    "Liu X et al. (2017) GeroScience 39:93 (the first-trial effect retained 6-12 months)",
    "Mansfield A et al. (2015) Phys Ther 95:700 (perturbation training, risk ratio 0.71)",
    "Sherrington C et al. (2019) Cochrane Database Syst Rev 1:CD012424 (exercise and falls)",
    "Howe TE et al. (2011) Cochrane Database Syst Rev 11:CD004963 (exercise and balance)",
)

#: The assumptions of the covariate fall model, as a result's ``assumptions`` lists them.
ASSUMPTIONS = (
    "Assumption (falls): female odds ratio of a fall per perturbation 1.5 (direction from "
    "Pavol et al. 1999; size assumed)",
    "Assumption (falls): +1 log-odds of a fall per m s-1 of belt speed above 3 mph "
    "(direction from Pavol et al. 1999b; size assumed)",
    "Assumption (falls): learning scales P(fall) towards 0.71 (Mansfield et al. 2015) with a "
    "scale of 2 perturbations (assumed), counted by their expectation within a session",
    "Assumption (falls): Berg slope 0.078 per point in total, from a falls rate ratio of "
    "0.76 for a 3.5-point Berg gain (Sherrington et al. 2019; Howe et al. 2011's 3.48 from "
    "4 trials)",
)

#: Balance and functional exercise: rate ratio of falls against control (Sherrington et al.
#: 2019, 0.76 (0.70-0.81)) and the Berg gain such programmes bring (Howe et al. 2011, 3.48
#: (2.01-4.95) points, rounded).
TRIAL_FALL_RATE_RATIO = 0.76
TRIAL_BERG_GAIN = 3.5
#: The total log-hazard slope per Berg point that makes the two agree.
CALIBRATED_BERG_SLOPE = -math.log(TRIAL_FALL_RATE_RATIO) / TRIAL_BERG_GAIN
#: Fall history odds ratios: one fall, two or more falls in the past year (Deandrea et al.
#: 2010).
HISTORY_ODDS_RATIOS = (2.8, 3.5)
#: Odds ratio of a fall per perturbation, a woman against a man (an assumption: Pavol et al.
#: 1999 found more after induced trips; population cohorts find less).
FEMALE_ODDS_RATIO = 1.5
#: Shares of community-dwelling older adults with one and with two or more falls in the past
#: year: 32 % fell at least once in a year (Tinetti et al. 1988, 336 people aged 75 or more),
#: taken as 30 %, half of them more than once (an assumption).
HISTORY_PREVALENCE = (0.15, 0.15)
#: Share of women in that population (an assumption).
FEMALE_SHARE = 0.5

#: The further sources and assumptions of the ``perturbations-entry`` model.
ENTRY_REFERENCES = (
    "Tinetti ME et al. (1988) N Engl J Med 319:1701 (32 % of community-dwelling older adults "
    "fell in a year)",
)
ENTRY_ASSUMPTIONS = (
    "Assumption (falls): the entry Berg score sets the level of risk by Shumway-Cook et al. "
    "1997's cross-sectional slope (0.25 per point); a change of Berg since entry moves it by "
    "0.078 per point (Sherrington et al. 2019; Howe et al. 2011)",
    "Assumption (falls): sex and fall history centred on a population with 50 % women, 15 % "
    "with one fall and 15 % with two or more in the past year (Tinetti et al. 1988: 32 % "
    "fell in a year; the split and the share of women assumed)",
    "Assumption (falls): the fall-history odds ratios (Deandrea et al. 2010) are not adjusted "
    "for balance; part of their effect may also be in the Berg score (counted twice)",
)


def person_log_odds(female: ArrayLike, falls_last_year: ArrayLike,
                    female_odds_ratio: float = FEMALE_ODDS_RATIO,
                    history_odds_ratios: tuple[float, float] = HISTORY_ODDS_RATIOS
                    ) -> np.ndarray:
    """Log-odds of a fall per perturbation added by sex and fall history [-].

    ``ln(OR_female) female + ln(OR_1) [one fall] + ln(OR_2) [two or more]``, zero for a man
    with no fall in the past year.

    Parameters
    ----------
    female : array_like of bool
        True for a woman.
    falls_last_year : array_like
        Falls in the past year [count] >= 0.
    female_odds_ratio : float, default 1.5
        Odds ratio of a woman against a man (an assumption; Pavol et al. 1999 found more).
    history_odds_ratios : (float, float), default (2.8, 3.5)
        Odds ratios of one fall and of two or more (Deandrea et al. 2010).

    Returns
    -------
    numpy.ndarray
        The added log-odds [-].

    References
    ----------
    Deandrea S et al. (2010) Epidemiology 21:658, doi:10.1097/EDE.0b013e3181e89905; Pavol MJ et
    al. (1999) J Gerontol A 54:M103.

    Examples
    --------
    >>> np.exp(person_log_odds([False, False, False, True], [0, 1, 4, 0])).round(2).tolist()
    [1.0, 2.8, 3.5, 1.5]
    """
    n = np.asarray(falls_last_year, dtype=float)
    history = np.where(n >= 2, math.log(history_odds_ratios[1]),
                       np.where(n >= 1, math.log(history_odds_ratios[0]), 0.0))
    return history + math.log(female_odds_ratio) * np.asarray(female, dtype=float)


def speed_log_odds(speed_mps: ArrayLike, reference_mps: float,
                   per_mps: float = 1.0) -> np.ndarray:
    """Log-odds of a fall per perturbation added by the belt speed at the time [-].

    ``per_mps (v - v_ref)``: faster walkers fall more often after a trip (Pavol et al. 1999b);
    the slope is an assumption. The logistic keeps the probability bounded whatever the speed.

    Parameters
    ----------
    speed_mps : array_like
        Belt speed [m s-1].
    reference_mps : float
        Speed of no change [m s-1] (the fall model's 3 mph).
    per_mps : float, default 1.0
        Log-odds per m s-1 (an assumption).

    References
    ----------
    Pavol MJ et al. (1999b) J Gerontol A 54:M583, doi:10.1093/gerona/54.11.m583.

    Examples
    --------
    >>> speed_log_odds([0.84, 1.34, 1.84], 1.34).round(2).tolist()
    [-0.5, 0.0, 0.5]
    """
    return per_mps * (np.asarray(speed_mps, dtype=float) - reference_mps)


def learning_factor(perturbations: ArrayLike, floor: float = 0.71,
                    scale: float = 2.0) -> np.ndarray:
    """The factor on P(fall | perturbation) after ``perturbations`` earlier ones [-].

    ``floor + (1 - floor) exp(-n / scale)``: 1 for a first perturbation, falling
    exponentially with exposure (Pavol et al. 2002) towards ``floor``; bounded in
    [floor, 1], so a probability stays a probability.

    Parameters
    ----------
    perturbations : array_like
        Earlier perturbations (an expected count may be fractional) [-] >= 0.
    floor : float, default 0.71
        The factor after very many: the risk ratio of fallers after perturbation-based
        balance training (Mansfield et al. 2015).
    scale : float, default 2.0
        Perturbations for the excess over the floor to fall by 1/e (an assumption).

    References
    ----------
    Pavol MJ et al. (2002) J Gerontol A 57:M496, doi:10.1093/gerona/57.8.m496; Pai YC et al.
    (2010) Arch Phys Med Rehabil 91:452; Mansfield A et al. (2015) Phys Ther 95:700.

    Examples
    --------
    >>> learning_factor([0.0, 2.0, 100.0]).round(3).tolist()
    [1.0, 0.817, 0.71]
    """
    n = np.maximum(np.asarray(perturbations, dtype=float), 0.0)
    return floor + (1.0 - floor) * np.exp(-n / scale)


def berg_training_rate_ratio(berg_gain: ArrayLike, slope_per_point: float) -> np.ndarray:
    """The fall-rate ratio a Berg gain brings with a total slope ``slope_per_point`` [-].

    ``exp(-slope gain)``. With the calibrated slope (:data:`CALIBRATED_BERG_SLOPE`) a
    3.5-point gain gives the trials' 0.76 (Sherrington et al. 2019; Howe et al. 2011).

    Examples
    --------
    >>> round(float(berg_training_rate_ratio(3.5, CALIBRATED_BERG_SLOPE)), 3)
    0.76
    >>> round(float(berg_training_rate_ratio(3.5, 0.25)), 2)    # Shumway-Cook's slope
    0.42
    """
    return np.exp(-slope_per_point * np.asarray(berg_gain, dtype=float))


def population_log_odds(female_share: float, history_prevalence: tuple[float, float],
                        female_odds_ratio: float = FEMALE_ODDS_RATIO,
                        history_odds_ratios: tuple[float, float] = HISTORY_ODDS_RATIOS
                        ) -> float:
    """The log of the mean odds ratio of sex and fall history in a population [-].

    ``ln(1 - s + s OR_f) + ln(1 - p1 - p2 + p1 OR_1 + p2 OR_2)``, s the share of women, p1 and
    p2 the shares with one and with two or more falls in the past year. Subtracted from
    :func:`person_log_odds`, it centres them: the population's mean odds ratio is 1, so the
    average person at a Berg level keeps that level's odds (where a fall per perturbation is
    rare, its risk); a man with no fall is below it. Zero when nobody has the factors.

    Parameters
    ----------
    female_share : float
        Share of women [-], 0-1.
    history_prevalence : (float, float)
        Shares with one, and with two or more, falls in the past year [-].
    female_odds_ratio, history_odds_ratios : float, (float, float)
        As :func:`person_log_odds`.

    References
    ----------
    Tinetti ME et al. (1988) N Engl J Med 319:1701, doi:10.1056/NEJM198812293192604 (32 %
    fell in a year); Deandrea S et al. (2010) Epidemiology 21:658.

    Examples
    --------
    >>> round(float(np.exp(population_log_odds(0.5, HISTORY_PREVALENCE))), 6)   # 1.25 x 1.645
    2.05625
    >>> population_log_odds(0.0, (0.0, 0.0))
    0.0
    """
    p1, p2 = history_prevalence
    history = 1.0 - p1 - p2 + p1 * history_odds_ratios[0] + p2 * history_odds_ratios[1]
    return math.log(1.0 - female_share + female_share * female_odds_ratio) + math.log(history)


def rate_berg(berg: ArrayLike, entry_berg: ArrayLike, change_per_point: float,
              rate_per_point: float) -> np.ndarray:
    """The Berg score the perturbation rate is given, so that a change since entry moves the
    fall hazard by ``change_per_point`` per point [points].

    ``entry + (change_per_point / rate_per_point) (berg - entry)``: the entry score sets the
    level of risk by the model's own (cross-sectional) slopes, the odds of a fall per
    perturbation keep the entry score, and the change since entry acts on the rate of walking
    perturbations alone, so the hazard of a fall from them moves by exactly
    ``exp(-change_per_point (berg - entry))`` whatever the odds of a fall (unexpected belt
    changes, whose rate does not depend on balance, keep the entry level). An entry of NaN (not
    in a programme) is the score itself.

    Parameters
    ----------
    berg : array_like
        The Berg score today [points].
    entry_berg : array_like
        The Berg score at entry (the programme's start), or NaN [points].
    change_per_point : float
        Log-hazard per point of change (0.078: :data:`CALIBRATED_BERG_SLOPE`).
    rate_per_point : float
        The model's log-rate of perturbations per point (0.15: ``perturbations``' share of
        Shumway-Cook et al. 1997's 0.25).

    References
    ----------
    Shumway-Cook A et al. (1997) Phys Ther 77:812; Sherrington C et al. (2019) Cochrane
    Database Syst Rev 1:CD012424; Howe TE et al. (2011) Cochrane Database Syst Rev
    11:CD004963.

    Examples
    --------
    >>> rate_berg([20.0, 43.5, 40.0], [20.0, 40.0, np.nan], 0.078, 0.15).round(2).tolist()
    [20.0, 41.82, 40.0]
    """
    b = np.asarray(berg, dtype=float)
    entry = entry_score(b, entry_berg)
    return entry + (change_per_point / rate_per_point) * (b - entry)


def entry_score(berg: ArrayLike, entry_berg: ArrayLike) -> np.ndarray:
    """The Berg score at entry, or today's where none is given (NaN) [points].

    >>> entry_score([44.0, 44.0], [40.0, np.nan]).tolist()
    [40.0, 44.0]
    """
    entry = np.asarray(entry_berg, dtype=float)
    return np.where(np.isnan(entry), np.asarray(berg, dtype=float), entry)
