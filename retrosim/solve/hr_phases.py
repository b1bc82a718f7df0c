"""Heart rate as two first-order phases, exact over every interval (``[energy] hr_kinetics =
"vagal-recovery"`` or ``"two-phase-recovery"``, :mod:`retrosim.physiology.hr_kinetics`).

The target's rise above rest is split at every knot into a slow part and a fast part, the
rest: with ``two-phase-recovery`` the slow part's share grows with the fraction of the
heart-rate reserve reached (:func:`retrosim.physiology.hr_kinetics.slow_target`), with
``vagal-recovery`` (the default) it is what the rise exceeds the fast phase's capacity by
(:func:`retrosim.physiology.hr_kinetics.vagal_slow_target`); each part is linear between
knots, as every target is. Heart rate is the sum of two first-order states,
one towards each part. Each state falls by its own rule (that of
:func:`retrosim.solve.relax.relax_interval`): over an interval whose own target ends below it,
the fast state relaxes with the fast (vagal) off constant and the slow state with the slow
one; otherwise with the on constant, so that from rest heart rate rises exactly as one
first-order state would, and heart rate is continuous in the person's traits (a rule shared by
the two, on their sum, would switch both constants at once where the sum meets the target,
and let the slow state hold a heart rate above its target during exercise). Each state
advances across an interval in one closed-form step
(:func:`retrosim.physiology.oxygen.first_order_ramp`); the peak of the sum inside an interval
is where its derivative, a constant minus two exponentials, vanishes, found by bisection and
Newton's method on the stretches where that derivative is monotone (exact to rounding).

Arrays are laid out (knot, subject) as in :mod:`retrosim.solve.trajectory`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from retrosim.physiology import hr_kinetics, oxygen
from retrosim.solve.parameters import Physiology
from retrosim.solve.relax import interior_maximum, interval_bound, relax_interval

#: An interior peak: bisection steps that narrow its bracket 4096-fold, then Newton steps
#: (kept inside the bracket) on the sum's derivative, monotone there, which converge
#: quadratically: six take the root to rounding.
_BISECTIONS, _NEWTON_STEPS = 12, 6

#: Far more than the rounding of a heart rate found in closed form [min-1]: an interval
#: whose bound falls short of the best peak so far by this much cannot hold a higher one.
_ROUNDING_BPM = 1e-9


def split_target(hr_target: np.ndarray, p: Physiology, base: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The fast and the slow parts of heart rate's target [min-1] (their sum is the target).

    The slow part is set by ``base``, the target before heart rate's drift (default: the
    target), and the drift goes to the fast part: the drift is linear in time over a flat
    stretch, and so stays each part's target, whatever knots the stretch has.
    """
    before = hr_target if base is None else base
    slow = (hr_kinetics.slow_target(before, p.hr_rest, p.hr_max) if p.hr_vagal_bpm is None
            else hr_kinetics.vagal_slow_target(before, p.hr_rest, p.hr_vagal_bpm))
    return hr_target - slow, slow


def phase_taus(fast_falls: np.ndarray, slow_falls: np.ndarray, p: Physiology
               ) -> tuple[np.ndarray, np.ndarray]:
    """The fast and the slow state's constants [s]: each its off constant over the intervals
    where its own target ends below it (``fast_falls``, ``slow_falls``), the on constant
    otherwise."""
    assert p.tau_hr_slow_s is not None, "two phases need the slow phase's constant"
    return (np.where(fast_falls, p.tau_hr_off_s, p.tau_hr_s),
            np.where(slow_falls, p.tau_hr_slow_s, p.tau_hr_s))


def step(fast: np.ndarray, slow: np.ndarray, start: tuple[np.ndarray, np.ndarray],
         end: tuple[np.ndarray, np.ndarray], dt: np.ndarray, p: Physiology
         ) -> tuple[np.ndarray, np.ndarray]:
    """Both states after an interval of ``dt`` over which their targets move linearly from
    ``start`` to ``end`` (each the fast and the slow part, :func:`split_target`).

    >>> from retrosim.model.people import Cohort
    >>> from retrosim.model.subject import Subject
    >>> from retrosim.model.options import EnergyOptions
    >>> p = Physiology.of(Cohort.from_subject(Subject(mass_kg=70, age_yr=25, sex="male")),
    ...                   EnergyOptions(hr_kinetics="two-phase-recovery"))
    >>> uf, us = split_target(np.array([150.0]), p)
    >>> rest = (p.hr_rest, np.zeros(1))                  # a minute at rest after 150 bpm
    >>> f, s = step(uf, us, rest, rest, np.array([60.0]), p)
    >>> bool(f + s < 150.0), bool(s / us > 0.9), bool((f - p.hr_rest) / (uf - p.hr_rest) < 0.2)
    (True, True, True)
    """
    tau_f, tau_s = phase_taus(end[0] < fast, end[1] < slow, p)
    return (relax_interval(fast, start[0], end[0], dt, tau_f),
            relax_interval(slow, start[1], end[1], dt, tau_s))


@dataclass(frozen=True)
class HrPhases:
    """The two states at every knot, their targets (each (K, N)) and the constants of the
    interval from each knot (K, N; the last row the on constant)."""

    fast: np.ndarray
    fast_target: np.ndarray
    slow: np.ndarray
    slow_target: np.ndarray
    tau_fast: np.ndarray
    tau_slow: np.ndarray

    @cached_property
    def hr(self) -> np.ndarray:
        """Heart rate at the knots [min-1], (K, N)."""
        return self.fast + self.slow

    def sample(self, relax: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
               ) -> np.ndarray:
        """Heart rate at sample times, given the sampler's ``relax(state, target, tau)``
        (the closed form between knots, :meth:`retrosim.solve.trajectory.Trajectory.sample`)."""
        return (relax(self.fast, self.fast_target, self.tau_fast)
                + relax(self.slow, self.slow_target, self.tau_slow))

    def peak(self, t: np.ndarray) -> np.ndarray:
        """Each subject's exact peak heart rate [min-1], (N,): at a knot or inside an
        interval. Where both states relax with one constant (every interval where neither
        falls), or where the slow state and its target are nothing throughout, heart rate is
        one first-order state, whose interior maximum has a closed form
        (:func:`retrosim.solve.relax.interior_maximum`); elsewhere :func:`interior_peak`
        searches. Only the intervals that can hold a peak are gathered."""
        best = self.hr.max(axis=0)
        n = self.fast.shape[1]
        steps = np.diff(t, axis=0)                              # (K-1, S)
        tau_f, tau_s = self.tau_fast[:-1], self.tau_slow[:-1]
        ramp = steps > 0                                        # broadcasts against (K-1, N)
        fall = tau_f != tau_s                                   # the two constants differ
        fall &= ramp
        uf, us = self.fast_target, self.slow_target

        def length_of(idx: np.ndarray) -> np.ndarray:
            return np.take(steps, idx // n) if steps.shape[1] == 1 else np.take(steps, idx)

        total = uf + us
        none = us == 0
        no_slow = none[:-1] & none[1:] & (self.slow[:-1] == 0)
        for idx, x, u in ((np.flatnonzero((tau_f == tau_s) & ramp & (total[1:] < total[:-1])),
                           self.hr, total),
                          (np.flatnonzero(fall & no_slow & (uf[1:] < uf[:-1])), self.fast, uf)):
            if idx.size:
                length, tau = length_of(idx), np.take(tau_f, idx)
                x0, u0 = np.take(x, idx), np.take(u, idx)
                k = (np.take(u, idx + n) - u0) / length
                s_star = interior_maximum(x0, u0, k, length, tau)
                inside = np.isfinite(s_star)
                np.fmax.at(best, idx[inside] % n, oxygen.first_order_ramp(
                    x0[inside], u0[inside], k[inside], s_star[inside], tau[inside]))
        # a part whose target does not rise and that starts at or above it never rises
        # (its rate k - C / tau exp(-s / tau) runs from (u0 - x0) / tau to k, both <= 0): a
        # sum of two such parts has no maximum inside
        rises = ((self.fast[:-1] < uf[:-1]) | (uf[1:] > uf[:-1]) | (self.slow[:-1] < us[:-1])
                 | (us[1:] > us[:-1]))
        fall &= ~no_slow
        two = np.flatnonzero(fall & rises)
        if two.size:
            length = length_of(two)
            parts = []
            rising, bound = np.zeros(two.size), np.zeros(two.size)
            for x, u, tau in ((self.fast, uf, tau_f), (self.slow, us, tau_s)):
                u0, u1, tau_i = np.take(u, two), np.take(u, two + n), np.take(tau, two)
                k = (u1 - u0) / length
                x0 = np.take(x, two)
                parts.append((x0, u0, k, tau_i))
                # each part's rate is k - C / tau exp(-s / tau), C = x0 - u0 + k tau: at most
                # k - C / tau where C < 0, at most k where C >= 0
                rising += k + np.maximum((u0 - x0) / tau_i - k, 0.0)
                bound += interval_bound(x0, u0, np.take(x, two + n), u1)
            # the sum's rate can be positive (a peak may be inside), and the bounds of its
            # parts pass the best so far by more than rounding (else no peak inside is higher)
            can = np.flatnonzero((rising > 0) & (bound > np.take(best, two % n) - _ROUNDING_BPM))
            if can.size:
                fast, slow = (tuple(np.take(a, can) for a in part) for part in parts)
                value = interior_peak(fast, slow, np.take(length, can))
                found = np.isfinite(value)
                np.fmax.at(best, two[can[found]] % n, value[found])
        return best


def solve_phases(t: np.ndarray, hr_target: np.ndarray, p: Physiology,
                 base: np.ndarray | None = None) -> HrPhases:
    """Both states at every knot from rest (the fast state at resting heart rate, the slow
    one at zero), exact in between; ``t`` (K, S), ``hr_target`` (K, N) and its value before
    drift, ``base`` (:func:`split_target`).

    Each interval is :func:`step`'s closed form; the constants each interval relaxes with
    are kept as they are chosen."""
    uf, us = split_target(hr_target, p, base)
    assert p.tau_hr_slow_s is not None, "two phases need the slow phase's constant"
    fast, slow = np.empty_like(uf), np.empty_like(us)
    fast[0], slow[0] = p.hr_rest, 0.0
    tau_f, tau_s = np.empty(uf.shape), np.empty(uf.shape)
    tau_f[-1], tau_s[-1] = p.tau_hr_s, p.tau_hr_s
    for i in range(uf.shape[0] - 1):          # row by row: no temporaries of every knot
        dt = t[i + 1] - t[i]
        np.copyto(tau_f[i], np.where(uf[i + 1] < fast[i], p.tau_hr_off_s, p.tau_hr_s))
        np.copyto(tau_s[i], np.where(us[i + 1] < slow[i], p.tau_hr_slow_s, p.tau_hr_s))
        fast[i + 1] = relax_interval(fast[i], uf[i], uf[i + 1], dt, tau_f[i])
        slow[i + 1] = relax_interval(slow[i], us[i], us[i + 1], dt, tau_s[i])
    return HrPhases(fast, uf, slow, us, tau_f, tau_s)


def merge_phases(old: HrPhases, new: HrPhases, idx: np.ndarray, extra: int, p: Physiology
                 ) -> HrPhases:
    """``old``'s knots (the last one repeated ``extra`` times) with the columns ``idx`` from
    ``new`` (:func:`retrosim.solve.trajectory.resolve`)."""
    def merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.concatenate([a, np.repeat(a[-1:], extra, axis=0)])
        out[:, idx] = b
        return out

    fast, uf, slow, us = (merge(getattr(old, n), getattr(new, n))
                          for n in ("fast", "fast_target", "slow", "slow_target"))
    fast_falls, slow_falls = np.zeros(uf.shape, bool), np.zeros(uf.shape, bool)
    fast_falls[:-1] = uf[1:] < fast[:-1]
    slow_falls[:-1] = us[1:] < slow[:-1]
    tau_f, tau_s = phase_taus(fast_falls, slow_falls, p)
    return HrPhases(fast, uf, slow, us, tau_f, tau_s)


def interior_peak(fast: tuple[np.ndarray, ...], slow: tuple[np.ndarray, ...],
                  length: np.ndarray) -> np.ndarray:
    """The largest interior maximum of the sum of two first-order responses over a segment,
    NaN where there is none.

    Each part is ``(x0, u0, k, tau)``: ``x(s) = u0 + k s - k tau + C exp(-s / tau)``,
    ``C = x0 - u0 + k tau``. The sum's derivative ``K - g(s)``, ``g = sum C / tau exp(-s /
    tau)``, is monotone on either side of g's one turning point, so it has at most one root
    on each side; a root where it goes from positive to negative is a maximum, bracketed by
    bisection and polished by Newton's method.

    >>> one = (np.array([70.0]), np.array([150.0]), np.array([-1.0]), np.array([30.0]))
    >>> zero = (np.zeros(1), np.zeros(1), np.zeros(1), np.array([200.0]))
    >>> s = -30.0 * np.log(30.0 / 110.0)                # one part: the closed form
    >>> peak = oxygen.first_order_ramp(70.0, 150.0, -1.0, s, 30.0)
    >>> bool(np.isclose(interior_peak(one, zero, np.array([100.0]))[0], peak, rtol=1e-14))
    True
    """
    x_f, u_f, k_f, t_f = fast
    x_s, u_s, k_s, t_s = slow
    c_f, c_s = x_f - u_f + k_f * t_f, x_s - u_s + k_s * t_s
    a_f, a_s = c_f / t_f, c_s / t_s
    big_k = k_f + k_s

    def slope(s: np.ndarray) -> np.ndarray:
        return big_k - a_f * np.exp(-s / t_f) - a_s * np.exp(-s / t_s)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):   # no turn: not finite
        turn = np.log(-(a_f * t_s) / (a_s * t_f)) / (1.0 / t_f - 1.0 / t_s)
    turn = np.where(np.isfinite(turn) & (turn > 0) & (turn < length), turn, length)
    at_turn = slope(turn)
    # both stretches' brackets at once, each element on its own (the same bits)
    first = np.flatnonzero((turn > 0) & (slope(np.zeros_like(length)) > 0) & (at_turn < 0))
    second = np.flatnonzero((length > turn) & (at_turn > 0) & (slope(length) < 0))
    best = np.full(length.shape, np.nan)
    down = np.concatenate([first, second])
    if down.size == 0:
        return best
    a = np.concatenate([np.zeros(first.size), turn[second]])
    b = np.concatenate([turn[first], length[second]])
    part = [np.take(v, down) for v in (big_k, a_f, t_f, a_s, t_s)]
    for _ in range(_BISECTIONS):     # (a fixed point, where reached, stays one)
        mid = 0.5 * (a + b)
        up = part[0] - part[1] * np.exp(-mid / part[2]) - part[3] * np.exp(-mid / part[4]) > 0
        a, b = np.where(up, mid, a), np.where(up, b, mid)
    s = 0.5 * (a + b)
    for _ in range(_NEWTON_STEPS):
        e_f, e_s = part[1] * np.exp(-s / part[2]), part[3] * np.exp(-s / part[4])
        curve = e_f / part[2] + e_s / part[4]
        step = np.divide(part[0] - e_f - e_s, curve, out=np.zeros_like(s), where=curve != 0)
        s = np.clip(s - step, a, b)
    value = (oxygen.first_order_ramp(x_f[down], u_f[down], k_f[down], s, t_f[down])
             + oxygen.first_order_ramp(x_s[down], u_s[down], k_s[down], s, t_s[down]))
    np.fmax.at(best, down, value)
    return best
