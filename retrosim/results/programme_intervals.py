"""The intervals of one person's programme (a ``[subject]`` with a ``[program]``): one walk of
the person and her plausible versions (:func:`retrosim.results.intervals.person_and_versions`,
each with her own response to training) gives the risk of at least one fall over the programme
and each daily state's 90 % prediction interval on (arm, day)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from retrosim.engine.programme import run_programme
from retrosim.engine.variables import PROGRAMME
from retrosim.results.intervals import (
    INTERVAL,
    QUANTILES,
    VERSIONS,
    containing,
    person_and_versions,
    risk_only,
)

if TYPE_CHECKING:
    import xarray as xr

    from retrosim.model.scenario import Scenario

#: The daily states of a programme whose interval a ``[subject]`` programme gets, as
#: ``<state>_low`` and ``<state>_high`` on (arm, day).
STATE_INTERVALS = PROGRAMME.select("state-interval")
#: The daily states whose bounds those are.
STATES = PROGRAMME.select("state")


def programme_intervals(scenario: Scenario, seed: int, central: xr.Dataset,
                        models: Sequence[Any], count: int = VERSIONS) -> dict[str, Any]:
    """The intervals of a ``[subject]`` programme from one walk of the person and ``count``
    plausible versions of her (:func:`person_and_versions`, each with her own response to
    training), as {name: (dims, values)}:

    - the risk of at least one fall over the programme, per arm, when the falls model is on:
      the person as given (``programme_fall_risk``) and the 5th and 95th percentiles over the
      versions (``programme_fall_risk_low``, ``_high``), widened where needed to contain the
      person's. Each walks the programme along the path where she does not fall: every
      session as scheduled, the state carried from session to session, and each session's
      exact risk (:data:`retrosim.events.falls.RISK_ONLY`); the risk over the programme is
      ``1 - prod(1 - fall_risk)`` over the sessions (independent sessions);
    - each daily state's 5th and 95th percentiles over the versions on (arm, day)
      (``vo2max_low``, ``vo2max_high``, ...: :data:`STATE_INTERVALS`), widened where needed
      to contain the person's state in ``central`` (the run's subject 0, the value shown).
    """
    people = person_and_versions(scenario, seed, count)
    walking = risk_only(models)
    arms = run_programme(scenario, seed=seed, subjects=people.size, models=walking,
                         given=people)
    out: dict[str, list[np.ndarray]] = {}
    for arm in arms:
        if scenario.falls.model != "none":
            risk = np.where(arm.sessions["attended"], arm.sessions.get("fall_risk", np.nan),
                            0.0)
            total = -np.expm1(np.log1p(-risk.astype(float)).sum(axis=1))
            low, high = np.quantile(total[1:], QUANTILES) if count else total[:1].repeat(2)
            low, high = containing(low, high, total[0])
            out.setdefault("programme_fall_risk", []).append(total[0])
            out.setdefault("programme_fall_risk_low", []).append(low)
            out.setdefault("programme_fall_risk_high", []).append(high)
        for name in STATES:
            if name not in arm.daily or name not in central:
                continue
            values = arm.daily[name].astype(float)
            centre = central[name].sel(arm=arm.arm.name).isel(subject=0).values.astype(float)
            low, high = np.quantile(values[1:], QUANTILES, axis=0) if count \
                else (values[0], values[0])
            low, high = containing(low, high, centre)
            out.setdefault(f"{name}_low", []).append(low)
            out.setdefault(f"{name}_high", []).append(high)
    return {name: (("arm",) if name.startswith("programme_fall_risk") else ("arm", "day"),
                   np.array(v, dtype=float)) for name, v in out.items()}


def attach_programme(ds: xr.Dataset, scenario: Scenario, seed: int,
                     models: Sequence[Any]) -> xr.Dataset:
    """``ds``, a programme's result, with the intervals of a ``[subject]`` programme
    (:func:`programme_intervals`: the risk of at least one fall over the programme when the
    falls model is on, and each daily state's 90 % prediction interval on (arm, day)) as
    variables, and the ``uncertainty`` attribute saying what they are; a ``[cohort]``
    programme gets the attribute only (a cohort's spread is between its people:
    ``retrosim.results.programme.programme_fall_risk`` gives each person's)."""
    if scenario.cohort is not None or any(a.cohort is not None for a in scenario.arms.values()):
        ds.attrs["uncertainty"] = ("between-person: the spread over the cohort's subjects; "
                                   "no within-person prediction interval is added")
        return ds
    for name, (dims, values) in programme_intervals(scenario, seed, ds, models).items():
        ds[name] = (dims, values)
        ds[name].attrs.update(PROGRAMME[name].attrs)
        if name != "programme_fall_risk":
            ds[name].attrs["interval"] = INTERVAL
    risk = ("" if scenario.falls.model == "none" else
            "the fall risk over the programme and ")
    ds.attrs["uncertainty"] = (
        f"within-person: {risk}each daily state (VO2max, resting HR and pressure, ...) with "
        f"its {INTERVAL} over {VERSIONS} plausible versions of the person (predicted traits, "
        "model errors and response to training drawn), each walking every session without a "
        "fall")
    return ds
