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
from retrosim.solve.hr_phases import interior_peak
from retrosim.solve.relax import relax_at_knots

#: Bisection steps for a root: far more than halving a day to one ulp needs.
_BISECTIONS = 200

#: One first-order part over the intervals: state at each interval's start, target at its
#: start, the target's slope and the time constant, each (M,).
Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Drift:
    """The drift state ``state`` and its ceiling ``ceiling`` at every knot (each (K, N)
    [min-1]), its time constant ``tau_s`` [s] (N,), and heart rate without the drift
    ``heart`` (K, N), the state that relaxes towards ``hr_target``."""

    state: np.ndarray
    ceiling: np.ndarray
    tau_s: np.ndarray
    heart: np.ndarray


def solve_drift(t: np.ndarray, ceiling: np.ndarray, tau_s: np.ndarray, heart: np.ndarray
                ) -> Drift:
    """The drift at every knot from zero, exact in between (``t`` (K, S), ``ceiling``
    (K, N) linear between knots, ``tau_s`` (N,)); ``heart`` is kept beside it.

    >>> t = np.array([[0.0], [3600.0]])
    >>> d = solve_drift(t, np.array([[20.0], [20.0]]), np.array([1200.0]), np.zeros((2, 1)))
    >>> round(float(d.state[1, 0]), 6) == round(20.0 * (1.0 - np.exp(-3.0)), 6)
    True
    """
    return Drift(relax_at_knots(t, ceiling, 0.0, tau_s), ceiling, tau_s, heart)


def _parts(t: np.ndarray, x: np.ndarray, u: np.ndarray, tau: np.ndarray) -> Part:
    """The intervals' parts (flattened (K-1) x N) of a state ``x`` towards ``u``."""
    dt = np.broadcast_to(np.diff(t, axis=0), x[1:].shape)
    k = np.divide(np.diff(u, axis=0), dt, out=np.zeros(dt.shape), where=dt > 0)
    tau = np.broadcast_to(tau, x.shape)[:-1]
    return (x[:-1].ravel(), u[:-1].ravel(), k.ravel(), np.ascontiguousarray(tau).ravel())


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
    # a first-order response stays within the hull of its start and its targets: only the
    # intervals whose bound passes the best knot can hold a higher interior maximum
    bound = sum(np.maximum(s[0][:-1], np.maximum(s[1][:-1], s[1][1:])) for s in states)
    assert isinstance(bound, np.ndarray)
    look = ((bound > best) & (dt > 0)).ravel()
    if not look.any():
        return best
    parts = [tuple(a[look] for a in _parts(t, *s)) for s in states]
    value = interior_peak_of_sum(parts, dt.ravel()[look])
    cols = np.broadcast_to(np.arange(total.shape[1]), total[1:].shape).ravel()[look]
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
        a, b = np.where(same, mid, a), np.where(same, b, mid)
    return 0.5 * (a + b)


def interior_peak_of_sum(parts: Sequence[Part], length: np.ndarray) -> np.ndarray:
    """The largest interior maximum of a sum of two or three first-order responses over a
    segment of ``length``, NaN where there is none.

    Each part ``(x0, u0, k, tau)`` is ``x(s) = u0 + k s - k tau + C exp(-s/tau)``,
    ``C = x0 - u0 + k tau``. Two parts: :func:`retrosim.solve.hr_phases.interior_peak`. Three:
    the derivative of the sum ``f(s) = K - sum a_i exp(-s/tau_i)`` (``a_i = C_i / tau_i``)
    turns where ``f'(s) exp(s/tau_3) = a_3/tau_3 + sum_{i<3} a_i/tau_i exp(-s (1/tau_i -
    1/tau_3))`` vanishes; with ``tau_3`` the slowest, that is a constant and two decaying
    exponentials, monotone on either side of its one turning point (closed form), so it has
    at most one root on each side (bisection). Between those roots ``f`` is monotone; a root
    of ``f`` where it goes from positive to negative is a maximum (bisection).

    >>> one = (np.array([70.0]), np.array([150.0]), np.array([-1.0]), np.array([30.0]))
    >>> zero = (np.zeros(1), np.zeros(1), np.zeros(1), np.array([200.0]))
    >>> flat = (np.zeros(1), np.zeros(1), np.zeros(1), np.array([1200.0]))
    >>> two = interior_peak_of_sum([one, zero], np.array([100.0]))
    >>> bool(np.isclose(interior_peak_of_sum([one, zero, flat], np.array([100.0]))[0],
    ...                 two[0], rtol=1e-12))
    True
    """
    if len(parts) == 2:
        return interior_peak(parts[0], parts[1], length)
    assert len(parts) == 3, "two or three parts"
    order = np.argsort(np.stack([p[3] for p in parts]), axis=0)   # the slowest last
    stacked = [np.take_along_axis(np.stack([p[j] for p in parts]), order, axis=0)
               for j in range(4)]
    x0, u0, k, tau = stacked
    a = (x0 - u0 + k * tau) / tau
    big_k = k.sum(axis=0)

    def slope(s: np.ndarray) -> np.ndarray:
        return big_k - (a * np.exp(-s / tau)).sum(axis=0)

    b = a / tau                                   # f'(s) = sum b_i exp(-s / tau_i)
    r = 1.0 / tau[:2] - 1.0 / tau[2]              # >= 0: decaying
    c0, b1, b2, r1, r2 = b[2], b[0], b[1], r[0], r[1]

    def bend(s: np.ndarray) -> np.ndarray:         # f'(s) exp(s / tau_3)
        return c0 + b1 * np.exp(-r1 * s) + b2 * np.exp(-r2 * s)

    zero = np.zeros_like(length)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        turn = np.log(-(b1 * r1) / (b2 * r2)) / (r1 - r2)
    turn = np.where(np.isfinite(turn) & (turn > 0) & (turn < length), turn, length)
    cuts = [zero]
    for lo, hi in ((zero, turn), (turn, length)):
        change = (hi > lo) & ((bend(lo) > 0) != (bend(hi) > 0))
        root = np.where(change, _bisect(bend, lo, hi), np.nan) if change.any() else \
            np.full(length.shape, np.nan)
        cuts.append(root)
    cuts.append(length)
    ends = np.sort(np.stack([np.where(np.isnan(c), length, c) for c in cuts]), axis=0)
    best = np.full(length.shape, np.nan)
    for lo, hi in zip(ends[:-1], ends[1:], strict=True):
        down = (hi > lo) & (slope(lo) > 0) & (slope(hi) < 0)
        if not down.any():
            continue
        s = np.where(down, _bisect(slope, lo, hi), 0.0)
        value = sum(oxygen.first_order_ramp(x0[i], u0[i], k[i], s, tau[i]) for i in range(3))
        best = np.where(down, np.fmax(best, value), best)
    return best
