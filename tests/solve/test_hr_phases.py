"""Two-phase heart-rate recovery (``two-phase-recovery``): exact phases after a bout, the rise
unchanged, a slow share that grows with intensity, exact peaks, the closed loop and the
patched trajectory agreeing with a run, and the Compendium's kcal unmoved (the fit's forward
model against a run: tests/fit/test_forward.py)."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import retrosim
from retrosim.api import iter_sessions
from retrosim.controllers import Command
from retrosim.engine.closedloop import ClosedLoop
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.subject import Subject
from retrosim.physiology import heart, hr_kinetics, oxygen
from retrosim.solve import hr_phases
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import EnergyOptions, Physiology, resolve, solve

TWO = EnergyOptions(hr_kinetics="two-phase-recovery")
SUBJECT = {"mass_kg": 70.0, "age_yr": 60, "sex": "male", "vo2max_ml_kg_min": 35.0,
           "fitness": "recreational"}


def trajectory(kinetics, stage="walk forward at 3 mph for 10 min"):
    # no drift: these recoveries are the phases' own exponentials (the drift's fade adds
    # its own, tests/solve/test_hr_drift.py)
    sc = retrosim.Scenario.from_dict({"name": "k", "subject": SUBJECT,
                                      "energy": {"hr_kinetics": kinetics, "hr_drift": "none"},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": [stage, "rest for 10 min"]}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1))).trajectory


def test_recovery_is_the_sum_of_the_two_phases_exponentials():
    """After the belt stops (a constant target), each phase's gap shrinks as exp(-t / tau)
    with its own constant: the exact solution of two first-order systems (1 and 3 min)."""
    tr = trajectory("two-phase-recovery")
    tau_f = float(hr_kinetics.fast_phase(heart.HR_TAU_S, 60.0, 1))
    tau_s = float(hr_kinetics.slow_phase(heart.HR_TAU_S, 60.0, 1))
    stop = float(tr.timeline.t[-2, 0])
    ph = tr.phases
    fast0 = float(ph.fast[-2, 0] - ph.fast_target[-1, 0])
    slow0 = float(ph.slow[-2, 0] - ph.slow_target[-1, 0])
    rest = float(tr.hr_target[-1, 0])
    hr = tr.sample(np.array([stop + 60.0, stop + 180.0]))["hr"][:, 0]
    for got, s in zip(hr, (60.0, 180.0), strict=True):
        want = rest + fast0 * np.exp(-s / tau_f) + slow0 * np.exp(-s / tau_s)
        assert got == pytest.approx(want, rel=1e-12)
    assert slow0 > 0 and tau_s > 10 * tau_f


def test_the_rise_is_one_first_order_state():
    """While heart rate rises both phases relax with the on constant, so the sum is the
    single state of slower-recovery (to round-off), and so is the peak."""
    new, old = trajectory("two-phase-recovery"), trajectory("slower-recovery")
    rising = np.array([30.0, 120.0, 590.0])
    np.testing.assert_allclose(new.sample(rising)["hr"], old.sample(rising)["hr"], rtol=1e-12)
    assert float(new.hr_peak()[0]) == pytest.approx(float(old.hr_peak()[0]), rel=1e-12)


def test_recovery_lengthens_after_a_harder_bout():
    """The slow phase's share grows with the reserve reached, so after a harder bout a
    larger share of the gap is left after 2 min; slower-recovery leaves the same share."""
    def left(kinetics, stage):
        tr = trajectory(kinetics, stage)
        stop, rest = float(tr.timeline.t[-2, 0]), float(tr.hr_target[-1, 0])
        hr = tr.sample(np.array([stop, stop + 120.0]))["hr"][:, 0]
        return (hr[1] - rest) / (hr[0] - rest)

    easy, hard = "walk forward at 2 mph for 10 min", "walk forward at 3.5 mph, 10% grade for 10 min"
    assert left("two-phase-recovery", hard) > left("two-phase-recovery", easy) + 0.1
    assert left("slower-recovery", hard) == pytest.approx(left("slower-recovery", easy),
                                                          rel=1e-9)


def test_the_slow_share_follows_the_reserve():
    """slow_target: nothing at rest, SLOW_SHARE_AT_MAX of the rise at the maximum."""
    assert hr_kinetics.slow_target(70.0, 70.0, 190.0) == 0.0
    assert float(hr_kinetics.slow_target(190.0, 70.0, 190.0)) == pytest.approx(
        hr_kinetics.SLOW_SHARE_AT_MAX * 120.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 200.0), st.floats(-0.3, 0.3), st.floats(50.0, 180.0),
       st.floats(-0.2, 0.2), st.floats(-40.0, 40.0), st.floats(30.0, 120.0),
       st.floats(150.0, 2000.0), st.floats(5.0, 600.0))
def test_the_interior_peak_is_the_maximum_of_the_closed_form(x_f, k_f, u_f, k_s, x_s, t_f,
                                                            t_s, length):
    """The largest interior maximum, with the segment's ends, is no lower than any point of
    the closed form, and where the closed form's largest sampled value lies inside, it is the
    maximum that a bounded search around that sample finds (to 1e-12)."""
    fast = (np.array([x_f]), np.array([u_f]), np.array([k_f]), np.array([t_f]))
    slow = (np.array([x_s]), np.array([0.0]), np.array([k_s]), np.array([t_s]))

    def closed_form(s):
        return (oxygen.first_order_ramp(x_f, u_f, k_f, s, t_f)
                + oxygen.first_order_ramp(x_s, 0.0, k_s, s, t_s))

    s = np.linspace(0.0, length, 20001)
    curve = closed_form(s)
    peak = hr_phases.interior_peak(fast, slow, np.array([length]))[0]
    top = int(np.argmax(curve))
    if 0 < top < s.size - 1:
        found = minimize_scalar(lambda v: -closed_form(v), bounds=(s[top - 1], s[top + 1]),
                                method="bounded", options={"xatol": 1e-12})
        assert peak == pytest.approx(-found.fun, rel=1e-12, abs=1e-12)
    # with the ends (knots, which HrPhases.peak also takes), nothing sampled lies above it
    best = np.fmax(peak, max(curve[0], curve[-1]))
    assert best >= curve.max() - 1e-12 * max(1.0, abs(curve.max()))


def test_the_exact_peak_of_a_bout_ended_before_its_steady_state():
    """A short hard bout whose belt slows before heart rate has caught up: the peak lies
    inside the slowing ramp, and no point of a 0.01-s sampling exceeds it."""
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=60, sex="male")), TWO)
    tl = Timeline.shared([0.0, 5.0, 60.0, 150.0, 900.0], [0.0, 2.2, 2.2, 0.5, 0.5],
                         [0.05] * 5, [-1] * 5, [1] * 5)
    tr = solve(tl, p, TWO)
    dense = tr.sample(np.linspace(0.0, 900.0, 90001))["hr"].max()
    peak = float(tr.hr_peak()[0])
    assert peak > float(tr.hr.max()) + 0.1           # inside an interval, not at a knot
    assert dense <= peak and peak - dense < 1e-6


@pytest.mark.parametrize("drift", ["none", "teso-2025"])
def test_the_closed_loop_sees_what_the_run_records(drift):
    """What a controller observed equals the trajectory solved on the final knots, through
    stops and restarts (with heart rate's drift too)."""
    options = EnergyOptions(hr_kinetics="two-phase-recovery", hr_drift=drift)
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=50, sex="male"), 3),
                      options)
    loop = ClosedLoop(p, TreadmillLimits(), options)
    seen = []
    for i, t in enumerate(np.arange(0.0, 900.0, 7.0)):
        loop.advance_to(t)
        seen.append((t, loop.hr.copy()))
        if i % 20 == 0:
            loop.command(Command(speed_mps=np.array([1.0, 1.5, 2.2]), start=True))
        elif i % 20 == 10:
            loop.command(Command(stop=True))
    loop.advance_to(900.0)
    traj = solve(loop.timeline(), p, options)
    sampled = traj.sample(np.array([s[0] for s in seen]))["hr"]
    np.testing.assert_allclose(sampled, np.stack([s[1] for s in seen]), rtol=1e-9)


def test_a_patched_trajectory_is_the_trajectory_solved_whole():
    """resolve: two of four subjects stopped early give the same heart rate and peaks as
    solving the stopped timeline for everyone."""
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=45, sex="male"), 4), TWO)
    shared = Timeline.shared([0.0, 10.0, 600.0, 610.0, 1200.0], [0.0, 1.8, 1.8, 0.0, 0.0],
                             [0.04] * 5, [-1] * 5, [1] * 5)
    previous = solve(shared, p, TWO)
    stops = np.array([np.inf, 200.0, np.inf, 400.0])
    stopped = shared.stop(stops, 1.0)
    changed = np.isfinite(stops)
    patched, whole = resolve(previous, stopped, changed, p, TWO), solve(stopped, p, TWO)
    times = np.linspace(0.0, 1200.0, 241)
    np.testing.assert_allclose(patched.sample(times)["hr"], whole.sample(times)["hr"],
                               rtol=1e-12)
    np.testing.assert_allclose(patched.hr_peak(), whole.hr_peak(), rtol=1e-12)


def test_the_compendium_kcal_do_not_depend_on_the_heart_rate_kinetics():
    """Ainsworth et al. 2011: 4.3 / 6.0 / 8.0 MET x 3.5 x 61.0 kg / 200 x 10 min, the same
    bits with two phases (energy does not depend on heart rate's kinetics)."""
    sc = retrosim.load_scenario("compendium-2011")
    two = retrosim.run(dataclasses.replace(sc, energy=dataclasses.replace(
        sc.energy, hr_kinetics="two-phase-recovery")))
    expected = [m * 3.5 * 61.0 / 200 * 10 for m in (4.3, 6.0, 8.0)]    # 45.90, 64.05, 85.40
    np.testing.assert_allclose(two.energy_total.values[:, 0], expected, rtol=1e-12)
    np.testing.assert_array_equal(two.energy_total.values, retrosim.run(sc).energy_total.values)
    assert two.attrs["hr_kinetics_model"] == "two-phase-recovery"


def test_the_constants_are_the_bench_fit(bench_module):
    """FAST_PHASE_SCALE, SLOW_PHASE_SCALE and SLOW_SHARE_AT_MAX are bench/fit_hr_recovery.py's
    least-squares fit to Barak et al. 2011 and Pierpont et al. 2000, to the digits kept."""
    kf, ks, share = bench_module("fit_hr_recovery").fit()
    assert hr_kinetics.FAST_PHASE_SCALE == round(kf, 3)
    assert hr_kinetics.SLOW_PHASE_SCALE == round(ks, 2)
    assert hr_kinetics.SLOW_SHARE_AT_MAX == round(share, 3)
