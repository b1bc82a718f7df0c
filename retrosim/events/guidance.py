"""Guidance on a protocol for its walkers: flags a therapist should see before the session.

Three flags, each logged as a ``guidance`` event (subject -1: it concerns the arm) at the start
of the stage it is about; the result keeps them as the ``guidance`` attribute and the printed
summary lists them:

- backward walking with severe balance impairment (Berg 0-20, Berg et al. 1992's "wheelchair"
  band) is not recommended;
- starting backward walking above 2.0 mph without the handrail;
- backward walking on an incline before any level backward walking.

They are recorded, not raised as warnings: a scenario that explores a risky protocol is a
legitimate question, and its answer (the fall probability) is in the same result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def _attrs(ds: xr.Dataset) -> dict[str, str]:
    """The ``guidance`` attribute: every flag as "arm: text", one a line."""
    flagged = ds.event_kind.values == "guidance"
    return {"guidance": "\n".join(f"{arm}: {text}" for arm, text in zip(
        ds.event_arm.values[flagged], ds.event_detail.values[flagged], strict=True))}


#: The guidance model: flags logged before the session runs, listed in the Dataset's attrs.
MODEL = EventModel("guidance", during=check, attrs=_attrs)
