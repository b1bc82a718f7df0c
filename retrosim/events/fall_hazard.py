"""The exact perturbation and fall hazards of a session, per subject, along its timeline.

The rates the fall model (:mod:`retrosim.events.falls`) draws its events from: perturbations
as a non-homogeneous Poisson process whose rate follows the inputs, fatigue and balance
(:mod:`retrosim.physiology.balance`), each a fall with probability p(t); both rates linear
between knots, so the cumulative hazards are piecewise quadratic (:class:`Hazard`,
:class:`Rates`). Also the exact risk of a fall over a protocol, ``1 - exp(-H)``, with no
event drawn (:func:`exact_risk`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from retrosim.engine.session import Session
from retrosim.engine.simulate import build_session, people
from retrosim.model.scenario import Scenario
from retrosim.physiology import balance, fall_covariates
from retrosim.physiology.balance import PERTURBATIONS
from retrosim.solve.timeline import knot_sum


@dataclass(frozen=True)
class Hazard:
    """A piecewise-linear rate on knots ``t`` (K, S) for C columns, and its integral.

    ``r0``, ``r1`` (K-1, C): the rate at the start and the end of each segment [s-1];
    ``H`` (K, C): the cumulative hazard at the knots. S and C are 1 (shared) or N.
    """

    t: np.ndarray
    r0: np.ndarray
    r1: np.ndarray
    H: np.ndarray

    @classmethod
    def of(cls, t: np.ndarray, r0: np.ndarray, r1: np.ndarray) -> Hazard:
        increments = 0.5 * (r0 + r1) * np.diff(t, axis=0)
        return cls(t, r0, r1, np.concatenate([np.zeros((1, increments.shape[1])),
                                              np.cumsum(increments, axis=0)]))

    @property
    def total(self) -> np.ndarray:
        return self.H[-1]

    def _cols(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.zeros_like(cols)
        return (cols if self.H.shape[1] > 1 else zero), (cols if self.t.shape[1] > 1 else zero)

    def _segment(self, j: np.ndarray, c: np.ndarray, tc: np.ndarray):
        length = self.t[j + 1, tc] - self.t[j, tc]
        a = self.r0[j, c]
        slope = np.divide(self.r1[j, c] - a, length, out=np.zeros_like(a), where=length > 0)
        return length, a, slope

    def at(self, cols: np.ndarray, times: np.ndarray) -> np.ndarray:
        """The cumulative hazard of column ``cols[m]`` at ``times[m]`` (clamped to the end).

        >>> h = Hazard.of(np.array([[0.0], [10.0]]), np.array([[0.0]]), np.array([[2.0]]))
        >>> h.at(np.array([0, 0]), np.array([5.0, 99.0])).tolist()
        [2.5, 10.0]
        """
        c, tc = self._cols(cols)
        k = self.t.shape[0]
        j = np.clip((self.t[:, tc] <= times).sum(0) - 1, 0, k - 2)
        length, a, slope = self._segment(j, c, tc)
        s = np.clip(times - self.t[j, tc], 0.0, length)
        return self.H[j, c] + a * s + 0.5 * slope * s * s

    def inverse(self, cols: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Times at which column ``cols[m]`` reaches ``targets[m]`` (below its total), and
        their segments: the root of ``a s + k s^2 / 2 = target - H_j`` in closed form.

        >>> h = Hazard.of(np.array([[0.0], [10.0]]), np.array([[0.0]]), np.array([[2.0]]))
        >>> h.inverse(np.array([0]), np.array([2.5]))[0].tolist()
        [5.0]
        """
        c, tc = self._cols(cols)
        k = self.t.shape[0]
        j = np.clip((self.H[:, c] <= targets).sum(0) - 1, 0, k - 2)
        length, a, slope = self._segment(j, c, tc)
        delta = np.maximum(targets - self.H[j, c], 0.0)
        root = a + np.sqrt(np.maximum(a * a + 2.0 * slope * delta, 0.0))
        s = np.divide(2.0 * delta, root, out=np.zeros_like(root), where=root > 0)
        return self.t[j, tc] + np.clip(s, 0.0, length), j


@dataclass(frozen=True)
class Rates:
    """Perturbation rates along one session's timeline (see :func:`rates`).

    Per subject only the walking exposure is kept (it carries their fatigue); what depends on
    balance and support is kept per class of subjects sharing a Berg score and a handrail
    (one class for a cohort drawn from one ``[subject]``), so the cost per subject is a few
    passes over (K, N) arrays.
    """

    params: balance.FallParameters
    t: np.ndarray              # (K, S) knot times [s]
    berg: np.ndarray           # (N,) the Berg score of P(fall) (the entry score, if given)
    cls: np.ndarray            # (N,) each subject's class
    exposure: np.ndarray       # (K, N) walking exposure at the knots [-]
    integrated: np.ndarray     # (K-1, N) exposure integrated over each segment [s]
    backward: np.ndarray       # (K-1, S) walking backward on each segment
    support: np.ndarray        # (K-1, U) support code on each segment, by class
    speed_change: np.ndarray   # (K-1, S) unexpected belt-change rate [s-1]
    fall_weight: np.ndarray    # (K-1, U) sum over walking kinds of rate x P(fall) [s-1]
    all_weight: np.ndarray     # (K-1, U) sum over walking kinds of rate [s-1]
    p_change: np.ndarray       # (K-1, U) P(fall | unexpected belt change)
    belt: Hazard               # the belt's travel [m]
    person_logit: np.ndarray | None = None    # (N,) covariate log-odds of each subject
    speed_logit: np.ndarray | None = None     # (K-1, S) log-odds from the belt speed
    before: np.ndarray | None = None          # (N,) perturbations before the session, if
    #                                           learning scales P(fall) (else None)
    own: bool = False          # every subject a class of her own, in order (cls is 0..N-1)

    def _tcols(self, rows: np.ndarray) -> np.ndarray:
        return rows if self.t.shape[1] > 1 else np.zeros_like(rows)

    def hazard(self, rows: np.ndarray, fall: bool) -> Hazard:
        """The fall (or recovery) hazard of subjects ``rows``, one column each."""
        u, tc = self.cls[rows], self._tcols(rows)
        e = self.exposure[:, rows]
        if self.before is not None:
            return Hazard.of(self.t[:, tc], *self._learned(e, u, tc, rows, fall))
        w = self.fall_weight[:, u] if fall else self.all_weight[:, u] - self.fall_weight[:, u]
        pc = self.p_change[:, u]
        add = self.speed_change[:, tc] * (pc if fall else 1.0 - pc)
        return Hazard.of(self.t[:, tc], e[:-1] * w + add, e[1:] * w + add)

    def _steps(self, j: int | slice, rows: np.ndarray | slice, u: np.ndarray | slice,
               tc: np.ndarray | slice | int) -> np.ndarray:
        """The expected perturbations on segments ``j`` of subjects ``rows`` (class ``u``,
        knot column ``tc``): the increments of the cumulative perturbation hazard."""
        length = self.t[1:][j, tc] - self.t[:-1][j, tc]
        return self.integrated[j, rows] * self.all_weight[j, u] \
            + length * self.speed_change[j, tc]

    def _factor(self, so_far: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        assert self.before is not None
        return fall_covariates.learning_factor(so_far + self.before[rows],
                                               self.params.learning_floor,
                                               self.params.learning_scale)

    def learning(self, rows: np.ndarray) -> np.ndarray:
        """The learning factor on P(fall) of subjects ``rows`` at the knots, (K, M): from the
        expected number of perturbations so far, the cumulative perturbation hazard, and
        those before the session (:func:`~retrosim.physiology.fall_covariates.learning_factor`;
        1 without learning)."""
        if self.before is None:
            return np.ones((self.t.shape[0], np.size(rows)))
        steps = self._steps(slice(None), rows, self.cls[rows], self._tcols(rows))
        so_far = np.concatenate([np.zeros((1, steps.shape[1])), np.cumsum(steps, axis=0)])
        return self._factor(so_far, rows)

    def _learned(self, e: np.ndarray, u: np.ndarray, tc: np.ndarray, rows: np.ndarray,
                 fall: bool) -> tuple[np.ndarray, np.ndarray]:
        """The rates at each segment's ends when learning scales P(fall) by the factor at
        the knots (:meth:`learning`): falls ``m (e w_fall + c p_change)``, recoveries the
        rest."""
        m = self.learning(rows)
        wf, wa = self.fall_weight[:, u], self.all_weight[:, u]
        c = self.speed_change[:, tc]
        pc = c * self.p_change[:, u]
        ends = []
        for sl in (slice(None, -1), slice(1, None)):
            falls = m[sl] * (e[sl] * wf + pc)
            ends.append(falls if fall else e[sl] * wa + c - falls)
        return ends[0], ends[1]

    def totals(self, fall: bool) -> np.ndarray:
        """Every subject's total fall (or recovery) hazard over the session, (N,)."""
        if self.before is not None:
            return self._learned_totals[0 if fall else 1]
        w = self.fall_weight if fall else self.all_weight - self.fall_weight
        if w.shape[1] == 1:
            walking = knot_sum(w[:, :1] * self.integrated)     # fixed order: batch-invariant
        else:                              # by class (each her own: no gather)
            walking = knot_sum(self.integrated * (w if self.own else w[:, self.cls]))
        pc = self.p_change if fall else 1.0 - self.p_change
        changes = knot_sum(np.diff(self.t, axis=0) * self.speed_change * pc)
        if self.own and changes.size > 1:
            return walking + changes
        return walking + changes[self.cls if changes.size > 1 else np.zeros_like(self.cls)]

    @cached_property
    def _learned_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """The total fall and recovery hazards under learning, one segment at a time.

        The same operations in the same order as :meth:`hazard`'s (its last cumulative
        hazard), so each total is bit-identical to the hazard a fall is placed on, at the
        cost of a few passes over (N,) rows instead of (K, N) arrays.
        """
        n, k = self.cls.size, self.t.shape[0]
        tc: slice | int = slice(None) if self.t.shape[1] > 1 else 0
        u = slice(None) if self.own else self.cls
        rows = slice(None)
        so_far = np.zeros(n)
        m0 = self._factor(so_far, rows)
        fall, recovery = np.zeros(n), np.zeros(n)
        e0 = self.exposure[0]
        for j in range(k - 1):
            so_far = so_far + self._steps(j, rows, u, tc)
            m1 = self._factor(so_far, rows)
            e1 = self.exposure[j + 1]
            wf, wa = self.fall_weight[j, u], self.all_weight[j, u]
            c = self.speed_change[j, tc]
            pc = c * self.p_change[j, u]
            f0, f1 = m0 * (e0 * wf + pc), m1 * (e1 * wf + pc)
            length = self.t[j + 1, tc] - self.t[j, tc]
            fall += 0.5 * (f0 + f1) * length
            recovery += 0.5 * ((e0 * wa + c - f0) + (e1 * wa + c - f1)) * length
            m0, e0 = m1, e1
        return fall, recovery

    def kind_rates(self, j: np.ndarray, rows: np.ndarray, times: np.ndarray,
                   fall: bool) -> np.ndarray:
        """(M, 4) rates of falls (or recoveries) by kind at events in segments ``j`` [s-1]."""
        t, params, tc, u = self.t, self.params, self._tcols(rows), self.cls[rows]
        length = t[j + 1, tc] - t[j, tc]
        w = np.divide(times - t[j, tc], length, out=np.zeros_like(times), where=length > 0)
        e = self.exposure[j, rows] * (1 - w) + self.exposure[j + 1, rows] * w
        support = self.support[j, u]
        rates = np.stack([params.trip_rate_per_s * e, params.misstep_rate_per_s * e,
                          self.speed_change[j, tc],
                          np.where(support > 0, params.handrail_slip_rate_per_s * e, 0.0)], 1)
        extra = None
        if self.person_logit is not None and self.speed_logit is not None:
            extra = self.person_logit[rows] + self.speed_logit[j, tc]
        p = np.stack([balance.fall_probability(k, self.berg[rows], self.backward[j, tc],
                                               support, params, extra)
                      for k in range(len(PERTURBATIONS))], 1)
        if self.before is not None:
            m = self.learning(rows)
            at = np.arange(rows.size)
            p = p * (m[j, at] * (1 - w) + m[j + 1, at] * w)[:, None]
        return rates * (p if fall else 1.0 - p)


def rates(session: Session) -> Rates:
    """The perturbation rates of every subject along the session's timeline."""
    params, tl, c, ph = session.scenario.falls, session.timeline, session.cohort, session.physiology
    berg = balance.effective_berg(c.balance, c.berg, np.asarray(c.tug_s, dtype=float),
                                  np.asarray(c.backward_speed_mps, dtype=float))
    berg_rate = berg
    if params.berg_change_per_point is not None:      # a change since entry at its own slope
        berg_rate = fall_covariates.rate_berg(berg, c.berg_entry, params.berg_change_per_point,
                                              params.berg_rate_per_point)
        berg = fall_covariates.entry_score(berg, c.berg_entry)
    v, t = tl.velocity, tl.t
    speed = np.abs(v)
    length = np.diff(t, axis=0)
    vo2r = (session.trajectory.vo2 - ph.vo2_rest) / (ph.vo2_max - ph.vo2_rest)
    exposure = balance.walking_exposure(speed, tl.grade, v < 0, vo2r, berg_rate, params)
    integrated = 0.5 * length * (exposure[:-1] + exposure[1:])
    middle = v[:-1] + v[1:]
    backward = np.where(middle != 0, middle < 0, tl.direction[:-1] < 0)              # (K-1, S)
    accel = np.divide(np.abs(np.diff(v, axis=0)), length, out=np.zeros_like(length),
                      where=length > 0)
    speed_change = balance.unexpected_speed_change_rate(accel, params)
    person, speed_logit, extra = np.zeros(c.size), None, None
    if params.covariates:
        person = fall_covariates.person_log_odds(
            c.female, c.falls_last_year, params.female_fall_odds_ratio,
            params.history_fall_odds_ratios)
        if params.female_share or any(params.history_prevalence):     # centred on them
            person = person - fall_covariates.population_log_odds(
                params.female_share, params.history_prevalence, params.female_fall_odds_ratio,
                params.history_fall_odds_ratios)
        speed_logit = fall_covariates.speed_log_odds(
            0.5 * (speed[:-1] + speed[1:]), balance.REFERENCE_SPEED_MPS,
            params.speed_log_odds_per_mps)
    # a class shares a Berg score, a support and (with covariates) the person's log-odds
    keys = [berg]
    if (c.handrail != c.handrail[0]).any():
        keys.append(c.handrail.astype(float))
    if speed_logit is not None:
        keys.append(person)
    same = t.shape[1] == 1 and all((k == k[0]).all() for k in keys)
    # a class each (per-subject knots, or a drawn cohort): no grouping
    own = t.shape[1] > 1 or (not same and _all_distinct(berg))
    if own:
        first = cls = np.arange(c.size)
    elif same:
        first, cls = np.zeros(1, dtype=np.intp), np.zeros(c.size, dtype=np.intp)
    elif len(keys) == 1:
        _, first, cls = np.unique(berg, return_index=True, return_inverse=True)
    else:
        first, cls = _classes(keys)
    if speed_logit is not None:
        extra = person[first][None, :] + speed_logit
    handrail = np.where(tl.handrail[:-1] >= 0, tl.handrail[:-1], c.handrail[first][None, :])
    fall_weight = np.zeros(handrail.shape)
    p_change = fall_weight
    for kind, name in enumerate(PERTURBATIONS):
        p = balance.fall_probability(kind, berg[first][None, :], backward, handrail, params,
                                     extra)
        if name == "belt-speed-change":
            p_change = p
        else:
            rate = params.handrail_slip_rate_per_s * (handrail > 0) \
                if name == "handrail-slip" else getattr(params, f"{name}_rate_per_s")
            fall_weight = fall_weight + rate * p
    all_weight = params.trip_rate_per_s + params.misstep_rate_per_s \
        + params.handrail_slip_rate_per_s * (handrail > 0)
    cls = cls.ravel()
    learning = params.covariates and params.learning_floor < 1.0
    return Rates(params, t, berg, cls, exposure, integrated, backward, handrail,
                 speed_change, fall_weight, all_weight, p_change,
                 Hazard.of(t, speed[:-1], speed[1:]),
                 person if speed_logit is not None else None, speed_logit,
                 c.perturbations_before if learning else None, own)


def _classes(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The classes of subjects sharing every key: each class's first subject, and each
    subject's class. The keys' codes combined into one integer, so one sort of integers
    groups them (a row-wise unique of the stacked keys sorts them as bytes, many times
    slower); classes come in order of the codes, which no result depends on."""
    cls = np.zeros(keys[0].size, dtype=np.int64)
    for key in keys:                   # codes kept below N: no overflow at any size
        values, inverse = np.unique(key, return_inverse=True)
        _, first, cls = np.unique(cls * values.size + inverse.ravel(), return_index=True,
                                  return_inverse=True)
    return first, cls


def _all_distinct(key: np.ndarray) -> bool:
    """Whether no two subjects share a Berg score (and none is NaN): then every subject is a
    class of her own, as grouping would find, at the cost of one sort instead of a stable
    argsort and its inverse."""
    ordered = np.sort(key)
    return bool(not np.isnan(ordered[-1]) and not (ordered[1:] == ordered[:-1]).any())


def arm_rates(scenario: Scenario, arm: str, subjects: int = 1, seed: int | None = None
              ) -> Rates:
    """The perturbation rates of ``subjects`` people along arm ``arm`` as commanded (before
    any stop): for plots and exact risks. The session is the engine's
    (:func:`~retrosim.engine.simulate.build_session`): an arm with a controller runs it in the
    loop, with the run's ``seed`` (default the scenario's) for its faults."""
    chosen = scenario.arms[arm]
    seed = scenario.seed if seed is None else seed
    session = build_session(chosen, scenario, people(scenario, chosen, subjects, seed), seed)
    return rates(session)


def exact_risk(scenario: Scenario, arm: str, subjects: int = 1,
               seed: int | None = None) -> np.ndarray:
    """Each subject's probability of a fall in arm ``arm``: ``1 - exp(-H(T))``, H the fall
    hazard over the whole protocol as commanded (by the protocol, or by the arm's controller
    in the loop). Exact when no tether pull after a stumble ends the walk first (those are
    rare: a few in a hundred falls), an upper bound otherwise.

    >>> import dataclasses, retrosim
    >>> from retrosim.model.options import fall_parameters
    >>> sc = retrosim.load_scenario("balance-levels")       # the "perturbations" fall model
    >>> sc = dataclasses.replace(sc, falls=fall_parameters({"model": "perturbations"}))
    >>> [round(float(exact_risk(sc, a)[0]), 3) for a in ("moderate", "severe")]
    [0.002, 0.491]
    """
    return -np.expm1(-arm_rates(scenario, arm, subjects, seed).totals(fall=True))
