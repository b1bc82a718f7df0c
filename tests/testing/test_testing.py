"""The regression toolkit: invariants with their first violation, golden traces, the CLI."""

import numpy as np
import pytest
import xarray as xr

import retrosim
from retrosim.cli.main import main
from retrosim.controllers.safety import SafetyLimits
from retrosim.testing import assert_golden, assert_safe, check, compare_golden, record_golden


def synthetic(speed, grade=None, hr=None, direction=None, events=()):
    """A one-arm, one-subject result with 1 s samples."""
    m = len(speed)
    dims = ("arm", "subject", "time")

    def trace(x, fill):
        return (dims, np.asarray(x if x is not None else [fill] * m, dtype=float)[None, None])

    ev = list(zip(*events, strict=True)) if events else [(), (), ()]
    return xr.Dataset({
        "speed": trace(speed, 0.0), "grade": trace(grade, 0.0), "hr": trace(hr, 80.0),
        "direction": (dims, np.asarray(direction if direction is not None else [1] * m,
                                       dtype=np.int8)[None, None]),
        "event_time": (("event",), np.asarray(ev[0], float)),
        "event_arm": (("event",), np.asarray(["a"] * len(ev[0]), str)),
        "event_subject": (("event",), np.asarray(ev[1], np.int64)),
        "event_kind": (("event",), np.asarray(ev[2], str))},
        coords={"arm": ["a"], "subject": [0], "time": np.arange(m, dtype=float)})


def only(report, name):
    return [v for v in report.violations if v.invariant == name]


def test_speed_caps_forward_and_backward():
    ds = synthetic([1.0, 2.0, 2.6, 2.4], direction=[1, 1, 1, -1])
    r = check(ds, SafetyLimits(max_accel_mps2=5, max_backward_accel_mps2=5))
    (v,) = only(r, "speed-cap")
    assert (v.time_s, v.value, v.limit) == (2.0, 2.6, 2.5)
    (b,) = only(r, "backward-speed-cap")
    assert (b.time_s, b.value) == (3.0, 2.4)
    assert "speed-cap: arm 'a', subject 0, at t = 2 s" in str(r)


def test_acceleration_counts_an_estop_as_exempt_until_a_person_resets_it():
    speed = [0.0, 0.2, 0.4, 0.4, 0.0, 0.0, 0.5]
    assert only(check(synthetic(speed)), "acceleration")[0].time_s == 4.0
    stopped = synthetic(speed, events=[(3.5, 0, "estop")])
    r = check(stopped)
    assert not only(r, "acceleration")                     # the e-stop's braking is exempt
    (v,) = only(r, "estop-latched")                        # but it restarted by itself
    assert v.time_s == 6.0
    reset = synthetic(speed, events=[(3.5, 0, "estop"), (4.5, 0, "manual-reset")])
    r = check(reset)
    assert not only(r, "estop-latched")
    assert only(r, "acceleration")[0].time_s == 6.0        # 0.5 m s-2 after the reset


def test_hr_above_its_ceiling_for_longer_than_allowed():
    hr = [100.0] * 5 + [160.0] * 70 + [100.0] * 5
    lim = SafetyLimits(hr_ceiling_bpm=150.0, hr_ceiling_max_s=60.0)
    (v,) = only(check(synthetic([0.0] * 80, hr=hr), lim), "hr-ceiling")
    assert v.time_s == 65.0 and v.value == 61.0
    assert check(synthetic([0.0] * 80, hr=hr), SafetyLimits(hr_ceiling_bpm=150.0,
                                                            hr_ceiling_max_s=75.0)).ok


def test_incline_rate():
    (v,) = only(check(synthetic([0.0] * 4, grade=[0.0, 0.005, 0.03, 0.03])), "incline-rate")
    assert v.time_s == 2.0 and v.value == pytest.approx(0.025)


def test_a_result_without_violations_says_so():
    report = assert_safe(synthetic([0.0, 0.1, 0.2]))
    assert report.ok and "all 8 invariants hold" in str(report)
    with pytest.raises(AssertionError, match="speed-cap"):
        assert_safe(synthetic([0.0, 0.2, 9.0]))


def test_golden_round_trip_and_tolerances(tmp_path):
    ds = retrosim.run(retrosim.load_scenario("hr-controller"), trace_step_s=5.0)
    path = record_golden(ds, tmp_path / "g.csv", variables=["speed", "hr"], step_s=10.0)
    assert compare_golden(ds, path).ok
    shifted = ds.copy()
    shifted["hr"] = ds.hr + 0.8
    assert compare_golden(shifted, path).ok                     # within 1 bpm
    shifted["hr"] = ds.hr + 1.5
    diff = compare_golden(shifted, path)
    assert not diff.ok and list(diff.lines) == ["hr"]
    assert compare_golden(shifted, path, {"hr": 2.0}).ok


def test_assert_golden_records_a_missing_file_and_fails_once(tmp_path):
    ds = retrosim.run(retrosim.load_scenario("hr-controller"), trace_step_s=30.0)
    path = tmp_path / "new.csv"
    with pytest.raises(AssertionError, match="recorded one now"):
        assert_golden(ds, path)
    assert_golden(ds, path)
    assert path.read_text().startswith("# retrosim golden trace: scenario hr-controller")


def test_retrosim_check_exits_0_when_safe_and_1_on_a_violation(capsys):
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--step", "5"]) == 0
    assert "all 8 invariants hold" in capsys.readouterr().out
    status = main(["check", "hr-target", "--scenario", "hr-controller", "--param",
                   "max_speed_kmh=9", "--param", "target_hr_bpm=150", "--fault",
                   "runaway@10+30"])
    out = capsys.readouterr().out
    assert status == 1 and "speed-cap" in out and "first violation" in out
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--supervised",
                 "--fault", "runaway@10+30"]) == 0


@pytest.mark.parametrize("args, message", [
    (["check", "pid", "--scenario", "hr-controller"], "CONTROLLER.name"),
    (["check", "hr-target", "--scenario", "hr-controller", "--param", "x"], "--param"),
    (["check", "hr-target", "--scenario", "hr-controller", "--fault", "hr-loss"], "--fault"),
    (["check", "hr-target", "--scenario", "hr-controller", "--invariant", "x"], "--invariant"),
    (["check", "nowhere.module:C", "--scenario", "hr-controller"], "nowhere.module"),
])
def test_retrosim_check_rejects_bad_arguments_in_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
