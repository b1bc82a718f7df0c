"""The walking-cost person term: published values, direction and shape, the default, and the
rule that it applies to the modelled energy models and not to a lookup of the Compendium's
table (whose 2011 headline stays 45.90 / 64.05 / 85.40 kcal at any age)."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import retrosim
from retrosim.model.options import EnergyOptions
from retrosim.physiology import energy
from retrosim.physiology import walking_cost as wc
from retrosim.physiology.energy_continuous import continuous_met
from retrosim.units import mph_to_mps


def test_das_gupta_2019_net_costs():
    factor = float(wc.das_gupta_2019_factor(70.0))
    assert abs(2.4 * factor - 2.8) < 1e-12
    assert float(wc.das_gupta_2019_factor(25.0)) == 1.0


@given(st.floats(18, 100), st.floats(18, 100))
def test_the_factor_never_falls_with_age_and_is_bounded(a1, a2):
    lo, hi = sorted((a1, a2))
    f = wc.das_gupta_2019_factor([lo, hi])
    assert 1.0 <= f[0] <= f[1] <= 2.8 / 2.4 + 1e-12


def _compendium_at(age, **energy_options):
    base = retrosim.load_scenario("compendium-2011")
    return dataclasses.replace(base, subject=dataclasses.replace(base.subject, age_yr=age),
                               energy=dataclasses.replace(base.energy, **energy_options))


def test_the_default_is_das_gupta_2019_and_none_stays_selectable():
    assert EnergyOptions().walking_cost == "das-gupta-2019"
    assert EnergyOptions(walking_cost="none").walking_cost == "none"


@pytest.mark.parametrize("age", [35, 70])
def test_the_2011_compendium_lookup_keeps_its_headline_at_any_age(age):
    # the lookup returns the table's MET (Ainsworth et al. 2011): no person term, so the
    # 10 min at 3.5 mph of a 61 kg walker cost 4.3 / 6.0 / 8.0 MET x 3.5 x 61 / 200 x 10 kcal
    sc = _compendium_at(age)
    assert sc.energy.walking_cost == "das-gupta-2019"
    ds = retrosim.run(sc, traces=False)
    kcal = ds.energy_total.values[:, 0]
    assert [round(float(k), 2) for k in kcal] == [45.90, 64.05, 85.40]
    plain = retrosim.run(_compendium_at(age, walking_cost="none"), traces=False)
    assert (kcal == plain.energy_total.values[:, 0]).all()
    assert ds.attrs["walking_cost_model"] == "none"      # the term in effect


def test_every_compendium_lookup_is_a_table_lookup():
    for name, entry in energy.ENERGY_MODELS.items():
        is_lookup = getattr(entry.function, "func", None) is energy.compendium_met
        assert (name in energy.TABLE_LOOKUPS) == is_lookup, name


@pytest.mark.parametrize("model", ["continuous", "acsm"])
def test_a_modelled_energy_model_pays_x_1167_net_at_70(model):
    # net MET x 2.8 / 2.4 at 70 yr (Das Gupta et al. 2019), x 1 at 25 yr; rest stays 1 MET
    v = mph_to_mps(3.5)
    bare = float(energy.ENERGY_MODELS[model](v, 0.0, 1))
    for age, factor in ((25, 1.0), (70, 2.8 / 2.4)):
        sc = _compendium_at(age, model=model)
        ds = retrosim.run(sc).sel(arm="forward-level", subject=0)
        walking = ds.met.values[ds.speed.values > 0]
        assert walking == pytest.approx(1.0 + (bare - 1.0) * factor, rel=1e-12)
        assert ds.attrs["walking_cost_model"] == "das-gupta-2019"
        none = retrosim.run(_compendium_at(age, model=model, walking_cost="none"))
        assert none.met.sel(arm="forward-level", subject=0).values[ds.speed.values > 0] == \
            pytest.approx(bare, rel=1e-12)


def test_an_older_walker_spends_more_under_the_continuous_model():
    # 10 min with the belt at speed: kcal = (1 + net MET x factor) x 3.5 x 61 / 200 x 10
    runs = {age: retrosim.run(_compendium_at(age, model="continuous"),
                              traces=False).energy_total.values[:, 0] for age in (25, 75)}
    plain = retrosim.run(_compendium_at(25, model="continuous", walking_cost="none"),
                         traces=False).energy_total.values[:, 0]
    assert (runs[25] == plain).all()
    v = mph_to_mps(3.5)
    net = np.array([continuous_met(v, g, d) for g, d in ((0.0, 1), (0.0, -1), (0.05, -1))]) - 1
    for age, factor in ((25, 1.0), (75, 2.8 / 2.4)):
        assert runs[age] == pytest.approx((1.0 + net * factor) * 3.5 * 61.0 / 200.0 * 10.0,
                                          rel=1e-9)
