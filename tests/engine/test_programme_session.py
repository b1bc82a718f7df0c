"""A programme is the session path called day by day: a one-session programme (one week, one
session, no progression) gives, for the same seed and people, every session outcome of the plain
session run bit for bit, random events included (falls, stumbles, pressure readings)."""

import copy

import numpy as np
import pytest

import retrosim
from retrosim.engine import programme
from retrosim.model.scenario import Scenario

#: The "perturbations" fall model: its impaired walkers meet falls and stumbles in 50 people
#: (the default model's meet almost none), so the comparison covers random events.
PLAIN = {"name": "one-session", "seed": 11, "falls": {"model": "perturbations"},
         "subject": {"mass_kg": 74.0, "age_yr": 68, "sex": "female", "balance": "impaired",
                     "resting_bp_mmhg": [148, 92], "hr_rest_bpm": 74, "fitness": "inactive",
                     "handrail": "none"},
         "arms": {"backward": {"stages": ["walk forward at 1.5 mph for 3 min",
                                          "walk backward at 2.5 mph for 12 min",
                                          "rest for 40 min"]},
                  "forward": {"stages": ["walk forward at 3.0 mph, 4% grade for 15 min",
                                         "rest for 40 min"]}}}


def _runs(subjects):
    programmed = copy.deepcopy(PLAIN)
    programmed["program"] = {"weeks": 1, "sessions_per_week": 1}
    plain = retrosim.run(Scenario.from_dict(PLAIN), subjects=subjects, traces=False)
    prog = retrosim.run(Scenario.from_dict(programmed), subjects=subjects, traces=False)
    return plain, prog


@pytest.mark.parametrize("subjects", [1, 50])
def test_a_one_session_programme_is_the_plain_session_bit_for_bit(subjects):
    plain, prog = _runs(subjects)
    assert prog.sizes["session"] == 1 and bool(prog.attended.all())
    shared = [v for v in prog.data_vars
              if prog[v].dims == ("arm", "subject", "session") and v in plain]
    for name in ("energy_total", "vo2_peak", "hr_peak", "met_mean", "fell", "fall_time",
                 "stumbles", "estop", "fall_risk", "sbp_post", "dbp_post", "sbp_nadir"):
        assert name in shared, name
    for name in shared:
        got, want = prog[name].isel(session=0).values, plain[name].values
        assert got.shape == want.shape, name
        assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), name


def test_the_cohort_meets_the_random_events_it_is_compared_on():
    plain, _ = _runs(50)
    assert int(plain.stumbles.sum()) > 0 and bool(plain.fell.any())
    assert np.isfinite(plain.sbp_post.values).any()


def test_the_first_session_uses_the_scenario_seed_and_the_others_their_own():
    assert programme.session_seed(11, 0) == 11
    later = {programme.session_seed(11, k) for k in range(1, 36)}
    assert len(later) == 35 and 11 not in later
