"""The report of a design study: how the front was found, the front as a table and its plot.

``retrosim design ... -o DIR`` leaves the front's Dataset in ``DIR/front.nc`` (on the dimension
``design``: each variable, each outcome of the person as given, each limit's outcome at its
quantile; its attributes say how it was found and where the limits hold). :func:`page` turns
that Dataset, and nothing else, into one self-contained HTML page: ``retrosim report DIR -o
report.html``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from retrosim.errors import InputError
from retrosim.report.plots import WIDTH_IN, plain, png_base64

#: The file of a design folder that holds the front.
FRONT = "front.nc"


def is_design(ds: xr.Dataset) -> bool:
    """A design study's front: the dimension ``design`` and the search's attributes."""
    return "design" in ds.dims and "objectives" in ds.attrs and "how" in ds.attrs


def columns(ds: xr.Dataset) -> tuple[list[str], list[str], list[str]]:
    """The varied variables, the objectives' outcomes and the limits' columns of a front."""
    objectives = [o.strip().lstrip("-") for o in str(ds.attrs["objectives"]).split(",")
                  if o.strip()]
    names = [str(n) for n in ds.data_vars]
    limits = [n for n in names if "percentile" in str(ds[n].attrs.get("long_name", ""))]
    outcomes = [n for n in names if "long_name" in ds[n].attrs and n not in limits]
    varied = [n for n in names if n not in outcomes and n not in limits]
    return varied, objectives, limits


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)


def table(ds: xr.Dataset) -> str:
    """The front as an HTML table: the design, what was varied, the objectives, the limits."""
    varied, objectives, limits = columns(ds)
    cols = [*varied, *[o for o in objectives if o not in varied], *limits]
    head = "".join(f"<th>{escape(c)}</th>" for c in ["design", *cols])
    body = "".join(
        f"<tr><td>design-{int(d):02d}</td>"
        + "".join(f"<td>{escape(_cell(ds[c].values[i]))}</td>" for c in cols) + "</tr>"
        for i, d in enumerate(ds.design.values))
    return f'<table id="front-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def figure(ds: xr.Dataset) -> Figure:
    """The front in its first two objectives (the first against the first limit's column
    when there is one objective)."""
    _, objectives, limits = columns(ds)
    x = objectives[0]
    y = objectives[1] if len(objectives) > 1 else (limits[0] if limits else None)
    fig = Figure(figsize=(WIDTH_IN * 0.7, 3.6))
    ax = fig.add_subplot()
    xs = ds[x].values.astype(float)
    ys = ds[y].values.astype(float) if y else np.zeros(xs.size)
    order = np.argsort(xs)
    ax.plot(xs[order], ys[order], "o-", color="tab:red", ms=4)
    for i in sorted({0, xs.size - 1}):
        ax.annotate(f"design-{int(ds.design.values[i]):02d}", (xs[i], ys[i]), fontsize=7,
                    xytext=(4, -10), textcoords="offset points")
    ax.set_xlabel(plain(f"{x} ({ds[x].attrs.get('long_name', '')})"), fontsize=8)
    ax.set_ylabel(plain(y or ""), fontsize=8)
    ax.tick_params(labelsize=7)
    return fig


def render(ds: xr.Dataset, source: str) -> str:
    """The design report as one HTML document."""
    name = str(ds.attrs.get("scenario", "design"))
    n = ds.sizes["design"]
    rows = [("objectives", ds.attrs.get("objectives", "")), ("limits", ds.attrs.get("limits", "")
            or "none"), ("held fixed", ds.attrs.get("fixed", "") or "nothing")]
    facts = "".join(f"<li>{escape(k)}: {escape(str(v))}</li>" for k, v in rows)
    body = [
        f"<h1>{escape(name)}: {n} design{'s' * (n != 1)}</h1>",
        f'<p class="meta">{escape(str(ds.attrs.get("how", "")))} &middot; retrosim '
        f"{escape(str(ds.attrs.get('retrosim_version', '?')))} &middot; from "
        f"{escape(source)}</p>",
        f'<section id="design-problem"><h2>The question</h2><ul>{facts}</ul><p>'
        f"{escape(str(ds.attrs.get('limits_held_at', '')))}.</p></section>",
    ]
    if n:
        body += [
            '<section id="design-front"><h2>The Pareto front</h2><img alt="the front" '
            f'src="data:image/png;base64,{png_base64(figure(ds))}">{table(ds)}</section>']
    else:
        body.append('<section id="design-front"><h2>The Pareto front</h2><p>No candidate met '
                    "every limit.</p></section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>retrosim report: {escape(name)} designs</title><style>body{{font-family:"
            "sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse;font-size:"
            "80%}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{max-width:"
            "100%}</style></head><body>" + "".join(body)
            + "<footer>A simulation, not a clinical measurement.</footer></body></html>\n")


#: The most designs a front may declare (a search's budget is far smaller).
MAX_DESIGNS = 1_000_000


def _front_header(path: Path) -> bool:
    """Whether the file's header (read alone, nothing loaded) is a design's front: only the
    dimension ``design``, the search's attributes. A front declaring more than
    :data:`MAX_DESIGNS` designs is refused in one line; any other file is left to the other
    reports, which check it the same way before loading."""
    try:
        with netCDF4.Dataset(str(path), "r") as nc:
            attrs, sizes = set(nc.ncattrs()), {n: len(d) for n, d in nc.dimensions.items()}
    except (OSError, ValueError, RuntimeError):
        return False
    if set(sizes) != {"design"} or not {"objectives", "how"} <= attrs:
        return False
    if sizes["design"] > MAX_DESIGNS:
        raise InputError("SCENARIO_OR_RESULT", f"{str(path)!r} declares {sizes['design']:,} "
                         "designs", f"a front written by 'retrosim design -o' (at most "
                         f"{MAX_DESIGNS:,})")
    return True


def page(source: str | Path) -> str | None:
    """The report page of a design folder (or its ``front.nc``), else None."""
    path = Path(str(source))
    if path.is_dir() and (path / FRONT).is_file():
        path = path / FRONT
    if path.suffix != ".nc" or not path.is_file() or not _front_header(path):
        return None
    try:
        with xr.open_dataset(path, engine="netcdf4") as opened:
            if not is_design(opened):
                return None
            ds = opened.load()
    except (OSError, ValueError):          # not a NetCDF file: the other reports say why
        return None
    return render(ds, str(source))
