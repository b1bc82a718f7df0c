"""Recovery: virtual people with known traits, recorded with a strap's and a console's errors,
fitted; their 90 % intervals should hold the truth in 90 % of people.

The test fits :data:`PEOPLE` people (``bench/bench_fit.py`` runs 200, the figure in
docs/fit.md): the share for each trait must lie inside the range a calibrated 90 % interval
gives for that many people 99 % of the time (the binomial distribution's 0.5 and 99.5
percentiles), so the check is as strict as its size allows.
"""

from __future__ import annotations

import pytest
from scipy import stats

from retrosim.fit import recovery

PEOPLE = 30


@pytest.fixture(scope="module")
def result():
    return recovery.coverage(PEOPLE, seed=0)


def test_every_trait_is_checked(result):
    assert set(result["coverage"]) == {"hr_rest_bpm", "vo2max_ml_kg_min", "hr_max_bpm",
                                       "hr_tau_s", "backward_practice_min"}


@pytest.mark.parametrize("trait", ["hr_rest_bpm", "vo2max_ml_kg_min", "hr_max_bpm", "hr_tau_s",
                                   "backward_practice_min"])
def test_intervals_hold_the_truth_as_often_as_they_say(result, trait):
    low, high = (stats.binom.ppf(q, PEOPLE, 0.90) / PEOPLE for q in (0.005, 0.995))
    assert low <= result["coverage"][trait] <= high, (trait, result["coverage"][trait], low)


def test_a_virtual_person_is_the_same_whatever_else_is_drawn():
    a, b = recovery.person(0, 7), recovery.person(0, 7)
    assert a == b and recovery.person(1, 7) != a
