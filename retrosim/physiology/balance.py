"""Balance and falls: balance levels and the Berg scale, perturbations, P(fall | perturbation).

A walker's balance is one of four levels, good / moderate / impaired / severe, or a Berg
Balance Scale score (0-56); the model works on the Berg scale (Muir et al. 2008: use the whole
scale). Walking produces perturbations (trips, missteps, belt speed changes the walker did not
expect, handrail slips) at a rate that grows with speed, grade, fatigue and inattention and is
higher backward; each becomes a fall with a probability set by balance, direction and support.

References
----------
Full entries in docs/references.md (berg-1992, muir-2008, jeon-2017, shumway-cook-1997,
barry-2014, fritz-2013, owings-2001, laufer-2005).

- Berg et al. 1992, Can J Public Health 83 Suppl 2:S7: bands 0-20 wheelchair / 21-40 walks
  with assistance / 41-56 independent.
- Muir et al. 2008, Phys Ther 88:449, doi:10.2522/ptj.20070251: cut-off <= 45 (sensitivity
  only 25 %; use the whole scale).
- Jeon & Kim 2017, J Phys Ther Sci 29:232, doi:10.1589/jpts.29.232: cut-off 40 (sensitivity
  0.82, specificity 0.67).
- Shumway-Cook et al. 1997, Phys Ther 77:812, doi:10.1093/ptj/77.8.812: logit(faller) =
  10.50 - 0.25 BBS + 1.95 history (coefficients unverified: used as a default slope, never as
  a test expectation).
- Barry et al. 2014, BMC Geriatr 14:14, doi:10.1186/1471-2318-14-14: Timed Up and Go >= 13.5 s.
- Fritz et al. 2013, Gait Posture 37:593, doi:10.1016/j.gaitpost.2012.09.022: backward walking
  speed < 0.6 m/s (all elderly fallers were below it).
- Perturbation studies (the sources of the trip and slip shares were not recorded; the
  belt-start share is Owings et al.'s): unexpected overground trip, 12.7 % falls (28 % counting
  harness assists); treadmill belt start 0 -> 0.89 m/s while standing, 35 % failed recoveries
  (Owings et al. 2001, Clin Biomech 16:813); first novel slip 43.8 %; first obstacle trip 48 %.
- Laufer 2005, J Gerontol A 60:627, doi:10.1093/gerona/60.5.627: backward gait is slower, with
  shorter strides and more double support. No study measures falls per hour of backward
  treadmill walking: the backward factors below are stated, tunable assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology import fall_covariates
from retrosim.physiology.energy import HANDRAIL_CODES
from retrosim.units import MPS_PER_MPH

BALANCE_LEVELS = ("good", "moderate", "impaired", "severe")

#: The sources of the balance and fall model, as a result's ``references`` lists them.
REFERENCES = (
    "Berg KO et al. (1992) Can J Public Health 83 Suppl 2:S7 (Berg Balance Scale bands)",
    "Muir SW et al. (2008) Phys Ther 88:449 (Berg cut-off 45)",
    "Jeon YJ, Kim GM (2017) J Phys Ther Sci 29:232 (Berg cut-off 40)",
    "Shumway-Cook A et al. (1997) Phys Ther 77:812 (Berg and falls, logistic slope)",
    "Barry E et al. (2014) BMC Geriatr 14:14 (Timed Up and Go 13.5 s)",
    "Fritz NE et al. (2013) Gait Posture 37:593 (backward walking speed 0.6 m/s)",
    "Owings TM et al. (2001) Clin Biomech 16:813 (treadmill belt start, 35 % falls)",
    "Laufer Y (2005) J Gerontol A 60:627 (backward gait)",
    "ISO 20957-6:2021 and EN 957-6 (tether release, latched emergency stop)",
)

#: Berg score bands of the four levels, inclusive. Severe and impaired are Berg et al. 1992's
#: "wheelchair" (0-20) and "walks with assistance" (21-40) bands, whose upper bound is also
#: Jeon & Kim 2017's cut-off of 40; Berg's "independent" band (41-56) is split at Muir et al.
#: 2008's cut-off (<= 45: moderate).
BERG_BANDS = {"good": (46, 56), "moderate": (41, 45), "impaired": (21, 40), "severe": (0, 20)}
#: The score a level stands for when no Berg score is given: the middle of its band.
BERG_OF_LEVEL = {level: (lo + hi) / 2.0 for level, (lo, hi) in BERG_BANDS.items()}
#: Timed Up and Go at or above which balance is at best moderate, s (Barry et al. 2014).
TUG_CUTOFF_S = 13.5
#: Backward walking speed below which balance is at best moderate, m s-1 (Fritz et al. 2013).
BACKWARD_SPEED_CUTOFF_MPS = 0.6

#: Perturbation kinds, in the order used throughout (codes index this tuple).
PERTURBATIONS = ("trip", "misstep", "belt-speed-change", "handrail-slip")
SUPPORTS = HANDRAIL_CODES          # the handrail support codes: none, light, grip


def level_from_berg(berg: ArrayLike) -> np.ndarray:
    """Balance level code (index into ``BALANCE_LEVELS``) of a Berg Balance Scale score.

    Bands (``BERG_BANDS``): 46-56 good, 41-45 moderate (Muir et al. 2008: <= 45), 21-40
    impaired (Berg et al. 1992 "walks with assistance"; Jeon & Kim 2017: 40), 0-20 severe
    (Berg et al. 1992 "wheelchair"). Scores between bands (non-integers) go to the worse one.

    Parameters: berg [points], 0-56. Returns: int8 codes, 0 good ... 3 severe.
    References: Berg et al. 1992; Muir et al. 2008; Jeon & Kim 2017 (module References).

    >>> level_from_berg([56, 46, 45.5, 41, 40, 21, 20, 0]).tolist()
    [0, 0, 1, 1, 2, 2, 3, 3]
    """
    b = np.asarray(berg, dtype=float)
    code = np.zeros(b.shape, dtype=np.int8)
    for level in BALANCE_LEVELS[:-1]:             # the bands' lower ends: 46, 41, 21
        code += b < BERG_BANDS[level][0]          # one step worse below each
    return code


def berg_from_level(level: ArrayLike) -> np.ndarray:
    """The Berg score a level code stands for: the middle of its band (``BERG_OF_LEVEL``).

    Parameters: level code [-], 0 good ... 3 severe. Returns: Berg score [points].
    References: the bands of :func:`level_from_berg` (Berg et al. 1992; Muir et al. 2008).

    >>> berg_from_level([0, 1, 2, 3]).tolist()
    [51.0, 43.0, 30.5, 10.0]
    """
    table = np.array([BERG_OF_LEVEL[level] for level in BALANCE_LEVELS])
    return table[np.asarray(level, dtype=int)]


def effective_berg(level: ArrayLike, berg: ArrayLike, tug_s: ArrayLike = np.nan,
                   backward_speed_mps: ArrayLike = np.nan) -> np.ndarray:
    """The Berg score the fall model uses, from every balance measure given.

    The Berg score when given (not NaN), else the middle of the level's band. A Timed Up and Go
    of 13.5 s or more (Barry et al. 2014) or a backward walking speed below 0.6 m/s (Fritz et
    al. 2013) marks balance as at best moderate: a better score is lowered to 43, the middle
    of the moderate band. NaN means "not measured".

    Parameters: level code [-]; berg [points] or NaN; tug_s [s] or NaN; backward_speed_mps
    [m s-1] or NaN. Returns: Berg score [points].
    References: Barry et al. 2014; Fritz et al. 2013 (module References).

    >>> effective_berg([0, 0, 0, 2], [np.nan, 52, 52, np.nan], [np.nan, 9.0, 14.0, 20.0]).tolist()
    [51.0, 52.0, 43.0, 30.5]
    >>> effective_berg(0, np.nan, backward_speed_mps=0.5).tolist()
    43.0
    """
    b = np.where(np.isnan(berg), berg_from_level(level), np.asarray(berg, dtype=float))
    slow = (np.asarray(tug_s, dtype=float) >= TUG_CUTOFF_S) | \
        (np.asarray(backward_speed_mps, dtype=float) < BACKWARD_SPEED_CUTOFF_MPS)
    return np.where(slow, np.minimum(b, BERG_OF_LEVEL["moderate"]), b)


@dataclass(frozen=True)
class FallParameters:
    """Parameters of the perturbation and fall model; each default names its source.

    Rates are per second of walking at the reference condition: forward, level, 3 mph
    (``REFERENCE_SPEED_MPS``), rested, attentive, no support, Berg 51 (``REFERENCE_BERG``, the
    middle of the good band, taken to stand for the community-dwelling older adults of the
    perturbation studies). The rates have no published source: they are assumptions, set so a
    healthy walker's risk per session is small (order 1 in 10,000) and change with the
    ``[falls]`` table (``docs/scenario-format.md``).

    model : "perturbations" (the defaults below), "perturbations-covariates" (with sex, fall
        history, speed and learning, and a Berg slope calibrated to training trials),
        "perturbations-entry" (the scenario default, ``DEFAULT_FALL_MODEL``: the entry Berg
        score at the cross-sectional slope, a change since entry at the trials' slope, sex and
        fall history centred) or "none" (no perturbations, no falls); ``FALL_PRESETS``.
    trip_rate_per_s, misstep_rate_per_s : trips (the toe catches) and missteps (a foot lands
        on the side rail or the belt's edge and slides) at the reference [s-1]; assumptions
        (0.002 and 0.0005 per hour).
    handrail_slip_rate_per_s : a hand slips off the rail, per second of holding it at the
        reference [s-1]; an assumption (0.0003 per hour).
    unexpected_per_mps : perturbations per m s-1 of belt speed change the walker did not
        expect, at the reference acceleration ``REFERENCE_ACCEL_MPS2``; the count scales with
        the acceleration over the reference (gentler ramps perturb less); an assumption
        (0.0002).
    speed_exponent : walking perturbations scale as (speed / 3 mph) ** speed_exponent; 1 (per
        distance walked) is an assumption.
    grade_gain : walking perturbations scale by (1 + grade_gain * grade); 4 (+20 % at 5 %) is an
        assumption.
    fatigue_gain : walking perturbations scale by (1 + fatigue_gain * VO2R fraction in use);
        1 (twice as many at VO2max) is an assumption.
    attention : 1 fully attentive; perturbations (including unexpected belt changes) scale by
        1 / attention; an assumption.
    backward_rate_ratio : walking perturbations backward / forward; no study measures it
        (Laufer 2005 describes the shorter strides and longer double support): 2, assumed.
    backward_fall_odds_ratio : odds of a fall after a perturbation, backward / forward; no
        study: 2, assumed.
    berg_rate_per_point, berg_log_odds_per_point : per Berg point below 51, the log of the
        perturbation rate and the log-odds of a fall per perturbation rise by these; together
        they make Shumway-Cook et al. 1997's slope of 0.25 per point (unverified), split 0.15 and
        0.10 (an assumption). The belt-speed-change rate does not depend on balance.
    trip_fall, misstep_fall, speed_change_fall, handrail_slip_fall : P(fall | perturbation) at
        the reference: 0.127 (unexpected overground trip), 0.438 (first novel slip), 0.35
        (treadmill belt start while standing, Owings et al. 2001); a handrail slip has no
        study and takes the trip's value (an assumption).
    light_arrest, grip_arrest : the share of would-be falls that a light touch on / a grip of
        the handrail arrests (not for a handrail slip); no study gives it ("holding the
        handrail raises anteroposterior stability"): 0.4 and 0.8, assumed.
    walker_position_frac : where the walker's tether clip usually is, as a fraction of the deck
        length from its front; 0.4, an assumption.
    female_fall_odds_ratio, history_fall_odds_ratios, speed_log_odds_per_mps, learning_floor,
        learning_scale : the covariates of :mod:`retrosim.physiology.fall_covariates` (sex,
        one / two or more falls in the past year, belt speed, learning from earlier
        perturbations); neutral (1, (1, 1), 0, 1) except in the covariate models
        (``FALL_PRESETS``).
    female_share, history_prevalence : the share of women and of people with one / two or
        more falls in the past year in the population the Berg level stands for; sex and fall
        history are centred on them (:func:`~retrosim.physiology.fall_covariates.
        population_log_odds`); 0 (not centred) except in "perturbations-entry".
    berg_change_per_point : None (the Berg score of the day sets the risk, between people and
        over a programme alike), or the total log-hazard slope of a change of Berg since the
        entry score, on the rate of walking perturbations
        (:func:`~retrosim.physiology.fall_covariates.rate_berg`): 0.078 in
        "perturbations-entry", from training trials.
    stumble_drift_s : mean time a recovering walker is carried back by the belt before they
        regain their stride (exponentially distributed) [s]; 0.15, an assumption. A drift past
        the tether's release point pulls the safety key.
    """

    model: str = "perturbations"
    trip_rate_per_s: float = 0.002 / 3600.0
    misstep_rate_per_s: float = 0.0005 / 3600.0
    handrail_slip_rate_per_s: float = 0.0003 / 3600.0
    unexpected_per_mps: float = 0.0002
    speed_exponent: float = 1.0
    grade_gain: float = 4.0
    fatigue_gain: float = 1.0
    attention: float = 1.0
    backward_rate_ratio: float = 2.0
    backward_fall_odds_ratio: float = 2.0
    berg_rate_per_point: float = 0.15
    berg_log_odds_per_point: float = 0.10
    trip_fall: float = 0.127
    misstep_fall: float = 0.438
    speed_change_fall: float = 0.35
    handrail_slip_fall: float = 0.127
    light_arrest: float = 0.4
    grip_arrest: float = 0.8
    walker_position_frac: float = 0.4
    stumble_drift_s: float = 0.15
    female_fall_odds_ratio: float = 1.0
    history_fall_odds_ratios: tuple[float, float] = (1.0, 1.0)
    speed_log_odds_per_mps: float = 0.0
    learning_floor: float = 1.0
    learning_scale: float = 2.0
    female_share: float = 0.0
    history_prevalence: tuple[float, float] = (0.0, 0.0)
    berg_change_per_point: float | None = None

    @property
    def covariates(self) -> bool:
        """Whether the covariates of :mod:`retrosim.physiology.fall_covariates` apply."""
        return self.model in COVARIATE_MODELS

    @property
    def fall_at_reference(self) -> np.ndarray:
        """P(fall | perturbation) at the reference, by kind (``PERTURBATIONS`` order)."""
        return np.array([self.trip_fall, self.misstep_fall, self.speed_change_fall,
                         self.handrail_slip_fall])

    @property
    def arrest(self) -> np.ndarray:
        """Share of would-be falls the handrail arrests, by support code (none, light, grip)."""
        return np.array([0.0, self.light_arrest, self.grip_arrest])


#: The models in which the covariates of :mod:`retrosim.physiology.fall_covariates` apply.
COVARIATE_MODELS = ("perturbations-covariates", "perturbations-entry")
FALL_PARAMETERS = FallParameters()
_K = fall_covariates.CALIBRATED_BERG_SLOPE
_COVARIATES = dict(female_fall_odds_ratio=fall_covariates.FEMALE_ODDS_RATIO,
                   history_fall_odds_ratios=fall_covariates.HISTORY_ODDS_RATIOS,
                   speed_log_odds_per_mps=1.0, learning_floor=0.71, learning_scale=2.0)
#: The fall models by name, each the parameters it starts from (a ``[falls]`` table changes
#: them): "perturbations" as above; "perturbations-covariates" adds sex, fall history, speed
#: and learning (:mod:`retrosim.physiology.fall_covariates`) and shrinks the Berg slope to
#: 0.078 per point in total, split as the default's 0.15 : 0.10, between people too;
#: "perturbations-entry" (the default) keeps Shumway-Cook et al. 1997's slope for the entry
#: Berg score, gives a change of Berg since entry the trials' 0.078 per point, and centres sex
#: and fall history on their prevalence.
FALL_PRESETS = {
    "perturbations": FALL_PARAMETERS,
    "perturbations-covariates": FallParameters(
        model="perturbations-covariates", berg_rate_per_point=0.6 * _K,
        berg_log_odds_per_point=0.4 * _K, **_COVARIATES),   # type: ignore[arg-type]
    "perturbations-entry": FallParameters(
        model="perturbations-entry", female_share=fall_covariates.FEMALE_SHARE,
        history_prevalence=fall_covariates.HISTORY_PREVALENCE, berg_change_per_point=_K,
        **_COVARIATES),                                     # type: ignore[arg-type]
    "none": FallParameters(model="none"),
}
#: The fall model of a scenario with no ``[falls] model``.
DEFAULT_FALL_MODEL = "perturbations-entry"
#: What a reader of each fall model's numbers should keep in mind (a report prints the caveat
#: of the model a run used).
FALL_CAVEATS = {
    "perturbations": "Perturbation rates and fall probabilities by Berg score (Shumway-Cook "
                     "et al. 1997's slope); no study measures falls per hour of backward "
                     "treadmill walking.",
    "perturbations-covariates": "Perturbation rates and fall probabilities by Berg score, with "
                                "fall history (Deandrea et al. 2010), sex, belt speed and "
                                "learning from earlier perturbations (Mansfield et al. 2015) "
                                "in the odds of a fall, the Berg slope calibrated to "
                                "balance-training trials; the sizes of the sex and speed terms "
                                "and the pace of learning are assumptions (the run's "
                                "references list them).",
    "perturbations-entry": "Perturbation rates and fall probabilities by the entry Berg score "
                           "(Shumway-Cook et al. 1997's cross-sectional slope), a change of "
                           "Berg since entry at the slope of balance-training trials (0.078 "
                           "per point), with fall history (Deandrea et al. 2010) and sex "
                           "centred on their prevalence (an assumption), belt speed and "
                           "learning from earlier perturbations (Mansfield et al. 2015); the "
                           "history odds ratios are not adjusted for balance, so part of their "
                           "effect may be counted twice (the run's references list the "
                           "assumptions).",
    "none": "No perturbations and no falls are simulated.",
}
#: The reference condition of the rates: 3 mph [m s-1], the acceleration of a belt speed change
#: [m s-2] (the plant's default forward limit) and the Berg score of the perturbation studies.
REFERENCE_SPEED_MPS = 3.0 * MPS_PER_MPH
REFERENCE_ACCEL_MPS2 = 0.2
REFERENCE_BERG = BERG_OF_LEVEL["good"]


def walking_exposure(speed_mps: ArrayLike, grade_frac: ArrayLike, backward: ArrayLike,
                     vo2r_frac: ArrayLike, berg: ArrayLike,
                     params: FallParameters = FALL_PARAMETERS) -> np.ndarray:
    """How many times the reference rate of walking perturbations applies [-].

    ``(v / v_ref)**a * (1 + g_gain G) * (1 + f_gain F) * r_back**backward
    * exp(k (51 - berg)) / attention``, with v_ref = 3 mph, G the grade fraction, F the
    fraction of the VO2 reserve in use (0-1) and k = ``berg_rate_per_point``. Zero at rest.

    Parameters: speed_mps [m s-1] >= 0; grade_frac [-]; backward [bool]; vo2r_frac [-];
    berg [points]. Returns: exposure [-], 1 at the reference condition.
    References: the assumptions of :class:`FallParameters`; Berg slope from Shumway-Cook et
    al. 1997 (unverified).

    >>> float(walking_exposure(REFERENCE_SPEED_MPS, 0.0, False, 0.0, 51.0))
    1.0
    >>> round(float(walking_exposure(REFERENCE_SPEED_MPS, 0.05, True, 0.5, 51.0)), 6)
    3.6
    """
    p = params
    speed = np.asarray(speed_mps, dtype=float) / REFERENCE_SPEED_MPS
    walking = speed ** p.speed_exponent if p.speed_exponent != 1.0 else speed
    walking = walking * (1.0 + p.grade_gain * np.asarray(grade_frac, dtype=float)) \
        * np.where(backward, p.backward_rate_ratio, 1.0)
    person = np.exp(p.berg_rate_per_point * (REFERENCE_BERG - np.asarray(berg, dtype=float))) \
        / p.attention
    fatigue = np.clip(vo2r_frac, 0.0, 1.0)
    fatigue *= p.fatigue_gain
    fatigue += 1.0
    return walking * person * fatigue


def unexpected_speed_change_rate(accel_mps2: ArrayLike,
                                 params: FallParameters = FALL_PARAMETERS) -> np.ndarray:
    """Rate of perturbations from belt speed changes the walker did not expect [s-1].

    ``u |a| (|a| / a_ref) / attention``: ``u`` perturbations per m s-1 of speed change at the
    reference acceleration a_ref = 0.2 m s-2, more per m s-1 on a steeper ramp. Over a ramp
    of constant acceleration the expected count is ``u |dv| |a| / a_ref / attention``.

    Parameters: accel_mps2 [m s-2]. Returns: rate [s-1].
    References: an assumption of :class:`FallParameters`; the perturbation it stands for is
    Owings et al. 2001's unexpected belt start.

    >>> round(float(unexpected_speed_change_rate(0.2)) * 5.0, 12)    # 0 -> 1 m/s at 0.2 m/s2
    0.0002
    """
    a = np.abs(np.asarray(accel_mps2, dtype=float))
    return params.unexpected_per_mps * a * (a / REFERENCE_ACCEL_MPS2) / params.attention


def fall_probability(kind: int, berg: ArrayLike, backward: ArrayLike, support: ArrayLike,
                     params: FallParameters = FALL_PARAMETERS,
                     extra_log_odds: ArrayLike | None = None) -> np.ndarray:
    """P(fall | perturbation of ``kind``) for a walker [-].

    ``(1 - arrest[support]) * logistic(logit p_ref + b (51 - berg) + ln(OR_back) backward)``:
    p_ref is the perturbation studies' value for the kind at the reference (trip 0.127,
    novel slip 0.438: sources not recorded; unexpected belt start 0.35: Owings et al.
    2001); b = ``berg_log_odds_per_point`` (0.10 of Shumway-Cook et al. 1997's 0.25 per
    point, unverified); OR_back = ``backward_fall_odds_ratio`` (no study: assumed); a light
    touch or a grip of the handrail arrests a share of would-be falls (assumed), except when
    the perturbation is the hand slipping off the rail.

    Parameters: kind, an index into ``PERTURBATIONS``; berg [points]; backward [bool];
    support code [-] (0 none, 1 light, 2 grip); extra_log_odds [-], added to the logit (the
    covariates of :mod:`retrosim.physiology.fall_covariates`), or None. Returns: probability
    [-].
    References: Owings et al. 2001, Clin Biomech 16:813 (belt start); Shumway-Cook et al.
    1997, Phys Ther 77:812 (slope); Laufer 2005, J Gerontol A 60:627 (the backward
    assumption).

    >>> round(float(fall_probability(0, 51.0, False, 0)), 3)    # trip, reference walker
    0.127
    >>> round(float(fall_probability(2, 51.0, False, 0)), 2)    # Owings et al. 2001
    0.35
    >>> fall_probability(0, [51.0, 43.0, 30.5, 10.0], True, 0).round(2).tolist()
    [0.23, 0.39, 0.69, 0.95]
    """
    p_ref = params.fall_at_reference[kind]
    logit = np.log(p_ref / (1.0 - p_ref)) \
        + params.berg_log_odds_per_point * (REFERENCE_BERG - np.asarray(berg, dtype=float)) \
        + np.log(params.backward_fall_odds_ratio) * np.asarray(backward, dtype=float)
    if extra_log_odds is not None:
        logit = logit + extra_log_odds
    p = 1.0 / (1.0 + np.exp(-logit))
    if PERTURBATIONS[kind] == "handrail-slip":
        return p
    return p * (1.0 - params.arrest[np.asarray(support, dtype=int)])
