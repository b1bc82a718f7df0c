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


def test_the_default_is_no_drift_and_the_saturating_drift_is_chosen_by_name():
    """``none`` is the default: the same bits when named; ``teso-saturating`` rises above it."""
    default = retrosim.Scenario.from_dict({"name": "d", "subject": SUBJECT,
                                           "treadmill": {"start": "at-speed"},
                                           "arms": {"a": {"stages": STAGES}}})
    tr = next(iter(iter_sessions(default, seed=0, subjects=1))).trajectory
    named = trajectory("none", hr_kinetics.DEFAULT_HR_KINETICS_MODEL)
    np.testing.assert_array_equal(tr.hr, named.hr)
    np.testing.assert_array_equal(tr.hr_target, named.hr_target)
    assert float(trajectory("teso-saturating").hr[1, 0]) > float(tr.hr[1, 0])


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


LONG = ["walk forward at 3.5 mph, 5% grade for 60 min", "rest for 10 min"]


def long_trajectory(drift, kinetics="slower-recovery", stages=LONG, subject=SUBJECT):
    sc = retrosim.Scenario.from_dict({"name": "d", "subject": subject,
                                      "energy": {"hr_drift": drift, "hr_kinetics": kinetics},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": stages}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1))).trajectory


@pytest.mark.parametrize("kinetics", ["slower-recovery", "two-phase-recovery"])
def test_the_saturating_drift_is_the_exact_sum_of_two_first_order_states(kinetics):
    """Over the 60-min stage heart rate is the state without drift (the ``none`` run, the
    same bits) plus the drift, whose ceiling is c = T x rate: d(t) = c (1 - exp(-t/T)) from
    the stage's start (its slope there Teso's rate), at the 20th, 40th and 60th minute."""
    sat, flat = long_trajectory("teso-saturating", kinetics), long_trajectory("none", kinetics)
    rate = float(hr_drift.teso_2025_rate(sat.vo2_target[1, 0] / 40.0, 30.0, False))
    tau = 60.0 * hr_drift.SATURATING_TAU_MIN
    t0 = float(sat.timeline.t[0, 0])
    times = np.array([1200.0, 2400.0, 3600.0])
    drift = sat.sample(times)["hr"][:, 0] - flat.sample(times)["hr"][:, 0]
    exact = rate * tau / 60.0 * (1.0 - np.exp(-(times - t0) / tau))
    np.testing.assert_allclose(drift, exact, rtol=1e-9)


def test_the_saturating_drift_slows_and_fades():
    """The rise from the 10th to the 60th minute lies in Coyle & González-Alonso 2001's
    10-15 % (moderate work; a middle subject, the calibration's range), the rise over the
    second half hour is smaller than over the first, and once the belt stands the drift
    decays with its own constant: exp(-5/23) of it is left 5 min later."""
    sat, flat = long_trajectory("teso-saturating"), long_trajectory("none")
    stands = sat.timeline.velocity[:, 0] == 0
    t_stop = float(sat.timeline.t[int(np.flatnonzero(stands[1:])[0]) + 1, 0])
    t = np.array([600.0, 1800.0, 3600.0, t_stop, t_stop + 300.0])
    hr, base = sat.sample(t)["hr"][:, 0], flat.sample(t)["hr"][:, 0]
    assert 10.0 <= 100.0 * (hr[2] / hr[0] - 1.0) <= 15.0
    assert hr[2] - hr[1] < hr[1] - hr[0]
    left = (hr[4] - base[4]) / (hr[3] - base[3])
    assert left == pytest.approx(np.exp(-5.0 / hr_drift.SATURATING_TAU_MIN), rel=1e-9)


def test_the_saturating_drift_never_passes_hrmax():
    """Two hours at a pace near VO2max: teso-2025's linear drift passes HRmax, the saturating
    one stays below it at every sampled second and at its exact peak."""
    stages = ["walk forward at 4.5 mph, 12% grade for 120 min"]
    subject = dict(SUBJECT, vo2max_ml_kg_min=35.0)
    sat = long_trajectory("teso-saturating", stages=stages, subject=subject)
    lin = long_trajectory("teso-2025", stages=stages, subject=subject)
    hr_max = float(Physiology.of(Cohort.from_subject(Subject(**{
        k: v for k, v in subject.items() if k != "fitness"})), EnergyOptions()).hr_max[0])
    assert float(lin.hr_peak()[0]) > hr_max
    sampled = sat.sample(np.arange(0.0, float(sat.timeline.t[-1, 0]), 1.0))["hr"][:, 0]
    assert float(sampled.max()) <= hr_max and float(sat.hr_peak()[0]) <= hr_max
    assert float(sat.hr_peak()[0]) == pytest.approx(float(sampled.max()), abs=1e-6)


@pytest.mark.parametrize("kinetics", ["slower-recovery", "two-phase-recovery"])
def test_the_exact_peak_of_the_saturating_drift_is_found_inside_an_interval(kinetics):
    """A 10-min bout, then a slow ramp down: the peak is inside an interval (the drift
    still rising while the state falls) and equals the finest sampled maximum; no sample
    passes it."""
    stages = ["walk forward at 3.5 mph, 10% grade for 10 min",
              "walk forward at 1.0 mph for 20 min"]
    tr = long_trajectory("teso-saturating", kinetics, stages=stages)
    t_end = float(tr.timeline.t[-1, 0])
    sampled = tr.sample(np.linspace(0.0, t_end, 400001))["hr"][:, 0]
    peak = float(tr.hr_peak()[0])
    assert peak >= float(sampled.max()) - 1e-9
    assert peak == pytest.approx(float(sampled.max()), abs=1e-6)


@pytest.mark.parametrize("kinetics", ["slower-recovery", "two-phase-recovery"])
def test_the_closed_loop_sees_the_saturating_drift_it_records(kinetics):
    """What a controller observed equals the trajectory solved on the final knots, with the
    saturating drift, across flat stretches, a stop and the fade after it."""
    options = EnergyOptions(hr_drift="teso-saturating", hr_kinetics=kinetics)
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=30, sex="male",
                                                  vo2max_ml_kg_min=30.0), 2), options)
    loop = ClosedLoop(p, TreadmillLimits(), options)
    seen = []
    for t in np.arange(0.0, 2500.0, 37.0):
        loop.advance_to(t)
        seen.append((t, loop.hr.copy()))
        if t == 37.0:
            loop.command(Command(speed_mps=np.array([1.6, 1.8]), grade_frac=0.08, start=True))
        if t == 37.0 * 40:
            loop.command(Command(stop=True))
    loop.advance_to(2500.0)
    traj = solve(loop.timeline(), p, options)
    sampled = traj.sample(np.array([s[0] for s in seen]))["hr"]
    np.testing.assert_allclose(sampled, np.stack([s[1] for s in seen]), rtol=1e-9)
    # near VO2max the headroom to HRmax holds the drift small (the second subject: none)
    assert traj.drift is not None and float(traj.drift.state.max()) > 1.0
    assert (traj.hr <= p.hr_max + 1e-9).all()
