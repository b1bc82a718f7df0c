"""Resting pressure with its own course for each pressure (``dose-response-split-pressure``):
exact properties of the pure models, the model against ``dose-response-threshold`` through whole
programmes, and its rows of ``retrosim validate``."""

import numpy as np
import pytest

from retrosim.physiology import courses
from retrosim.physiology import dose_response as dr
from retrosim.physiology import rest_pressure as rp
from retrosim.validation.programmes import run_programme
from tests.physiology.test_training import rows

SPLIT = "dose-response-split-pressure"


def test_after_n_equal_sessions_each_share_is_one_minus_a_power():
    """A_n = 1 - (1 - f h)^n for n sessions of effect h from no adaptation (exact)."""
    h = np.array([0.3, 0.625, 1.0])
    s = d = np.zeros(3)
    for _ in range(12):
        s = dr.bp_after_session(s, h, dr.THRESHOLD)
        d = dr.bp_after_session(d, h, rp.diastolic(dr.THRESHOLD))
    np.testing.assert_allclose(s, 1.0 - (1.0 - 0.8 * h) ** 12, rtol=1e-12)
    np.testing.assert_allclose(d, 1.0 - (1.0 - 0.09 * h) ** 12, rtol=1e-12)
    assert np.all(d < s)


def test_the_share_holds_a_week_then_decays_with_a_7_day_constant():
    days = np.array([0.0, 7.0, 14.0, 21.0])
    for params in (dr.THRESHOLD, rp.diastolic(dr.THRESHOLD)):
        np.testing.assert_allclose(dr.bp_decay(0.6, days, params), 0.6 * np.exp([0, 0, -1, -2]),
                                   rtol=1e-15)


def test_without_sessions_nothing_changes():
    s = dr.bp_after_session(0.4, 0.0, dr.THRESHOLD)
    d = dr.bp_after_session(0.2, 0.0, rp.diastolic(dr.THRESHOLD))
    assert float(s) == 0.4 and float(d) == 0.2


def test_the_systolic_course_and_vo2max_are_those_of_the_threshold_model():
    """Same systolic rate and loss, same VO2max constants: bit for bit the same."""
    runs = {model: run_programme({"mass_kg": 80, "age_yr": 50, "sex": "male",
                                  "resting_bp_mmhg": [150, 95]},
                                 ["walk forward at 3.5 mph, 3% grade for 40 min"],
                                 {"phases": [{"weeks": 6, "sessions_per_week": 3},
                                             {"weeks": 4, "sessions_per_week": 0}],
                                  "model": model})
            for model in (SPLIT, "dose-response-threshold")}
    split, threshold = runs[SPLIT], runs["dose-response-threshold"]
    np.testing.assert_array_equal(split.sbp_rest.values, threshold.sbp_rest.values)
    np.testing.assert_array_equal(split.vo2max.values, threshold.vo2max.values)
    # diastolic pressure falls more slowly, towards the same full fall: by day 21 (9 sessions)
    # the split model has about half the default's diastolic fall (golden run: 1 - (1 - 0.09
    # h)^9 with h about 0.9, against 1 - (1 - 0.8 h)^9, nearly 1)
    fall = {k: float(v.dbp_rest[0]) - v.dbp_rest.values.astype(float) for k, v in runs.items()}
    last = int(split.session_day.values[-1])
    assert fall[SPLIT][21] < 0.8 * fall["dose-response-threshold"][21]
    assert 0.0 < fall[SPLIT][last + 1] < fall["dose-response-threshold"][last + 1]
    full = float(dr.bp_full_fall(150.0, 95.0)[1])
    assert fall["dose-response-threshold"][last + 1] <= full + 1e-4


def test_after_the_last_session_the_diastolic_fall_follows_the_loss_exactly():
    ds = run_programme({"mass_kg": 80, "age_yr": 50, "sex": "male", "resting_bp_mmhg": [150, 95]},
                       ["walk forward at 3.5 mph, 3% grade for 40 min"],
                       {"phases": [{"weeks": 4, "sessions_per_week": 3},
                                   {"weeks": 4, "sessions_per_week": 0}], "model": SPLIT})
    fall = float(ds.dbp_rest[0]) - ds.dbp_rest.values.astype(float)
    last = int(ds.session_day.values[-1])
    days = np.arange(fall.size - last - 1)
    loss = rp.diastolic(dr.THRESHOLD)
    expected = fall[last + 1] * dr.bp_decay(1.0, days + 1.0, loss) / dr.bp_decay(1.0, 1.0, loss)
    np.testing.assert_allclose(fall[last + 1:], expected, rtol=1e-4, atol=1e-5)  # float32


def test_the_model_is_registered_cited_and_not_the_default():
    entry = courses.TRAINING_MODELS[SPLIT]
    assert entry.function is courses.SPLIT_PRESSURE
    assert any("Kiernan" in r for r in entry.references)
    assert courses.DEFAULT_TRAINING_MODEL != SPLIT


def test_kiernan_2024_rows_are_calibration():
    sbp, dbp = rows("Kiernan et al. 2024")
    assert sbp.kind == dbp.kind == "calibration"
    assert sbp.model == pytest.approx(100.0, abs=10.0)   # stable by week 3
    assert dbp.model == pytest.approx(100.0, abs=10.0)   # stable by week 10


def test_leitao_2021_detraining_is_held_out():
    # "The three month DT period without exercise caused the reversal of BP improvements"
    for row in rows("Leitao et al. 2021"):
        assert row.kind == "validation"
        assert 0.0 <= row.model <= 25.0
