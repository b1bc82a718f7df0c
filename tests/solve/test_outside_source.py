"""An energy model asked about a stage its source does not cover answers by its stated
fallback, and the run says so: an ``energy-outside`` event, the ``energy_outside`` attribute
and a line under the printed table; never 6.0 MET in silence."""

import pytest

import retrosim
from retrosim.results.tables import summary_table


def run(model, stages):
    sc = retrosim.Scenario.from_dict({
        "name": "o", "energy": {"model": model},
        "subject": {"mass_kg": 61.0, "age_yr": 68, "sex": "female"},
        "arms": {"b": {"stages": stages}}})
    return retrosim.run(sc, traces=False)


@pytest.mark.parametrize("model", ["compendium-2011", "acsm"])
def test_backward_at_2_mph_is_a_visible_fallback(model):
    ds = run(model, ["walk forward at 2.5 mph for 2 min", "walk backward at 2 mph for 5 min"])
    kinds = list(ds.event_kind.values)
    assert kinds.count("energy-outside") == 1
    detail = ds.event_detail.values[kinds.index("energy-outside")]
    assert detail.startswith("stage 2 'walk backward at 2 mph for 5 min' is outside " + model)
    assert float(ds.event_time.values[kinds.index("energy-outside")]) == 120.0
    assert "b: stage 2" in ds.attrs["energy_outside"]
    assert "energy model outside its source:" in summary_table(ds)


def test_listed_conditions_and_the_continuous_model_are_silent():
    listed = run("compendium-2011", ["walk backward at 3.5 mph, 5% grade for 5 min"])
    assert "energy-outside" not in list(listed.event_kind.values)
    assert listed.attrs["energy_outside"] == ""
    smooth = run("continuous", ["walk backward at 2 mph for 5 min"])
    assert "energy-outside" not in list(smooth.event_kind.values)
