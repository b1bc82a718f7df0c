"""Heart rate's saturating drift as its own first-order state, exact over every interval
(``[energy] hr_drift = "teso-saturating"``, :mod:`retrosim.physiology.hr_drift`).

The drift ``d`` relaxes with the time constant ``T`` towards a ceiling ``c`` that is linear
between knots (:func:`retrosim.physiology.hr_drift.saturating_ceiling` at each knot: ``T``
times Teso et al. 2025's rate while the belt moves, never more than the headroom to HRmax,
zero while it stands). From zero at the start of a bout, ``T d' = c - d`` gives ``d' = c/T``,
Teso's rate, and ``d -> c``; after the belt stops ``d`` fades to zero with the same ``T``.
Heart rate is the sum of the state without drift (one state or two phases, each towards its
own linear target) and ``d``: every part is a first-order state towards a linear target, so
each advances across an interval in one closed-form step
(:func:`retrosim.physiology.oxygen.first_order_ramp`) and so does their sum. The peak of the
sum inside an interval is where its derivative, a constant minus a sum of exponentials,
changes sign from positive to negative (:func:`interior_peak_of_sum`).

Arrays are laid out (knot, subject) as in :mod:`retrosim.solve.trajectory`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrosim.physiology import oxygen
from retrosim.solve.relax import interval_bound, relax_at_knots

#: Bisection steps for a root: far more than halving a day to one ulp needs.
_BISECTIONS = 200

#: One first-order part over the intervals: state at each interval's start, target at its
#: start, the target's slope and the time constant, each (M,).
Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Drift:
    """The drift state ``state`` and its ceiling ``ceiling`` at every knot (each (K, N)
    [min-1]), its time constant ``tau_s`` [s] (one for everyone, a 0-d array), and heart
    rate without the drift ``heart`` (K, N), the state that relaxes towards ``hr_target``."""

    state: np.ndarray
    ceiling: np.ndarray
    tau_s: np.ndarray
    heart: np.ndarray


def solve_drift(t: np.ndarray, ceiling: np.ndarray, tau_s: float, heart: np.ndarray
                ) -> Drift:
    """The drift at every knot from zero, exact in between (``t`` (K, S), ``ceiling``
    (K, N) linear between knots, ``tau_s`` one constant, so that each interval's decay is
    one per knot, not per subject); ``heart`` is kept beside it.

    >>> t = np.array([[0.0], [3600.0]])
    >>> d = solve_drift(t, np.array([[20.0], [20.0]]), 1200.0, np.zeros((2, 1)))
    >>> bool(np.isclose(d.state[1, 0], 20.0 * (1.0 - np.exp(-3.0)), rtol=1e-12))
    True
    """
    tau = np.asarray(float(tau_s))
    return Drift(relax_at_knots(t, ceiling, 0.0, tau), ceiling, tau, heart)


def _flat_part(x: np.ndarray, u: np.ndarray, tau: np.ndarray, look: np.ndarray, n: int,
               length: np.ndarray) -> Part:
    """The part of a state ``x`` towards ``u`` (each (K, N)) over the intervals ``look``
    (flat indices into the (K-1) x N intervals, of ``length`` > 0), each (M,); ``tau``
    (K, N), (N,) or 0-d."""
    u0, u1 = np.take(u[:-1].ravel(), look), np.take(u[1:].ravel(), look)
    tau = np.asarray(tau)
    tau = (np.take(tau[:-1].ravel(), look) if tau.ndim == 2 else
           np.take(tau, look % n) if tau.ndim == 1 else np.broadcast_to(tau, look.shape))
    return (np.take(x[:-1].ravel(), look), u0, (u1 - u0) / length, tau)


def _never_falls(part: Part, length: np.ndarray) -> np.ndarray:
    """Where a part's slope ``k - (C/tau) exp(-s/tau)``, monotone in ``s``, is not negative
    at either end of the interval, and so nowhere in it."""
    x0, u0, k, tau = part
    a = (x0 - u0 + k * tau) / tau
    return (k - a >= 0) & (k - a * np.exp(-length / tau) >= 0)


def peak_of_sum(t: np.ndarray, states: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]
                ) -> np.ndarray:
    """Each subject's exact maximum (N,) of a sum of first-order states, each
    ``(state, target, tau)`` at the knots ((K, N), (K, N), (K, N) or (N,)), every target
    linear between knots: at a knot or inside an interval (:func:`interior_peak_of_sum`)."""
    total = sum(s[0] for s in states)
    assert isinstance(total, np.ndarray)
    best = total.max(axis=0)
    if total.shape[0] < 2:
        return best
    dt = np.broadcast_to(np.diff(t, axis=0), total[1:].shape)
    # an interior maximum needs a part that falls somewhere in the interval: one whose
    # target falls or that starts above its target (otherwise its slope is not negative at
    # the start and grows, or stays above the target's slope, which is not negative)
    can_fall = np.logical_or.reduce([(s[0][:-1] > s[1][:-1]) | (s[1][1:] < s[1][:-1])
                                     for s in states])
    can_fall &= dt > 0
    if len(states) == 2:         # targets flat and the faster part not rising: no maximum
        (x_a, u_a, t_a), (x_b, u_b, t_b) = states
        t_a, t_b = (np.broadcast_to(tt, x_a.shape)[:-1] for tt in (t_a, t_b))
        fast_not_rising = np.where(t_a < t_b, x_a[:-1] >= u_a[:-1], x_b[:-1] >= u_b[:-1])
        can_fall &= ~((u_a[1:] == u_a[:-1]) & (u_b[1:] == u_b[:-1]) & fast_not_rising
                      & (t_a != t_b))
    look = np.flatnonzero(can_fall)                  # few intervals: one gather each
    if look.size == 0:
        return best
    n = total.shape[1]
    cols = look % n
    steps = np.diff(t, axis=0)
    length = (np.take(steps[:, 0], look // n) if steps.shape[1] == 1 else
              np.take(steps.ravel(), look))
    # only the intervals whose bound passes the best knot can hold a higher interior maximum
    bound = sum(interval_bound(*(np.take(a[:-1].ravel(), look) for a in st[:2]),
                               *(np.take(a[1:].ravel(), look) for a in st[:2]))
                for st in states)
    assert isinstance(bound, np.ndarray)
    high = bound > best[cols]
    look, cols, length = look[high], cols[high], length[high]
    if look.size == 0:
        return best
    parts = [_flat_part(*st, look, n, length) for st in states]
    # a sum of parts none of which falls anywhere in the interval rises to its end knot
    rising = np.logical_and.reduce([_never_falls(p, length) for p in parts])
    if rising.all():
        return best
    keep = ~rising
    value = interior_peak_of_sum([tuple(a[keep] for a in p) for p in parts], length[keep])
    cols = cols[keep]
    found = ~np.isnan(value)
    np.maximum.at(best, cols[found], value[found])
    return best


def _bisect(f, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A root of ``f`` (monotone on each ``[lo, hi]``, of opposite signs at the two ends)."""
    a, b = lo.copy(), hi.copy()
    above = f(a) > 0
    for _ in range(_BISECTIONS):
        mid = 0.5 * (a + b)
        same = (f(mid) > 0) == above
        a_new, b_new = np.where(same, mid, a), np.where(same, b, mid)
        if np.array_equal(a_new, a) and np.array_equal(b_new, b):
            break           # a fixed point: every further step would leave the same bits
        a, b = a_new, b_new
    return 0.5 * (a + b)


def _newton(f, df, lo: np.ndarray, hi: np.ndarray  # type: ignore[no-untyped-def]
            ) -> np.ndarray:
    """The root of ``f`` (falling on each ``[lo, hi]``: positive at ``lo``, negative at
    ``hi``; ``df`` its derivative) by Newton's steps kept inside the bracket (a bisection
    where a step would leave it). Each element stops by its own test (its step is a few
    units in the last place, or its bracket cannot be halved), so its root does not depend
    on the others in the batch."""
    a, b = lo.copy(), hi.copy()
    x = 0.5 * (a + b)
    active = np.ones(x.shape, bool)
    for _ in range(_BISECTIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xi, ai, bi = x[idx], a[idx], b[idx]
        fx = f(xi, idx)
        ai, bi = np.where(fx > 0, xi, ai), np.where(fx > 0, bi, xi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xi - fx / df(xi, idx)
        mid = 0.5 * (ai + bi)
        step = np.where((step > ai) & (step < bi), step, mid)
        # converged: the step is a few units in the last place (Newton's error then squares)
        done = (fx == 0) | (np.abs(step - xi) <= 4.0 * np.spacing(np.abs(xi))) | \
            (mid == ai) | (mid == bi)
        a[idx], b[idx] = ai, bi
        x[idx] = np.where(fx == 0, xi, step)
        active[idx] = ~done
    return x


def interior_peak_of_sum(parts: Sequence[Part], length: np.ndarray) -> np.ndarray:
    """The largest interior maximum of a sum of two or three first-order responses over a
    segment of ``length``, NaN where there is none.

    Each part ``(x0, u0, k, tau)`` is ``x(s) = u0 + k s - k tau + C exp(-s/tau)``,
    ``C = x0 - u0 + k tau``; the sum's slope is ``f(s) = K - sum a_i exp(-s/tau_i)``
    (``a_i = C_i / tau_i``), and it turns where ``f'(s) exp(s/tau_n) = b_n + sum_{i<n} b_i
    exp(-s (1/tau_i - 1/tau_n))`` vanishes (``b_i = a_i / tau_i``, ``tau_n`` the slowest:
    the exponentials decay). Two parts: that is a constant and one exponential, with at
    most one root (closed form). Three: a constant and two exponentials, monotone on either
    side of its one turning point (closed form), so at most one root on each side
    (bisection). Between those roots ``f`` is monotone; a root of ``f`` where it goes from
    positive to negative is a maximum (Newton's steps inside the bracket).

    >>> one = (np.array([70.0]), np.array([150.0]), np.array([-1.0]), np.array([30.0]))
    >>> zero = (np.zeros(1), np.zeros(1), np.zeros(1), np.array([200.0]))
    >>> flat = (np.zeros(1), np.zeros(1), np.zeros(1), np.array([1200.0]))
    >>> s = -30.0 * np.log(30.0 / 110.0)                # one part: the closed form
    >>> peak = oxygen.first_order_ramp(70.0, 150.0, -1.0, s, 30.0)
    >>> bool(np.isclose(interior_peak_of_sum([one, zero], np.array([100.0]))[0], peak,
    ...                 rtol=1e-14))
    True
    >>> bool(np.isclose(interior_peak_of_sum([one, zero, flat], np.array([100.0]))[0], peak,
    ...                 rtol=1e-14))
    True
    """
    assert len(parts) in (2, 3), "two or three parts"
    m = len(parts)
    order = np.argsort(np.stack([np.broadcast_to(p[3], length.shape) for p in parts]),
                       axis=0, kind="stable")            # the slowest last
    x0, u0, k, tau = (np.take_along_axis(np.stack([np.broadcast_to(p[j], length.shape)
                                                   for p in parts]), order, axis=0)
                      for j in range(4))
    a = (x0 - u0 + k * tau) / tau
    big_k = k.sum(axis=0)
    b = a / tau                                   # f'(s) = sum b_i exp(-s / tau_i)
    r = 1.0 / tau[:-1] - 1.0 / tau[-1]            # >= 0: decaying

    def bend(s: np.ndarray) -> np.ndarray:         # f'(s) exp(s / tau_n)
        return b[-1] + (b[:-1] * np.exp(-r * s)).sum(axis=0)

    zero = np.zeros_like(length)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if m == 2:
            cuts = [np.log(-b[0] / b[1]) / r[0]]
        else:
            turn = np.log(-(b[0] * r[0]) / (b[1] * r[1])) / (r[0] - r[1])
            turn = np.where(np.isfinite(turn) & (turn > 0) & (turn < length), turn, length)
            cuts = []
            for lo, hi in ((zero, turn), (turn, length)):
                change = (hi > lo) & ((bend(lo) > 0) != (bend(hi) > 0))
                cuts.append(np.where(change, _bisect(bend, lo, hi), np.nan)
                            if change.any() else np.full(length.shape, np.nan))
    inside = [np.where(np.isfinite(c) & (c > 0) & (c < length), c, length) for c in cuts]
    ends = np.sort(np.stack([zero, *inside, length]), axis=0)

    def slope(s: np.ndarray, i: np.ndarray) -> np.ndarray:
        return big_k[i] - (a[:, i] * np.exp(-s / tau[:, i])).sum(axis=0)

    def curve(s: np.ndarray, i: np.ndarray) -> np.ndarray:
        return (b[:, i] * np.exp(-s / tau[:, i])).sum(axis=0)

    best = np.full(length.shape, np.nan)
    every = np.arange(length.size)
    for lo, hi in zip(ends[:-1], ends[1:], strict=True):
        down = np.flatnonzero((hi > lo) & (slope(lo, every) > 0) & (slope(hi, every) < 0))
        if down.size == 0:
            continue
        s = np.full(down.size, np.nan)
        if m == 2:               # flat targets (K = 0): the root in closed form
            with np.errstate(divide="ignore", invalid="ignore"):
                exact = (np.log(-a[0, down] / a[1, down])
                         / (1.0 / tau[0, down] - 1.0 / tau[1, down]))
            s = np.where((big_k[down] == 0) & (exact > lo[down]) & (exact < hi[down]), exact,
                         np.nan)
        rest = np.flatnonzero(np.isnan(s))
        if rest.size:
            d = down[rest]
            s[rest] = _newton(lambda x, i, d=d: slope(x, d[i]), lambda x, i, d=d: curve(x, d[i]),
                              lo[d], hi[d])
        value = sum(oxygen.first_order_ramp(x0[j, down], u0[j, down], k[j, down], s,
                                            tau[j, down]) for j in range(m))
        best[down] = np.fmax(best[down], value)
    return best
