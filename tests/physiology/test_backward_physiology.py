"""Backward walking's heart rate, EPOC's slow component, PEH by relative intensity and the
energy models' source conditions: published values and exact properties."""

import numpy as np
import pytest

from retrosim.physiology import energy, heart, hypotension, oxygen, peh_models
from retrosim.units import mph_to_mps

KC = heart.KIM_CHOI_2001_HR
#: Kim & Choi 2001's maxima, derived from their own percentages (VO2 / %VO2max, HR / %HRmax).
KC_VO2MAX = float(np.mean([v / p * 100 for v, p, _, _ in KC.values()]))
KC_HRMAX = float(np.mean([h / p * 100 for _, _, h, p in KC.values()]))


# --- Heart rate ------------------------------------------------------------------------------

@pytest.mark.parametrize(("pct_vo2max", "pct_hrmax"), heart.SWAIN_1994_POINTS)
def test_swain_1994_points_are_reproduced(pct_vo2max, pct_hrmax):
    assert heart.swain_1994_percent_hrmax(pct_vo2max, 8.0, 35.0) == pytest.approx(pct_hrmax)


def test_swain_1994_joins_rest_and_never_goes_below_it():
    assert heart.swain_1994_percent_hrmax(8.0, 8.0, 35.0) == pytest.approx(35.0)
    assert heart.swain_1994_percent_hrmax(2.0, 8.0, 35.0) == pytest.approx(35.0)
    # a resting HR above 63 %HRmax: flat at rest until the published line passes it
    assert heart.swain_1994_percent_hrmax([20.0, 60.0], 8.0, 70.0).tolist() == [70.0, 76.0]


@pytest.mark.parametrize("way", ["forward", "backward"])
def test_kim_choi_2001_heart_rates_within_10_bpm_at_their_vo2(way):
    vo2, _, hr, _ = KC[way]
    model = heart.swain_1994_backward_hr(vo2, 3.5, KC_VO2MAX, 70.0, KC_HRMAX,
                                         1 if way == "forward" else -1)
    assert abs(float(model) - hr) <= 10.0


def test_the_old_relation_was_short_by_more_than_10_bpm_backward():
    vo2, _, hr, _ = KC["backward"]
    old = heart.HR_MODELS["swain-1998-hrr"](vo2, 3.5, KC_VO2MAX, 70.0, KC_HRMAX, -1)
    assert hr - float(old) > 10.0


def test_backward_excess_shrinks_with_practice_as_heath_2001_reports():
    novice, practised = heart.backward_excess([0.0, heart.HEATH_2001_PRACTICE_MIN])
    removed_bpm = float(novice - practised) / 100 * KC_HRMAX
    low, high = heart.HEATH_2001_EXCESS_REMOVED_BPM
    assert low <= removed_bpm <= high
    assert practised < novice


def test_backward_excess_is_zero_at_rest_and_forward():
    assert float(heart.backward_excess(0.0, 0.0)) == 0.0
    fwd = heart.swain_1994_backward_hr(15.0, 3.5, 40.0, 70.0, 190.0, 1, 0.0)
    assert fwd == heart.swain_1994_backward_hr(15.0, 3.5, 40.0, 70.0, 190.0, 1, 1e4)
    assert heart.swain_1994_backward_hr(3.5, 3.5, 40.0, 70.0, 190.0, -1) == 70.0


def test_backward_heart_rate_never_exceeds_hrmax():
    assert heart.swain_1994_backward_hr(60.0, 3.5, 40.0, 70.0, 190.0, -1) == 190.0


# --- EPOC's slow component -------------------------------------------------------------------

def test_bahr_1987_fraction_at_70_pct_and_proportional_to_duration():
    cost = 28.0 * 20.0
    v20, v40, v80 = oxygen.epoc_slow_volume([cost, 2 * cost, 4 * cost], 0.70)
    assert v20 / cost == pytest.approx(0.152)
    assert (v40 / v20, v80 / v20) == pytest.approx((2.0, 4.0))


def test_epoc_after_30_min_at_70_pct_is_of_the_order_of_ten_kcal_and_grows_with_intensity():
    # 70 kg, VO2max 40: 30 min at 28 mL/kg/min; kcal at 5 kcal per L O2
    kcal = 5.0 * 70.0 / 1000.0 * oxygen.epoc_slow_volume(28.0 * 30, 0.70)
    assert 10.0 <= kcal <= 60.0
    lower = 5.0 * 70.0 / 1000.0 * oxygen.epoc_slow_volume(16.0 * 30, 0.40)
    assert lower < kcal


@pytest.mark.parametrize(("sex", "female"), [("men", False), ("women", True)])
def test_smith_mcnaughton_1993_durations_are_three_time_constants(sex, female):
    d = oxygen.SMITH_MCNAUGHTON_1993_MIN
    tau = oxygen.epoc_slow_tau_s(d["intensity"], female)
    np.testing.assert_allclose(3 * tau / 60, d[sex])


def test_epoc_slow_uptake_integrates_to_its_volume_exactly():
    s = np.linspace(0, 20_000, 400_001)
    x, area = oxygen.epoc_slow_uptake(s, 100.0, 800.0, 30.0)
    assert x[0] == 0.0 and area[0] == 0.0
    numeric = np.concatenate([[0], np.cumsum(0.5 * (x[1:] + x[:-1]) * np.diff(s))]) / 60
    np.testing.assert_allclose(area, numeric, atol=1e-4)
    assert area[-1] == pytest.approx(100.0, rel=1e-9)


# --- PEH by relative intensity ---------------------------------------------------------------

def test_corso_rows_hold_at_corsos_placement():
    model = hypotension.PEH
    at = np.array([4.0, 6.0, 7.5]) / model.corso_vo2max_met
    sbp, dbp = hypotension.relative_dose_response(at)
    np.testing.assert_allclose(sbp, [1.6 / 11.4, 1.0, 1.0])
    np.testing.assert_allclose(dbp, [0.5 / 5.6, 1.0, 1.0])


def test_pescatello_2004_both_40_and_60_pct_produce_peh_and_60_more():
    sbp, _ = hypotension.relative_dose_response([0.40, 0.60])
    assert 0 < sbp[0] < sbp[1]


def test_a_slow_walk_is_a_real_dose_for_a_very_unfit_person():
    """The same 2.2 MET: a dose for someone whose VO2max is 4.3 MET, none for 10 MET."""
    old, fit = (hypotension.peh_drop_at_nadir(160, 84, 2.2, 1200, 1.0, vo2max_met=m)[0]
                for m in (4.3, 10.0))
    assert float(old) > 5.0 and float(fit) == 0.0
    met_model = peh_models.PEH_MODELS["corso-2017-met"]
    assert float(hypotension.peh_drop_at_nadir(160, 84, 2.2, 1200, 1.0, met_model,
                                               vo2max_met=4.3)[0]) < 2.0


# --- Energy models outside their source ------------------------------------------------------

def test_compendium_and_acsm_flag_backward_outside_their_source():
    v2, v35 = mph_to_mps([2.0, 3.5])
    assert energy.outside_source("compendium-2011", v2, 0.0, -1)
    assert not energy.outside_source("compendium-2011", v35, 0.05, -1)
    assert energy.outside_source("compendium-2011", v35, 0.03, -1)
    assert energy.outside_source("acsm", v35, 0.0, -1)
    assert not energy.outside_source("acsm", v35, 0.0, 1)
    assert not energy.outside_source("continuous", v2, 0.0, -1)
    assert not energy.outside_source("compendium-2011", 0.0, 0.0, -1)     # rest
