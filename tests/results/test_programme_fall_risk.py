"""The fall risk of a programme: the exact probability of at least one fall over the sessions
a person attends, from each session's exact risk (1 - exp(-H)), shown as a percentage."""

from __future__ import annotations

import numpy as np

import retrosim
from retrosim.model.scenario import Scenario
from retrosim.results import programme

SUBJECT = {"mass_kg": 70, "age_yr": 68, "sex": "female", "berg": 44,
           "resting_bp_mmhg": [148, 92]}
STAGES = ["walk forward at 1.5 mph for 3 min", "walk backward at 1.5 mph for 10 min"]


def scenario(program=None):
    data = {"name": "fall-risk", "seed": 5, "subject": SUBJECT,
            "arms": {"backward": {"stages": STAGES}}}
    if program is not None:
        data["program"] = program
    return Scenario.from_dict(data)


def test_one_session_programme_has_the_session_risk():
    session = retrosim.run(scenario(), traces=False)
    one = retrosim.run(scenario({"weeks": 1, "sessions_per_week": 1}))
    risk = programme.programme_fall_risk(one.sel(arm="backward"))
    np.testing.assert_allclose(risk, session.fall_risk.sel(arm="backward").values, rtol=1e-6)


def test_risk_over_a_programme_lies_between_its_largest_session_and_the_sum():
    ds = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}), subjects=5)
    a = ds.sel(arm="backward")
    risk = programme.programme_fall_risk(a)
    per_session = np.where(a.attended.values, a.fall_risk.values.astype(float), 0.0)
    assert np.all(risk >= per_session.max(axis=1))            # at least the worst session
    assert np.all(risk <= per_session.sum(axis=1))            # Boole's inequality
    assert np.all(risk > 0)


def test_the_run_table_shows_a_percentage_not_a_count():
    one = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}))
    line = next(x for x in programme.summary_table(one).splitlines()
                if x.startswith("backward:"))
    pct = 100 * programme.programme_fall_risk(one.sel(arm="backward"))[0]
    assert f"fall risk over the programme {pct:.2f} % (exact;" in line
    cohort = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}), subjects=20)
    line = next(x for x in programme.summary_table(cohort).splitlines()
                if x.startswith("backward:"))
    pct = 100 * programme.programme_fall_risk(cohort.sel(arm="backward"))
    lo, mid, hi = np.percentile(pct, [5, 50, 95])
    assert f"fall risk over the programme {mid:.2f} % ({lo:.2f}-{hi:.2f} %;" in line
