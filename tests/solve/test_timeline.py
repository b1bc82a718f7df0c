"""Per-subject timelines: a stop spliced into a subject's inputs, everything else unchanged."""

import numpy as np
import pytest

from retrosim.engine.simulate import simulate_arm
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.protocol import Protocol
from retrosim.model.subject import Subject
from retrosim.solve.trajectory import EnergyOptions, Physiology, solve

STAGES = ["walk forward at 3 mph for 2 min", "walk backward at 2 mph, 5% grade for 3 min",
          "rest for 2 min"]
DECEL = 1.5


@pytest.fixture(scope="module")
def shared():
    timeline, _ = simulate_arm(Protocol.parse(STAGES), TreadmillLimits())
    return timeline


def solved(timeline, n):
    cohort = Cohort.from_subject(Subject(mass_kg=70, age_yr=50, sex="male"), n)
    return solve(timeline, Physiology.of(cohort, EnergyOptions()), EnergyOptions())


def test_never_stopping_changes_nothing(shared):
    own = shared.stop(np.full(3, np.inf), DECEL)
    assert own.t.shape == (shared.t.shape[0] + 3, 3)
    times = np.linspace(0, shared.duration_s, 801)
    a, b = solved(shared, 3).sample(times), solved(own, 3).sample(times)
    for name in ("speed", "grade", "vo2", "hr", "energy", "met"):
        np.testing.assert_array_equal(np.broadcast_to(a[name], b[name].shape), b[name])


@pytest.mark.parametrize("t_stop", [30.0, 121.0, 200.0])    # at speed, in a reversal, backward
def test_a_stopped_belt_decelerates_at_its_rate_and_stays_stopped(shared, t_stop):
    own = shared.stop(np.array([np.inf, t_stop]), DECEL)
    times = np.arange(0, shared.duration_s, 0.05)
    tr = solved(own, 2).sample(times)
    speed, grade = tr["speed"], tr["grade"]
    before = times < t_stop
    np.testing.assert_allclose(speed[before, 1], speed[before, 0], atol=1e-12)
    after = times >= t_stop
    decel = -np.diff(speed[after, 1]) / 0.05
    assert decel.max() <= DECEL + 1e-9
    v_stop = np.interp(t_stop, times, speed[:, 0])
    rest = times >= t_stop + v_stop / DECEL + 1e-9
    assert np.all(speed[rest, 1] == 0)
    held = grade[after, 1]
    assert np.all(held == held[0])                                    # incline held


def test_states_before_the_stop_are_unchanged_and_rest_follows(shared):
    t_stop = 150.0
    own = shared.stop(np.array([np.inf, t_stop]), DECEL)
    traj = solved(own, 2)
    times = np.arange(0, t_stop, 0.5)
    tr = traj.sample(times)
    for name in ("vo2", "hr"):                      # advanced from the same knots: bit-identical
        assert tr[name][:, 0].tobytes() == tr[name][:, 1].tobytes(), name
    # energy interpolates between knots, and the stop splits a segment: equal to rounding
    np.testing.assert_allclose(tr["energy"][:, 1], tr["energy"][:, 0], rtol=1e-13)
    late = traj.sample(np.array([shared.duration_s - 1, shared.duration_s]))
    assert late["met"][-1, 1] == 1.0
    assert traj.energy[-1, 1] < traj.energy[-1, 0]
