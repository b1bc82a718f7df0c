"""The programme calendar: one clock, sessions as events, closed-form state between them."""

import numpy as np
import pytest

import retrosim
from retrosim.engine import programme
from retrosim.events import MODELS
from retrosim.model.scenario import Scenario
from retrosim.physiology import dose_response as dr
from retrosim.physiology import training

SUBJECT = {"mass_kg": 70, "age_yr": 60, "sex": "female", "berg": 40,
           "resting_bp_mmhg": [150, 92]}


def scenario(program=None, falls=False, subject=SUBJECT, **arms):
    arms = arms or {"backward": {"stages": ["walk backward at 1.5 mph for 15 min",
                                            "rest for 30 min"]}}
    data = {"name": "calendar", "seed": 4, "subject": subject, "arms": arms,
            "program": program or {"weeks": 12, "sessions_per_week": 3}}
    if not falls:
        data["falls"] = {"model": "none"}
    return Scenario.from_dict(data)


def test_a_36_session_programme_is_36_session_events(monkeypatch):
    calls = []
    real = programme.run_arm
    monkeypatch.setattr(programme, "run_arm", lambda *a, **k: calls.append(1) or real(*a, **k))
    ds = retrosim.Simulation(scenario()).run(intervals=False)
    assert len(calls) == 36
    calls.clear()           # one person: her plausible versions walk it once more, all at once
    retrosim.run(scenario())
    assert len(calls) == 72
    assert ds.sizes["session"] == 36 and ds.sizes["day"] == 85
    assert (ds.event_kind.values == "session").sum() == 36


def test_the_programme_dataset_contract():
    ds = retrosim.run(scenario(), subjects=3)
    for name in ("vo2max", "hr_rest", "sbp_rest", "dbp_rest", "berg", "backward_practice"):
        assert ds[name].dims == ("arm", "subject", "day"), name
        assert ds[name].attrs["units"] and ds[name].attrs["long_name"]
    for name in ("session_day", "energy_total", "vo2_peak", "hr_peak", "met_mean"):
        assert ds[name].dims == ("arm", "subject", "session"), name
    assert ds.day.values.tolist() == list(range(85))
    assert ds.session_day.values[0, 0, :4].tolist() == [0, 2, 4, 7]
    assert ds.attrs["seed"] == 4 and "Hickson" in ds.attrs["references"]


def test_each_session_uses_that_mornings_state():
    ds = retrosim.run(scenario(), subjects=2).isel(arm=0)
    days = ds.session_day.values[0].astype(int)
    np.testing.assert_allclose(ds.vo2max_used.values, ds.vo2max.values[:, days], rtol=1e-6)
    np.testing.assert_allclose(ds.hr_rest_used.values, ds.hr_rest.values[:, days], rtol=1e-6)


def test_state_between_sessions_is_the_closed_form():
    program = {"phases": [{"weeks": 2, "sessions_per_week": 3},
                          {"weeks": 4, "sessions_per_week": 0}], "model": "hickson-1981"}
    a = retrosim.run(scenario(program)).isel(arm=0, subject=0)
    v = a.vo2max.values.astype(float)
    v0, last = v[0], int(a.session_day.values[-1])
    gain = (v[last + 1:] / v0 - 1.0)
    expected = gain[0] * np.exp(-np.arange(gain.size) / training.TRAINING.vo2max_tau_days)
    np.testing.assert_allclose(gain, expected, rtol=1e-5, atol=1e-6)     # float32 storage
    p = a.backward_practice.values.astype(float)[last + 1:]
    np.testing.assert_allclose(p, p[0] * np.exp(-np.arange(p.size) / 60.0), rtol=1e-5,
                               atol=1e-4)
    assert np.all(np.diff(v[last + 1:]) <= 0)


@pytest.mark.parametrize(("model", "params"), [("dose-response", dr.DOSE),
                                               ("dose-response-threshold", dr.THRESHOLD)])
def test_dose_response_state_between_sessions_is_two_exponentials(model, params):
    """Entry VO2max is the sedentary norm, so all of the gain is trained state: after the last
    session it is F exp(-d / tau_fast) + S exp(-d / tau_slow), F and S from two mornings."""
    program = {"phases": [{"weeks": 2, "sessions_per_week": 3},
                          {"weeks": 4, "sessions_per_week": 0}], "model": model}
    a = retrosim.run(scenario(program)).isel(arm=0, subject=0)
    v = a.vo2max.values.astype(float)
    last = int(a.session_day.values[-1])
    gain = v[last:] - v[0]
    d = np.arange(gain.size)
    basis = np.stack([np.exp(-d / params.fast_tau_days), np.exp(-d / params.slow_tau_days)])
    fs = np.linalg.solve(basis[:, [1, -1]].T, gain[[1, -1]])
    np.testing.assert_allclose(gain[1:], (fs @ basis)[1:], rtol=1e-4, atol=1e-5)
    assert fs[0] > 0 and fs[1] >= 0 and np.all(np.diff(gain[1:]) < 0)


def test_falls_pause_or_stop_the_person():
    risky = {"mass_kg": 70, "age_yr": 80, "sex": "female", "berg": 25, "handrail": "none"}
    arms = {"b": {"stages": ["walk backward at 2.5 mph for 30 min"]}}
    for rule in ("pause", "stop"):
        program = {"weeks": 6, "sessions_per_week": 3, "on_fall": rule}
        ds = retrosim.run(scenario(program, falls=True, subject=risky, **arms), subjects=40)
        a = ds.isel(arm=0)
        fell, attended = a.fell.values, a.attended.values
        days = a.session_day.values[0]
        assert fell.any()
        for person, session in zip(*np.nonzero(fell), strict=True):
            later = days > days[session]
            if rule == "stop":
                assert not attended[person, later].any()
            else:
                back = days >= days[session] + 7
                assert not attended[person, later & ~back].any()
        kinds = set(a.event_kind.values)
        assert {"fall", rule} <= kinds


def test_progression_shows_in_the_session_protocols():
    arms = {"b": {"stages": ["walk backward at 1.5 mph for 5 min"],
                  "progression": {"speed_mph_per_week": 0.5, "max_speed_mph": 2.5}}}
    ds = retrosim.run(scenario({"weeks": 4, "sessions_per_week": 1}, **arms))
    assert ds.session_protocol.values[0].tolist() == [
        "walk backward at 1.5 mph for 5 min", "walk backward at 2 mph for 5 min",
        "walk backward at 2.5 mph for 5 min", "walk backward at 2.5 mph for 5 min"]
    assert np.all(np.diff(ds.energy_total.values[0, 0]) >= -1e-3)


def test_same_seed_same_programme_whatever_the_chunking():
    sc = scenario({"weeks": 3, "sessions_per_week": 3}, falls=True,
                  subject={"mass_kg": 70, "age_yr": 75, "sex": "male", "berg": 30})
    whole = programme.run_programme(sc, seed=9, subjects=300, models=MODELS)[0]
    parts = [programme.run_programme(sc, seed=9, subjects=n, first=f, models=MODELS)[0]
             for f, n in ((0, 100), (100, 200))]
    for name in whole.daily:
        np.testing.assert_array_equal(whole.daily[name], np.concatenate(
            [p.daily[name] for p in parts]), err_msg=name)
    for name in whole.sessions:
        np.testing.assert_array_equal(whole.sessions[name], np.concatenate(
            [p.sessions[name] for p in parts]), err_msg=name)


def test_session_seeds_differ_by_session():
    assert len({programme.session_seed(1, k) for k in range(36)}) == 36


def test_a_programme_without_program_is_refused():
    sc = Scenario.from_dict({"name": "s", "subject": SUBJECT,
                             "arms": {"a": {"stages": ["rest for 1 min"]}}})
    with pytest.raises(ValueError):
        programme.run_programme(sc, seed=0, subjects=1, models=MODELS)


def test_a_programme_too_big_for_memory_is_refused_before_it_starts():
    sc = scenario()
    need = programme.programme_bytes(sc, 1_000_000)
    assert need > 1_000_000 * 4 * 6 * 85          # at least the daily state
    with pytest.raises(retrosim.InputError) as info:
        programme.check_memory(sc, 1_000_000, free=need - 1)
    assert info.value.key == "subjects" and "retrosim sweep" in str(info.value)
