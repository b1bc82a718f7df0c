"""Results: per-arm outcomes -> one self-describing ``xarray.Dataset``.

Dimensions ``arm``, ``subject``, ``time`` (s since the start). Every variable carries CF
``units`` and ``long_name`` so plots label themselves. The event log is kept on its own
dimension ``event`` (``event_time``, ``event_arm``, ``event_subject``, ``event_kind``,
``event_detail``; subject -1 means every subject).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

import retrosim
from retrosim.engine.session import STOP_REASONS, Session
from retrosim.events import MODELS
from retrosim.events.base import EventModel
from retrosim.model.grid import coordinates
from retrosim.model.scenario import Scenario
from retrosim.physiology import energy, heart
from retrosim.results.tables import population_attrs
from retrosim.solve.timeline import sample_times

#: name -> (units, long_name) of the variables every run holds (the engine's and the physiology's);
#: each event model declares its own (:attr:`retrosim.events.base.EventModel.variables`).
CORE_VARIABLES = {
    "time": ("s", "time since the start"),
    "speed": ("m s-1", "belt speed"),
    "direction": ("1", "walking direction (+1 forward, -1 backward, 0 after the arm ends)"),
    "grade": ("1", "treadmill grade (rise over run)"),
    "met": ("1", "metabolic demand of the current activity, MET"),
    "vo2": ("mL kg-1 min-1", "oxygen uptake"),
    "hr": ("min-1", "heart rate"),
    "hr_sensor": ("min-1", "heart rate as the console's sensor read it (NaN: no signal)"),
    "target_speed": ("m s-1", "belt speed the console was last commanded"),
    "target_grade": ("1", "grade the console was last commanded"),
    "energy": ("kcal", "energy expended since the start"),
    "energy_total": ("kcal", "energy expended in the session"),
    "vo2_peak": ("mL kg-1 min-1", "peak oxygen uptake"),
    "hr_peak": ("min-1", "peak heart rate"),
    "hr_rest": ("min-1", "resting heart rate"),
    "hr_max": ("min-1", "maximal heart rate (predicted by [energy] hr_max when not given)"),
    "vo2_max": ("mL kg-1 min-1", "maximal oxygen uptake (predicted when not given)"),
    "hr_ceiling": ("min-1", "heart-rate ceiling of the safety limits (controlled arms)"),
    "met_mean": ("1", "time-averaged metabolic demand, MET"),
    "energy_exercise": ("kcal", "energy expended while the belt moved (rest stages left out)"),
    "met_mean_exercise": ("1", "time-averaged metabolic demand while the belt moved, MET"),
    "exercise_time": ("s", "time the belt moved"),
    "duration": ("s", "duration of the arm's protocol"),
    "stop_reason": ("1", "why the session stopped (see flag_meanings: the protocol ran to its "
                    "end, an emergency stop, a blood-pressure stop criterion, another stop)"),
    "event_time": ("s", "time of the event"),
    **{name: ("", text) for name, text in (          # text: no unit
        ("event_arm", "arm of the event"), ("event_kind", "kind of the event (fault, alarm, "
                                                    "stop, ...)"),
        ("event_detail", "what happened, in words"))},
    "event_subject": ("1", "subject of the event (-1: every subject of the arm)"),
}
#: name -> (units, long_name) of every variable a run with the bundled event models may hold.
VARIABLES = {**CORE_VARIABLES, **{k: v for m in MODELS for k, v in m.variables.items()}}
TRACES = ("speed", "direction", "grade", "met", "vo2", "hr", "energy", "sbp", "dbp")
SUMMARIES = ("energy_total", "vo2_peak", "hr_peak", "met_mean", "sbp_post", "dbp_post")

#: The sources of the kinetics every run uses (VO2 and HR on- and off-kinetics, the HR model,
#: the handrail).
CORE_REFERENCES = (
    "George MA et al. (2018) Front Physiol 9:277 (VO2 time constant by fitness)",
    "Am J Physiol Regul Integr Comp Physiol (2011) 301:R218 (VO2 kinetics and age)",
    "Markovitz GH et al. (2004) Br J Sports Med 38:553 (symmetric on/off kinetics)",
    "Swain DP et al. (1998) (%HRR = 1.03 %VO2R + 1.5 on a treadmill)",
    "Berling J et al. (2006) J Cardiopulm Rehabil 26:391 (handrail support)",
)
_PREDICTED_VO2MAX = ("Hansen JE, Sue DY, Wasserman K (1984) Am Rev Respir Dis 129:S49 "
                     "(predicted VO2max)")


def references(scenario: Scenario, models: Sequence[EventModel] = MODELS) -> list[str]:
    """The sources a run of ``scenario`` with the event models ``models`` rests on: those of
    the registry entries it chose (energy model, resting rate, HRmax), the kinetics and
    each event model's own.

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
    refs += CORE_REFERENCES
    for model in models:
        refs += model.cites(scenario)
    return list(dict.fromkeys(refs))


def summaries_of(session: Session) -> dict[str, np.ndarray]:
    """Every per-subject summary of a session, each (N,): the trajectory's, each subject's
    resting and maximal heart rate and VO2max (for %HRmax and %HRR), the event models'."""
    ph = session.physiology
    return {**session.trajectory.summary(), "hr_rest": ph.hr_rest, "hr_max": ph.hr_max,
            "vo2_max": ph.vo2_max, **session.summary}


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
    durations = [s.timeline.duration_s for s in sessions]
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
    declared = {**CORE_VARIABLES, **{k: v for m in models for k, v in m.variables.items()}}
    for name, (units, long_name) in declared.items():
        if name in ds.variables:
            ds[name].attrs.update(units=units, long_name=long_name)
    ds.stop_reason.attrs.update(flag_values=np.arange(len(STOP_REASONS), dtype=np.int8),
                                flag_meanings=" ".join(STOP_REASONS))
    ds.attrs.update(
        scenario=scenario.name, description=scenario.description, seed=seed,
        retrosim_version=retrosim.__version__, references="\n".join(references(scenario, models)),
        energy_model=scenario.energy.model,
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
