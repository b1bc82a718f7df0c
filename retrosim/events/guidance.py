"""Guidance on a protocol for its walkers: flags a therapist should see before the session.

Four flags, each logged as a ``guidance`` event (subject -1: it concerns the arm) at the time
it is about; the result keeps them as the ``guidance`` attribute and the printed summary, the
report and the page list them:

- backward walking with severe balance impairment (Berg 0-20, Berg et al. 1992's "wheelchair"
  band) is not recommended;
- starting backward walking above 2.0 mph without the handrail;
- backward walking on an incline before any level backward walking;
- a heart rate above the intensity the person's guidance allows, as a percentage of the
  heart-rate reserve (HRR): the scenario's ``[guidance] max_hr_reserve_pct`` when it sets one;
  otherwise ACSM's bands (Garber et al. 2011, Med Sci Sports Exerc 43:1334, Table 4: moderate
  40-59 % HRR, vigorous 60-89 %, near-maximal 90 % and above): moderate intensity for people
  with hypertension (resting SBP >= 140 or DBP >= 90 mmHg; Pescatello et al. 2004, Med Sci
  Sports Exerc 36:533, the ACSM position stand on exercise and hypertension), anything below
  near-maximal for everyone else. The flag is checked after the session, on the exact peak of
  the heart rate (the session as walked, stops included).

They are recorded, not raised as warnings: a scenario that explores a risky protocol is a
legitimate question, and its answer (the fall probability) is in the same result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from retrosim.engine.session import Session
from retrosim.events.base import EventModel
from retrosim.model.subject import HANDRAIL_LEVELS
from retrosim.physiology.balance import BALANCE_LEVELS, effective_berg, level_from_berg
from retrosim.units import MPS_PER_MPH

if TYPE_CHECKING:
    import xarray as xr

#: The fastest first backward stage without the handrail that passes without a flag, m s-1.
FIRST_BACKWARD_LIMIT_MPS = 2.0 * MPS_PER_MPH
#: The lower edges of ACSM's vigorous and near-maximal bands, fractions of the heart-rate
#: reserve (Garber et al. 2011, Table 4): the highest intensity guidance allows is below them.
VIGOROUS_HRR, NEAR_MAXIMAL_HRR = 0.60, 0.90
#: Resting pressure at or above which guidance is that of hypertension, mmHg (Pescatello et al.
#: 2004: stage 1 hypertension, 140/90).
HYPERTENSION_MMHG = (140.0, 90.0)


def allowed_hr_reserve(sbp_rest: np.ndarray, dbp_rest: np.ndarray,
                       limit_pct: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The fraction of the heart-rate reserve each person's guidance allows a session to reach
    (it is flagged at or above it), and whether it is the hypertension band.

    Parameters: sbp_rest, dbp_rest [mmHg], resting pressure, (N,); limit_pct [%], the
    scenario's own limit (it applies to everyone), or None for ACSM's bands.
    Returns: (limit [fraction of HRR], hypertensive [bool]), each (N,).
    References: Garber CE et al. (2011) Med Sci Sports Exerc 43:1334 (intensity by %HRR);
    Pescatello LS et al. (2004) Med Sci Sports Exerc 36:533 (moderate intensity in hypertension).

    >>> limit, hypertensive = allowed_hr_reserve(np.array([148.0, 120.0]), np.array([92.0, 78.0]))
    >>> limit.tolist(), hypertensive.tolist()
    ([0.6, 0.9], [True, False])
    >>> allowed_hr_reserve(np.array([148.0]), np.array([92.0]), 70.0)[0].tolist()
    [0.7]
    """
    sbp, dbp = np.asarray(sbp_rest, dtype=float), np.asarray(dbp_rest, dtype=float)
    hypertensive = (sbp >= HYPERTENSION_MMHG[0]) | (dbp >= HYPERTENSION_MMHG[1])
    if limit_pct is not None:
        return np.full(sbp.shape, limit_pct / 100.0), hypertensive
    return np.where(hypertensive, VIGOROUS_HRR, NEAR_MAXIMAL_HRR), hypertensive


def flags(session: Session) -> list[tuple[float, str]]:
    """The arm's guidance flags as ``(time [s], text)``, in stage order.

    >>> import retrosim
    >>> from retrosim.engine.simulate import build_session
    >>> sc = retrosim.Scenario.from_dict({"name": "g", "subject": {
    ...     "mass_kg": 70, "age_yr": 70, "sex": "male", "balance": "severe"}, "arms": {"a": {
    ...     "stages": ["walk backward at 2.5 mph, 4% grade for 5 min"]}}})
    >>> sc_session = build_session(sc.arms["a"], sc, retrosim.Cohort.from_subject(sc.subject), 0)
    >>> [text.split(":")[0] for _, text in flags(sc_session)]
    ['not recommended', 'fast first backward stage', 'incline before level']
    """
    stages = session.arm.protocol.stages
    starts = np.cumsum([0.0] + [s.duration_s for s in stages[:-1]])
    backward = [i for i, s in enumerate(stages) if s.direction < 0 and not s.is_rest]
    if not backward:
        return []
    out = []
    c = session.cohort
    level = level_from_berg(effective_berg(c.balance, c.berg, np.asarray(c.tug_s, dtype=float),
                                           np.asarray(c.backward_speed_mps, dtype=float)))
    severe = int((level == BALANCE_LEVELS.index("severe")).sum())
    first = stages[backward[0]]
    at = float(starts[backward[0]])
    if severe:
        out.append((at, f"not recommended: backward walking with severe balance impairment "
                        f"(Berg 0-20), {severe} of {c.size} walkers"))
    free = c.size if first.handrail == "none" else 0 if first.handrail is not None else \
        int((c.handrail == HANDRAIL_LEVELS.index("none")).sum())
    if first.speed_mps > FIRST_BACKWARD_LIMIT_MPS + 1e-9 and free:
        out.append((at, f"fast first backward stage: {first} starts above 2.0 mph without the "
                        f"handrail, {free} of {c.size} walkers"))
    if first.grade_frac > 0:
        out.append((at, f"incline before level: {first} is backward on an incline before any "
                        "level backward walking"))
    return out


def check(session: Session) -> None:
    """Log the arm's guidance flags (an event model run before the others)."""
    for time, text in flags(session):
        session.log.add(time, "guidance", text)


def intensity(session: Session) -> None:
    """Flag the arm when a walker's heart rate reaches the intensity their guidance does not
    allow (:func:`allowed_hr_reserve`), at the first knot of the timeline where one does."""
    ph, c = session.physiology, session.cohort
    reserve = ph.hr_max - ph.hr_rest
    limit_pct = session.scenario.guidance.max_hr_reserve_pct
    limit, hypertensive = allowed_hr_reserve(c.sbp_rest, c.dbp_rest, limit_pct)
    # the stopped walkers' knots are their own (a patch) or spliced into everyone's
    patch = session.patch
    parts: list[tuple[Any, Any]] = (
        [(patch.base, slice(None)), (patch.part, patch.idx)] if patch is not None
        else [(session.trajectory, slice(None))])
    # a first-order response never leaves the hull of its start and its targets: a bound that
    # stays below every walker's limit needs no exact peak
    bound = np.empty(c.size)
    for tr, rows in parts:
        bound[rows] = tr.hr_hull()
    if np.all(bound - ph.hr_rest < limit * reserve):
        return
    peak = np.empty(c.size)
    for tr, rows in parts:
        peak[rows] = tr.hr_peak()
    peak = (peak - ph.hr_rest) / reserve
    over = peak >= limit
    if not over.any():
        return
    at = np.inf
    for tr, rows in parts:                       # only those over the limit have a knot
        mine = np.flatnonzero(over[rows])                   # columns of tr
        if patch is not None and tr is patch.base:
            mine = np.setdiff1d(mine, patch.idx, assume_unique=True)
        if mine.size == 0:
            continue
        who = np.arange(c.size)[rows][mine]                 # positions in the cohort
        hr = tr.hr[:, mine]
        crossed = (hr - ph.hr_rest[who]) / reserve[who] >= limit[who]   # (K, n) at the knots
        knot = np.where(crossed.any(axis=0), crossed.argmax(axis=0), hr.argmax(axis=0))
        t = tr.timeline.t
        at = min(at, float(t[knot, mine if t.shape[1] > 1 else 0].min()))
    n, size = int(over.sum()), c.size
    worst = float(peak[over].max())
    if limit_pct is not None:
        why = f"the scenario's limit is {limit_pct:g} % HRR ([guidance] max_hr_reserve_pct)"
    elif hypertensive[over].all():
        why = "the limit is 60 % HRR (moderate intensity with hypertension, Pescatello 2004)"
    elif not hypertensive[over].any():
        why = "the limit is 90 % HRR (ACSM's near-maximal band, Garber 2011)"
    else:
        why = ("the limits are 60 % HRR with hypertension (Pescatello 2004) and 90 % HRR "
               "otherwise (Garber 2011)")
    peak_text = f"{100 * worst:.0f} %" if size == 1 else f"up to {100 * worst:.0f} %"
    session.log.add(at, "guidance", f"intensity above guidance: heart rate reaches "
                    f"{peak_text} of the heart-rate reserve; {why}; {n} of {size} walkers")


def _attrs(ds: xr.Dataset) -> dict[str, str]:
    """The ``guidance`` attribute: every flag as "arm: text", one a line."""
    flagged = ds.event_kind.values == "guidance"
    return {"guidance": "\n".join(f"{arm}: {text}" for arm, text in zip(
        ds.event_arm.values[flagged], ds.event_detail.values[flagged], strict=True))}


def _references(scenario: object) -> tuple[str, ...]:
    return ("Garber CE et al. (2011) Med Sci Sports Exerc 43:1334 (intensity bands by %HRR)",
            "Pescatello LS et al. (2004) Med Sci Sports Exerc 36:533 (exercise and "
            "hypertension)")


#: The guidance model: flags logged before the session runs (the protocol) and after it (the
#: intensity reached), listed in the Dataset's attrs.
MODEL = EventModel("guidance", during=check, after=intensity, attrs=_attrs,
                   references=_references)
