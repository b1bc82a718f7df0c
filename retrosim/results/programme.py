"""Programme results: the calendar's arrays -> one self-describing ``xarray.Dataset``; tables.

Dimensions ``arm``, ``subject``, ``day`` (whole days since the start, 0 ... 7 x weeks: the
state each morning, before any session) and ``session`` (each arm's sessions in order). Daily
state on (arm, subject, day): ``vo2max``, ``hr_rest``, ``sbp_rest``, ``dbp_rest``, ``berg``,
``backward_practice``. Per session on (arm, subject, session): ``session_day`` and the session
summaries (``energy_total``, ``vo2_peak``, ``hr_peak``, ``met_mean``, ``fell``, ``sbp_nadir``,
...), NaN (False) where the person did not attend. The programme's events (sessions, falls,
pauses, stops) are on ``event``: ``event_day``, ``event_arm``, ``event_subject``,
``event_kind``, ``event_detail``. One person's programme also holds each daily state's 90 %
prediction interval on (arm, day), ``vo2max_low``, ``vo2max_high``, ...
(:func:`retrosim.results.programme_intervals.programme_intervals`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

import retrosim
from retrosim.engine.programme import run_programme
from retrosim.engine.session import EventLog
from retrosim.engine.variables import PROGRAMME
from retrosim.events import falls
from retrosim.physiology.courses import TRAINING_MODELS
from retrosim.physiology.training import REFERENCES
from retrosim.results.dataset import VARIABLES as SESSION_VARIABLES
from retrosim.results.dataset import model_attrs
from retrosim.results.dataset import references as session_references
from retrosim.results.tables import definition, is_subject, population_attrs

if TYPE_CHECKING:
    from retrosim.engine.programme import ArmProgramme
    from retrosim.model.scenario import Scenario

#: The programme's own variables (its daily state, the calendar's per-session outcomes, its
#: event log); where a name is also a session's, this declaration is the programme's.
VARIABLES = PROGRAMME
#: What the interval of one person's programme fall risk is (:mod:`retrosim.results.intervals`).
INTERVAL = "90 % prediction interval"
#: Per-arm fall statistics over the sessions walked (:func:`retrosim.events.falls.arm_statistics`).
FALL_STATISTICS = falls.VARIABLES.select("per-arm")
#: The rows of the start / middle / end table: variable, label, format.
TABLE = (("vo2max", "VO2max (mL/kg/min)", ".1f"), ("hr_rest", "resting HR (bpm)", ".0f"),
         ("sbp_rest", "resting SBP (mmHg)", ".0f"), ("dbp_rest", "resting DBP (mmHg)", ".0f"),
         ("berg", "Berg (points)", ".1f"), ("backward_practice", "backward practice (min)",
                                            ".0f"))


def references(model: str) -> list[str]:
    """The sources a programme with the programme model ``model`` rests on (besides each
    session's)."""
    return list(dict.fromkeys((*TRAINING_MODELS[model].references, *REFERENCES)))


def assemble(arms: list[ArmProgramme], scenario: Scenario, *, seed: int) -> xr.Dataset:
    """The programme Dataset of a run."""
    names = [a.arm.name for a in arms]
    n = arms[0].cohort.size
    width = max(a.session_day.size for a in arms)
    data: dict[str, tuple] = {}
    for name in arms[0].daily:
        data[name] = (("arm", "subject", "day"), _stacked([a.daily[name] for a in arms]))
    keys = dict.fromkeys(k for a in arms for k in a.sessions)
    for name in keys:
        blocks = []
        for a in arms:
            value = a.sessions.get(name)
            kind = next(b.sessions[name].dtype for b in arms if name in b.sessions)
            if value is not None and value.shape[1] == width and value.dtype == kind:
                blocks.append(value)                  # every session: stacked as it is
                continue
            fill = False if kind.kind == "b" else np.nan
            block = np.full((n, width), fill, dtype=kind)
            if value is not None:
                block[:, :value.shape[1]] = value
            blocks.append(block)
        data[name] = (("arm", "subject", "session"), _stacked(blocks))
    days = np.full((len(arms), width), np.nan)
    for i, a in enumerate(arms):
        days[i, :a.session_day.size] = a.session_day
    if "fell" in data:            # per arm, over the sessions walked: share with a fall
        walked = [a.sessions["fell"][a.sessions["attended"]] for a in arms]
        stats = [falls.arm_statistics(w[None, :]) if w.size else
                 {k: np.full(1, np.nan) for k in FALL_STATISTICS} for w in walked]
        for k in FALL_STATISTICS:
            data[k] = (("arm",), np.concatenate([st[k] for st in stats]))
    data["session_day"] = (("arm", "subject", "session"),
                           np.broadcast_to(days[:, None, :], (len(arms), n, width)).copy())
    data["session_protocol"] = (("arm", "session"), np.array(
        [a.session_protocol + [""] * (width - len(a.session_protocol)) for a in arms], dtype=str))
    logs = [(a.arm.name, a.cohort.index, entry) for a in arms for entry in a.log]
    day = np.concatenate([e[0] for _, _, e in logs]) if logs else np.empty(0)
    order = np.argsort(day, kind="stable")
    data["event_day"] = (("event",), day[order])
    data["event_time"] = (("event",), 86_400.0 * day[order])      # s, as a session's log
    data["event_arm"] = (("event",), np.concatenate(
        [np.full(e[0].size, name) for name, _, e in logs]).astype(str)[order])
    data["event_subject"] = (("event",), np.concatenate(
        [np.where(e[1] >= 0, index[np.maximum(e[1], 0)], -1) for _, index, e in logs]
    ).astype(np.int64)[order])
    data["event_kind"] = (("event",), np.concatenate(
        [np.full(e[0].size, e[2]) for _, _, e in logs]).astype(str)[order])
    data["event_detail"] = (("event",), np.concatenate(
        [np.full(e[0].size, e[3]) for _, _, e in logs]).astype(str)[order])
    coords = {"arm": names, "subject": arms[0].cohort.index, "day": arms[0].days,
              "session": np.arange(width)}
    ds = xr.Dataset(data, coords=coords)
    for catalogue in (SESSION_VARIABLES, VARIABLES):
        for name, attrs in catalogue.attrs():
            if name in ds.variables:
                ds[name].attrs.update(attrs)
    program = scenario.program
    assert program is not None
    ds.attrs.update(
        scenario=scenario.name, description=scenario.description, seed=seed,
        retrosim_version=retrosim.__version__, programme=program.describe(),
        references="\n".join(session_references(scenario)
                              + references(program.model)),
        energy_model=scenario.energy.model, **model_attrs(scenario),
        training_model=program.model,
        weeks=program.weeks,
        protocols="\n".join(f"{a.arm.name}: {a.session_protocol[0] if a.session_protocol else ''}"
                            f" ... {a.session_protocol[-1] if a.session_protocol else ''}"
                            for a in arms),
    )
    ds.attrs.update(population_attrs(scenario))          # who was simulated, in what units
    return ds


def _stacked(blocks: list[np.ndarray]) -> np.ndarray:
    """The arms' arrays along a new first axis: one arm's as a view (no copy of a million
    people's sessions), several stacked.

    >>> a = np.arange(6.0).reshape(3, 2).T
    >>> _stacked([a]).base is not None, _stacked([a, a]).shape
    (True, (2, 2, 3))
    """
    return blocks[0][None] if len(blocks) == 1 else np.stack(blocks)


def is_programme(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is a programme result (it has a ``day`` dimension)."""
    return "day" in ds.dims


def _interval(values: np.ndarray, fmt: str) -> str:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return "-"
    mid = format(float(np.median(v)), fmt)
    lo, hi = (format(float(x), fmt) for x in np.percentile(v, [5, 95]))
    return mid if lo == hi else f"{mid} ({lo}-{hi})"


def _with_interval(a: xr.Dataset, name: str, day: int, fmt: str) -> str:
    """One person's state ``name`` on ``day`` with its 90 % prediction interval
    (``<name>_low``, ``<name>_high``) in brackets; the value alone where the interval rounds
    to it."""
    mid, lo, hi = (format(float(a[f"{name}{end}"].sel(day=day).values.ravel()[0]), fmt)
                   for end in ("", "_low", "_high"))
    return mid if lo == hi == mid else f"{mid} [{lo}-{hi}]"


def _cell(a: xr.Dataset, name: str, day: int, fmt: str) -> str:
    """A cell of the start / middle / end table: one person's state with its interval where
    the result holds one, else the median (5-95 %) over the subjects."""
    if a.sizes["subject"] == 1 and f"{name}_low" in a:
        return _with_interval(a, name, day, fmt)
    return _interval(a[name].sel(day=day).values.astype(float), fmt)


def programme_fall_risk(arm: xr.Dataset) -> np.ndarray:
    """Each person's exact probability of at least one fall over the programme, (N,):
    ``1 - prod(1 - p_s)`` over the sessions they attended, from each session's exact risk
    ``fall_risk`` (``1 - exp(-H)`` of the session's fall hazard; independent sessions).

    ``arm`` is one arm of a programme result (``ds.sel(arm=...)``); NaN when it holds no
    session risk (the falls model switched off)."""
    if "fall_risk" not in arm:
        return np.full(arm.sizes["subject"], np.nan)
    risk = np.where(arm.attended.values, arm.fall_risk.values.astype(float), 0.0)
    return -np.expm1(np.log1p(-risk).sum(axis=1))


def _risk_text(a: xr.Dataset, person: bool) -> str:
    """The programme's fall risk of one arm ``a`` as a percentage: one person's exact risk
    with its 90 % prediction interval (``programme_fall_risk``, ``_low``, ``_high``), or the
    median (5-95 %) over a cohort's people; the simulated falls beside it, as a count."""
    falls = int(a.fell.values.sum()) if "fell" in a else 0
    walked = int(a.attended.values.sum())
    simulated = f"simulated: {falls} fall{'' if falls == 1 else 's'} in {walked} sessions"
    risk = programme_fall_risk(a)
    if not np.isfinite(risk).any():
        return f"no fall risk (falls not modelled); {simulated}"
    if person and "programme_fall_risk_low" in a:      # with its interval, _low and _high
        mid, lo, hi = (100.0 * float(a[f"programme_fall_risk{end}"])
                       for end in ("", "_low", "_high"))
        fmt = ".2f" if hi < 10 else ".1f"
        return (f"fall risk over the programme {mid:{fmt}} % [{lo:{fmt}}-{hi:{fmt}} %] (exact "
                f"for the person as given; {INTERVAL} over the person's plausible versions; "
                f"{simulated})")
    pct = 100.0 * risk[np.isfinite(risk)]
    fmt = ".2f" if pct.max() < 10 else ".1f"
    if person:
        return (f"fall risk over the programme {float(np.median(pct)):{fmt}} % (exact over the "
                f"sessions walked; no prediction interval in this result; {simulated})")
    lo, mid, hi = np.percentile(pct, [5, 50, 95])
    return (f"fall risk over the programme {mid:{fmt}} % ({lo:{fmt}}-{hi:{fmt}} % of the "
            f"people; {simulated})")


def summary_table(ds: xr.Dataset) -> str:
    """Start, middle and end of the programme per arm: median (5-95 % over the people), or
    one person's state with its 90 % prediction interval [low-high] where the result holds
    one."""
    last = int(ds.day.values[-1])
    marks = (0, int(round(last / 14.0)) * 7, last)
    lines = [f"{ds.attrs['scenario']}: {ds.attrs.get('programme', '')}; seed {ds.attrs['seed']}"
             f", {ds.sizes['subject']} {'person' if ds.sizes['subject'] == 1 else 'people'}"
             + ("; median (5-95 %)" if ds.sizes["subject"] > 1 else
                "; [90 % prediction interval] (a value alone: its interval rounds to it)"
                if any(f"{n}_low" in ds for n, _, _ in TABLE) else "")]
    header = ["", *(f"day {d}" for d in marks)]
    for arm in ds.arm.values:
        a = ds.sel(arm=arm)
        rows = [[label, *(_cell(a, name, d, fmt) for d in marks)]
                for name, label, fmt in TABLE if name in a]
        attended = a.attended.values
        held = attended.any(axis=0)
        kcal = np.where(attended, a.energy_total.values, 0.0).sum(axis=1) \
            if "energy_total" in a else np.zeros(1)
        risk = _risk_text(a, is_subject(ds))
        lines += ["", f"{arm}: {int(held.sum())} sessions; {risk}; "
                  f"energy {_interval(kcal, '.0f')} kcal in all ({definition('energy_total')} "
                  "energy, summed over the sessions walked)"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                          for i, (c, w) in enumerate(zip(r, widths,
                                                                         strict=True))))
    return "\n".join(lines)


#: How ``compare`` ranks programmes: variable, label, better when lower.
RANKING = (("berg", "Berg gain (points)", False), ("sbp_rest", "SBP change (mmHg)", True),
           ("vo2max", "VO2max change (mL/kg/min)", False),
           ("fall_risk", "fall risk over the programme (%, mean)", True))


def comparison_table(datasets: list[xr.Dataset]) -> str:
    """Every programme arm of every dataset, ranked on each outcome (change start -> end)."""
    rows = []
    for ds in datasets:
        for arm in ds.arm.values:
            a = ds.sel(arm=arm)
            change = {name: float(np.mean(a[name].isel(day=-1).values.astype(float)
                                          - a[name].isel(day=0).values.astype(float)))
                      for name, _, _ in RANKING if name in a and "day" in a[name].dims}
            change["fall_risk"] = 100.0 * (float(a.programme_fall_risk)   # one person's
                                           if "programme_fall_risk" in a
                                           else float(np.mean(programme_fall_risk(a))))
            rows.append((f"{ds.attrs['scenario']}/{arm}", change))
    width = max(len(r[0]) for r in rows)
    lines = ["Programmes ranked (mean change from the first to the last morning):"]
    for name, label, lower in RANKING:
        def order(row: tuple[str, dict[str, float]], n: str = name,
                  lo: bool = lower) -> float:
            return row[1].get(n, np.nan) * (1 if lo else -1)

        ranked = sorted(rows, key=order)
        lines.append(f"  {label}:")
        lines += [f"    {i + 1}. {r[0]:<{width}}  {r[1].get(name, np.nan):+.2f}"
                  for i, r in enumerate(ranked)]
    return "\n".join(lines)


def person_summaries(arm: ArmProgramme) -> dict[str, np.ndarray]:
    """One value per person of a programme arm, each (N,): the first and last morning's state,
    and totals over the sessions walked (the summaries a programme sweep stores).

    ``energy_total`` is the kcal of every session walked, ``hr_peak`` and ``vo2_peak`` the
    highest of any session, ``fell`` whether the person fell in any, ``falls`` how often,
    ``sessions`` how many they walked.
    """
    out: dict[str, np.ndarray] = {}
    for name, value in arm.daily.items():
        out[f"{name}_start"] = value[:, 0].astype(float)
        out[f"{name}_end"] = value[:, -1].astype(float)
    attended = arm.sessions["attended"]
    out["sessions"] = attended.sum(axis=1).astype(np.int32)
    walked = attended.any(axis=1)
    for name, empty, total in (("energy_total", 0.0, np.sum), ("hr_peak", -np.inf, np.max),
                               ("vo2_peak", -np.inf, np.max)):
        if name in arm.sessions:
            value = np.where(attended, arm.sessions[name], empty).astype(float)
            out[name] = np.where(walked, total(value, axis=1), np.nan)
    fell = arm.sessions.get("fell", np.zeros_like(attended))
    out["falls"] = fell.sum(axis=1).astype(np.int32)
    out["fell"] = np.asarray(fell.any(axis=1))
    return out


@dataclass
class ProgrammeRows:
    """A programme arm as a sweep reads a session: ``arm``, per-person ``summary``, the event
    ``log`` (``columns()``), ``timeline.duration_s`` (the programme's length, s) and no
    traces."""
    arm: Any
    summary: dict[str, np.ndarray]
    log: Any
    duration_s: float
    traces: dict[str, Any] = field(default_factory=dict)

    @property
    def timeline(self) -> ProgrammeRows:
        return self

    @property
    def trajectory(self) -> ProgrammeRows:
        return self

    def sample(self, times: np.ndarray) -> dict[str, np.ndarray]:
        """No traces: a programme's state is on days, not on a time axis."""
        return {}


def iter_rows(scenario: Scenario, *, seed: int, subjects: int, first: int = 0,
              models: Sequence[Any]) -> Iterator[ProgrammeRows]:
    """Every arm of a programme for people ``first`` onwards, as :class:`ProgrammeRows` (the
    same people and numbers as :func:`retrosim.run` gives them, whatever the chunk)."""
    program = scenario.program
    assert program is not None
    for arm in run_programme(scenario, seed=seed, subjects=subjects, first=first,
                             models=models):
        log = EventLog()
        for days, who, kind, detail in arm.log:
            if kind != "session":
                log.add_many(86_400.0 * days, who, kind, detail)
        yield ProgrammeRows(arm.arm, person_summaries(arm), log, 86_400.0 * program.days)
