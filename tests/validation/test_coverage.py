"""``retrosim validate --coverage``: how much of published between-person distributions the 90 %
prediction intervals hold."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from retrosim.cli.main import main
from retrosim.physiology import heart, oxygen, resting_hr
from retrosim.results.intervals import TRAIT_SD
from retrosim.validation import coverage, groups

PAGE = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"


@pytest.fixture(scope="module")
def rows():
    return coverage.coverage_rows()


def test_the_share_inside_is_the_normal_distribution_s():
    # exact: a standard normal holds 90 % between its 5th and 95th percentiles
    assert coverage.share_inside(-1.6448536269514722, 1.6448536269514722, 0.0, 1.0) == \
        pytest.approx(90.0, abs=1e-9)
    assert coverage.share_inside(0.0, 100.0, 0.0, 1.0) == pytest.approx(50.0, abs=1e-9)


def test_an_interval_holds_ninety_percent_of_people_drawn_as_the_model_draws_them():
    """A group whose mean is the model's prediction and whose SD is the model's spread must be
    covered 90 %, up to the error of percentiles from 200 versions (about 3 points)."""
    age = 40.0
    group = groups.Published("model", "men 40 y", "hr_max_bpm", "male", age,
                               float(heart.tanaka_hr_max(age)), TRAIT_SD["hr_max_bpm"])
    low, high = coverage.interval(group)
    assert coverage.share_inside(low, high, group.mean, group.sd) == pytest.approx(90.0, abs=5)


def test_too_narrow_and_too_wide_are_both_outside_the_goal():
    group = groups.PUBLISHED[0]
    assert coverage.within_goal([coverage.CoverageRow(group, 0, 1, 90.0)])
    assert not coverage.within_goal([coverage.CoverageRow(group, 0, 1, 70.0)])
    assert not coverage.within_goal([coverage.CoverageRow(group, 0, 1, 99.5)])


def test_every_published_group_is_reported_with_its_interval_around_the_prediction(rows):
    assert [r.published for r in rows] == [*groups.PUBLISHED, *groups.GAINS]
    assert {r.published.kind for r in rows} == {"validation", "calibration"}
    for r in rows:
        assert 0.0 <= r.share_pct <= 100.0
        if isinstance(r.published, groups.PublishedGain):
            continue
        p = r.published
        sexes = ("female", "male") if p.sex == "both" else (p.sex,)
        for sex in sexes:
            if p.trait == "vo2max_ml_kg_min":
                prediction = float(oxygen.wasserman_vo2max(p.mass_kg, p.age_yr, sex == "female"))
                prediction *= p.mass_kg if p.absolute else 1.0
            elif p.trait == "hr_rest_bpm":
                prediction = float(resting_hr.default_hr_rest(sex == "female"))
            else:
                prediction = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](
                    p.age_yr, sex == "female"))
            assert r.low < prediction * p.reading_ratio < r.high


def test_resting_hr_is_checked_against_cohorts_other_than_the_one_its_spread_comes_from(rows):
    """The spread of resting HR is fitted to NHANES's prevalences (Ostchega et al. 2011), which
    give no SD and so no row: every cohort of resting HR is a validation row, the Fenland
    Study's (men and women together) among them."""
    rest = [r for r in rows if getattr(r.published, "trait", "") == "hr_rest_bpm"]
    assert {r.published.kind for r in rest} == {"validation"}
    assert {r.published.source for r in rest} == \
        {"Nauman et al. 2012", "Feng et al. 2024", "Gonzales et al. 2023"}
    assert "Ostchega" not in " ".join(r.published.source for r in rows)


def test_a_resting_hr_interval_is_that_of_the_group_s_sex(rows):
    """A woman's interval lies above a man's (the log-normals' 5th and 95th percentiles are
    58.6-94.0 and 54.5-91.3 min-1); a group of both lies between them. Each row's bounds lie
    within three standard errors of a percentile from 200 draws (2.4 min-1 at most) of its
    log-normal's."""
    rest = {r.published.sex: (r.low, r.high) for r in rows
            if getattr(r.published, "trait", "") == "hr_rest_bpm"
            and r.published.reading_ratio == 1.0}      # seated, as NHANES counted it
    assert rest["female"][0] > rest["male"][0] and rest["female"][1] > rest["male"][1]
    assert rest["male"][0] < rest["both"][0] < rest["female"][0]
    assert rest["male"][1] < rest["both"][1] < rest["female"][1]
    for sex in ("male", "female"):
        median, log_sd = resting_hr.LOGNORMAL[sex]
        for bound, z in zip(rest[sex], (-1.6449, 1.6449), strict=True):
            value = median * np.exp(log_sd * z)
            density = stats.norm.pdf(z) / (value * log_sd)
            se = np.sqrt(0.05 * 0.95 / 200) / density
            assert bound == pytest.approx(value, abs=3.0 * se)


def test_a_supine_reading_is_compared_as_the_seated_prediction_times_fenland_s_ratio(rows):
    """The Baseline Study's watch read resting HR with a resting ECG, lying supine (Feng et
    al. 2024): its rows hold the seated interval of the same person times 63.5 / 67.6, supine
    over seated resting HR in the same people (Gonzales et al. 2023). Scaling every version by
    one positive ratio scales their percentiles by it (exact up to rounding), so the interval
    is narrower and lower, not moved by a fitted offset."""
    assert groups.SUPINE_PER_SEATED == pytest.approx(63.5 / 67.6, abs=1e-15)
    feng = [r for r in rows if r.published.source == "Feng et al. 2024"]
    assert len(feng) == 2
    for r in feng:
        assert r.published.reading_ratio == groups.SUPINE_PER_SEATED
        seated = coverage.interval(dataclasses.replace(r.published, reading_ratio=1.0))
        assert (r.low, r.high) == pytest.approx(
            tuple(b * groups.SUPINE_PER_SEATED for b in seated), rel=1e-12)
    # every other row reads what the model predicts
    assert all(r.published.reading_ratio == 1.0 for r in rows
               if isinstance(r.published, groups.Published) and r not in feng)


def test_a_group_of_both_sexes_has_versions_of_both_in_its_proportion():
    fenland = next(g for g in groups.PUBLISHED if g.source == "Gonzales et al. 2023")
    assert fenland.sex == "both" and fenland.female_share == pytest.approx(5722 / 10865)
    women = dataclasses.replace(fenland, sex="female", female_share=None)
    men = dataclasses.replace(fenland, sex="male", female_share=None)
    assert coverage.interval(dataclasses.replace(fenland, female_share=1.0)) == \
        coverage.interval(women)
    assert coverage.interval(dataclasses.replace(fenland, female_share=0.0)) == \
        coverage.interval(men)


def test_the_gain_intervals_rise_with_drews_dose(rows):
    """DREW's three doses (Sisson et al. 2009): the published mean gains rise with the weekly
    minutes (29, 88, 106 mL/min); the model's true gains must rise with them (their medians
    and their intervals' upper bounds), and the intervals hold gains, not losses. The lower
    bounds are not ordered: in each group the 2-4 % of women whose prescribed treadmill step
    lies under the intensity floor gain nothing at any dose (4, 7 and 6 of 200 with the default
    walking-cost person term, which picks each woman's step for her own uptake; 7, 7 and 5
    without it), and the 5th percentile sits at the edge of that cluster (8.8 and 8.0 mL/min
    for 4 and 8 KKW), where which few women fall decides the order; from the 10th percentile up
    the gains rise with the dose."""
    drew = [g for g in groups.GAINS if "DREW" in g.group]
    assert [g.mean for g in drew] == [29.0, 88.0, 106.0]
    true = [coverage.gain_interval(g) for g in drew]
    assert all(0.0 < low < high for low, high in true)
    assert true[0][1] < true[1][1] < true[2][1]
    gains = [coverage._gains(g, 0, coverage.VERSIONS)[2] for g in drew]
    for q in (0.10, 0.5):
        a, b, c = (float(np.quantile(d, q)) for d in gains)
        assert a < b < c, q
    assert all(0.0 < float(np.mean(d == 0.0)) < 0.05 for d in gains)   # under the floor


def test_a_measured_gain_interval_holds_the_true_one_and_is_what_the_rows_report(rows):
    """A published gain is the difference of measured tests: the rows report the interval of
    measured gains, which, the tests' error being added to unimodal true gains, holds the
    interval of true gains and is wider on both sides."""
    for row in (r for r in rows if isinstance(r.published, groups.PublishedGain)):
        low, high = coverage.gain_interval(row.published)
        assert (row.low, row.high) == coverage.measured_gain_interval(row.published)
        assert row.low < low < high < row.high


def test_cli_prints_the_table_and_its_exit_status_follows_the_goal(capsys, rows):
    status = main(["validate", "--coverage"])
    out = capsys.readouterr().out
    assert status == (0 if coverage.within_goal(rows) else 1)
    assert "Loe et al. 2013" in out and "not checked:" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_docs_page_is_current(rows):
    """Regenerate with: retrosim validate --coverage --markdown > docs/coverage.md"""
    assert PAGE.read_text() == coverage.markdown(rows)


def test_drews_baseline_is_a_woman_of_its_mean_age_and_mass_in_ml_per_min(rows):
    """Church et al. 2007: 1.30 +/- 0.25 L/min on a cycle ergometer, 464 women of mean age 57;
    84 kg (1.30 L/min at 15.4 mL/kg/min, Ross et al. 2019). Her prediction, (84 + 43) x
    (22.78 - 0.17 x 57) = 1662 mL/min (Hansen et al. 1984's form), is the median of her
    versions in mL/min, and the interval spreads by FRIEND's SEE of 6.6 mL/kg/min at her
    19.8 mL/kg/min (de Souza e Silva et al. 2018): 1662 exp(+/-1.645 x 6.6 / 19.79) =
    960-2878 mL/min, up to the percentiles of 200 versions."""
    [row] = [r for r in rows if r.published.source == "Church et al. 2007"]
    p = row.published
    assert (p.kind, p.sex, p.age_yr, p.mass_kg, p.absolute) == \
        ("validation", "female", 57.0, 84.0, True)
    assert (p.mean, p.sd) == (1300.0, 250.0)
    predicted = (84.0 + 43.0) * (22.78 - 0.17 * 57.0)
    assert predicted == pytest.approx(1662.43, abs=0.01)
    half = 1.6449 * 6.6 / (predicted / 84.0)
    assert row.low == pytest.approx(predicted * np.exp(-half), rel=0.12)
    assert row.high == pytest.approx(predicted * np.exp(half), rel=0.12)
