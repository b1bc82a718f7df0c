"""The fit's forward model is retrosim's heart rate: exact kinetics, and a run's traces."""

from __future__ import annotations

import numpy as np
import pytest

import retrosim
from retrosim.fit import forward
from retrosim.model.options import EnergyOptions
from retrosim.model.scenario import Scenario
from retrosim.physiology import heart, hr_kinetics
from retrosim.physiology.oxygen import first_order_ramp, first_order_step

TRAITS = {"hr_rest_bpm": 62.0, "vo2max_ml_kg_min": 36.0, "hr_max_bpm": 178.0, "hr_tau_s": 40.0,
          "backward_practice_min": 100.0}
STAGES = ["rest for 2 min", "walk forward at 3 mph for 5 min",
          "walk forward at 3 mph, 6% grade for 5 min", "walk backward at 1.5 mph for 5 min",
          "rest for 3 min"]


def test_step_reaches_63_percent_after_one_time_constant():
    """A step of demand at t = 0: HR - HRrest is 1 - 1/e of its rise after tau (exact)."""
    t = np.arange(0.0, 301.0)
    w = forward.walk(t, np.where(t > 0, 1.34112, 0.0), np.zeros(t.size), np.ones(t.size),
                     age_yr=45.0)
    hr = forward.heart_rate(w, 62.0, 36.0, 178.0, 40.0)
    steady = heart.swain_1994_backward_hr(w.demand[-1], 3.5, 36.0, 62.0, 178.0)
    # the belt reaches speed over the first second (a ramp, readings linear in between), so
    # the exact response is the ramp's: first_order_ramp over 1 s, then a step response
    after_ramp = first_order_ramp(62.0, 62.0, (steady - 62.0), 1.0, 40.0)
    expected = first_order_step(after_ramp, steady, 40.0, 40.0)
    np.testing.assert_allclose(hr[41], expected, rtol=1e-12)
    assert abs((hr[41] - 62.0) / (steady - 62.0) - (1 - np.exp(-1))) < 0.02


@pytest.mark.parametrize("kinetics", ["slower-recovery", "symmetric", "two-phase-recovery",
                                      "vagal-recovery"])
def test_forward_model_follows_a_run_to_a_fifth_of_a_beat(kinetics):
    """The same walk through Simulation: its 1-Hz traces in, its heart rate out, with either
    heart-rate kinetics (the default's recovery constant for a 45-year-old is slower than her
    40-s rise, so the rests after walking fall with it). What differs is where the belt
    reverses between two readings (a run has a knot at the zero crossing)."""
    options = EnergyOptions(hr_kinetics=kinetics)
    doc = {"name": "t", "seed": 1, "arms": {"a": {"stages": STAGES}},
           "energy": {"hr_kinetics": kinetics},
           "subject": {"mass_kg": 70, "age_yr": 45, "sex": "male", **TRAITS}}
    ds = retrosim.Simulation(Scenario.from_dict(doc)).dataset(intervals=False,
                                                              trace_step_s=1.0)
    one = ds.isel(arm=0, subject=0)
    keep = np.isfinite(one.speed.values)
    t = ds.time.values[keep]
    w = forward.walk(t, one.speed.values[keep], one.grade.values[keep],
                     one.direction.values[keep], age_yr=45.0, options=options)
    hr = forward.at(w, forward.heart_rate(w, *TRAITS.values()), t)
    assert np.abs(hr - one.hr.values[keep]).max() < 0.2
    assert w.backward
    off = w.tau_off_s(TRAITS["hr_tau_s"])
    if kinetics == "two-phase-recovery":      # the fast phase's constant, and a slow phase
        assert off == float(hr_kinetics.fast_phase(TRAITS["hr_tau_s"], 45.0, 1))
        assert w.tau_slow_s(TRAITS["hr_tau_s"]) == float(
            hr_kinetics.slow_phase(TRAITS["hr_tau_s"], 45.0, 1))
        return
    if kinetics == "vagal-recovery":          # Barak et al.'s fast constant, a slow phase
        assert off == float(hr_kinetics.vagal_fast(TRAITS["hr_tau_s"], 45.0, 1))
        assert w.tau_slow_s(TRAITS["hr_tau_s"]) == float(
            hr_kinetics.vagal_slow(TRAITS["hr_tau_s"], 45.0, 1))
        return
    assert w.tau_slow_s(TRAITS["hr_tau_s"]) is None
    assert off == (TRAITS["hr_tau_s"] if kinetics == "symmetric" else
                   float(hr_kinetics.recovery_tau(45.0, 1)))


def test_the_off_constant_applies_where_the_target_ends_below_the_heart_rate():
    """A step up, then down at 120 s: rising with tau, falling with the off constant, each an
    exact step response (first_order_step) from where the other left heart rate."""
    t = np.arange(0.0, 401.0)
    u = np.where((t >= 1) & (t <= 120), 150.0, 70.0)
    u[0] = 70.0
    x = forward._relax(u, 70.0, 30.0, 80.0)
    after_ramp = first_order_ramp(70.0, 70.0, 80.0, 1.0, 30.0)
    np.testing.assert_allclose(x[120], first_order_step(after_ramp, 150.0, 119.0, 30.0),
                               rtol=1e-12)
    # the fall starts with a 1-s ramp from 150 to 70, then the step response at 80 s
    top = x[120]
    after_fall = first_order_ramp(top, 150.0, -80.0, 1.0, 80.0)
    np.testing.assert_allclose(x[400], first_order_step(after_fall, 70.0, 279.0, 80.0),
                               rtol=1e-12)
    np.testing.assert_array_equal(forward._relax(u, 70.0, 30.0, 30.0),
                                  forward._relax(u, 70.0, 30.0))
