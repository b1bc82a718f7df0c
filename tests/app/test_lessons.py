"""The teaching view's curves are the model functions', at published and exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import retrosim
from retrosim.app import lessons
from retrosim.physiology import energy, epoc, heart, hypotension, oxygen, peh_course, peh_models
from retrosim.units import MPS_PER_MPH, VO2_PER_MET


def test_compendium_2011_codes_at_3_5_mph_forward_backward_and_uphill():
    # Ainsworth et al. 2011: 17200 forward 4.3 MET; 17320 backward 6.0; 17325 backward 5 % 8.0
    t = lessons.Traits(speed_mph=3.5, energy_model="compendium-2011")
    level = lessons.energy_curves(t)
    uphill = lessons.energy_curves(lessons.Traits(speed_mph=3.5, grade_pct=5.0,
                                                  energy_model="compendium-2011"))
    assert (float(level["forward"]), float(level["backward"]), float(uphill["backward"])) == \
        (4.3, 6.0, 8.0)


def test_energy_curves_are_the_chosen_model_with_the_handrail():
    t = lessons.Traits(handrail="grip", grade_pct=3.0, energy_model="continuous")
    c = lessons.energy_curves(t)
    v = c["speed_mph"] * MPS_PER_MPH
    bare = energy.ENERGY_MODELS["continuous"](v, 0.03, -1)
    np.testing.assert_array_equal(c["backward_by_speed"],
                                  energy.apply_handrail(bare, np.full(v.shape, 2)))
    assert (np.diff(c["forward_by_grade"]) >= 0).all()


def test_kinetics_reach_63_percent_after_one_tau_and_repay_the_deficit():
    t = lessons.Traits(minutes=20.0)
    k = lessons.kinetics(t)
    tau = k["tau_s"]
    c = t.person
    assert tau == float(oxygen.vo2_time_constant(c.age_yr, c.fitness)[0])
    rise = k["steady"] - VO2_PER_MET
    at_tau = np.interp(tau, k["time_s"], k["vo2"])         # the slow part is 0 until the end
    assert at_tau - VO2_PER_MET == pytest.approx(rise * (1 - math.exp(-1)), rel=1e-3)
    assert k["deficit"] == pytest.approx(rise * tau / 60.0)
    assert k["epoc_fast"] == pytest.approx(k["deficit"], rel=1e-9)   # 20 min >> tau
    intensity = k["steady"] / t.vo2max
    (rapid, _), (prolonged, _) = epoc.intensity_duration(intensity, 20.0, t.person.female[0],
                                                         t.vo2max)
    assert float(rapid) == pytest.approx(24.0 * intensity / 0.7)   # the default model
    assert k["epoc_slow"] == pytest.approx(float(rapid + prolonged), rel=1e-12)
    # the window repays the rapid component and the first part of the 4-h prolonged one
    assert float(rapid) < k["epoc_slow_shown"] < k["epoc_slow"]
    after = k["time_s"] > k["bout_s"]
    extra = np.trapezoid(k["vo2"][after] - k["vo2_fast"][after], k["time_s"][after] / 60.0)
    assert extra == pytest.approx(k["epoc_slow_shown"], rel=0.02)   # the curve holds it


def test_heart_rate_runs_from_rest_to_hrmax_and_backward_above_forward():
    t = lessons.Traits(age_yr=40.0, hr_rest_bpm=60.0)
    h = lessons.heart_rate(t)
    assert h["hr_forward"][0] == 60.0 and h["hr_max"] == 180.0       # Tanaka: 208 - 0.7 x 40
    assert h["hr_forward"][-1] == pytest.approx(180.0, rel=1e-12)   # 100 %VO2max: HRmax
    assert (np.diff(h["hr_forward"]) >= 0).all()
    assert (h["hr_backward"] >= h["hr_forward"]).all()
    assert h["stage_hr"][1] > h["stage_hr"][0]                        # backward costs more
    model = heart.HR_MODELS[t.heart_model]
    np.testing.assert_array_equal(h["hr_backward"], model(
        np.linspace(VO2_PER_MET, t.vo2max, 200), VO2_PER_MET, t.vo2max, 60.0, 180.0, -1.0, 0.0))


def test_the_first_heart_rate_model_is_swain_1998():
    t = lessons.Traits(age_yr=40.0, hr_rest_bpm=60.0, heart_model="swain-1998-hrr")
    h = lessons.heart_rate(t)
    mid = np.searchsorted(h["percent_vo2r"], 50.0)
    p = h["percent_vo2r"][mid]
    assert h["hr_forward"][mid] == pytest.approx(60 + (1.03 * p + 1.5) / 100 * 120)
    np.testing.assert_array_equal(h["hr_forward"], h["hr_backward"])


def test_peh_is_the_drop_at_the_nadir_times_the_shape():
    t = lessons.Traits(sbp=150.0, dbp=95.0, speed_mph=4.0, grade_pct=8.0, minutes=30.0,
                       sex="male", age_yr=40.0, mass_kg=70.0)     # well above 60 % VO2max
    p = lessons.peh(t)
    nadir = np.argmin(p["sbp"])
    assert p["hours"][nadir] == pytest.approx(0.25, abs=0.05)         # MacDonald 2000: 15 min
    assert float(p["drop_sbp"]) == pytest.approx(19.0)                # Kenney & Seals 1993
    assert p["sbp"][0] == 150.0
    model = peh_models.PEH_MODELS[peh_models.DEFAULT_PEH_MODEL]
    recovery = peh_course.recovery_tau(40.0, 150.0, model)        # this person's tail
    shape = peh_course.peh_shape(p["hours"] * 3600.0, model, recovery,
                                  hypotension.onset_tau_for_nadir(model.nadir_s, recovery))
    np.testing.assert_allclose(p["dbp"], 95.0 - float(p["drop_dbp"]) * shape)


@pytest.mark.parametrize("name", ["energy", "kinetics", "heart", "peh"])
def test_each_lesson_draws_and_names_its_sources(name):
    t = lessons.Traits()
    fig = lessons.figure(name, t)
    assert fig.axes and all(ax.lines for ax in fig.axes)
    rows = lessons.sources(name, t)
    model = "retrosim.physiology.energy_continuous.continuous_met ('continuous')"
    assert rows[0][0].startswith(model)
    assert all(text for _, text in rows)
    assert all(".md" not in text for _, text in rows)       # sources, not files


def test_sources_name_tanaka_and_the_compendium():
    t = lessons.Traits(energy_model="compendium-2011")
    text = " ".join(s for _, s in lessons.sources("heart", t))
    assert "Tanaka" in text and "Ainsworth" in text
    assert heart.tanaka_hr_max in lessons.functions("heart", t)
    assert "Swain" in text and "Heath" in text                    # the default HR model


def test_a_bad_slider_combination_is_the_model_s_message():
    with pytest.raises(retrosim.InputError, match="diastolic 120 is not below systolic 110"):
        lessons.peh(lessons.Traits(sbp=110.0, dbp=120.0))
