"""``retrosim check --explore``: the strategies, the search and shrink, the reproducer.

The shrunk case of the bundled latent bug was checked by hand: InclineHr falls back to
1 km/h (the console's 0.97 km/h) 10 s after the signal is lost on an incline of 2 % or more,
and resumes its speed in one command when it returns. The smallest stage speed on the
0.5 km/h grid whose resumption is more than 2 km/h above 0.97 km/h is 3 km/h (a step of
2.03 km/h; 2.5 km/h gives 1.53); 2 % is the controller's threshold; the loss is seen at the
first call after the stage's start (5 s) and the fall-back comes at 15 s, so the shortest
dropout on the strategy's list (5, 10, 15, 20 s, ...) that ends after it lasts 20 s, and the
resumption is asked for at t = 20 s.
"""

import os
import subprocess
import sys
import textwrap
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrosim
from retrosim.cli.main import main
from retrosim.controllers.faults import BUS_KINDS, FAULT_KINDS
from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.spec import ControllerSpec
from retrosim.model.protocol import Protocol
from retrosim.model.scenario import Scenario, bundled
from retrosim.testing import assert_safe
from retrosim.testing.explore import default_kinds, explore
from retrosim.testing.reproducer import write_reproducer
from retrosim.testing.strategies import cases, session_s

BUGGY = "retrosim.controllers.examples:InclineHr"
SHRUNK_STAGES = ("walk forward at 3 km/h, 2% grade for 1 min",)
SHRUNK_FAULTS = ({"kind": "hr-loss", "start_s": 0, "duration_s": 20},)


def incline_base():
    return {k: v for k, v in tomllib.loads(bundled()["incline-hr"].read_text()).items()
            if k == "safety"}


@settings(max_examples=60, deadline=None)
@given(cases(SafetyLimits(max_speed_mps=7 / 3.6, max_grade_frac=0.1)))
def test_every_case_is_a_valid_scenario_inside_the_limits(case):
    sc = Scenario.from_dict(case.scenario())
    stages = sc.arms["explored"].protocol.stages
    assert stages[0].speed_mps > 0
    assert all(s.speed_mps <= 7 / 3.6 + 1e-9 and s.grade_frac <= 0.1 + 1e-12 for s in stages)
    assert Protocol.parse(list(case.stages)).duration_s == session_s(case.stages)
    assert all(f["start_s"] < case.duration_s for f in case.faults)
    assert len(case.faults) <= 3 and 1 <= len(case.stages) <= 3


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_fault_kinds_are_those_asked(data):
    kinds = data.draw(st.lists(st.sampled_from(list(FAULT_KINDS)), min_size=1, unique=True))
    case = data.draw(cases(kinds=kinds))
    assert {f["kind"] for f in case.faults} <= set(kinds)


def test_bus_faults_are_searched_only_under_a_supervisor():
    assert set(default_kinds(True)) == set(FAULT_KINDS)
    assert set(default_kinds(False)) == set(FAULT_KINDS) - set(BUS_KINDS)


@pytest.fixture(scope="module")
def found():
    spec = ControllerSpec.from_table({"path": BUGGY})
    return explore(spec, base=incline_base(), budget_s=240, seed_=2,
                   invariants=["commanded-speed-step"])


def test_the_latent_bug_is_found_and_shrunk_to_the_checked_case(found):
    assert found.violation is not None and found.violation.invariant == "commanded-speed-step"
    assert found.case.stages == SHRUNK_STAGES
    assert found.case.faults == SHRUNK_FAULTS
    assert found.case.seed == 0
    assert found.case.walker == {"age_yr": 40, "sex": "male", "mass_kg": 70, "hr_rest_bpm": 70,
                                 "fitness": "recreational", "balance": "good",
                                 "backward_practice_min": 0}
    assert found.violation.time_s == 20.0
    assert found.line().startswith("commanded-speed-step violated at t = 20 s (the treadmill "
                                   "was asked for a speed step of 2.03 km/h")


def test_the_bundled_scenario_passes_plain_check(capsys):
    assert main(["check", BUGGY, "--scenario", "incline-hr"]) == 0


def test_the_reproducer_fails_plain_check_and_its_test(found, tmp_path, capsys):
    table = {"path": BUGGY, "supervisor": False}
    toml, test = write_reproducer(tmp_path / "found", found, table, incline_base(),
                                  "retrosim check ... --explore",
                                  ["commanded-speed-step"])
    assert toml.name == "InclineHr-commanded-speed-step.toml"
    text = toml.read_text()
    assert "[[faults]]" in text and "--scenario" in text.splitlines()[2]
    argv = ["check", BUGGY, "--scenario", str(toml)]
    for _ in range(2):                                    # deterministically
        assert main(argv) == 1
        assert "commanded-speed-step: arm 'explored', subject 0, at t = 20 s" in \
            capsys.readouterr().out
    compile(test.read_text(), str(test), "exec")
    with pytest.raises(AssertionError, match="commanded-speed-step"):
        assert_safe(retrosim.run(retrosim.load_scenario(toml)))


JUMPY = '''
from retrosim.controllers import Command


class Jumpy:
    """Asks for 3 km/h more than the console from 20 s on (within the speed caps)."""

    period_s = 10.0

    def step(self, obs):
        if obs.reason == "stage":
            return Command(speed_mps=obs.stage_speed_mps, direction=obs.stage_direction,
                           start=True)
        if obs.time_s >= 20:
            return Command(speed_mps=min(obs.target_speed_mps + 3 / 3.6, 1.9))
        return Command()


class NoPeriod:
    def step(self, obs):
        return Command()
'''


@pytest.fixture
def jumpy(tmp_path, monkeypatch):
    (tmp_path / "jumpy_program.py").write_text(textwrap.dedent(JUMPY))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield ["--allow-import", "jumpy_program"]
    sys.modules.pop("jumpy_program", None)


def test_the_same_seed_gives_the_same_shrunk_case(jumpy):
    spec = ControllerSpec.from_table({"path": "jumpy_program:Jumpy"}, allow=["jumpy_program"])
    runs = [explore(spec, budget_s=60, seed_=s) for s in (5, 5, 6)]
    assert runs[0].case == runs[1].case and runs[0].violation == runs[1].violation
    assert runs[0].case.stages == ("walk forward at 3 km/h for 1 min",)
    assert runs[0].case.faults == () and runs[0].violation.invariant == "commanded-speed-step"
    assert runs[2].case == runs[0].case                   # shrunk to the same minimal case


def test_cli_exit_1_writes_the_reproducer(jumpy, tmp_path, capsys):
    out = tmp_path / "found"
    assert main(["check", "jumpy_program:Jumpy", "--explore", "--budget", "60", "-o", str(out),
                 *jumpy]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("commanded-speed-step violated at t = 20 s")
    assert "minimal inputs: walker 40 yr male 70 kg" in lines[1]
    assert sorted(p.name for p in out.iterdir()) == ["Jumpy-commanded-speed-step.toml",
                                                     "test_Jumpy_commanded_speed_step.py"]
    assert main(["check", "jumpy_program:Jumpy", *jumpy, "--scenario",
                 str(out / "Jumpy-commanded-speed-step.toml")]) == 1


def test_cli_exit_0_prints_what_was_covered(capsys):
    assert main(["check", "hr-target", "--supervised", "--explore", "--budget", "4",
                 "--invariant", "speed-cap", "--scenario", "hr-controller"]) == 0
    out = capsys.readouterr().out
    assert "no violation in 4 s of search (seed 0):" in out and " cases; fault kinds " in out


def test_a_controller_check_refuses_is_refused_the_same_way(jumpy, capsys):
    argv = ["check", "jumpy_program:NoPeriod", *jumpy]
    assert main([*argv, "--scenario", "controller-regression"]) == 2
    refused = capsys.readouterr().err
    assert main([*argv, "--explore", "--budget", "5"]) == 2
    err = capsys.readouterr().err
    assert "has no period_s" in refused and "has no period_s" in err and err.count("\n") == 1


@pytest.mark.parametrize("args, needle", [
    (["--fault", "hr-loss@1"], "--fault: does not apply to --explore"),
    (["--budget", "0"], "--budget: 0 s is out of range"),
    (["--fault-kind", "gremlins"], "--fault-kind: 'gremlins' is not known"),
])
def test_bad_explore_options(args, needle, capsys):
    assert main(["check", "hr-target", "--explore", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_check_without_explore_still_needs_a_scenario(capsys):
    assert main(["check", "hr-target"]) == 2
    assert "--scenario: is required" in capsys.readouterr().err


USER_TEST = '''
def test_jumpy_explored(explore_controller):
    explore_controller("jumpy_program:Jumpy", budget_s=60, seed=3,
                       allow_import=("jumpy_program",))
'''


def test_the_plugin_fixture_fails_with_the_finding_and_keeps_it(tmp_path):
    (tmp_path / "jumpy_program.py").write_text(textwrap.dedent(JUMPY))
    (tmp_path / "test_user.py").write_text(USER_TEST)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"]
    first = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 1
    assert "AssertionError: commanded-speed-step violated at t = 20 s" in first.stdout
    assert list((tmp_path / ".hypothesis" / "examples").iterdir())     # kept
    again = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 1 and "commanded-speed-step violated at t = 20 s" in again.stdout


def test_undetectable_faults_are_a_low_reading_from_before_any_comparison():
    from retrosim.testing.strategies import Case, undetectable

    def faults(*tables):
        return undetectable(Case({}, ("walk forward at 3 km/h for 5 min",), tables))

    spike = {"kind": "hr-spike", "start_s": 0}
    assert faults(spike) == (spike,)                               # -50 bpm from the start
    assert faults({**spike, "offset_bpm": -20, "duration_s": 30}) != ()
    assert faults({**spike, "offset_bpm": 30}) == ()               # reads high: stops early
    assert faults({**spike, "start_s": 30}) == ()                  # a step the supervisor sees
    loss = {"kind": "hr-loss", "start_s": 0, "duration_s": 60}
    assert faults(loss, {**spike, "start_s": 30}) != ()            # no reading before it
    assert faults(loss, {**spike, "start_s": 60}) == ()            # readings before it


def test_a_search_for_detectable_faults_skips_the_undetectable_ones(monkeypatch):
    """With ``detectable_only`` a case with an undetectable fault is never run (nor shrunk
    to); without it, it is found. The run is a stand-in that fails exactly those cases."""
    from retrosim.testing.definitions import Violation
    from retrosim.testing.explore import Explorer
    from retrosim.testing.strategies import undetectable

    def run(self, case):
        return Violation("hr-ceiling", "explored", 0, 100.0, 61.0, 60.0, "s",
                         "heart rate above its ceiling for") if undetectable(case) else None

    monkeypatch.setattr(Explorer, "run", run)
    spec = ControllerSpec.from_table({"name": "protocol", "supervisor": True})
    found = explore(spec, budget_s=3, seed_=0, kinds=["hr-spike", "hr-loss"])
    assert found.violation is not None and undetectable(found.case)
    skipped = explore(spec, budget_s=3, seed_=0, kinds=["hr-spike", "hr-loss"],
                      detectable_only=True)
    assert skipped.ok and skipped.skipped > 0 and skipped.coverage.cases > 0
