"""The ``[bp] model`` choice through a run: "daida-1996" keeps a fit young man's peak in line
with normative treadmill data, does not let peaks fall with age, and names its sources."""

import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.model.scenario import Scenario

#: A graded walk to near-maximal demand (grades within the treadmill's 15 %).
STAGES = ["walk forward at 3 mph for 3 min", "walk forward at 3.5 mph, 10% grade for 3 min",
          "walk forward at 4 mph, 14% grade for 3 min",
          "walk forward at 4.5 mph, 15% grade for 4 min"]


def peak(model, age, vo2max):
    sc = Scenario.from_dict({
        "name": "bp", "seed": 1, "bp": {"model": model},
        "subject": {"mass_kg": 75, "age_yr": age, "sex": "male",
                    "vo2max_ml_kg_min": vo2max, "resting_bp_mmhg": [120, 80]},
        "arms": {"a": {"stages": STAGES}}})
    ds = retrosim.run(sc)
    return float(ds.sbp.max()), float(ds.dbp.max()), ds.attrs["references"]


def test_a_fit_young_man_peaks_near_daida_1996_not_far_above():
    sbp, _, refs = peak("daida-1996", 25, 55.0)
    old, _, _ = peak("per-met", 25, 55.0)
    assert sbp < old
    assert sbp <= 120 + 56.0 + 0.5                 # rest + the rise at VO2max for his age
    assert "Daida H et al. (1996)" in refs and "Assumption (bp)" in refs


def test_peaks_do_not_fall_with_age():
    young, young_dbp, _ = peak("daida-1996", 25, 50.0)
    old, old_dbp, _ = peak("daida-1996", 70, 28.0)
    assert old >= young and old_dbp >= young_dbp


def test_an_unknown_model_is_one_line():
    with pytest.raises(InputError) as err:
        Scenario.from_dict({"name": "x", "bp": {"model": "magic"},
                            "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
                            "arms": {"a": {"stages": STAGES[:1]}}}, source="x.toml")
    text = str(err.value)
    assert "x.toml" in text and "bp.model" in text and "daida-1996" in text and "\n" not in text
