"""The HTML report: a scenario (run here) or a saved result, as one self-contained page.

``retrosim report SCENARIO_OR_RESULT -o report.html`` writes a single file that needs nothing
else: the figures are PNG images inlined as base64 ``data:`` URIs, the style sheet is inline,
and there is no script and no link to the network. The page holds the per-arm summary table,
speed, oxygen uptake, heart rate and blood pressure over time per arm (the median and the
25-75 % and 5-95 % bands of a cohort), energy by arm, falls per 1,000 sessions with their
95 % intervals, the blood-pressure readings with their ACC/AHA categories and the 30-minute
line, warnings, the references the run used, and the seed and version. A section whose
variables a result lacks (no falls, no blood pressure) is left out.

Traces come from the closed-form trajectory at chosen times (uniform, plus the protocol's
knots and the minutes after them, where the kinetics move), a block of times at a time, so a
cohort of 100,000 needs no (subject x time) array in memory. A saved result's traces are
used as they are.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from retrosim import api
from retrosim.errors import InputError, RetrosimError, RetrosimWarning, check_number
from retrosim.model.scenario import check_run_arguments, load_scenario
from retrosim.report import controller, design, programme
from retrosim.report.data import Band, ReportData
from retrosim.report.html import render
from retrosim.results import io
from retrosim.scale import IN_PROCESS, check_installed
from retrosim.scale.bands import QUANTILES as SWEEP_QUANTILES

#: Percentiles of the bands over subjects (5, 25, 50, 75 and 95 %): those of a sweep's bands.
QUANTILES = np.asarray(SWEEP_QUANTILES)
#: Traces shown over time; ``speed`` is the belt's speed (>= 0; the direction is a label).
TRACES = io.VARIABLES.select("plot")
#: Uniform plotted times per session, and extra times after each knot [s].
POINTS = 360
AFTER_KNOT_S = (5.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0)
#: Subject x time values sampled at once (bounds memory for large cohorts).
BLOCK = 2_000_000
#: Most plotted times taken from a saved result's traces.
MAX_SAVED_POINTS = 3000


def subject_quantiles(values: np.ndarray, q: np.ndarray = QUANTILES) -> np.ndarray:
    """Percentiles over the subject axis of ``values`` (M, N), ignoring NaN: (Q, M).

    Linear interpolation between order statistics (numpy's default method); NaN where a
    time has no value (the arm has ended).

    >>> subject_quantiles(np.array([[1.0, 2.0, 3.0, np.nan], [np.nan] * 4]), np.array([0.5]))
    array([[ 2., nan]])
    """
    v = np.sort(np.asarray(values, dtype=float), axis=1)            # NaN sort last
    n = np.isfinite(v).sum(axis=1)                                  # (M,)
    last = np.maximum(n - 1, 0)
    pos = np.asarray(q, dtype=float)[:, None] * last[None, :]       # (Q, M)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, last[None, :])
    a = np.take_along_axis(v, lo.T, axis=1).T
    b = np.take_along_axis(v, hi.T, axis=1).T
    out = a + (b - a) * (pos - lo)
    return np.where(n[None, :] > 0, out, np.nan)


def report_times(duration_s: float, knots: np.ndarray, step_s: float | None = None
                 ) -> np.ndarray:
    """Plotted times [s]: a uniform grid (``POINTS`` over the session, or every ``step_s``),
    every knot, and the minutes after each knot where the kinetics move.

    >>> report_times(600.0, np.array([0.0, 300.0, 600.0]), step_s=300.0).tolist()[:6]
    [0.0, 5.0, 15.0, 30.0, 60.0, 120.0]
    """
    step = step_s or duration_s / POINTS
    grid = api.trace_times(duration_s, step) if duration_s > 0 else np.zeros(1)
    knots = np.unique(np.asarray(knots, dtype=float))
    extra = (knots[:, None] + np.asarray(AFTER_KNOT_S)[None, :]).ravel()
    t = np.unique(np.concatenate([grid, knots, extra, [duration_s]]))
    return t[(t >= 0.0) & (t <= duration_s)]


def _session_band(session: Any, times: np.ndarray) -> dict[str, np.ndarray]:
    """(Q, M) percentiles of each trace of one session, sampled a block of times at a time."""
    n = session.size
    out: dict[str, np.ndarray] = {}
    step = max(1, BLOCK // max(n, 1))
    for start in range(0, times.size, step):
        t = times[start:start + step]
        traced = session.trajectory.sample(t)
        traced.update({k: f(t) for k, f in session.traces.items() if k in TRACES})
        for name in TRACES:
            if name in traced:
                block = subject_quantiles(np.broadcast_to(traced[name], (t.size, n)))
                out.setdefault(name, np.empty((QUANTILES.size, times.size)))[
                    :, start:start + t.size] = block
    return out


def run_scenario(source: str, *, seed: int | None = None, subjects: int | None = None,
                 step_s: float | None = None, allow_import: tuple[str, ...] = ()
                 ) -> ReportData:
    """Run a scenario (a name or a file) for the report: summaries, events and bands."""
    scenario = load_scenario(source, allow_import=allow_import)
    seed, subjects, _ = check_run_arguments(scenario, seed, subjects, None)
    if step_s is not None:
        step_s = check_number("--step", step_s, 0.01, 3600, "s")
    sim = api.Simulation(scenario, seed=seed, subjects=subjects)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RetrosimWarning)
        sessions = list(sim.sessions())
    ds = sim.assemble(sessions)          # summaries, and how sure, as retrosim.run says
    controlled = controller.describe(scenario, sessions, ds)
    duration = max(s.timeline.duration_s for s in sessions)
    knots = np.concatenate([s.timeline.t[:, 0] for s in sessions])
    times = report_times(duration, knots, step_s)
    sample = None
    traced = sim.sample()                 # a larger cohort's bands: its trace sample, the page's
    if traced.subjects < subjects:        # the same first people, bit-identical in any batch
        sample = traced.subjects
        sessions = list(traced.sessions())
    per_arm = [_session_band(s, times) for s in sessions]
    bands = {name: Band(times, np.stack([b[name] for b in per_arm]))
             for name in TRACES if all(name in b for b in per_arm)}
    notes = [f"{w.category.__name__}: {w.message}" for w in caught
             if issubclass(w.category, RetrosimWarning)]
    return ReportData(ds, bands, source, notes, sample, controlled)


def open_result(path: str | Path) -> ReportData:
    """A result saved by ``retrosim run -o OUT.nc``; bands from its traces."""
    path = Path(path)
    ds = io.open_result(path)        # its header checked (schema, sizes) before it is loaded
    bands = {}
    if "time" in ds.dims:
        stride = max(1, int(np.ceil(ds.sizes["time"] / MAX_SAVED_POINTS)))
        sub = ds.isel(time=slice(None, None, stride))
        for name in TRACES:
            if name not in ds:
                continue
            people = "sample" if "sample" in sub[name].dims else "subject"
            values = sub[name].transpose("arm", "time", people).values.astype(float)
            bands[name] = Band(sub.time.values.astype(float),
                               np.stack([subject_quantiles(v) for v in values]))
    sample = int(ds.sizes["sample"]) if "sample" in ds.dims and bands else None
    return ReportData(ds, bands, str(path), band_subjects=sample)


def open_sweep(path: str | Path) -> ReportData:
    """A sweep's Zarr store (``retrosim sweep -o OUT.zarr``): every person's summaries, the
    per-arm fall statistics, and the store's percentile bands over time."""
    check_installed(IN_PROCESS)                           # reading a store needs Zarr alone
    from retrosim.scale import store  # imports Zarr, an extra: not before it is checked

    try:
        opened = store.open_store(path)
    except RetrosimError:
        raise
    except (OSError, ValueError, KeyError) as err:
        raise InputError("SCENARIO_OR_RESULT", f"{str(path)!r} is not a readable sweep store "
                         f"({type(err).__name__})", "a store written by 'retrosim sweep'"
                         ) from None
    keep = [n for n, v in opened.data_vars.items() if v.dims in (("arm", "subject"), ("arm",))]
    lacking = [n for n in ("energy_total",) if n not in keep]
    if lacking or "subject" not in opened.dims:
        raise InputError("SCENARIO_OR_RESULT", f"{str(path)!r} is not a complete sweep store "
                         f"(it lacks the summary {(lacking or ['subject'])[0]!r} on (arm, "
                         "subject))", "a store written by 'retrosim sweep'")
    ds = opened[keep].load()
    ds = ds.drop_dims([d for d in ds.dims if d not in ("arm", "subject")])
    summaries = {str(n): ds[n].values for n in keep if ds[n].dims == ("arm", "subject")}
    for name, values in api.arm_statistics(summaries).items():       # falls per 1,000, ...
        ds[name] = ("arm", values)
    bands = {}
    for name in TRACES:
        if f"band_{name}" in opened and "band_time" in opened.coords:
            values = opened[f"band_{name}"].transpose("arm", "quantile", "band_time").values
            bands[name] = Band(opened.band_time.values.astype(float), values.astype(float))
    notes = [f"Read from the sweep store {path}: bands are the store's percentiles every "
             f"{opened.attrs.get('band_step_s', '?')} s."]
    return ReportData(ds, bands, str(path), notes)


def load(source: str | Path, *, seed: int | None = None, subjects: int | None = None,
         step_s: float | None = None, allow_import: tuple[str, ...] = ()) -> ReportData:
    """A saved result (``*.nc``) or a scenario (a bundled name or a TOML file), run here."""
    text = str(source)
    if Path(text).suffix == ".zarr":
        for flag, value in (("--seed", seed), ("--subjects", subjects), ("--step", step_s)):
            if value is not None:
                raise InputError(flag, "applies to a scenario, not to a sweep's store",
                                 "a scenario name or file (the store keeps its own)")
        return open_sweep(text)
    if Path(text).suffix == ".nc":
        for flag, value in (("--seed", seed), ("--subjects", subjects), ("--step", step_s)):
            if value is not None:
                raise InputError(flag, "applies to a scenario, not to a saved result",
                                 "a scenario name or file (the result keeps its own)")
        if not Path(text).is_file():
            raise InputError("SCENARIO_OR_RESULT", f"{text!r} does not exist",
                             "a scenario name, a scenario file (.toml) or a result (.nc)")
        return open_result(text)
    return run_scenario(text, seed=seed, subjects=subjects, step_s=step_s,
                        allow_import=allow_import)


def check_output_path(path: str | Path) -> Path:
    """``path`` if the report can be written there, else InputError (before any run)."""
    return io.check_output_path(path, (".html", ".htm"), "an HTML file name *.html")


def write_html(text: str, path: str | Path) -> Path:
    """Write ``text`` atomically: a temporary file beside ``path``, then a rename."""
    return io.write_atomic(check_output_path(path),
                           lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_report(source: str | Path, output: str | Path, *, seed: int | None = None,
                 subjects: int | None = None, step_s: float | None = None,
                 allow_import: tuple[str, ...] = ()) -> Path:
    """Run (or open) ``source`` and write its report to ``output`` (``*.html``)."""
    check_output_path(output)
    page = design.page(source)
    if page is not None:
        for flag, value in (("--seed", seed), ("--subjects", subjects), ("--step", step_s)):
            if value is not None:
                raise InputError(flag, "applies to a scenario, not to a design's front",
                                 "a scenario name or file (the front keeps its own)")
        return write_html(page, output)
    if Path(str(source)).is_dir() and Path(str(source)).suffix != ".zarr":
        raise InputError("SCENARIO_OR_RESULT", f"{str(source)!r} is a folder without a "
                         f"design's {design.FRONT}", "a scenario name, a scenario file (.toml), "
                         "a result (.nc), a sweep's store (.zarr) or a folder written by "
                         f"'retrosim design -o' (holding {design.FRONT})")
    page = programme.page(source, seed=seed, subjects=subjects, allow_import=allow_import)
    if page is not None:
        return write_html(page, output)
    data = load(source, seed=seed, subjects=subjects, step_s=step_s, allow_import=allow_import)
    try:
        page = render(data)
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as err:
        # a saved file whose values are not what the page shows (a crafted or damaged file)
        suffix = Path(str(source)).suffix
        if suffix not in (".nc", ".zarr"):
            raise
        allowed = "a NetCDF file written by 'retrosim run -o'" if suffix == ".nc" else \
            "a store written by 'retrosim sweep'"
        first = (str(err).splitlines() or [""])[0][:120]
        raise InputError("SCENARIO_OR_RESULT", f"{str(source)!r} is not a complete retrosim "
                         f"result ({type(err).__name__}: {first})", allowed) from None
    return write_html(page, output)
