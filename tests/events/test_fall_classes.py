"""Perturbation rates are the same bits whether subjects are grouped into classes (sharing a
Berg score, support and covariates) or each is a class of her own: a cohort whose class keys
all differ (Berg scores moved by a programme's training, say) skips the grouping."""

import dataclasses

import numpy as np
import pytest

import retrosim
from retrosim.engine.simulate import build_session, people
from retrosim.events import fall_hazard

COHORT = {"size": 300, "age_yr": {"dist": "uniform", "min": 60, "max": 85},
          "sex": {"female": 0.6, "male": 0.4},
          "mass_kg": {"dist": "normal", "mean": 72, "sd": 12, "min": 45, "max": 120},
          "berg": {"dist": "uniform", "min": 30, "max": 52}}


@pytest.mark.parametrize("covariates", [False, True])
def test_a_class_each_equals_the_grouping(covariates, monkeypatch):
    model = "perturbations-covariates" if covariates else "perturbations"
    scenario = retrosim.Scenario.from_dict({
        "name": "classes", "seed": 5, "cohort": COHORT, "falls": {"model": model},
        "arms": {"a": {"stages": ["walk forward at 2 mph for 3 min",
                                  "walk backward at 1.5 mph, 4% grade for 6 min"]}}})
    arm = scenario.arms["a"]
    cohort = people(scenario, arm, 300, 5)
    trained = np.random.default_rng(1).uniform(0.0, 0.9, 300)      # Berg between the points
    cohort = dataclasses.replace(cohort, berg=cohort.berg + trained)
    session = build_session(arm, scenario, cohort, 5)
    own = fall_hazard.rates(session)
    assert own.cls.tolist() == list(range(300))            # every key differs: a class each
    monkeypatch.setattr(fall_hazard, "_all_distinct", lambda key: False)
    grouped = fall_hazard.rates(session)
    assert grouped.cls.tolist() != list(range(300))         # grouping sorts the classes
    rows = np.arange(0, 300, 7)
    for fall in (True, False):
        np.testing.assert_array_equal(own.totals(fall), grouped.totals(fall))
        np.testing.assert_array_equal(own.hazard(rows, fall).H, grouped.hazard(rows, fall).H)
    j, times = np.full(rows.size, 1), np.full(rows.size, 200.0)
    np.testing.assert_array_equal(own.kind_rates(j, rows, times, True),
                                  grouped.kind_rates(j, rows, times, True))


def test_scores_a_quarter_point_apart_on_other_supports_are_classes_of_their_own():
    """A Berg score and a support are two keys, not one number: Berg 40.25 without support and
    Berg 40 with light support (``4 berg + support`` would give both 161) get each her own
    rates, those she gets walking alone."""
    scenario = retrosim.Scenario.from_dict({
        "name": "classes", "seed": 5, "subject": {"mass_kg": 70, "age_yr": 70, "sex": "female"},
        "arms": {"a": {"stages": ["walk backward at 1.5 mph for 6 min"]}}})
    arm = scenario.arms["a"]
    base = people(scenario, arm, 3, 5)
    pair = dataclasses.replace(base, berg=np.array([40.25, 40.0, 40.25]),
                               handrail=np.array([0, 1, 1], dtype=base.handrail.dtype))
    together = fall_hazard.rates(build_session(arm, scenario, pair, 5))
    assert len(set(together.cls.tolist())) == 3
    one = people(scenario, arm, 1, 5)
    for i in range(3):
        person = dataclasses.replace(one, berg=pair.berg[i:i + 1], handrail=pair.handrail[i:i + 1])
        alone = fall_hazard.rates(build_session(arm, scenario, person, 5))
        for fall in (True, False):
            np.testing.assert_array_equal(together.totals(fall)[i], alone.totals(fall)[0])
