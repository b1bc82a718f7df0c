"""Perturbations, falls, tether pulls and e-stops along a session: outputs, exactness, properties
(guidance, bad input and the bundled scenarios: test_falls_scenarios.py).

Fall probabilities are compared with common random numbers: the same seed and arm name give
every virtual person the same unit exponentials in both conditions, so a subject who falls in
the safer condition falls in the riskier one too, unless a tether pull ends their walk first.
The exact hazards (``fall_hazard.rates``) are compared as well: they carry no noise at all.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrosim
from retrosim.engine.session import Session
from retrosim.engine.simulate import simulate_arm
from retrosim.events import fall_hazard as hazards
from retrosim.events import falls
from retrosim.model.people import Cohort
from retrosim.model.scenario import Scenario
from retrosim.solve.trajectory import Physiology, solve
from retrosim.units import MPS_PER_MPH

SUBJECT = {"mass_kg": 68.0, "age_yr": 65, "sex": "female"}
#: The default rates times 100: the same model with counts large enough for small cohorts.
BOOSTED = {"trips_per_h": 0.2, "missteps_per_h": 0.05, "handrail_slips_per_h": 0.03,
           "unexpected_per_mps": 0.02}
LEVELS = ("good", "moderate", "impaired", "severe")
#: The "perturbations" fall model (the Berg score alone, Shumway-Cook et al. 1997's slope),
#: pinned where a test quotes its numbers.
PERTURBATIONS = {"model": "perturbations"}


def scenario(stages, *, subject=None, falls_table=None, treadmill=None, seed=11, **arm):
    data = {"name": "falls-test", "seed": seed, "subject": {**SUBJECT, **(subject or {})},
            "arms": {"a": {"stages": stages, **arm}}}
    if falls_table:
        data["falls"] = falls_table
    if treadmill:
        data["treadmill"] = treadmill
    return Scenario.from_dict(data)


def commanded(sc, n=1):
    """Arm "a" as commanded, before any event model: for the exact hazards."""
    arm = sc.arms["a"]
    cohort = Cohort.from_subject(sc.subject, n)
    if arm.subject:
        cohort = cohort.with_subject_keys(dict(arm.subject))
    if arm.handrail:
        cohort = cohort.with_handrail(arm.handrail)
    timeline, log = simulate_arm(arm.protocol, sc.treadmill)
    physiology = Physiology.of(cohort, sc.energy)
    return Session(arm, sc, cohort, sc.seed, timeline, physiology,
                   solve(timeline, physiology, sc.energy), log)


def fall_hazard(sc):
    return float(hazards.rates(commanded(sc)).totals(fall=True)[0])


def fell(sc, n):
    return retrosim.run(sc, subjects=n, traces=False).fell.values[0]


def assert_no_fewer_falls(riskier, safer):
    """Paired (common random numbers): the riskier condition has no fewer fallers, beyond the
    few subjects a tether pull can stop before a fall (a one-sided McNemar bound)."""
    discordant = int((riskier != safer).sum())
    assert riskier.sum() - safer.sum() >= -3 * np.sqrt(discordant), (riskier.sum(), safer.sum())


stage_st = st.builds(
    lambda mph, grade, minutes: (round(mph, 1), round(grade, 1), round(minutes, 1)),
    st.floats(0.6, 3.0), st.floats(0.0, 8.0), st.floats(1.0, 8.0))
protocol_st = st.lists(stage_st, min_size=1, max_size=3)


def stages_of(protocol, direction="forward", factor=1.0):
    return [f"walk {direction} at {mph * factor:.2f} mph, {grade}% grade for {minutes} min"
            for mph, grade, minutes in protocol]


# ------------------------------------------------------------------------------------------
# outputs


def test_per_subject_and_per_arm_outputs_follow_the_contract():
    sc = scenario(["walk backward at 2 mph for 10 min"], subject={"balance": "impaired"},
                  falls_table=BOOSTED)
    ds = retrosim.run(sc, subjects=500)
    for name, dtype in (("fell", bool), ("fall_time", float), ("stumbles", np.int64),
                        ("estop", bool)):
        assert ds[name].dims == ("arm", "subject") and ds[name].dtype == dtype
        assert {"units", "long_name"} <= set(ds[name].attrs)
    assert ds.fall_time.attrs["units"] == "s"
    assert np.array_equal(np.isnan(ds.fall_time), ~ds.fell)
    assert ds.fell.any() and (~ds.fell).any() and (ds.stumbles > 0).any()
    for name in ("fall_probability", "fall_probability_low", "fall_probability_high",
                 "falls_per_1000"):
        assert ds[name].dims == ("arm",) and "long_name" in ds[name].attrs
    k, n = int(ds.fell.sum()), 500
    assert ds.fall_probability.item() == k / n and ds.falls_per_1000.item() == 1000 * k / n
    assert "Owings" in ds.attrs["references"]


def test_the_wilson_interval_is_wilsons():
    """Wilson (1927): (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.95996."""
    fell_ = np.zeros((3, 400), dtype=bool)
    fell_[0, :7] = True
    fell_[2, :] = True
    s = falls.arm_statistics(fell_)
    z, n = 1.959963984540054, 400
    for arm, k in enumerate((7, 0, 400)):
        p = k / n
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        centre = p + z * z / (2 * n)
        assert s["fall_probability_low"][arm] == pytest.approx((centre - half) / (1 + z * z / n))
        assert s["fall_probability_high"][arm] == pytest.approx((centre + half) / (1 + z * z / n))


def test_the_event_log_holds_every_perturbation_fall_tether_pull_and_stop():
    sc = scenario(["walk backward at 2 mph for 10 min"], subject={"balance": "impaired"},
                  falls_table=BOOSTED)
    ds = retrosim.run(sc, subjects=150, trace_step_s=0.1)
    kind, subj, time = ds.event_kind.values, ds.event_subject.values, ds.event_time.values
    margin = 0.7 * 1.4 - 0.4 * 1.4                  # release point - usual place, m
    for i in range(150):
        mine = subj == i
        n_pert = int((mine & (kind == "perturbation")).sum())
        assert int(ds.stumbles[0, i]) == n_pert - int(ds.fell[0, i])
        if bool(ds.fell[0, i]):
            t_fall = float(ds.fall_time[0, i])
            assert time[mine & (kind == "fall")].tolist() == [t_fall]
            assert t_fall in time[mine & (kind == "perturbation")]
            # the fallen walker is carried back by the belt until the key releases, exactly
            t_pull = time[mine & (kind == "tether")]
            assert t_pull == pytest.approx(carried_to_release(t_fall, margin), rel=1e-9)
            assert time[mine & (kind == "estop")] == pytest.approx(t_pull)
            walking = mine & np.isin(kind, ["perturbation", "recovery", "fall", "tether"])
            assert bool(ds.estop[0, i]) and time[walking].max() == pytest.approx(t_pull[0])
        if bool(ds.estop[0, i]):
            t_stop = float(time[mine & (kind == "estop")][0])
            speed = ds.speed[0, i].values
            after = ds.time.values >= t_stop + 2.0 * MPS_PER_MPH / 1.5 + 0.1
            assert np.all(speed[after] == 0.0)
            during = (ds.time.values > t_stop) & ~after
            assert np.all(np.abs(np.diff(speed[during])) <= 1.5 * 0.1 + 1e-9)
    assert set(kind) >= {"perturbation", "recovery", "fall", "tether", "estop"}


def carried_to_release(t_fall, margin_m, v_mps=2 * MPS_PER_MPH, accel_mps2=0.15):
    """When a walker who falls at ``t_fall`` on a belt ramping from rest to ``v_mps`` at
    ``accel_mps2`` has been carried ``margin_m``: travel a t^2 / 2 on the ramp, v t after."""
    ramp_s = v_mps / accel_mps2

    def travel(t):
        return 0.5 * accel_mps2 * min(t, ramp_s) ** 2 + v_mps * max(t - ramp_s, 0.0)
    target = travel(t_fall) + margin_m
    if target <= travel(ramp_s):
        return np.sqrt(2 * target / accel_mps2)
    return ramp_s + (target - travel(ramp_s)) / v_mps


def test_a_subject_draws_the_same_events_alone_or_among_many():
    sc = scenario(["walk forward at 2 mph for 3 min", "walk backward at 2 mph for 10 min"],
                  subject={"balance": "impaired"}, falls_table=BOOSTED)
    batch = retrosim.run(sc, subjects=600, traces=False)
    fallers = np.flatnonzero(batch.fell.values[0])
    busy = np.flatnonzero(batch.stumbles.values[0] > 1)
    assert fallers.size and busy.size
    for i in (0, int(fallers[0]), int(busy[-1])):
        alone = list(retrosim.api.iter_sessions(sc, seed=sc.seed, subjects=1, first=i))[0]
        for name in ("fell", "fall_time", "stumbles", "estop"):
            assert alone.summary[name].tobytes() == batch[name].values[0, i:i + 1].tobytes()
        assert alone.trajectory.summary()["energy_total"][0] == \
            batch.energy_total.values[0, i]


# ------------------------------------------------------------------------------------------
# exactness


def test_fall_probability_matches_the_exact_hazard_when_no_tether_pull_intervenes():
    """Falls are a Poisson process of rate lambda p: P(fall) = 1 - exp(-H(T)) exactly."""
    sc = scenario(["walk backward at 2 mph, 3% grade for 15 min"], subject={"berg": 38},
                  falls_table={**PERTURBATIONS, **BOOSTED, "stumble_drift_s": 0.01})
    h = fall_hazard(sc)
    n = 20_000
    p = 1 - np.exp(-h)
    assert 0.1 < p < 0.9
    assert fell(sc, n).mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))


def test_recoveries_are_poisson_with_the_recovery_hazard_over_several_rounds():
    """Recoveries and falls are independent Poisson processes (thinning): a walker who does
    not fall has Poisson(H_r(T)) recoveries, T the whole session; mean and variance."""
    table = {**PERTURBATIONS, **BOOSTED, "trips_per_h": 5.0, "missteps_per_h": 2.0,
             "stumble_drift_s": 0.01,
             "trip_fall_pct": 0.1, "misstep_fall_pct": 0.1, "speed_change_fall_pct": 0.1,
             "berg_log_odds_per_point": 0, "backward_fall_odds_ratio": 1}
    sc = scenario(["walk backward at 2 mph for 20 min"], subject={"balance": "impaired"},
                  falls_table=table)
    h = float(hazards.rates(commanded(sc)).totals(fall=False)[0])
    assert h > 2 * falls.ROUND                                 # several rounds of draws
    ds = retrosim.run(sc, subjects=2000, traces=False)
    count = ds.stumbles.values[0][~ds.fell.values[0]]
    assert 1500 < count.size < 2000
    assert count.mean() == pytest.approx(h, abs=4 * np.sqrt(h / count.size))
    assert count.var() == pytest.approx(h, rel=0.15)


def test_the_hazard_integrates_and_inverts_a_ramp_in_closed_form():
    """Rate 0 -> 2 s-1 over 10 s: H(t) = t^2 / 10; H = 2.5 at t = 5."""
    h = hazards.Hazard.of(np.array([[0.0], [10.0], [10.0], [20.0]]),
                        np.array([[0.0], [5.0], [1.0]]), np.array([[2.0], [5.0], [1.0]]))
    assert h.total.tolist() == [20.0]
    t, j = h.inverse(np.zeros(3, dtype=int), np.array([2.5, 10.0, 15.0]))
    assert t.tolist() == pytest.approx([5.0, 10.0, 15.0]) and j.tolist() == [0, 2, 2]
    assert h.at(np.zeros(2, dtype=int), t[:2]).tolist() == pytest.approx([2.5, 10.0])


# ------------------------------------------------------------------------------------------
# the properties of "how we will know it is done"


@settings(max_examples=15, deadline=None, derandomize=True)
@given(protocol_st, st.sampled_from(["forward", "backward"]),
       st.sampled_from(["none", "light", "grip"]))
def test_fall_probability_never_decreases_as_balance_worsens(protocol, direction, handrail):
    stages = stages_of(protocol, direction)
    hazards = [fall_hazard(scenario(stages, subject={"balance": level}, handrail=handrail))
               for level in LEVELS]
    assert np.all(np.diff(hazards) > 0)
    runs = [fell(scenario(stages, subject={"balance": level}, handrail=handrail,
                          falls_table=BOOSTED), 1500) for level in LEVELS]
    for safer, riskier in zip(runs, runs[1:], strict=False):
        assert_no_fewer_falls(riskier, safer)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(protocol_st, st.floats(1.05, 1.5), st.sampled_from(["forward", "backward"]),
       st.sampled_from(LEVELS))
def test_fall_probability_never_decreases_with_speed(protocol, factor, direction, level):
    slow, fast = (stages_of(protocol, direction, f) for f in (1.0, factor))
    subject = {"balance": level}
    assert fall_hazard(scenario(fast, subject=subject)) >= \
        fall_hazard(scenario(slow, subject=subject))
    assert_no_fewer_falls(fell(scenario(fast, subject=subject, falls_table=BOOSTED), 1500),
                          fell(scenario(slow, subject=subject, falls_table=BOOSTED), 1500))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(protocol_st, st.sampled_from(LEVELS), st.sampled_from(["none", "light", "grip"]))
def test_fall_probability_never_decreases_from_forward_to_backward(protocol, level, handrail):
    kw = {"subject": {"balance": level}, "handrail": handrail}
    forward, backward = (stages_of(protocol, d) for d in ("forward", "backward"))
    assert fall_hazard(scenario(backward, **kw)) > fall_hazard(scenario(forward, **kw))
    assert_no_fewer_falls(fell(scenario(backward, falls_table=BOOSTED, **kw), 1500),
                          fell(scenario(forward, falls_table=BOOSTED, **kw), 1500))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(protocol_st, st.sampled_from(["forward", "backward"]), st.sampled_from(LEVELS))
def test_fall_probability_never_increases_with_more_support(protocol, direction, level):
    stages = stages_of(protocol, direction)
    kw = {"subject": {"balance": level}}
    hazards = [fall_hazard(scenario(stages, handrail=h, **kw)) for h in ("none", "light", "grip")]
    assert np.all(np.diff(hazards) < 0)
    runs = [fell(scenario(stages, handrail=h, falls_table=BOOSTED, **kw), 1500)
            for h in ("none", "light", "grip")]
    for less, more in zip(runs, runs[1:], strict=False):
        assert_no_fewer_falls(less, more)


def test_a_healthy_forward_walk_rarely_ends_in_a_fall_and_severe_backward_often_does():
    healthy = scenario(["walk forward at 3 mph for 30 min"], falls_table=PERTURBATIONS,
                       subject={"berg": 56, "age_yr": 35, "vo2max_ml_kg_min": 40})
    severe = scenario(["walk backward at 2 mph for 20 min"], subject={"balance": "severe"},
                      falls_table=PERTURBATIONS)
    h = retrosim.run(healthy, subjects=50_000, traces=False)
    s = retrosim.run(severe, subjects=5_000, traces=False)
    assert h.fall_probability_high.item() < 1e-3
    assert s.fall_probability_low.item() > 0.3


@pytest.mark.parametrize("key", ["backward_rate_ratio", "backward_fall_odds_ratio"])
def test_the_backward_assumptions_move_backward_risk_only(key):
    """No study measures falls per hour of backward treadmill walking: the named parameters
    carry that assumption. Backward risk rises with them; forward risk does not move."""
    def hazard(direction, value):
        return fall_hazard(scenario([f"walk {direction} at 2 mph for 20 min"],
                                    subject={"balance": "moderate"}, falls_table={key: value}))
    backward = [hazard("backward", v) for v in (1.0, 2.0, 4.0)]
    assert backward[0] < backward[1] < backward[2]
    assert hazard("forward", 1.0) == hazard("forward", 4.0)


@pytest.mark.parametrize("table", [{"attention": 0.5}, {"grade_gain": 10.0},
                                   {"fatigue_gain": 3.0}])
def test_inattention_grade_and_fatigue_raise_the_risk(table):
    stages = ["walk backward at 2 mph, 5% grade for 20 min"]
    assert fall_hazard(scenario(stages, falls_table=table)) > fall_hazard(scenario(stages))


def test_the_falls_model_can_be_switched_off():
    sc = scenario(["walk backward at 2 mph for 10 min"], subject={"balance": "severe"},
                  falls_table={"model": "none"})
    ds = retrosim.run(sc, subjects=200, traces=False)
    assert not ds.fell.any() and not ds.estop.any() and int(ds.stumbles.sum()) == 0
    assert "perturbation" not in set(ds.event_kind.values)
    assert ds.energy_total.values.min() == ds.energy_total.values.max()
