"""The walking-cost person term: published values, direction and shape, and the default that
leaves the Compendium's numbers as they are."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

import retrosim
from retrosim.physiology import walking_cost as wc


def test_das_gupta_2019_net_costs():
    factor = float(wc.das_gupta_2019_factor(70.0))
    assert abs(2.4 * factor - 2.8) < 1e-12
    assert float(wc.das_gupta_2019_factor(25.0)) == 1.0


@given(st.floats(18, 100), st.floats(18, 100))
def test_the_factor_never_falls_with_age_and_is_bounded(a1, a2):
    lo, hi = sorted((a1, a2))
    f = wc.das_gupta_2019_factor([lo, hi])
    assert 1.0 <= f[0] <= f[1] <= 2.8 / 2.4 + 1e-12


def test_the_default_leaves_the_2011_compendium_headline_unchanged():
    sc = retrosim.load_scenario("compendium-2011")
    assert sc.energy.walking_cost == "none"
    kcal = retrosim.run(sc, traces=False).energy_total.values[:, 0]
    assert [round(float(k), 2) for k in kcal] == [45.90, 64.05, 85.40]


def test_an_older_walker_spends_more_and_rest_is_unchanged():
    base = retrosim.load_scenario("compendium-2011")
    runs = {}
    for age in (25, 75):
        sc = dataclasses.replace(
            base, subject=dataclasses.replace(base.subject, age_yr=age),
            energy=dataclasses.replace(base.energy, walking_cost="das-gupta-2019"))
        runs[age] = retrosim.run(sc, traces=False).energy_total.values[:, 0]
    plain = dataclasses.replace(base, subject=dataclasses.replace(base.subject, age_yr=25))
    assert (runs[25] == retrosim.run(plain, traces=False).energy_total.values[:, 0]).all()
    assert (runs[75] > runs[25]).all()
