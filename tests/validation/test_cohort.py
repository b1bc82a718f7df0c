"""A published training cohort as its members (``retrosim.validation.cohort``): the baseline
distributions drawn, the prescription per member, and the programme walked."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from retrosim.physiology import energy
from retrosim.units import VO2_PER_MET, mph_to_mps
from retrosim.validation import cohort, groups
from retrosim.validation.cohort import Baseline, PublishedCohort

DREW = [g for g in groups.GAINS if "DREW" in g.group]
SHORT = {"weeks": 2, "sessions_per_week": 3}


def test_a_baseline_is_the_truncated_normal_of_its_published_mean_and_sd():
    # exact: the quantile of Phi(z) of the normal truncated to [low, high] (scipy's truncnorm)
    b = Baseline(57.0, 6.5, 45.0, 75.0)
    z = np.linspace(-4.0, 4.0, 41)
    expected = stats.truncnorm.ppf(stats.norm.cdf(z), (45.0 - 57.0) / 6.5, (75.0 - 57.0) / 6.5,
                                   loc=57.0, scale=6.5)
    assert b.quantile(z) == pytest.approx(expected, abs=1e-9)
    assert Baseline(84.0, 12.0).quantile(z) == pytest.approx(84.0 + 12.0 * z, abs=1e-9)


def test_members_are_the_same_women_for_every_group_and_seed_keyed():
    """Draws are keyed by member number: a larger draw begins with the smaller one, bit for
    bit; two DREW groups (different means) rank their women alike; another seed, others."""
    group = DREW[0].cohort
    small, large = cohort.members(group, 3, 50), cohort.members(group, 3, 120)
    for name, values in small.items():
        assert np.array_equal(values, large[name][:50])
    other = cohort.members(DREW[2].cohort, 3, 120)
    for name in ("age_yr", "mass_kg"):
        assert np.array_equal(np.argsort(large[name]), np.argsort(other[name]))
    assert not np.array_equal(cohort.members(group, 4, 50)["age_yr"], small["age_yr"])


def test_members_follow_the_published_baselines():
    """Over many members: age inside DREW's 45-75 y, absolute VO2max with the published mean
    and SD (Church et al. 2007: 1.30 +/- 0.25 L/min; to about 3 standard errors), mass and
    absolute VO2max correlated as asked (in ranks: the truncation of mass does not move
    them)."""
    group = DREW[0].cohort
    m = cohort.members(group, 0, 20000)
    assert m["age_yr"].min() >= 45.0 and m["age_yr"].max() <= 75.0
    absolute = m["vo2max_ml_kg_min"] * m["mass_kg"]
    assert np.mean(absolute) == pytest.approx(group.vo2max_ml_min.mean, abs=6.0)
    assert np.std(absolute) == pytest.approx(250.0, abs=5.0)
    # exact for a bivariate normal: Spearman's rank correlation is (6 / pi) asin(r / 2)
    rho = 6.0 / np.pi * np.arcsin(group.mass_vo2max_correlation / 2.0)
    assert stats.spearmanr(m["mass_kg"], absolute).statistic == pytest.approx(rho, abs=0.02)


def test_each_member_walks_the_treadmill_step_nearest_her_prescribed_vo2():
    target = np.linspace(3.0, 16.0, 131)
    speed = cohort.prescribed_speed_mph(target, "continuous")
    model = energy.ENERGY_MODELS["continuous"]

    def cost(mph):
        return VO2_PER_MET * np.asarray(model(mph_to_mps(mph), 0.0, 1.0), dtype=float)

    error = np.abs(cost(speed) - target)
    for neighbour in (speed - 0.1, speed + 0.1):
        inside = (neighbour >= 0.5 - 1e-9) & (neighbour <= 5.5 + 1e-9)
        assert np.all(error[inside] <= np.abs(cost(neighbour[inside]) - target[inside]) + 1e-12)
    assert np.all(np.diff(speed) >= 0.0) and speed[0] == 0.5


def test_weekly_minutes_give_the_dose_at_the_models_kcal():
    # exact: minutes x the energy model's gross kcal per minute per kg = the weekly dose
    speed = np.array([0.8, 1.6, 2.4])
    minutes = cohort.weekly_minutes(speed, 8.0, "continuous")
    met = energy.ENERGY_MODELS["continuous"](mph_to_mps(speed), 0.0, 1.0)
    assert minutes * energy.kcal_per_min(met, 1.0) == pytest.approx(8.0, rel=1e-12)
    scaled = cohort.weekly_minutes(speed, 8.0, "continuous", 135.8)
    assert scaled.mean() == pytest.approx(135.8, rel=1e-12)
    assert scaled / minutes == pytest.approx(np.full(3, scaled[0] / minutes[0]), rel=1e-12)


def test_a_walk_is_the_same_for_the_same_seed_and_each_member_her_own():
    """Same seed, same bits; and without the study's mean minutes (which tie a member's
    minutes to the others'), a member walks the same whatever the size of the group drawn."""
    group = dataclasses.replace(DREW[1].cohort, minutes_week=None)
    a, b = cohort.walk(group, SHORT, 5, 12), cohort.walk(group, SHORT, 5, 12)
    for name in a:
        assert np.array_equal(a[name], b[name])
    c = cohort.walk(group, SHORT, 5, 5)
    for name in c:
        assert np.array_equal(c[name], a[name][:5])
    gain = a["after"] - a["before"]
    assert np.all(np.isfinite(gain))


def test_drews_members_walk_its_published_minutes():
    """DREW's rows (Church et al. 2007): the members' weekly minutes average the group's
    published mean, and spread about as the published SDs (12.3, 19.5, 33.7 min; the
    correlation of mass and VO2max was chosen from them, so within a quarter)."""
    for row in DREW:
        walked = cohort.walk(row.cohort, SHORT, 0, 200)
        weekly = 3.0 * walked["minutes"]
        mean, sd = cohort.DREW_MINUTES[int(row.cohort.kcal_kg_week)]
        assert weekly.mean() == pytest.approx(mean, rel=1e-9)
        assert weekly.std() == pytest.approx(sd, rel=0.25)
        assert isinstance(row.cohort, PublishedCohort) and row.cohort.intensity_frac == 0.5
