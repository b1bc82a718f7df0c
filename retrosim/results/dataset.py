"""Results: per-arm outcomes -> one self-describing ``xarray.Dataset``.

Dimensions ``arm``, ``subject``, ``time`` (s since the start). Every variable carries CF
``units`` and ``long_name`` so plots label themselves. The event log is kept on its own
dimension ``event`` (``event_time``, ``event_arm``, ``event_subject``, ``event_kind``,
``event_detail``; subject -1 means every subject).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

import retrosim

if TYPE_CHECKING:
    from retrosim.engine.session import Session
    from retrosim.model.scenario import Scenario

#: name -> (units, long_name) of every variable the Dataset may hold.
VARIABLES = {
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
    "hr_max": ("min-1", "maximal heart rate (Tanaka et al. 2001 when not given)"),
    "vo2_max": ("mL kg-1 min-1", "maximal oxygen uptake (predicted when not given)"),
    "hr_ceiling": ("min-1", "heart-rate ceiling of the safety limits (controlled arms)"),
    "met_mean": ("1", "time-averaged metabolic demand, MET"),
    "energy_exercise": ("kcal", "energy expended while the belt moved (rest stages left out)"),
    "met_mean_exercise": ("1", "time-averaged metabolic demand while the belt moved, MET"),
    "exercise_time": ("s", "time the belt moved"),
    "fall_risk": ("1", "probability of a fall in the session as commanded, 1 - exp(-H): exact, "
                  "not sampled (an upper bound when a tether pull may end the walk first)"),
    "sbp_post_expected": ("mmHg", "expected systolic pressure at the first valid reading after "
                          "exercise (the model's value, without measurement noise)"),
    "dbp_post_expected": ("mmHg", "expected diastolic pressure at the first valid reading "
                          "after exercise (the model's value, without measurement noise)"),
    "duration": ("s", "duration of the arm's protocol"),
    "event_time": ("s", "time of the event"),
    "fell": ("1", "the walker fell during the session"),
    "fall_time": ("s", "time of the fall (NaN if none)"),
    "stumbles": ("1", "perturbations the walker recovered from"),
    "estop": ("1", "the emergency stop was triggered (tether pulled)"),
    "fall_probability": ("1", "share of sessions with a fall"),
    "fall_probability_low": ("1", "fall probability, lower bound of the 95 % Wilson interval"),
    "fall_probability_high": ("1", "fall probability, upper bound of the 95 % Wilson interval"),
    "falls_per_1000": ("1", "expected falls per 1,000 sessions"),
    "sbp": ("mmHg", "systolic blood pressure"),
    "dbp": ("mmHg", "diastolic blood pressure"),
    "exercise_end": ("s", "end of the last bout of exercise (NaN if none)"),
    "sbp_nadir": ("mmHg", "systolic pressure at the nadir of the post-exercise hypotension"),
    "dbp_nadir": ("mmHg", "diastolic pressure at the nadir of the post-exercise hypotension"),
    "bp_nadir_time": ("s", "time of the systolic nadir after exercise (NaN if none)"),
    "bp_category_pre": ("1", "ACC/AHA 2017 category of the resting pressure: 0 normal, "
                        "1 elevated, 2 stage 1, 3 stage 2, 4 crisis"),
    "sbp_first": ("mmHg", "first seated reading after exercise, systolic"),
    "dbp_first": ("mmHg", "first seated reading after exercise, diastolic"),
    "bp_first_valid": ("1", "the first reading was 30 min or more after exercise"),
    "bp_category_first": ("1", "ACC/AHA 2017 category of the first reading (as "
                          "bp_category_pre; -1 none)"),
    "sbp_post": ("mmHg", "first valid seated reading after exercise (30 min or later), "
                 "systolic (NaN if none)"),
    "dbp_post": ("mmHg", "first valid seated reading after exercise (30 min or later), "
                 "diastolic (NaN if none)"),
    "bp_category_post": ("1", "ACC/AHA 2017 category of the first valid reading (as "
                         "bp_category_pre; -1 none)"),
    "sbp_recheck": ("mmHg", "systolic recheck 5 min after the first reading of 180/120 or "
                    "more (NaN if none)"),
    "dbp_recheck": ("mmHg", "diastolic recheck 5 min after the first reading of 180/120 or "
                    "more (NaN if none)"),
    "bp_reading_time": ("s", "time of the seated reading"),
    "bp_reading_sbp": ("mmHg", "seated reading, systolic"),
    "bp_reading_dbp": ("mmHg", "seated reading, diastolic"),
    "bp_reading_valid": ("1", "the reading is valid for diagnosis (30 min or more after "
                         "exercise)"),
    "bp_reading_category": ("1", "ACC/AHA 2017 category of the reading (as bp_category_pre; "
                            "-1 none)"),
    "bp_recheck_sbp": ("mmHg", "recheck 5 min after a reading of 180/120 or more, systolic "
                       "(NaN if none)"),
    "bp_recheck_dbp": ("mmHg", "recheck 5 min after a reading of 180/120 or more, diastolic "
                       "(NaN if none)"),
}
TRACES = ("speed", "direction", "grade", "met", "vo2", "hr", "energy", "sbp", "dbp")
SUMMARIES = ("energy_total", "vo2_peak", "hr_peak", "met_mean", "sbp_post", "dbp_post")

_REFERENCES = {
    "compendium-2011": "Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81",
    "compendium-2024": "Herrmann SD et al. (2024) J Sport Health Sci 13:6-12",
    "acsm": "ACSM's Guidelines for Exercise Testing and Prescription, metabolic equations",
    "continuous": "Ainsworth BE et al. (2011) Med Sci Sports Exerc 43(8):1575-81; "
                  "Kim & Choi (2001) J Korean Acad Rehabil Med 25:474",
}
_ALWAYS = (
    "George MA et al. (2018) Front Physiol 9:277 (VO2 time constant by fitness)",
    "Am J Physiol Regul Integr Comp Physiol (2011) 301:R218 (VO2 kinetics and age)",
    "Markovitz GH et al. (2004) Br J Sports Med 38:553 (symmetric on/off kinetics)",
    "Tanaka H et al. (2001) J Am Coll Cardiol 37:153 (HRmax)",
    "Swain DP et al. (1998) (%HRR = 1.03 %VO2R + 1.5 on a treadmill)",
    "Berling J et al. (2006) J Cardiopulm Rehabil 26:391 (handrail support)",
    "Kenney & Seals (1993) Hypertension (post-exercise hypotension by resting pressure)",
    "Corso et al. (2017) Med Sci Sports Exerc (post-exercise hypotension by intensity)",
    "MacDonald et al. (2000) J Hum Hypertens 14:125 (time course of post-exercise hypotension)",
    "Pescatello et al. (2004) ACSM position stand (post-exercise hypotension in daily life)",
    "Carpio-Rivera et al. (2016) Arq Bras Cardiol 106:422 (who has more post-exercise "
    "hypotension)",
    "ACC/AHA (2017) blood pressure guideline (categories, stop criteria, measuring)",
)


def references(scenario: Scenario) -> list[str]:
    """The sources a run of ``scenario`` rests on."""
    model = scenario.energy.model
    refs = [_REFERENCES.get(model.removesuffix("-treadmill"), _REFERENCES["continuous"])]
    if scenario.energy.resting_rate == "byrne-2005":
        refs.append("Byrne NM et al. (2005) J Appl Physiol 99:1112 (resting VO2)")
    if scenario.energy.resting_rate == "willis-2024-older":
        refs.append("Willis EA et al. (2024) Older Adult Compendium (1 MET = 2.7 mL/kg/min)")
    if scenario.energy.resting_rate == "mifflin-st-jeor":
        refs.append("Mifflin MD, St Jeor ST et al. (1990) Am J Clin Nutr 51:241 (RMR)")
    if scenario.subject.vo2max_ml_kg_min is None:
        refs.append("Hansen JE, Sue DY, Wasserman K (1984) Am Rev Respir Dis 129:S49 "
                    "(predicted VO2max)")
    if scenario.falls.model != "none":
        from retrosim.physiology.balance import REFERENCES as FALL_REFERENCES
        refs.extend(FALL_REFERENCES)
    return refs + list(_ALWAYS)


def summaries_of(session: Session) -> dict[str, np.ndarray]:
    """Every per-subject summary of a session, each (N,): the trajectory's, each subject's
    resting and maximal heart rate and VO2max (for %HRmax and %HRR), the event models'."""
    ph = session.physiology
    return {**session.trajectory.summary(), "hr_rest": ph.hr_rest, "hr_max": ph.hr_max,
            "vo2_max": ph.vo2_max, **session.summary}


def _time_axis(duration_s: float, step_s: float) -> np.ndarray:
    t = np.arange(0.0, duration_s, step_s)
    return np.append(t, duration_s) if t[-1] != duration_s else t


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
             trace_step_s: float | None) -> xr.Dataset:
    """The result Dataset of a run (traces only when ``trace_step_s`` is given)."""
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
    if "fell" in data:                             # per arm: fall probability, Wilson interval
        from retrosim.events.falls import arm_statistics
        data.update({k: (("arm",), v) for k, v in arm_statistics(data["fell"][1]).items()})
    coords: dict[str, tuple | list | np.ndarray] = {
        "arm": names, "subject": sessions[0].cohort.index}
    from retrosim.model.grid import coordinates  # a swept scenario: its grid on the arm axis
    coords.update({k: ("arm", v) for k, v in coordinates([s.arm for s in sessions]).items()})
    if trace_step_s is not None:
        time = _time_axis(max(durations), trace_step_s)
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
    for name, (units, long_name) in VARIABLES.items():
        if name in ds.variables:
            ds[name].attrs.update(units=units, long_name=long_name)
    flagged = ds.event_kind.values == "guidance"   # see retrosim.events.guidance
    ds.attrs.update(
        scenario=scenario.name, description=scenario.description, seed=seed,
        retrosim_version=retrosim.__version__, references="\n".join(references(scenario)),
        energy_model=scenario.energy.model,
        protocols="\n".join(f"{a.name}: {a.protocol}" for a in scenario.arms.values()),
        guidance="\n".join(f"{arm}: {text}" for arm, text in zip(
            ds.event_arm.values[flagged], ds.event_detail.values[flagged], strict=True)),
    )
    from retrosim.results.tables import population_attrs  # who was simulated, in what units
    ds.attrs.update(population_attrs(scenario))
    controlled = [s.arm for s in sessions if s.arm.controller is not None or s.arm.faults]
    if controlled:                      # see retrosim.engine.controlled, retrosim.testing
        ds.attrs.update(safety=scenario.safety.to_json(), controllers="\n".join(
            f"{a.name}: {a.controller.label if a.controller else 'protocol'}"
            + "".join(f"; fault {f}" for f in a.faults) for a in controlled))
    return ds
