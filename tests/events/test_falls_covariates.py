"""The "perturbations-covariates" fall model along a session: the covariates move the exact
hazard the right way, learning lowers it within and across sessions, the simulated falls agree
with the exact risk, and a run names its sources and assumptions."""

import dataclasses

import numpy as np

import retrosim
from retrosim.engine import programme
from retrosim.events import fall_hazard
from retrosim.model.scenario import Scenario
from tests.events.test_falls import commanded

STAGES = ["walk forward at 2.0 mph for 10 min", "walk backward at 1.5 mph for 10 min"]
SUBJECT = {"mass_kg": 68.0, "age_yr": 72, "sex": "male", "berg": 38}


def scenario(subject=None, falls_table=None, program=None, seed=5):
    data = {"name": "covariates", "seed": seed, "subject": {**SUBJECT, **(subject or {})},
            "falls": {"model": "perturbations-covariates", **(falls_table or {})},
            "arms": {"a": {"stages": STAGES}}}
    if program:
        data["program"] = program
    return Scenario.from_dict(data)


def hazard(sc, **cohort):
    session = commanded(sc)
    if cohort:
        session.cohort = dataclasses.replace(
            session.cohort, **{k: np.full(1, float(v)) for k, v in cohort.items()})
    return float(fall_hazard.rates(session).totals(fall=True)[0])


def test_fall_history_and_sex_raise_the_hazard():
    none, one, two = (hazard(scenario({"falls_last_year": n})) for n in (0, 1, 3))
    assert none < one < two
    assert hazard(scenario({"sex": "female"})) > none


def test_the_perturbations_model_ignores_fall_history():
    data = {"name": "d", "seed": 5, "arms": {"a": {"stages": STAGES}},
            "falls": {"model": "perturbations"}}
    h = [float(fall_hazard.rates(commanded(Scenario.from_dict(
        {**data, "subject": {**SUBJECT, "falls_last_year": n}}))).totals(fall=True)[0])
        for n in (0, 3)]
    assert h[0] == h[1]


def test_learning_lowers_the_hazard_within_and_across_sessions():
    sc = scenario({"berg": 20})
    naive = scenario({"berg": 20}, {"trips_per_h": 0.0001})     # (a check of the setting)
    assert hazard(naive) < hazard(sc)
    unlearned = dataclasses.replace(sc, falls=dataclasses.replace(sc.falls,
                                                                  learning_floor=1.0))
    assert hazard(sc) < hazard(unlearned)
    assert hazard(sc, perturbations_before=20) < hazard(sc)


def test_simulated_falls_agree_with_the_exact_risk():
    sc = scenario({"berg": 24, "falls_last_year": 1})
    ds = retrosim.run(sc, subjects=3000, traces=False)
    fell, risk = ds.fell.values[0], ds.fall_risk.values[0]
    expected = risk.sum()
    assert abs(fell.sum() - expected) <= 4 * np.sqrt(expected) + 3


def test_a_programme_carries_the_perturbations_met_into_later_sessions(monkeypatch):
    seen = []
    original = programme.run_arm

    def recording(arm, scenario, cohort, seed, **kw):
        seen.append(cohort.perturbations_before.copy())
        return original(arm, scenario, cohort, seed, **kw)

    monkeypatch.setattr(programme, "run_arm", recording)
    program = {"weeks": 1, "sessions_per_week": 3, "on_fall": "continue"}
    sc = scenario({"berg": 30}, {"trips_per_h": 10.0, "missteps_per_h": 5.0}, program)
    ds = retrosim.run(sc, subjects=50)
    met = (ds.stumbles.values[0] + ds.fell.values[0]).astype(float)      # (subject, session)
    seen = [s for s in seen if s.size == 50]    # not the interval's plausible versions of her
    assert len(seen) == 3 and not seen[0].any()
    assert np.array_equal(seen[1], met[:, 0]) and np.array_equal(seen[2], met[:, :2].sum(1))
    assert seen[2].sum() > 0


def test_a_run_names_the_sources_and_the_assumptions():
    refs = retrosim.run(scenario(), traces=False).attrs["references"]
    assert "Deandrea S et al. (2010)" in refs and "Assumption (falls): female odds" in refs
