"""The exact fall risk takes the engine's session: a controlled arm's risk is the controller's."""

import dataclasses

import numpy as np

import retrosim
from retrosim.events import fall_hazard, falls
from retrosim.model.scenario import Scenario

#: A 70-year-old woman with severe balance impairment on a heart-rate program that drives the
#: belt above the protocol's 1.5 mph; stumbles drift too little to pull the tether, so the
#: exact risk 1 - exp(-H) is exact, not an upper bound.
CONTROLLED = {"name": "controlled-falls", "seed": 11,
              "subject": {"mass_kg": 68.0, "age_yr": 70, "sex": "female", "balance": "severe"},
              "falls": {"stumble_drift_s": 0.01},
              "controller": {"name": "hr-target", "target_hr_bpm": 115, "max_speed_kmh": 6.0},
              "arms": {"a": {"stages": ["walk forward at 1.5 mph for 30 min"]}}}


def test_exact_risk_of_a_controlled_arm_agrees_with_its_sampled_fall_rate():
    sc = Scenario.from_dict(CONTROLLED)
    exact = fall_hazard.exact_risk(sc, "a", subjects=3)
    assert np.ptp(exact) == 0.0                       # three draws of one person: one risk
    ds = retrosim.run(sc, subjects=1500, traces=False)
    stats = falls.arm_statistics(ds.fell.values, confidence=0.999)
    low, high = stats["fall_probability_low"][0], stats["fall_probability_high"][0]
    assert low < exact[0] < high
    # the protocol as written (no controller) walks slower and carries a risk the sampled
    # rate rules out: the exact risk above did follow the controller
    protocol = dataclasses.replace(sc.arms["a"], controller=None)
    open_loop = fall_hazard.exact_risk(dataclasses.replace(sc, arms={"a": protocol}), "a")[0]
    assert open_loop < low


def test_exact_risk_is_the_risk_the_run_records():
    """``fall_risk`` in a run's result is the same number, bit for bit."""
    sc = retrosim.load_scenario("balance-levels")
    ds = retrosim.run(sc, traces=False)
    for arm in ("moderate", "severe"):
        assert fall_hazard.exact_risk(sc, arm)[0] == ds.fall_risk.sel(arm=arm).values[0]
