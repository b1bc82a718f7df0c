"""MAP + Laplace on problems with an exact answer."""

from __future__ import annotations

import numpy as np
import pytest

from retrosim.fit.problem import Parameter, Problem, arma_fit, map_laplace


def test_linear_gaussian_posterior_is_the_conjugate_one():
    """y = a + b x + white noise, normal priors: the posterior is normal and known exactly;
    with the error model estimated, the mode under it (the heaviest component; the others
    integrate over the error model's uncertainty) is the conjugate formulas' answer, and the
    integrated posterior is no narrower than it."""
    rng = np.random.default_rng(4)
    x = np.linspace(0.0, 1.0, 400)
    y = 2.0 + 3.0 * x + rng.normal(0.0, 0.5, x.size)
    params = (Parameter("a", 0.0, 10.0), Parameter("b", 0.0, 10.0))
    post = map_laplace(Problem(params, lambda th: th[0] + th[1] * x, y))
    design = np.stack([np.ones_like(x), x], axis=1)
    a, b = post.arma
    # the exact conjugate posterior at the fit's noise level, on the whitened data
    from retrosim.fit.problem import whiten
    wd = np.stack([whiten(c, a, b) for c in design.T], axis=1)
    s = np.sqrt(np.mean(whiten(y - design @ post.mean, a, b) ** 2))
    precision = wd.T @ wd / s**2 + np.eye(2) / 100.0
    cov = np.linalg.inv(precision)
    mean = cov @ (wd.T @ whiten(y, a, b) / s**2)
    np.testing.assert_allclose(post.mean, mean, rtol=1e-5)
    np.testing.assert_allclose(post.cov, cov, rtol=1e-3)
    assert post.weights.sum() == pytest.approx(1.0)
    assert np.all(post.sd >= np.sqrt(np.diag(cov)) * (1 - 1e-6))


def test_without_data_the_posterior_is_the_prior():
    params = (Parameter("a", 1.0, 2.0), Parameter("k", np.log(30.0), 0.3, "log"))
    post = map_laplace(Problem(params, lambda th: np.zeros(50), np.full(50, np.nan)))
    np.testing.assert_allclose(post.mean, [1.0, np.log(30.0)])
    np.testing.assert_allclose(post.sd, [2.0, 0.3], rtol=1e-6)
    lo, hi = post.interval("k")
    np.testing.assert_allclose([lo, hi], 30.0 * np.exp(np.array([-1, 1]) * 1.6448536 * 0.3),
                               rtol=1e-6)


def test_arma_coefficients_of_an_ar1_series():
    rng = np.random.default_rng(2)
    e = rng.standard_normal(20_000)
    r = np.empty_like(e)
    r[0] = e[0]
    for i in range(1, e.size):
        r[i] = 0.8 * r[i - 1] + e[i]
    phi, theta = arma_fit(r)
    assert abs(phi - 0.8) < 0.02 and abs(theta) < 0.03


def test_whitening_is_exact_across_gaps():
    """The innovations of an ARMA(1,1) series with missing readings are a linear map W of the
    readings; it whitens the exact covariance (W S W' = I), and its log determinant is the
    one reported, so the likelihood is the exact Gaussian one."""
    from retrosim.fit.noise import innovations

    phi, theta = 0.95, 0.73
    times = np.array([t for t in range(120) if not (30 <= t < 55 or 90 <= t < 92)])
    lag = np.abs(times[:, None] - times[None, :])
    g0 = (1 - 2 * phi * theta + theta ** 2) / (1 - phi ** 2)
    g1 = (1 - phi * theta) * (phi - theta) / (1 - phi ** 2)
    cov = np.where(lag == 0, g0, g1 * phi ** np.maximum(lag - 1, 0))
    series = np.full(120, np.nan)
    columns, log_scale = [], 0.0
    for k in range(times.size):
        unit = series.copy()
        unit[times] = 0.0
        unit[times[k]] = 1.0
        e, log_scale = innovations(unit, phi, theta)
        columns.append(e)
    w = np.stack(columns, axis=1)
    np.testing.assert_allclose(w @ cov @ w.T, np.eye(times.size), atol=1e-9)
    assert log_scale == pytest.approx(-0.5 * np.linalg.slogdet(cov)[1], rel=1e-9)
