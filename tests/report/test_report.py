"""``retrosim report``: one self-contained HTML page from a scenario or a saved result (one
person's report, intervals, sweeps and units: test_report_person.py)."""

import base64
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import retrosim
from retrosim import api
from retrosim.cli.main import main
from retrosim.errors import InputError
from retrosim.report import document as report
from retrosim.report import html as report_html
from retrosim.report import plots

PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """What a test needs from a report: images, tables, sections, links and scripts."""

    def __init__(self, text):
        super().__init__()
        self.images, self.tables, self.sections, self.links, self.scripts = [], {}, [], [], 0
        self.rows, self._table = {}, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        elif tag == "table":
            self._table = a.get("id")
            self.rows[self._table] = 0
        elif tag == "tr" and self._table:
            self.rows[self._table] += 1
        elif tag == "section":
            self.sections.append(a["id"])
        elif tag == "script":
            self.scripts += 1
        if "href" in a:
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None


def png_sizes(page):
    """Width and height of every inline image (each must be a PNG data URI)."""
    sizes = []
    for img in page.images:
        head, _, data = img["src"].partition(",")
        assert head == "data:image/png;base64"
        raw = base64.b64decode(data, validate=True)
        assert raw.startswith(PNG)
        sizes.append((int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")))
    return sizes


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def compendium(folder):
    path = report.write_report("compendium-2011", folder / "compendium.html")
    return path.read_text()


def test_the_compendium_report_has_every_section_and_is_self_contained(compendium):
    page = Page(compendium)
    assert page.sections == ["who", "arms", "summary", "intervals", "traces", "energy",
                             "falls", "blood-pressure", "warnings", "models", "assumptions",
                             "references"]
    assert page.rows["summary-table"] == 1 + 3                      # header and three arms
    assert all(w > 100 and h > 100 for w, h in png_sizes(page))
    assert len(page.images) == 7         # speed, VO2, HR, BP, energy, falls, readings
    assert page.scripts == 0
    assert all(link.startswith("#") for link in page.links)
    assert "http://" not in compendium and "https://" not in compendium


def test_the_report_shows_the_headline_seed_version_and_references(compendium):
    for text in (">46 [46-46]<", ">64 [64-64]<", ">85 [85-85]<", "seed 2011",
                 f"retrosim {retrosim.__version__}", "Ainsworth BE et al. (2011)", "forward-level",
                 "backward-uphill"):
        assert text in compendium, text


def test_a_saved_result_gives_the_same_tables(folder, compendium):
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
    retrosim.results.io.save(ds, folder / "compendium.nc")
    text = report.write_report(folder / "compendium.nc", folder / "saved.html").read_text()
    page, fresh = Page(text), Page(compendium)
    assert page.sections == fresh.sections and page.rows == fresh.rows
    summary = text.split('id="summary-table"')[1].split("</table>")[0]
    assert summary == compendium.split('id="summary-table"')[1].split("</table>")[0]


def test_missing_variables_skip_their_section(folder):
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"))
    bp = [v for v in ds.variables if "bp" in v or v in ("sbp", "dbp", "exercise_end")]
    falls = ["fell", "fall_time", "stumbles", "estop", "fall_probability", "fall_risk",
             "fall_probability_low", "fall_probability_high", "falls_per_1000"]
    retrosim.results.io.save(ds, folder / "whole.nc")
    data = report.open_result(folder / "whole.nc")           # its bands, then no bp, no falls
    data.ds = data.ds.drop_vars([v for v in bp + falls if v in data.ds.variables])
    data.bands = {k: v for k, v in data.bands.items() if k not in ("sbp", "dbp")}
    page = Page(report_html.render(data))
    assert page.sections == ["who", "arms", "summary", "intervals", "traces", "energy",
                             "warnings", "models", "assumptions", "references"]
    assert len(page.images) == 4                      # speed, VO2, HR, energy
    assert png_sizes(page)


COHORT = """\
name = "small-cohort"
seed = 4
[cohort]
size = 40
preset = "older-after-knee-surgery"
[arms.forward]
stages = ["walk forward at 1.5 mph for 4 min", "rest for 2 min"]
[arms.backward]
stages = ["walk backward at 1.2 mph for 3 min"]
"""


@pytest.fixture(scope="module")
def cohort(folder):
    path = folder / "small-cohort.toml"
    path.write_text(COHORT)
    return path


def test_a_cohort_report_draws_bands_in_order(cohort):
    data = report.load(cohort)                                        # a [cohort] of 40
    assert set(data.bands) == {"speed", "vo2", "hr", "sbp", "dbp"}
    for band in data.bands.values():
        assert band.values.shape == (data.ds.sizes["arm"], 5, band.time.size)
        step = np.diff(band.values, axis=1)                       # 5 <= 25 <= ... <= 95 %
        assert np.all(step[np.isfinite(step)] >= -1e-12)
        assert np.isfinite(band.values[:, :, 0]).all()            # NaN only after an arm ends
    hr = data.bands["hr"].values
    assert np.nanmin(hr[:, 4] - hr[:, 0]) > 1                  # people differ at every time
    assert "middle 50 % and 90 % of subjects." in report_html.band_note(data)
    assert np.isnan(data.bands["vo2"].values[1, :, -1]).all()       # backward ended first


def test_bands_of_one_subject_are_that_subjects_traces():
    """Sampled from the closed form at the report's times: the same values as the run's."""
    scenario = retrosim.load_scenario("compendium-2011")
    data = report.load("compendium-2011")
    times = data.bands["vo2"].time
    ds = retrosim.run(scenario, trace_step_s=1.0)
    whole = np.isin(times, ds.time.values)
    for name in ("vo2", "hr", "sbp"):
        expected = ds[name].isel(subject=0).sel(time=times[whole]).values
        for q in range(5):
            np.testing.assert_allclose(data.bands[name].values[:, q, whole], expected,
                                       rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 4), st.integers(1, 30)),
              elements=st.one_of(st.floats(-1e3, 1e3), st.just(np.nan))))
def test_subject_quantiles_are_numpys_ignoring_nan(values):
    got = report.subject_quantiles(values)
    for m, row in enumerate(values):
        finite = row[np.isfinite(row)]
        if finite.size:
            np.testing.assert_allclose(got[:, m], np.quantile(finite, report.QUANTILES),
                                       rtol=1e-12, atol=1e-9)
        else:
            assert np.isnan(got[:, m]).all()


def test_report_times_hold_the_knots_and_the_minutes_after_them():
    t = report.report_times(1800.0, np.array([0.0, 600.0, 600.0, 1800.0]))
    assert t[0] == 0.0 and t[-1] == 1800.0 and np.all(np.diff(t) > 0)
    assert {600.0, 605.0, 630.0, 720.0}.issubset(t)
    assert report.POINTS <= t.size <= report.POINTS + 20


def test_axes_are_labelled_from_the_cf_attributes():
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False)
    values = np.ones((3, 5, 4))
    fig = plots.traces(np.arange(4.0) * 60, [("vo2", values, "-")], list(ds.arm.values),
                       {"long_name": "time since the start", "units": "s"},
                       plots.label({"long_name": "oxygen uptake", "units": "mL kg-1 min-1"}),
                       cohort=False)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "oxygen uptake [mL kg-1 min-1]"
    assert ax.get_xlabel() == "time since the start [min]"
    assert plots.energy(ds).axes[0].get_xlabel() == "energy, while walking [kcal]"


def test_warnings_list_guidance_and_alarms(folder):
    scenario = {
        "name": "risky", "seed": 3,
        "subject": {"mass_kg": 90, "age_yr": 60, "sex": "male", "balance": "severe",
                    "resting_bp_mmhg": [165, 100]},
        "arms": {"steep": {"stages": ["walk backward at 2.5 mph, 10% grade for 10 min"]}}}
    path = folder / "risky.toml"
    path.write_text(_toml(scenario))
    text = report.write_report(path, folder / "risky.html").read_text()
    warnings = text.split('id="warnings"')[1].split("</section>")[0]
    assert "not recommended" in warnings
    assert "exaggerated blood-pressure response" in warnings


def _toml(data, prefix=""):
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, value in tables:
        name = f"{prefix}{key}"
        if all(isinstance(v, dict) for v in value.values()):
            lines.append(_toml(value, f"{name}."))
        else:
            lines += [f"[{name}]", _toml(value, f"{name}.")]
    return "\n".join(lines)


def _value(v):
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def test_bad_output_paths_are_refused_before_the_run(folder, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("ran before checking the output path")

    monkeypatch.setattr(report, "load", never)
    for bad, problem in ((folder / "report.pdf", "does not end in .html"),
                         (folder / "nowhere" / "r.html", "does not exist"),
                         (folder, "does not end in .html")):
        with pytest.raises(InputError, match=problem) as err:
            report.write_report("compendium-2011", bad)
        assert err.value.key == "-o" and "\n" not in str(err.value)


def test_the_write_is_atomic_and_replaces_an_old_report(folder, monkeypatch):
    target = folder / "atomic.html"
    target.write_text("old")

    def broken(text, f):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)          # the rename of the atomic write
    with pytest.raises(OSError):
        report.write_html("<html>new</html>", target)
    assert target.read_text() == "old"
    assert not list(folder.glob("*.part"))
    monkeypatch.undo()
    report.write_html("<html>new</html>", target)
    assert target.read_text() == "<html>new</html>" and not list(folder.glob("*.part"))


def test_saved_results_refuse_run_options_and_unknown_files(folder):
    with pytest.raises(InputError, match="applies to a scenario"):
        report.load(folder / "compendium.nc", subjects=10)
    with pytest.raises(InputError, match="does not exist"):
        report.load(folder / "missing.nc")
    with pytest.raises(InputError, match="not a retrosim sweep store"):
        report.load(folder / "six.zarr")                # a store that is not there
    (folder / "junk.nc").write_text("not netcdf")
    with pytest.raises(InputError, match="not a readable result"):
        report.load(folder / "junk.nc")


def test_cli_report_writes_the_file(folder, capsys):
    out = folder / "cli.html"
    assert main(["report", "compendium-2011", "-o", str(out), "--step", "30"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert Page(out.read_text()).rows["summary-table"] == 4
    assert main(["report", "compendium-2011", "-o", str(folder / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("retrosim: error: -o:") and err.count("\n") == 1


def test_cli_report_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "report" in out and "validate" in out


def test_report_text_escapes_what_comes_from_the_scenario(folder):
    path = Path(folder / "escape.toml")
    path.write_text('name = "esc"\ndescription = "<b>bold</b> & more"\n[subject]\n'
                    'mass_kg = 70\nage_yr = 40\nsex = "male"\n[arms.a]\n'
                    'stages = ["walk forward at 2 mph for 1 min"]\n')
    text = report.write_report(path, folder / "escape.html").read_text()
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in text


def test_a_large_cohorts_bands_come_from_its_first_people(cohort, monkeypatch):
    """The first people of a big run are bit-identical to a run of just them."""
    monkeypatch.setattr(api, "TRACE_SAMPLE", 25)
    big = report.load(cohort)
    small = report.load(cohort, subjects=25)
    assert big.band_subjects == 25 and small.band_subjects is None
    assert big.ds.sizes["subject"] == 40
    for name, band in small.bands.items():
        np.testing.assert_array_equal(big.bands[name].values, band.values)
    assert "the first 25 of 40" in report_html.band_note(big)
    page = Page(report.render(big))
    assert len(page.images) == 7 and png_sizes(page)
