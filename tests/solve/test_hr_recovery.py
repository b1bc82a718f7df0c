"""Heart rate's off (recovery) constant through the engine: an exact exponential after a bout,
the on constant unchanged while heart rate rises, and the first model still one constant."""

import numpy as np
import pytest

import retrosim
from retrosim.api import iter_sessions
from retrosim.physiology import heart, hr_kinetics

SUBJECT = {"mass_kg": 70.0, "age_yr": 60, "sex": "male", "vo2max_ml_kg_min": 35.0,
           "fitness": "recreational"}
STAGES = ["walk forward at 3 mph for 10 min", "rest for 10 min"]


def trajectory(kinetics):
    sc = retrosim.Scenario.from_dict({"name": "k", "subject": SUBJECT,
                                      "energy": {"hr_kinetics": kinetics},
                                      "treadmill": {"start": "at-speed"},
                                      "arms": {"a": {"stages": STAGES}}})
    return next(iter(iter_sessions(sc, seed=0, subjects=1))).trajectory


@pytest.mark.parametrize("kinetics", sorted(set(hr_kinetics.HR_KINETICS_MODELS)
                                            - set(hr_kinetics.SLOW_PHASES)))
def test_recovery_is_the_exponential_of_the_models_off_constant(kinetics):
    """After the belt stops, the gap to resting heart rate shrinks as exp(-t / tau_off), the
    exact solution of a first-order system with a constant target (checked at 1 and 3 min).
    Kinetics with a slow phase are two states: tests/solve/test_hr_phases.py."""
    tr = trajectory(kinetics)
    tau_off = float(hr_kinetics.HR_KINETICS_MODELS[kinetics](heart.HR_TAU_S, 60.0, 1))
    stop = float(tr.timeline.t[-2, 0])          # the belt has stopped: a constant target
    rest = float(tr.hr_target[-1, 0])
    hr = tr.sample(np.array([stop, stop + 60.0, stop + 180.0]))["hr"][:, 0]
    gap = hr - rest
    assert gap[1] / gap[0] == pytest.approx(np.exp(-60.0 / tau_off), rel=1e-9)
    assert gap[2] / gap[0] == pytest.approx(np.exp(-180.0 / tau_off), rel=1e-9)


def test_only_the_fall_is_slower():
    """The rise and the peak are the same under both models; a minute after the bout heart
    rate is higher with the recovery constant (120 s at 60 y against 30 s)."""
    new, old = trajectory("slower-recovery"), trajectory("symmetric")
    rising = np.array([30.0, 120.0, 590.0])
    np.testing.assert_array_equal(new.sample(rising)["hr"], old.sample(rising)["hr"])
    # the peak lies on the belt's short deceleration, where the off constant applies as soon
    # as the target ends below heart rate: it moves by round-off only
    assert float(new.hr_peak()[0]) == pytest.approx(float(old.hr_peak()[0]), rel=1e-12)
    after = np.array([float(new.timeline.t[-1, 0]) - 540.0])
    assert new.sample(after)["hr"][0, 0] > old.sample(after)["hr"][0, 0] + 10.0


def test_the_recovery_constant_grows_with_age_and_is_shorter_when_trained():
    young, old = hr_kinetics.recovery_tau([25.0, 70.0], [1, 1])
    trained, inactive = hr_kinetics.recovery_tau([25.0, 25.0], [2, 0])
    assert young < old and trained < inactive
    # the model's age slope is that of VO2 kinetics (Murias et al. 2011: x 1.49 at 68 y)
    assert float(hr_kinetics.recovery_tau(68.0, 1) / young) == pytest.approx(45.5 / 30.5)
