"""The report of a programme: state over weeks with bands, session outcomes over the programme.

:func:`page` returns the whole self-contained HTML page of a programme scenario (or of a saved
programme result), or None when the source is not a programme, so ``retrosim report`` falls
back to the session report. Figures are built without pyplot and inlined as PNG
(:func:`retrosim.report.plots.png_base64`); their labels come from the Dataset's CF attributes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from retrosim.api import run
from retrosim.errors import RetrosimWarning
from retrosim.model.scenario import load_scenario
from retrosim.report import html
from retrosim.report.data import ReportData
from retrosim.report.plots import WIDTH_IN, plain, png_base64
from retrosim.results import io
from retrosim.results import programme as results
from retrosim.results.dataset import VARIABLES as SESSION_VARIABLES

#: Daily state panels, in page order.
STATE = results.VARIABLES.select("state")
#: Session outcomes plotted over the programme.
OUTCOMES = SESSION_VARIABLES.select("programme-plot")


def _bands(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 5-95 % over the subject axis of ``values`` (N, T), ignoring NaN."""
    v = np.asarray(values, dtype=float)
    if not np.isfinite(v).any():
        nan = np.full(v.shape[1], np.nan)
        return nan, nan, nan
    with np.errstate(all="ignore"):
        lo, mid, hi = np.nanpercentile(v, [5, 50, 95], axis=0)
    return mid, lo, hi


def _state_bands(ds: xr.Dataset, name: str, arm: str) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """The line and band of daily state ``name`` of ``arm``: one person's state and its 90 %
    prediction interval (``<name>_low``, ``_high``) where the result holds one, else the
    median and 5-95 % over the people (:func:`_bands`)."""
    if ds.sizes["subject"] == 1 and f"{name}_low" in ds:
        mid, lo, hi = (np.asarray(ds[f"{name}{end}"].sel(arm=arm).values, dtype=float).ravel()
                       for end in ("", "_low", "_high"))
        return mid, lo, hi
    return _bands(ds[name].sel(arm=arm).values)


def state_figure(ds: xr.Dataset) -> Figure:
    """The daily state of every arm over weeks: median line, 5-95 % band (one person: her
    state, its 90 % prediction interval as the band)."""
    names = [n for n in STATE if n in ds]
    rows = (len(names) + 1) // 2
    fig = Figure(figsize=(WIDTH_IN, 2.4 * rows))
    weeks = ds.day.values / 7.0
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, 2, k + 1)
        for i, arm in enumerate(ds.arm.values):
            mid, lo, hi = _state_bands(ds, name, arm)
            ax.plot(weeks, mid, color=f"C{i}", label=plain(arm))
            ax.fill_between(weeks, lo, hi, color=f"C{i}", alpha=0.2, linewidth=0)
        _labels(ax, ds[name].attrs)
    fig.axes[0].legend(fontsize=7)
    return fig


def _labels(ax: object, attrs: dict) -> None:
    """The long name as the panel's title, the units on the axis, weeks along the bottom."""
    ax.set_title(plain(attrs.get("long_name", "")), fontsize=8)                # type: ignore[attr-defined]
    units = attrs.get("units", "")
    ax.set_ylabel(plain(units) if units not in ("", "1") else "", fontsize=8)  # type: ignore[attr-defined]
    ax.set_xlabel("week", fontsize=8)                                   # type: ignore[attr-defined]
    ax.tick_params(labelsize=7)                                         # type: ignore[attr-defined]


def sessions_figure(ds: xr.Dataset) -> Figure:
    """Session outcomes over the programme (attended sessions only), and falls per session."""
    names = [n for n in OUTCOMES if n in ds]
    fig = Figure(figsize=(WIDTH_IN, 2.4 * ((len(names) + 2) // 2)))
    for k, name in enumerate([*names, "fell"]):
        ax = fig.add_subplot((len(names) + 2) // 2, 2, k + 1)
        for i, arm in enumerate(ds.arm.values):
            a = ds.sel(arm=arm)
            day = a.session_day.values[0] / 7.0
            if name == "fell":
                held = np.maximum(a.attended.values.sum(axis=0), 1)
                share = 100.0 * a.fell.values.sum(axis=0) / held if "fell" in a \
                    else np.zeros(day.size)
                ax.plot(day, share, "o-", color=f"C{i}", markersize=3, label=plain(arm))
            else:
                mid, lo, hi = _bands(a[name].values)
                ax.plot(day, mid, "o-", color=f"C{i}", markersize=3, label=plain(arm))
                ax.fill_between(day, lo, hi, color=f"C{i}", alpha=0.2, linewidth=0)
        _labels(ax, {"long_name": "falls per 100 sessions"} if name == "fell"
                else dict(ds[name].attrs))
    fig.axes[0].legend(fontsize=7)
    return fig


#: The sections a programme's page shares with a session's report, built by the same code
#: (:data:`retrosim.report.html.SECTIONS`): who was simulated, the warnings, the models with
#: their caveats, and the assumptions and known limits.
SHARED = ("who", "warnings", "models", "assumptions")


def _how_sure(ds: xr.Dataset) -> str:
    """What the fall risk over the programme and its interval are, in words."""
    said = str(ds.attrs.get("uncertainty", ""))
    if not said:
        return ""
    return (f'<p class="note" id="programme-how-sure">How sure: {escape(said)}. The fall risk '
            "is exact, 1 - prod(1 - p) over the sessions, p each session's 1 - exp(-H); "
            "simulated falls are one draw and are counted, not read as a risk.</p>")


def render(ds: xr.Dataset, source: str, notes: Sequence[str] = ()) -> str:
    """The programme report as one HTML document; ``notes`` are the warnings raised while it
    ran."""
    data = ReportData(ds, {}, source, list(notes))
    shared = {s.anchor: html.section(s.anchor, s.title, body)
              for s, body in html.shared_sections(data, SHARED)}
    name = str(ds.attrs.get("scenario", "programme"))
    n = ds.sizes["subject"]
    refs = "".join(f"<li>{escape(r)}</li>" for r in str(ds.attrs.get("references", ""))
                   .splitlines() if r)
    events = ds.event_kind.values
    counts = ", ".join(f"{int((events == k).sum())} {k}" for k in ("fall", "pause", "stop")
                       if (events == k).any()) or "no falls"
    body = [
        f"<h1>{escape(name)}</h1><p>{escape(str(ds.attrs.get('description', '')))}</p>",
        f'<p class="meta">{escape(str(ds.attrs.get("programme", "")))} &middot; seed '
        f"{escape(str(ds.attrs.get('seed', '?')))} &middot; {n:,} "
        f"{'person' if n == 1 else 'people'} &middot; from {escape(source)}</p>",
        shared.get("who", ""),
        '<section id="programme"><h2>Start, middle and end</h2><pre>'
        f"{escape(results.summary_table(ds))}</pre><p>Programme events: {escape(counts)}."
        f"</p>{_how_sure(ds)}</section>",
        '<section id="programme-state"><h2>State over the weeks</h2><p>Each morning, before '
        "any session: median and 5-95 % of the people; one person: her state and its 90 % "
        "prediction interval over her plausible versions, where the result holds one.</p>"
        f'<img alt="state over weeks" src="data:image/png;base64,'
        f'{png_base64(state_figure(ds))}"></section>',
        '<section id="programme-sessions"><h2>Session outcomes over the programme</h2>'
        f'<img alt="session outcomes" src="data:image/png;base64,'
        f'{png_base64(sessions_figure(ds))}"></section>',
        shared.get("warnings", ""),
        '<section id="programme-models"><h2>What carries over between sessions</h2><p>'
        "Backward practice (familiarisation), VO2max and resting heart rate, resting pressure "
        "and the Berg score, each a cited model with its time constants "
        "(docs/programmes.md); between sessions each relaxes in closed form.</p></section>",
        shared.get("models", ""), shared.get("assumptions", ""),
        f'<section id="references"><h2>References</h2><ul>{refs}</ul></section>',
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>retrosim report: {escape(name)}</title><style>body{{font-family:"
            "sans-serif;max-width:52em;margin:auto}pre{font-size:80%}img{max-width:100%}"
            "</style></head><body>" + "".join(body)
            + "<footer>A simulation, not a clinical measurement.</footer></body></html>\n")


def page(source: str | Path, *, seed: int | None = None, subjects: int | None = None,
         allow_import: tuple[str, ...] = ()) -> str | None:
    """The report page of a programme scenario or a saved programme result, else None."""
    text = str(source)
    if Path(text).suffix == ".zarr":
        return None
    if Path(text).suffix == ".nc":
        if not Path(text).is_file():
            return None
        ds = io.open_result(text)           # its header checked before anything is loaded
        return render(ds, text) if results.is_programme(ds) else None

    scenario = load_scenario(text, allow_import=allow_import)
    if scenario.program is None:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RetrosimWarning)
        ds = run(scenario, seed=seed, subjects=subjects, traces=False)
    notes = [f"{w.category.__name__}: {w.message}" for w in caught
             if issubclass(w.category, RetrosimWarning)]
    return render(ds, text, notes)
