"""The controller interface, the reference controllers and controllers named in scenarios."""

import numpy as np
import pytest

import retrosim
from retrosim import InputError
from retrosim.controllers import HeartRateTarget, PerSubject, attach
from retrosim.controllers.examples import ProportionalHr
from retrosim.testing import check, run_controller
from retrosim.units import MPS_PER_KMH, MPS_PER_MPH


@pytest.fixture(scope="module")
def hr_program():
    return retrosim.run(retrosim.load_scenario("hr-controller"))


def test_the_hr_program_settles_within_5_bpm_of_its_target(hr_program):
    """After 5 minutes the heart rate stays within +/- 5 bpm of 110 for the rest of the walk."""
    hr = hr_program.hr.sel(arm="hr-program", subject=0, time=slice(300, 1800))
    assert float(np.abs(hr - 110.0).max()) <= 5.0
    assert bool(check(hr_program).ok)


def test_the_hr_program_steps_as_the_manual_says(hr_program):
    """Below the zone: steps of 0.2-1.0 km/h at least 20 s apart (h/p/cosmos MCU5 manual)."""
    target = hr_program.target_speed.sel(arm="hr-program", subject=0,
                                         time=slice(0, 1799)).values
    times = hr_program.time.values[:1800]
    changes = np.flatnonzero(np.diff(target) != 0) + 1
    steps = np.abs(np.diff(target))[changes - 1] / MPS_PER_KMH
    assert steps.max() <= 2.0 + 0.1                     # a console step of rounding at most
    ups = changes[np.diff(target)[changes - 1] > 0]
    assert np.all(np.diff(times[ups]) >= 20.0)


def test_on_signal_loss_it_keeps_the_speed_then_ramps_to_2_kmh_and_ends_after_a_minute(
        hr_program):
    lost = hr_program.sel(arm="signal-lost", subject=0)
    before = float(lost.target_speed.sel(time=899))
    assert float(lost.target_speed.sel(time=905)) == before              # kept for 10 s
    two_kmh = retrosim.engine.treadmill.TreadmillLimits().quantise(2.0 * MPS_PER_KMH)
    assert float(lost.target_speed.sel(time=915)) == pytest.approx(two_kmh)
    stops = hr_program.event_time.where((hr_program.event_arm == "signal-lost")
                                        & (hr_program.event_kind == "stop"), drop=True)
    assert stops.values.tolist()[0] == 960.0                             # 1 min after the loss
    assert float(lost.speed.sel(time=1000)) == 0.0


def test_after_a_short_dropout_the_program_takes_over_again(hr_program):
    hr = hr_program.hr.sel(arm="dropout-30s", subject=0, time=slice(1300, 1800))
    assert float(np.abs(hr - 110.0).max()) <= 5.0


def test_a_scalar_controller_runs_per_subject_like_alone():
    sc = retrosim.load_scenario("controller-regression")
    both = run_controller(ProportionalHr(target_hr_bpm=115), sc, arms=["forward"], subjects=2)
    alone = run_controller(ProportionalHr(target_hr_bpm=115), sc, arms=["forward"], subjects=1)
    np.testing.assert_array_equal(both.hr.sel(arm="forward", subject=0),
                                  alone.hr.sel(arm="forward", subject=0))
    np.testing.assert_array_equal(both.speed.sel(arm="forward", subject=1),
                                  alone.speed.sel(arm="forward", subject=0))


def test_per_subject_gives_each_subject_a_copy():
    wrapped = PerSubject(ProportionalHr())
    assert wrapped.vectorised and wrapped.period_s == 5.0


def test_a_vectorised_target_as_a_share_of_hrmax_differs_by_age():
    sc = retrosim.Scenario.from_dict({
        "name": "ages", "cohort": {"size": 3, "mass_kg": 70, "sex": "male",
                                   "age_yr": {"dist": "uniform", "min": 25, "max": 70}},
        "falls": {"model": "none"}, "arms": {"a": {"stages": ["walk at 3 km/h for 10 min"]}}})
    ds = run_controller(HeartRateTarget(target_hr_bpm=None, target_frac_hrmax=0.6), sc)
    hr_end = ds.hr.sel(arm="a", time=599).values
    assert np.unique(np.round(hr_end)).size == 3


def bad(extra):
    base = {"name": "x", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]}}}
    return {**base, **extra}


@pytest.mark.parametrize("extra, key", [
    ({"controller": {"name": "pid"}}, "controller.name"),
    ({"controller": {"name": "hr-target", "path": "a.b:C"}}, "controller"),
    ({"controller": {"path": "not a path"}}, "controller.path"),
    ({"controller": {"name": "hr-target", "target_hr_bpm": 300}}, "controller.target_hr_bpm"),
    ({"controller": {"name": "hr-target", "gain": 1}}, "controller.gain"),
    ({"controller": {"name": "protocol", "period_s": 0}}, "controller.period_s"),
    ({"controller": {"name": "protocol", "supervisor": "yes"}}, "controller.supervisor"),
    ({"faults": {"kind": "hr-loss"}}, "faults"),
    ({"faults": [{"kind": "hr-loss", "start_min": -1}]}, "faults[0].start_min"),
    ({"safety": {"max_speed_kmh": 50}}, "safety.max_speed_kmh"),
    ({"safety": {"hr_ceiling_bpm": 150, "hr_ceiling_pct_hrmax": 80}},
     "safety.hr_ceiling_pct_hrmax"),
])
def test_bad_controller_tables_get_a_one_line_error(extra, key):
    with pytest.raises(InputError) as err:
        retrosim.Scenario.from_dict(bad(extra), source="x.toml")
    assert err.value.key == key, str(err.value)
    assert str(err.value).startswith("x.toml: ") and "\n" not in str(err.value)


def test_an_arm_controller_wins_over_the_top_level_one():
    sc = retrosim.Scenario.from_dict(bad({
        "controller": {"name": "hr-target"},
        "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]},
                 "b": {"stages": ["walk at 3 km/h for 1 min"],
                       "controller": {"name": "protocol"}}}}))
    assert sc.arms["a"].controller.name == "hr-target"
    assert sc.arms["b"].controller.name == "protocol"


def test_a_custom_controller_is_imported_only_when_the_arm_runs(tmp_path):
    table = bad({"controller": {"path": "no_such_module_here:Program", "gain": 2}})
    sc = retrosim.Scenario.from_dict(table, source="x.toml",         # reading imports nothing
                                     allow_import=("no_such_module_here",))
    with pytest.raises(InputError) as err:
        retrosim.run(sc)
    assert err.value.key == "controller.path" and "no_such_module_here" in str(err.value)
    table = bad({"controller": {"path": "retrosim.controllers.examples:ProportionalHr",
                                "gains": 2}})
    with pytest.raises(InputError) as err:
        retrosim.run(retrosim.Scenario.from_dict(table, source="x.toml"))
    assert "gains" in str(err.value) and str(err.value).startswith("x.toml")


def test_attach_keeps_arms_apart_and_leaves_the_scenario_unchanged():
    sc = retrosim.load_scenario("compendium-2011")
    controlled = attach(sc, ProportionalHr(), arms=["forward-level"])
    assert sc.arms["forward-level"].controller is None
    assert controlled.arms["backward-level"].controller is None
    assert controlled.arms["forward-level"].controller.label == "ProportionalHr"


def test_the_supervisor_caps_a_command_on_the_console_grid():
    """9 km/h is not a multiple of 0.1 mph: the supervisor asks for the step below it."""
    sc = retrosim.Scenario.from_dict(bad({"falls": {"model": "none"}}))
    ds = run_controller(ProportionalHr(target_hr_bpm=200, gain=1.0, max_speed_kmh=9), sc,
                        supervisor=True)
    top = float(ds.speed.max())
    assert top == pytest.approx(55 * 0.1 * MPS_PER_MPH)          # 5.5 mph, 8.85 km/h


def test_the_supervisor_stops_a_controller_that_keeps_asking_for_jumps():
    """Asking for 20 km/h at every call, though the target may climb only 2 km/h a call, is
    what a runaway bus does: the belt stops at the third such call (15 s), short of 9 km/h."""
    sc = retrosim.Scenario.from_dict(bad({"falls": {"model": "none"}}))
    ds = run_controller(ProportionalHr(target_hr_bpm=200, gain=1.0, max_speed_kmh=20), sc,
                        supervisor=True)
    stops = ds.event_time.values[ds.event_kind.values == "stop"]
    assert stops.tolist() == [15.0] and float(ds.speed.max()) < 7.5 * MPS_PER_KMH
