"""Cohorts: [cohort] tables sampled into people, the same in any chunk and every arm."""

import copy
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import retrosim
from retrosim import InputError, randomness
from retrosim.model.cohort import CohortSpec, describe_preset, load_preset, presets
from retrosim.model.people import Cohort
from retrosim.model.scenario import Scenario
from retrosim.model.subject import BALANCE_LEVELS, HANDRAIL_LEVELS, LIMITS, SEXES, Subject
from retrosim.physiology.balance import level_from_berg
from retrosim.physiology.oxygen import FITNESS_LEVELS

ARMS = {"walk": {"stages": ["walk backward at 1.5 mph for 2 min"]}}
BASE = {"size": 100, "mass_kg": 70, "age_yr": 60, "sex": "female"}


def spec(**keys):
    return CohortSpec.from_table({**BASE, **keys})


def scenario(cohort, **top):
    return Scenario.from_dict({"name": "cohort-test", "cohort": cohort, "arms": ARMS, **top})


# ------------------------------------------------------------------------------------------
# the same people whatever the chunk


@settings(max_examples=20, deadline=None)
@given(first=st.integers(0, 3 * randomness.BLOCK), length=st.integers(1, 2 * randomness.BLOCK))
def test_a_chunk_of_the_cohort_is_bit_identical_to_the_same_rows_of_the_whole(first, length):
    people = CohortSpec.from_table({"preset": "older-after-knee-surgery", "size": 10})
    whole = people.sample(first + length, seed=11)
    chunk = people.sample(length, seed=11, first=first)
    for f in dataclasses.fields(Cohort):
        a, b = getattr(whole, f.name)[first:], getattr(chunk, f.name)
        assert a.tobytes() == b.tobytes() and a.dtype == b.dtype, f.name


def test_same_seed_same_people_and_another_seed_other_people():
    people = CohortSpec.from_table({"preset": "hypertensive-adults", "size": 10})
    a, b, c = people.sample(500, 1), people.sample(500, 1), people.sample(500, 2)
    assert a.mass_kg.tobytes() == b.mass_kg.tobytes()
    assert not np.array_equal(a.mass_kg, c.mass_kg)


def test_a_new_distribution_for_one_key_leaves_every_other_draw_alone():
    """Each key draws from its own stream: the same people, one trait changed."""
    before = spec(mass_kg={"dist": "normal", "mean": 75, "sd": 12}).sample(2000, 5)
    after = spec(mass_kg={"dist": "normal", "mean": 75, "sd": 12},
                 hr_rest_bpm={"dist": "uniform", "min": 55, "max": 90}).sample(2000, 5)
    assert before.mass_kg.tobytes() == after.mass_kg.tobytes()
    # before: every woman at the default of her sex, 74 (Ostchega et al. 2011)
    assert np.ptp(after.hr_rest_bpm) > 30 and np.all(before.hr_rest_bpm == 74.0)


# ------------------------------------------------------------------------------------------
# the distributions are the ones named


def test_truncated_normal_has_the_exact_mean_and_sd_of_its_distribution():
    """Analytic moments of the normal truncated to [min, max] (scipy.stats.truncnorm)."""
    n = 200_000
    age = spec(age_yr={"dist": "normal", "mean": 68, "sd": 10, "min": 55, "max": 90}
               ).sample(n, 3).age_yr
    exact = stats.truncnorm((55 - 68) / 10, (90 - 68) / 10, loc=68, scale=10)
    assert age.min() >= 55 and age.max() <= 90
    assert abs(age.mean() - exact.mean()) < 4 * exact.std() / math.sqrt(n)
    assert abs(age.std() - exact.std()) < 0.01 * exact.std()


def test_normal_without_bounds_is_truncated_to_the_keys_allowed_range():
    mass = spec(mass_kg={"dist": "normal", "mean": 40, "sd": 30}).sample(50_000, 1).mass_kg
    low, high, _ = LIMITS["mass_kg"]
    assert mass.min() >= low and mass.max() <= high and mass.min() < 31


def test_uniform_is_flat_between_its_bounds():
    hr = spec(hr_rest_bpm={"dist": "uniform", "min": 55, "max": 85}).sample(100_000, 2
                                                                           ).hr_rest_bpm
    counts, _ = np.histogram(hr, bins=6, range=(55, 85))
    assert hr.min() >= 55 and hr.max() < 85
    assert stats.chisquare(counts).pvalue > 1e-4


def test_categorical_shares_come_out_in_proportion():
    n = 100_000
    people = spec(sex={"female": 0.6, "male": 0.4},
                  balance={"good": 0.5, "moderate": 0.3, "impaired": 0.2}).sample(n, 4)
    assert abs(people.female.mean() - 0.6) < 4 * math.sqrt(0.24 / n)
    shares = np.bincount(people.balance, minlength=4) / n
    np.testing.assert_allclose(shares, [0.5, 0.3, 0.2, 0.0], atol=4 * math.sqrt(0.25 / n))


def test_sex_sets_the_default_height_when_height_is_not_drawn():
    people = spec(sex={"female": 0.5, "male": 0.5}).sample(1000, 4)
    assert set(people.height_cm[people.female]) == {162.0}
    assert set(people.height_cm[~people.female]) == {175.0}


def test_mass_and_height_are_correlated_as_asked():
    people = spec(mass_kg={"dist": "normal", "mean": 80, "sd": 10, "min": 30, "max": 250,
                           "correlation": {"height_cm": 0.45}},
                  height_cm={"dist": "normal", "mean": 170, "sd": 8, "min": 120, "max": 220}
                  ).sample(200_000, 6)
    r = np.corrcoef(people.mass_kg, people.height_cm)[0, 1]
    assert r == pytest.approx(0.45, abs=0.01)


def test_berg_is_drawn_as_whole_points_and_sets_the_balance_level():
    people = spec(berg={"dist": "uniform", "min": 30, "max": 50}).sample(20_000, 8)
    assert np.all(people.berg == np.round(people.berg))
    assert set(people.berg.astype(int)) == set(range(30, 51))
    np.testing.assert_array_equal(people.balance, level_from_berg(people.berg))


def test_keys_not_named_take_the_subject_defaults():
    people = spec(age_yr={"dist": "uniform", "min": 30, "max": 40}).sample(10, 1)
    typical = Subject(mass_kg=70, age_yr=35, sex="female")
    alone = Cohort.from_subject(typical, 10)
    for f in dataclasses.fields(Cohort):
        if f.name not in ("age_yr", "responsiveness"):
            a, b = getattr(people, f.name), getattr(alone, f.name)
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name
    # one person is the average responder; each member of a cohort draws her own response
    assert np.all(alone.responsiveness == 1.0) and np.all(np.isnan(people.responsiveness))


def test_every_subject_key_can_be_drawn():
    """Any subject key, including ones added later, can be drawn (numbers) or shared out."""
    levels = {"sex": SEXES, "balance": BALANCE_LEVELS, "handrail": HANDRAIL_LEVELS,
              "fitness": FITNESS_LEVELS}
    drawn = 0
    for f in dataclasses.fields(Subject):
        if f.name == "trait_sd":          # the sds of {mean, sd} traits, not a key of its own
            continue
        if f.name in levels:
            table = {level: 1 / len(levels[f.name]) for level in levels[f.name]}
        elif isinstance(f.default, bool):                   # a yes-or-no key
            table = {"true": 0.5, "false": 0.5}
        elif f.name in LIMITS:
            low, high, _ = LIMITS[f.name]
            table = {"dist": "uniform", "min": low, "max": high}
        elif f.name == "resting_bp_mmhg":
            table = [{"dist": "uniform", "min": 120, "max": 160},
                     {"dist": "uniform", "min": 60, "max": 100}]
        else:
            pytest.fail(f"subject key {f.name} has no allowed range (subject.LIMITS) or levels")
        people = CohortSpec.from_table({**BASE, f.name: table}).sample(400, 9)
        before = Cohort.from_subject(CohortSpec.from_table(BASE).subject, 400)
        varied = [g.name for g in dataclasses.fields(Cohort)
                  if g.name != "index" and len(np.unique(getattr(people, g.name))) > 1
                  and not np.array_equal(getattr(people, g.name), getattr(before, g.name))]
        assert varied, f"drawing {f.name} changed no one"
        drawn += 1
    assert drawn == len(dataclasses.fields(Subject)) - 1     # all but trait_sd


def test_resting_pressure_pairs_are_drawn_within_their_bounds():
    people = CohortSpec.from_table({"preset": "hypertensive-adults", "size": 1}).sample(50_000, 3)
    assert people.sbp_rest.min() >= 130 and people.dbp_rest.max() <= 125
    assert np.all(people.dbp_rest < people.sbp_rest)


# ------------------------------------------------------------------------------------------
# scenarios with a [cohort]


def test_run_samples_the_cohort_size_by_default_and_the_same_people_walk_every_arm():
    arms = {"a": {"stages": ["walk forward at 3 mph for 5 min"]},
            "b": {"stages": ["walk backward at 2 mph for 5 min"]}}
    cohort = {"preset": "healthy-young-adults", "size": 40}
    sc = Scenario.from_dict({"name": "cohort-run", "cohort": cohort, "arms": arms})
    ds = retrosim.run(sc, traces=False)
    assert ds.sizes["subject"] == 40 and float(ds.hr_peak.std()) > 1.0
    only_b = Scenario.from_dict({"name": "cohort-run", "cohort": cohort,
                                 "arms": {"b": arms["b"]}})
    alone = retrosim.run(only_b, traces=False)
    assert alone.hr_peak.sel(arm="b").values.tobytes() == \
        ds.hr_peak.sel(arm="b").values.tobytes()
    assert sc.subject == CohortSpec.from_table(cohort).subject
    assert retrosim.run(sc, subjects=7, traces=False).sizes["subject"] == 7


def test_a_subject_scenario_is_unchanged_by_the_cohort_machinery():
    sc = retrosim.load_scenario("compendium-2011")
    assert sc.cohort is None
    assert retrosim.run(sc).energy_total.round().values[:, 0].tolist() == [46.0, 64.0, 85.0]


def test_presets_are_bundled_documented_and_valid():
    assert set(presets()) >= {"older-after-knee-surgery", "hypertensive-adults",
                              "healthy-young-adults"}
    for name, path in presets().items():
        assert path.read_text().startswith("#"), name
        assert "unverified" in path.read_text(), name
        assert describe_preset(name)
        people = CohortSpec.from_table({"preset": name, "size": 1}).sample(5000, 1)
        assert people.size == 5000


def test_scenario_keys_override_the_preset_and_berg_replaces_its_balance():
    people = CohortSpec.from_table({"preset": "older-after-knee-surgery", "size": 10,
                                    "age_yr": 80, "berg": 38})
    assert people.subject.age_yr == 80.0 and people.subject.berg == 38.0
    assert "balance" not in people.table and load_preset("older-after-knee-surgery")["balance"]


# ------------------------------------------------------------------------------------------
# bad input: one line naming the file and the key


@pytest.mark.parametrize(("cohort", "key", "allowed"), [
    ({**BASE, "size": 0}, "cohort.size", "1-10,000,000"),
    ({**BASE, "size": 2.5}, "cohort.size", "1-10,000,000"),
    ({k: v for k, v in BASE.items() if k != "size"}, "cohort.size", "whole number"),
    ({**BASE, "age_yr": {"dist": "normal", "mean": 60, "sd": -3}}, "cohort.age_yr.sd", ">= 0"),
    ({**BASE, "age_yr": {"dist": "normal", "mean": 60}}, "cohort.age_yr.sd", "number"),
    ({**BASE, "age_yr": {"dist": "normal", "mean": 60, "sd": 5, "min": 10}},
     "cohort.age_yr.min", "18-100"),
    ({**BASE, "age_yr": {"dist": "uniform", "min": 60, "max": 40}}, "cohort.age_yr.max", "40"),
    ({**BASE, "age_yr": {"dist": "normal", "mean": 95, "sd": 5, "max": 90}},
     "cohort.age_yr.mean", "90"),
    ({**BASE, "age_yr": {"dist": "gamma", "mean": 60}}, "cohort.age_yr.dist", "normal"),
    ({**BASE, "age_yr": {"dist": "normal", "mean": 60, "sd": 5, "scale": 2}},
     "cohort.age_yr.scale", "mean"),
    ({**BASE, "sex": {"female": 0.7, "male": 0.4}}, "cohort.sex", "add up to 1"),
    ({**BASE, "sex": {"female": 1.2, "male": -0.2}}, "cohort.sex.male", "0-1"),
    ({**BASE, "sex": {"female": 0.5, "other": 0.5}}, "cohort.sex.other", "female | male"),
    ({**BASE, "weight_lb": 150}, "cohort.weight_lb", "size, preset"),
    ({**BASE, "preset": "astronauts"}, "cohort.preset", "older-after-knee-surgery"),
    ({**BASE, "mass_kg": {"dist": "normal", "mean": 70, "sd": 9,
                          "correlation": {"sex": 0.3}}}, "cohort.mass_kg.correlation.sex", None),
    ({**BASE, "mass_kg": {"dist": "normal", "mean": 70, "sd": 9, "correlation": {
        "height_cm": 0.9, "age_yr": 0.9}},
      "height_cm": {"dist": "normal", "mean": 170, "sd": 9, "correlation": {"age_yr": -0.9}},
      "age_yr": {"dist": "normal", "mean": 50, "sd": 9}}, "cohort.mass_kg.correlation",
     "smaller"),
    ({**BASE, "mass_kg": {"dist": "normal", "mean": 70, "sd": 9,
                          "correlation": {"height_cm": 1.5}},
      "height_cm": {"dist": "normal", "mean": 170, "sd": 9}},
     "cohort.mass_kg.correlation.height_cm", "-1 to 1"),
    ({**BASE, "resting_bp_mmhg": [{"dist": "normal", "mean": 140, "sd": 10},
                                  {"dist": "normal", "mean": 90, "sd": 10}]},
     "cohort.resting_bp_mmhg", "min and max"),
    ({**BASE, "balance": "good", "berg": {"dist": "uniform", "min": 30, "max": 50}},
     "cohort.berg", "not both"),
])
def test_bad_cohorts_get_one_line_naming_the_key(cohort, key, allowed):
    with pytest.raises(InputError) as info:
        scenario(cohort)
    message = str(info.value)
    assert message.startswith(f"scenario: {key}") or f": {key}" in message, message
    assert "\n" not in message
    if allowed:
        assert allowed in message, message


def test_a_scenario_has_a_subject_or_a_cohort_not_both():
    with pytest.raises(InputError, match=r"cohort: a scenario has \[subject\] or \[cohort\]"):
        scenario(BASE, subject={"mass_kg": 70, "age_yr": 60, "sex": "male"})
    with pytest.raises(InputError, match="subject: is required; allowed: .*or \\[cohort\\]"):
        Scenario.from_dict({"name": "x", "arms": ARMS})


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10, 300),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                   st.sampled_from(["normal", "uniform", "female", "good", "height_cm"]))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["dist", "mean", "sd", "min", "max", "correlation",
                                     "female", "male", "good", "height_cm"]), inner,
                    max_size=4)), max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(["size", "preset", "age_yr", "mass_kg", "sex", "balance", "berg",
                            "resting_bp_mmhg", "height_cm", "fitness"]), value=VALUES)
def test_any_cohort_value_loads_or_gets_a_one_line_error(key, value):
    table = copy.deepcopy({"preset": "older-after-knee-surgery", "size": 10})
    table[key] = value
    try:
        sc = scenario(table)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith("scenario: ")
        return
    people = sc.cohort.sample(20, 1)
    assert people.size == 20
