"""Results: per-arm outcomes -> one self-describing ``xarray.Dataset``.

Dimensions ``arm``, ``subject``, ``time`` (s since the start). Every variable carries CF
``units`` and ``long_name`` so plots label themselves. The event log is kept on its own
dimension ``event`` (``event_time``, ``event_arm``, ``event_subject``, ``event_kind``,
``event_detail``; subject -1 means every subject).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr

import retrosim
from retrosim.engine.session import Session, stop_kinds
from retrosim.engine.variables import SESSION
from retrosim.events import MODELS
from retrosim.events.base import EventModel
from retrosim.model.grid import coordinates
from retrosim.model.scenario import Scenario
from retrosim.physiology import energy, heart, hr_drift, walking_cost
from retrosim.results.tables import population_attrs
from retrosim.solve.timeline import sample_times
from retrosim.variables import Catalogue

#: Every variable a run with the bundled event models may hold: the engine's and the
#: trajectory's (:data:`retrosim.engine.variables.SESSION`), then each event model's
#: (:attr:`retrosim.events.base.EventModel.variables`).
VARIABLES = Catalogue(SESSION, *(m.variables for m in MODELS))
#: The contract's traces on (arm, subject, time) and summaries on (arm, subject).
TRACES = VARIABLES.select("trace")
SUMMARIES = VARIABLES.select("summary")

#: The sources of the kinetics every run uses (VO2 and HR on- and off-kinetics, the HR model,
#: the handrail).
CORE_REFERENCES = (
    "George MA et al. (2018) Front Physiol 9:277 (VO2 time constant by fitness)",
    "Am J Physiol Regul Integr Comp Physiol (2011) 301:R218 (VO2 kinetics and age)",
    "Markovitz GH et al. (2004) Br J Sports Med 38:553 (symmetric on/off kinetics)",
    "Swain DP et al. (1998) (%HRR = 1.03 %VO2R + 1.5 on a treadmill)",
    "Berling J et al. (2006) J Cardiopulm Rehabil 26:391 (handrail support)",
)
#: The fall model's assumed factors (no study measures them), recorded with a run.
FALL_ASSUMPTIONS = ("backward_rate_ratio", "backward_fall_odds_ratio", "light_arrest",
                    "grip_arrest")
_PREDICTED_VO2MAX = ("Hansen JE, Sue DY, Wasserman K (1984) Am Rev Respir Dis 129:S49 "
                     "(predicted VO2max)")


def references(scenario: Scenario, models: Sequence[EventModel] = MODELS) -> list[str]:
    """The sources a run of ``scenario`` with the event models ``models`` rests on: those of
    the registry entries it chose (energy model, resting rate, HRmax, the walking-cost person
    term in effect), the kinetics and each event model's own.

    >>> import retrosim
    >>> references(retrosim.load_scenario("compendium-2011"))[0]
    'Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81'
    """
    options = scenario.energy
    refs = [*energy.ENERGY_MODELS[options.model].references,
            *energy.RESTING_RATE_REFERENCES[options.resting_rate]]
    if scenario.subject.vo2max_ml_kg_min is None:
        refs.append(_PREDICTED_VO2MAX)
    refs += heart.HR_MAX_MODELS[options.hr_max].references
    if options.hr_drift != "none":
        refs += hr_drift.HR_DRIFT_MODELS[options.hr_drift].references
    refs += walking_cost.WALKING_COST_MODELS[walking_cost.in_effect(
        options.walking_cost, options.model)].references
    refs += CORE_REFERENCES
    for model in models:
        refs += model.cites(scenario)
    return list(dict.fromkeys(refs))


def model_attrs(scenario: Scenario) -> dict[str, str]:
    """The models a run of ``scenario`` chose besides its energy model, and the assumed values
    it ran with, as Dataset attributes: ``hr_max_model``
    (:data:`retrosim.physiology.heart.HR_MAX_MODELS`), ``heart_rate_model``
    (:data:`retrosim.physiology.heart.HR_MODELS`), ``hr_kinetics_model``
    (:data:`retrosim.physiology.hr_kinetics.HR_KINETICS_MODELS`), ``vo2_kinetics_model``
    (:data:`retrosim.physiology.vo2_kinetics.VO2_KINETICS_MODELS`), ``walking_cost_model``
    (the person term in effect: "none" under a table lookup,
    :func:`retrosim.physiology.walking_cost.in_effect`),
    ``hr_drift_model`` (:data:`retrosim.physiology.hr_drift.HR_DRIFT_MODELS`, recorded only
    when a drift model ran), ``fall_model``, ``bp_model`` (the exercise pressure model),
    ``fall_assumptions`` (the ``[falls]`` factors no study measures, as JSON) and
    ``bp_noise_sd_mmhg`` (a cuff reading's error, SD systolic/diastolic). A report reads each
    registry entry's caveat, and states the assumed values, from them.

    >>> import retrosim
    >>> attrs = model_attrs(retrosim.load_scenario("compendium-2011"))
    >>> attrs["heart_rate_model"], attrs["bp_noise_sd_mmhg"]
    ('swain-1994-backward', '5/4')
    """
    falls = scenario.falls
    drift = ({} if scenario.energy.hr_drift == "none" else
             {"hr_drift_model": scenario.energy.hr_drift})
    return {"hr_max_model": scenario.energy.hr_max,
            "heart_rate_model": scenario.energy.heart_rate,
            "hr_kinetics_model": scenario.energy.hr_kinetics, **drift,
            "vo2_kinetics_model": scenario.energy.vo2_kinetics,
            "walking_cost_model": walking_cost.in_effect(scenario.energy.walking_cost,
                                                         scenario.energy.model),
            "fall_model": falls.model, "bp_model": scenario.bp.model,
            "fall_assumptions": json.dumps({k: getattr(falls, k) for k in FALL_ASSUMPTIONS}),
            "bp_noise_sd_mmhg": "/".join(f"{sd:g}" for sd in scenario.bp.noise_sd_mmhg)}


def summaries_of(session: Session) -> dict[str, np.ndarray]:
    """Every per-subject summary of a session, each (N,): the trajectory's, each subject's
    resting and maximal heart rate and VO2max (for %HRmax and %HRR), the event models'."""
    return {**session.trajectory_summary(), **session.physiology.traits(), **session.summary}


def _padded(blocks: list[np.ndarray]) -> np.ndarray:
    """(N, R_arm) arrays stacked to (arm, N, max R), shorter ones padded: NaN, False or -1."""
    width = max(b.shape[1] for b in blocks)
    kind = blocks[0].dtype.kind
    fill = np.nan if kind == "f" else False if kind == "b" else -1
    out = np.full((len(blocks), blocks[0].shape[0], width), fill, dtype=blocks[0].dtype)
    for i, b in enumerate(blocks):
        out[i, :, :b.shape[1]] = b
    return out


def assemble(sessions: list[Session], scenario: Scenario, *, seed: int,
             trace_step_s: float | None, models: Sequence[EventModel] = MODELS) -> xr.Dataset:
    """The result Dataset of a run (traces only when ``trace_step_s`` is given) whose sessions
    ran the event models ``models``: their variables, statistics, attributes and sources."""
    names = [s.arm.name for s in sessions]
    n = sessions[0].size
    summaries = [summaries_of(s) for s in sessions]
    data: dict[str, tuple] = {
        name: (("arm", "subject"), np.stack([summary.get(name, np.full(n, np.nan))
                                             for summary in summaries]))
        for name in dict.fromkeys(k for summary in summaries for k in summary)  # NaN if absent
    }
    for name, (dim, _) in sessions[0].series.items():     # per-subject series, e.g. readings
        data[name] = (("arm", "subject", dim), _padded([s.series[name][1] for s in sessions]))
    durations = [s.duration_s for s in sessions]
    data["duration"] = (("arm",), np.array(durations))
    per_subject = {k: v for k, (dims, v) in data.items() if dims == ("arm", "subject")}
    for model in models:                          # per arm: e.g. the fall probability
        data.update({k: (("arm",), v) for k, v in model.per_arm(per_subject).items()})
    coords: dict[str, tuple | list | np.ndarray] = {
        "arm": names, "subject": sessions[0].cohort.index}
    coords.update(                               # a swept scenario: its grid on the arm axis
        {k: ("arm", v) for k, v in coordinates([s.arm for s in sessions]).items()})
    if trace_step_s is not None:
        time = sample_times(max(durations), trace_step_s)
        coords["time"] = time
        sampled = [{**s.trajectory.sample(time),
                    **{name: f(time) for name, f in s.traces.items()}} for s in sessions]
        for name in dict.fromkeys(k for tr in sampled for k in tr):   # NaN where an arm has none
            stacked = np.stack([np.broadcast_to(tr.get(name, np.nan), (len(time), n)).T
                                for tr in sampled])
            data[name] = (("arm", "subject", "time"),
                          np.nan_to_num(stacked).astype(np.int8) if name == "direction"
                          else stacked)
    columns = [s.log.columns() for s in sessions]
    data["event_time"] = (("event",), np.concatenate([c[0] for c in columns]))
    data["event_arm"] = (("event",), np.concatenate(
        [np.full(len(c[0]), name) for c, name in zip(columns, names, strict=True)]).astype(str))
    data["event_subject"] = (("event",), np.concatenate([
        np.where(c[1] >= 0, s.cohort.index[np.maximum(c[1], 0)], -1)
        for c, s in zip(columns, sessions, strict=True)]).astype(np.int64))
    data["event_kind"] = (("event",), np.concatenate([c[2] for c in columns]).astype(str))
    data["event_detail"] = (("event",), np.concatenate([c[3] for c in columns]).astype(str))
    ds = xr.Dataset(data, coords=coords)
    for name, attrs in Catalogue(SESSION, *(m.variables for m in models)).attrs():
        if name in ds.variables:
            ds[name].attrs.update(attrs)
    kinds = stop_kinds()
    ds.stop_reason.attrs.update(flag_values=np.array([k.code for k in kinds], dtype=np.int8),
                                flag_meanings=" ".join(k.name for k in kinds))
    ds.attrs.update(
        scenario=scenario.name, description=scenario.description, seed=seed,
        retrosim_version=retrosim.__version__, references="\n".join(references(scenario, models)),
        energy_model=scenario.energy.model, **model_attrs(scenario),
        protocols="\n".join(f"{a.name}: {a.protocol}" for a in scenario.arms.values()))
    outside = ds.event_kind.values == "energy-outside"    # retrosim.solve.trajectory
    ds.attrs["energy_outside"] = "\n".join(f"{arm}: {text}" for arm, text in zip(
        ds.event_arm.values[outside], ds.event_detail.values[outside], strict=True))
    for model in models:
        ds.attrs.update(model.attributes(ds))
    ds.attrs.update(population_attrs(scenario))          # who was simulated, in what units
    controlled = [s.arm for s in sessions if s.arm.controller is not None or s.arm.faults]
    if controlled:                      # see retrosim.engine.controlled, retrosim.testing
        ds.attrs.update(safety=scenario.safety.to_json(), controllers="\n".join(
            f"{a.name}: {a.controller.label if a.controller else 'protocol'}"
            + "".join(f"; fault {f}" for f in a.faults) for a in controlled))
    return ds
