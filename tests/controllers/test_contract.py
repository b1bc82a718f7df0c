"""Broken controllers never pass: each is refused with one line (the controller, the arm, the
subject, the simulated time and what is allowed) or flagged by an invariant, and a crash is
told apart from a finding."""

import math
import sys
import textwrap

import numpy as np
import pytest

import retrosim
from retrosim.cli.main import main
from retrosim.controllers import Command, ProtocolFollower
from retrosim.controllers.contract import ControllerCrash, ControllerError
from retrosim.errors import InputError
from retrosim.testing import check, run_controller
from retrosim.units import MPS_PER_KMH


def walk(stages=("walk forward at 4 km/h for 3 min",), safety=None):
    return retrosim.Scenario.from_dict({
        "name": "contract", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male",
                                        "hr_rest_bpm": 65, "vo2max_ml_kg_min": 40},
        "falls": {"model": "none"}, "safety": safety or {}, "treadmill": {"speed_step_kmh": 0.1},
        "arms": {"a": {"stages": list(stages)}}})


class Scripted:
    """A scalar controller that follows the stage, then answers ``late`` from minute 1."""

    period_s = 5.0

    def __init__(self, late=None):
        self.late = late if late is not None else Command()

    def step(self, obs):
        if obs.reason == "stage":
            return Command(speed_mps=obs.stage_speed_mps, direction=obs.stage_direction,
                           start=True)
        return self.late if obs.time_s >= 60 else Command()


class NoPeriod:
    def step(self, obs):
        return Command(speed_mps=obs.stage_speed_mps, start=True)


def one_line(err):
    text = str(err.value)
    assert "\n" not in text
    return text


def test_a_controller_without_period_s_is_refused():
    with pytest.raises(ControllerError) as err:
        run_controller(NoPeriod(), walk())
    assert one_line(err) == (
        "controller 'NoPeriod', arm 'a', at t = 0 s: has no period_s: it would never be called "
        "between events; allowed: period_s = 0.01-inf seconds (a class attribute or set in "
        "__init__; inf: on events only)")


@pytest.mark.parametrize("late, problem", [
    (None, "step returned None"),
    ({"speed_mps": 1.0}, "step returned {'speed_mps': 1.0}"),
    (Command(speed_mps=math.nan), "target speed_mps is NaN"),
    (Command(speed_mps=-0.5), "target speed -1.8 km/h (-0.5 m s-1) is negative"),
    (Command(speed_mps=math.inf), "target speed inf is not finite"),
    (Command(speed_mps=25 * MPS_PER_KMH), "target speed 25 km/h (6.944 m s-1) is above the "
                                           "treadmill's range"),
    (Command(grade_frac=-0.02), "target incline -2 % is outside the treadmill's range"),
    (Command(grade_frac=0.3), "target incline 30 % is outside the treadmill's range"),
    (Command(direction=2), "direction 2.0 is not +1 or -1"),
    (Command(speed_mps="fast"), "Command(speed_mps='fast') is not a number"),
    (Command(accel_mps2=-1.0), "accel_mps2 = -1.0 is not a positive number"),
])
def test_a_bad_answer_is_refused_with_the_arm_subject_and_time(late, problem):
    controller = Scripted()
    controller.late = late
    with pytest.raises(ControllerError) as err:
        run_controller(controller, walk(), subjects=2)
    text = one_line(err)
    assert text.startswith(f"controller 'Scripted', arm 'a', subject 0, at t = 60 s: {problem}")
    assert "; allowed: " in text


def test_a_vectorised_controller_is_refused_for_the_first_bad_subject():
    class Vector(ProtocolFollower):
        period_s = 10.0

        def step(self, obs):
            if obs.time_s < 30:
                return super().step(obs)
            return Command(speed_mps=np.where(np.arange(obs.size) == 2, -1.0, np.nan))

    with pytest.raises(ControllerError) as err:
        run_controller(Vector(), walk(), subjects=4)
    assert one_line(err).startswith("controller 'Vector', arm 'a', subject 2, at t = 30 s: "
                                    "target speed -3.6 km/h (-1 m s-1) is negative")


def test_nan_in_a_vectorised_answer_means_no_change():
    class Hold(ProtocolFollower):
        period_s = 10.0

        def step(self, obs):
            return super().step(obs) if obs.reason == "stage" else \
                Command(speed_mps=np.full(obs.size, np.nan))

    assert check(run_controller(Hold(), walk(), subjects=2)).ok


class Crashing:
    period_s = 5.0

    def step(self, obs):
        if obs.time_s >= 45:
            return self.divide(obs)
        return Command(speed_mps=obs.stage_speed_mps, start=True)

    def divide(self, obs):
        return Command(speed_mps=obs.speed_mps / 0)


def test_a_crash_names_the_arm_subject_and_time_and_shows_the_controllers_own_frames():
    with pytest.raises(ControllerCrash) as err:
        run_controller(Crashing(), walk())
    text = str(err.value)
    head, *frames = text.splitlines()
    assert head == ("controller 'Crashing', arm 'a', subject 0, at t = 45 s: raised "
                    "ZeroDivisionError: float division by zero")
    shown = "\n".join(frames)
    assert "in step" in shown and "in divide" in shown and __file__ in shown
    assert "simpy" not in shown and "retrosim" not in shown.replace(__file__, "")


def test_contract_errors_survive_a_trip_to_a_worker():
    import pickle

    with pytest.raises(ControllerCrash) as crash:
        run_controller(Crashing(), walk())
    back = pickle.loads(pickle.dumps(crash.value))
    assert str(back) == str(crash.value) and "in divide" in str(back)
    with pytest.raises(ControllerError) as refused:
        run_controller(NoPeriod(), walk())
    assert str(pickle.loads(pickle.dumps(refused.value))) == str(refused.value)


def test_a_fault_after_the_session_is_refused_in_one_line():
    with pytest.raises(InputError) as err:
        run_controller(ProtocolFollower(), walk(), faults=[{"kind": "hr-loss", "start_min": 5}])
    assert one_line(err) == (
        "arm 'a', fault 1: hr-loss from 300 s to the end starts at or after the session's end "
        "(180 s = 3 min), so it would never strike; allowed: a start from 0 to under 180 s "
        "(3 min)")


def test_a_step_command_within_the_cap_is_a_violation_though_the_drive_ramps_it():
    jump = Scripted(Command(speed_mps=(4 + 4.9) * MPS_PER_KMH))      # 4.9 km/h up at once
    limits = {"max_speed_kmh": 9.0, "hr_ceiling_max_s": 600}
    report = check(run_controller(jump, walk(safety=limits)))
    assert [v.invariant for v in report.violations] == ["commanded-speed-step"], str(report)
    assert str(report.violations[0]) == (
        "commanded-speed-step: arm 'a', subject 0, at t = 60 s: the treadmill was asked "
        "for a speed step of 4.9 km/h (1.361 m s-1) > limit 2 km/h (0.5556 m s-1)")
    supervised = check(run_controller(jump, walk(safety=limits), supervisor=True))
    assert supervised.ok, str(supervised)        # the supervisor climbs in 2 km/h steps


def test_an_incline_step_is_a_violation_and_a_stage_of_its_own_is_not():
    climb = Scripted(Command(grade_frac=0.05))
    (v,) = check(run_controller(climb, walk())).violations
    assert v.invariant == "commanded-incline-step" and "5 % (0.05) > limit 2 % (0.02)" in str(v)
    stages = ("walk forward at 3 km/h for 2 min", "walk forward at 6 km/h, 6% grade for 2 min")
    assert check(run_controller(ProtocolFollower(), walk(stages))).ok


def test_messages_speak_the_scenarios_unit():
    sc = retrosim.Scenario.from_dict({
        "name": "mph", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
        "falls": {"model": "none"},
        "arms": {"a": {"stages": ["walk forward at 2.5 mph for 3 min"]}}})
    assert sc.safety.unit == "mph"
    report = check(run_controller(Scripted(Command(speed_mps=2.6)), sc))
    cap = [v for v in report.violations if v.invariant == "speed-cap"][0]
    # 2.5 mph = 1.1176 m/s at minute 1, then the drive's 0.2 m s-2: 2.5176 m/s 7 s later
    assert str(cap).endswith("at t = 67 s: forward belt speed 5.63 mph (2.518 m s-1) > limit "
                             "5.59 mph (2.5 m s-1)")


MODULE = '''
from retrosim.controllers import Command


class Program:
    period_s = 5.0

    def __init__(self, gain=0.01):
        self.gain = gain

    def step(self, obs):
        if obs.time_s >= 30:
            return Command(speed_mps=obs.speed_mps * self.gain / 0)
        return Command(speed_mps=obs.stage_speed_mps, start=True)
'''


@pytest.fixture
def program(tmp_path, monkeypatch):
    (tmp_path / "broken_program.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield ["check", "broken_program:Program", "--allow-import", "broken_program",
           "--scenario", "controller-regression"]
    sys.modules.pop("broken_program", None)


def test_retrosim_check_exits_3_on_a_crash_with_the_controllers_traceback(program, capsys):
    assert main(program) == 3
    err = capsys.readouterr().err
    assert err.startswith("retrosim: error: the controller crashed: controller "
                          "'broken_program:Program', arm 'forward', subject 0, at t = 30 s: "
                          "raised ZeroDivisionError")
    assert "broken_program.py" in err and "in step" in err and "simpy" not in err


def test_retrosim_check_refuses_a_parameter_of_the_wrong_type(program, capsys):
    assert main([*program, "--param", "gain=abc"]) == 2
    err = capsys.readouterr().err
    assert err == ("retrosim: error: controller 'broken_program:Program', arm 'forward', at "
                   "t = 0 s: parameter gain = 'abc' is a str, not a number; allowed: gain = a "
                   "number (its default is 0.01)\n")


def test_retrosim_check_refuses_a_fault_after_the_session(capsys):
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--fault",
                 "hr-loss@70"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "starts at or after the session's end (3600 s" in err


def test_a_reference_controllers_parameter_of_the_wrong_type_is_refused(capsys):
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--param",
                 "target_hr_bpm=abc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "target_hr_bpm" in err and "'abc' is not a number" in err


SCENARIO = '''
name = "own"
seed = 1
[subject]
mass_kg = 70
age_yr = 40
sex = "male"
[controller]
path = "own_program:Program"
gain = 0.02
[arms.a]
stages = ["walk forward at 4 km/h for 2 min"]
'''

OWN = '''
from retrosim.controllers import Command


class Program:
    period_s = 5.0

    def __init__(self, gain=0.01):
        self.gain = gain

    def step(self, obs):
        if obs.reason == "stage":
            return Command(speed_mps=obs.stage_speed_mps, start=True)
        return Command()
'''


def test_run_and_check_follow_one_import_rule_for_a_scenarios_controller_path(
        tmp_path, monkeypatch, capsys):
    (tmp_path / "own_program.py").write_text(OWN)
    (tmp_path / "own.toml").write_text(SCENARIO)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RETROSIM_ALLOW_IMPORT", raising=False)
    run = ["run", "own.toml"]
    chk = ["check", "protocol", "--scenario", "own.toml"]
    assert main(run) == 2 and main(chk) == 2          # the working folder is not trusted
    refused = capsys.readouterr().err.splitlines()
    assert len(refused) == 2 and refused[0] == refused[1]
    assert "own_program" in refused[0] and "--allow-import own_program" in refused[0]
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert main([*run, "--allow-import", "own_program"]) == 0
        assert main([*chk, "--allow-import", "own_program"]) == 0
    finally:
        sys.modules.pop("own_program", None)


class Counting(Scripted):
    """A scalar controller that counts every call made to any copy of it."""

    calls: list[float] = []

    def step(self, obs):
        Counting.calls.append(obs.time_s)
        return super().step(obs)


def test_run_controller_runs_only_the_people_asked_for():
    Counting.calls = []
    ds = run_controller(Counting(), walk(), subjects=1)
    # one person, 3 min at one call every 5 s: the calls at 0, 5, ..., 180 s and the stage's
    # announcement; no plausible versions of the person unless intervals are asked for
    assert len(Counting.calls) <= 180 / 5 + 2
    assert "hr_peak_low" not in ds and "energy_total_low" not in ds
    Counting.calls = []
    with_bands = run_controller(Counting(), walk(), subjects=1, intervals=True)
    assert "hr_peak_low" in with_bands
    assert len(Counting.calls) > 180 / 5 + 2
