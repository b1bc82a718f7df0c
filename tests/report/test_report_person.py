"""``retrosim report`` for one person: the physical therapist's scenario (who, what was
assumed, how sure, in her units), prediction intervals, a sweep store, sections added by other
modules, the readings plot and a scenario in km/h (the report's sections and plots:
test_report.py)."""

import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.report import document as report
from retrosim.report import html as report_html
from retrosim.report import plots
from retrosim.scale.cluster import Cluster
from tests.report.test_report import Page


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("report-person")


# The physical therapist's scenario: who, what was assumed, how sure, in her units.

@pytest.fixture(scope="module")
def knee(folder):
    return report.write_report("knee-replacement-what-if", folder / "knee.html").read_text()


def _section_text(page_text, anchor):
    body = page_text.split(f'<section id="{anchor}">', 1)[1].split("</section>", 1)[0]
    return " ".join(body.replace("&#x27;", "'").split())


def test_the_knee_report_lists_the_patients_inputs(knee):
    who = _section_text(knee, "who")
    for text in ("<td>age</td><td>68</td>", "<td>body mass</td><td>72</td>",
                 "<td>Berg Balance Scale</td><td>44</td>",
                 "<td>resting blood pressure</td><td>148/92</td>",
                 "<td>antihypertensive medication</td><td>no</td>", "<td>fitness</td>"):
        assert text in who, text
    assert "balance level" not in who               # the Berg score sets it, not the default


def test_the_knee_report_states_assumptions_limits_and_models(knee):
    said = _section_text(knee, "assumptions")
    assert "Fall base rates and the backward factors" in said
    assert "Backward heart rate adds an excess over forward" in said    # the default model's
    assert "as lower bounds" not in said          # the caveat of swain-1998-hrr, not in use
    assert "replacement" in said and "not modelled" in said
    models = _section_text(knee, "models")
    assert "1.5-5 mph" in models and "continuous" in models


def test_the_knee_report_speaks_mph_bpm_and_percent_of_hr(knee):
    summary = _section_text(knee, "summary")
    for text in ("mph", "bpm", "%HRmax", "%HRR", "fall-risk", "expected", "backward"):
        assert text in summary, text
    assert "-0.67" not in knee and "m s-1" not in _section_text(knee, "traces")
    arms = _section_text(knee, "arms")
    assert "walk backward at 1.5 mph for 10 min; a light touch on the handrail" in arms
    assert "no handrail" in arms


def test_the_knee_report_gives_one_persons_fall_risk_with_its_interval(knee):
    ds = retrosim.run(retrosim.load_scenario("knee-replacement-what-if"), traces=False)
    falls = _section_text(knee, "falls")
    assert "exact [90 % prediction interval]" in falls
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        cell = (f"{retrosim.results.tables.percent(float(r.fall_risk.mean()))} ["
                f"{retrosim.results.tables.percent(float(r.fall_risk_low))}-"
                f"{retrosim.results.tables.percent(float(r.fall_risk_high))}]")
        assert f"<td>{arm}</td><td>{cell}</td>" in falls
    assert "prediction interval of her plausible versions" in _section_text(knee, "intervals")


def test_the_knee_report_gives_seed_version_and_how_sure(knee):
    assert "seed 14" in knee and f"retrosim {retrosim.__version__}" in knee
    sure = _section_text(knee, "intervals")
    assert "exact" in sure and "1 - exp(-H)" in sure


def test_prediction_intervals_are_shown_when_the_result_has_them(folder):
    """A Dataset with ``<name>_low``/``<name>_high`` (the physiology's 90 % prediction
    intervals) shows them in brackets in the text and HTML tables."""
    ds = retrosim.run(retrosim.load_scenario("knee-replacement-what-if"), traces=False)
    for name in ("hr_peak", "sbp_post_expected"):
        ds[f"{name}_low"] = ds[name] - 10.0
        ds[f"{name}_high"] = ds[name] + 10.0
    hr = float(ds.hr_peak.isel(arm=0, subject=0))
    text = retrosim.results.tables.summary_table(ds)
    assert f"{hr:.0f}[{hr - 10:.0f}-{hr + 10:.0f}]" in text.replace(" ", "")
    assert "90 % prediction intervals" in text
    retrosim.results.io.save(ds, folder / "intervals.nc")
    page = report.write_report(folder / "intervals.nc", folder / "intervals.html").read_text()
    assert f"{hr:.0f} [{hr - 10:.0f}-{hr + 10:.0f}]" in _section_text(page, "summary")
    assert "90 % prediction intervals" in _section_text(page, "intervals")


def test_a_sweep_store_gets_a_report(folder):
    from retrosim.scale import sweep

    sc = retrosim.load_scenario("knee-replacement-what-if")
    sweep.run_sweep(sc, folder / "knee.zarr", subjects=300,
                    cluster=Cluster(scheduler="in-process"), sample=3)
    page_text = report.write_report(folder / "knee.zarr", folder / "zarr.html").read_text()
    page = Page(page_text)
    assert {"who", "summary", "falls", "traces", "assumptions"} <= set(page.sections)
    assert page.rows["summary-table"] == 1 + 4
    assert "300 draws" in _section_text(page_text, "who")
    with pytest.raises(InputError, match="--subjects"):
        report.load(folder / "knee.zarr", subjects=5)


def test_other_modules_can_add_a_section(folder):
    added = report_html.Section("extra", "Extra", lambda data: "<p>added here</p>")
    saved = list(report_html.SECTIONS)
    try:
        report_html.add_section(added, before="references")
        ds = retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False)
        page = Page(report_html.render(report.ReportData(ds, {}, "x")))
        assert page.sections[-2:] == ["extra", "references"]
    finally:
        report_html.SECTIONS[:] = saved


def test_the_readings_plot_is_focused_on_the_readings():
    ds = retrosim.run(retrosim.load_scenario("knee-replacement-what-if"), traces=False)
    from retrosim.events.bp import readings

    fig = plots.readings(ds, readings(ds))
    low, high = fig.axes[0].get_xlim()
    assert low > 20 and high < 40                    # one reading at 30 min, not 0-35 min


KMH = """\
name = "metric"
seed = 1
[subject]
mass_kg = 70
age_yr = 60
sex = "male"
[arms.backward]
stages = ["walk backward at 3 km/h for 5 min"]
"""


def test_a_scenario_in_km_h_is_reported_in_km_h(folder):
    path = folder / "metric.toml"
    path.write_text(KMH)
    page = report.write_report(path, folder / "metric.html").read_text()
    summary = _section_text(page, "summary")
    assert "km/h" in summary and "mph" not in summary
    assert "<td>3</td>" in summary                         # 3 km/h, as written
    assert "walk backward at 3 km/h for 5 min" in _section_text(page, "arms")
    text = retrosim.results.tables.summary_table(retrosim.run(retrosim.load_scenario(path),
                                                              traces=False))
    assert "km/h" in text.splitlines()[3]
