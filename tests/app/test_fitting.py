"""The page's recording upload: a recorded session fitted as ``retrosim fit`` fits it, the
fitted traits in the form's person as ``{mean, sd, from = "fit"}``; a bad file in one line."""

from __future__ import annotations

import pytest

pytest.importorskip("shiny", reason="the app extra is not installed")

import retrosim  # noqa: E402
from retrosim.app import fitting  # noqa: E402
from retrosim.app import form as F  # noqa: E402
from retrosim.errors import InputError  # noqa: E402


def test_a_recording_gives_the_form_a_fitted_person(tmp_path, write_recording):
    path = tmp_path / "0.csv"                          # as Shiny stores an upload
    who = write_recording(path)
    form = F.default_form()
    form.person.update(mass_kg=who.subject.mass_kg, age_yr=who.subject.age_yr,
                       sex=who.subject.sex)
    done = fitting.fit_upload(path, "my session.csv", form.person)
    assert done.notes[0].startswith("fitted by retrosim fit from my-session.csv")
    new = fitting.fitted_form(form, done.fit)
    subject = F.scenario_dict(new)["subject"]
    assert "hr_rest_bpm" in done.fit.informed and form.person["hr_rest_bpm"] == 74
    for key in done.fit.informed:
        trait = done.fit.traits[key]
        assert subject[key]["from"] == "fit"
        assert subject[key]["mean"] == pytest.approx(trait.mean, abs=0.5)
        assert trait.low <= who.truth[key] <= trait.high
    assert [a.name for a in new.arms] == [a.name for a in form.arms]   # the what-if goes on
    assert subject["mass_kg"] == who.subject.mass_kg
    retrosim.Scenario.from_dict(F.scenario_dict(new))
    rows = dict((r[0], r[4]) for r in fitting.summary(done.fit))
    assert rows["hr_rest_bpm"] == "fitted"


def test_a_second_recording_replaces_the_first_fit(tmp_path, write_recording):
    form = F.default_form()
    form.base["subject"] = {"hr_max_bpm": {"mean": 170.0, "sd": 2.0, "from": "fit"}}
    path = tmp_path / "0.csv"
    who = write_recording(path)
    form.person.update(mass_kg=who.subject.mass_kg, age_yr=who.subject.age_yr,
                       sex=who.subject.sex)
    new = fitting.fitted_form(form, fitting.fit_upload(path, "s.csv", form.person).fit)
    assert "hr_max_bpm" not in new.base["subject"]          # not informed by this record


@pytest.mark.parametrize(("name", "content", "start"), [
    ("broken.csv", "time,speed,hr\n0,1,80\n", "broken.csv: "),
    ("broken.fit", "\x0e\x10garbage, not a FIT file", "broken.fit: "),
    ("route.gpx", "<gpx/>", "route.gpx: .gpx is not a recording format; allowed: .csv"),
])
def test_a_bad_recording_is_one_line_naming_the_visitors_file(tmp_path, name, content, start):
    path = tmp_path / ("0" + name[name.rindex("."):])
    path.write_text(content)
    with pytest.raises(InputError) as info:
        fitting.fit_upload(path, name, F.default_form().person)
    message = str(info.value)
    assert message.startswith(start) and "\n" not in message, message
    assert str(tmp_path) not in message
