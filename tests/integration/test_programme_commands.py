"""The commands on programmes: run prints start, middle and end; compare ranks; report and
run -o write their files."""

import xarray as xr

from retrosim.cli.main import main


def test_run_prints_start_middle_and_end_with_intervals(capsys):
    assert main(["run", "detraining", "--subjects", "20"]) == 0
    out = capsys.readouterr().out
    assert "day 0" in out and "day 56" in out and "day 112" in out
    assert "median (5-95 %)" in out and "VO2max (mL/kg/min)" in out
    assert "walking: 30 sessions" in out


def test_compare_ranks_programmes(capsys):
    assert main(["compare", "backward-vs-forward-hypertensive", "--subjects", "20"]) == 0
    out = capsys.readouterr().out
    berg = out[out.index("Berg gain"):].splitlines()
    assert "1. backward-vs-forward-hypertensive/backward" in berg[1]


def test_run_writes_the_programme_dataset(tmp_path, capsys):
    path = tmp_path / "p.nc"
    assert main(["run", "balance-programme-follow-up", "--subjects", "5", "-o", str(path)]) == 0
    ds = xr.load_dataset(path)
    assert ds.berg.dims == ("arm", "subject", "day") and ds.sizes["session"] == 24


def test_report_of_a_programme(tmp_path, capsys):
    path = tmp_path / "r.html"
    assert main(["report", "knee-rehab-six-weeks", "--subjects", "5", "-o", str(path)]) == 0
    text = path.read_text()
    assert "State over the weeks" in text and "data:image/png;base64," in text


def test_report_of_a_saved_programme_result(tmp_path, capsys):
    result, page = tmp_path / "p.nc", tmp_path / "p.html"
    assert main(["run", "detraining", "--subjects", "4", "-o", str(result)]) == 0
    assert main(["report", str(result), "-o", str(page)]) == 0
    assert "State over the weeks" in page.read_text()
    ds = xr.load_dataset(result)
    assert ds.fall_probability.dims == ("arm",)
    assert (ds.event_time.values == 86_400.0 * ds.event_day.values).all()


def test_one_persons_saved_programme_keeps_its_state_intervals(tmp_path, capsys):
    """A [subject] programme written by run -o reopens for the report with each daily
    state's interval on (arm, day), and the page's table shows it in brackets."""
    result, page = tmp_path / "p.nc", tmp_path / "p.html"
    assert main(["run", "detraining", "-o", str(result)]) == 0
    assert main(["report", str(result), "-o", str(page)]) == 0
    ds = xr.load_dataset(result)
    assert ds.vo2max_low.dims == ds.hr_rest_high.dims == ("arm", "day")
    assert "[90 % prediction interval]" in page.read_text()
