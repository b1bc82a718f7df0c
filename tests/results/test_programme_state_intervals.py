"""One person's programme: each daily state (VO2max, resting HR, resting pressure, ...) with
its 90 % prediction interval on (arm, day), from the same walk of her plausible versions as the
fall risk over the programme; none for a cohort."""

from __future__ import annotations

import numpy as np
import pytest

import retrosim
from retrosim.engine.variables import PROGRAMME
from retrosim.model.scenario import Scenario, load_scenario
from retrosim.report import programme as page
from retrosim.results import intervals, programme, programme_intervals

STATES = PROGRAMME.select("state")


@pytest.fixture(scope="module")
def training():
    """training-intensity: a 45-year-old man who gives his VO2max (32 mL/kg/min) but not his
    resting HR, 12 weeks at two intensities."""
    return retrosim.run(load_scenario("training-intensity"))


def test_every_state_has_its_interval_declared_and_containing_the_person(training):
    for name in STATES:
        low, high = training[f"{name}_low"], training[f"{name}_high"]
        assert low.dims == high.dims == ("arm", "day")
        assert low.attrs["units"] == training[name].attrs["units"]
        assert low.attrs["interval"] == "90% prediction interval"
        assert "lower bound" in low.attrs["long_name"] and "upper bound" in high.attrs["long_name"]
        centre = training[name].isel(subject=0).values.astype(float)
        assert np.all(low.values <= centre) and np.all(centre <= high.values), name


def test_the_vo2max_interval_opens_with_training_and_is_wider_for_the_larger_dose(training):
    """VO2max is given, so every version starts at it: the interval at day 0 is exactly 32.
    Each version's gain scales with her own responsiveness (a gamma draw, CV 0.5), so by day
    84 the interval is open (gains of about 1.7 and 4.4 mL/kg/min with CV 0.5: widths of the
    order of 1.6 x the gain, far above 0.5), and wider where the gain is larger (40 min at
    70 % of the reserve gains more than 20 min at 50 %: the spread of a proportional gain
    grows with it)."""
    width = training.vo2max_high - training.vo2max_low
    assert np.all(training.vo2max_low.sel(day=0).values == 32.0)
    assert np.all(width.sel(day=0).values == 0.0)
    assert np.all(width.sel(day=84).values > 0.5)
    assert float(width.sel(arm="40-min-at-70pct", day=84)) > float(
        width.sel(arm="20-min-at-50pct", day=84))


def test_a_resting_hr_not_given_has_the_nhanes_spread_of_men_on_day_0(training):
    """Resting HR is not given: the versions draw it from the log-normal fitted to the shares
    of men below 60 and at 100 min-1 or more in NHANES 1999-2008 (Ostchega et al. 2011),
    median 70.5 bpm and log-SD 0.157, whose 90 % range is 70.5 exp(-/+ 1.645 x 0.157) =
    54.5 - 91.3 bpm. With 200 versions a percentile q has a standard error of
    sqrt(q (1 - q) / 200) over the density there (1.3 bpm for the 5th, 2.1 for the 95th);
    the bounds must lie within three of them."""
    day0 = training.sel(day=0)
    median, log_sd = 70.506, 0.15698
    for bound, z in ((day0.hr_rest_low, -1.6449), (day0.hr_rest_high, 1.6449)):
        value = median * np.exp(log_sd * z)
        density = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi) / (value * log_sd)
        se = np.sqrt(0.05 * 0.95 / intervals.VERSIONS) / density
        np.testing.assert_allclose(bound.values, value, atol=3.0 * se)


def test_the_table_shows_the_persons_state_with_its_interval(training):
    text = programme.summary_table(training)
    a = training.sel(arm="40-min-at-70pct", day=84)
    row = next(x for x in text.split("40-min-at-70pct:")[1].splitlines()
               if x.strip().startswith("VO2max"))
    assert (f"{float(a.vo2max.isel(subject=0)):.1f} [{float(a.vo2max_low):.1f}-"
            f"{float(a.vo2max_high):.1f}]") in row
    assert row.split()[2] == "32.0"                 # day 0: given, exact, shown alone
    assert "[90 % prediction interval]" in text.splitlines()[0]


def test_the_versions_walk_the_programme_once(monkeypatch):
    """The fall risk and the states' intervals come from one walk of the versions."""
    calls = []
    walk = programme_intervals.run_programme

    def counted(*args, **kwargs):
        calls.append(kwargs.get("subjects"))
        return walk(*args, **kwargs)

    monkeypatch.setattr(programme_intervals, "run_programme", counted)
    scenario = _scenario({"subject": {"mass_kg": 70, "age_yr": 68, "sex": "female"}})
    ds = retrosim.run(scenario)
    assert calls == [intervals.VERSIONS + 1]
    assert "programme_fall_risk_low" in ds and "vo2max_low" in ds


def test_without_a_falls_model_the_states_still_have_their_interval():
    ds = retrosim.run(_scenario({"subject": {"mass_kg": 70, "age_yr": 68, "sex": "female"},
                                 "falls": {"model": "none"}}))
    assert "programme_fall_risk" not in ds and "programme_fall_risk_low" not in ds
    assert all(f"{n}_low" in ds and f"{n}_high" in ds for n in STATES)
    assert ds.attrs["uncertainty"].startswith("within-person: each daily state")


def test_a_cohort_programme_gets_no_within_person_interval():
    ds = retrosim.run(_scenario({"cohort": {"mass_kg": 70, "age_yr": 68, "sex": "female",
                                            "size": 10}}))
    assert not [n for n in programme_intervals.STATE_INTERVALS if n in ds]
    assert "programme_fall_risk_low" not in ds
    assert ds.attrs["uncertainty"].startswith("between-person")
    assert "[" not in programme.summary_table(ds)            # median (5-95 %) of the people


def _scenario(who: dict) -> Scenario:
    return Scenario.from_dict({"name": "state-intervals", "seed": 5, **who,
                               "arms": {"backward": {"stages": [
                                   "walk backward at 1.5 mph for 10 min"]}},
                               "program": {"weeks": 2, "sessions_per_week": 3}})


def test_the_page_draws_the_persons_interval_as_the_band(training):
    mid, lo, hi = page._state_bands(training, "vo2max", "40-min-at-70pct")
    a = training.sel(arm="40-min-at-70pct")
    np.testing.assert_array_equal(lo, a.vo2max_low.values)
    np.testing.assert_array_equal(hi, a.vo2max_high.values)
    np.testing.assert_array_equal(mid, a.vo2max.isel(subject=0).values.astype(float))
