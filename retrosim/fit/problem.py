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
after each optimisation its two coefficients are estimated from the residuals by least
squares, and the next optimisation works on the whitened residuals (the innovations,
:func:`whiten`: the exact one-step prediction errors of the Kalman filter, across the
dropouts too, so the Gaussian likelihood is exact), a generalised least squares whose
Gauss-Newton Hessian is the Laplace precision. The error model is itself estimated, and a
slow wander's coefficient, near 1, sets how much a record of a few hundred readings says:
the posterior is therefore integrated over the error model's coefficients (integrated nested
Laplace approximations; Rue, Martino & Chopin 2009): their posterior is the marginal
likelihood of the data with the parameters integrated out by Laplace's method (which, unlike
the residuals at the mode, knows that the fitted parameters have absorbed part of the
wander), under a flat prior on the stationary and invertible region, explored on a grid.
:func:`integrated_time` reports how many readings make one independent one.

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
- Harvey AC (1989). Forecasting, Structural Time Series Models and the Kalman Filter.
  Cambridge University Press, sec. 3.4.
- Rue H, Martino S, Chopin N (2009). Approximate Bayesian inference for latent Gaussian
  models by using integrated nested Laplace approximations. J R Stat Soc B 71:319-392.
- Bayley GV, Hammersley JM (1946). The "effective" number of independent observations in an
  autocorrelated time series. J R Stat Soc Suppl 8:184-197 (pages recalled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from retrosim.fit.noise import (
    TAIL,
    Known,
    _rms,
    arma_fit,
    error_model_grid,
    error_model_mode,
    integrated_time,
    whiten,
)


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
    """A model, the data it should reproduce, and the parameters it is fitted over: a
    :class:`retrosim.model.problem.Problem`, as a design's is.

    ``model`` maps a point in the fitting space (one value per :attr:`parameters`, in order;
    :meth:`Parameter.natural` gives the natural value) to predictions on the data's points;
    ``data`` is the observations, NaN where missing, whose error model is estimated;
    ``known``, when given, maps the same point to the standardised residuals (data minus
    prediction over the reading's sd) of other readings whose error is known and white, such
    as a metabolic cart's oxygen uptake beside a strap's heart rate.
    """

    parameters: tuple[Parameter, ...]
    model: Callable[[np.ndarray], np.ndarray]
    data: np.ndarray
    known: Known = None

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """Data minus prediction, NaN where a reading is missing."""
        return self.data - self.model(theta)

    # -- the shape shared with a design's problem (retrosim.model.problem.Problem) ----------

    @property
    def variables(self) -> tuple[Parameter, ...]:
        """What the fit may change: the parameters, each with its prior."""
        return self.parameters

    def evaluate(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        """The model's predictions at every point of ``batch``, (B, readings)."""
        return np.stack([self.model(np.asarray(theta, dtype=float)) for theta in batch])

    def standardised(self, theta: np.ndarray, arma: tuple[float, float] = (0.0, 0.0),
                     scale: float = 1.0) -> np.ndarray:
        """What :func:`map_laplace` minimises the squares of, at ``theta``: the residuals
        whitened under the error model ``arma`` over ``scale``, then ``known``'s standardised
        residuals, then each parameter's distance from its prior mean in prior sds."""
        mu = np.array([p.prior_mean for p in self.parameters])
        prior_sd = np.array([p.prior_sd for p in self.parameters])
        if self.known is not None:
            return np.concatenate([whiten(self.residuals(theta), *arma) / scale,
                                   self.known(theta), (theta - mu) / prior_sd])
        return np.concatenate([whiten(self.residuals(theta), *arma) / scale,
                               (theta - mu) / prior_sd])

    def costs(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        """Each point's negative log posterior under white errors of unit sd, up to a
        constant: half the sum of squares of :meth:`standardised`, (B,)."""
        return np.array([0.5 * float(np.sum(self.standardised(np.asarray(t, dtype=float))
                                            ** 2)) for t in batch])


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


def map_laplace(problem: Problem, *, passes: int = 3, spread: float = 1.5,
                integrate: bool = True,
                regions: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> Posterior:
    """The posterior of ``problem`` by Laplace's method at each mode (module docstring).

    ``passes`` optimisations from the prior mean, each followed by a new estimate of the error
    model (white at first); then, with the error model fixed, the optimisation starts again
    from the prior mean moved ``spread`` prior sds up and down each parameter, and the distinct
    modes found are mixed in proportion to their Laplace evidence, ``exp(-cost) sqrt(det
    cov)``. Last (``integrate``), the error model's own uncertainty is integrated over: at each
    mode the error model's posterior mode is found (:func:`error_model_mode`), the mode is
    solved again under it, and the posterior becomes a mixture over a grid of error models
    (:func:`error_model_grid`), weighted by their marginal likelihood, so that modes are mixed
    by their evidence integrated over the error model.

    ``regions`` are boxes (lower and upper bounds in the fitting space) that split the space
    where the model takes different forms, such as a walk that stays below the maximum heart
    rate's plateau and one that reaches it. Where the form changes, the posterior has a
    corner, and the optimiser slides from the flat side (a ridge of nearly equal
    explanations) to the corner, whose Laplace normal holds none of the ridge. So each mode
    belongs to the region it lies in and is kept there when solved again; a region without a
    mode gets one, solved inside it from the best mode (on the region's edge, its Laplace
    normal centred there, when the ridge has no mode of its own), mixed with the others by
    its evidence.
    """
    params = problem.parameters
    mu = np.array([p.prior_mean for p in params])
    prior_sd = np.array([p.prior_sd for p in params])

    free = (np.full(mu.size, -np.inf), np.full(mu.size, np.inf))

    def solve(start: np.ndarray, arma: tuple[float, float], s: float,
              box: tuple[np.ndarray, np.ndarray] = free) -> optimize.OptimizeResult:
        def scaled(th: np.ndarray) -> np.ndarray:
            return problem.standardised(th, arma, s)

        inside = np.clip(start, box[0] + 1e-6 * prior_sd, box[1] - 1e-6 * prior_sd)
        return optimize.least_squares(scaled, inside, method="trf", x_scale=prior_sd,
                                      diff_step=1e-5, ftol=1e-10, xtol=1e-10, bounds=box)

    theta, arma = mu.copy(), (0.0, 0.0)
    scale = _rms(whiten(problem.residuals(theta), 0.0, 0.0))
    for _ in range(max(passes, 1)):
        theta = solve(theta, arma, scale).x
        r = problem.residuals(theta)
        arma = arma_fit(r)
        scale = _rms(whiten(r, *arma))
    starts = [theta] + [mu + sign * spread * prior_sd * np.eye(len(params))[i]
                        for i in range(len(params)) for sign in (-1.0, 1.0)]
    modes: list[tuple[float, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]] = []
    fits = []

    def home(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return next((r for r in regions if np.all((x >= r[0]) & (x <= r[1]))), free)

    def add(fit: optimize.OptimizeResult, box: tuple[np.ndarray, np.ndarray]) -> None:
        fits.append(fit)
        cov = np.linalg.pinv(fit.jac.T @ fit.jac)
        log_evidence = -fit.cost + 0.5 * np.linalg.slogdet(cov)[1]
        z = np.sqrt(np.diag(cov))
        if not any(m[3] is box and np.all(np.abs(fit.x - m[1]) < 0.5 * z + 1e-6 * prior_sd)
                   for m in modes):
            modes.append((log_evidence, fit.x, cov, box))

    for start in starts:
        fit = solve(start, arma, scale)
        add(fit, home(fit.x))
    best = max(modes, key=lambda m: m[0])[1]
    for region in regions:                 # a region without a mode: its own, from the best
        if not any(m[3] is region for m in modes):
            add(solve(best, arma, scale, region), region)
    log_w = np.array([m[0] for m in modes])
    weights = np.exp(log_w - log_w.max())
    keep = weights > 1e-3
    weights = weights[keep] / weights[keep].sum()
    found_m = [m[1] for m, k in zip(modes, keep, strict=True) if k]
    found_c = [m[2] for m, k in zip(modes, keep, strict=True) if k]
    boxes = [m[3] for m, k in zip(modes, keep, strict=True) if k]
    if integrate and np.count_nonzero(np.isfinite(problem.data)) >= 10:
        # the error model is itself estimated: integrate over it (error_model_grid), each
        # mode linearised at its solution under the error model's posterior mode
        mixed_w, mixed_m, mixed_c = [], [], []
        solved: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]] = []
        etas = []
        for start, box in zip(found_m, boxes, strict=True):
            eta = error_model_mode(problem.residuals, start, arma, mu, prior_sd, box,
                                   problem.known)
            etas.append(eta)
            m = solve(start, eta, _rms(whiten(problem.residuals(start), *eta)), box).x
            if any(b is box and np.all(np.abs(m - other) < 1e-6 * prior_sd)
                   for other, b in solved):
                continue
            solved.append((m, box))
            for weight, mean, cov in error_model_grid(problem.residuals, m, eta, mu, prior_sd,
                                                      box, problem.known):
                mixed_w.append(weight)
                mixed_m.append(mean)
                mixed_c.append(cov)
        arma = etas[int(np.argmax(weights))]           # the best mode's error model
        log_w = np.array(mixed_w)
        weights = np.exp(log_w - log_w.max())
        keep = weights > TAIL * weights.sum()
        weights = weights[keep] / weights[keep].sum()
        found_m = [m for m, k in zip(mixed_m, keep, strict=True) if k]
        found_c = [c for c, k in zip(mixed_c, keep, strict=True) if k]
    means, covs = np.array(found_m), np.array(found_c)
    r = problem.residuals(means[int(np.argmax(weights))])
    r = r[np.isfinite(r)]
    return Posterior(params, weights, means, covs, _rms(r), integrated_time(r), arma,
                     bool(fits[0].success), str(fits[0].message))
