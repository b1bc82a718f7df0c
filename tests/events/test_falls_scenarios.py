"""Falls from the scenario: guidance, arm-level subject keys, one-line errors for bad balance,
falls and tether input, and the bundled scenarios say what their headers say."""

import dataclasses

import numpy as np
import pytest

import retrosim
from retrosim.events import fall_hazard as hazards
from retrosim.model.options import fall_parameters
from retrosim.model.scenario import Scenario
from retrosim.results import tables
from tests.events.test_falls import (
    LEVELS,
    PERTURBATIONS,
    SUBJECT,
    commanded,
    fall_hazard,
    scenario,
)

# ------------------------------------------------------------------------------------------
# guidance, arm-level subject keys, bad input


@pytest.mark.parametrize("stages, subject, handrail, expected", [
    (["walk backward at 2 mph for 5 min"], {"balance": "severe"}, None, ["not recommended"]),
    (["walk forward at 2 mph for 5 min"], {"balance": "severe"}, None, []),
    (["walk backward at 2.5 mph for 5 min"], {}, None, ["fast first backward stage"]),
    (["walk backward at 2.5 mph for 5 min"], {}, "light", []),
    (["walk backward at 2 mph for 5 min"], {}, None, []),
    (["walk backward at 1.5 mph, 4% grade for 5 min"], {}, None, ["incline before level"]),
    (["walk backward at 1.5 mph for 5 min", "walk backward at 1.5 mph, 4% grade for 5 min"],
     {}, None, []),
    (["walk forward at 2 mph for 3 min", "walk backward at 3 mph, 2% grade for 5 min"],
     {"berg": 12}, None, ["not recommended", "fast first backward stage",
                          "incline before level"]),
])
def test_guidance_flags_what_the_seeds_ask_for(stages, subject, handrail, expected):
    kw = {"handrail": handrail} if handrail else {}
    ds = retrosim.run(scenario(stages, subject=subject, **kw), traces=False)
    every = [line.split(": ")[1] for line in ds.attrs["guidance"].splitlines()]
    # the protocol's flags; the intensity the session reaches is tests/events/test_guidance.py's
    flags = [flag for flag in every if flag != "intensity above guidance"]
    assert flags == expected
    table = tables.summary_table(ds)
    assert ("guidance:" in table) == bool(every)


def test_arms_may_set_subject_keys():
    sc = Scenario.from_dict({"name": "t", "subject": {**SUBJECT, "berg": 50}, "arms": {
        "base": {"stages": ["walk backward at 2 mph for 5 min"]},
        "severe": {"stages": ["walk backward at 2 mph for 5 min"],
                   "subject": {"balance": "severe"}},
        "berg-30": {"stages": ["walk backward at 2 mph for 5 min"], "subject": {"berg": 30}}}})
    assert dict(sc.arms["severe"].subject) == {"balance": "severe"}
    bergs = [float(hazards.rates(s).berg[0]) for s in
             (commanded(Scenario(**{**sc.__dict__, "arms": {"a": sc.arms[a]}}))
              for a in ("base", "severe", "berg-30"))]
    assert bergs == [50.0, 10.0, 30.0]


@pytest.mark.parametrize("change, key, allowed", [
    ({"subject": {**SUBJECT, "berg": 70}}, "subject.berg", "0-56"),
    ({"arms": {"a": {"stages": ["rest for 1 min"], "subject": {"berg": 70}}}},
     "arms.a.subject.berg", "0-56"),
    ({"arms": {"a": {"stages": ["rest for 1 min"], "subject": {"balance": "wobbly"}}}},
     "arms.a.subject.balance", "good | moderate | impaired | severe"),
    ({"arms": {"a": {"stages": ["rest for 1 min"], "subject": {"shoe": "trainer"}}}},
     "arms.a.subject.shoe", "balance"),
    ({"arms": {"a": {"stages": ["rest for 1 min"], "subject": "severe"}}},
     "arms.a.subject", "balance"),
    ({"subject": {**SUBJECT, "tug_s": -3}}, "subject.tug_s", "3-120 s"),
    ({"treadmill": {"tether_length_m": -0.2}}, "treadmill.tether_length_m", "0.05-0.98 m"),
    ({"falls": {"attention": 2}}, "falls.attention", "0.1-1"),
    ({"falls": {"walker_position_pct": 60}, "treadmill": {"tether_length_m": 0.7}},
     "falls.walker_position_pct", "0.7 m"),
])
def test_bad_balance_and_falls_input_gets_one_line_errors(change, key, allowed):
    data = {"name": "t", "subject": SUBJECT,
            "arms": {"a": {"stages": ["walk backward at 2 mph for 1 min"]}}, **change}
    with pytest.raises(retrosim.InputError) as err:
        Scenario.from_dict(data, source="s.toml")
    message = str(err.value)
    assert message.startswith(f"s.toml: {key}: ") and allowed in message and "\n" not in message


# ------------------------------------------------------------------------------------------
# the bundled scenarios say what their headers say


def arm_hazards(name):
    sc = retrosim.load_scenario(name)
    return {arm: fall_hazard(Scenario(**{**sc.__dict__, "arms": {"a": sc.arms[arm]}}))
            for arm in sc.arms}


def test_balance_levels_risk_rises_with_each_level_and_the_handrail_lowers_it():
    h = arm_hazards("balance-levels")
    assert h["good"] < h["moderate"] < h["impaired"] < h["severe"]
    for level in LEVELS:
        assert h[f"{level}-handrail"] < h[level]
    # the flags stated here are the fall guidance's: without heart-rate drift, which takes
    # these older walkers' 20-min backward walk past the intensity guidance in every arm
    sc = retrosim.load_scenario("balance-levels")
    sc = dataclasses.replace(sc, energy=dataclasses.replace(sc.energy, hr_drift="none"))
    ds = retrosim.run(sc, subjects=2000, traces=False)
    assert ds.fall_probability.sel(arm="severe").item() > 0.3
    lines = ds.attrs["guidance"].splitlines()
    flagged = {line.split(":")[0] for line in lines if "not recommended" in line}
    assert flagged == {"severe", "severe-handrail"}
    # with the walking-cost person term (x 1.17 on the net cost at 70) this backward novice's
    # heart rate reaches her HRmax without the handrail: every such arm is flagged for
    # intensity (near-maximal, 90 % of the reserve), none with the grip
    intense = {line.split(":")[0] for line in lines if "intensity above guidance" in line}
    assert intense == set(LEVELS)
    sc = retrosim.load_scenario("balance-levels")       # the "perturbations" model's numbers
    old = Scenario(**{**sc.__dict__, "falls": fall_parameters(PERTURBATIONS)})
    ds = retrosim.run(old, subjects=2000, traces=False)
    assert ds.fall_probability.sel(arm="severe").item() > 0.3


def test_balance_levels_at_the_energy_models_cost_flags_only_the_severe_arms():
    # walking_cost = "none": her heart rate reaches 87 % of the reserve, under ACSM's 90 %
    sc = retrosim.load_scenario("balance-levels")
    sc = dataclasses.replace(sc, energy=dataclasses.replace(sc.energy, walking_cost="none"))
    ds = retrosim.run(sc, subjects=200, traces=False)
    flagged = {line.split(":")[0] for line in ds.attrs["guidance"].splitlines()}
    assert flagged == {"severe", "severe-handrail"}


def test_handrail_what_if_grip_is_safest_and_slower_is_safer():
    h = arm_hazards("handrail-what-if")
    assert h["no-handrail"] > h["light-touch"] > h["grip-then-light"] > h["grip"]
    assert h["slower-no-handrail"] < h["no-handrail"]
    assert retrosim.load_scenario("handrail-what-if").subject.berg == 44


def test_rates_on_per_subject_timelines_equal_the_shared_ones():
    """Models may also run after stops are spliced in: a subject who never stopped keeps the
    shared knots (the last one repeated), so their hazards are unchanged."""
    sc = scenario(["walk forward at 2 mph for 3 min", "walk backward at 2 mph, 4% grade for 6 min"],
                  subject={"berg": 35}, handrail="light", falls_table=PERTURBATIONS)
    shared = commanded(sc, 3)
    split = commanded(sc, 3)
    split.t_stop[1] = 200.0
    split.apply_stops(1.5)
    assert split.timeline.t.shape[1] == 3
    a, b = hazards.rates(shared), hazards.rates(split)
    for fall in (True, False):
        ta, tb = a.totals(fall), b.totals(fall)
        assert tb[[0, 2]] == pytest.approx(ta[[0, 2]], rel=1e-12)
        assert tb[1] < ta[1]
    rows = np.array([0, 2])
    times, _ = b.hazard(rows, fall=True).inverse(np.arange(2), 0.5 * ta[rows])
    assert times == pytest.approx(a.hazard(rows, fall=True).inverse(np.arange(2),
                                                                    0.5 * ta[rows])[0])


@pytest.mark.parametrize("line, needle", [
    ("berg = 70", "subject.berg: 70 is out of range; allowed: 0-56"),
    ('balance = "wobbly"', "subject.balance: 'wobbly' is not known; allowed: good | moderate"),
    ("[treadmill]\ntether_length_m = -1", "treadmill.tether_length_m: -1 m is out of range"),
])
def test_the_command_line_reports_bad_balance_and_tether_input_on_one_line(
        tmp_path, capsys, line, needle):
    from retrosim.cli.main import main
    subject = line if not line.startswith("[") else ""
    extra = line if line.startswith("[") else ""
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "bad"\n[subject]\nmass_kg = 70\nage_yr = 70\nsex = "male"\n'
                    f'{subject}\n{extra}\n[arms.a]\n'
                    'stages = ["walk backward at 2 mph for 5 min"]\n')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"retrosim: error: {path}: ") and needle in err
    assert err.count("\n") == 1
