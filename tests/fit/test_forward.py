"""The fit's forward model is retrosim's heart rate: exact kinetics, and a run's traces."""

from __future__ import annotations

import numpy as np

import retrosim
from retrosim.fit import forward
from retrosim.model.scenario import Scenario
from retrosim.physiology import heart

TRAITS = {"hr_rest_bpm": 62.0, "vo2max_ml_kg_min": 36.0, "hr_max_bpm": 178.0, "hr_tau_s": 40.0,
          "backward_practice_min": 100.0}
STAGES = ["rest for 2 min", "walk forward at 3 mph for 5 min",
          "walk forward at 3 mph, 6% grade for 5 min", "walk backward at 1.5 mph for 5 min",
          "rest for 3 min"]


def test_step_reaches_63_percent_after_one_time_constant():
    """A step of demand at t = 0: HR - HRrest is 1 - 1/e of its rise after tau (exact)."""
    t = np.arange(0.0, 301.0)
    w = forward.walk(t, np.where(t > 0, 1.34112, 0.0), np.zeros(t.size), np.ones(t.size))
    hr = forward.heart_rate(w, 62.0, 36.0, 178.0, 40.0)
    steady = heart.swain_1994_backward_hr(w.demand[-1], 3.5, 36.0, 62.0, 178.0)
    # the belt reaches speed over the first second (a ramp, readings linear in between), so
    # the exact response is the ramp's: first_order_ramp over 1 s, then a step response
    from retrosim.physiology.oxygen import first_order_ramp, first_order_step
    after_ramp = first_order_ramp(62.0, 62.0, (steady - 62.0), 1.0, 40.0)
    expected = first_order_step(after_ramp, steady, 40.0, 40.0)
    np.testing.assert_allclose(hr[41], expected, rtol=1e-12)
    assert abs((hr[41] - 62.0) / (steady - 62.0) - (1 - np.exp(-1))) < 0.02


def test_forward_model_follows_a_run_to_a_fifth_of_a_beat():
    """The same walk through Simulation: its 1-Hz traces in, its heart rate out. What differs
    is where the belt reverses between two readings (a run has a knot at the zero crossing).
    The forward model has one heart-rate time constant, so the run is pinned to the
    ``symmetric`` kinetics."""
    doc = {"name": "t", "seed": 1, "arms": {"a": {"stages": STAGES}},
           "energy": {"hr_kinetics": "symmetric"},
           "subject": {"mass_kg": 70, "age_yr": 45, "sex": "male", **TRAITS}}
    ds = retrosim.Simulation(Scenario.from_dict(doc)).dataset(intervals=False,
                                                              trace_step_s=1.0)
    one = ds.isel(arm=0, subject=0)
    keep = np.isfinite(one.speed.values)
    t = ds.time.values[keep]
    w = forward.walk(t, one.speed.values[keep], one.grade.values[keep],
                     one.direction.values[keep])
    hr = forward.at(w, forward.heart_rate(w, *TRAITS.values()), t)
    assert np.abs(hr - one.hr.values[keep]).max() < 0.2
    assert w.backward
