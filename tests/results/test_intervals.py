"""90 % prediction intervals of a [subject] run: seeded, independent of --subjects, narrower
when the measured value is given; cohorts keep their between-person spread."""

import dataclasses

import numpy as np
import pytest

import retrosim
from retrosim.results import intervals

SUBJECT = {"mass_kg": 68.0, "age_yr": 58, "sex": "female", "resting_bp_mmhg": [142, 88]}
STAGES = ["walk forward at 2.0 mph for 5 min", "walk backward at 1.8 mph for 10 min",
          "rest for 40 min"]


def scenario(**subject):
    return retrosim.Scenario.from_dict({"name": "i", "seed": 3,
                                        "subject": {**SUBJECT, **subject},
                                        "arms": {"a": {"stages": STAGES}}})


def width(ds, name):
    return float(ds[f"{name}_high"].values[0] - ds[f"{name}_low"].values[0])


@pytest.fixture(scope="module")
def predicted():
    return retrosim.run(scenario(), traces=False)


def test_a_subject_run_has_cf_intervals_around_each_summary(predicted):
    for name in ("energy_total", "vo2_peak", "hr_peak", "met_mean", "sbp_post", "dbp_post"):
        low, high = predicted[f"{name}_low"], predicted[f"{name}_high"]
        assert low.dims == ("arm",) and float(low[0]) <= float(predicted[name][0, 0]) <= \
            float(high[0]), name
        assert low.attrs["interval"] == "90% prediction interval"
        assert low.attrs["units"] == predicted[name].attrs["units"]
        assert "lower bound" in low.attrs["long_name"]
    assert predicted.attrs["uncertainty"].startswith("within-person")


def test_giving_the_measured_vo2max_narrows_the_intervals(predicted):
    """Heart rate rests on %VO2max; VO2 itself is the demand, capped at VO2max. Her predicted
    VO2max, 21.1 mL/kg/min, spreads 6.6 / 21.1 = 0.31 on the log scale, so her lowest
    versions (about 9-12 mL/kg/min) cannot meet the backward stage's peak demand (about 12):
    their VO2 peak is their VO2max. The upper bound, the demand, is known without VO2max; the
    lower one narrows once VO2max is measured."""
    measured = retrosim.run(scenario(vo2max_ml_kg_min=24.0), traces=False)
    assert width(measured, "hr_peak") < width(predicted, "hr_peak")
    assert float(measured.vo2_peak_high[0]) == pytest.approx(float(predicted.vo2_peak_high[0]))
    assert float(measured.vo2_peak_low[0]) > float(predicted.vo2_peak_low[0])
    assert "vo2max_ml_kg_min" in measured.attrs["uncertainty"]
    all_measured = retrosim.run(scenario(vo2max_ml_kg_min=24.0, hr_max_bpm=165.0,
                                         hr_rest_bpm=72.0), traces=False)
    assert width(all_measured, "hr_peak") < width(measured, "hr_peak")


def test_the_same_seed_gives_the_same_intervals_whatever_subjects(predicted):
    many = retrosim.run(scenario(), subjects=5, traces=False)
    for name in ("energy_total", "hr_peak", "sbp_post"):
        np.testing.assert_array_equal(many[f"{name}_low"], predicted[f"{name}_low"])
        np.testing.assert_array_equal(many[f"{name}_high"], predicted[f"{name}_high"])
    other = retrosim.run(scenario(), seed=4, traces=False)
    assert float(other.hr_peak_high[0]) != float(predicted.hr_peak_high[0])


def test_a_cohort_keeps_its_between_person_spread_and_says_so():
    ds = retrosim.run(retrosim.load_scenario("knee-rehab-six-protocols"), subjects=20,
                      traces=False)
    assert "energy_total_low" not in ds
    assert ds.attrs["uncertainty"].startswith("between-person")


def test_the_energy_model_error_is_its_rms_error_on_the_2011_codes():
    assert intervals.energy_model_error("compendium-2011") == 0.0
    assert intervals.energy_model_error("acsm") > intervals.energy_model_error("continuous")


def test_simulation_versions_are_the_person_then_the_versions_of_the_intervals():
    sc = retrosim.load_scenario("knee-rehab-first-session")
    quiet = dataclasses.replace(sc, falls=dataclasses.replace(sc.falls, model="none"))
    ds = retrosim.run(quiet, traces=False)
    arms = list(retrosim.Simulation(quiet).versions(intervals.VERSIONS))
    for arm, session in zip(sc.arms, arms, strict=True):
        hr = session.trajectory.summary()["hr_peak"]
        person = float(ds.hr_peak.sel(arm=arm, subject=0))
        assert hr[0] == pytest.approx(person, rel=1e-6)                 # the person as given
        low, high = np.quantile(hr[1:], intervals.QUANTILES)            # the same versions
        assert float(ds.hr_peak_low.sel(arm=arm)) == pytest.approx(min(low, person), rel=1e-6)
        assert float(ds.hr_peak_high.sel(arm=arm)) == pytest.approx(max(high, person),
                                                                     rel=1e-6)


def test_a_fitted_trait_sets_its_own_spread(predicted):
    """{mean, sd}: the run uses the mean; the intervals draw the trait with its sd, so a small
    sd narrows them (as a measured value does) and a larger one widens them again."""
    sharp = retrosim.run(scenario(hr_max_bpm={"mean": 158.0, "sd": 1.0, "from": "fit"},
                                  hr_rest_bpm={"mean": 64.0, "sd": 1.0, "from": "fit"}),
                         traces=False)
    loose = retrosim.run(scenario(hr_max_bpm={"mean": 158.0, "sd": 8.0, "from": "fit"},
                                  hr_rest_bpm={"mean": 64.0, "sd": 8.0, "from": "fit"}),
                         traces=False)
    plain = retrosim.run(scenario(hr_max_bpm=158.0, hr_rest_bpm=64.0), traces=False)
    assert float(sharp.hr_peak.values[0, 0]) == float(plain.hr_peak.values[0, 0])
    assert width(sharp, "hr_peak") < width(loose, "hr_peak")
    assert width(sharp, "hr_peak") < width(predicted, "hr_peak")
    assert "with their sd: hr_max_bpm, hr_rest_bpm" in sharp.attrs["uncertainty"]


@pytest.mark.parametrize(("value", "message"), [
    ({"mean": 60.0}, "needs both mean and sd"),
    ({"mean": 60.0, "sd": 0.0}, "hr_rest_bpm.sd: is not above 0"),
    ({"mean": 300.0, "sd": 2.0}, "hr_rest_bpm.mean"),
    ({"mean": 60.0, "sd": 2.0, "by": "me"}, "hr_rest_bpm.by: is not a part"),
    ({"mean": 60.0, "sd": 2.0, "from": "a b"}, "is not a short word"),
])
def test_a_bad_uncertain_trait_is_one_line(value, message):
    with pytest.raises(retrosim.InputError) as err:
        scenario(hr_rest_bpm=value)
    assert message in str(err.value) and "subject." in str(err.value)


def test_only_the_fittable_traits_take_the_uncertain_form():
    with pytest.raises(retrosim.InputError, match="mass_kg: takes a plain value"):
        retrosim.Scenario.from_dict({"name": "i", "subject": {
            **SUBJECT, "mass_kg": {"mean": 68.0, "sd": 1.0}}, "arms": {"a": {"stages": STAGES}}})


def test_programme_versions_are_the_person_then_her_plausible_versions():
    """A programme design walks the person (subject 0, bit for bit the run's) and plausible
    versions of her, each with her own predicted traits and random events."""
    sc = retrosim.load_scenario("knee-rehab-six-weeks")
    ds = retrosim.Simulation(sc).dataset(traces=False, intervals=False)
    versions = retrosim.Simulation(sc).programme_versions(8)
    assert versions.sizes["subject"] == 9
    for name in ("vo2max", "berg", "sbp_rest", "energy_exercise"):
        np.testing.assert_array_equal(versions[name].isel(subject=0).values,
                                      ds[name].isel(subject=0).values)
    start = versions.vo2max.isel(arm=0, day=0).values
    assert np.unique(start).size == start.size          # each version her own predicted VO2max


def test_programme_versions_need_a_programme():
    with pytest.raises(retrosim.InputError, match="program"):
        retrosim.Simulation(retrosim.load_scenario("knee-rehab-first-session")
                            ).programme_versions(3)


def test_the_predicted_vo2max_spreads_by_friends_standard_error_at_the_prediction():
    """de Souza e Silva et al. 2018 (FRIEND, 7,617 adults, age, sex, mass and height): SEE 6.6
    mL/kg/min. A woman of 68 kg and 58 y is predicted (22.78 - 0.17 x 58)(68 + 43) / 68 =
    21.09 mL/kg/min (Hansen et al. 1984's form), so her log VO2max spreads 6.6 / 21.09 = 0.313
    (the SEE over her prediction, to first order). From 200 versions an SD carries a relative
    SE of 5 % and the median one of 2.8 % (1.25 x 0.313 / sqrt(200)): three of each allowed."""
    predicted = (22.78 - 0.17 * 58) * (68 + 43) / 68
    assert float(intervals.vo2max_log_sd(predicted)) == pytest.approx(6.6 / predicted)
    cohort = intervals.versions(scenario(), seed=3)
    logs = np.log(cohort.vo2max_ml_kg_min)
    assert float(np.median(cohort.vo2max_ml_kg_min)) == pytest.approx(predicted, rel=0.085)
    assert float(np.std(logs)) == pytest.approx(6.6 / predicted, rel=0.15)
    # the same SEE is a smaller share of a higher prediction: a man of 35 y and 75 kg
    man = (50.72 - 0.372 * 35)
    assert float(intervals.vo2max_log_sd(man)) == pytest.approx(6.6 / man)
    assert float(intervals.vo2max_log_sd(man)) < float(intervals.vo2max_log_sd(predicted))
