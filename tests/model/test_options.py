"""The [energy] options choose registry entries by name: the HRmax model, say."""

import pytest

import retrosim
from retrosim import InputError
from retrosim.model.scenario import Scenario

DOC = {"name": "hrmax", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "female"},
       "arms": {"a": {"stages": ["walk forward at 3 mph for 5 min"]}}}


@pytest.mark.parametrize(("model", "expected"), [(None, 210.0 - 0.79 * 40),
                                                 ("by-sex-sydo-2014", 210.0 - 0.79 * 40),
                                                 ("by-sex", 206.0 - 0.88 * 40),
                                                 ("tanaka-2001", 180.0),
                                                 ("fox-1971", 220.0 - 40)])
def test_hr_max_is_the_named_model_s(model, expected):
    doc = {**DOC, "energy": {"hr_max": model}} if model else DOC
    ds = retrosim.run(Scenario.from_dict(doc), traces=False)
    assert float(ds.hr_max.values[0, 0]) == pytest.approx(expected, rel=1e-12)
    cited = ds.attrs["references"]
    assert ("Fox SM" in cited) == (model == "fox-1971")
    assert ("Gulati" in cited) == (model == "by-sex")
    assert ("Sydo" in cited) == (model in (None, "by-sex-sydo-2014"))


def test_an_unknown_hr_max_model_is_one_line_naming_the_choices():
    allowed = (r"energy\.hr_max: .astrand. is not known; allowed: by-sex-sydo-2014 \| by-sex "
               r"\| tanaka-2001 \| fox-1971")
    with pytest.raises(InputError, match=allowed):
        Scenario.from_dict({**DOC, "energy": {"hr_max": "astrand"}})


@pytest.mark.parametrize("model", [None, "by-sex"])
def test_the_by_sex_models_use_tanaka_for_men(model):
    # Tanaka et al. 2001: 208 - 0.7 age, in the default (Sydo et al. 2014 for women) and in
    # by-sex (Gulati et al. 2010 for women)
    doc = {**DOC, "subject": {**DOC["subject"], "sex": "male"}}
    doc = {**doc, "energy": {"hr_max": model}} if model else doc
    ds = retrosim.run(Scenario.from_dict(doc), traces=False)
    assert float(ds.hr_max.values[0, 0]) == pytest.approx(208.0 - 0.7 * 40, rel=1e-12)
