"""Exact first-order relaxation over piecewise-linear targets: the state at every knot, one
interval's step, the time constant of each interval (a slower one where the target falls
below the state), and the exact peak between knots.

A first-order state ``tau dx/dt = u(t) - x`` whose target ``u`` is linear over an interval
advances across it in one closed-form step (:func:`retrosim.physiology.oxygen.first_order_ramp`);
its maximum over the interval is at a knot or where the closed form's derivative vanishes
(:func:`interior_maximum`). Arrays are laid out (knot, subject) as in
:mod:`retrosim.solve.trajectory`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from retrosim.physiology import oxygen
from retrosim.solve.timeline import run_of


def relax_at_knots(t: np.ndarray, target: np.ndarray, x0: ArrayLike, tau_s: ArrayLike,
                   tau_off_s: ArrayLike | None = None) -> np.ndarray:
    """A first-order state at every knot (K, N), from ``x0`` at the first, exact in between.

    ``t`` is (K, S) and ``target`` (K, N), linear between knots; a zero-length interval (a
    jump of the target) leaves the state where it is. With ``tau_off_s`` the state relaxes
    with it over an interval whose target ends below the state at its start (a fall), with
    ``tau_s`` otherwise (:func:`interval_tau`).
    """
    if tau_off_s is not None and tau_off_s is not tau_s:
        return relax_with_tau(t, target, x0, np.asarray(tau_s), np.asarray(tau_off_s))[0]
    x = np.empty_like(target)
    x[0] = x0
    if target.dtype != np.float64:
        for i in range(target.shape[0] - 1):
            x[i + 1] = relax_interval(x[i], target[i], target[i + 1], t[i + 1] - t[i], tau_s)
        return x
    ramps = _Ramps(t, target)
    u0, lag, start, decay = ramps.parts(tau_s)
    for i in range(target.shape[0] - 1):
        rest = x[i] - u0[i]
        rest += lag[i]
        rest *= decay[i]
        np.add(start[i], rest, out=x[i + 1])
        ramps.hold(x, i)
    return x


class _Ramps:
    """The intervals of a first-order state's piecewise-linear target, every one at once: the
    parts of :func:`retrosim.physiology.oxygen.first_order_ramp` that do not move with the
    state, in its order of operations (the same bits as :func:`relax_interval`, interval by
    interval, at four operations a knot), and the jumps (zero-length intervals) over which
    the state holds."""

    def __init__(self, t: np.ndarray, target: np.ndarray) -> None:
        self.dt = np.diff(t, axis=0)
        self.u0 = target[:-1]
        ramp = self.dt > 0
        if ramp.all():
            self.slope = (target[1:] - self.u0) / self.dt
            self.jumps: set[int] = set()
        else:
            self.slope = np.where(ramp, (target[1:] - self.u0) / np.where(ramp, self.dt, 1.0),
                                  0.0)
            self.jumps = set(np.flatnonzero(~ramp.all(axis=1)).tolist())
        self.still = ~ramp

    def parts(self, tau_s: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The target at each interval's start, the lag ``slope tau``, where the state would
        end from the target's start (``u0 + slope dt - lag``) and the decay ``exp(-dt/tau)``."""
        lag = self.slope * tau_s
        start = self.u0 + self.slope * self.dt
        start -= lag
        return self.u0, lag, start, np.exp(np.negative(self.dt) / tau_s)

    def hold(self, x: np.ndarray, i: int) -> None:
        """Over a jump in interval ``i`` the state at knot ``i + 1`` is the one at ``i``."""
        if i in self.jumps:
            np.copyto(x[i + 1], x[i], where=self.still[i])


def interval_tau(x: np.ndarray, target: np.ndarray, tau_s: np.ndarray, tau_off_s: np.ndarray
                 ) -> np.ndarray:
    """The time constant of each interval (K, N), the one from knot k in row k (the last row
    ``tau_s``), or ``tau_s`` (N,) itself when the two constants are the same.

    >>> interval_tau(np.array([[70.0], [150.0], [150.0]]), np.array([[150.0], [150.0], [70.0]]),
    ...              np.array([30.0]), np.array([80.0])).ravel().tolist()
    [30.0, 80.0, 30.0]
    """
    if tau_off_s is tau_s or np.array_equal(tau_off_s, tau_s):
        return tau_s
    out = np.broadcast_to(tau_s, x.shape).copy()
    out[:-1] = np.where(target[1:] < x[:-1], tau_off_s, tau_s)
    return out


def relax_with_tau(t: np.ndarray, target: np.ndarray, x0: ArrayLike, tau_s: np.ndarray,
                   tau_off_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`relax_at_knots` and :func:`interval_tau` of the result at once: the time
    constant each interval relaxes with is the one kept for it, not chosen a second time.

    >>> x, tau = relax_with_tau(np.array([[0.0], [60.0], [120.0]]),
    ...                         np.array([[70.0], [150.0], [70.0]]), 70.0,
    ...                         np.array([30.0]), np.array([80.0]))
    >>> tau.ravel().tolist() == interval_tau(x, np.array([[70.0], [150.0], [70.0]]),
    ...                                      np.array([30.0]), np.array([80.0])).ravel().tolist()
    True
    """
    if tau_off_s is tau_s or np.array_equal(tau_off_s, tau_s):
        return relax_at_knots(t, target, x0, tau_s), tau_s
    x = np.empty_like(target)
    x[0] = x0
    tau = np.empty(x.shape, dtype=np.asarray(tau_s).dtype)
    tau[-1] = tau_s
    for i in range(target.shape[0] - 1):
        tau[i] = np.where(target[i + 1] < x[i], tau_off_s, tau_s)
        x[i + 1] = relax_interval(x[i], target[i], target[i + 1], t[i + 1] - t[i], tau[i])
    return x, tau


def relax_interval(x: np.ndarray, u0: np.ndarray, u1: np.ndarray, dt: np.ndarray,
                   tau_s: ArrayLike, tau_off_s: ArrayLike | None = None) -> np.ndarray:
    """A first-order state after an interval of ``dt`` over which its target moves linearly
    from ``u0`` to ``u1``; unchanged where ``dt`` is zero (a jump of the target). With
    ``tau_off_s``, that constant where the target ends below the state (``u1 < x``)."""
    if tau_off_s is not None and tau_off_s is not tau_s:
        tau_s = np.where(u1 < x, tau_off_s, tau_s)
    ramp = np.greater(dt, 0)
    if ramp.all():                     # no jump (always so on a shared knot): no masks
        return oxygen.first_order_ramp(x, u0, (u1 - u0) / dt, dt, tau_s)
    slope = np.where(ramp, (u1 - u0) / np.where(ramp, dt, 1.0), 0.0)
    return np.where(ramp, oxygen.first_order_ramp(x, u0, slope, dt, tau_s), x)


def interval_bound(x0: np.ndarray, u0: np.ndarray, x1: np.ndarray, u1: np.ndarray
                   ) -> np.ndarray:
    """A bound on a first-order state over intervals: the larger of its ends where its
    target does not fall (its slope ``k - (C/tau) exp(-s/tau)`` with ``k >= 0`` is positive
    throughout or turns only at a minimum), else the hull of its start and its falling
    target's start, which it never leaves (each from the state's and the target's values at
    the intervals' two ends)."""
    return np.where(u1 < u0, np.maximum(x0, u0), np.maximum(x0, x1))


def interior_maximum(x0: np.ndarray, u0: np.ndarray, slope: np.ndarray, length: np.ndarray,
                     tau_s: ArrayLike) -> np.ndarray:
    """Where a first-order response to a linear target peaks inside a segment [s], else NaN.

    ``x(s) = u0 + k s - k tau + C exp(-s/tau)``, ``C = x0 - u0 + k tau``: ``x'(s) = 0`` at
    ``s* = -tau ln(k tau / C)``, a maximum when the target falls (k < 0) while the state is
    still below it (C < 0), inside when ``0 < s* < length``.
    """
    tau = np.asarray(tau_s)
    c = x0 - u0 + slope * tau
    with np.errstate(divide="ignore", invalid="ignore"):
        s_star = -tau * np.log(slope * tau / c)
    inside = (slope < 0) & (c < 0) & (s_star > 0) & (s_star < length)
    return np.where(inside, s_star, np.nan)


def exact_peak(t: np.ndarray, x: np.ndarray, u: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Exact maximum of a first-order response over a piecewise-linear target.

    The maximum is at a knot or at an interval's one interior maximum
    (:func:`interior_maximum`), which needs a falling target (k < 0) and a state still below
    it (C < 0): only those intervals are searched.
    """
    best = x.max(axis=0)
    k, n = u.shape
    dt = np.diff(t, axis=0)
    du = np.diff(u, axis=0)
    falling = du < 0
    falling &= dt > 0                            # (K-1, S) broadcasts against (K-1, N)
    rows = np.flatnonzero(falling.any(axis=1))
    count = np.count_nonzero(falling)
    if count == 0:
        return best
    if 2 * count >= rows.size * n:               # whole rows fall (a shared timeline)
        return _peak_on_rows(best, run_of(rows), dt, du, falling, x, u, tau)
    flat = np.flatnonzero(falling)               # a falling target: few segments
    seg, subj = np.divmod(flat, n)
    # one gather each from the flat (C-order) knot arrays
    dt_f = np.take(dt, seg) if dt.shape[1] == 1 else np.take(dt, flat)
    tau_a = np.asarray(tau)
    tt = np.take(tau_a, flat) if tau_a.ndim == 2 else \
        np.take(np.broadcast_to(tau_a, (n,)), subj) if tau_a.ndim else \
        np.broadcast_to(tau_a, flat.shape)
    kk = np.take(du, flat) / dt_f
    x0, u0 = np.take(x, flat), np.take(u, flat)
    c = x0 - u0 + kk * tt
    rising_into_a_fall = (kk < 0) & (c < 0)      # the only place an interior maximum can be
    if not rising_into_a_fall.any():
        return best
    subj, kk, tt, dt_f, x0, u0 = (a[rising_into_a_fall] for a in (subj, kk, tt, dt_f, x0, u0))
    s_star = interior_maximum(x0, u0, kk, dt_f, tt)
    inside = ~np.isnan(s_star)
    peak = oxygen.first_order_ramp(x0[inside], u0[inside], kk[inside], s_star[inside],
                                   tt[inside])
    np.maximum.at(best, subj[inside], peak)
    return best


def _peak_on_rows(best: np.ndarray, rows: slice | np.ndarray, dt: np.ndarray, du: np.ndarray,
                  falling: np.ndarray, x: np.ndarray, u: np.ndarray, tau: ArrayLike
                  ) -> np.ndarray:
    """:func:`exact_peak`'s interior maxima where the target falls in most of the segments
    ``rows`` (K-1 of them) for most subjects: the same closed forms, element by element, on
    those rows whole rather than gathered one segment at a time."""
    tau_a = np.asarray(tau)
    tt = tau_a[rows] if tau_a.ndim == 2 else tau_a
    x0, u0 = x[rows], u[rows]
    with np.errstate(divide="ignore", invalid="ignore"):      # a jump (dt = 0) is no fall
        kk = du[rows] / dt[rows]
        c = x0 - u0 + kk * tt
    rising_into_a_fall = falling[rows] & (kk < 0) & (c < 0)
    if not rising_into_a_fall.any():
        return best
    s_star = interior_maximum(x0, u0, kk, np.broadcast_to(dt[rows], kk.shape), tt)
    inside = rising_into_a_fall & ~np.isnan(s_star)
    if not inside.any():
        return best
    with np.errstate(invalid="ignore", over="ignore"):       # outside: not read
        peak = oxygen.first_order_ramp(x0, u0, kk, s_star, tt)
    return np.maximum(best, np.where(inside, peak, -np.inf).max(axis=0))
