"""A parameter-inference problem and its solution: MAP with a Laplace approximation.

The split follows PyBOP (Planden et al. 2025): a *model* maps parameter values to predictions,
a *cost* compares them with data, the two make a :class:`Problem`, and a solver returns a
result. Here the cost is a Gaussian log-likelihood with the noise level estimated from the
residuals, plus Gaussian priors on the parameters (each in the space where it is fitted:
natural or log); :func:`map_laplace` finds the maximum a posteriori (MAP) point with
:func:`scipy.optimize.least_squares` and approximates the posterior by a normal centred there
whose covariance is the inverse Gauss-Newton Hessian of the negative log posterior (the
Laplace approximation; MacKay 2003, ch. 27). A model with a plateau (heart rate held at its
maximum) can leave two explanations of one record; the optimisation is started again from
points around the prior, and the modes found are mixed by their Laplace evidence (MacKay
2003, ch. 27-28).

Residuals of a physiological record are correlated in time (a sensor's slow wander on top of
its reading error), so ``n`` readings carry less than ``n`` independent pieces of information
(Bayley & Hammersley 1946). The errors are modelled as an ARMA(1,1) process, the form a
first-order autoregression plus white noise takes (Box, Jenkins & Reinsel 2008, ch. 3-4):
after each optimisation its two coefficients are estimated from the residuals by conditional
least squares, and the next optimisation works on the whitened residuals (the innovations,
:func:`whiten`), a generalised least squares whose Gauss-Newton Hessian is the Laplace
precision. A slow wander's coefficient, near 1, is estimated low from a short record, and the
precision is then too high; the posterior is therefore averaged over the coefficients'
own uncertainty (a 3-point Gauss-Hermite rule). :func:`integrated_time` reports how many
readings make one independent one.

References
----------
- Planden B, Courtier NE, Robinson M, Khetarpal A, Planella FB, Howey DA (2025). PyBOP: a
  Python package for battery model optimisation and parameterisation. J Open Source Softw
  10:7874 (volume and article number recalled).
- MacKay DJC (2003). Information Theory, Inference, and Learning Algorithms. Cambridge
  University Press, ch. 27 (Laplace's method).
- Box GEP, Jenkins GM, Reinsel GC (2008). Time Series Analysis: Forecasting and Control, 4th
  ed. Wiley.
- Sokal A (1997). Monte Carlo methods in statistical mechanics: foundations and new
  algorithms. In: Functional Integration, NATO ASI Series B 361, Springer, 131-192
  (pages recalled).
- Bayley GV, Hammersley JM (1946). The "effective" number of independent observations in an
  autocorrelated time series. J R Stat Soc Suppl 8:184-197 (pages recalled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from scipy.signal import lfilter

#: Sokal's window constant: sum the autocorrelation over lags up to WINDOW x tau.
WINDOW = 5.0


@dataclass(frozen=True)
class Parameter:
    """A fitted quantity with a normal prior in its fitting space.

    ``space`` is "natural" (the value itself), "log" (the prior and the Laplace normal are
    on ``log(value)``, for a positive quantity), or another name whose transform the model
    applies itself (the value passed is the fitted one); ``prior_mean`` and ``prior_sd`` are
    in that space.
    """

    name: str
    prior_mean: float
    prior_sd: float
    space: str = "natural"

    def natural(self, theta: np.ndarray | float) -> np.ndarray:
        x = np.asarray(theta, dtype=float)
        return np.exp(x) if self.space == "log" else x


@dataclass(frozen=True)
class Problem:
    """A model, the data it should reproduce, and the parameters it is fitted over.

    ``model`` maps a point in the fitting space (one value per :attr:`parameters`, in order;
    :meth:`Parameter.natural` gives the natural value) to predictions on the data's points;
    ``data`` is the observations, NaN where missing.
    """

    parameters: tuple[Parameter, ...]
    model: Callable[[np.ndarray], np.ndarray]
    data: np.ndarray

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """Data minus prediction, NaN where a reading is missing."""
        return self.data - self.model(theta)


@dataclass(frozen=True)
class Posterior:
    """The Laplace posterior: a mixture of normals in the fitting space, one per mode found
    (``weights``, ``means``, ``covs``; most modes are alone); the residuals' sd, their
    integrated autocorrelation time [readings] and the ARMA(1,1) coefficients ``(phi,
    theta)`` of the error model at the best mode. ``mean`` and ``cov`` are the best mode's
    (the MAP)."""

    parameters: tuple[Parameter, ...]
    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    noise_sd: float
    autocorrelation_time: float
    arma: tuple[float, float]
    success: bool
    message: str

    @property
    def mean(self) -> np.ndarray:
        return self.means[int(np.argmax(self.weights))]

    @property
    def cov(self) -> np.ndarray:
        return self.covs[int(np.argmax(self.weights))]

    @property
    def sd(self) -> np.ndarray:
        """Each parameter's sd over the whole mixture, in the fitting space."""
        m = self.weights @ self.means
        second = np.einsum("k,ki->i", self.weights,
                           np.diagonal(self.covs, axis1=1, axis2=2) + self.means ** 2)
        return np.sqrt(np.maximum(second - m ** 2, 0.0))

    def quantile(self, name: str, q: float) -> float:
        """The ``q`` quantile of ``name``'s marginal, in the fitting space."""
        i, _ = self._index(name)
        mu, sd = self.means[:, i], np.sqrt(self.covs[:, i, i])
        if mu.size == 1:
            return float(mu[0] + sd[0] * stats.norm.ppf(q))
        lo, hi = float(np.min(mu - 10 * sd)), float(np.max(mu + 10 * sd))
        return float(optimize.brentq(
            lambda x: float(self.weights @ stats.norm.cdf((x - mu) / sd)) - q, lo, hi))

    def interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        """The central ``level`` credible interval of ``name`` in natural units."""
        _, p = self._index(name)
        lo, hi = (self.quantile(name, 0.5 - level / 2), self.quantile(name, 0.5 + level / 2))
        return float(p.natural(lo)), float(p.natural(hi))

    def natural_mean_sd(self, name: str) -> tuple[float, float]:
        """Mean and sd of ``name`` in natural units (for a log-space one, of the log-normals)."""
        i, p = self._index(name)
        m, v = self.means[:, i], self.covs[:, i, i]
        if p.space == "log":
            first = self.weights @ np.exp(m + v / 2)
            second = self.weights @ np.exp(2 * m + 2 * v)
        else:
            first, second = self.weights @ m, self.weights @ (v + m * m)
        return float(first), float(np.sqrt(max(second - first * first, 0.0)))

    def shrinkage(self, name: str) -> float:
        """Posterior sd over prior sd: 1 when the data say nothing about ``name``."""
        i, p = self._index(name)
        return float(self.sd[i] / p.prior_sd)

    def _index(self, name: str) -> tuple[int, Parameter]:
        i = [p.name for p in self.parameters].index(name)
        return i, self.parameters[i]


def map_laplace(problem: Problem, *, passes: int = 3, spread: float = 1.5) -> Posterior:
    """The posterior of ``problem`` by Laplace's method at each mode (module docstring).

    ``passes`` optimisations from the prior mean, each followed by a new estimate of the error
    model (white at first); then, with the error model fixed, the optimisation starts again
    from the prior mean moved ``spread`` prior sds up and down each parameter, and the distinct
    modes found are mixed in proportion to their Laplace evidence, ``exp(-cost) sqrt(det
    cov)``. Last, the error model's own uncertainty is averaged over (:func:`arma_nodes`):
    each mode is solved again under two more error models, and the three are mixed with the
    Gauss-Hermite weights.
    """
    params = problem.parameters
    mu = np.array([p.prior_mean for p in params])
    prior_sd = np.array([p.prior_sd for p in params])

    def solve(start: np.ndarray, arma: tuple[float, float], s: float
              ) -> optimize.OptimizeResult:
        def scaled(th: np.ndarray) -> np.ndarray:
            return np.concatenate([whiten(problem.residuals(th), *arma) / s,
                                   (th - mu) / prior_sd])

        return optimize.least_squares(scaled, start, method="trf", x_scale=prior_sd,
                                      diff_step=1e-5, ftol=1e-10, xtol=1e-10)

    theta, arma = mu.copy(), (0.0, 0.0)
    scale = _rms(whiten(problem.residuals(theta), 0.0, 0.0))
    for _ in range(max(passes, 1)):
        theta = solve(theta, arma, scale).x
        r = problem.residuals(theta)
        arma = arma_fit(r)
        scale = _rms(whiten(r, *arma))
    starts = [theta] + [mu + sign * spread * prior_sd * np.eye(len(params))[i]
                        for i in range(len(params)) for sign in (-1.0, 1.0)]
    modes: list[tuple[float, np.ndarray, np.ndarray]] = []
    fits = []
    for start in starts:
        fit = solve(start, arma, scale)
        fits.append(fit)
        cov = np.linalg.pinv(fit.jac.T @ fit.jac)
        log_evidence = -fit.cost + 0.5 * np.linalg.slogdet(cov)[1]
        z = np.sqrt(np.diag(cov))
        if any(np.all(np.abs(fit.x - m) < 0.5 * z + 1e-6 * prior_sd) for _, m, _ in modes):
            continue
        modes.append((log_evidence, fit.x, cov))
    log_w = np.array([m[0] for m in modes])
    weights = np.exp(log_w - log_w.max())
    keep = weights > 1e-3
    weights = weights[keep] / weights[keep].sum()
    found_m = [m[1] for m, k in zip(modes, keep, strict=True) if k]
    found_c = [m[2] for m, k in zip(modes, keep, strict=True) if k]
    # the error model is itself estimated: average over it (3-point Gauss-Hermite rule along
    # its Laplace normal's phi axis), each mode solved again under the two outer error models
    nodes = arma_nodes(problem.residuals(found_m[int(np.argmax(weights))]), arma)
    if len(nodes) > 1:
        mixed_w, mixed_m, mixed_c = [], [], []
        for node_weight, node in nodes:
            for w, m, c in zip(weights, found_m, found_c, strict=True):
                if node != arma:
                    r = problem.residuals(m)
                    fit = solve(m, node, _rms(whiten(r, *node)))
                    m, c = fit.x, np.linalg.pinv(fit.jac.T @ fit.jac)
                mixed_w.append(node_weight * w)
                mixed_m.append(m)
                mixed_c.append(c)
        weights, found_m, found_c = np.array(mixed_w), mixed_m, mixed_c
    means, covs = np.array(found_m), np.array(found_c)
    r = problem.residuals(means[int(np.argmax(weights))])
    r = r[np.isfinite(r)]
    return Posterior(params, weights, means, covs, _rms(r), integrated_time(r), arma,
                     bool(fits[0].success), str(fits[0].message))


def _rms(x: np.ndarray) -> float:
    """Root mean square, at least 1e-3; 1 for no data."""
    return max(float(np.sqrt(np.mean(x * x))), 1e-3) if x.size else 1.0


def whiten(r: np.ndarray, phi: float, theta: float) -> np.ndarray:
    """The standardised innovations of an ARMA(1,1) series ``r[t] - phi r[t-1] = e[t] -
    theta e[t-1]``, each stretch between missing readings (NaN) on its own; the first reading
    of a stretch is scaled by the process's stationary sd (its level is not known from the
    readings before), the rest follow ``e[t] = r[t] - phi r[t-1] + theta e[t-1]``.

    >>> whiten(np.array([1.0, 0.5, 0.25, np.nan, 2.0]), 0.5, 0.0).round(3).tolist()
    [0.866, 0.0, 0.0, 1.732]
    """
    r = np.asarray(r, dtype=float)
    first = np.sqrt((1.0 - phi * phi) / (1.0 - 2.0 * phi * theta + theta * theta))
    ok = np.isfinite(r)
    out = []
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        e = lfilter([1.0, -phi], [1.0, -theta], r[start:stop])
        e[0] = r[start] * first
        out.append(e)
    return np.concatenate(out) if out else np.zeros(0)


def arma_fit(r: np.ndarray) -> tuple[float, float]:
    """ARMA(1,1) coefficients ``(phi, theta)`` of ``r`` by conditional least squares, with
    ``0 <= phi < 0.999`` and ``|theta| < 0.999`` (stationary and invertible)."""
    if np.isfinite(r).sum() < 10:
        return 0.0, 0.0
    fit = optimize.least_squares(lambda c: whiten(r, c[0], c[1]), [0.5, 0.0],
                                 bounds=([0.0, -0.999], [0.999, 0.999]))
    return float(fit.x[0]), float(fit.x[1])


def arma_nodes(r: np.ndarray, arma: tuple[float, float]
               ) -> list[tuple[float, tuple[float, float]]]:
    """Three error models and their weights: the 3-point Gauss-Hermite rule along ``phi`` of
    the Laplace normal of the conditional-least-squares fit of ``arma`` to ``r`` (``theta``
    moved with ``phi`` along their regression), inside the stationary and invertible ranges;
    just ``arma`` when it is white or at a bound."""
    phi, theta = arma
    if phi <= 0.0:
        return [(1.0, arma)]
    e = whiten(r, phi, theta)
    h = 1e-5
    jac = np.stack([(whiten(r, phi + h, theta) - e) / h,
                    (whiten(r, phi, theta + h) - e) / h], axis=1)
    cov = np.linalg.pinv(jac.T @ jac) * float(np.mean(e * e))
    sd = float(np.sqrt(cov[0, 0]))
    if not np.isfinite(sd) or sd == 0.0:
        return [(1.0, arma)]
    nodes, weights = np.polynomial.hermite_e.hermegauss(3)
    out = []
    for k, (z, w) in enumerate(zip(nodes, weights / weights.sum(), strict=True)):
        p = float(np.clip(phi + z * sd, 0.0, 0.999))
        t = float(np.clip(theta + cov[0, 1] / cov[0, 0] * (p - phi), -0.999, 0.999))
        out.append((float(w), arma if k == 1 else (p, t)))
    return out


def integrated_time(x: np.ndarray, window: float = WINDOW) -> float:
    """Integrated autocorrelation time of a series [samples], at least 1 (Sokal 1997).

    An AR(1) series with coefficient ``phi`` has ``(1 + phi) / (1 - phi)``:

    >>> rng = np.random.default_rng(1)
    >>> e = rng.standard_normal(200_000)
    >>> x = np.empty_like(e); x[0] = e[0]
    >>> for i in range(1, e.size): x[i] = 0.5 * x[i - 1] + e[i]
    >>> round(integrated_time(x), 1)                          # (1 + 0.5) / (1 - 0.5)
    3.0
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 4:
        return 1.0
    x = x - np.mean(x)
    if not np.any(x):
        return 1.0
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(x, size)
    acf = np.fft.irfft(f * np.conjugate(f), size)[:n]
    acf = acf / acf[0]
    taus = 2.0 * np.cumsum(acf) - 1.0
    m = np.arange(n)
    ok = m >= window * taus
    cut = int(np.argmax(ok)) if ok.any() else n - 1
    return float(max(taus[cut], 1.0))
