"""The page's form: every bundled scenario survives the form bit for bit, and a bad value gets
the message ``retrosim run`` prints for the downloaded file, placed at its field."""

from __future__ import annotations

import tomllib

import pytest

import retrosim
from retrosim.app import form as F
from retrosim.cli.main import main
from retrosim.model import tomlwriter
from retrosim.model.scenario import bundled


def _summaries(ds):
    return {v: ds[v] for v in ds.data_vars if not v.startswith("event")}


@pytest.mark.parametrize("name", sorted(bundled()))
def test_a_bundled_scenario_through_the_form_runs_bit_identically(name):
    data = tomllib.loads(bundled()[name].read_text(encoding="utf-8"))
    rebuilt = F.scenario_dict(F.form_from_dict(data, source=f"{name}.toml"))
    expected = retrosim.run(retrosim.load_scenario(name), traces=False)
    got = retrosim.run(retrosim.Scenario.from_dict(rebuilt), traces=False)
    assert list(got.arm.values) == list(expected.arm.values)
    for var, da in _summaries(expected).items():
        assert got[var].equals(da), var


def test_the_default_form_is_a_patient_with_two_arms():
    data = F.scenario_dict(F.default_form())
    sc = retrosim.Scenario.from_dict(data)
    assert list(sc.arms) == ["forward", "backward"]
    assert sc.subject.berg == 44 and sc.subject.resting_bp_mmhg == (138, 84)
    assert sc.arms["backward"].protocol.stages[1].direction == -1


def test_km_per_hour_and_grade_and_stage_handrail_come_back_as_typed():
    data = {"name": "k", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk backward at 3 km/h, 4% grade for 90 s",
                                      {"direction": "forward", "speed_mph": 2.0,
                                       "duration_min": 2, "handrail": "grip"}]}}}
    rows = F.form_from_dict(data).arms[0].stages
    assert (rows[0].unit, rows[0].speed, rows[0].grade_pct, rows[0].minutes) == \
        ("km/h", 3.0, 4.0, 1.5)
    assert (rows[1].unit, rows[1].speed, rows[1].handrail) == ("mph", 2.0, "grip")


def _bad(form: F.Form) -> tuple[str, str]:
    """The page's message and field for a form, or ('', '')."""
    try:
        retrosim.Scenario.from_dict(F.scenario_dict(form), source=form.file_name)
    except retrosim.InputError as err:
        return str(err), F.field_of(err, form)
    return "", ""


@pytest.mark.parametrize("change, field", [
    (lambda f: f.arms[1].stages[1].__setattr__("speed", 30.0), "row"),
    (lambda f: f.arms[0].stages[0].__setattr__("minutes", None), "row"),
    (lambda f: f.person.__setitem__("mass_kg", 400), "mass_kg"),
    (lambda f: f.person.__setitem__("mass_kg", None), "mass_kg"),
    (lambda f: f.person.__setitem__("berg", 60), "berg"),
    (lambda f: f.person.__setitem__("dbp", 150), "sbp"),
    (lambda f: f.arms[1].__setattr__("name", "no spaces please"), "arm"),
])
def test_a_bad_value_gets_the_cli_message_at_its_field(change, field, tmp_path, monkeypatch,
                                                       capsys):
    form = F.default_form()
    change(form)
    message, where = _bad(form)
    assert message and where.startswith(field)
    monkeypatch.chdir(tmp_path)
    (tmp_path / form.file_name).write_text(tomlwriter.dumps(F.scenario_dict(form)))
    assert main(["run", form.file_name]) == 2
    assert capsys.readouterr().err == f"retrosim: error: {message}\n"


def test_the_field_of_a_stage_is_its_row():
    form = F.default_form()
    form.arms[0].stages[2].action = "walk"
    form.arms[0].stages[2].speed = None
    message, where = _bad(form)
    assert where == f"row-{form.arms[0].stages[2].uid}"
    assert "arms.forward.stages[2]" in message


def test_two_arms_of_one_name_and_half_a_blood_pressure_are_refused():
    form = F.default_form()
    form.arms[1].name = "forward"
    with pytest.raises(retrosim.InputError, match="arms.forward: is the name of two arms"):
        F.scenario_dict(form)
    form = F.default_form()
    form.person["dbp"] = None
    with pytest.raises(retrosim.InputError, match="needs both systolic and diastolic"):
        F.scenario_dict(form)


def test_a_cohort_scenario_keeps_its_cohort_and_ignores_the_person():
    data = tomllib.loads(bundled()["knee-rehab-six-protocols"].read_text())
    form = F.form_from_dict(data)
    assert form.has_cohort
    assert F.scenario_dict(form)["cohort"] == data["cohort"]
    assert "subject" not in F.scenario_dict(form)


def test_a_fitted_person_goes_through_the_form_with_its_uncertainty():
    """A person written by ``retrosim fit`` opens on the page: the fitted traits stay
    ``{mean, sd, from}`` unless a value is typed over them."""
    data = {"name": "fitted", "subject": {
        "mass_kg": 66.7, "age_yr": 48, "sex": "male",
        "hr_rest_bpm": {"mean": 75.5, "sd": 0.41, "from": "fit"},
        "vo2max_ml_kg_min": {"mean": 28.4, "sd": 1.25, "from": "fit"}},
        "arms": {"a": {"stages": ["walk forward at 3 mph for 5 min"]}}}
    form = F.form_from_dict(data)
    back = F.scenario_dict(form)
    assert back["subject"]["vo2max_ml_kg_min"] == data["subject"]["vo2max_ml_kg_min"]
    assert back["subject"]["hr_rest_bpm"] == data["subject"]["hr_rest_bpm"]
    form.person["hr_rest_bpm"] = 70
    assert F.scenario_dict(form)["subject"]["hr_rest_bpm"] == 70
    retrosim.Scenario.from_dict(back)


@pytest.mark.parametrize("name", ["knee-rehab-six-weeks", "hr-controller", "compendium-2011"])
def test_the_download_of_a_bundled_scenario_keeps_its_comment_lines(name):
    from dataclasses import replace

    text = bundled()[name].read_text(encoding="utf-8")
    form = replace(F.form_from_dict(tomllib.loads(text), source=name), text=text)
    out = tomlwriter.dumps(F.scenario_dict(form), form.text)
    assert tomllib.loads(out) == F.scenario_dict(form)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in out.splitlines() for line in comments)
