"""The intensity flag of the guidance model: a session whose heart rate reaches the part of the
heart-rate reserve the person's guidance does not allow is flagged in the result, the run table
and the report (ACSM's bands, Garber et al. 2011; moderate intensity with hypertension,
Pescatello et al. 2004; or the scenario's own limit)."""

from __future__ import annotations

import numpy as np
import pytest

import retrosim
from retrosim.events.guidance import allowed_hr_reserve
from retrosim.model.scenario import Scenario
from retrosim.results import tables

#: The knee-replacement patient: a 68-year-old woman, Berg 44, 148/92 mmHg.
PATIENT = {"mass_kg": 72.0, "age_yr": 68, "sex": "female", "berg": 44,
           "resting_bp_mmhg": [148, 92], "hr_rest_bpm": 76}
NORMOTENSIVE = {**PATIENT, "resting_bp_mmhg": [118, 76]}
STAGES = {
    "easy": ["walk forward at 1.5 mph for 10 min"],
    # 75 % of her heart-rate reserve under the default walking-cost person term (x 1.15 on the
    # net cost at 68): between the moderate band's top (60 %) and the near-maximal band (90 %);
    # 3 % grade, which sat there at the energy model's cost, now reaches 94 %
    "brisk": ["walk forward at 3.0 mph, 1% grade for 10 min"],
    "hard": ["walk backward at 3.0 mph, 8% grade for 10 min"],
}


def run(subject, guidance=None, subjects=1):
    data = {"name": "intensity", "seed": 3, "subject": subject,
            "arms": {name: {"stages": stages, "handrail": "light"}
                     for name, stages in STAGES.items()}}
    if guidance is not None:
        data["guidance"] = guidance
    return retrosim.run(Scenario.from_dict(data), subjects=subjects, traces=False)


def intensity_flags(ds):
    return {line.split(": ")[0] for line in ds.attrs["guidance"].splitlines()
            if "intensity above guidance" in line}


def peak_hrr(ds):
    return ((ds.hr_peak - ds.hr_rest) / (ds.hr_max - ds.hr_rest)).max("subject").to_series()


@pytest.mark.parametrize("subject, limit", [(PATIENT, 0.60), (NORMOTENSIVE, 0.90)])
def test_an_arm_is_flagged_exactly_when_its_peak_reaches_the_limit(subject, limit):
    ds = run(subject)
    peak = peak_hrr(ds)
    assert intensity_flags(ds) == {arm for arm, p in peak.items() if p >= limit}
    assert peak["easy"] < 0.60 <= peak["hard"]       # the arms span the bands


def test_the_hypertensive_patient_is_held_to_moderate_intensity():
    """The same protocols: the flags of 148/92 include every flag of 118/76, and more."""
    hypertensive, normotensive = intensity_flags(run(PATIENT)), intensity_flags(run(NORMOTENSIVE))
    assert normotensive < hypertensive
    assert "easy" not in hypertensive


def test_the_scenarios_limit_applies_to_everyone():
    ds = run(NORMOTENSIVE, {"max_hr_reserve_pct": 30})
    peak = peak_hrr(ds)
    assert intensity_flags(ds) == {arm for arm, p in peak.items() if p >= 0.30}
    assert "the scenario's limit is 30 % HRR" in ds.attrs["guidance"]


def test_the_flag_is_in_the_run_table_and_names_its_source():
    ds = run(PATIENT)
    table = tables.summary_table(ds)
    line = next(x for x in table.splitlines() if "intensity above guidance" in x)
    assert "Pescatello 2004" in line and "1 of 1 walkers" in line
    assert any("Garber" in ref for ref in ds.attrs["references"].splitlines())


def test_a_cohort_counts_its_flagged_walkers():
    ds = run(PATIENT, subjects=40)
    peak = (ds.hr_peak - ds.hr_rest) / (ds.hr_max - ds.hr_rest)
    for line in ds.attrs["guidance"].splitlines():
        if "intensity above guidance" in line:
            arm = line.split(": ")[0]
            n = int((peak.sel(arm=arm).values >= 0.60).sum())
            assert line.endswith(f"{n} of 40 walkers")


def test_allowed_hr_reserve_bands():
    limit, hypertensive = allowed_hr_reserve(np.array([139.0, 140.0, 120.0, 120.0]),
                                             np.array([89.0, 80.0, 90.0, 70.0]))
    assert limit.tolist() == [0.9, 0.6, 0.6, 0.9]
    assert hypertensive.tolist() == [False, True, True, False]


@pytest.mark.parametrize("table, allowed", [
    ({"max_hr_reserve_pct": 150}, "10-100 % of HRR"),
    ({"max_hr_reserve_pct": "high"}, "10-100 % of HRR"),
    ({"max_hrr": 60}, "max_hr_reserve_pct"),
])
def test_bad_guidance_input_gets_one_line(table, allowed):
    data = {"name": "t", "subject": PATIENT, "guidance": table,
            "arms": {"a": {"stages": ["walk forward at 2 mph for 1 min"]}}}
    with pytest.raises(retrosim.InputError) as err:
        Scenario.from_dict(data, source="s.toml")
    message = str(err.value)
    assert message.startswith("s.toml: guidance.") and allowed in message
    assert "\n" not in message
