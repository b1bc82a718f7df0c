"""Mornings sampled several days at once are each day's state, bit for bit, for every
training model (the closed form is element by element in the time since the last session)."""

import numpy as np
import pytest

import retrosim
from retrosim.engine.programme import _People
from retrosim.physiology.courses import TRAINING_MODELS

COHORT = {"size": 50, "age_yr": {"dist": "uniform", "min": 40, "max": 85},
          "sex": {"female": 0.5, "male": 0.5},
          "mass_kg": {"dist": "normal", "mean": 72, "sd": 12, "min": 45, "max": 120},
          "berg": {"dist": "uniform", "min": 38, "max": 52},
          "resting_bp_mmhg": [{"dist": "normal", "mean": 138, "sd": 14, "min": 120, "max": 190},
                              {"dist": "normal", "mean": 84, "sd": 9, "min": 60, "max": 110}]}


@pytest.mark.parametrize("model", sorted(TRAINING_MODELS))
def test_mornings_at_once_equal_the_days_one_by_one(model):
    scenario = retrosim.Scenario.from_dict({
        "name": "mornings", "seed": 3, "cohort": COHORT,
        "arms": {"a": {"stages": ["walk backward at 1.5 mph for 10 min"]}}})
    people = _People.of(scenario.cohort.sample(50, 3, 0), 3, model)
    n = 50
    load = {"impulse": np.linspace(5.0, 40.0, n), "reserve_min": np.full(n, 10.0),
            "backward_min": np.full(n, 15.0), "dose_impulse": np.linspace(2.0, 30.0, n)}
    people.train(slice(None), 0.0, people.state(0.0), load)
    people.t_anchor[::3] = -2.0                   # some trained two days earlier
    days = np.arange(1.0, 9.0)
    batch = people.mornings(days)
    for i, day in enumerate(days):
        for name, value in people.state(day).items():
            got = batch[name][i] if batch[name].ndim == 2 else batch[name]
            np.testing.assert_array_equal(got, value, err_msg=f"{model} {name} day {day}")
    assert not np.array_equal(batch["vo2max"][0], batch["vo2max"][-1])   # it moves
