"""Small files, large costs: every size a file can ask for is refused before work starts."""

import signal
from contextlib import contextmanager

import netCDF4
import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.model import budget, protocol
from retrosim.results import io

from .conftest import assert_refused, scenario_text


@contextmanager
def watchdog(seconds: int):
    """Fail instead of hanging: a guard against a pathological path, not a timing test."""
    def expired(signum, frame):
        raise AssertionError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_ten_million_subjects_are_refused_before_the_run(cli, write):
    scenario = write(scenario_text())
    with watchdog(60):
        status, out, err = cli("run", scenario, "--subjects", "10000000")
    assert_refused(status, err, "10,000,000 subjects", "retrosim sweep")
    assert out == ""


def test_a_cohort_of_ten_million_is_refused_before_the_run(cli, write):
    text = ('name = "big"\n[cohort]\nsize = 10000000\nmass_kg = 70\nage_yr = 40\n'
            'sex = "male"\n[falls]\nmodel = "none"\n[arms.a]\n'
            'stages = ["walk at 3 km/h for 1 min"]\n')
    with watchdog(60):
        status, _, err = cli("run", write(text))
    assert_refused(status, err, "subjects", "retrosim sweep")


def test_memory_is_estimated_against_what_is_free(monkeypatch):
    sc = retrosim.Scenario.from_dict(_dict())
    monkeypatch.setattr(budget, "available_memory", lambda: 10_000_000)
    with pytest.raises(InputError, match="retrosim sweep"):
        retrosim.run(sc, subjects=100_000, traces=False)


def test_a_thousand_days_of_rest_is_refused(cli, write, tmp_path):
    stages = "[" + ", ".join(['"rest for 24 h"'] * 1000) + "]"
    with watchdog(60):
        status, _, err = cli("run", write(scenario_text(stages=stages)), "-o",
                             str(tmp_path / "out.nc"))
    assert_refused(status, err, "arms.a.stages", "limits.max_protocol_h")
    assert not (tmp_path / "out.nc").exists()


def test_trace_points_are_counted_before_the_run(write):
    sc = retrosim.load_scenario(write(scenario_text(stages='["walk at 3 km/h for 10 h"]')))
    with pytest.raises(InputError) as info:
        retrosim.run(sc, subjects=2000)                 # traces every second: 72 million
    assert "trace values" in str(info.value) and "limits.max_trace_points" in str(info.value)
    retrosim.run(sc, subjects=2000, traces=False)       # summaries alone fit


def test_a_grid_of_a_million_arms_is_refused(cli, write):
    values = "[" + ", ".join(str(10 + i) for i in range(10)) + "]"
    grid = "\n".join(f"{k} = {values}" for k in ("duration_min",)) + \
        "\n[sweep.cohort]\n" + "\n".join(f"{k} = {values}" for k in
                                           ("mass_kg", "age_yr", "height_cm", "hr_rest_bpm",
                                            "vo2max_ml_kg_min"))
    text = scenario_text(f"[sweep]\n{grid}\n")
    assert len(text) < 2000
    with watchdog(60):
        status, _, err = cli("run", write(text))
    assert_refused(status, err, "1,000,000 arms", "limits.max_grid_points")


def test_twenty_thousand_stages_are_refused_before_they_are_parsed(cli, write):
    stages = "[" + ", ".join(['"walk at 3 km/h for 1 s"'] * 20_000) + "]"
    with watchdog(60):
        status, _, err = cli("run", write(scenario_text(stages=stages)))
    assert_refused(status, err, "20,000 stages", "limits.max_stages")


def test_the_limits_table_raises_a_limit_within_its_range(write):
    stages = "[" + ", ".join(['"walk at 3 km/h for 1 min"'] * 1200) + "]"
    with pytest.raises(InputError, match="max_stages"):
        retrosim.load_scenario(write(scenario_text(stages=stages)))
    sc = retrosim.load_scenario(write(scenario_text("[limits]\nmax_stages = 2000\n",
                                                    stages=stages), "b.toml"))
    assert len(sc.arms["a"].protocol.stages) == 1200
    with pytest.raises(InputError, match="limits.max_stages"):
        retrosim.load_scenario(write(scenario_text("[limits]\nmax_stages = 1e9\n"), "c.toml"))
    with pytest.raises(InputError, match="limits.max_cats"):
        retrosim.load_scenario(write(scenario_text("[limits]\nmax_cats = 1\n"), "d.toml"))


def test_a_quadratic_stage_string_is_refused_at_once(cli, write):
    line = "walk at " + "1" * 40_000 + " mph for"
    with watchdog(10):
        status, _, err = cli("run", write(scenario_text(stages=f'["{line}"]')))
    assert_refused(status, err, "40,016 characters")


def test_the_stage_pattern_is_linear_in_the_digits():
    """Past the length limit too, a failing match costs time linear in the text (the old
    pattern split a run of n digits n ways: 100,000 digits would take hours)."""
    with watchdog(10):
        assert protocol._WALK.match("walk at " + "1" * 100_000 + " mph for") is None
        assert protocol._REST.match("rest for " + "1" * 100_000 + " x y") is None


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{b = ", "}")])
def test_toml_nested_a_hundred_thousand_deep_gives_one_line(cli, write, opening, closing):
    depth = 100_000
    text = scenario_text() + "deep = " + opening * depth + "1" + closing * depth + "\n"
    status, _, err = cli("run", write(text))
    assert_refused(status, err, "100,000 deep", f"at most {budget.MAX_TOML_DEPTH}")


def test_brackets_inside_strings_and_comments_are_not_nesting():
    text = 'a = "[[[[[[[[[[" # {{{{{{{{{{{{\nb = \'\'\'\n[[[[\n\'\'\'\nc = [[1]]'
    assert budget.toml_depth(text) == 2


def test_a_huge_file_is_refused_before_it_is_read(cli, write):
    text = scenario_text() + "# " + "x" * budget.MAX_FILE_BYTES + "\n"
    status, _, err = cli("run", write(text))
    assert_refused(status, err, "bytes", f"{budget.MAX_FILE_BYTES:,}")


def test_a_deep_param_on_the_command_line_gives_one_line(cli):
    status, _, err = cli("check", "hr-target", "--scenario", "hr-controller", "--param",
                         "x=" + "[" * 50_000 + "]" * 50_000)
    assert_refused(status, err, "deep")


def small_result(tmp_path):
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"), subjects=2)
    return io.save(ds, tmp_path / "good.nc")


def test_report_refuses_a_file_that_declares_a_billion_times_before_loading(cli, tmp_path):
    path = tmp_path / "huge.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.setncatts({"scenario": "x", "seed": 0, "retrosim_version": "0"})
        for name, size in (("arm", 1), ("subject", 1), ("time", 1_000_000_000)):
            nc.createDimension(name, size)
        for name in io.SUMMARIES:
            nc.createVariable(name, "f8", ("arm", "subject"))
        nc.createVariable("hr", "f8", ("arm", "subject", "time"), chunksizes=(1, 1, 4096))
        nc.createVariable("time", "f8", ("time",), chunksizes=(4096,))
    assert path.stat().st_size < 100_000
    with watchdog(30):
        status, _, err = cli("report", str(path), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, "declares", "GB")


def test_report_refuses_a_design_front_that_declares_two_billion_designs(cli, tmp_path):
    path = tmp_path / "front.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.setncatts({"objectives": "energy_walking", "how": "NSGA-II"})
        nc.createDimension("design", 2_000_000_000)
        nc.createVariable("speed_mph", "f8", ("design",), chunksizes=(4096,))
    assert path.stat().st_size < 100_000
    with watchdog(30):
        status, _, err = cli("report", str(path), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, "declares 2,000,000,000 designs")


def test_report_refuses_files_that_are_not_retrosim_results(cli, tmp_path):
    cases = {"no-attrs": {}, "no-arm": {"scenario": "x", "seed": 0, "retrosim_version": "0"}}
    for name, attrs in cases.items():
        path = tmp_path / f"{name}.nc"
        with netCDF4.Dataset(path, "w") as nc:
            nc.setncatts(attrs)
            nc.createDimension("subject", 1)
        status, _, err = cli("report", str(path), "-o", str(tmp_path / "r.html"))
        assert_refused(status, err, "not a retrosim result")
    (tmp_path / "text.nc").write_text("not netcdf")
    status, _, err = cli("report", str(tmp_path / "text.nc"), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, "not a NetCDF file")


def _dict():
    return {"name": "x", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "falls": {"model": "none"}, "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]}}}
