"""EPOC's slow component along the timeline, in closed form: traces and totals agree, the
Compendium's headline stays exact, and the excess grows with intensity and duration."""

import numpy as np
import pytest

import retrosim
from retrosim.api import iter_sessions
from retrosim.units import KCAL_PER_L_O2

SUBJECT = {"mass_kg": 70.0, "age_yr": 30, "sex": "male", "vo2max_ml_kg_min": 40.0}


def session(stages, epoc="slow"):
    sc = retrosim.Scenario.from_dict({"name": "e", "subject": SUBJECT,
                                      "energy": {"epoc": epoc},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": stages}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1)))


def excess_kcal(stages):
    slow, fast = (float(session(stages, e).trajectory.summary()["energy_total"][0])
                  for e in ("slow", "fast"))
    return slow - fast


def test_thirty_minutes_at_seventy_percent_gives_tens_of_kcal_not_tenths():
    # 3.5 mph at 8.3 % costs 28 mL/kg/min: 70 % of 40 for this walker
    kcal = excess_kcal(["walk forward at 3.5 mph, 8.3% grade for 30 min", "rest for 2 h"])
    assert 10.0 < kcal < 60.0


def test_epoc_grows_with_intensity_and_with_duration():
    easy = excess_kcal(["walk forward at 2.5 mph for 30 min", "rest for 2 h"])
    hard = excess_kcal(["walk forward at 3.5 mph, 8% grade for 30 min", "rest for 2 h"])
    long = excess_kcal(["walk forward at 2.5 mph for 60 min", "rest for 2 h"])
    assert 0 < easy < hard and long == pytest.approx(2 * easy, rel=0.02)


def test_the_energy_trace_carries_the_excess_and_ends_at_the_total():
    s = session(["walk forward at 3.0 mph for 20 min", "rest for 90 min"])
    t = np.linspace(0, s.timeline.duration_s, 5001)
    tr = s.trajectory.sample(t)
    total = float(s.trajectory.summary()["energy_total"][0])
    assert float(tr["energy"][-1, 0]) == pytest.approx(total, rel=1e-12)
    assert np.all(np.diff(tr["energy"][:, 0]) >= -1e-12)
    epoc = s.trajectory.epoc
    volume = float(epoc.volume_ml_kg[0, 0])
    # after 90 min of rest nearly all of it is repaid, at 5 kcal per L O2
    extra = float(epoc.at(np.array([s.timeline.duration_s]))[1][0])
    assert extra == pytest.approx(volume * 70.0 / 1000 * KCAL_PER_L_O2, rel=1e-3)


def test_no_rest_after_the_walk_no_excess_so_the_headline_stays_exact():
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False)
    np.testing.assert_allclose(ds.energy_total.values[:, 0], [45.90, 64.05, 85.40], atol=5e-3)
