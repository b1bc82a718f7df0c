"""A programme's report has the sections a session's report has about who was simulated,
the warnings, the models and the assumptions, built by the same code."""

from html import unescape

import pytest

import retrosim
from retrosim.model.scenario import Scenario
from retrosim.physiology import courses, heart
from retrosim.report import document as report
from retrosim.report import html as report_html
from retrosim.report import programme
from retrosim.report.data import ReportData

SUBJECT = {"mass_kg": 70, "age_yr": 72, "sex": "female", "berg": 12,
           "resting_bp_mmhg": [150, 90]}


def _text(page, anchor):
    body = page.split(f'<section id="{anchor}">', 1)[1].split("</section>", 1)[0]
    return " ".join(unescape(body).split())


def _scenario(falls=None, **program):
    return Scenario.from_dict({
        "name": "unsteady", "seed": 3, "subject": SUBJECT, "falls": falls or {},
        "arms": {"backward": {"stages": ["walk backward at 1.5 mph for 20 min"]}},
        "program": {"weeks": 2, "sessions_per_week": 3, **program}})


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("programme") / "knee.html"
    return report.write_report("knee-rehab-six-weeks", out).read_text()


def test_a_bundled_programme_report_has_the_session_reports_sections(bundled):
    sections = [s.split('"', 1)[0] for s in bundled.split('<section id="')[1:]]
    for anchor in ("who", "warnings", "models", "assumptions"):
        assert anchor in sections, anchor
    who = _text(bundled, "who")
    assert "<td>age</td><td>68</td>" in who and "<td>resting blood pressure</td>" in who
    models = _text(bundled, "models")
    assert heart.HR_MODELS["swain-1994-backward"].caveat in models
    assert courses.TRAINING_MODELS[courses.DEFAULT_TRAINING_MODEL].caveat in models
    assert "Fall base rates and the backward factors" in _text(bundled, "assumptions")


def test_the_shared_sections_are_the_session_reports_own():
    """The same builders (html.SECTIONS), not a copy: the programme page holds exactly what
    they build from its result."""
    ds = retrosim.run(_scenario())
    page = programme.render(ds, "unsteady.toml", ["RetrosimWarning: a note"])
    data = ReportData(ds, {}, "unsteady.toml", ["RetrosimWarning: a note"])
    for s, body in report_html.shared_sections(data, programme.SHARED):
        assert report_html.section(s.anchor, s.title, body) in page
    assert "RetrosimWarning: a note" in _text(page, "warnings")


def test_a_programme_with_falls_warns_of_them_and_its_model_changes_its_caveat():
    ds = retrosim.run(_scenario({"model": "perturbations"}, model="hickson-1981"))
    fell = int(ds.fell.any(dim="session").sum())
    assert fell == 1            # Berg 12 backward for 20 min, "perturbations" fall model:
    #                             this seed's person falls
    page = programme.render(ds, "unsteady.toml")
    assert "backward: 1 of 1 subject fell" in _text(page, "warnings")
    models = _text(page, "models")
    assert courses.TRAINING_MODELS["hickson-1981"].caveat in models
    assert courses.TRAINING_MODELS["dose-response"].caveat not in models


def test_one_persons_programme_report_gives_the_fall_risk_with_its_interval(bundled):
    ds = retrosim.run(retrosim.load_scenario("knee-rehab-six-weeks"))
    a = ds.sel(arm="backward")
    mid, lo, hi = (100 * float(a[n]) for n in ("programme_fall_risk", "programme_fall_risk_low",
                                               "programme_fall_risk_high"))
    said = _text(bundled, "programme")
    assert f"fall risk over the programme {mid:.2f} % [{lo:.2f}-{hi:.2f} %]" in said
    assert "90 % prediction interval" in said and "200 plausible versions" in said
