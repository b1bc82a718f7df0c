"""Vagal heart-rate recovery (``vagal-recovery``): exact phases after a bout, the
rise unchanged, the fast phase's capacity, the closed loop and a patched trajectory agreeing
with a run, and the published directions of fitness and age (two-phase solve:
tests/solve/test_hr_phases.py)."""

import numpy as np
import pytest

import retrosim
from retrosim.api import iter_sessions
from retrosim.controllers import Command
from retrosim.engine.closedloop import ClosedLoop
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.subject import Subject
from retrosim.physiology import heart, hr_kinetics
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import EnergyOptions, Physiology, resolve, solve

VAGAL = EnergyOptions(hr_kinetics="vagal-recovery")
SUBJECT = {"mass_kg": 70.0, "age_yr": 60, "sex": "male", "vo2max_ml_kg_min": 35.0,
           "fitness": "recreational"}


def trajectory(kinetics, stage="walk forward at 3.5 mph, 10% grade for 10 min", **subject):
    sc = retrosim.Scenario.from_dict({"name": "k", "subject": {**SUBJECT, **subject},
                                      "energy": {"hr_kinetics": kinetics},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": [stage, "rest for 10 min"]}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1))).trajectory


def test_it_is_chosen_by_name_beside_the_default():
    assert "vagal-recovery" in hr_kinetics.HR_KINETICS_MODELS
    assert VAGAL.hr_kinetics == "vagal-recovery"
    assert EnergyOptions().hr_kinetics == hr_kinetics.DEFAULT_HR_KINETICS_MODEL == "slower-recovery"


def test_recovery_is_the_sum_of_the_two_phases_exponentials():
    """After the belt stops (a constant target), the fast phase's gap shrinks as
    exp(-t / tau_fast) and the slow phase's as exp(-t / tau_slow): the exact solution of two
    first-order systems (1 and 3 min); the bout is hard enough to exceed the capacity."""
    tr = trajectory("vagal-recovery")
    tau_f = float(hr_kinetics.vagal_fast(heart.HR_TAU_S, 60.0, 1))
    tau_s = float(hr_kinetics.vagal_slow(heart.HR_TAU_S, 60.0, 1))
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
    new, old = trajectory("vagal-recovery"), trajectory("slower-recovery")
    rising = np.array([30.0, 120.0, 590.0])
    np.testing.assert_allclose(new.sample(rising)["hr"], old.sample(rising)["hr"], rtol=1e-12)
    assert float(new.hr_peak()[0]) == pytest.approx(float(old.hr_peak()[0]), rel=1e-12)


def test_the_fast_phase_removes_at_most_its_capacity():
    """Barak et al. 2011 (Table 2): the fall to the stabilised heart rate, exercise HR - HR0,
    is 144 - 100 = 44 bpm in non-athletes and 147 - 89 = 58 bpm in athletes; a rise below the
    capacity is all fast, the excess above it slow."""
    assert hr_kinetics.VAGAL_CAPACITY_BPM == (44.0, 44.0, 58.0)
    assert hr_kinetics.VAGAL_TAU_YOUNG_S == (50.6, 50.6, 52.5)
    np.testing.assert_array_equal(
        hr_kinetics.vagal_slow_target([70.0, 114.0, 150.0, 190.0], 70.0, [44.0, 44.0, 44.0, 58.0]),
        [0.0, 0.0, 36.0, 62.0])


def test_the_slow_constant_is_the_bench_fit(bench_module):
    """VAGAL_SLOW_TAU_YOUNG_S is bench/fit_hr_vagal_recovery.py's least-squares fit to Barak
    et al. 2011 and Pierpont et al. 2000, to the second kept."""
    assert hr_kinetics.VAGAL_SLOW_TAU_YOUNG_S == round(bench_module("fit_hr_vagal_recovery").fit())


def first_minute(age, fitness):
    """The fall [bpm] a minute after a bout held at the predicted HRmax, resting 70 bpm."""
    top = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](age, False))
    slow = float(hr_kinetics.vagal_slow_target(top, 70.0, hr_kinetics.vagal_capacity(fitness)))
    tau_f = float(hr_kinetics.vagal_fast(heart.HR_TAU_S, age, fitness))
    tau_s = float(hr_kinetics.vagal_slow(heart.HR_TAU_S, age, fitness))
    return (top - 70.0 - slow) * (1 - np.exp(-60 / tau_f)) + slow * (1 - np.exp(-60 / tau_s))


@pytest.mark.parametrize("age", [24.0, 51.0, 57.0])
def test_the_trained_recover_faster_at_every_age(age):
    """Darr et al. 1988 (young 24-25 yr and older 51-57 yr men): the trained recover faster
    than the untrained after a maximal bout, most in the fast phase; Imai et al. 1994: the
    vagal phase is faster in athletes."""
    assert first_minute(age, 2) > first_minute(age, 0) + 5.0
    assert first_minute(age, 0) == first_minute(age, 1)


def test_recovery_slows_with_age_and_stays_above_the_abnormal_threshold():
    """Pierpont & Voth 2004: recovery slows with age; Cole et al. 1999: a first-minute fall of
    12 bpm or less after a symptom-limited test is abnormal, so an inactive person without
    disease of their cohort's mean age, 57 yr, falls by more."""
    assert first_minute(25.0, 1) > first_minute(45.0, 1) > first_minute(65.0, 1)
    assert first_minute(57.0, 0) > 12.0


def test_after_a_light_bout_the_fall_is_one_phase():
    """A light walk stays below the capacity: the whole fall is the fast phase's
    exponential (the slow part is nothing)."""
    tr = trajectory("vagal-recovery", "walk forward at 2 mph for 10 min", fitness="trained")
    assert float(np.abs(tr.phases.slow_target).max()) == 0.0
    stop, rest = float(tr.timeline.t[-2, 0]), float(tr.hr_target[-1, 0])
    hr = tr.sample(np.array([stop, stop + 60.0]))["hr"][:, 0]
    tau_f = float(hr_kinetics.vagal_fast(heart.HR_TAU_S, 60.0, 2))
    assert (hr[1] - rest) / (hr[0] - rest) == pytest.approx(np.exp(-60.0 / tau_f), rel=1e-9)


@pytest.mark.parametrize("drift", ["none", "teso-2025"])
def test_the_closed_loop_sees_what_the_run_records(drift):
    """What a controller observed equals the trajectory solved on the final knots, through
    stops and restarts (with heart rate's drift too), people of three fitness levels."""
    options = EnergyOptions(hr_kinetics="vagal-recovery", hr_drift=drift)
    cohort = Cohort.concatenate([Cohort.from_subject(Subject(mass_kg=70, age_yr=50, sex="male",
                                                             fitness=f))
                                 for f in ("inactive", "recreational", "trained")])
    p = Physiology.of(cohort, options)
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
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=45, sex="male"), 4),
                      VAGAL)
    shared = Timeline.shared([0.0, 10.0, 600.0, 610.0, 1200.0], [0.0, 2.2, 2.2, 0.0, 0.0],
                             [0.08] * 5, [-1] * 5, [1] * 5)
    previous = solve(shared, p, VAGAL)
    stops = np.array([np.inf, 200.0, np.inf, 400.0])
    stopped = shared.stop(stops, 1.0)
    changed = np.isfinite(stops)
    patched, whole = resolve(previous, stopped, changed, p, VAGAL), solve(stopped, p, VAGAL)
    times = np.linspace(0.0, 1200.0, 241)
    np.testing.assert_allclose(patched.sample(times)["hr"], whole.sample(times)["hr"],
                               rtol=1e-12)
    np.testing.assert_allclose(patched.hr_peak(), whole.hr_peak(), rtol=1e-12)


def test_each_phase_switches_by_its_own_target_so_heart_rate_is_continuous():
    """After a hard stage the slow state sits above its own target and the fast one below its
    own. Each turns by its own target, so heart rate is continuous where the sum crosses the
    whole target: a nanobeat either side gives the same minute (a rule on the sum switched
    both constants at once there, moving heart rate by several beats), and over a 20-min
    stage the fast state reaches its own target instead of being held by the slow one's."""
    from retrosim.solve import hr_phases
    p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=60, sex="male")),
                      EnergyOptions(hr_kinetics="vagal-recovery"))
    target = (np.array([110.0]), np.array([26.0]))               # the whole target 136
    ends = []
    for eps in (-1e-9, 1e-9):
        fast, slow = np.array([104.0]), np.array([32.0 + eps])   # the sum 136 -+ 1e-9
        ends.append(hr_phases.step(fast, slow, target, target, np.array([60.0]), p))
    (f0, s0), (f1, s1) = ends
    assert abs(float((f1 + s1 - f0 - s0)[0])) < 1e-6
    fast, slow = hr_phases.step(np.array([104.0]), np.array([32.0]), target, target,
                                np.array([1200.0]), p)
    assert abs(float(fast[0]) - 110.0) < 1e-6 and 26.0 < float(slow[0]) < 32.0
