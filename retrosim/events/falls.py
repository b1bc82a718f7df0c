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

import numpy as np
from scipy.stats import binomtest

from retrosim import randomness
from retrosim.engine.session import ESTOP, Session
from retrosim.events.base import EventModel
from retrosim.events.fall_hazard import Hazard, rates
from retrosim.events.variables import FALLS
from retrosim.model.scenario import Scenario
from retrosim.physiology import balance, fall_covariates
from retrosim.physiology.balance import PERTURBATIONS

ROUND = 8            # recoveries drawn per subject per round


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
    times, subjects, kinds = session.log.unordered()     # at most one fall each
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


def _statistics(summaries: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return arm_statistics(summaries["fell"]) if "fell" in summaries else {}


def _references(scenario: Scenario) -> tuple[str, ...]:
    if scenario.falls.model == "none":
        return ()
    if not scenario.falls.covariates:
        return balance.REFERENCES
    if scenario.falls.berg_change_per_point is None:
        return balance.REFERENCES + fall_covariates.REFERENCES + fall_covariates.ASSUMPTIONS
    return (balance.REFERENCES + fall_covariates.REFERENCES + fall_covariates.ENTRY_REFERENCES
            + fall_covariates.ASSUMPTIONS[:-1] + fall_covariates.ENTRY_ASSUMPTIONS)


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
