"""Heart rate's drift over a bout (``[energy] hr_drift``): the published equation, the exact
first-order response to a target that rises linearly, the reset when the belt stops, the
closed loop agreeing with the solved timeline, and the first model (no drift) unchanged."""

import numpy as np
import pytest

import retrosim
from retrosim.api import iter_sessions
from retrosim.controllers import Command
from retrosim.engine.closedloop import ClosedLoop
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.subject import Subject
from retrosim.physiology import hr_drift, hr_kinetics
from retrosim.solve.trajectory import EnergyOptions, Physiology, solve

SUBJECT = {"mass_kg": 70.0, "age_yr": 30, "sex": "male", "vo2max_ml_kg_min": 40.0,
           "fitness": "recreational"}
STAGES = ["walk forward at 3.5 mph, 5% grade for 30 min", "rest for 5 min",
          "walk forward at 3.5 mph, 5% grade for 10 min", "rest for 5 min"]


def trajectory(drift, kinetics="slower-recovery"):
    sc = retrosim.Scenario.from_dict({"name": "d", "subject": SUBJECT,
                                      "energy": {"hr_drift": drift, "hr_kinetics": kinetics},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": STAGES}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1))).trajectory


def test_teso_2025_is_their_published_equation():
    """scHR = -0.0514 + 0.0240 %RCP - 0.0172 age - 0.347 female (Teso et al. 2025), at the
    RCP (fraction 0.80 of VO2max: %RCP = 100) and at 75 %RCP."""
    got = hr_drift.teso_2025_rate([0.80, 0.60, 0.60], [0.0, 40.0, 40.0], [False, False, True])
    expected = [-0.0514 + 2.40, -0.0514 + 1.80 - 0.688, -0.0514 + 1.80 - 0.688 - 0.347]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_the_rate_is_never_negative_and_moves_the_published_way():
    """No drift below the intensity where the line crosses zero; more with intensity, less
    with age and in women (Teso et al. 2025)."""
    frac = np.linspace(0.0, 1.0, 11)
    rate = hr_drift.teso_2025_rate(frac, 70.0, True)
    assert (rate >= 0.0).all() and rate[0] == 0.0
    assert (np.diff(rate) >= 0.0).all()
    young, old = hr_drift.teso_2025_rate(0.6, [25.0, 60.0], False)
    man, woman = hr_drift.teso_2025_rate(0.6, 40.0, [False, True])
    assert young > old and man > woman


def test_the_drift_is_the_exact_response_to_a_linearly_rising_target():
    """Over the 30-min stage the target is HRss + r t; heart rate solves tau x' = a + k t - x
    exactly: x(t) = a + k (t - tau) + (x0 - a + k tau) exp(-t / tau), checked at 20 min from
    the state at 5 min (the on constant: the target stays above heart rate)."""
    tr = trajectory("teso-2025")
    k = float(hr_drift.teso_2025_rate(tr.vo2_target[1, 0] / 40.0, 30.0, False)) / 60.0
    assert k > 0.0
    t0, t1 = 300.0, 1200.0
    x0 = float(tr.sample(np.array([t0]))["hr"][0, 0])
    a = float(tr.hr_target[1, 0]) + k * (t0 - float(tr.timeline.t[1, 0]))
    tau, s = 30.0, t1 - t0
    exact = a + k * (s - tau) + (x0 - a + k * tau) * np.exp(-s / tau)
    assert float(tr.sample(np.array([t1]))["hr"][0, 0]) == pytest.approx(exact, rel=1e-12)


def test_the_drift_starts_again_with_each_bout():
    """Zero while the belt stands; 30 min of drift at the end of the first bout; the second
    bout drifts from zero again: the integral of its rate from the knot where it starts (the
    rate taken linear between knots, through the start-up ramp of belt and grade)."""
    drift, flat = trajectory("teso-2025"), trajectory("none")
    extra = drift.hr_target[:, 0] - flat.hr_target[:, 0]
    t = drift.timeline.t[:, 0]
    rate = float(hr_drift.teso_2025_rate(drift.vo2_target[1, 0] / 40.0, 30.0, False))
    moving = drift.timeline.velocity[:, 0] != 0
    assert (extra[~moving] == 0.0).all()
    assert extra[1] == pytest.approx(rate * 30.0, rel=1e-12)            # t = 30 min
    start = int(np.flatnonzero(moving[1:] & ~moving[:-1])[0])         # standing, then moving
    end = start + 1 + int(np.argmax(~moving[start + 1:])) - 1          # its last moving knot
    rates = hr_drift.teso_2025_rate(drift.vo2_target[start:end + 1, 0] / 40.0, 30.0, False)
    expected = float(np.sum(np.diff(t[start:end + 1]) * (rates[1:] + rates[:-1]) / 2.0)) / 60
    assert extra[end] == pytest.approx(expected, rel=1e-12)
    assert expected < rate * 11.0
    assert float(drift.hr_peak()[0]) > float(flat.hr_peak()[0]) + 10.0


def test_without_drift_nothing_moves():
    """``none`` is the first model: the default, and the same bits when named."""
    default = retrosim.Scenario.from_dict({"name": "d", "subject": SUBJECT,
                                           "treadmill": {"start": "at-speed"},
                                           "arms": {"a": {"stages": STAGES}}})
    tr = next(iter(iter_sessions(default, seed=0, subjects=1))).trajectory
    named = trajectory("none", hr_kinetics.DEFAULT_HR_KINETICS_MODEL)
    np.testing.assert_array_equal(tr.hr, named.hr)
    np.testing.assert_array_equal(tr.hr_target, named.hr_target)


def test_the_closed_loop_sees_the_drift_it_records():
    """What a controller observed equals the trajectory solved on the final knots, with the
    drift on, across flat stretches (no knots) and a stop."""
    options = EnergyOptions(hr_drift="teso-2025")
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=30, sex="male",
                                                  vo2max_ml_kg_min=30.0), 2), options)
    loop = ClosedLoop(p, TreadmillLimits(), options)
    seen = []
    for t in np.arange(0.0, 1500.0, 37.0):
        loop.advance_to(t)
        seen.append((t, loop.hr.copy()))
        if t == 37.0:
            loop.command(Command(speed_mps=np.array([1.6, 1.8]), grade_frac=0.08, start=True))
        if t == 37.0 * 30:
            loop.command(Command(stop=True))
    loop.advance_to(1500.0)
    traj = solve(loop.timeline(), p, options)
    sampled = traj.sample(np.array([s[0] for s in seen]))["hr"]
    np.testing.assert_allclose(sampled, np.stack([s[1] for s in seen]), rtol=1e-9)
    assert float(traj.hr_target.max()) > float(traj.hr_target[2].max()) + 5.0
