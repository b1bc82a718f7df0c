"""Balance levels and the Berg scale, and the pure perturbation and fall-probability models."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrosim import InputError
from retrosim.model import subject
from retrosim.model.options import fall_parameters
from retrosim.physiology import balance
from retrosim.physiology.balance import (
    BALANCE_LEVELS,
    FALL_PARAMETERS,
    PERTURBATIONS,
    berg_from_level,
    effective_berg,
    fall_probability,
    level_from_berg,
    walking_exposure,
)

GOOD, MODERATE, IMPAIRED, SEVERE = range(4)
TRIP, MISSTEP, BELT, SLIP = (PERTURBATIONS.index(k) for k in PERTURBATIONS)


def test_levels_are_the_subjects_levels():
    assert BALANCE_LEVELS == subject.BALANCE_LEVELS
    assert balance.SUPPORTS == subject.HANDRAIL_LEVELS


@pytest.mark.parametrize("berg, level", [
    (56, GOOD), (46, GOOD),
    (45, MODERATE), (41, MODERATE),      # Muir et al. 2008: <= 45; Berg 1992: 41-56 independent
    (40, IMPAIRED), (21, IMPAIRED),      # Berg 1992: 21-40 walks with assistance; Jeon & Kim: 40
    (20, SEVERE), (0, SEVERE),           # Berg 1992: 0-20 wheelchair
])
def test_berg_cut_offs_berg_1992_muir_2008_jeon_kim_2017(berg, level):
    assert level_from_berg(berg) == level


@given(st.integers(0, 56))
def test_a_berg_score_maps_to_a_level_whose_score_is_in_the_same_band(berg):
    level = int(level_from_berg(berg))
    lo, hi = balance.BERG_BANDS[BALANCE_LEVELS[level]]
    assert lo <= berg <= hi
    assert level_from_berg(berg_from_level(level)) == level


def test_timed_up_and_go_barry_2014_and_backward_speed_fritz_2013():
    """TUG >= 13.5 s or backward walking below 0.6 m/s: at best moderate balance."""
    nan = np.nan
    got = effective_berg([GOOD, GOOD, GOOD, GOOD, IMPAIRED, GOOD],
                         [nan, nan, 54, nan, nan, 44],
                         [13.49, 13.5, 20.0, nan, 20.0, 20.0],
                         [nan, nan, nan, 0.59, 0.3, nan])
    assert got.tolist() == [51.0, 43.0, 43.0, 43.0, 30.5, 43.0]
    assert effective_berg(GOOD, nan, nan, 0.6) == 51.0


def test_the_reference_walker_falls_as_in_the_perturbation_studies():
    """Good balance, forward, no support: a trip 12.7 %, a novel slip 43.8 %, an unexpected
    treadmill belt start 35 % (Owings et al. 2001)."""
    p = [float(fall_probability(k, balance.REFERENCE_BERG, False, 0)) for k in range(4)]
    assert p[TRIP] == pytest.approx(0.127, rel=1e-12)
    assert p[MISSTEP] == pytest.approx(0.438, rel=1e-12)
    assert p[BELT] == pytest.approx(0.35, rel=1e-12)


def test_the_reference_condition_has_exposure_one_and_rest_has_none():
    ref = walking_exposure(balance.REFERENCE_SPEED_MPS, 0.0, False, 0.0, balance.REFERENCE_BERG)
    assert ref == pytest.approx(1.0, rel=1e-12)
    assert walking_exposure(0.0, 0.1, True, 0.9, 10.0) == 0.0


@settings(max_examples=200, deadline=None)
@given(kind=st.integers(0, 3), berg=st.floats(0, 56), worse=st.floats(0, 20),
       backward=st.booleans(), support=st.integers(0, 2))
def test_fall_probability_rises_as_balance_worsens_and_backward_and_falls_with_support(
        kind, berg, worse, backward, support):
    p = float(fall_probability(kind, berg, backward, support))
    assert 0.0 < p < 1.0
    assert float(fall_probability(kind, max(berg - worse, 0), backward, support)) >= p
    assert float(fall_probability(kind, berg, True, support)) >= \
        float(fall_probability(kind, berg, False, support))
    if support < 2:
        assert float(fall_probability(kind, berg, backward, support + 1)) <= p


@settings(max_examples=200, deadline=None)
@given(speed=st.floats(0, 2.5), faster=st.floats(0, 1), grade=st.floats(0, 0.15),
       steeper=st.floats(0, 0.05), vo2r=st.floats(0, 1), tired=st.floats(0, 0.5),
       berg=st.floats(0, 56), worse=st.floats(0, 20), backward=st.booleans())
def test_walking_exposure_never_falls_with_speed_grade_fatigue_direction_or_worse_balance(
        speed, faster, grade, steeper, vo2r, tired, berg, worse, backward):
    e = float(walking_exposure(speed, grade, backward, vo2r, berg))
    assert e >= 0
    assert float(walking_exposure(speed + faster, grade, backward, vo2r, berg)) >= e
    assert float(walking_exposure(speed, grade + steeper, backward, vo2r, berg)) >= e
    assert float(walking_exposure(speed, grade, backward, vo2r + tired, berg)) >= e
    assert float(walking_exposure(speed, grade, True, vo2r, berg)) >= e
    assert float(walking_exposure(speed, grade, backward, vo2r, max(berg - worse, 0))) >= e


def test_holding_the_rail_lowers_the_fall_rate_despite_handrail_slips():
    """With the default rates, what a light touch or a grip arrests outweighs the slips it
    adds, at every balance level and in both directions (the condition the docs state)."""
    p = FALL_PARAMETERS

    def rate(berg, backward, support):
        q = [float(fall_probability(k, berg, backward, support)) for k in range(4)]
        slip = p.handrail_slip_rate_per_s * (support > 0)
        return p.trip_rate_per_s * q[TRIP] + p.misstep_rate_per_s * q[MISSTEP] + slip * q[SLIP]

    for berg in (56, 51, 43, 30.5, 10, 0):
        for backward in (False, True):
            assert rate(berg, backward, 0) > rate(berg, backward, 1) > rate(berg, backward, 2)


def test_an_unexpected_belt_change_counts_per_speed_change_and_acceleration():
    """Over a ramp at constant acceleration a the expected count is u |dv| a / a_ref."""
    u = FALL_PARAMETERS.unexpected_per_mps
    for a in (0.1, 0.2, 0.4):
        ramp_s = 1.2 / a
        count = float(balance.unexpected_speed_change_rate(a)) * ramp_s
        assert count == pytest.approx(u * 1.2 * a / balance.REFERENCE_ACCEL_MPS2, rel=1e-12)


def test_falls_table_converts_units_at_the_edge():
    p = fall_parameters({"trips_per_h": 0.36, "trip_fall_pct": 28,
                                  "walker_position_pct": 30, "model": "none"})
    assert p.trip_rate_per_s == pytest.approx(1e-4) and p.trip_fall == pytest.approx(0.28)
    assert p.walker_position_frac == pytest.approx(0.3) and p.model == "none"


@pytest.mark.parametrize("table, key, allowed", [
    ({"trips_per_hour": 1}, "trips_per_hour", "trips_per_h"),
    ({"model": "magic"}, "model",
     "perturbations | perturbations-covariates | perturbations-entry | none"),
    ({"attention": 0}, "attention", "0.1-1"),
    ({"backward_rate_ratio": 0.5}, "backward_rate_ratio", "1-20"),
    ({"trip_fall_pct": 100}, "trip_fall_pct", "0.1-99.9 %"),
    ({"grip_arrest_pct": 10, "light_arrest_pct": 50}, "grip_arrest_pct", ">= light_arrest_pct"),
    ({"stumble_drift_s": "long"}, "stumble_drift_s", "0.01-5 s"),
])
def test_bad_falls_keys_get_one_line_errors(table, key, allowed):
    with pytest.raises(InputError) as err:
        fall_parameters(table)
    assert err.value.key == key and allowed in str(err.value) and "\n" not in str(err.value)
