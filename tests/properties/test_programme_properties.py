"""Properties of programmes: training, breaks, fitness, blood pressure."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from retrosim.engine import programme
from retrosim.events import MODELS
from retrosim.model.scenario import Scenario


def run(program, subject=None, stages=("walk forward at 3.0 mph for 20 min",), subjects=1):
    subject = subject or {"mass_kg": 70, "age_yr": 50, "sex": "male"}
    sc = Scenario.from_dict({"name": "p", "seed": 1, "subject": subject,
                             "falls": {"model": "none"}, "program": program,
                             "arms": {"a": {"stages": list(stages)}}})
    return programme.run_programme(sc, seed=1, subjects=subjects, models=MODELS)[0]


@settings(max_examples=12, deadline=None)
@given(weeks=st.integers(1, 6), per_week=st.integers(1, 6),
       minutes=st.integers(5, 40))
def test_more_training_never_lowers_the_end_vo2max(weeks, per_week, minutes):
    stages = (f"walk forward at 3.0 mph for {minutes} min",)
    less = run({"weeks": weeks, "sessions_per_week": per_week}, stages=stages)
    more = run({"weeks": weeks, "sessions_per_week": per_week + 1}, stages=stages)
    longer = run({"weeks": weeks, "sessions_per_week": per_week},
                 stages=(f"walk forward at 3.0 mph for {minutes + 10} min",))
    assert more.daily["vo2max"][0, -1] >= less.daily["vo2max"][0, -1]
    assert longer.daily["vo2max"][0, -1] >= less.daily["vo2max"][0, -1]


@settings(max_examples=10, deadline=None)
@given(train=st.integers(1, 6), rest=st.integers(1, 6), per_week=st.integers(1, 7))
def test_a_break_never_raises_vo2max(train, rest, per_week):
    r = run({"phases": [{"weeks": train, "sessions_per_week": per_week},
                        {"weeks": rest, "sessions_per_week": 0}]})
    v = r.daily["vo2max"][0, 7 * train:]
    assert np.all(np.diff(v) <= 0)
    kept = run({"weeks": train + rest, "sessions_per_week": per_week})
    assert kept.daily["vo2max"][0, -1] >= r.daily["vo2max"][0, -1]


@settings(max_examples=10, deadline=None)
@given(low=st.floats(20, 40), extra=st.floats(1, 25))
def test_the_fitter_the_smaller_the_relative_gain(low, extra):
    gains = []
    for vo2max in (low, low + extra):
        r = run({"weeks": 6, "sessions_per_week": 3},
                subject={"mass_kg": 70, "age_yr": 40, "sex": "female",
                         "vo2max_ml_kg_min": vo2max})
        v = r.daily["vo2max"][0]
        gains.append(v[-1] / v[0] - 1.0)
    assert gains[1] <= gains[0]


@settings(max_examples=10, deadline=None)
@given(sbp=st.floats(100, 175), dbp=st.floats(60, 95), more=st.floats(1, 30))
def test_hypertensives_gain_more_pressure_reduction(sbp, dbp, more):
    falls = []
    for s, d in ((sbp, dbp), (sbp + more, dbp + more / 2)):
        r = run({"weeks": 4, "sessions_per_week": 3},
                subject={"mass_kg": 70, "age_yr": 60, "sex": "male",
                         "resting_bp_mmhg": [s, d]})
        falls.append([r.daily[k][0, 0] - r.daily[k][0, -1] for k in ("sbp_rest", "dbp_rest")])
    assert falls[1][0] >= falls[0][0] - 1e-4 and falls[1][1] >= falls[0][1] - 1e-4


@settings(max_examples=6, deadline=None)
@given(first=st.integers(0, 600), n=st.integers(1, 40), seed=st.integers(0, 2**31))
def test_same_seed_same_programme_whatever_the_batch(first, n, seed):
    sc = Scenario.from_dict({"name": "p", "seed": seed, "subject": {
        "mass_kg": 70, "age_yr": 75, "sex": "male", "berg": 32}, "program": {
        "weeks": 2, "sessions_per_week": 3},
        "arms": {"a": {"stages": ["walk backward at 2 mph for 20 min"]}}})
    big = programme.run_programme(sc, seed=seed, subjects=first + n, models=MODELS)[0]
    part = programme.run_programme(sc, seed=seed, subjects=n, first=first, models=MODELS)[0]
    for name, value in part.daily.items():
        np.testing.assert_array_equal(value, big.daily[name][first:], err_msg=name)
    for name, value in part.sessions.items():
        np.testing.assert_array_equal(value, big.sessions[name][first:], err_msg=name)
