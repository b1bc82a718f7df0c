"""The engine: the Compendium headline, closed-form exactness, properties, batch invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import retrosim
from retrosim import units
from retrosim.engine.simulate import simulate_arm
from retrosim.engine.treadmill import TreadmillLimits
from retrosim.model.people import Cohort
from retrosim.model.protocol import Protocol, Stage
from retrosim.model.scenario import Scenario
from retrosim.solve.trajectory import EnergyOptions, Physiology, solve

SUBJECT = {"mass_kg": 61.0, "age_yr": 35, "sex": "female", "vo2max_ml_kg_min": 35}


def scenario(stages, *, model="continuous", start="stopped", subject=None, epoc="slow", **arm):
    return Scenario.from_dict({
        "name": "test", "subject": subject or SUBJECT, "energy": {"model": model, "epoc": epoc},
        "treadmill": {"start": start}, "arms": {"a": {"stages": stages, **arm}}})


def trajectory_of(stages, *, model="continuous", start="stopped", n=1, epoc="slow"):
    sc = scenario(stages, model=model, start=start, epoc=epoc)
    timeline, _ = simulate_arm(sc.arms["a"].protocol, sc.treadmill)
    physiology = Physiology.of(Cohort.from_subject(sc.subject, n), sc.energy)
    return solve(timeline, physiology, sc.energy), physiology


def test_compendium_2011_headline_46_64_85_kcal():
    """Ainsworth et al. 2011: 4.3 / 6.0 / 8.0 MET x 3.5 x 61.0 kg / 200 x 10 min."""
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
    expected = [m * 3.5 * 61.0 / 200 * 10 for m in (4.3, 6.0, 8.0)]    # 45.90, 64.05, 85.40
    np.testing.assert_allclose(ds.energy_total.values[:, 0], expected, rtol=1e-12)
    assert np.round(ds.energy_total.values[:, 0]).tolist() == [46.0, 64.0, 85.0]
    assert ds.arm.values.tolist() == ["forward-level", "backward-level", "backward-uphill"]


def test_a_belt_starting_from_rest_costs_exactly_its_ramp():
    """Demand moves linearly over the ramp from 1 MET (standing) to 4.3 MET: the energy lost
    against an at-speed start is the triangle (4.3 - 1) / 2 x ramp time."""
    stages = ["walk forward at 3.5 mph for 10 min"]
    at_speed = retrosim.run(scenario(stages, model="compendium-2011", start="at-speed"))
    stopped = retrosim.run(scenario(stages, model="compendium-2011", start="stopped"))
    ramp_s = 3.5 * units.MPS_PER_MPH / TreadmillLimits().forward_accel_mps2
    kcal_per_met_s = 3.5 * 61.0 / 200 / 60
    lost = (4.3 - 1.0) / 2 * ramp_s * kcal_per_met_s
    assert (at_speed.energy_total - stopped.energy_total).item() == pytest.approx(lost, rel=1e-12)


def test_one_time_constant_after_a_step_reaches_63_2_percent():
    traj, phys = trajectory_of(["walk forward at 3.5 mph for 10 min"], start="at-speed")
    tau = phys.tau_vo2_s[0]
    rest, target = phys.vo2_rest[0], traj.vo2_target[1, 0]
    vo2 = traj.sample(np.array([tau]))["vo2"][0, 0]
    assert (vo2 - rest) / (target - rest) == pytest.approx(1 - np.exp(-1), rel=1e-12)


def test_o2_deficit_is_repaid_during_recovery():
    """Over exercise and a full recovery, uptake above rest equals demand above rest (the
    fast component; EPOC's slow component, tests/solve/test_epoc.py, is left out)."""
    traj, phys = trajectory_of(["walk backward at 2 mph, 4% grade for 10 min",
                                "rest for 30 min"], start="at-speed", epoc="fast")
    t = np.linspace(0, traj.timeline.duration_s, 240_001)
    vo2 = traj.sample(t)["vo2"][:, 0]
    rest = phys.vo2_rest[0]
    uptake = np.trapezoid(vo2 - rest, t)
    # demand above rest: 10 min at the stage's target plus the linear ramp down to rest
    demand = np.trapezoid(traj.vo2_target[:, 0] - rest, traj.timeline.t[:, 0])
    assert demand > (traj.vo2_target[1, 0] - rest) * 600.0
    assert uptake == pytest.approx(demand, rel=1e-6)


@pytest.mark.parametrize("stages", [
    ["walk forward at 2 mph for 2 min", "walk backward at 1.5 mph, 5% grade for 3 min",
     "walk forward at 3 mph for 1 min", "rest for 4 min"],
    ["walk backward at 3.5 mph for 30 s", "walk forward at 1 mph for 3 min"],
])
def test_closed_form_matches_an_ode_solver_and_finds_the_exact_peak(stages):
    traj, phys = trajectory_of(stages, epoc="fast")      # the first-order state alone
    t_knots, u = traj.timeline.t[:, 0], traj.vo2_target[:, 0]
    tau = phys.tau_vo2_s[0]

    def target(t):
        return np.interp(t, t_knots, u)

    t_eval = np.linspace(0, t_knots[-1], 5001)
    sol = solve_ivp(lambda t, x: (target(t) - x) / tau, (0, t_knots[-1]), [phys.vo2_rest[0]],
                    t_eval=t_eval, rtol=1e-10, atol=1e-10, max_step=0.5)
    np.testing.assert_allclose(traj.sample(t_eval)["vo2"][:, 0], sol.y[0], rtol=1e-6, atol=1e-6)
    peak = traj.summary()["vo2_peak"][0]
    fine = traj.sample(np.linspace(0, t_knots[-1], 200_001))["vo2"][:, 0].max()
    assert fine <= peak + 1e-12
    assert peak == pytest.approx(fine, abs=1e-6)


def test_subject_zero_alone_equals_subject_zero_of_a_thousand_bit_for_bit():
    sc = retrosim.load_scenario("knee-rehab-first-session")
    alone = retrosim.run(sc, subjects=1)
    batch = retrosim.run(sc, subjects=1000)
    for name in ("speed", "direction", "grade", "vo2", "met", "energy", "hr",
                 "energy_total", "vo2_peak", "hr_peak"):
        a, b = alone[name].isel(subject=0).values, batch[name].isel(subject=0).values
        assert a.tobytes() == b.tobytes(), name


def test_same_seed_same_result_bit_for_bit():
    sc = retrosim.load_scenario("backward-conditioning")
    a, b = retrosim.run(sc, seed=5), retrosim.run(sc, seed=5)
    for name in a.data_vars:
        assert a[name].values.tobytes() == b[name].values.tobytes(), name
    assert a.attrs["seed"] == 5


def test_belt_reverses_through_a_stop_within_its_acceleration_limits():
    ds = retrosim.run(scenario(["walk forward at 3 mph for 1 min",
                                "walk backward at 2 mph for 1 min"]), trace_step_s=0.1)
    speed = ds.speed.isel(arm=0, subject=0).values
    direction = ds.direction.isel(arm=0, subject=0).values
    velocity = speed * direction
    limits = TreadmillLimits()
    accel = np.abs(np.diff(velocity)) / 0.1
    assert accel.max() <= max(limits.forward_accel_mps2, limits.backward_accel_mps2) + 1e-9
    assert speed.min() >= 0
    stop = int(np.argmin(speed[500:]) + 500)
    assert speed[stop] == pytest.approx(0, abs=0.02) and np.all(direction[stop + 5:] == -1)


stage_st = st.builds(
    lambda backward, mph, grade, minutes: (
        f"walk {'backward' if backward else 'forward'} at {mph:.2f} mph, {grade:.1f}% grade "
        f"for {minutes:.2f} min"),
    st.booleans(), st.floats(0.6, 4.0), st.floats(0, 15), st.floats(0.1, 8))
rest_st = st.floats(0.1, 10).map(lambda m: f"rest for {m:.2f} min")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(stage_st, rest_st), min_size=1, max_size=5))
def test_vo2_stays_between_its_start_and_its_targets_and_energy_accumulates(stages):
    """First-order kinetics alone (``epoc = "fast"``) never leave the range of their targets."""
    traj, phys = trajectory_of(stages, epoc="fast")
    t = np.linspace(0, traj.timeline.duration_s, 2001)
    tr = traj.sample(t)
    lo = min(phys.vo2_rest[0], traj.vo2_target.min())
    hi = max(phys.vo2_rest[0], traj.vo2_target.max())
    assert np.all(tr["vo2"] >= lo - 1e-9) and np.all(tr["vo2"] <= hi + 1e-9)
    assert np.all(np.diff(tr["energy"][:, 0]) >= -1e-12)
    assert traj.summary()["vo2_peak"][0] <= hi + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(stage_st, rest_st), min_size=1, max_size=5))
def test_the_slow_component_only_adds_oxygen_and_energy(stages):
    """EPOC's slow component is an excess over the fast kinetics: it never lowers VO2 or energy."""
    fast, _ = trajectory_of(stages, epoc="fast")
    slow, _ = trajectory_of(stages, epoc="slow")
    t = np.linspace(0, fast.timeline.duration_s, 2001)
    a, b = fast.sample(t), slow.sample(t)
    assert np.all(b["vo2"] >= a["vo2"] - 1e-12)
    assert np.all(np.diff(b["energy"][:, 0]) >= -1e-12)
    assert slow.summary()["energy_total"][0] >= fast.summary()["energy_total"][0] - 1e-12


@settings(max_examples=30, deadline=None)
@given(backward=st.booleans(), mph=st.floats(0.6, 3.8), more=st.floats(0.01, 0.6),
       grade=st.floats(0, 12), steeper=st.floats(0.1, 3),
       model=st.sampled_from(["continuous", "compendium-2011", "compendium-2024", "acsm"]))
def test_energy_never_falls_with_speed_or_grade(backward, mph, more, grade, steeper, model):
    word = "backward" if backward else "forward"

    def kcal(speed, pct):
        sc = scenario([f"walk {word} at {speed} mph, {pct}% grade for 10 min"], model=model,
                      start="at-speed")
        return float(retrosim.run(sc, traces=False).energy_total[0, 0])

    base = kcal(mph, grade)
    assert kcal(mph + more, grade) >= base
    assert kcal(mph, min(grade + steeper, 15)) >= base


def test_handrail_grip_lowers_energy_and_per_stage_override_applies():
    stages = ["walk forward at 2.5 mph for 5 min"]
    free = retrosim.run(scenario(stages), traces=False).energy_total.item()
    grip = retrosim.run(scenario(stages, handrail="grip"), traces=False).energy_total.item()
    table = [{"speed_mph": 2.5, "duration_min": 5, "handrail": "grip"}]
    staged = retrosim.run(scenario(table), traces=False).energy_total.item()
    assert grip < free and staged == grip


@pytest.mark.parametrize("name", ["forward-vs-backward", "knee-rehab-six-weeks"])
def test_every_result_variable_says_its_units_and_what_it_is(name):
    ds = retrosim.run(retrosim.load_scenario(name), subjects=2)
    described = [k for k in [*ds.data_vars, *ds.coords] if k not in ds.dims]
    assert "event_kind" in described
    unlabelled = [k for k in described
                  if not ds[k].attrs.get("long_name") or "units" not in ds[k].attrs]
    assert unlabelled == []


def test_result_dataset_follows_the_contract():
    ds = retrosim.run(retrosim.load_scenario("knee-rehab-first-session"), subjects=2)
    assert set(ds.dims) >= {"arm", "subject", "time"}
    for name in ("speed", "direction", "grade", "vo2", "met", "energy", "hr"):
        assert ds[name].dims == ("arm", "subject", "time")
        assert {"units", "long_name"} <= set(ds[name].attrs)
    for name in ("energy_total", "vo2_peak", "hr_peak"):
        assert ds[name].dims == ("arm", "subject")
    assert ds.time.attrs["units"] == "s" and ds.time.values[1] - ds.time.values[0] == 1.0
    assert ds.energy.attrs["units"] == "kcal" and ds.vo2.attrs["units"] == "mL kg-1 min-1"
    for attr in ("scenario", "seed", "retrosim_version", "references"):
        assert attr in ds.attrs
    assert "Tanaka" in ds.attrs["references"]
    assert set(ds.event_kind.values) >= {"stage", "target", "end"}
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        np.testing.assert_allclose(r.energy.sel(time=r.duration), r.energy_total, rtol=1e-12)


def test_arms_of_different_lengths_pad_with_nan():
    sc = Scenario.from_dict({"name": "t", "subject": SUBJECT, "arms": {
        "short": {"stages": ["walk forward at 2 mph for 1 min"]},
        "long": {"stages": ["walk forward at 2 mph for 2 min"]}}})
    ds = retrosim.run(sc)
    short = ds.sel(arm="short", subject=0)
    assert np.isnan(short.vo2.sel(time=90.0)) and short.direction.sel(time=90.0) == 0
    assert not np.isnan(short.vo2.sel(time=60.0))


def test_stage_string_protocol_durations_add_up():
    p = Protocol.parse(["walk forward at 2 mph for 3 min", {"action": "rest", "duration_s": 30}])
    assert p.duration_s == 210.0 and p.stages[1] == Stage.rest(30.0)
    assert EnergyOptions().model == "continuous"
