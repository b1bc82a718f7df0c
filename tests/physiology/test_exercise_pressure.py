"""Exercise pressure by uptake, age and sex (``daida-1996``): published values, direction and
shape."""

from hypothesis import given
from hypothesis import strategies as st

from retrosim.physiology import exercise_pressure as ep


def test_daida_1996_90th_percentiles_are_reproduced():
    for sex, female in (("male", False), ("female", True)):
        for i, age in enumerate(ep.ANCHOR_AGES):
            rise = float(ep.rise_at_peak(age, female)[0])
            p90 = ep.REST_SBP[sex][i] + rise + ep.Z90 * ep.PEAK_SBP_SD
            assert abs(p90 - ep.DAIDA_P90_SBP[sex][i]) < 1e-9


@given(st.floats(1.0, 25.0), st.floats(1.0, 25.0), st.floats(3.0, 25.0), st.floats(18, 100),
       st.booleans())
def test_rise_grows_with_uptake_up_to_vo2max_and_no_further(m1, m2, top, age, female):
    lo, hi = sorted((m1, m2))
    s, d = ep.daida_pressor_rise([1.0, lo, hi, top, top + 5.0], top, age, female)
    peak_s, peak_d = ep.rise_at_peak(age, female)
    assert s[0] == 0.0 and d[0] == 0.0
    assert s[1] <= s[2] <= s[3] + 1e-12
    assert s[3] == s[4] == peak_s and d[3] == d[4] == peak_d
    assert abs(d[1]) <= abs(d[2]) + 1e-12 <= abs(peak_d) + 1e-12


def test_rise_levels_off_towards_the_peak():
    s, _ = ep.daida_pressor_rise([1.0, 5.5, 10.0], 10.0, 40, False)
    assert s[1] > 0.5 * s[2]          # concave: above the straight line at half the reserve


@given(st.floats(18, 100), st.floats(18, 100))
def test_peak_rise_never_falls_with_age_and_men_rise_more(a1, a2):
    lo, hi = sorted((a1, a2))
    for female in (False, True):
        s, d = ep.rise_at_peak([lo, hi], female)
        assert s[0] <= s[1] and d[0] <= d[1]
    men, women = ep.rise_at_peak(lo, False)[0], ep.rise_at_peak(lo, True)[0]
    assert men > women


def test_a_fit_young_man_peaks_lower_than_the_per_met_rule_says():
    """15 MET at VO2max: 140 mmHg above rest by the rule, 56 by Daida et al. 1996."""
    new = float(ep.daida_pressor_rise(15.0, 15.0, 25, False)[0])
    old = float(ep.per_met_pressor_rise(15.0, 15.0, 25, False)[0])
    assert old == 140.0 and abs(new - 56.0) < 0.05


def test_a_man_of_75_at_his_peak_rises_more_than_a_fit_man_of_25_at_his():
    young = ep.daida_pressor_rise(15.0, 15.0, 25, False)[0]
    old = ep.daida_pressor_rise(7.0, 7.0, 75, False)[0]
    assert old > young
    rule_old, rule_young = (ep.per_met_pressor_rise(m, m, a, False)[0]
                            for m, a in ((7.0, 75), (15.0, 25)))
    assert rule_old < rule_young                 # the per-met rule: peaks fall with age
