"""Post-exercise hypotension by relative intensity through the engine: the bundled
slow-walk-at-83 scenario, with the energy model's cost for everyone (``[energy] walking_cost =
"none"``, the numbers its header first quoted)."""

import dataclasses

import numpy as np

import retrosim
from retrosim.physiology import hypotension, peh_models


def test_a_slow_walk_at_83_gives_several_mmhg_20_to_40_min_after():
    sc = retrosim.load_scenario("slow-walk-at-83")
    sc = dataclasses.replace(sc, energy=dataclasses.replace(sc.energy, walking_cost="none",
                                                            hr_max="by-sex"))
    ds = retrosim.run(sc).sel(arm="walk", subject=0)
    hr_max = 206 - 0.88 * 83                                 # Gulati et al. 2010 (women)
    assert float(ds.hr_max) == hr_max
    hrr = (float(ds.hr_peak) - 70.0) / (hr_max - 70.0)
    assert 0.33 <= hrr <= 0.43                               # about 38 % of her HR reserve
    drop = 160.0 - ds.bp_reading_sbp.values                  # noise-free readings
    assert np.all(drop >= 4.0), drop                         # several mmHg at 20, 30, 40 min
    assert float(ds.sbp_nadir_low) < float(ds.sbp_nadir) < float(ds.sbp_nadir_high)


def test_the_absolute_met_dose_gave_her_almost_none():
    first = peh_models.PEH_MODELS["corso-2017-met"]
    sbp, _ = hypotension.peh_drop_at_nadir(160, 84, 2.2, 1200.0, 1.0, first)
    assert float(sbp) < 1.5
