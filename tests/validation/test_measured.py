"""The measured VO2max gain: a true gain plus the error of the tests before and after
(Katch, Sady & Freedson 1982)."""

import numpy as np
import pytest

from retrosim.validation import measured


def test_the_error_of_a_gain_adds_the_variances_of_the_visits_means():
    # exact: one test a visit at 5.6 % of 1294 mL/min (DREW's women, 15.4 mL/kg/min x 84 kg)
    # is sqrt(2) x 0.056 x 1294; two tests a visit halve each variance
    assert measured.TEST_CV == 0.056
    one = float(measured.gain_error_sd(1294.0, 1294.0))
    assert one == pytest.approx(np.sqrt(2.0) * 0.056 * 1294.0, rel=1e-12)
    assert float(measured.gain_error_sd(1294.0, 1294.0, 2, 2)) == pytest.approx(
        one / np.sqrt(2.0), rel=1e-12)
    # the visit after counts at its own level
    assert float(measured.gain_error_sd(1000.0, 2000.0, cv=0.1)) == pytest.approx(
        np.sqrt(100.0 ** 2 + 200.0 ** 2), rel=1e-12)


def test_a_single_true_gain_gives_the_normal_interval_of_its_error():
    # exact: a point mass at g with error s has its 5th and 95th percentiles at g -+ 1.6449 s
    low, high = measured.mixture_quantiles([100.0] * 5, 40.0, [0.05, 0.95])
    assert low == pytest.approx(100.0 - 1.6448536269514722 * 40.0, abs=1e-6)
    assert high == pytest.approx(100.0 + 1.6448536269514722 * 40.0, abs=1e-6)


def test_the_mixture_quantiles_agree_with_sampling_the_mixture():
    """Against an independent computation: 400,000 draws of the mixture (seeded), whose
    percentiles carry a sampling error of about 0.3 % of the spread here."""
    rng = np.random.default_rng(7)
    centres = rng.gamma(4.0, 25.0, 200)
    sds = rng.uniform(60.0, 140.0, 200)
    pick = rng.integers(0, 200, 400_000)
    draws = centres[pick] + sds[pick] * rng.standard_normal(400_000)
    exact = measured.mixture_quantiles(centres, sds, [0.05, 0.5, 0.95])
    assert exact == pytest.approx(np.quantile(draws, [0.05, 0.5, 0.95]), abs=2.0)


def test_a_mixture_without_a_positive_error_is_refused():
    with pytest.raises(ValueError):
        measured.mixture_quantiles([1.0, 2.0], [1.0, 0.0], [0.5])
    with pytest.raises(ValueError):
        measured.mixture_quantiles([], 1.0, [0.5])
