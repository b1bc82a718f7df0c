"""The report's caveats come from the models a run used: each selectable model's registry
entry carries its own, so a scenario that changes the model changes what the report says."""

import json
from html import unescape

import pytest

import retrosim
from retrosim.model.scenario import Scenario
from retrosim.physiology import energy, heart
from retrosim.report import html as report_html
from retrosim.report.data import ReportData

SUBJECT = {"mass_kg": 70, "age_yr": 60, "sex": "female", "berg": 48}
STAGES = ["walk backward at 1.5 mph for 5 min"]


def _page(energy_table, falls=None):
    data = {"name": "caveats", "seed": 3, "subject": SUBJECT, "energy": energy_table,
            "arms": {"backward": {"stages": STAGES}}}
    if falls:
        data["falls"] = falls
    ds = retrosim.run(Scenario.from_dict(data), traces=False)
    return report_html.render(ReportData(ds, {}, "caveats.toml"))


def _text(page, anchor):
    body = page.split(f'<section id="{anchor}">', 1)[1].split("</section>", 1)[0]
    return " ".join(unescape(body).split())


@pytest.fixture(scope="module")
def pages():
    return {name: _page({"heart_rate": name}) for name in heart.HR_MODELS}


def test_each_heart_rate_model_brings_its_own_caveat(pages):
    """The lower-bound warning belongs to the model that has no backward term (Swain 1998);
    the default model adds Kim & Choi's backward excess, so its caveat says how that was
    sized, and neither page carries the other's."""
    old, new = pages["swain-1998-hrr"], pages["swain-1994-backward"]
    for page, own, other in ((old, "swain-1998-hrr", "swain-1994-backward"),
                             (new, "swain-1994-backward", "swain-1998-hrr")):
        said = _text(page, "assumptions")
        assert heart.HR_MODELS[own].caveat in said
        assert heart.HR_MODELS[other].caveat not in said
        assert f"<td>Heart rate</td><td>{own}</td>" in _text(page, "models")
    assert "as lower bounds" in _text(old, "assumptions")
    assert "as lower bounds" not in _text(new, "assumptions")
    assert "11 points of HRmax at 52 % of the VO2 reserve" in _text(new, "assumptions")


def test_each_energy_and_hrmax_model_brings_its_own_caveat():
    acsm = _page({"model": "acsm", "hr_max": "fox-1971"})
    models = _text(acsm, "models")
    assert energy.ENERGY_MODELS["acsm"].caveat in models
    assert "no term for direction" in models
    assert energy.ENERGY_MODELS["continuous"].caveat not in models
    assert heart.HR_MAX_MODELS["fox-1971"].caveat in models
    assert "220 - age" in models
    continuous = _text(_page({}), "models")
    assert energy.ENERGY_MODELS["continuous"].caveat in continuous
    assert "1.5-5 mph and 0-10.5 % grade" in continuous
    assert heart.HR_MAX_MODELS["by-sex-sydo-2014"].caveat in continuous


def test_the_fall_assumptions_state_the_values_the_run_used(pages):
    default = _text(pages["swain-1994-backward"], "assumptions")
    assert "backward_rate_ratio 2, backward_fall_odds_ratio 2" in default
    assert "light touch (40 %) or a grip (80 %)" in default
    changed = _text(_page({}, {"backward_rate_ratio": 3.5, "light_arrest_pct": 25}),
                    "assumptions")
    assert "backward_rate_ratio 3.5, backward_fall_odds_ratio 2" in changed
    assert "light touch (25 %) or a grip (80 %)" in changed


def test_a_result_that_does_not_name_its_model_says_so():
    ds = retrosim.run(Scenario.from_dict({"name": "old", "seed": 1, "subject": SUBJECT,
                                          "arms": {"b": {"stages": STAGES}}}), traces=False)
    del ds.attrs["heart_rate_model"], ds.attrs["fall_assumptions"]
    said = _text(report_html.render(ReportData(ds, {}, "old.nc")), "assumptions")
    assert "does not record which model it used" in said
    assert "the defaults: this result does not record its own" in said
    assert json.loads(retrosim.run(Scenario.from_dict(
        {"name": "new", "seed": 1, "subject": SUBJECT, "arms": {"b": {"stages": STAGES}}}),
        traces=False).attrs["fall_assumptions"])["grip_arrest"] == 0.8


def _models_of(falls_model, bp_model, walking_cost_model):
    data = {"name": "caveats", "seed": 3, "subject": {**SUBJECT, "resting_bp_mmhg": [150, 92]},
            "energy": {"walking_cost": walking_cost_model}, "falls": {"model": falls_model},
            "bp": {"model": bp_model}, "arms": {"backward": {"stages": STAGES}}}
    ds = retrosim.run(Scenario.from_dict(data), traces=False)
    return _text(report_html.render(ReportData(ds, {}, "caveats.toml")), "models")


def test_each_fall_pressure_and_walking_cost_model_brings_its_own_caveat():
    """The falls, exercise-pressure and walking-cost rows name the model in use and say what
    its own entry says; swapping every one swaps every text."""
    from retrosim.physiology import exercise_pressure, walking_cost
    from retrosim.physiology.balance import FALL_CAVEATS

    old = _models_of("perturbations", "per-met", "none")
    new = _models_of("perturbations-covariates", "daida-1996", "das-gupta-2019")
    for page, falls, bp, cost, others in (
            (old, "perturbations", "per-met", "none",
             ("perturbations-covariates", "daida-1996", "das-gupta-2019")),
            (new, "perturbations-covariates", "daida-1996", "das-gupta-2019",
             ("perturbations", "per-met", "none"))):
        assert FALL_CAVEATS[falls] in page
        assert exercise_pressure.PRESSOR_MODELS[bp].caveat in page
        assert walking_cost.WALKING_COST_MODELS[cost].caveat in page
        assert f"<td>Blood pressure</td><td>{bp}</td>" in page
        assert FALL_CAVEATS[others[0]] not in page
        assert exercise_pressure.PRESSOR_MODELS[others[1]].caveat not in page
        assert walking_cost.WALKING_COST_MODELS[others[2]].caveat not in page


@pytest.mark.parametrize("registry,key", [("hr", "hr_kinetics"), ("vo2", "vo2_kinetics")])
def test_each_kinetics_model_brings_its_own_caveat(registry, key):
    """The heart-rate and VO2 kinetics rows name the model in use and carry its own caveat,
    not the other model's."""
    from retrosim.physiology import hr_kinetics, vo2_kinetics
    models = {"hr": hr_kinetics.HR_KINETICS_MODELS, "vo2": vo2_kinetics.VO2_KINETICS_MODELS}
    entries = models[registry]
    for name in entries:
        page = _text(_page({key: name}), "models")
        assert entries[name].caveat in page
        assert all(entries[other].caveat not in page for other in entries if other != name)
