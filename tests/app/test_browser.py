"""The page in a real browser: a patient, two arms, a run, the downloads, a bad value, and
nothing fetched from anywhere but the app itself.

One scenario walks through the page as a therapist would; the numbers of its table must be
those of ``retrosim.run`` on the TOML file the page hands out, and a bad value's message must
be the one ``retrosim run`` prints for that same file.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import retrosim
from retrosim import units
from retrosim.app import form as F
from retrosim.app import outcome

PEOPLE = 300
PLOTS = ("speed", "vo2", "hr", "bp", "falls", "readings")


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    page.requests_seen = []                      # every URL the page asked for
    page.outside = []                            # those not served by the app (refused)

    def route(r):
        url = r.request.url
        if url.startswith(served.url) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            page.outside.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("request", lambda req: page.requests_seen.append(req.url))
    page.on("websocket", lambda ws: page.requests_seen.append(ws.url))
    page.goto(served.url)
    page.wait_for_function("() => window.Shiny && Shiny.shinyapp && "
                           "Shiny.shinyapp.isConnected()", timeout=30_000)
    page.wait_for_selector("#arms .arm")
    yield page
    context.close()


def _local(url: str, base: str) -> bool:
    ws = base.replace("http://", "ws://")
    return url.startswith((base, ws, "data:", "blob:"))


def _select(page, selector: str, value: str) -> None:
    page.locator(selector).select_option(value)


def _download(page, button: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(button)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _wait_idle(page) -> None:
    page.wait_for_function("() => !document.documentElement.classList.contains('shiny-busy')")


def _fill_patient(page) -> None:
    page.fill("#mass_kg", "80")
    page.fill("#age_yr", "72")
    _select(page, "#sex", "male")
    _select(page, "#balance", "berg")
    page.fill("#berg", "44")
    page.fill("#sbp", "150")
    page.fill("#dbp", "92")
    page.check("#bp_medication")
    _select(page, "#fitness", "inactive")
    page.fill("#hr_rest_bpm", "70")
    page.fill("#vo2max_ml_kg_min", "24")
    page.fill("#hr_max_bpm", "150")
    page.fill("#people", str(PEOPLE))
    page.fill("#scenario_name", "patient-44")


def _rows(page, arm: int):
    return page.locator("#arms .arm").nth(arm).locator(".stage-row")


def _edit_arms(page) -> None:
    """Arm 1 forward at 1.5 mph; arm 2 backward at 2 mph gripping the rail; a stage added."""
    arm2 = page.locator("#arms .arm").nth(1)
    arm2.locator("[id$='_handrail']").first.select_option("grip")
    backward = _rows(page, 1).nth(1)
    backward.locator("[id$='_speed']").fill("2")
    before = _rows(page, 0).count()
    page.locator("#arms .arm").nth(0).locator("button", has_text="+ stage").click()
    page.wait_for_function(f"() => document.querySelectorAll('#arms .arm')[0]"
                           f".querySelectorAll('.stage-row').length === {before + 1}")
    added = _rows(page, 0).nth(before)
    added.locator("[id$='_minutes']").fill("5")
    # the values typed before the rows were redrawn are still there
    assert _rows(page, 1).nth(1).locator("[id$='_speed']").input_value() == "2"


def _table(page) -> dict[tuple[str, str], str]:
    cells = page.locator("#comparison-table td.num")
    out = {}
    for i in range(cells.count()):
        cell = cells.nth(i)
        arm = cell.get_attribute("data-arm")
        for name in ("energy_exercise", "energy_total", "met_mean_exercise", "vo2_peak",
                     "hr_peak", "fall_risk", "falls_per_1000", "sbp_post", "dbp_post",
                     "duration_min"):
            for end in ("", "_low", "_high"):
                value = cell.get_attribute("data-" + (name + end).replace("_", "-"))
                if value is not None:
                    out[(arm, name + end)] = value
    return out


def _expected(ds: xr.Dataset, arm: str, name: str, scenario=None) -> float:
    r = ds.sel(arm=arm)
    if name == "duration_min":
        return float(r.duration) / 60.0
    if name.startswith("falls_per_1000_"):               # the Wilson interval, per 1,000
        return 1000.0 * float(r["fall_probability_" + name.rsplit("_", 1)[1]])
    if name.startswith("fall_risk_"):                    # over the plausible versions
        assert scenario is not None
        risk = next(np.asarray(s.summary["fall_risk"]) for s in
                    retrosim.Simulation(scenario).versions(200) if s.arm.name == arm)
        low, high = np.quantile(risk[1:], [0.05, 0.95])
        return min(low, risk[0]) if name.endswith("_low") else max(high, risk[0])
    return float(r[name].astype(float).mean(skipna=True))


def test_a_patient_two_arms_downloads_and_a_bad_value(page, served, tmp_path):
    _fill_patient(page)
    _edit_arms(page)
    page.click("#run")
    page.wait_for_selector("#comparison-table", timeout=60_000)
    _wait_idle(page)
    assert f"--subjects {PEOPLE}" in page.inner_text("#command")

    # the table's numbers are retrosim.run's on the downloaded file
    toml = _download(page, "#download_run_toml", tmp_path)
    assert toml.name == "patient-44.toml"
    scenario = retrosim.load_scenario(toml)
    assert (scenario.subject.mass_kg, scenario.subject.berg, scenario.subject.sex) == \
        (80.0, 44, "male")
    assert scenario.subject.bp_medication and scenario.subject.resting_bp_mmhg == (150, 92)
    assert (scenario.subject.vo2max_ml_kg_min, scenario.subject.hr_max_bpm) == (24, 150)
    assert scenario.arms["backward"].handrail == "grip"
    assert len(scenario.arms["forward"].protocol.stages) == 4
    back = scenario.arms["backward"].protocol.stages[1]
    assert back.direction == -1 and back.speed_mps == 2.0 * units.MPS_PER_MPH
    ds = retrosim.run(scenario, subjects=PEOPLE)
    shown = _table(page)
    assert {arm for arm, _ in shown} == {"forward", "backward"}
    for (arm, name), text in shown.items():
        assert float(text) == _expected(ds, arm, name, scenario), (arm, name)
    assert len(shown) >= 2 * 7

    # each plot is drawn when its tab is shown, as an image the browser decoded
    for key in PLOTS:
        page.click(f"a[data-value='{key}']")
        image = page.locator(f"#plot_{key} img")
        image.wait_for(timeout=30_000)
        assert image.evaluate("img => img.complete && img.naturalWidth") > 200, key

    # pointing at a trace figure shows the values drawn at that time, the run's own bands
    page.click("a[data-value='hr']")
    image = page.locator("#plot_hr img")
    box = image.bounding_box()
    page.mouse.move(box["x"] + 0.4 * box["width"], box["y"] + 0.5 * box["height"])
    table = page.locator("#values-hr-table")
    table.wait_for(timeout=30_000)
    duration = max(a.protocol.duration_s for a in scenario.arms.values())
    traced = retrosim.run(scenario, subjects=PEOPLE, trace_step_s=outcome.trace_step(duration))
    band = outcome.bands(traced)["hr"]
    t = float(table.get_attribute("data-time"))
    assert 0 < t < duration
    i = int(np.flatnonzero(band.time == t)[0])
    for a, arm in enumerate(traced.arm.values):
        for j, q in enumerate(("p5", "p25", "median", "p75", "p95")):
            cell = table.locator(f"tr[data-arm='{arm}'] td[data-q='{q}']")
            assert float(cell.get_attribute("data-value")) == band.values[a, j, i], (arm, q)

    # the result and the report
    nc = _download(page, "#download_nc", tmp_path)
    with xr.open_dataset(nc) as saved:
        np.testing.assert_array_equal(saved.energy_total.values, ds.energy_total.values)
    report = _download(page, "#download_report", tmp_path).read_text()
    assert "<h1>patient-44</h1>" in report and 'id="falls"' in report

    # the comparison table as CSV: the same numbers at full precision
    with _download(page, "#download_csv", tmp_path).open() as f:
        rows = list(csv.DictReader(f))
    assert {(r["arm"], r["column"]) for r in rows} >= {(a, n) for a, n in shown
                                                       if not n.endswith(("_low", "_high"))}
    for r in rows:
        if (r["arm"], r["column"]) in shown:
            assert float(r["value"]) == float(shown[(r["arm"], r["column"])])

    # a bad value: the CLI's one-line message, next to the field
    bad_row = _rows(page, 1).nth(1)
    bad_row.locator("[id$='_speed']").fill("30")
    page.click("#run")
    error = page.locator(".field-error")
    error.wait_for(timeout=30_000)
    assert error.get_attribute("data-field") == bad_row.get_attribute("id")
    assert bad_row.evaluate("row => row.nextElementSibling.className") == "field-error"
    (tmp_path / "bad").mkdir()
    bad = _download(page, "#download_toml", tmp_path / "bad")
    cli = subprocess.run([sys.executable, "-m", "retrosim", "run", bad.name], cwd=bad.parent,
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert F.page_text(cli.stderr) == f"retrosim: error: {error.inner_text()}\n"
    assert "arms.backward, stage 2: speed 30 mph" in error.inner_text()   # rows from one
    assert "stages[1]" in cli.stderr
    # the good result stays on show beside the error, and says whose it is
    assert page.locator("#comparison-table").is_visible()
    assert _table(page) == shown
    assert "on show: the last good run, patient-44.toml" in page.inner_text("#status-text")

    assert page.outside == []
    assert all(_local(url, served.url) for url in page.requests_seen), page.requests_seen


def test_teaching_view_redraws_from_the_sliders(page, served):
    page.click("a[data-value='teaching']")
    image = page.locator("#lesson_energy img")
    image.wait_for(timeout=30_000)
    first = image.get_attribute("src")
    page.evaluate("() => $('#t_speed').data('ionRangeSlider').update({from: 3.5})")
    page.wait_for_function("(src) => document.querySelector('#lesson_energy img').src !== src",
                           arg=first, timeout=30_000)
    for key in ("energy", "kinetics", "heart", "peh"):
        assert page.locator(f"#lesson_{key} img").evaluate("img => img.naturalWidth") > 200
        assert page.locator(f"#sources_{key} li").count() >= 2
    assert "Ainsworth" in page.inner_text("#sources_energy")
    assert "Tanaka" in page.inner_text("#sources_heart")
    assert page.outside == []
    assert all(_local(url, served.url) for url in page.requests_seen), page.requests_seen


def test_start_from_a_bundled_scenario_or_an_uploaded_file(page, served, tmp_path):
    page.locator("#bundled").select_option("handrail-what-if")
    page.wait_for_function("() => document.querySelectorAll('#arms .arm').length === 5")
    page.wait_for_function("() => document.querySelector('#scenario_name').value === "
                           "'handrail-what-if'")
    assert page.locator("#berg").input_value() == "44"
    assert page.locator("#sex").input_value() == "male"
    page.fill("#people", "20")
    page.click("#run")
    page.wait_for_selector("#comparison-table", timeout=60_000)
    ds = retrosim.run(retrosim.load_scenario("handrail-what-if"), subjects=20)
    cell = page.locator("#comparison-table td[data-arm='grip'][data-column='energy_exercise']")
    assert float(cell.get_attribute("data-energy-exercise")) == \
        float(ds.energy_exercise.sel(arm="grip").mean())

    mine = tmp_path / "two-speeds.toml"
    mine.write_text('name = "two-speeds"\nseed = 3\n[subject]\nmass_kg = 61.0\nage_yr = 55\n'
                    'sex = "female"\nbalance = "moderate"\n[arms.slow]\n'
                    'stages = ["walk backward at 3 km/h for 5 min"]\n[arms.fast]\n'
                    'stages = ["walk backward at 4 km/h for 5 min"]\n')
    page.locator("#upload").set_input_files(str(mine))
    page.wait_for_function("() => document.querySelectorAll('#arms .arm').length === 2")
    assert page.locator("#balance").input_value() == "moderate"
    speed = _rows(page, 1).nth(0)
    assert speed.locator("[id$='_unit']").input_value() == "km/h"
    assert float(speed.locator("[id$='_speed']").input_value()) == 4.0

    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    page.locator("#upload").set_input_files(str(broken))
    error = page.locator(".field-error")
    error.wait_for(timeout=30_000)
    assert error.inner_text().startswith("broken.toml: is not valid TOML: ")
    assert page.outside == []


def test_a_recording_fits_the_person_and_the_what_if_goes_on_with_her(page, served, tmp_path,
                                                                     write_recording):
    recording = tmp_path / "session.csv"
    who = write_recording(recording)
    page.fill("#mass_kg", str(who.subject.mass_kg))
    page.fill("#age_yr", str(who.subject.age_yr))
    _select(page, "#sex", who.subject.sex)
    page.fill("#hr_rest_bpm", "74")
    page.locator("#recording").set_input_files(str(recording))
    page.wait_for_selector("#fit-table", timeout=60_000)
    assert page.locator("#hr_rest_bpm").input_value() == ""     # the fit, not the 74 typed
    image = page.locator("#fit_figure img")
    image.wait_for(timeout=30_000)
    assert image.evaluate("img => img.complete && img.naturalWidth") > 200
    assert "fitted the person to session.csv" in page.inner_text("#status-text")

    toml = _download(page, "#download_toml", tmp_path)
    subject = retrosim.load_scenario(toml).subject
    sds = dict(subject.trait_sd)
    assert "hr_rest_bpm" in sds and abs(subject.hr_rest_bpm - who.truth["hr_rest_bpm"]) < 3
    assert sorted(retrosim.load_scenario(toml).arms) == ["backward", "forward"]

    broken = tmp_path / "watch.fit"
    broken.write_bytes(b"not a FIT file at all")
    page.locator("#recording").set_input_files(str(broken))
    error = page.locator(".field-error")
    error.wait_for(timeout=30_000)
    assert error.get_attribute("data-field") == "recording"
    assert error.inner_text().startswith("watch.fit: ")
    assert page.outside == []
