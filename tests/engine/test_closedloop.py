"""The closed loop: the plant and the walkers advanced together, exact between events."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrosim
from retrosim.controllers import Command, ProtocolFollower, attach
from retrosim.engine.closedloop import ClosedLoop
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.subject import Subject
from retrosim.physiology import heart, oxygen
from retrosim.solve.trajectory import EnergyOptions, Physiology, knot_demand, solve

LIMITS = TreadmillLimits()
#: No drift: these tests state first-order responses of heart rate alone (the closed loop
#: with the default drift: tests/solve/test_hr_drift.py)
OPTIONS = EnergyOptions(hr_drift="none")


def physiology(n=1):
    return Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=40, sex="male"), n),
                         OPTIONS)


@pytest.mark.parametrize("name", ["compendium-2011", "forward-vs-backward",
                                  "knee-rehab-first-session", "backward-conditioning"])
def test_the_protocol_follower_in_the_loop_reproduces_the_shared_timeline(name):
    """Called on events only, the follower gives the open-loop knots: the same numbers."""
    sc = retrosim.load_scenario(name)
    open_loop = retrosim.run(sc, subjects=2)
    closed = retrosim.run(attach(sc, ProtocolFollower()), subjects=2)
    for var in ("energy_total", "vo2_peak", "hr_peak", "speed", "grade", "hr", "vo2",
                "energy"):
        np.testing.assert_allclose(closed[var], open_loop[var], rtol=1e-9, atol=1e-9,
                                   err_msg=var)


def test_a_step_to_a_constant_speed_is_the_exact_first_order_response():
    """From rest, the belt ramps to 1.2 m/s; after the ramp HR relaxes toward its steady
    state with tau 30 s: the gap shrinks by e after each tau (heart.HR_TAU_S)."""
    p = physiology()
    loop = ClosedLoop(p, LIMITS, OPTIONS, running=False)
    loop.command(Command(speed_mps=1.2, start=True))
    loop.advance_to(60.0)
    target = knot_demand(loop.v, loop.g, loop.handrail, p, OPTIONS)[2]
    gap_60 = float(target[0] - loop.hr[0])
    loop.advance_to(60.0 + heart.HR_TAU_S)
    gap_90 = float(target[0] - loop.hr[0])
    assert gap_90 == pytest.approx(gap_60 * np.exp(-1.0), rel=1e-12)
    assert float(loop.v[0]) == pytest.approx(LIMITS.quantise(1.2), abs=1e-12)


def test_the_live_state_agrees_with_the_solved_timeline():
    """What a controller observed equals the trajectory solved on the final knots."""
    p = physiology(3)
    loop = ClosedLoop(p, LIMITS, OPTIONS)
    seen = []
    for i, t in enumerate(np.arange(0.0, 600.0, 7.0)):
        loop.advance_to(t)
        seen.append((t, loop.hr.copy(), loop.kcal.copy()))
        if i % 9 == 0:
            loop.command(Command(speed_mps=np.array([0.8, 1.2, 1.5]) + 0.01 * i, start=True,
                                 direction=-1 if i == 45 else 1, grade_frac=0.002 * i))
    loop.advance_to(600.0)
    traj = solve(loop.timeline(), p, OPTIONS)
    times = np.array([s[0] for s in seen])
    sampled = traj.sample(times)
    np.testing.assert_allclose(sampled["hr"], np.stack([s[1] for s in seen]), rtol=1e-9)
    np.testing.assert_allclose(sampled["energy"], np.stack([s[2] for s in seen]), atol=1e-9)


commands = st.lists(st.tuples(st.floats(0.5, 30.0), st.floats(-2.0, 2.5).filter(
    lambda v: abs(v) > 0.2 or v == 0),
                              st.floats(0.0, 0.15).filter(lambda g: g == 0 or g > 1e-6),
                              st.booleans()), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(commands, st.one_of(st.none(), st.floats(0.0, 150.0)))
def test_the_plant_keeps_its_rate_limits_and_the_estop_latch(cmds, estop_at):
    p = physiology()
    loop = ClosedLoop(p, LIMITS, OPTIONS)
    t = 0.0
    for wait, velocity, grade, stop in cmds:
        if estop_at is not None and t <= estop_at < t + wait:
            loop.advance_to(estop_at)
            loop.emergency_stop(np.ones(1, bool), "test")
        loop.command(Command(speed_mps=abs(velocity), direction=-1 if velocity < 0 else 1,
                             grade_frac=grade, start=True, stop=stop))
        t += wait
        loop.advance_to(t)
    loop.advance_to(t + 60.0)
    tl = loop.timeline()
    tk, v, g = tl.t[:, 0], tl.velocity[:, 0], tl.grade[:, 0]
    dt = np.diff(tk)
    seg = dt > 1e-12
    rate = np.abs(np.diff(v))[seg] / dt[seg]
    mid = (0.5 * (v[1:] + v[:-1]))[seg]
    braking = tk[:-1][seg] >= (estop_at if estop_at is not None else np.inf)
    limit = np.where(braking, LIMITS.estop_decel_mps2,
                     np.where(mid >= 0, LIMITS.forward_accel_mps2, LIMITS.backward_accel_mps2))
    assert np.all(rate <= limit * (1 + 1e-9))
    assert np.all(np.abs(np.diff(g))[seg] / dt[seg] <= LIMITS.incline_rate_frac_per_s * 1.000001)
    assert np.all(np.abs(np.diff(g))[~seg] == 0) and np.all(np.diff(v)[~seg] == 0)
    if estop_at is not None and estop_at < t:
        after = tk >= estop_at + 2.5 / LIMITS.estop_decel_mps2
        assert np.all(v[after] == 0.0), "a latched e-stop never moves the belt again"


def test_reset_only_at_rest_with_the_key_in_place():
    p = physiology()
    loop = ClosedLoop(p, LIMITS, OPTIONS)
    loop.command(Command(speed_mps=1.0, start=True))
    loop.advance_to(20.0)
    loop.pull_key(np.ones(1, bool))
    loop.command(Command(reset=True))                    # moving, key out: refused
    assert loop.latched[0]
    loop.advance_to(30.0)
    loop.command(Command(reset=True, start=True))        # at rest, key still out: refused
    assert loop.latched[0]
    loop.insert_key(np.ones(1, bool))
    loop.command(Command(reset=True))
    assert not loop.latched[0] and loop.v[0] == 0.0 and loop.mode[0] == 0
    _, _, kinds, _ = loop.log.columns()
    assert list(kinds).count("refused") >= 2 and "reset" in kinds


def test_a_change_of_direction_goes_through_zero_at_each_directions_rate():
    p = physiology()
    continuous = TreadmillLimits(speed_step_mps=0.0)
    loop = ClosedLoop(p, continuous, OPTIONS, velocity=1.0, running=True)
    loop.command(Command(speed_mps=0.3, direction=-1))
    loop.advance_to(20.0)
    tl = loop.timeline()                     # as plan_velocity says; a knot for the direction
    assert tl.t[:, 0].tolist() == pytest.approx([0.0, 0.0, 5.0, 7.0, 20.0])
    assert tl.velocity[:, 0].tolist() == pytest.approx([1.0, 1.0, 0.0, -0.3, -0.3])
    assert tl.direction[:, 0].tolist() == [1, -1, -1, -1, -1]


def test_the_flat_stretches_leave_no_knots():
    p = physiology()
    loop = ClosedLoop(p, LIMITS, OPTIONS)
    loop.command(Command(speed_mps=1.0, start=True))
    for t in range(1, 100):
        loop.advance_to(float(t))
    k = loop.timeline().t.shape[0]
    for t in range(100, 1800):
        loop.advance_to(float(t))
    assert loop.timeline().t.shape[0] == k
    assert float(loop.hr[0]) == pytest.approx(float(
        oxygen.first_order_step(p.hr_rest, loop._hr_t, 1e9, 30.0)[0]), rel=1e-9)
