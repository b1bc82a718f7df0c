"""The error model of a fit's residuals: an ARMA(1,1) process, its estimate and the
integration of a posterior over it (:mod:`retrosim.fit.problem` explains the use).

References
----------
- Box GEP, Jenkins GM, Reinsel GC (2008). Time Series Analysis: Forecasting and Control, 4th
  ed. Wiley.
- Harvey AC (1989). Forecasting, Structural Time Series Models and the Kalman Filter.
  Cambridge University Press, sec. 3.4.
- Rue H, Martino S, Chopin N (2009). Approximate Bayesian inference for latent Gaussian
  models by using integrated nested Laplace approximations. J R Stat Soc B 71:319-392.
- Sokal A (1997). Monte Carlo methods in statistical mechanics: foundations and new
  algorithms. In: Functional Integration, NATO ASI Series B 361, Springer, 131-192
  (pages recalled).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize
from scipy.signal import lfilter

#: Standardised residuals of readings whose error is known, as a function of the parameters.
Known = Callable[[np.ndarray], np.ndarray] | None
#: Sokal's window constant: sum the autocorrelation over lags up to WINDOW x tau.
WINDOW = 5.0


def _rms(x: np.ndarray) -> float:
    """Root mean square, at least 1e-3; 1 for no data."""
    return max(float(np.sqrt(np.mean(x * x))), 1e-3) if x.size else 1.0


def whiten(r: np.ndarray, phi: float, theta: float) -> np.ndarray:
    """The standardised innovations of an ARMA(1,1) series ``r[t] - phi r[t-1] = e[t] -
    theta e[t-1]`` with missing readings (NaN), in units of the innovations' sd: the exact
    one-step prediction errors of the Kalman filter (:func:`innovations`), each divided by its
    sd. Well inside a stretch of readings they are ``e[t] = r[t] - phi r[t-1] + theta
    e[t-1]``; the first reading is predicted from the process's stationary distribution, the
    first after a gap across the gap from the readings before it.

    >>> whiten(np.array([1.0, 0.5, 0.25, np.nan, 2.0]), 0.5, 0.0).round(3).tolist()
    [0.866, 0.0, 0.0, 1.733]
    """
    return innovations(r, phi, theta)[0]


def innovations(r: np.ndarray, phi: float, theta: float) -> tuple[np.ndarray, float]:
    """:func:`whiten`'s innovations and the log of the product of their scalings (the sum of
    ``-log sd`` of each prediction error over the innovations' sd: the log Jacobian of the
    readings' density).

    The Kalman filter of the state ``(r[t], -theta e[t])`` (Harvey 1989, sec. 3.4; Box,
    Jenkins & Reinsel 2008, ch. 5): its gains do not depend on the readings, and once a
    stretch has run long enough that they are constant (an invertible process forgets its
    start) the rest of the stretch is the steady recursion, filtered in one call.
    """
    r = np.asarray(r, dtype=float)
    ok = np.isfinite(r)
    out = []
    log_scale = 0.0
    # the prediction's covariance, in units of the innovations' variance: stationary at first
    p00 = (1.0 - 2.0 * phi * theta + theta * theta) / (1.0 - phi * phi)
    p01, p11 = -theta, theta * theta
    x_last, b_last, t_last = 0.0, 0.0, -1           # last reading, its MA state, its index
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        x = r[start:stop]
        e = np.empty_like(x)
        predicted = 0.0
        if t_last >= 0:                              # across the gap: predict, no update
            predicted = phi * x_last + b_last
            for _ in range(int(start - t_last) - 1):
                p00, p01, p11 = (phi * phi * p00 + 2.0 * phi * p01 + p11 + 1.0, -theta,
                                 theta * theta)
                predicted *= phi
        k = 0
        while k < x.size:
            u = x[k] - predicted
            sd = np.sqrt(p00)
            e[k] = u / sd
            log_scale -= float(np.log(sd))
            b = p01 / p00 * u                         # the MA state's update
            p11_post = p11 - p01 * p01 / p00
            x_last, b_last = float(x[k]), float(b)
            k += 1
            p00, p01, p11 = 1.0 + p11_post, -theta, theta * theta
            predicted = phi * x_last + b_last
            if p11_post <= STEADY * max(theta * theta, 1e-300) or p11_post <= 1e-300:
                break
        if k < x.size:                                # steady: p00 = 1, gain -theta
            e[k:], _ = lfilter([1.0, -phi], [1.0, -theta], x[k:], zi=[-predicted])
            x_last = float(x[-1])
            b_last = -theta * float(e[-1])
        t_last = int(stop - 1)
        out.append(e)
    return (np.concatenate(out) if out else np.zeros(0)), log_scale


#: The gain counts as steady when the MA state's remaining variance is below this share of
#: its prior variance.
STEADY = 1e-12


def arma_fit(r: np.ndarray) -> tuple[float, float]:
    """ARMA(1,1) coefficients ``(phi, theta)`` of ``r`` by least squares of the innovations, with
    ``0 <= phi < 0.999`` and ``|theta| < 0.999`` (stationary and invertible)."""
    if np.isfinite(r).sum() < 10:
        return 0.0, 0.0
    fit = optimize.least_squares(lambda c: whiten(r, c[0], c[1]), [0.5, 0.0],
                                 bounds=([0.0, -0.999], [0.999, 0.999]))
    return float(fit.x[0]), float(fit.x[1])


def error_model_mode(residuals: Callable[[np.ndarray], np.ndarray], theta: np.ndarray,
                     arma: tuple[float, float], mu: np.ndarray, prior_sd: np.ndarray,
                     box: tuple[np.ndarray, np.ndarray] | None = None,
                     known: Known = None) -> tuple[float, float]:
    """The error model's posterior mode: the ``(phi, theta)`` that maximise the marginal
    likelihood of the data with the parameters integrated out by Laplace's method (the
    residuals linearised at ``theta``; :func:`_marginal`) under a flat prior on the stationary
    and invertible region, found from ``arma`` (the least-squares estimate); inside ``box``
    when one is given (:func:`_step`). ``known`` gives the standardised residuals of other
    readings whose error is known (white, unit sd), which the marginal likelihood includes."""
    lin = _linearise(residuals, theta, prior_sd, box, known)

    def negative(u: np.ndarray) -> float:
        return (-_marginal(lin, theta, mu, prior_sd, _coefficients(u), box)[0]
                - _log_jacobian(u))

    start = _transformed(arma)
    fit = optimize.minimize(negative, start, method="Nelder-Mead",
                            options={"xatol": 1e-4, "fatol": 1e-6})
    return _coefficients(fit.x if fit.fun <= negative(start) else start)


def error_model_grid(residuals: Callable[[np.ndarray], np.ndarray], theta: np.ndarray,
                     eta: tuple[float, float], mu: np.ndarray, prior_sd: np.ndarray,
                     box: tuple[np.ndarray, np.ndarray] | None = None, known: Known = None
                     ) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """The posterior integrated over the error model, as a mixture of normals: the grid
    strategy of integrated nested Laplace approximations (Rue, Martino & Chopin 2009, sec.
    3.1). The error model's coefficients are taken to ``(logit phi, atanh theta)``; around
    their posterior mode ``eta`` the Hessian of the log posterior sets standardised axes, and
    points at whole steps along them (to :data:`GRID_Z`) each give the parameters' Laplace
    normal under that error model (the residuals linearised at ``theta``, the scale profiled)
    with its log weight, the log marginal likelihood plus the log Jacobian of the transform
    (a flat prior on ``phi`` and ``theta``), the mode kept inside ``box`` when one is given
    (:func:`_step`); ``known`` as in :func:`error_model_mode`. Without readings: ``theta``
    and its prior."""
    lin = _linearise(residuals, theta, prior_sd, box, known)
    if lin[0].size == 0 or np.all(np.isnan(lin[0])):
        return [(0.0, theta, np.diag(prior_sd ** 2))]
    centre = _transformed(eta)

    def log_post(u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        value, mean, cov = _marginal(lin, theta, mu, prior_sd, _coefficients(u), box)
        return value + _log_jacobian(u), mean, cov

    h = 1e-2
    f0 = log_post(centre)[0]
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            di, dj = h * np.eye(2)[i], h * np.eye(2)[j]
            hess[i, j] = (log_post(centre + di + dj)[0] - log_post(centre + di - dj)[0]
                          - log_post(centre - di + dj)[0]
                          + log_post(centre - di - dj)[0]) / (4 * h * h)
    values, vectors = np.linalg.eigh(-(hess + hess.T) / 2)
    axes = vectors / np.sqrt(np.maximum(values, 1.0 / MAX_SD ** 2))
    out = []
    steps = np.arange(-GRID_Z, GRID_Z + 1, dtype=float)
    for z1 in steps:
        for z2 in steps:
            value, mean, cov = log_post(centre + axes @ np.array([z1, z2]))
            if np.isfinite(value) and value > f0 - DROP:
                out.append((value, mean, cov))
    return out


#: The grid's half-width [standardised steps], the largest sd of an error-model axis on it
#: [transformed units], and the fall in log density past which a point is left out.
GRID_Z = 4
MAX_SD = 2.0
DROP = 10.0
#: Mixture components lighter than this share of the whole are left out.
TAIL = 1e-4


def _transformed(arma: tuple[float, float]) -> np.ndarray:
    phi = min(max(arma[0], 1e-3), 0.999)
    return np.array([np.log(phi / (1.0 - phi)), np.arctanh(np.clip(arma[1], -0.999, 0.999))])


def _coefficients(u: np.ndarray) -> tuple[float, float]:
    return float(1.0 / (1.0 + np.exp(-u[0]))), float(np.tanh(u[1]))


def _log_jacobian(u: np.ndarray) -> float:
    """log |d(phi, theta) / d(logit phi, atanh theta)|."""
    phi, theta = _coefficients(u)
    return float(np.log(phi * (1.0 - phi) + 1e-300) + np.log(1.0 - theta * theta + 1e-300))


def _linearise(residuals: Callable[[np.ndarray], np.ndarray], theta: np.ndarray,
               prior_sd: np.ndarray, box: tuple[np.ndarray, np.ndarray] | None = None,
               known: Known = None) -> tuple[np.ndarray, ...]:
    """The residuals at ``theta`` and their derivatives (central differences, steps of
    1e-4 prior sd; one-sided into ``box`` at its edge, where the model may change form), NaN
    where a reading is missing; then the same of ``known``'s (empty without)."""
    out: list[np.ndarray] = []
    for f in (residuals, known):
        if f is None:
            out += [np.zeros(0), np.zeros((0, theta.size))]
            continue
        r0 = f(theta)
        cols = []
        for i in range(theta.size):
            h = 1e-4 * prior_sd[i]
            step = h * np.eye(theta.size)[i]
            if box is not None and theta[i] - h < box[0][i]:
                cols.append((f(theta + step) - r0) / h)
            elif box is not None and theta[i] + h > box[1][i]:
                cols.append((r0 - f(theta - step)) / h)
            else:
                cols.append((f(theta + step) - f(theta - step)) / (2 * h))
        jac = np.stack(cols, axis=1) if cols else np.zeros((r0.size, 0))
        jac[~np.isfinite(r0)] = np.nan
        out += [r0, jac]
    return tuple(out)


def _marginal(lin: tuple[np.ndarray, ...], theta: np.ndarray, mu: np.ndarray,
              prior_sd: np.ndarray, arma: tuple[float, float],
              box: tuple[np.ndarray, np.ndarray] | None = None
              ) -> tuple[float, np.ndarray, np.ndarray]:
    """Under the error model ``arma``, for the problem linearised at ``theta``: the log
    marginal likelihood (Laplace's method over the parameters, exact for the linear problem;
    the innovations' scale at its maximum), the parameters' posterior mean and covariance."""
    r0, jac, k0, kj = lin
    phi, ma = arma
    e0, log_scale = innovations(r0, phi, ma)
    wj = np.stack([whiten(c, phi, ma) for c in jac.T], axis=1)
    n = e0.size
    precision_prior = np.diag(1.0 / prior_sd ** 2)
    e, s = e0, _rms(e0)
    for _ in range(50):
        a = wj.T @ wj / s ** 2 + precision_prior
        g = wj.T @ e0 / s ** 2 + precision_prior @ (theta - mu)
        if k0.size:                         # readings of known error: a fixed-scale term
            a = a + kj.T @ kj
            g = g + kj.T @ k0
        delta = _step(a, g, theta, box)
        e = e0 + wj @ delta
        new = _rms(e)
        if abs(new - s) <= 1e-12 * s:
            break
        s = new
    mean = theta + delta
    if k0.size:
        k = k0 + kj @ delta
        log_scale -= 0.5 * float(k @ k)
    value = (-n * np.log(s) + log_scale - 0.5 * float(e @ e) / s ** 2
             - 0.5 * float(((mean - mu) / prior_sd) @ ((mean - mu) / prior_sd))
             - 0.5 * np.linalg.slogdet(a)[1])
    return float(value), mean, np.linalg.inv(a)


def _step(a: np.ndarray, g: np.ndarray, theta: np.ndarray,
          box: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """The Gauss-Newton step ``-a^-1 g`` from ``theta``, kept inside ``box``: a coordinate it
    would take outside is held at the bound and the others solved again (the mode of the
    linearised problem on the box's face)."""
    delta = -np.linalg.solve(a, g)
    if box is None:
        return delta
    target = np.clip(theta + delta, box[0], box[1])
    held = target != theta + delta
    if not held.any():
        return delta
    delta = target - theta
    free = ~held
    if free.any():
        delta[free] = -np.linalg.solve(a[np.ix_(free, free)],
                                       g[free] + a[np.ix_(free, held)] @ delta[held])
    return delta


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
