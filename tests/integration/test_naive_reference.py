"""The engine against the naive reference of bench/naive.py, an independent implementation.

The reference ticks every second with a SimPy process per person and forward Euler; the engine
advances in closed form between events. They share only the models and the treadmill plant,
so agreement checks the engine's timeline, closed-form kinetics, energy integral and peaks.

Tolerances. Energy: 0.5 % (the project's requirement); the two differ only over the belt's
few-second ramps, where the reference holds each second's demand (left rectangle rule) and
the engine takes demand as linear between knots. Peaks: forward Euler with step dt on
``tau x' = u - x`` is first order, its error O(dt/tau) times the size of the target's moves;
holding the target over each tick adds an error of the same order. The bound used is one
step's relaxation across the whole range R the target spans, ``R dt / tau``: for a step of
the target the worst global Euler error is R dt / (2 e tau), a fifth of it.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import retrosim
from retrosim.engine.simulate import simulate_arm
from retrosim.model.people import Cohort
from retrosim.model.scenario import Scenario
from retrosim.physiology import heart
from retrosim.solve.trajectory import Physiology, solve

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import naive  # noqa: E402

STAGES = [
    "walk forward at 2.5 mph for 1 min",
    {"direction": "backward", "speed_mph": 2.0, "grade_pct": 6, "duration_s": 90,
     "handrail": "grip"},
    "walk backward at 1.5 mph, 4% grade for 1 min",
    "walk forward at 2.0 mph for 1 min",
    "rest for 1 min",
]

SUBJECTS = {
    "older-inactive-woman": {"mass_kg": 68.0, "age_yr": 67, "sex": "female",
                             "fitness": "inactive", "hr_rest_bpm": 76, "handrail": "light"},
    "young-trained-man": {"mass_kg": 80.0, "age_yr": 24, "sex": "male", "fitness": "trained",
                          "vo2max_ml_kg_min": 50, "hr_rest_bpm": 55},
    "unfit-low-vo2max": {"mass_kg": 95.0, "age_yr": 58, "sex": "male", "fitness": "inactive",
                         "vo2max_ml_kg_min": 14},
}


def scenario(subject, model="continuous", start="stopped"):
    # the reference has first-order kinetics only: EPOC beyond them is left out of both
    return Scenario.from_dict({
        "name": "naive-reference", "subject": subject,
        # the reference has no heart-rate drift and one heart-rate state: drift pinned off
        # and the one-state recovery pinned (bench/naive.py)
        "energy": {"model": model, "epoc": "fast", "hr_drift": "none",
                   "hr_kinetics": "slower-recovery"},
        "treadmill": {"start": start}, "arms": {"a": {"stages": STAGES}}})


def peak_tolerances(sc, ds, dt_s):
    """``R dt / tau`` for VO2 and HR, R the range of each target over the protocol."""
    p = Physiology.of(Cohort.from_subject(sc.subject, 1), sc.energy)
    met = ds.met.values[0, 0]
    demand = met * p.vo2_rest[0]
    vo2_target = np.minimum(demand, p.vo2_max[0])
    hr_target = heart.steady_state_hr(demand, p.vo2_rest[0], p.vo2_max[0], p.hr_rest[0],
                                      p.hr_max[0])
    return (np.ptp(vo2_target) * dt_s / p.tau_vo2_s[0],
            np.ptp(hr_target) * dt_s / p.tau_hr_s[0])


@pytest.mark.parametrize("model", ["continuous", "acsm"])
@pytest.mark.parametrize("who", list(SUBJECTS))
def test_engine_agrees_with_the_naive_reference(who, model):
    sc = scenario(SUBJECTS[who], model)
    ds = retrosim.run(sc, subjects=3)
    ref = naive.run(sc, subjects=3)
    np.testing.assert_allclose(ref["energy_total"], ds.energy_total.values[0], rtol=0.005)
    vo2_tol, hr_tol = peak_tolerances(sc, ds, 1.0)
    np.testing.assert_allclose(ref["vo2_peak"], ds.vo2_peak.values[0], rtol=0, atol=vo2_tol)
    np.testing.assert_allclose(ref["hr_peak"], ds.hr_peak.values[0], rtol=0, atol=hr_tol)


@pytest.mark.parametrize("model", ["compendium-2011", "compendium-2024"])
def test_a_step_function_model_differs_only_within_its_analytic_ramp_bound(model):
    """A Compendium model is a step function of speed and grade; the engine takes demand as
    linear across a ramp. Over a segment of length L on which the model is monotone, both
    lie between the end values, so they differ by at most L |dMET| (plus the reference's own
    left-rectangle error, dt |dMET|): the bound is exact, not a tolerance."""
    sc = scenario(SUBJECTS["young-trained-man"], model)
    ds = retrosim.run(sc)
    dt = 0.25
    ref = naive.run(sc, dt_s=dt)
    timeline, _ = simulate_arm(sc.arms["a"].protocol, sc.treadmill)
    physiology = Physiology.of(Cohort.from_subject(sc.subject), sc.energy)
    met = solve(timeline, physiology, sc.energy).met[:, 0]
    kcal_per_met_s = 3.5 * physiology.mass_kg[0] / 200 / 60
    bound = float(np.sum((np.diff(timeline.t[:, 0]) + dt) * np.abs(np.diff(met)))) * kcal_per_met_s
    gap = abs(float(ref["energy_total"][0] - ds.energy_total.values[0, 0]))
    assert 0 < gap <= bound


def test_arm_handrail_and_at_speed_start_agree():
    sc = Scenario.from_dict({
        "name": "naive-reference", "subject": SUBJECTS["young-trained-man"],
        "treadmill": {"start": "at-speed"}, "energy": {"epoc": "fast", "hr_drift": "none",
                                            "hr_kinetics": "slower-recovery"},
        "arms": {"a": {"stages": STAGES}, "b": {"stages": STAGES[1:], "handrail": "light"}}})
    ds = retrosim.run(sc, subjects=2)
    for i, arm in enumerate(sc.arms):
        ref = naive.run(sc, arm, subjects=2)
        np.testing.assert_allclose(ref["energy_total"], ds.energy_total.values[i], rtol=0.005)


def test_the_peak_difference_is_euler_error_it_shrinks_with_the_step():
    """Forward Euler is first order: a quarter of the step leaves well under half the error."""
    sc = scenario(SUBJECTS["young-trained-man"])
    ds = retrosim.run(sc)
    for name in ("vo2_peak", "hr_peak"):
        coarse, fine = (abs(naive.run(sc, dt_s=dt)[name][0] - ds[name].values[0, 0])
                        for dt in (1.0, 0.25))
        assert fine < 0.5 * coarse
