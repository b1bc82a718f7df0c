"""The covariate fall model's pieces: direction and shape of each effect, published values,
and the Berg slope against training trials."""

import dataclasses

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from retrosim.model.options import fall_parameters
from retrosim.physiology import balance, fall_covariates
from retrosim.physiology.balance import FALL_PRESETS

COVARIATES = FALL_PRESETS["perturbations-covariates"]


def trip_rate(berg, params):
    """Falls per second after trips at the reference condition, as the model computes it."""
    exposure = balance.walking_exposure(balance.REFERENCE_SPEED_MPS, 0.0, False, 0.0, berg,
                                        params)
    return params.trip_rate_per_s * exposure * balance.fall_probability(0, berg, False, 0,
                                                                        params)


def test_deandrea_2010_odds_ratios_of_fall_history():
    odds = np.exp(fall_covariates.person_log_odds(False, [0, 1, 2, 7],
                                                  history_odds_ratios=(2.8, 3.5)))
    assert odds.tolist() == [1.0, 2.8, 3.5, 3.5]


@given(st.integers(0, 50), st.integers(0, 50), st.booleans())
def test_more_falls_last_year_never_lower_the_odds(a, b, female):
    lo, hi = sorted((a, b))
    x = fall_covariates.person_log_odds(female, [lo, hi])
    assert x[0] <= x[1]


def test_women_have_higher_odds_than_men():
    x = fall_covariates.person_log_odds([False, True], 0)
    assert x[1] > x[0] == 0.0


@given(st.floats(0.0, 3.0), st.floats(0.0, 3.0), st.floats(0.0, 56.0))
def test_p_fall_rises_with_speed_and_stays_a_probability(v1, v2, berg):
    lo, hi = sorted((v1, v2))
    extra = fall_covariates.speed_log_odds([lo, hi], balance.REFERENCE_SPEED_MPS)
    p = balance.fall_probability(0, berg, False, 0, COVARIATES, extra)
    assert 0.0 <= p[0] <= p[1] <= 1.0


@given(st.floats(0.0, 1e4), st.floats(0.0, 1e4))
def test_learning_never_raises_the_factor_and_is_bounded(n1, n2):
    lo, hi = sorted((n1, n2))
    f = fall_covariates.learning_factor([lo, hi])
    assert 0.71 <= f[1] <= f[0] <= 1.0


def test_a_first_perturbation_is_unlearned_and_many_reach_mansfield_2015():
    f = fall_covariates.learning_factor([0.0, 1e6])
    assert f[0] == 1.0 and f[1] == 0.71


def test_a_few_berg_points_cut_risk_as_trials_show_not_more():
    """Sherrington et al. 2019: balance training cuts the rate of falls to 0.76; Howe et al.
    2011: about 3.5 Berg points. The "perturbations" model's cross-sectional slope cuts far
    more."""
    gain = fall_covariates.TRIAL_BERG_GAIN
    ratio = trip_rate(40.0 + gain, COVARIATES) / trip_rate(40.0, COVARIATES)
    old = trip_rate(40.0 + gain, FALL_PRESETS["perturbations"]) / \
        trip_rate(40.0, FALL_PRESETS["perturbations"])
    assert abs(ratio - 0.76) <= 0.03
    assert old < 0.5


@given(st.floats(0.0, 52.0), st.floats(0.1, 4.0))
def test_risk_still_falls_as_balance_improves(berg, gain):
    assert trip_rate(berg + gain, COVARIATES) < trip_rate(berg, COVARIATES)


def test_the_perturbations_model_has_no_covariates():
    p = FALL_PRESETS["perturbations"]
    assert not p.covariates and p.learning_floor == 1.0 and p.speed_log_odds_per_mps == 0.0
    assert dataclasses.replace(p, model="perturbations-covariates").covariates


def test_the_default_is_the_entry_model():
    """A ``[falls]`` table without ``model`` is "perturbations-entry"; a bare FallParameters
    keeps the "perturbations" values it always had."""
    assert fall_parameters({}) == FALL_PRESETS["perturbations-entry"]
    assert balance.FallParameters() == FALL_PRESETS["perturbations"]


ENTRY = FALL_PRESETS["perturbations-entry"]


def entry_rate(berg, entry):
    """:func:`trip_rate` of the entry model: the rate at the rate's Berg score, P(fall) at
    the entry score."""
    p = ENTRY
    rate = fall_covariates.rate_berg(berg, entry, p.berg_change_per_point, p.berg_rate_per_point)
    exposure = balance.walking_exposure(balance.REFERENCE_SPEED_MPS, 0.0, False, 0.0, rate, p)
    return p.trip_rate_per_s * exposure * balance.fall_probability(
        0, fall_covariates.entry_score(berg, entry), False, 0, p)


@given(st.floats(0.0, 56.0))
def test_the_entry_score_acts_at_the_cross_sectional_slope(berg):
    """With no change since entry the Berg terms are the "perturbations" model's, bit for
    bit (Shumway-Cook et al. 1997's slope between people)."""
    assert entry_rate(berg, berg) == trip_rate(berg, FALL_PRESETS["perturbations"])
    assert entry_rate(berg, np.nan) == trip_rate(berg, FALL_PRESETS["perturbations"])


@given(st.floats(0.0, 52.0), st.floats(-10.0, 4.0))
def test_a_change_since_entry_acts_at_the_trials_slope(entry, change):
    """Sherrington et al. 2019: 0.76 for Howe et al. 2011's 3.5 points, from any entry score
    (exp(-0.078 per point of change))."""
    ratio = entry_rate(entry + change, entry) / entry_rate(entry, entry)
    assert np.isclose(ratio, 0.76 ** (change / 3.5), rtol=1e-9)


def test_sex_and_fall_history_are_centred_on_the_population():
    """Weighted by the population's shares (50 % women; 15 % one fall, 15 % two or more:
    Tinetti et al. 1988's 32 % taken as 30 %), the odds ratios average exactly 1; a man with no
    fall is below, a woman with two above."""
    share, (p1, p2) = ENTRY.female_share, ENTRY.history_prevalence
    centre = fall_covariates.population_log_odds(share, (p1, p2))
    odds = np.exp(fall_covariates.person_log_odds(
        [False] * 3 + [True] * 3, [0, 1, 2] * 2) - centre)
    weights = (np.array([1 - share, share])[:, None] * np.array([1 - p1 - p2, p1, p2])).ravel()
    assert abs(float(weights @ odds) - 1.0) < 1e-12
    assert odds[0] < 1.0 < odds[-1]
    assert round(float(odds[0]), 3) == round(1 / (1.25 * 1.645), 3)
