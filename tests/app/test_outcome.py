"""The page's run path: its table is the Dataset's means, intervals where the result has them,
bands of the traces, and the same people whether or not the traces are kept."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

import retrosim
from retrosim import api, units
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
        assert cells[(arm, "fall_risk")]["value"] == float(r.fall_risk.mean())
    if "energy_total_low" in ds:                                 # the within-person interval
        assert cells[("forward", "energy_total")]["low"] == \
            float(ds.energy_total_low.sel(arm="forward"))
    assert "In brackets: " in outcome.table_html(ds)


def test_a_cohorts_sampled_falls_have_their_wilson_interval():
    import tomllib

    from retrosim.model.scenario import bundled
    data = tomllib.loads(bundled()["knee-rehab-six-protocols"].read_text(encoding="utf-8"))
    ds = outcome.run(data, "knee-rehab-six-protocols.toml", 30).ds
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(ds)}
    for arm in (str(a) for a in ds.arm.values):
        r = ds.sel(arm=arm)
        falls = cells[(arm, "falls_per_1000")]
        assert (falls["low"], falls["high"]) == (1000 * float(r.fall_probability_low),
                                                 1000 * float(r.fall_probability_high))
    assert "Wilson interval (falls)" in outcome.table_html(ds)


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
def _legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_the_figures_speak_the_units_of_the_form(done):
    """Speed in the scenario's unit (mph here, km/h when the stages say so), heart rate in
    bpm and VO2 in mL/kg/min, as the table writes them; the speed drawn is the typed one."""
    speed = outcome.figure(done, "speed")
    assert speed.axes[0].get_ylabel() == "belt speed [mph], backward < 0"
    top = max(abs(line.get_ydata()).max() for line in speed.axes[0].get_lines())
    assert top == pytest.approx(1.5, rel=1e-12)
    assert outcome.figure(done, "hr").axes[0].get_ylabel() == "heart rate [bpm]"
    assert outcome.figure(done, "vo2").axes[0].get_ylabel() == "oxygen uptake [mL/kg/min]"
    html = outcome.table_html(done.ds)                   # the table's units are the same
    assert "<small>bpm</small>" in html and "<small>mL/kg/min</small>" in html
    form = F.default_form()
    for arm in form.arms:
        for row in arm.stages:
            row.unit, row.speed = "km/h", 2.4 if row.speed is not None else None
    kmh = outcome.run(F.scenario_dict(form), form.file_name, 1)
    speed = outcome.figure(kmh, "speed")
    assert speed.axes[0].get_ylabel() == "belt speed [km/h], backward < 0"
    top = max(abs(line.get_ydata()).max() for line in speed.axes[0].get_lines())
    belt = float(kmh.ds.speed.max())                    # the belt's steps: 0.1 mph
    assert top == pytest.approx(units.mps_to_kmh(belt), rel=1e-12) and top > 2.0


def test_a_legend_names_only_the_bands_drawn(done):
    """Draws of one person share her heart rate and speed: no band is drawn, none is named.
    A cohort's people differ: both bands are drawn and named."""
    assert _legend(outcome.figure(done, "hr")) == ["median"]
    assert _legend(outcome.figure(done, "speed")) == ["median"]
    cohort = retrosim.load_scenario("knee-rehab-six-protocols")
    import tomllib

    from retrosim.model.scenario import bundled
    data = tomllib.loads(bundled()["knee-rehab-six-protocols"].read_text(encoding="utf-8"))
    many = outcome.run(data, "knee-rehab-six-protocols.toml", 30)
    assert cohort.cohort is not None
    fig = outcome.figure(many, "hr")
    assert _legend(fig) == ["median", "25-75 %", "5-95 %"]
    assert _legend(outcome.figure(many, "speed")) == ["median"]       # one belt for all


def test_one_persons_fall_risk_is_the_exact_probability():
    """One person: the exact risk 1 - exp(-H) as a percentage, and no sampled rate (one
    session's 0 of 1 is no rate: its Wilson interval ran 0-793 per 1,000)."""
    form = F.default_form()
    one = outcome.run(F.scenario_dict(form), form.file_name, 1)
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(one.ds)}
    for arm in ("forward", "backward"):
        risk = float(one.ds.fall_risk.sel(arm=arm).mean())
        assert cells[(arm, "fall_risk")]["value"] == risk
        assert cells[(arm, "fall_risk")]["text"].startswith(f"{100 * risk:.2g}% (")
        assert (arm, "falls_per_1000") not in cells
    html = outcome.table_html(one.ds)
    shown = re.sub(r"<[^>]+>", " ", html)          # the text, not the values' attributes
    assert "793" not in shown and "fall risk per session" in shown


def test_one_persons_fall_risk_has_its_prediction_interval():
    """The interval of the exact risk is over the plausible versions of the person
    (``Simulation.versions``, as the other outcomes' intervals): the 5th and 95th percentiles
    of each version's exact risk, holding the person's own."""
    form = F.default_form()
    one = outcome.run(F.scenario_dict(form), form.file_name, 1)
    sc = retrosim.Scenario.from_dict(one.data)
    versions = {s.arm.name: np.asarray(s.summary["fall_risk"])
                for s in retrosim.Simulation(sc).versions(200)}
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(one.ds)}
    for arm, risk in versions.items():
        cell = cells[(arm, "fall_risk")]
        assert risk[0] == cell["value"]                         # subject 0: the person
        low, high = np.quantile(risk[1:], [0.05, 0.95])
        assert (cell["low"], cell["high"]) == (min(low, risk[0]), max(high, risk[0]))
        assert cell["low"] < cell["value"] < cell["high"]
        assert cell["text"] == (f"{100 * cell['value']:.2g}% ({100 * cell['low']:.2g}%-"
                                f"{100 * cell['high']:.2g}%)")
    html = outcome.table_html(one.ds)
    assert "fall risk per session" in html.split("In brackets: ")[1]
    cohort_like = F.default_form()
    big = outcome.run(F.scenario_dict(cohort_like), cohort_like.file_name, 3)
    assert "fall_risk_low" in big.ds                            # draws of one person too


def test_energy_and_met_count_the_walking_as_the_report_does(done):
    """The table's energy and MET are the walking's (``energy_exercise``,
    ``met_mean_exercise``), named so, as in the report's summary; with rests the session's
    energy stands beside them, named as the whole session's."""
    from retrosim.results import tables

    ds = done.ds
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(ds)}
    rows = {r["arm"]: r for r in tables.arm_rows(ds)}
    for arm in ("forward", "backward"):
        walking = cells[(arm, "energy_exercise")]["value"]
        assert walking == float(ds.energy_exercise.sel(arm=arm).mean())
        assert rows[arm]["kcal"].split()[0] == f"{walking:.0f}"
        met = cells[(arm, "met_mean_exercise")]["value"]
        assert rows[arm]["MET"].split()[0] == f"{met:.1f}"
        assert cells[(arm, "energy_total")]["value"] > walking           # rests count too
    assert tables.UNITS["kcal"] == tables.UNITS["MET"] == "while walking"
    html = outcome.table_html(ds)
    assert "energy while walking" in html and "MET while walking" in html
    assert "energy incl. rest" in html and "whole session" in html


def test_the_comparison_table_as_csv_holds_its_values(done):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(outcome.table_csv(done.ds))))
    cells = outcome.table_cells(done.ds)
    assert len(rows) == len(cells)
    for row, cell in zip(rows, cells, strict=True):
        assert (row["arm"], row["column"]) == (cell["arm"], cell["column"])
        assert float(row["value"]) == cell["value"]
        assert (float(row["low"]) if row["low"] else None) == cell["low"]
    assert {r["header"] for r in rows} >= {"energy while walking", "fall risk per session"}


def test_the_readings_legend_names_only_the_categories_drawn(done):
    from retrosim import api
    from retrosim.physiology import pressure

    fig = outcome.figure(done, "readings")
    shown = set(api.readings(done.ds).category)
    names = _legend(fig)
    assert [n for n in names if n in pressure.CATEGORIES] == \
        [c for c in pressure.CATEGORIES if c in shown]
    assert len(shown) < len(pressure.CATEGORIES)          # some category is not drawn


def test_one_persons_programme_fall_risk_is_the_results_with_its_interval():
    """Over a programme, one person's risk of at least one fall is the result's exact
    ``programme_fall_risk`` with its 90 % interval, as the report and the run table give it."""
    import tomllib

    from retrosim.model.scenario import bundled
    data = tomllib.loads(bundled()["knee-rehab-six-weeks"].read_text(encoding="utf-8"))
    done = outcome.run(data, "knee-rehab-six-weeks.toml", 1)
    ds = done.ds
    cells = {(c["arm"], c["column"]): c for c in outcome.table_cells(ds)}
    for arm in ds.arm.values:
        cell = cells[(str(arm), "fall_risk_protocol")]
        assert cell["value"] == float(ds.programme_fall_risk.sel(arm=arm))
        assert (cell["low"], cell["high"]) == (float(ds.programme_fall_risk_low.sel(arm=arm)),
                                               float(ds.programme_fall_risk_high.sel(arm=arm)))
        assert cell["low"] < cell["value"] < cell["high"]
