"""The page's run path: a scenario dictionary in, what the page shows out (no web framework).

:func:`run` validates the dictionary with :meth:`retrosim.Scenario.from_dict` and runs it with
:func:`retrosim.run`, the same calls ``retrosim run`` makes on the downloaded file, so the
page's numbers are the command line's. Traces are kept at a step that gives a few hundred
points per session (the summaries do not depend on it); for more people than
:data:`retrosim.api.TRACE_SAMPLE` the traces and their bands come from the run's trace
sample (:meth:`retrosim.Simulation.sample`), the report's people, bit for bit. Then: the
comparison table (means over people, with the ``<name>_low`` / ``<name>_high`` interval where
the result has one), the percentile bands of the traces, the warnings, and the figures of
:mod:`retrosim.report.plots`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import retrosim
from retrosim import api
from retrosim.report import document, html, plots
from retrosim.results import intervals, programme, tables

#: Most trace points per session; the step is the first of STEPS_S that stays within it.
MAX_POINTS = 300
STEPS_S = (1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
#: Columns of the comparison table: (variable or SBP/DBP pair, header, unit, digits; digits
#: None: a probability, shown as a percentage). Energy and MET count the walking only, as the
#: report's summary does (:func:`retrosim.results.tables.arm_rows`); the session's energy with
#: its rests is beside them when an arm rests. One person's fall risk is the exact risk
#: (1 - exp(-H)); the sampled falls per 1,000, with their Wilson interval, are a cohort's.
COLUMNS: tuple[tuple[Any, str, str, int | None], ...] = (
    ("duration_min", "duration", "min", 1),
    ("energy_exercise", "energy while walking", "kcal", 1),
    ("energy_total", "energy incl. rest", "kcal, whole session", 1),
    ("met_mean_exercise", "MET while walking", "mean", 2),
    ("vo2_peak", "VO2 peak", "mL/kg/min", 1),
    ("hr_peak", "HR peak", "bpm", 0),
    ("fall_risk", "fall risk per session", "exact, %", None),
    ("fall_risk_protocol", "fall risk over the programme", "exact, %", None),
    ("falls_per_1000", "falls", "per 1,000 sessions", 2),
    (("sbp_post", "dbp_post"), "BP post", "mmHg", 0),
    (("sbp_nadir", "dbp_nadir"), "BP nadir", "mmHg", 0),
)


@dataclass
class Outcome:
    """A run as the page shows it."""

    ds: xr.Dataset
    bands: dict[str, document.Band]
    source: str
    subjects: int
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)     # the scenario that ran
    band_subjects: int | None = None      # the bands' people, when fewer than the result's

    @property
    def command(self) -> str:
        """The command line that gives the same numbers from the downloaded file."""
        return f"retrosim run {self.source} --subjects {self.subjects}"


def trace_step(duration_s: float) -> float:
    """Trace step [s] for a session of ``duration_s``: the finest with at most MAX_POINTS.

    >>> trace_step(600.0), trace_step(3 * 3600.0)
    (2.0, 60.0)
    """
    return next((s for s in STEPS_S if duration_s / s <= MAX_POINTS), STEPS_S[-1])


def run(data: dict[str, Any], source: str, subjects: int | None) -> Outcome:
    """Validate and run a scenario dictionary; InputError (its one-line message) if bad."""
    scenario = retrosim.Scenario.from_dict(data, source=source)
    duration = max(arm.protocol.duration_s for arm in scenario.arms.values())
    step = trace_step(duration)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", retrosim.RetrosimWarning)
        sim = api.Simulation(scenario, subjects=subjects)   # (it checks the number of people)
        sample = sim.sample()
        if sample.subjects < sim.subjects:              # summaries of all, traces of some
            ds = sim.dataset(traces=False)
            traced = sample.dataset(trace_step_s=step)
        else:
            ds = traced = sim.dataset(trace_step_s=step)
    notes = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught
                               if issubclass(w.category, retrosim.RetrosimWarning)))
    return Outcome(ds, bands(traced), source, sim.subjects, notes, data,
                   sample.subjects if sample.subjects < sim.subjects else None)



def bands(ds: xr.Dataset) -> dict[str, document.Band]:
    """Percentiles over people (5, 25, 50, 75, 95 %) of each trace, per arm; speed signed."""
    out: dict[str, document.Band] = {}
    if "time" not in ds.dims:
        return out
    for name in document.TRACES:
        if name not in ds:
            continue
        da = ds[name] * ds["direction"] if name == "speed" else ds[name]
        values = da.transpose("arm", "time", "subject").values.astype(float)
        out[name] = document.Band(ds.time.values.astype(float),
                                  np.stack([document.subject_quantiles(v) for v in values]))
    return out


def _resting(ds: xr.Dataset) -> bool:
    """Some arm rests: the session's energy differs from the walking's."""
    return "energy_exercise" in ds and any("rest for" in text for text in
                                           tables.protocols(ds).values())


def _per_arm(ds: xr.Dataset, name: str) -> np.ndarray | None:
    """Mean over everything but the arm (NaN ignored); derived columns by name; None for a
    column this result does not show."""
    if name == "duration_min":
        return ds["duration"].values.astype(float) / 60.0 if "duration" in ds else None
    if name == "energy_total" and "energy_exercise" in ds and not _resting(ds):
        return None                                     # the same as the walking's
    if name == "falls_per_1000" and tables.is_subject(ds) and "fall_risk" in ds:
        return None                                     # one person: the exact risk
    if name == "fall_risk_protocol":
        if "fall_risk" not in ds or "session" not in ds.dims:
            return None                                 # one session is the protocol
        if "programme_fall_risk" in ds:                 # one person: her exact risk, as the
            return ds["programme_fall_risk"].values.astype(float)   # report and table give it
        return np.array([float(np.nanmean(programme.programme_fall_risk(ds.sel(arm=a))))
                         for a in ds.arm.values])
    if name not in ds or "arm" not in ds[name].dims:
        return None
    da = ds[name].astype(float)
    other = [d for d in da.dims if d != "arm"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)        # an all-NaN arm: NaN
        return (da.mean(other, skipna=True) if other else da).values


def _interval(ds: xr.Dataset, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``<name>_low`` / ``<name>_high`` interval of a column, if the result has one."""
    if name == "falls_per_1000":
        name, scale = "fall_probability", 1000.0
    elif name == "fall_risk_protocol":                  # one person's programme: the result's
        name, scale = "programme_fall_risk", 1.0
    else:
        scale = 1.0
    low, high = _per_arm(ds, f"{name}_low"), _per_arm(ds, f"{name}_high")
    if low is None or high is None:
        return None
    return scale * low, scale * high


def table_cells(ds: xr.Dataset) -> list[dict[str, Any]]:
    """The comparison table as data: one dict per shown column and arm (``arm``, ``column``,
    ``value``, ``low``, ``high``, ``text``); the values are means over people."""
    arms = [str(a) for a in ds.arm.values]
    cells = []
    for name, _header, _unit, digits in COLUMNS:
        parts = name if isinstance(name, tuple) else (name,)
        values = [_per_arm(ds, p) for p in parts]
        if any(v is None for v in values):
            continue
        spans = [_interval(ds, p) for p in parts]
        for i, arm in enumerate(arms):
            texts = []
            for part, v, iv in zip(parts, values, spans, strict=True):
                assert v is not None
                text = tables.percent(float(v[i])) if digits is None else \
                    "-" if np.isnan(v[i]) else f"{v[i]:.{digits}f}"
                if iv is not None and np.isfinite(iv[0][i]):
                    text += (f" ({tables.percent(float(iv[0][i]))}-"
                             f"{tables.percent(float(iv[1][i]))})" if digits is None else
                             f" ({iv[0][i]:.{digits}f}-{iv[1][i]:.{digits}f})")
                texts.append(text)
                cells.append({"arm": arm, "column": part, "value": float(v[i]),
                              "low": None if iv is None else float(iv[0][i]),
                              "high": None if iv is None else float(iv[1][i]), "text": text})
            cells[-1]["shown"] = " / ".join(texts)
    return cells


def table_html(ds: xr.Dataset) -> str:
    """The comparison table; each cell keeps its full-precision value in ``data-value``."""
    cells = table_cells(ds)
    columns = [c for c in COLUMNS if any(cell["column"] == (c[0][-1] if isinstance(c[0], tuple)
                                                            else c[0]) for cell in cells)]
    head = "<th>arm</th>" + "".join(f"<th>{escape(h)}<br><small>{escape(u)}</small></th>"
                                    for _, h, u, _ in columns)
    rows = []
    for arm in (str(a) for a in ds.arm.values):
        tds = [f"<td>{escape(arm)}</td>"]
        for name, *_ in columns:
            parts = name if isinstance(name, tuple) else (name,)
            mine = [c for c in cells if c["arm"] == arm and c["column"] in parts]
            data = " ".join(f'data-{p.replace("_", "-")}{end}="{c[key]!r}"'
                            for p, c in zip(parts, mine, strict=True)
                            for key, end in (("value", ""), ("low", "-low"), ("high", "-high"))
                            if c[key] is not None)
            tds.append(f'<td class="num" data-arm="{escape(arm)}" data-column="{parts[0]}" '
                       f'{data}>{escape(mine[-1]["shown"])}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    n = ds.sizes.get("subject", 1)
    note = (f"Means over {n:,} people. " if n > 1 else "") + _interval_note(ds, cells)
    if any(c["column"] == "fall_risk" for c in cells):
        note += (" Fall risk: the exact probability of a fall, 1 - exp(-H) with H the fall "
                 "hazard of the session as commanded, not a count of sampled falls"
                 + ("; its interval is over the plausible versions of the person, as the "
                    "others'." if "fall_risk_low" in ds else "."))
    return (f'<table class="table table-sm" id="comparison-table"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table><p class="small">{note}</p>')


def table_csv(ds: xr.Dataset) -> str:
    """The comparison table as CSV: one row per arm and shown value, at full precision
    (``arm,column,header,unit,value,low,high``; low and high blank without an interval)."""
    headers = {part: (header, unit) for name, header, unit, _ in COLUMNS
               for part in (name if isinstance(name, tuple) else (name,))}
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["arm", "column", "header", "unit", "value", "low", "high"])
    for c in table_cells(ds):
        header, unit = headers[c["column"]]
        out.writerow([c["arm"], c["column"], header, unit, repr(c["value"]),
                      "" if c["low"] is None else repr(c["low"]),
                      "" if c["high"] is None else repr(c["high"])])
    return buf.getvalue()


def _interval_note(ds: xr.Dataset, cells: list[dict[str, Any]]) -> str:
    """What the brackets hold: each kind of interval and the columns that have it."""
    kinds: dict[str, list[str]] = {}
    for column in dict.fromkeys(c["column"] for c in cells if c["low"] is not None):
        source = {"falls_per_1000": "fall_probability"}.get(column, column)
        attrs = ds[f"{source}_low"].attrs if f"{source}_low" in ds else \
            {"interval": intervals.INTERVAL}
        kind = attrs.get("interval") or attrs.get("long_name", "").rpartition("bound of the ")[2]
        kinds.setdefault(kind or "interval", []).append(column)
    if not kinds:
        return ""
    headers = {part: header for name, header, _, _ in COLUMNS
               for part in (name if isinstance(name, tuple) else (name,))}
    text = "In brackets: " + "; ".join(
        f"the {k} ({', '.join(dict.fromkeys(headers[c] for c in v))})" for k, v in kinds.items())
    how = ds.attrs.get("uncertainty")
    return text + (f". Uncertainty: {how}." if how else ".")


def warnings_list(outcome: Outcome) -> list[str]:
    """Guidance flags, warnings raised while running, and per-arm counts of alarms."""
    ds = outcome.ds
    items = [line for key in ("guidance", "energy_outside")
             for line in str(ds.attrs.get(key, "")).splitlines() if line]
    items += outcome.notes
    if "event_kind" in ds:
        kinds = ds.event_kind.values.astype(str)
        arms = ds.event_arm.values.astype(str)
        who = ds.event_subject.values
        for arm in (str(a) for a in ds.arm.values):
            for kind, meaning in html.ALARMS.items():
                people = np.unique(who[(kinds == kind) & (arms == arm) & (who >= 0)]).size
                if people:
                    items.append(f"{arm}: {people:,} of {outcome.subjects:,} {meaning}")
    return items


_PANELS = {panel.key: panel for panel in plots.PANELS}
#: The page's figures with a time axis (traces with bands): pointing shows their values.
TRACE_FIGURES = tuple(_PANELS)
#: The page's figures, in order: the report's panels of traces with bands, then falls and
#: readings.
FIGURES = (*TRACE_FIGURES, "falls", "readings")


def page_label(label: str, speed_unit: str) -> str:
    """An axis label in the units the form and the table speak: speed in the scenario's unit,
    heart rate in bpm, oxygen uptake in mL/kg/min.

    >>> page_label("heart rate [min-1]", "mph"), page_label("belt speed [m s-1]", "km/h")
    ('heart rate [bpm]', 'belt speed [km/h]')
    """
    units = {"m s-1": speed_unit, "min-1": "bpm", "mL kg-1 min-1": "mL/kg/min"}
    return re.sub(r"\[([^\]]+)\]", lambda m: f"[{units.get(m[1], m[1])}]", label)


def figure(outcome: Outcome, key: str) -> Figure | None:
    """One of the page's figures (``FIGURES``), or None when the result lacks its variables."""
    ds, b = outcome.ds, outcome.bands
    if key in _PANELS:
        panel = _PANELS[key]
        unit = str(ds.attrs.get("speed_units", "mph"))       # the units the form speaks
        present = [(panel.line_name(n),
                    tables.to_speed_units(b[n].values, unit) if n == "speed" else b[n].values,
                    s) for n, s in panel.styled() if n in b]
        if not present:
            return None
        first = next(n for n in panel.names if n in b)
        ylabel = page_label(panel.ylabel(ds) + (", backward < 0" if first == "speed" else ""),
                            unit)                                                # signed
        return plots.traces(b[first].time, present, [str(a) for a in ds.arm.values],
                            {"long_name": "time since the start", "units": "s"}, ylabel,
                            ds.sizes.get("subject", 1) > 1)
    if key == "falls":
        return plots.falls(ds) if "falls_per_1000" in ds else None
    if key == "readings" and "bp_reading_sbp" in ds and ds.sizes.get("reading", 0):
        table = api.readings(ds)
        return plots.readings(ds, table) if len(table) else None
    return None


def values_at(outcome: Outcome, key: str, x: float) -> tuple[float, list[dict[str, Any]]]:
    """The values a trace figure (``key`` of :data:`TRACE_FIGURES`) draws at the plotted time
    ``x`` (minutes, or hours for a long session: :func:`retrosim.report.plots.time_scale`),
    as the figure shows them (speed in the scenario's unit): the nearest trace time [s] and,
    per arm and variable, the median and the 25-75 % and 5-95 % bands.

    The figures are images (matplotlib, as in the report); the page reads the time under
    the pointer from Shiny's hover coordinates and shows these values in a table."""
    b = outcome.bands
    names = [n for n in _PANELS[key].names if n in b]
    if not names:
        return float("nan"), []
    time = b[names[0]].time
    scale, _unit = plots.time_scale(float(np.nanmax(time)) if time.size else 0.0)
    i = int(np.argmin(np.abs(time - x * scale)))
    unit = str(outcome.ds.attrs.get("speed_units", "mph"))
    rows = []
    for a, arm in enumerate(str(v) for v in outcome.ds.arm.values):
        for name in names:
            q = b[name].values[a, :, i]
            if name == "speed":
                q = tables.to_speed_units(q, unit)
            rows.append({"arm": arm, "name": name, "p5": float(q[0]), "p25": float(q[1]),
                         "median": float(q[2]), "p75": float(q[3]), "p95": float(q[4])})
    return float(time[i]), rows


def figures(outcome: Outcome) -> dict[str, Figure]:
    """All the page's figures that the result has, by name."""
    drawn = {key: figure(outcome, key) for key in FIGURES}
    return {key: fig for key, fig in drawn.items() if fig is not None}


def report_html(outcome: Outcome) -> str:
    """The HTML report of this run (``retrosim report``'s page, from the same result)."""
    data = document.ReportData(outcome.ds, outcome.bands, outcome.source, outcome.notes,
                               outcome.band_subjects)
    return html.render(data)


def netcdf_bytes(ds: xr.Dataset) -> bytes:
    """The result as a NetCDF file's bytes (what ``retrosim run -o`` writes)."""
    fd, tmp = tempfile.mkstemp(suffix=".nc")
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        with open(tmp, "rb") as f:
            return f.read()
    finally:
        os.unlink(tmp)


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes (the benchmark and tests render with it)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=plots.DPI)
    return buf.getvalue()
