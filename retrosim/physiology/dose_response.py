"""Training as dose-response: pure models of what a programme's dose does to VO2max, resting
heart rate and resting pressure, and of what stopping undoes.

A session's **training impulse** weighs every minute by its intensity relative to the person's
reserve (the fraction ``x`` of the VO2 reserve in use; Swain & Franklin 2002: %VO2R tracks
%HRR), with Banister's exponential weighting ``x a exp(b x)`` (Morton, Fitz-Clarke & Banister
1990: a = 0.64, b = 1.92 for men; 0.86, 1.67 for women), so a minute at 70 % of the reserve
counts about twice a minute at 50 %. Its effect is concave, ``h = 1 - exp(-T / (T0 + L))``,
where ``L`` is the recent load, the impulse of earlier sessions fading with a 1-day time
constant: a session the day after another counts less (after Busso 2003, where recent training
changes the response to each session). So the response is concave in the session and in the
week's load (Wenger & Bell 1986: beyond a point more of the same adds little) without making
many short sessions win by much at the same weekly volume (Wenger & Bell 1986; Garber et al.
2011: at equal volume intensity matters more than frequency). Never a step.

**VO2max** [mL/kg/min] is a person's sedentary base plus a trained state held in two
compartments, a fast one and a slow one (Coyle et al. 1984; Mujika & Padilla 2000): a session
closes a share of the distance left to the ceiling, ``k_f h`` in the fast compartment and
``h (k_s + k_c G_fast / C)`` in the slow one, which thus grows with the fast state already held
(consolidation: what is held for weeks becomes slow, so gains at a constant dose keep rising
for months and flatten towards the ceiling, and a long-held gain is kept longer than a recent
one); between sessions each decays, ``G_i exp(-days / tau_i)``, so a gap of any length is one
exact step. The ceiling
(``H`` mL/kg/min, split between the compartments) is absolute, not a fraction of entry
fitness (the absolute gain is unrelated to baseline and similar in women and men; Bouchard et
al. 1999), falls with age, and is scaled by each person's responsiveness ``r`` (a gamma
variate of mean 1: HERITAGE's spread of gains, Bouchard et al. 1999; Ross et al. 2019).
For a trained person (``fitness = "trained"``: her habitual training is what the programme now
stands for), entry fitness above the sedentary norm (``oxygen.wasserman_vo2max``) is trained
state that occupies the ceiling (the fit gain little) and decays without training; fitness
beyond the ceiling is constitutional and stays. For anyone else entry fitness is her own base,
kept whatever the programme: sedentary people spread widely around the predicted norm, and
their absolute gains at the same relative intensity are unrelated to where they start (Skinner
et al. 2001; Bouchard et al. 1999), so a fit-for-age inactive or recreational person gains like
anyone else and never loses her entry fitness by training. The fast compartment sets Hickson et
al. (1981)'s half-time of about 10 days at a constant work rate and carries most of a recent
gain, lost in a month without training (Mujika & Padilla 2001); the slow one grows over months
through consolidation and decays over months, so a long-held gain is partly kept (Coyle et al.
1984). At a constant dose the gain keeps rising after two months, by about a sixth from week 8
to week 26 (lesson 11); more than that would keep part of an 8-week gain after 6 weeks off,
which Mujika & Padilla (2001) rule out.

**Resting HR** falls with the trained VO2max state, in proportion to how far the person's
resting HR sits above a trained floor of 40 min-1 (an assumption): ``HR0 - beta (G - G0)
(HR0 - 40) / 32``, beta = 0.9 min-1 per mL/kg/min at 72 min-1 (Kim, Kim & Shin 2002: -5 bpm
with +5.9 mL/kg/min; Lee et al. 2021: -2.8 bpm in walking programmes that gain about
+3 mL/kg/min, Murtagh et al. 2015).

**Resting pressure** falls by a full effect that grows smoothly with the distance above
normal, ``c (SBP0 - 105)^2`` and ``c' (DBP0 - 65)^2`` (fitted through Cornelissen & Smart
2013's hypertensive, prehypertensive and normotensive falls), reached at a rate set by the
dose: each session closes a share ``f h`` of the remaining gap (Meredith et al. 1990: most of
the fall by the 3rd session at 40 min, 60-70 %); after the last session it holds a week,
then decays (Meredith et al. 1990).

How sure each number is: the weighting (Morton et al. 1990) and the slow detraining time
constant (Coyle et al. 1984) are read from single studies; the ceiling, the rates, the fast
time constant and the session scale are fitted together to the literature's programme means
(``bench/fit_training_dose.py``); the form of the recent-load term and its 1-day constant, the
consolidation form, the 40-min-1 floor, the pressure references (105 / 65) and the age slope
of the ceiling are assumptions. Held out: HERITAGE's 20-week gain, Coyle et al. (1984)'s
detraining and the shape of DREW's dose-response (Church et al. 2007).

**The intensity floor** (:data:`THRESHOLD`, ``dose-response-threshold``, the default). With
Banister's weighting alone (:data:`DOSE`), DREW's gains at 50 % of peak VO2 (about 36 % of
the reserve) come out two to three times the published 4.2 / 6.0 / 8.2 % (11.0 / 16.6 /
20.1 %), while the same constants give older adults at 60-70 % of VO2max the gain of the
meta-analyses (Huang et al. 2005: +3.78 mL/kg/min). The cause is the weight of easy minutes:
``x a exp(b x)`` is still a third of its 70 % value at 36 %, and the concave session effect
lets a 64-min easy session equal a 30-min moderate one. The literature as a whole has gains
rising steeply with intensity over 35-70 % of the reserve (Huang et al. 2016: significant at
35-50 % of the HR reserve, largest at 66-73 %; Garber et al. 2011) and the lowest effective
intensity near 30 % of the reserve in the unfit (Swain & Franklin 2002). So in
``THRESHOLD`` a minute's weight is ``max(x - 0.25, 0) a exp(b x)``, the session rate and the
fast time constant refitted to the same calibration rows; DREW's level (5 / 7 / 9 %) is then
within the sampling error of its group means, and since the floor was chosen with it in view
its rows are calibration rows. Resting pressure keeps Banister's weighting (its fall with
training differs little by intensity; Cornelissen & Smart 2013).

References
----------
- Morton RH, Fitz-Clarke JR, Banister EW (1990). J Appl Physiol 69:1171-1177.
- Busso T (2003). Med Sci Sports Exerc 35:1188-1195 (variable dose-response).
- Church TS et al. (2007). JAMA 297:2081-2091 (DREW).
- Huang G, Gibson CA, Tran ZV, Osness WH (2005). Prev Cardiol 8:217-225 (older adults).
- Huang G et al. (2016). Eur J Prev Cardiol 23:518-529. doi:10.1177/2047487315582322
  (dose-response in sedentary older adults).
- Swain DP, Franklin BA (2002). Med Sci Sports Exerc 34:152-157.
- Wenger HA, Bell GJ (1986). Sports Med 3:346-356.
- Garber CE et al. (2011). Med Sci Sports Exerc 43:1334-1359 (ACSM position stand).
- Bouchard C et al. (1999). J Appl Physiol 87:1003-1008 (HERITAGE).
- Skinner JS et al. (2001). J Appl Physiol 90:1770-1776 (HERITAGE: baseline VO2max correlated
  nonsignificantly with the gain in 633 sedentary adults).
- Ross R et al. (2019). Br J Sports Med 53:1141-1153 (individual response).
- Hickson RC et al. (1981). Med Sci Sports Exerc 13:17-20.
- Coyle EF et al. (1984). J Appl Physiol 57:1857-1864 (time course of detraining).
- Mujika I, Padilla S (2000). Sports Med 30:79-87 and 30:145-154 (detraining).
- Mujika I, Padilla S (2001). Med Sci Sports Exerc 33:413-421.
- Kim, Kim & Shin (2002). J Korean Acad Rehabil Med 26:342.
- Lee LL et al. (2021). Cochrane Database Syst Rev CD008823 (walking for hypertension).
- Cornelissen VA, Smart NA (2013). J Am Heart Assoc 2:e004473. doi:10.1161/JAHA.112.004473
- Meredith IT et al. (1990). J Hypertens 8:859-866.
- Pescatello LS et al. (2015). Curr Hypertens Rep 17:87 (dose and individual response).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class DoseParameters:
    """The dose-response constants; each says where it comes from and how sure it is.

    trimp_men, trimp_women : Banister's intensity weighting ``x a exp(b x)``, (a, b): Morton,
        Fitz-Clarke & Banister (1990), read from the source's equations (firm).
    impulse_scale : T0, the session impulse at which a session's effect is 1 - 1/e of its
        most without recent load; fitted (``bench/fit_training_dose.py``; moderate).
    load_tau_days : the recent load's time constant, 1 d: a session counts less the day
        after another, so the response is concave in the week's load (after Busso 2003, whose
        form differs); chosen with T0 so that at equal weekly minutes five short sessions beat
        two long ones by about half rather than nearly double (an assumption; low confidence).
        0 switches the term off (the ``dose-response-saturating`` constants).
    ceiling_ml_kg_min : H at age 25, the asymptote of training's addition above the
        sedentary base for a person of average responsiveness; fitted, and poorly identified
        (low confidence): the programmes of the calibration set stay far below it, so it acts
        mostly through entry fitness (a fit person's trained state fills part of it) and age.
    ceiling_age_slope : the ceiling falls by this share per year after 25, never below
        ``ceiling_min_share``: an assumption following the ~1 %/year fall of VO2max with age,
        so absolute gains in older people are smaller (Huang et al. 2005 report smaller
        absolute gains in older adults).
    fast_tau_days : 13.5 d, fitted between Hickson et al. (1981)'s half-times of the rise
        (10.3 and 10.8 d) and the loss of a recent gain within 4-6 weeks (Mujika & Padilla
        2001: "completely lost after training stoppage periods longer than 4 wk") (moderate).
    slow_tau_days : 130 d, Coyle et al. (1984): a further 9 % of VO2max lost from day 21 to
        day 84 while still 17 % above sedentary (one study; moderate).
    fast_rate : share of the distance to the ceiling a session of full effect closes in the
        fast compartment; fitted with ``impulse_scale`` and the ceiling to Murtagh et al.
        (2015)'s walking programmes (+3.04 mL/kg/min in 12 weeks), Hickson et al. (1981)'s
        +23 % in 9 weeks and the two time courses (``bench/fit_training_dose.py``; moderate).
    slow_rate : the same for the slow compartment without consolidation, 0.0001 (an
        assumption; low confidence).
    consolidation_rate : k_c, the slow compartment's share per unit of the fast state held
        (as a share of the ceiling): fitted with the others so that the gain at a constant
        dose rises by about a sixth from week 8 to week 26 while a recent 8-week gain is
        still mostly gone 6 weeks after stopping (Mujika & Padilla 2001) (low confidence: no
        study measured the split).
    hr_rest_per_ml : beta above; hr_rest_floor_bpm, hr_rest_reference_bpm: 40 (assumption)
        and 72 min-1.
    sbp_curvature, dbp_curvature, sbp_normal, dbp_normal : the full pressure fall
        ``c (P0 - normal)^2``: through Cornelissen & Smart (2013)'s group means at about
        150/95, 128/82 and 115/75 mmHg (the group baselines are assumptions).
    bp_rate : share of the gap to the full fall closed by a session of full effect: 0.8, so a
        40-min session at 65 % of the reserve closes half (Meredith et al. 1990).
    bp_hold_days, bp_loss_tau_days : 7 and 7 d (Meredith et al. 1990).
    intensity_floor : the fraction of the reserve below which a minute adds nothing to the
        impulse, which then grows as ``(x - x0) a exp(b x)``: 0.25 in :data:`THRESHOLD`, just
        below the lowest intensity Swain & Franklin (2002) found effective in the unfit
        (about 30 % of the VO2 reserve; 45 % in those above 40 mL/kg/min), so that gains at
        35-50 % of the reserve are real but smaller than at 60-75 % (Huang et al. 2016 in
        older adults; Garber et al. 2011). 0 (the Banister weighting alone) in :data:`DOSE`
        and :data:`SATURATING`. Chosen among 0.2-0.3 with DREW's gains in view (Church et al.
        2007), so DREW's level is a calibration of it, not a held-out check (moderate).
    """

    trimp_men: tuple[float, float] = (0.64, 1.92)
    trimp_women: tuple[float, float] = (0.86, 1.67)
    impulse_scale: float = 25.0
    ceiling_ml_kg_min: float = 65.0
    ceiling_age_slope: float = 0.008
    ceiling_min_share: float = 0.4
    fast_tau_days: float = 13.5
    slow_tau_days: float = 130.0
    fast_rate: float = 0.018
    slow_rate: float = 0.0001
    consolidation_rate: float = 0.011
    load_tau_days: float = 1.0
    hr_rest_per_ml: float = 0.9
    hr_rest_floor_bpm: float = 40.0
    hr_rest_reference_bpm: float = 72.0
    sbp_curvature: float = 0.0041
    dbp_curvature: float = 0.0071
    sbp_normal: float = 105.0
    dbp_normal: float = 65.0
    bp_rate: float = 0.8
    bp_hold_days: float = 7.0
    bp_loss_tau_days: float = 7.0
    intensity_floor: float = 0.0


DOSE = DoseParameters()
#: The constants of the first dose-response model (``dose-response-saturating``): a session's
#: effect saturates at 20 impulse units and the slow compartment fills over years, so a gain
#: at a constant dose is complete within about eight weeks.
SATURATING = DoseParameters(impulse_scale=20.0, ceiling_ml_kg_min=70.0, fast_tau_days=16.0,
                            fast_rate=0.013, slow_rate=0.0001, consolidation_rate=0.0,
                            load_tau_days=0.0)
#: The constants of ``dose-response-threshold``: minutes below a quarter of the reserve add
#: nothing and the weight grows from there, so a long session at 35-40 % of the reserve no
#: longer makes up through its length for a shorter one at 55-75 %; the session rate and the
#: fast time constant refitted with it to the same calibration rows
#: (``bench/fit_training_dose.py threshold``), with the walking-cost person term in effect
#: (``[energy] walking_cost = "das-gupta-2019"``, the default: it raises the relative intensity
#: of the 45-year-olds of the Murtagh and Mujika rows; 0.021 and 16 d before it).
THRESHOLD = DoseParameters(intensity_floor=0.25, fast_rate=0.020, fast_tau_days=15.0)


def trimp_weight(reserve_frac: ArrayLike, female: ArrayLike,
                 params: DoseParameters = DOSE) -> np.ndarray:
    """Training impulse per minute at a fraction ``x`` of the reserve: ``x a exp(b x)``
    (Morton et al. 1990), or ``max(x - x0, 0) a exp(b x)`` with an intensity floor ``x0``
    (Swain & Franklin 2002; ``params.intensity_floor``).

    >>> trimp_weight([0.5, 0.7], False).round(3).tolist()
    [0.836, 1.718]
    >>> trimp_weight([0.2, 0.35, 0.7], True, THRESHOLD).round(3).tolist()
    [0.0, 0.154, 1.246]
    """
    x = np.asarray(reserve_frac, dtype=float)
    fem = np.asarray(female, dtype=bool)
    a = np.where(fem, params.trimp_women[0], params.trimp_men[0])
    b = np.where(fem, params.trimp_women[1], params.trimp_men[1])
    if params.intensity_floor > 0.0:
        return np.maximum(x - params.intensity_floor, 0.0) * a * np.exp(b * x)
    return x * a * np.exp(b * x)


def session_effect(impulse: ArrayLike, params: DoseParameters = DOSE,
                   recent: ArrayLike = 0.0) -> np.ndarray:
    """A session's effect [0-1] from its impulse ``T`` and the recent load ``L`` (the impulse
    of earlier sessions, fading; :func:`recent_load_decay`): ``1 - exp(-T / (T0 + L))``,
    concave in the session and in the weeks' load, never a step.

    >>> session_effect([0.0, 16.7, 68.6], SATURATING).round(3).tolist()
    [0.0, 0.566, 0.968]
    >>> session_effect(30.0, SATURATING, [0.0, 60.0]).round(3).tolist()
    [0.777, 0.313]
    """
    scale = params.impulse_scale + np.asarray(recent, dtype=float)
    return -np.expm1(-np.asarray(impulse, dtype=float) / scale)


def recent_load_decay(load: ArrayLike, days: ArrayLike, params: DoseParameters = DOSE
                      ) -> np.ndarray:
    """The recent load ``days`` after it was last set: ``L exp(-days / tau_L)`` (none when
    ``tau_L`` is 0).

    >>> recent_load_decay(100.0, 7.0, DoseParameters(load_tau_days=7.0)).round(2).tolist()
    36.79
    """
    load = np.asarray(load, dtype=float)
    if params.load_tau_days <= 0.0:
        return np.zeros_like(load * np.asarray(days, dtype=float))
    return load * np.exp(-np.asarray(days, dtype=float) / params.load_tau_days)


def ceiling(age_yr: ArrayLike, response: ArrayLike, params: DoseParameters = DOSE
            ) -> np.ndarray:
    """The most training adds above the sedentary base [mL/kg/min]: ``H r s(age)``.

    >>> ceiling([25.0, 70.0], 1.0).round(2).tolist()
    [65.0, 41.6]
    """
    share = np.maximum(1.0 - params.ceiling_age_slope
                       * np.maximum(np.asarray(age_yr, dtype=float) - 25.0, 0.0),
                       params.ceiling_min_share)
    return params.ceiling_ml_kg_min * share * np.asarray(response, dtype=float)


def entry_state(vo2max0: ArrayLike, sedentary: ArrayLike, top: ArrayLike,
                held: ArrayLike = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split entry VO2max into (base, fast, slow).

    For a person whose habitual training the programme stands for (``held``, a trained
    person: Coyle et al. 1984's athletes), the excess over the sedentary norm, up to her
    ceiling, is long-held trained state (the slow compartment) that decays when the programme
    does not keep it up; the rest is base. For anyone else the whole entry VO2max is her base:
    the norm is a prediction that sedentary people spread widely around, and their gains at
    the same relative intensity are unrelated to where they start (Skinner et al. 2001,
    HERITAGE; Bouchard et al. 1999), so her entry fitness neither fills the ceiling nor fades.

    >>> [x.round(2).tolist() for x in entry_state([50.0, 30.0], [40.0, 35.0], [25.0, 25.0])]
    [[40.0, 30.0], [0.0, 0.0], [10.0, 0.0]]
    >>> [x.round(2).tolist() for x in entry_state([50.0, 50.0], 40.0, 25.0, [True, False])]
    [[40.0, 50.0], [0.0, 0.0], [10.0, 0.0]]
    """
    v0 = np.asarray(vo2max0, dtype=float)
    trained = np.clip(v0 - np.asarray(sedentary, dtype=float), 0.0, np.asarray(top, float))
    trained = np.where(np.asarray(held, dtype=bool), trained, 0.0)
    return v0 - trained, np.zeros_like(trained), trained


def vo2max_after_session(fast: ArrayLike, slow: ArrayLike, top: ArrayLike, effect: ArrayLike,
                         params: DoseParameters = DOSE) -> tuple[np.ndarray, np.ndarray]:
    """The two trained compartments just after a session of effect ``h``: each closes its
    share of the distance left to the ceiling, ``room = max(C - G_fast - G_slow, 0)``: the
    fast one ``k_f h``, the slow one ``h (k_s + k_c G_fast / C)``, so what the slow
    compartment gains grows with the fast state already held (consolidation, ``k_c``).

    >>> [x.round(3).tolist() for x in vo2max_after_session(0.0, 0.0, 30.0, 1.0)]
    [0.54, 0.003]
    >>> [x.round(4).tolist() for x in vo2max_after_session(3.0, 0.0, 30.0, 1.0)]
    [3.486, 0.0324]
    """
    h = np.asarray(effect, dtype=float)
    c = np.asarray(top, dtype=float)
    f, s = np.asarray(fast, dtype=float), np.asarray(slow, dtype=float)
    room = h * np.maximum(c - f - s, 0.0)
    held = np.divide(f, c, out=np.zeros(np.broadcast(f, c).shape), where=c > 0.0)
    return (f + params.fast_rate * room,
            s + (params.slow_rate + params.consolidation_rate * held) * room)


def vo2max_decay(fast: ArrayLike, slow: ArrayLike, days: ArrayLike,
                 params: DoseParameters = DOSE) -> tuple[np.ndarray, np.ndarray]:
    """The trained compartments ``days`` after the last session: each decays on its own.

    >>> [x.round(3).tolist() for x in vo2max_decay(1.0, 1.0, 28.0)]
    [0.126, 0.806]
    """
    d = np.asarray(days, dtype=float)
    return (np.asarray(fast, dtype=float) * np.exp(-d / params.fast_tau_days),
            np.asarray(slow, dtype=float) * np.exp(-d / params.slow_tau_days))


def hr_rest(hr_rest0: ArrayLike, trained_change: ArrayLike,
            params: DoseParameters = DOSE) -> np.ndarray:
    """Resting HR [min-1] after a change of the trained VO2max state [mL/kg/min].

    >>> hr_rest([72.0, 56.0], 3.0).round(2).tolist()
    [69.3, 54.65]
    """
    hr0 = np.asarray(hr_rest0, dtype=float)
    room = np.maximum(hr0 - params.hr_rest_floor_bpm, 0.0) / (
        params.hr_rest_reference_bpm - params.hr_rest_floor_bpm)
    return hr0 - params.hr_rest_per_ml * room * np.asarray(trained_change, dtype=float)


def bp_full_fall(sbp: ArrayLike, dbp: ArrayLike, params: DoseParameters = DOSE
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The full fall of resting (systolic, diastolic) pressure [mmHg], smooth in baseline.

    >>> [x.round(2).tolist() for x in bp_full_fall([150.0, 128.0, 115.0], [95.0, 82.0, 75.0])]
    [[8.3, 2.17, 0.41], [6.39, 2.05, 0.71]]
    """
    s = np.maximum(np.asarray(sbp, dtype=float) - params.sbp_normal, 0.0)
    d = np.maximum(np.asarray(dbp, dtype=float) - params.dbp_normal, 0.0)
    return params.sbp_curvature * s ** 2, params.dbp_curvature * d ** 2


def bp_after_session(adaptation: ArrayLike, effect: ArrayLike,
                     params: DoseParameters = DOSE) -> np.ndarray:
    """Share of the full pressure fall just after a session: ``A + f h (1 - A)``.

    >>> bp_after_session([0.0, 0.5], 0.625).tolist()
    [0.5, 0.75]
    """
    a = np.asarray(adaptation, dtype=float)
    return a + params.bp_rate * np.asarray(effect, dtype=float) * (1.0 - a)


def bp_decay(adaptation: ArrayLike, days: ArrayLike, params: DoseParameters = DOSE
             ) -> np.ndarray:
    """Share of the fall left ``days`` after the last session: held a week, then decays.

    >>> bp_decay(1.0, [3.0, 14.0]).round(3).tolist()
    [1.0, 0.368]
    """
    late = np.maximum(np.asarray(days, dtype=float) - params.bp_hold_days, 0.0)
    return np.asarray(adaptation, dtype=float) * np.exp(-late / params.bp_loss_tau_days)
