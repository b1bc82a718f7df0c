"""Perturbations and falls along an arm's timeline: the per-subject event model.

Walking produces perturbations (trips, missteps, belt speed changes the walker did not expect,
handrail slips) as a non-homogeneous Poisson process whose rate follows the inputs along the
timeline (speed, grade, direction, handrail), the walker's fatigue (the share of their VO2
reserve in use) and balance (:mod:`retrosim.physiology.balance`). Each perturbation becomes a
fall with probability p(t), else the walker recovers. By the thinning theorem the falls and the
recoveries are two independent Poisson processes, with rates ``lambda p`` and
``lambda (1 - p)``; both rates are linear between knots (evaluated at the knots, as the
demand is), so their cumulative hazards are piecewise quadratic and every event time is drawn
exactly by inverting one with a unit exponential (``randomness.exponential``). No time step.

A recovering walker is carried back by the belt for a random time (mean
``FallParameters.stumble_drift_s``); a fallen walker is carried back until the tether pulls.
When the walker passes the tether's release point (``TreadmillLimits.tether_release_m``,
70 % of the deck by default; the walker usually stands at ``walker_position_frac`` of it) the
safety key releases and the emergency stop brings the belt to rest
(``Session.propose_stop``; the engine splices ``Timeline.stop`` in). A subject's walking ends at
their first fall or first tether pull.

Random numbers: every subject draws five unit exponentials from ``key("falls", arm)`` (the
fall, the first recovery, the fall's kind, the first recovery's drift and kind; a uniform is
``1 - exp(-E)``); a subject with more recoveries draws rounds of ``3 ROUND`` from
``key("falls", arm, "recoveries", round)`` (gaps, drift times, kinds). A subject's draws never
depend on who else is in the batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from retrosim import randomness
from retrosim.engine.session import ESTOP, Session
from retrosim.engine.simulate import build_session, people
from retrosim.events.base import EventModel
from retrosim.events.variables import FALLS
from retrosim.model.scenario import Scenario
from retrosim.physiology import balance, fall_covariates
from retrosim.physiology.balance import PERTURBATIONS
from retrosim.solve.timeline import knot_sum

ROUND = 8            # recoveries drawn per subject per round


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
    berg: np.ndarray           # (N,) the Berg score the model uses
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
    learning: np.ndarray | None = None        # (K, N) learning factor on P(fall) at the knots

    def _tcols(self, rows: np.ndarray) -> np.ndarray:
        return rows if self.t.shape[1] > 1 else np.zeros_like(rows)

    def hazard(self, rows: np.ndarray, fall: bool) -> Hazard:
        """The fall (or recovery) hazard of subjects ``rows``, one column each."""
        u, tc = self.cls[rows], self._tcols(rows)
        e = self.exposure[:, rows]
        if self.learning is not None:
            return Hazard.of(self.t[:, tc], *self._learned(e, u, tc, rows, fall))
        w = self.fall_weight[:, u] if fall else self.all_weight[:, u] - self.fall_weight[:, u]
        pc = self.p_change[:, u]
        add = self.speed_change[:, tc] * (pc if fall else 1.0 - pc)
        return Hazard.of(self.t[:, tc], e[:-1] * w + add, e[1:] * w + add)

    def _learned(self, e: np.ndarray, u: np.ndarray, tc: np.ndarray, rows: np.ndarray,
                 fall: bool) -> tuple[np.ndarray, np.ndarray]:
        """The rates at each segment's ends when learning scales P(fall) by the factor at
        the knots (``learning``): falls ``m (e w_fall + c p_change)``, recoveries the rest."""
        assert self.learning is not None
        m = self.learning[:, rows]
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
        if self.learning is not None:
            rows = np.arange(self.cls.size)
            return self.hazard(rows, fall).total
        w = self.fall_weight if fall else self.all_weight - self.fall_weight
        if w.shape[1] == 1:
            walking = knot_sum(w[:, :1] * self.integrated)     # fixed order: batch-invariant
        else:
            walking = knot_sum(self.integrated * w[:, self.cls])
        pc = self.p_change if fall else 1.0 - self.p_change
        changes = knot_sum(np.diff(self.t, axis=0) * self.speed_change * pc)
        return walking + changes[self.cls if changes.size > 1 else np.zeros_like(self.cls)]

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
        if self.learning is not None:
            m = self.learning[j, rows] * (1 - w) + self.learning[j + 1, rows] * w
            p = p * m[:, None]
        return rates * (p if fall else 1.0 - p)


def rates(session: Session) -> Rates:
    """The perturbation rates of every subject along the session's timeline."""
    params, tl, c, ph = session.scenario.falls, session.timeline, session.cohort, session.physiology
    berg = balance.effective_berg(c.balance, c.berg, np.asarray(c.tug_s, dtype=float),
                                  np.asarray(c.backward_speed_mps, dtype=float))
    v, t = tl.velocity, tl.t
    speed = np.abs(v)
    length = np.diff(t, axis=0)
    vo2r = (session.trajectory.vo2 - ph.vo2_rest) / (ph.vo2_max - ph.vo2_rest)
    exposure = balance.walking_exposure(speed, tl.grade, v < 0, vo2r, berg, params)
    integrated = 0.5 * length * (exposure[:-1] + exposure[1:])
    middle = v[:-1] + v[1:]
    backward = np.where(middle != 0, middle < 0, tl.direction[:-1] < 0)              # (K-1, S)
    accel = np.divide(np.abs(np.diff(v, axis=0)), length, out=np.zeros_like(length),
                      where=length > 0)
    speed_change = balance.unexpected_speed_change_rate(accel, params)
    key = berg * 4 + c.handrail
    person, speed_logit, extra = np.zeros(c.size), None, None
    if params.covariates:
        person = fall_covariates.person_log_odds(
            c.female, c.falls_last_year, params.female_fall_odds_ratio,
            params.history_fall_odds_ratios)
        speed_logit = fall_covariates.speed_log_odds(
            0.5 * (speed[:-1] + speed[1:]), balance.REFERENCE_SPEED_MPS,
            params.speed_log_odds_per_mps)
    if t.shape[1] > 1:
        first = cls = np.arange(c.size)
    elif (key == key[0]).all() and (person == person[0]).all():
        first, cls = np.zeros(1, dtype=np.intp), np.zeros(c.size, dtype=np.intp)
    elif speed_logit is None:
        _, first, cls = np.unique(key, return_index=True, return_inverse=True)
    else:                                   # classes share a Berg score, support and covariates
        _, first, cls = np.unique(np.stack([key, person], 1), axis=0, return_index=True,
                                  return_inverse=True)
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
    learning = None
    if params.covariates and params.learning_floor < 1.0:
        # the expected number of perturbations so far: the cumulative perturbation hazard
        steps = integrated * np.broadcast_to(all_weight, handrail.shape)[:, cls] \
            + length * speed_change
        so_far = np.concatenate([np.zeros((1, c.size)), np.cumsum(steps, axis=0)]) \
            + c.perturbations_before[None, :]
        learning = fall_covariates.learning_factor(so_far, params.learning_floor,
                                                   params.learning_scale)
    return Rates(params, t, berg, cls, exposure, integrated, backward, handrail,
                 speed_change, fall_weight, all_weight, p_change,
                 Hazard.of(t, speed[:-1], speed[1:]),
                 person if speed_logit is not None else None, speed_logit, learning)


def _choose(rates: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Kind codes drawn in proportion to ``rates`` (M, 4) with uniforms ``u`` (M,)."""
    cum = np.cumsum(rates, axis=1)
    return np.minimum((cum < (u * cum[:, -1])[:, None]).sum(1), rates.shape[1] - 1)


def simulate(session: Session) -> None:
    """Draw every subject's perturbations, falls and tether pulls; log them; propose stops."""
    params = session.scenario.falls
    if params.model == "none":
        return
    n, arm, seed, index = session.size, session.arm.name, session.seed, session.cohort.index
    limits = session.scenario.treadmill
    model = rates(session)
    first = randomness.exponential(seed, randomness.key("falls", arm), index, 5)
    t_fall = np.full(n, np.inf)
    fall_kind = np.zeros(n, dtype=np.int64)
    hazard = model.totals(fall=True)
    session.summary["fall_risk"] = -np.expm1(-hazard)      # exact: 1 - exp(-H), no sampling
    candidates = np.nonzero(first[:, 0] < hazard)[0]
    limit = model.totals(fall=False)
    if candidates.size:
        cols = np.arange(candidates.size)
        t_fall[candidates], j_fall = model.hazard(candidates, fall=True).inverse(
            cols, first[candidates, 0])
        limit[candidates] = model.hazard(candidates, fall=False).at(cols, t_fall[candidates])
        fall_kind[candidates] = _choose(
            model.kind_rates(j_fall, candidates, t_fall[candidates], fall=True),
            -np.expm1(-first[candidates, 2]))
    active = np.nonzero(first[:, 1] < limit)[0]
    found = [(active, first[active, 1], first[active, 3], -np.expm1(-first[active, 4]))]
    last = first[active, 1]
    round_ = 0
    while active.size:
        x = randomness.exponential(seed, randomness.key("falls", arm, "recoveries", round_),
                                   index[active], 3 * ROUND)
        arrivals = last[:, None] + np.cumsum(x[:, :ROUND], axis=1)
        valid = arrivals < limit[active][:, None]
        found.append((np.broadcast_to(active[:, None], valid.shape)[valid], arrivals[valid],
                      x[:, ROUND:2 * ROUND][valid], -np.expm1(-x[:, 2 * ROUND:][valid])))
        more = valid[:, -1]
        active, last = active[more], arrivals[more, -1]
        round_ += 1
    rows, targets, drift, u = (np.concatenate(parts) for parts in zip(*found, strict=True))
    order = np.argsort(rows, kind="stable")
    rows, targets, drift, u = rows[order], targets[order], drift[order], u[order]
    people, column = np.unique(rows, return_inverse=True)
    times, j = model.hazard(people, fall=False).inverse(column, targets)
    kinds = _choose(model.kind_rates(j, rows, times, fall=False), u)

    margin = limits.tether_release_m - params.walker_position_frac * limits.deck_length_m
    pull = _tether_time(model.belt, rows, times, margin)
    pulled = pull <= times + params.stumble_drift_s * drift
    first_pull = np.full(n, np.inf)
    np.minimum.at(first_pull, rows[pulled], pull[pulled])
    fell = t_fall < first_pull
    stop = np.where(fell, np.inf, first_pull)
    stop[fell] = _tether_time(model.belt, np.nonzero(fell)[0], t_fall[fell], margin)
    end = np.minimum(t_fall, first_pull)
    kept = times < end[rows]

    names = np.array(PERTURBATIONS, dtype=object)
    falls = np.nonzero(fell)[0]
    log = session.log
    log.add_many(np.concatenate([times[kept], t_fall[falls]]),
                 np.concatenate([rows[kept], falls]), "perturbation",
                 np.concatenate([names[kinds[kept]], names[fall_kind[falls]]]))
    regained = times + params.stumble_drift_s * drift
    recovered = kept & ~pulled & (regained < end[rows])
    log.add_many(regained[recovered], rows[recovered], "recovery",
                 "recovered from a " + names[kinds[recovered]])
    log.add_many(t_fall[falls], falls, "fall", "fall after a " + names[fall_kind[falls]])
    stopped = np.nonzero(np.isfinite(stop))[0]
    log.add_many(stop[stopped], stopped, "tether",
                 f"safety key pulled {limits.tether_release_m:.2f} m from the front of the "
                 f"{limits.deck_length_m:g} m deck")
    log.add_many(stop[stopped], stopped, ESTOP,
                 f"emergency stop: drive cut, belt to rest at {limits.estop_decel_mps2:g} m s-2, "
                 "latched")
    session.propose_stop(stopped, stop[stopped], ESTOP)


def _tether_time(belt: Hazard, rows: np.ndarray, times: np.ndarray,
                 margin_m: float) -> np.ndarray:
    """When a walker carried back from ``times`` passes the release point ``margin_m`` behind
    their usual place (inf if the belt does not travel that far before the end)."""
    target = belt.at(rows, times) + margin_m
    reach = target < belt.total[rows if belt.H.shape[1] > 1 else np.zeros_like(rows)]
    out = np.full(times.shape, np.inf)
    out[reach] = belt.inverse(rows[reach], target[reach])[0]
    return out


def summarise(session: Session) -> None:
    """Per-subject ``fell``, ``fall_time`` [s], ``stumbles`` and ``estop`` from the final log
    (after every stop, whoever proposed it, has been spliced in)."""
    times, subjects, kinds, _ = session.log.columns()
    n = session.size
    own = subjects >= 0
    fall = own & (kinds == "fall")
    fell = np.zeros(n, dtype=bool)
    fell[subjects[fall]] = True
    fall_time = np.full(n, np.nan)
    fall_time[subjects[fall]] = times[fall]
    perturbations = np.bincount(subjects[own & (kinds == "perturbation")], minlength=n)
    estop = np.zeros(n, dtype=bool)
    estop[subjects[own & (kinds == ESTOP)]] = True
    session.summary.update(fell=fell, fall_time=fall_time,
                           stumbles=(perturbations - fell).astype(np.int64), estop=estop)


def arm_statistics(fell: np.ndarray, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Per arm: the share of sessions with a fall, its Wilson interval and falls per 1,000.

    ``fell`` is (arms, subjects). Each session has at most one fall (a fall ends it), so the
    expected falls per 1,000 sessions are 1,000 times the fall probability.

    >>> s = arm_statistics(np.array([[True] * 3 + [False] * 97]))
    >>> s["fall_probability"].tolist(), s["fall_probability_low"].round(4).tolist()
    ([0.03], [0.0103])
    """
    fell = np.asarray(fell, dtype=bool)
    n = fell.shape[1]
    k = fell.sum(axis=1)
    intervals = [binomtest(int(ki), n).proportion_ci(confidence, method="wilson") for ki in k]
    return {"fall_probability": k / n,
            "fall_probability_low": np.array([ci.low for ci in intervals]),
            "fall_probability_high": np.array([ci.high for ci in intervals]),
            "falls_per_1000": 1000.0 * k / n}


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

    >>> import retrosim
    >>> sc = retrosim.load_scenario("balance-levels")
    >>> [round(float(exact_risk(sc, a)[0]), 3) for a in ("moderate", "severe")]
    [0.002, 0.478]
    """
    return -np.expm1(-arm_rates(scenario, arm, subjects, seed).totals(fall=True))


def _statistics(summaries: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return arm_statistics(summaries["fell"]) if "fell" in summaries else {}


def _references(scenario: Scenario) -> tuple[str, ...]:
    if scenario.falls.model == "none":
        return ()
    if not scenario.falls.covariates:
        return balance.REFERENCES
    return balance.REFERENCES + fall_covariates.REFERENCES + fall_covariates.ASSUMPTIONS


#: The variables the fall model adds.
VARIABLES = FALLS
#: The fall model: perturbations, falls and tether pulls during the session; the per-subject
#: outcomes after it; the fall probability per arm with its Wilson interval.
MODEL = EventModel("falls", during=simulate, after=summarise, variables=VARIABLES,
                   references=_references, statistics=_statistics)


def risk_only(session: Session) -> None:
    """Each subject's exact fall risk of the session as commanded, ``fall_risk`` = 1 -
    exp(-H), with no perturbation or fall drawn: everyone walks the whole session. The risk
    of a programme along the path where the person does not fall is made of these."""
    if session.scenario.falls.model != "none":
        session.summary["fall_risk"] = -np.expm1(-rates(session).totals(fall=True))


#: The fall model's exact risk alone: nobody falls, stumbles or pulls the tether, and each
#: session's ``fall_risk`` is the one :data:`MODEL` computes. Plausible versions of a person
#: walk a programme with it (:func:`retrosim.results.intervals.programme_fall_risk`).
RISK_ONLY = EventModel("falls", during=risk_only, variables=VARIABLES, references=_references)
