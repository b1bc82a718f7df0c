"""Work budgets of programmes and controllers: a small file that asks for hours of work, a
controller called a billion times a second, a ``step`` that never returns. Each is refused in
one line before the work starts (exit status 2), or stopped and reported as a crash of the
controller (exit status 3); never a hang, never a traceback of retrosim's own."""

import textwrap

import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.model import budget

from .conftest import SUBJECT, assert_refused, cli_process, python_process

CONTROLLERS = '''\
from retrosim.controllers import Command


class Blink:
    """Asks to be called every nanosecond."""
    period_s = 1e-9

    def step(self, obs):
        return Command()


class Stuck:
    """Never returns."""
    period_s = 5.0

    def step(self, obs):
        while True:
            pass


class Sleeper:
    """Sleeps in C for an hour, and swallows every Exception."""
    period_s = 5.0

    def step(self, obs):
        import time
        try:
            time.sleep(3600)
        except Exception:
            pass
        return Command()
'''


@pytest.fixture
def controllers(tmp_path):
    (tmp_path / "hostilectl.py").write_text(CONTROLLERS, encoding="utf-8")
    return str(tmp_path)


def _programme(weeks: int, per_week: int, arms: int, stages: int) -> str:
    stage = ", ".join(['"walk at 3 km/h for 1 min"'] * stages)
    text = f'name = "long-programme"\n{SUBJECT}\n[falls]\nmodel = "none"\n' \
           f"[program]\nweeks = {weeks}\nsessions_per_week = {per_week}\n"
    return text + "".join(f"[arms.a{i}]\nstages = [{stage}]\n" for i in range(arms))


def test_a_programme_of_five_years_of_daily_sessions_is_refused_before_it_starts(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(_programme(260, 7, 10, 300), encoding="utf-8")
    assert path.stat().st_size < 120_000
    status, out, err = cli_process("run", str(path), timeout=60)
    assert_refused(status, err, str(path), "limits.max_work", "1,820 sessions", "1 person")
    assert out == ""


def test_the_work_limit_may_be_raised_by_the_file():
    data = {"name": "p", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "program": {"weeks": 4, "sessions_per_week": 3},
            "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"] * 10}},
            "limits": {"max_work": 100}}
    with pytest.raises(InputError, match="limits.max_work"):          # 12 x 10 = 120 > 100
        retrosim.run(retrosim.Scenario.from_dict(data), traces=False)
    data["limits"]["max_work"] = 200
    ds = retrosim.run(retrosim.Scenario.from_dict(data), traces=False)
    assert ds.sizes["session"] == 12


def test_work_grows_with_people_as_measured():
    assert budget.work_units(10, [5, 5], 0) == 100
    assert budget.work_units(10, [5, 5], budget.PEOPLE_PER_STAGE) == 200


def test_a_controller_called_every_nanosecond_is_refused_with_its_period(controllers):
    status, out, err = cli_process("check", "hostilectl:Blink", "--allow-import",
                                   "hostilectl", "--scenario", "hr-controller",
                                   pythonpath=controllers, timeout=60)
    assert_refused(status, err, "period_s = 1e-09", "0.01")


def test_a_period_of_a_hundredth_over_two_days_is_counted_as_work(tmp_path):
    # the bundled hr-target every 0.01 s for 48 h: 17 million calls from a small file
    text = textwrap.dedent("""\
        name = "busy"
        [subject]
        mass_kg = 70
        age_yr = 40
        sex = "male"
        [controller]
        name = "hr-target"
        period_s = 0.01
        [arms.a]
        stages = ["walk at 3 km/h for 24 h", "walk at 3 km/h for 24 h"]
        """)
    path = tmp_path / "busy.toml"
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < 260
    for command in (("run", str(path)), ("check", "hr-target", "--param", "period_s=0.01",
                                                 "--scenario", str(path))):
        status, out, err = cli_process(*command, timeout=60)
        assert_refused(status, err, str(path), "limits.max_work",
                       "17,280,004 stages and controller calls")


def test_a_step_that_never_returns_is_a_crash_naming_the_call(controllers):
    status, out, err = cli_process("check", "hostilectl:Stuck", "--allow-import",
                                   "hostilectl", "--scenario", "hr-controller",
                                   pythonpath=controllers, timeout=90)     # the default limit
    assert status == 3, err
    first = err.splitlines()[0]
    assert first.startswith("retrosim: error: the controller crashed: controller "
                            "'hostilectl:Stuck', arm 'hr-program', at t = 0 s: raised "
                            "TimeoutError: step(observation) did not return within 5 s"), err
    assert "hostilectl.py" in err                     # the controller's own frame, where it hung


def test_a_step_that_sleeps_and_swallows_exceptions_is_stopped_too(controllers):
    status, _, err = cli_process("check", "hostilectl:Sleeper", "--allow-import",
                                 "hostilectl", "--scenario", "hr-controller",
                                 "--step-timeout", "1", pythonpath=controllers, timeout=90)
    assert status == 3, err
    assert "did not return within 1 s" in err.splitlines()[0]


def test_the_step_timeout_is_checked(controllers):
    status, _, err = cli_process("check", "hr-target", "--scenario", "hr-controller",
                                 "--step-timeout", "-1", timeout=60)
    assert_refused(status, err, "--step-timeout", "0-3600 s")


def test_a_sweep_counts_its_trace_sample_and_bands_in_its_memory(tmp_path):
    arms = "".join(f'[arms.a{i}]\nstages = ["walk at 3 km/h for 24 h", "rest for 24 h"]\n'
                   for i in range(64))
    path = tmp_path / "wide.toml"
    path.write_text(f'name = "wide"\n{SUBJECT}\n[falls]\nmodel = "none"\n{arms}',
                    encoding="utf-8")
    out = tmp_path / "wide.zarr"
    status, _, err = cli_process("sweep", str(path), "--subjects", "5", "--sample", "5",
                                 "--scheduler", "in-process", "-o", str(out), timeout=120)
    assert_refused(status, err, str(path), "5 subjects with a trace sample of 5 and bands "
                   "every 60 s", "GB free", "--sample")
    assert not out.exists()


def test_the_treadmill_cannot_be_advanced_past_the_protocol_limit():
    code = ("from retrosim.ftms.treadmill import FtmsTreadmill\n"
            "from retrosim.errors import InputError\n"
            "tm = FtmsTreadmill()\n"
            "try:\n    tm.advance(1e9)\nexcept InputError as err:\n    print(err)\n"
            "tm.advance(600)\n"
            "try:\n    tm.dataset(trace_step_s=1e-6)\nexcept InputError as err:\n    print(err)\n"
            "print(tm.dataset().sizes['time'])\n")
    status, out, err = python_process(code)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("advance: advancing by 1e+09 s would take the session to "), out
    assert lines[0].endswith("allowed: at most 48 h in all (limits.max_protocol_h)"), out
    assert lines[1] == "trace_step_s: 1e-06 s is out of range; allowed: 0.01-3600 s", out
    assert lines[2] == "601", out
