"""The page's run path: its table is the Dataset's means, intervals where the result has them,
bands of the traces, and the same people whether or not the traces are kept."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import retrosim
from retrosim import api
from retrosim.app import form as F
from retrosim.app import outcome
from retrosim.model import tomlwriter
from retrosim.report import document


@pytest.fixture(scope="module")
def done():
    form = F.default_form()
    return outcome.run(F.scenario_dict(form), form.file_name, 50)


def test_the_run_is_retrosim_run(done):
    expected = retrosim.run(retrosim.Scenario.from_dict(done.data), subjects=50)
    for var in ("energy_total", "vo2_peak", "hr_peak", "fell", "sbp_post", "falls_per_1000"):
        assert done.ds[var].equals(expected[var]), var
    assert done.command == "retrosim run what-if.toml --subjects 50"


def test_table_cells_are_the_means_over_people(done):
    ds = done.ds
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(ds)}
    for arm in ("forward", "backward"):
        r = ds.sel(arm=arm)
        assert cells[(arm, "energy_total")]["value"] == float(r.energy_total.mean())
        assert cells[(arm, "hr_peak")]["value"] == float(r.hr_peak.mean())
        assert cells[(arm, "duration_min")]["value"] == float(r.duration) / 60.0
        falls = cells[(arm, "falls_per_1000")]
        assert (falls["low"], falls["high"]) == (1000 * float(r.fall_probability_low),
                                                 1000 * float(r.fall_probability_high))
    if "energy_total_low" in ds:                                 # the within-person interval
        assert cells[("forward", "energy_total")]["low"] == \
            float(ds.energy_total_low.sel(arm="forward"))
    assert "In brackets: " in outcome.table_html(ds) and "Wilson interval (falls)" in \
        outcome.table_html(ds)


def test_an_interval_variable_is_shown_when_the_result_has_one(done):
    ds = done.ds.copy()
    ds["energy_total_low"] = ds.energy_total - 5.0
    ds["energy_total_high"] = ds.energy_total + 7.0
    cell = next(c for c in outcome.table_cells(ds)
                if c["arm"] == "forward" and c["column"] == "energy_total")
    mean = float(ds.energy_total.sel(arm="forward").mean())
    assert cell["text"] == f"{mean:.1f} ({mean - 5:.1f}-{mean + 7:.1f})"
    assert "energy_total" in outcome.table_html(ds)


def test_bands_are_percentiles_of_the_traces(done):
    band = done.bands["hr"]
    hr = done.ds.hr.sel(arm="backward").values            # (subject, time)
    np.testing.assert_allclose(band.values[1, 2], np.median(hr, axis=0))
    assert (np.diff(band.values, axis=1) >= 0).all()       # 5 <= 25 <= 50 <= 75 <= 95 %
    speed = done.bands["speed"].values[1, 2]
    assert speed.min() < 0 < speed.max()                     # backward drawn below zero


def test_beyond_the_band_people_summaries_cover_everyone(monkeypatch):
    monkeypatch.setattr(api, "TRACE_SAMPLE", 4)
    form = F.default_form()
    big = outcome.run(F.scenario_dict(form), form.file_name, 9)
    assert big.ds.sizes["subject"] == 9 and "time" not in big.ds.dims
    assert big.band_subjects == 4
    whole = retrosim.run(retrosim.Scenario.from_dict(big.data), subjects=9, traces=False)
    assert big.ds.energy_total.equals(whole.energy_total)
    few = retrosim.run(retrosim.Scenario.from_dict(big.data), subjects=4,
                       trace_step_s=outcome.trace_step(48 * 60.0))
    np.testing.assert_array_equal(big.bands["vo2"].values[0, 2],
                                  np.median(few.vo2.sel(arm="forward").values, axis=0))


def test_trace_step_keeps_a_few_hundred_points():
    assert outcome.trace_step(48 * 60.0) == 10.0
    assert all(d / outcome.trace_step(d) <= outcome.MAX_POINTS for d in (60, 3600, 86_400))


def test_the_number_of_people_is_checked_by_retrosim_run():
    form = F.default_form()
    with pytest.raises(retrosim.InputError, match="subjects: 0 is out of range"):
        outcome.run(F.scenario_dict(form), form.file_name, 0)


def test_figures_report_and_netcdf(done, tmp_path):
    figs = outcome.figures(done)
    assert set(figs) == {"speed", "vo2", "hr", "bp", "falls", "readings"}
    assert outcome.png(figs["vo2"])[:8] == b"\x89PNG\r\n\x1a\n"
    page = outcome.report_html(done)
    assert "<h1>what-if</h1>" in page and 'id="blood-pressure"' in page
    (tmp_path / "r.nc").write_bytes(outcome.netcdf_bytes(done.ds))
    with xr.open_dataset(tmp_path / "r.nc") as saved:
        np.testing.assert_array_equal(saved.energy_total.values, done.ds.energy_total.values)


def test_warnings_count_the_people_each_alarm_concerns():
    form = F.default_form()
    form.person.update(balance="severe")
    severe = outcome.run(F.scenario_dict(form), form.file_name, 20)
    items = outcome.warnings_list(severe)
    assert any(i.startswith("backward: not recommended: backward walking with severe")
               for i in items)


def test_the_page_and_the_report_draw_the_bands_of_the_same_people(monkeypatch, tmp_path):
    """Both take the run's trace sample (``Simulation.sample``): the first people."""
    monkeypatch.setattr(api, "TRACE_SAMPLE", 4)
    form = F.default_form()
    page = outcome.run(F.scenario_dict(form), form.file_name, 9)
    path = tmp_path / form.file_name
    path.write_text(tomlwriter.dumps(F.scenario_dict(form)))
    report = document.load(path, subjects=9)
    assert page.band_subjects == report.band_subjects == 4
