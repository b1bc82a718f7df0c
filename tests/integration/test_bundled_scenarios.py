"""Every bundled scenario runs, says what its header says, and matches its golden summary.

The golden file holds each arm's energy, VO2 peak and HR peak from a run whose numbers were
checked by hand (compendium-2011 against the Compendium; the others against the models'
equations worked on paper). A change in any model moves them: if it is intended, regenerate
with ``RETROSIM_REGENERATE_GOLDEN=1 pytest tests/test_bundled_scenarios.py`` and check the diff.
"""

import dataclasses
import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

import retrosim
from retrosim.model.scenario import Scenario, bundled
from retrosim.physiology.energy_continuous import continuous_met
from retrosim.units import mph_to_mps

GOLDEN = Path(__file__).parent / "golden" / "bundled_summaries.json"
SUMMARIES = ("energy_total", "vo2_peak", "hr_peak")
PROGRAMME_STATE = ("vo2max", "hr_rest", "sbp_rest", "dbp_rest", "berg", "backward_practice")


def summaries(name):
    ds = retrosim.run(retrosim.load_scenario(name), traces=False)
    if "day" in ds.dims:       # a programme: the last morning's state, the first and last session
        return programme_summaries(ds)
    return {str(arm): {v: float(ds[v].sel(arm=arm, subject=0)) for v in SUMMARIES}
            for arm in ds.arm.values}


def programme_summaries(ds):
    out = {}
    for arm in ds.arm.values:
        a = ds.sel(arm=arm, subject=0)
        held = np.flatnonzero(a.attended.values)
        out[str(arm)] = {
            **{f"{v}_end": float(a[v].isel(day=-1)) for v in PROGRAMME_STATE},
            **{f"{v}_{k}": float(a[v].isel(session=int(held[i]))) for v in SUMMARIES
               for k, i in (("first", 0), ("last", -1))}}
    return out


def test_golden_summaries_of_every_bundled_scenario():
    current = {name: summaries(name) for name in sorted(bundled())}
    if os.environ.get("RETROSIM_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert sorted(golden) == sorted(current), "a bundled scenario was added or removed"
    for name, arms in golden.items():
        for arm, values in arms.items():
            for var, value in values.items():
                assert current[name][arm][var] == pytest.approx(value, rel=1e-9), \
                    f"{name}/{arm}/{var}"


def test_forward_vs_backward_says_what_its_header_says():
    # the header's same heart rate is the steady state's: without drift (with it, the two
    # arms' intensities drift at different rates)
    sc = retrosim.load_scenario("forward-vs-backward")
    sc = dataclasses.replace(sc, energy=dataclasses.replace(sc.energy, hr_drift="none"))
    ds = retrosim.run(sc, traces=False)
    kcal = ds.energy_total.sel(subject=0)
    hr = ds.hr_peak.sel(subject=0)
    v = mph_to_mps(3.5)
    ratio = (continuous_met(v, 0, -1) - 1) / (continuous_met(v, 0, 1) - 1)
    # same speed: the walking part costs r times more above rest (same duration, same ramps
    # up to the ramp's own share), so the net energy ratio is close to the model's
    rest_kcal = 1.0 * 3.5 * 70.0 / 200 * 15
    net = (kcal.sel(arm="backward-same-speed") - rest_kcal) / (kcal.sel(arm="forward") - rest_kcal)
    assert float(net) == pytest.approx(float(ratio), rel=0.01)
    assert abs(float(hr.sel(arm="backward-same-hr") - hr.sel(arm="forward"))) < 1.0
    assert float(hr.sel(arm="backward-same-speed")) > float(hr.sel(arm="forward")) + 10


def test_knee_rehab_grip_saves_energy_and_progression_costs_more():
    ds = retrosim.run(retrosim.load_scenario("knee-rehab-first-session"), traces=False)
    kcal = ds.energy_total.sel(subject=0)
    assert kcal.sel(arm="grip") < kcal.sel(arm="light-touch") < kcal.sel(arm="progression")
    hr_max = 208 - 0.7 * 68
    assert np.all(ds.hr_peak < hr_max)


def test_conditioning_sessions_last_15_and_30_minutes():
    ds = retrosim.run(retrosim.load_scenario("backward-conditioning"), traces=False)
    assert ds.duration.values.tolist() == [900.0, 1800.0]
    assert float(ds.energy_total.sel(arm="thirty-min", subject=0)) > \
        2 * float(ds.energy_total.sel(arm="fifteen-min", subject=0))


def test_every_bundled_scenario_documents_itself():
    for name, path in bundled().items():
        text = path.read_text()
        assert text.startswith("#"), f"{name} has no header comment"
        assert f"retrosim run {name}" in text or f"retrosim compare {name}" in text
        assert retrosim.load_scenario(name).description


def test_training_intensity_the_harder_arm_gains_more_under_dose_response():
    sc = retrosim.load_scenario("training-intensity")
    text = (Path(retrosim.__file__).parent / "scenarios" / "training-intensity.toml").read_text()
    old = Scenario.from_dict({**tomllib.loads(text),
                              "program": {"weeks": 12, "sessions_per_week": 3,
                                          "model": "hickson-1981"}})

    def gains(scenario):
        ds = retrosim.run(scenario, subjects=50, traces=False)
        g = (ds.vo2max.isel(day=-1) - ds.vo2max.isel(day=0)).mean("subject")
        return float(g.sel(arm="20-min-at-50pct")), float(g.sel(arm="40-min-at-70pct"))

    easy, hard = gains(sc)
    old_easy, old_hard = gains(old)
    assert hard > easy > 0.0 and old_hard >= old_easy > 0.0
    assert hard / easy > old_hard / old_easy          # intensity matters more than before
