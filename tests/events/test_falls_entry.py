"""The default "perturbations-entry" fall model along a session and a programme: fall history
at Deandrea et al. 2010's odds, the balance levels keep their risk (the entry Berg score at the
cross-sectional slope), a Berg change since entry at the trials' slope, and the programme
hands each session the Berg score it started from."""

import dataclasses

import numpy as np

import retrosim
from retrosim.engine import programme
from retrosim.events import fall_hazard
from retrosim.model.options import fall_parameters
from retrosim.model.scenario import Scenario
from retrosim.physiology import fall_covariates
from tests.events.test_falls import LEVELS, commanded
from tests.events.test_falls_covariates import SUBJECT, hazard

STAGES = ["walk forward at 2.0 mph for 10 min", "walk backward at 1.5 mph for 10 min"]


def default(subject=None, stages=STAGES, program=None):
    """A scenario with no ``[falls]`` table: the default fall model."""
    data = {"name": "d", "seed": 5, "arms": {"a": {"stages": stages}},
            "subject": {**SUBJECT, **(subject or {})}}
    if program:
        data["program"] = program
    return Scenario.from_dict(data)


def test_the_default_is_the_entry_model():
    sc = default()
    assert sc.falls == fall_parameters({}) == Scenario(name="x", arms={}, subject=sc.subject).falls
    p = default().falls
    assert p.model == "perturbations-entry" and p.covariates
    assert p.berg_change_per_point == fall_covariates.CALIBRATED_BERG_SLOPE


def test_the_default_model_takes_fall_history_at_deandrea_2010s_odds():
    """The odds of a fall after a trip, learning set aside (the same for the three), are x 2.8
    for one fall in the past year, x 3.5 for two or more (Deandrea et al. 2010): centring on
    the population moves all three alike."""
    hazards, odds = [], []
    for n in (0, 1, 3):
        rates = fall_hazard.rates(commanded(default({"falls_last_year": n})))
        rows, j = np.zeros(1, dtype=int), np.ones(1, dtype=int)     # at the second knot
        at = rates.t[1:2, 0]
        fall = rates.kind_rates(j, rows, at, fall=True)[0, 0]
        recover = rates.kind_rates(j, rows, at, fall=False)[0, 0]
        p = fall / (fall + recover) / rates.learning(rows)[1, 0]
        odds.append(p / (1.0 - p))
        hazards.append(float(rates.totals(fall=True)[0]))
    assert np.allclose([odds[1] / odds[0], odds[2] / odds[0]], [2.8, 3.5], rtol=1e-12)
    assert hazards[0] < hazards[1] < hazards[2]


def test_the_balance_levels_keep_their_risk():
    """Between people the entry Berg score acts at the cross-sectional slope: every level of
    the bundled balance-levels scenario keeps its risk within a factor of 2 of the
    "perturbations" model's (the person's terms: sex and fall history centred, slower than
    3 mph, learning at least 0.71), where the trial-calibrated slope applied between people
    ("perturbations-covariates") takes the severe walkers from 0.48 to 0.006."""
    sc = retrosim.load_scenario("balance-levels")
    risk = {model: [float(fall_hazard.exact_risk(dataclasses.replace(
        sc, falls=fall_parameters({"model": model})), level)[0]) for level in LEVELS]
        for model in ("perturbations", "perturbations-entry", "perturbations-covariates")}
    entry, old = np.array(risk["perturbations-entry"]), np.array(risk["perturbations"])
    assert (np.diff(entry) > 0).all()
    assert (entry / old > 0.5).all() and (entry / old < 2.0).all()
    assert risk["perturbations-covariates"][-1] < 0.05 * risk["perturbations"][-1]


def test_a_berg_gain_since_entry_moves_the_risk_as_trials_show():
    """Sherrington et al. 2019: balance training, falls x 0.76 (0.70-0.81) for about 3.5 Berg
    points (Howe et al. 2011). A walker who gained 3.5 points since entry is inside it; one who
    entered with the higher score is far below (the cross-sectional slope, about 0.42)."""
    sc = default(stages=["walk forward at 3.0 mph for 30 min"])
    start = hazard(sc, berg=40.0)
    trained = hazard(sc, berg=43.5, berg_entry=40.0)
    assert 0.70 <= trained / start <= 0.81
    assert hazard(sc, berg=43.5) / start < 0.5
    assert hazard(sc, berg=40.0, berg_entry=40.0) == start     # no change: the entry level


def test_a_programme_gives_each_session_the_berg_score_it_started_from(monkeypatch):
    seen = []
    original = programme.run_arm

    def recording(arm, scenario, cohort, seed, **kw):
        seen.append((cohort.berg.copy(), cohort.berg_entry.copy()))
        return original(arm, scenario, cohort, seed, **kw)

    monkeypatch.setattr(programme, "run_arm", recording)
    sc = default({"berg": 40}, ["walk backward at 1.0 mph for 30 min"],
                 {"weeks": 4, "sessions_per_week": 5})
    retrosim.run(sc, subjects=2, traces=False)
    seen = [s for s in seen if s[0].size == 2]      # not the plausible versions of her
    assert len(seen) == 20
    assert all((entry == 40.0).all() for _, entry in seen)
    assert (seen[0][0] == 40.0).all() and (seen[-1][0] > 41.0).all()    # she gained


def test_a_run_names_the_prevalence_and_the_double_counting_caveat():
    refs = retrosim.run(default(), traces=False).attrs["references"]
    assert "Tinetti ME et al. (1988)" in refs and "counted twice" in refs


def test_simulated_falls_agree_with_the_exact_risk():
    ds = retrosim.run(default({"berg": 24, "falls_last_year": 1}), subjects=3000, traces=False)
    fell, risk = ds.fell.values[0], ds.fall_risk.values[0]
    expected = risk.sum()
    assert abs(fell.sum() - expected) <= 4 * np.sqrt(expected) + 3


def test_the_totals_are_the_hazards_that_place_the_falls():
    """Under learning the totals come one segment at a time; each is bit for bit the end of
    the hazard a fall (or a recovery) is placed on, for a cohort in classes and for walkers
    with knots of their own (a controller in the loop)."""
    cohort = {"size": 40, "age_yr": 70, "mass_kg": 70, "sex": {"female": 0.6, "male": 0.4},
              "berg": {"dist": "uniform", "min": 40, "max": 50}}
    cases = [(Scenario.from_dict({"name": "c", "seed": 3, "cohort": cohort,
                                  "arms": {"a": {"stages": STAGES}}}), "a", 40),
             (retrosim.load_scenario("hr-controller"), "dropout-30s", 12)]
    for sc, arm, n in cases:
        rates = fall_hazard.arm_rates(sc, arm, subjects=n)
        assert rates.before is not None
        rows = np.arange(n)
        for fall in (True, False):
            assert np.array_equal(rates.totals(fall), rates.hazard(rows, fall).total)
    grouped = fall_hazard.arm_rates(*cases[0][:2], subjects=40)
    assert 1 < np.unique(grouped.cls).size < 40 and not grouped.own      # classes
    assert fall_hazard.arm_rates(*cases[1][:2], subjects=12).t.shape[1] == 12   # own knots


def test_classes_group_as_rows_of_the_keys():
    """Subjects share a class exactly when they share every key (Berg, support, the person's
    log-odds), and each class names its first subject."""
    rng = np.random.default_rng(7)
    keys = [rng.integers(38, 53, 500).astype(float), rng.integers(0, 3, 500).astype(float),
            np.log([1.0, 2.8, 3.5])[rng.integers(0, 3, 500)]]
    first, cls = fall_hazard._classes(keys)
    _, rows_first, rows_cls = np.unique(np.stack(keys, 1), axis=0, return_index=True,
                                        return_inverse=True)
    rows_cls = rows_cls.ravel()
    assert np.array_equal(cls[:, None] == cls[None, :], rows_cls[:, None] == rows_cls[None, :])
    assert np.array_equal(np.sort(first), np.sort(rows_first))
    assert np.array_equal(first[cls], rows_first[rows_cls])
