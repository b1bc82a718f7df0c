"""The fall risk of a programme: the exact probability of at least one fall over the sessions
a person attends, from each session's exact risk (1 - exp(-H)), shown as a percentage."""

from __future__ import annotations

import numpy as np

import retrosim
from retrosim.model.scenario import Scenario
from retrosim.results import intervals, programme

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


def test_one_persons_programme_risk_is_exact_with_a_prediction_interval():
    """The person as given: the exact risk of her run; around it the 5-95 % of her plausible
    versions (predicted traits, model errors, response to training), the same whatever
    --subjects (a [subject] with 20 draws is still one person)."""
    one = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}))
    a = one.sel(arm="backward")
    assert not a.fell.values.any()
    np.testing.assert_allclose(float(a.programme_fall_risk), programme.programme_fall_risk(a)[0],
                               rtol=1e-6)
    low, mid, high = (float(a[n]) for n in ("programme_fall_risk_low", "programme_fall_risk",
                                             "programme_fall_risk_high"))
    assert low < mid < high
    assert a.programme_fall_risk_low.attrs["interval"] == "90% prediction interval"
    drawn = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}), subjects=20)
    for name in ("programme_fall_risk", "programme_fall_risk_low", "programme_fall_risk_high"):
        assert float(drawn[name].sel(arm="backward")) == float(a[name])


def test_a_one_session_programme_has_the_sessions_risk_over_the_same_versions():
    """Reuse, not a second machinery: the interval of a one-session programme is the 5-95 %
    of the session's exact fall risk over the person's plausible versions
    (Simulation.versions)."""
    ds = retrosim.run(scenario({"weeks": 1, "sessions_per_week": 1}))
    session, = retrosim.Simulation(scenario()).versions(intervals.VERSIONS)
    risk = session.summary["fall_risk"]
    low, high = np.quantile(risk[1:], intervals.QUANTILES)
    a = ds.sel(arm="backward")
    np.testing.assert_allclose(float(a.programme_fall_risk), risk[0], rtol=1e-6)
    np.testing.assert_allclose([float(a.programme_fall_risk_low),
                                float(a.programme_fall_risk_high)],
                               [min(low, risk[0]), max(high, risk[0])], rtol=1e-6)


def test_the_run_table_shows_a_percentage_with_its_interval_not_a_count():
    one = retrosim.run(scenario({"weeks": 6, "sessions_per_week": 3}))
    line = next(x for x in programme.summary_table(one).splitlines()
                if x.startswith("backward:"))
    a = one.sel(arm="backward")
    mid, lo, hi = (100 * float(a[n]) for n in ("programme_fall_risk", "programme_fall_risk_low",
                                               "programme_fall_risk_high"))
    assert (f"fall risk over the programme {mid:.2f} % [{lo:.2f}-{hi:.2f} %] (exact for the "
            "person as given; 90 % prediction interval") in line
    assert "simulated: 0 falls in 18 sessions" in line


def test_a_cohort_shows_the_median_and_5_95_over_its_people():
    data = {"name": "fall-risk-cohort", "seed": 5,
            "cohort": {**SUBJECT, "size": 20, "berg": {"dist": "uniform", "min": 36, "max": 50}},
            "arms": {"backward": {"stages": STAGES}},
            "program": {"weeks": 2, "sessions_per_week": 3}}
    cohort = retrosim.run(Scenario.from_dict(data))
    assert "programme_fall_risk" not in cohort
    assert cohort.attrs["uncertainty"].startswith("between-person")
    line = next(x for x in programme.summary_table(cohort).splitlines()
                if x.startswith("backward:"))
    pct = 100 * programme.programme_fall_risk(cohort.sel(arm="backward"))
    lo, mid, hi = np.percentile(pct, [5, 50, 95])
    assert lo < hi
    assert (f"fall risk over the programme {mid:.2f} % ({lo:.2f}-{hi:.2f} % of the people;"
            in line)


def test_a_sessions_fall_risk_has_the_interval_of_the_persons_versions():
    """The exact risk of one person's session, and the 5-95 % of the same over her plausible
    versions (Simulation.versions): the interval every other summary of hers gets."""
    ds = retrosim.run(scenario(), traces=False)
    session, = retrosim.Simulation(scenario()).versions(intervals.VERSIONS)
    risk = session.summary["fall_risk"]
    low, high = np.quantile(risk[1:], intervals.QUANTILES)
    a = ds.sel(arm="backward")
    np.testing.assert_allclose(float(a.fall_risk.isel(subject=0)), risk[0], rtol=1e-12)
    np.testing.assert_allclose([float(a.fall_risk_low), float(a.fall_risk_high)],
                               [min(low, risk[0]), max(high, risk[0])], rtol=1e-6)
    one = retrosim.run(scenario({"weeks": 1, "sessions_per_week": 1})).sel(arm="backward")
    np.testing.assert_allclose([float(one.programme_fall_risk_low),
                                float(one.programme_fall_risk_high)],
                               [float(a.fall_risk_low), float(a.fall_risk_high)], rtol=1e-6)


def test_compare_ranks_one_person_on_her_risk_along_the_path_without_a_fall():
    """Once she has fallen, the sessions that follow are not the ones the risk of a first
    fall is about (a fall ends that walk and changes her training): the ranking reads the
    person's exact risk, not the one along the path this draw took."""
    data = {"name": "unsteady", "seed": 3, "falls": {"model": "perturbations"},
            "subject": {**SUBJECT, "age_yr": 72, "berg": 12, "resting_bp_mmhg": [150, 90]},
            "arms": {"backward": {"stages": ["walk backward at 1.5 mph for 20 min"]}},
            "program": {"weeks": 2, "sessions_per_week": 3}}
    ds = retrosim.run(Scenario.from_dict(data))
    a = ds.sel(arm="backward")
    assert int(a.fell.sum()) >= 1       # this seed's draw falls ("perturbations" fall model)
    drawn = 100 * float(programme.programme_fall_risk(a)[0])
    exact = 100 * float(a.programme_fall_risk)
    assert f"{exact:+.2f}" != f"{drawn:+.2f}"
    ranking = programme.comparison_table([ds]).split("fall risk over the programme")[1]
    assert f"1. unsteady/backward  {exact:+.2f}" in ranking
