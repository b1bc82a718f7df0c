"""Figures of a result for the HTML report, labelled from the Dataset's CF attributes.

Every function takes plain arrays or a result Dataset and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global state, no window), which
:func:`png_base64` turns into the text of an inline image. Axis labels come from each
variable's ``long_name`` and ``units``; times are shown in minutes or, for long sessions,
hours.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from retrosim.physiology import pressure
from retrosim.results.dataset import VARIABLES

#: Colours of the ACC/AHA 2017 categories (normal ... crisis).
CATEGORY_COLOURS = ("#2ca02c", "#bcbd22", "#ff7f0e", "#d62728", "#7b0000")
#: Width of the figures [inch] and resolution of the images [dots per inch].
WIDTH_IN, DPI = 8.0, 96


def plain(text: object) -> str:
    """``text`` as matplotlib shows it literally: every ``$`` escaped, so that a string from a
    file (a long name, a unit, an arm's name) is never read as mathtext.

    >>> print(plain("cost in $ per $x^2$"))
    cost in \\$ per \\$x^2\\$
    """
    return str(text).replace("$", r"\$")


def label(attrs: Mapping[str, str], unit: str | None = None) -> str:
    """An axis label from CF attributes: ``long_name [units]`` (``$`` escaped, :func:`plain`).

    >>> label({"long_name": "oxygen uptake", "units": "mL kg-1 min-1"})
    'oxygen uptake [mL kg-1 min-1]'
    >>> label({"long_name": "time since the start", "units": "s"}, unit="min")
    'time since the start [min]'
    """
    name = plain(attrs.get("long_name", ""))
    units = plain(unit or attrs.get("units", ""))
    return f"{name} [{units}]" if units and units != "1" else name


def attrs_of(ds: xr.Dataset, name: str) -> dict[str, str]:
    """A variable's CF attributes: the result's (a saved file's own), else its declaration's."""
    return dict(ds[name].attrs) if name in ds else VARIABLES[name].attrs


@dataclass(frozen=True)
class Panel:
    """One figure of traces over time, drawn alike on the page and in the report.

    key : its name (the page's figure ``plot_<key>``).
    names : the variables it draws, each declared with the tag ``plot``: the first as a solid
        line, the next dashed.
    title : what a panel joining several variables shows ("": the variable's ``long_name``);
        the units are the first variable's.
    """

    key: str
    names: tuple[str, ...]
    title: str = ""

    def styled(self) -> tuple[tuple[str, str], ...]:
        """(variable, line style) of each line."""
        return tuple(zip(self.names, ("-", "--", ":", "-."), strict=False))

    def line_name(self, name: str) -> str:
        """A line's name in the legend: a joined panel's lines in capitals (SBP, DBP)."""
        return name.upper() if len(self.names) > 1 else name

    def ylabel(self, ds: xr.Dataset, unit: str | None = None) -> str:
        """The value axis's label, from the declarations (or a saved result's attributes):
        ``long_name [units]``, or the title and the first variable's units.

        >>> PANELS[-1].ylabel(xr.Dataset()), PANELS[1].ylabel(xr.Dataset())
        ('blood pressure [mmHg]', 'oxygen uptake [mL kg-1 min-1]')
        """
        attrs = attrs_of(ds, self.names[0])
        return label({**attrs, "long_name": self.title or attrs.get("long_name", "")}, unit)


#: Panels that draw several variables on one axes, with what they show together; every other
#: variable declared with the tag ``plot`` has a panel of its own, named after it.
JOINED = (Panel("bp", ("sbp", "dbp"), "blood pressure"),)


def panels(plotted: Sequence[str], joined: Sequence[Panel] = JOINED) -> tuple[Panel, ...]:
    """The panels of the variables ``plotted``, in their order (a joined panel at the place of
    its first variable).

    >>> [p.key for p in panels(("speed", "sbp", "hr", "dbp"))]
    ['speed', 'bp', 'hr']
    """
    owner = {name: panel for panel in joined for name in panel.names}
    out: dict[str, Panel] = {}
    for name in plotted:
        panel = owner.get(name, Panel(name, (name,)))
        out.setdefault(panel.key, panel)
    return tuple(out.values())


#: The traces drawn over time, one figure each, in order: the page and the report draw these.
PANELS = panels(VARIABLES.select("plot"))


def time_scale(duration_s: float) -> tuple[float, str]:
    """Seconds per plotted unit and the unit: minutes, or hours beyond three hours.

    >>> time_scale(600.0), time_scale(86_400.0)
    ((60.0, 'min'), (3600.0, 'h'))
    """
    return (3600.0, "h") if duration_s > 3 * 3600.0 else (60.0, "min")


def png_base64(fig: Figure) -> str:
    """The figure as a base64-encoded PNG (the text of a ``data:image/png`` URI)."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _colour(i: int) -> str:
    return f"C{i % 10}"


def traces(time_s: np.ndarray, bands: Sequence[tuple[str, np.ndarray, str]],
           arms: Sequence[str], time_attrs: Mapping[str, str], value_label: str,
           cohort: bool) -> Figure:
    """One variable (or a pair, such as SBP and DBP) over time, by arm.

    One subject: every arm's line on one axes. A cohort: one panel per arm (shared axes),
    each with the median and the 25-75 % and 5-95 % bands over subjects.

    Parameters
    ----------
    time_s : (M,) times [s].
    bands : (name, values, line style) for each variable shown; values (arm, 5, M) are the
        5, 25, 50, 75 and 95th percentiles over subjects.
    arms : arm names. time_attrs : CF attributes of the time axis.
    value_label : y label (text from a file in it escaped by the caller, :func:`plain`).
    cohort : draw bands (else the median only, which is the subject's value).
    """
    scale, unit = time_scale(float(np.nanmax(time_s)) if time_s.size else 0.0)
    t = np.asarray(time_s) / scale
    panels = len(arms) if cohort else 1
    cols = 1 if panels == 1 else 2
    rows = -(-panels // cols)
    fig = Figure(figsize=(WIDTH_IN, 0.6 + (2.6 if rows == 1 else 1.9) * rows))
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
    labelled: set[str] = set()                 # a band is named once, where it is drawn
    for i, arm in enumerate(arms):
        ax = axes[i if cohort else 0]
        colour = _colour(0 if cohort else i)
        for j, (name, values, style) in enumerate(bands):
            q = values[i]
            what = f" {name}" if len(bands) > 1 else ""
            ax.plot(t, q[2], style, color=colour if not cohort else f"C{j}", lw=1.4,
                    label=("median" + what) if cohort and i == 0
                    else None if cohort else f"{plain(arm)}{what}")
            for low, high, alpha, share in ((1, 3, 0.3, "25-75 %"), (0, 4, 0.12, "5-95 %")):
                if not cohort or not np.any(q[high] > q[low]):
                    continue                    # everyone alike: no band to draw or name
                band = f"{share}{what}"
                ax.fill_between(t, q[low], q[high], color=f"C{j}", alpha=alpha, lw=0,
                                label=None if band in labelled else band)
                labelled.add(band)
        if cohort:
            ax.set_title(plain(arm), fontsize=9)
    for ax in axes[panels:]:
        ax.set_visible(False)
    for ax in axes[:panels]:
        ax.grid(alpha=0.3)
    for i, ax in enumerate(axes[:panels]):
        if i + cols >= panels:                  # nothing below it: label the time axis
            ax.tick_params(labelbottom=True)
            ax.set_xlabel(label(time_attrs, unit), fontsize=8)
        if i % cols == 0:
            ax.set_ylabel(value_label, fontsize=8)
    handles, names = [], []                     # every panel's named lines and bands
    for ax in axes[:panels]:
        h, n = ax.get_legend_handles_labels()
        handles += h
        names += n
    axes[0].legend(handles, names, fontsize=7,
                   ncol=2 if len(bands) * (1 if cohort else len(arms)) > 4 else 1)

    return fig


def energy(ds: xr.Dataset) -> Figure:
    """Energy of each arm while walking (``energy_exercise``; rest stages left out), else of
    the session: the mean (bars), with the median and the 5-95 % range over a cohort."""
    name = "energy_exercise" if "energy_exercise" in ds else "energy_total"
    kcal = ds[name].values.astype(float)                              # (arm, subject)
    arms = [str(a) for a in ds.arm.values]
    fig = Figure(figsize=(WIDTH_IN, 0.5 + 0.45 * len(arms)))
    ax = fig.add_subplot()
    y = np.arange(len(arms))
    mean = np.nanmean(kcal, axis=1)
    ax.barh(y, mean, color=[_colour(i) for i in range(len(arms))], alpha=0.8)
    if kcal.shape[1] > 1:
        low, median, high = np.nanpercentile(kcal, [5, 50, 95], axis=1)
        ax.errorbar(median, y, xerr=[median - low, high - median], fmt="|k", ecolor="k",
                    capsize=3)
        ax.set_title(f"bars: mean of {kcal.shape[1]:,} subjects; whiskers: median and 5-95 %",
                     fontsize=8)
    for yi, m in zip(y, mean, strict=True):
        ax.annotate(f" {m:.1f}", (m, yi), va="center", fontsize=8)
    ax.set_yticks(y, [plain(a) for a in arms])
    ax.invert_yaxis()
    ax.set(xlabel=label(ds[name].attrs) + (" (mean)" if kcal.shape[1] > 1 else ""))
    ax.grid(axis="x", alpha=0.3)
    return fig


def falls(ds: xr.Dataset) -> Figure:
    """Fall risk per session by arm, in %: the exact risk (``fall_risk``, mean over people)
    where the result has it, with the share of sampled sessions that ended in a fall and its
    95 % Wilson interval."""
    arms = [str(a) for a in ds.arm.values]
    share = 100.0 * ds.fall_probability.values.astype(float)
    low = 100.0 * ds.fall_probability_low.values.astype(float)
    high = 100.0 * ds.fall_probability_high.values.astype(float)
    fig = Figure(figsize=(WIDTH_IN, 0.7 + 0.45 * len(arms)))
    ax = fig.add_subplot()
    y = np.arange(len(arms))
    n = ds.sizes["subject"]
    if "fall_risk" in ds:
        risk = 100.0 * ds.fall_risk.mean("subject").values.astype(float)
        ax.barh(y, risk, color=[_colour(i) for i in range(len(arms))], alpha=0.8,
                label="exact risk, 1 - exp(-H)")
        for yi, r in zip(y, risk, strict=True):
            ax.annotate(f" {r:.2g} %", (r, yi), va="center", fontsize=8)
    if n > 1:
        ax.errorbar(share, y, xerr=[np.maximum(share - low, 0.0), np.maximum(high - share, 0.0)],
                    fmt="o", color="k", ecolor="0.4", capsize=4,
                    label=f"share of {n:,} sampled sessions, 95 % interval")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_yticks(y, [plain(a) for a in arms])
    ax.invert_yaxis()
    ax.set(xlabel="fall risk per session [%]", xlim=(0, None))
    ax.grid(axis="x", alpha=0.3)
    return fig


def readings(ds: xr.Dataset, table, limit: int = 2000) -> Figure:
    """Seated readings after exercise by arm, coloured by ACC/AHA 2017 category (the legend
    names the categories drawn), with the 30-minute line (earlier readings are not valid for
    diagnosis).

    ``table`` is :func:`retrosim.events.bp.readings` of ``ds``; at most ``limit`` readings per arm
    are drawn.
    """
    arms = [str(a) for a in ds.arm.values]
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 1.6 * len(arms)))
    axes = fig.subplots(len(arms), 1, sharex=True, squeeze=False)[:, 0]
    span = float(table.minutes.max()) if len(table) else 60.0
    log = span > 600.0
    lo = float(table.minutes.min()) if len(table) else 0.0
    hi = span
    pad = max(2.0, 0.1 * (hi - lo))
    drawn: set[int] = set()                    # the categories the legend may name
    for ax, arm in zip(axes, arms, strict=True):
        rows = table[table.arm == arm].head(limit)
        codes = [pressure.CATEGORIES.index(c) for c in rows.category]
        drawn.update(codes)
        colours = [CATEGORY_COLOURS[c] for c in codes]
        x = np.maximum(rows.minutes.to_numpy(dtype=float), 0.5 if log else 0.0)
        if ds.sizes["subject"] > 1:          # spread a cohort's readings: golden-ratio jitter
            spread = (rows.subject.to_numpy() * 0.6180339887) % 1.0 - 0.5
            x = x * np.exp(0.06 * spread) if log else x + 0.015 * span * spread
        ax.scatter(x, rows.sbp, c=colours, marker="o", s=18, edgecolors="k", linewidths=0.3)
        ax.scatter(x, rows.dbp, c=colours, marker="s", s=14, edgecolors="k", linewidths=0.3)
        valid_line = pressure.VALID_AFTER_S / 60.0
        if log or lo - pad <= valid_line <= hi + pad:
            ax.axvline(valid_line, color="k", ls="--", lw=1)
        ax.set_ylabel(plain(f"{arm}\n[{ds.bp_reading_sbp.attrs.get('units', 'mmHg')}]"),
                      fontsize=8)
        ax.grid(alpha=0.3)
        if log:
            ax.set_xscale("log")
        else:
            ax.set_xlim(lo - pad, hi + pad)            # the readings, not the empty minutes
    for code, name in enumerate(pressure.CATEGORIES):
        if code in drawn:
            axes[0].scatter([], [], c=CATEGORY_COLOURS[code], marker="o", label=name, s=18)
    axes[0].scatter([], [], c="w", edgecolors="k", marker="o", label="systolic", s=18)
    axes[0].scatter([], [], c="w", edgecolors="k", marker="s", label="diastolic", s=14)
    axes[0].plot([], [], "k--", lw=1, label="30 min: valid for diagnosis from here")
    axes[0].legend(fontsize=7, ncol=3, loc="lower left", bbox_to_anchor=(0, 1.02))
    axes[-1].set_xlabel("minutes after the end of exercise" + (" (log scale)" if log else ""))
    return fig
