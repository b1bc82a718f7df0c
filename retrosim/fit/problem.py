"""A parameter-inference problem and its solution: MAP with a Laplace approximation.

The split follows PyBOP (Planden et al. 2025): a *model* maps parameter values to predictions,
a *cost* compares them with data, the two make a :class:`Problem`, and a solver returns a
result. Here the cost is a Gaussian log-likelihood with the noise level estimated from the
residuals, plus Gaussian priors on the parameters (each in the space where it is fitted:
natural or log); :func:`map_laplace` finds the maximum a posteriori (MAP) point with
:func:`scipy.optimize.least_squares` and approximates the posterior by a normal centred there
whose covariance is the inverse Gauss-Newton Hessian of the negative log posterior (the
Laplace approximation; MacKay 2003, ch. 27).

Residuals of a physiological record are correlated in time, so ``n`` readings carry less than
``n`` independent pieces of information: the data's part of the Hessian is divided by
``(1 + rho) / (1 - rho)``, rho the lag-1 autocorrelation of the residuals at the MAP (the
effective sample size of an AR(1) series; Bayley & Hammersley 1946).

References
----------
- Planden B, Courtier NE, Robinson M, Khetarpal A, Planella FB, Howey DA (2025). PyBOP: a
  Python package for battery model optimisation and parameterisation. J Open Source Softw
  10:7874; doi:10.21105/joss.07874.
- MacKay DJC (2003). Information Theory, Inference, and Learning Algorithms. Cambridge
  University Press, ch. 27 (Laplace's method).
- Bayley GV, Hammersley JM (1946). The "effective" number of independent observations in an
  autocorrelated time series. J R Stat Soc Suppl 8:184-197; doi:10.2307/2983560.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

#: Highest residual autocorrelation credited (keeps the effective sample size above 0.5 %).
MAX_RHO = 0.99


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
    model: Callable[[Sequence[float]], np.ndarray]
    data: np.ndarray

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """Data minus prediction at the observed points."""
        keep = np.isfinite(self.data)
        return (self.data - self.model(theta))[keep]


@dataclass(frozen=True)
class Posterior:
    """The Laplace posterior: ``mean`` and ``cov`` in the fitting space, the noise sd, the
    residuals' autocorrelation, and each parameter's prior for comparison."""

    parameters: tuple[Parameter, ...]
    mean: np.ndarray
    cov: np.ndarray
    noise_sd: float
    rho: float
    success: bool
    message: str

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        """The central ``level`` credible interval of ``name`` in natural units."""
        i, p = self._index(name)
        z = stats.norm.ppf(0.5 + level / 2)
        lo, hi = self.mean[i] - z * self.sd[i], self.mean[i] + z * self.sd[i]
        return float(p.natural(lo)), float(p.natural(hi))

    def natural_mean_sd(self, name: str) -> tuple[float, float]:
        """Mean and sd of ``name`` in natural units (for a log-space one, of the log-normal)."""
        i, p = self._index(name)
        m, s = self.mean[i], self.sd[i]
        if p.space == "log":
            mean = float(np.exp(m + s * s / 2))
            return mean, float(mean * np.sqrt(np.expm1(s * s)))
        return float(m), float(s)

    def shrinkage(self, name: str) -> float:
        """Posterior sd over prior sd: 1 when the data say nothing about ``name``."""
        i, p = self._index(name)
        return float(self.sd[i] / p.prior_sd)

    def _index(self, name: str) -> tuple[int, Parameter]:
        i = [p.name for p in self.parameters].index(name)
        return i, self.parameters[i]


def map_laplace(problem: Problem, *, noise_sd: float = 5.0, passes: int = 2) -> Posterior:
    """The MAP point and the Laplace covariance of ``problem`` (module docstring).

    The noise sd starts at ``noise_sd`` and is re-estimated from the residuals after each of
    ``passes`` optimisations (each warm-started at the last MAP).
    """
    params = problem.parameters
    mu = np.array([p.prior_mean for p in params])
    prior_sd = np.array([p.prior_sd for p in params])
    theta = mu.copy()
    sigma = noise_sd
    fit: optimize.OptimizeResult | None = None
    for _ in range(max(passes, 1)):
        s = sigma

        def scaled(th: np.ndarray, s: float = s) -> np.ndarray:
            return np.concatenate([problem.residuals(th) / s, (th - mu) / prior_sd])

        fit = optimize.least_squares(scaled, theta, method="trf", x_scale=prior_sd,
                                     diff_step=1e-4)
        theta = fit.x
        r = problem.residuals(theta)
        sigma = max(float(np.sqrt(np.mean(r * r))), 1e-3)
    assert fit is not None
    r = problem.residuals(theta)
    n_data = r.size
    rho = float(np.clip(np.corrcoef(r[:-1], r[1:])[0, 1], 0.0, MAX_RHO)) if n_data > 3 else 0.0
    inflation = (1.0 + rho) / (1.0 - rho)
    jac = fit.jac
    j_data = jac[:n_data] * (s / sigma)               # the last pass's sigma -> the final one
    j_prior = jac[n_data:]
    hessian = j_data.T @ j_data / inflation + j_prior.T @ j_prior
    cov = np.linalg.pinv(hessian)
    return Posterior(params, theta, cov, sigma, rho, bool(fit.success), str(fit.message))
