"""``retrosim validate --coverage``: how much of published between-person distributions the 90 %
prediction intervals hold."""

from pathlib import Path

import numpy as np
import pytest

from retrosim.cli.main import main
from retrosim.model.subject import DEFAULTS
from retrosim.physiology import heart, oxygen
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
        if p.trait == "vo2max_ml_kg_min":
            prediction = float(oxygen.wasserman_vo2max(p.mass_kg, p.age_yr, p.sex == "female"))
            prediction *= p.mass_kg if p.absolute else 1.0
        elif p.trait == "hr_rest_bpm":
            prediction = DEFAULTS["hr_rest_bpm"]
        else:
            prediction = float(heart.HR_MAX_MODELS[heart.DEFAULT_HR_MAX_MODEL](
                p.age_yr, p.sex == "female"))
        assert r.low < prediction < r.high


def test_resting_hr_is_checked_against_cohorts_other_than_the_one_its_spread_comes_from(rows):
    """The spread of resting HR is the Fenland Study's SD (Gonzales et al. 2023: 67.6 +/- 9.8
    bpm seated), so that row is calibration; HUNT 1 (Nauman et al. 2012) and the Project
    Baseline Health Study (Feng et al. 2024) are validation rows."""
    rest = [r for r in rows if getattr(r.published, "trait", "") == "hr_rest_bpm"]
    calibration = [r.published for r in rest if r.published.kind == "calibration"]
    assert [(p.mean, p.sd) for p in calibration] == [(67.6, TRAIT_SD["hr_rest_bpm"])]
    assert {r.published.source for r in rest if r.published.kind == "validation"} == \
        {"Nauman et al. 2012", "Feng et al. 2024"}
    for r in rest:       # a normal spread of 9.8 bpm: 1.645 x 9.8 = 16.1 bpm either side
        assert r.high - r.low == pytest.approx(2 * 1.6449 * TRAIT_SD["hr_rest_bpm"], rel=0.15)


def test_the_gain_intervals_rise_with_drews_dose(rows):
    """DREW's three doses (Sisson et al. 2009): the published mean gains rise with the weekly
    minutes (29, 88, 106 mL/min); the model's intervals of true gains must rise with them, and
    hold gains, not losses, for women starting below the sedentary norm."""
    drew = [g for g in groups.GAINS if "DREW" in g.group]
    assert [g.mean for g in drew] == [29.0, 88.0, 106.0]
    true = [coverage.gain_interval(g) for g in drew]
    assert all(0.0 < low < high for low, high in true)
    assert true[0][0] < true[1][0] < true[2][0] and true[0][1] < true[1][1] < true[2][1]


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
