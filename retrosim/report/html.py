"""The report's page: sections of HTML around the figures of :mod:`retrosim.report.plots`.

:func:`render` turns a :class:`retrosim.report.document.ReportData` into one self-contained HTML
document (inline style, images as ``data:`` URIs, no script, nothing fetched). Every text
that comes from a scenario or a result is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from retrosim.physiology import pressure
from retrosim.report import plots

if TYPE_CHECKING:
    from retrosim.report.document import ReportData

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
th small { font-weight: normal; color: #555; }
img { max-width: 100%; display: block; margin: 0.5rem 0; }
.meta { color: #555; } .note { color: #555; font-size: 0.9rem; }
nav a { margin-right: 0.8rem; } footer { margin-top: 2rem; color: #777; font-size: 0.85rem; }
"""

#: Columns of the summary table: (variable, header, digits); a pair shows "SBP/DBP".
SUMMARY_COLUMNS = (
    ("energy_total", "energy", 1), ("met_mean", "MET, mean", 1), ("vo2_peak", "VO2 peak", 1),
    ("hr_peak", "HR peak", 0), (("sbp_post", "dbp_post"), "BP post", 0),
    (("sbp_nadir", "dbp_nadir"), "BP nadir", 0),
)
#: Event kinds counted under warnings: kind -> what it means.
ALARMS = {
    "bp-stop-criterion": "met an ACC/AHA stop criterion (SBP > 250 or DBP > 115 mmHg)",
    "bp-exaggerated": "had an exaggerated blood-pressure response",
    "bp-recheck": "had a reading of 180/120 or more, rechecked after 5 min",
    "fall": "fell",
    "estop": "pulled the tether (emergency stop)",
}


def _image(fig, alt: str) -> str:
    return f'<img src="data:image/png;base64,{plots.png_base64(fig)}" alt="{escape(alt)}">'


def _cell(values: np.ndarray, digits: int) -> str:
    v = np.asarray(values, dtype=float)
    if np.isnan(v).all():
        return "-"
    mean = float(np.nanmean(v))
    if v.size > 1 and np.nanmax(v) > np.nanmin(v):
        return f"{mean:.{digits}f} &plusmn; {float(np.nanstd(v)):.{digits}f}"
    return f"{mean:.{digits}f}"


def _units(ds: xr.Dataset, name: str) -> str:
    units = ds[name].attrs.get("units", "")
    return f"<br><small>{escape(units)}</small>" if units and units != "1" else ""


def _protocols(ds: xr.Dataset) -> dict[str, str]:
    lines = str(ds.attrs.get("protocols", "")).splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def summary_table(ds: xr.Dataset) -> str:
    """The per-arm summary as an HTML table (means over subjects, &plusmn; their SD)."""
    protocols = _protocols(ds)
    cols = [c for c in SUMMARY_COLUMNS
            if all(n in ds for n in (c[0] if isinstance(c[0], tuple) else (c[0],)))]
    falls = "falls_per_1000" in ds
    head = ["<th>arm</th>", "<th>duration<br><small>min</small></th>"]
    for name, title, _ in cols:
        first = name[0] if isinstance(name, tuple) else name
        head.append(f"<th>{escape(title)}{_units(ds, first)}</th>")
    if falls:
        head.append("<th>falls<br><small>per 1,000 (95 % CI)</small></th>")
    if "bp_category_post" in ds:
        head.append("<th>BP class<br><small>pre &gt; post</small></th>")
    rows = []
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        cells = [escape(str(arm)), f"{float(r.duration) / 60:.1f}"]
        for name, _, digits in cols:
            if isinstance(name, tuple):
                cells.append(f"{_cell(r[name[0]].values, digits)} / "
                             f"{_cell(r[name[1]].values, digits)}"
                             if not np.isnan(np.asarray(r[name[0]], float)).all() else "-")
            else:
                cells.append(_cell(r[name].values, digits))
        if falls:
            cells.append(f"{float(r.falls_per_1000):.2f} "
                         f"({1000 * float(r.fall_probability_low):.2f}-"
                         f"{1000 * float(r.fall_probability_high):.2f})")
        if "bp_category_post" in ds:
            cells.append(f"{_common(r.bp_category_pre)} &gt; {_common(r.bp_category_post)}")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    listed = "".join(f"<li><b>{escape(arm)}</b>: {escape(text)}</li>"
                     for arm, text in protocols.items())
    return (f'<table id="summary-table"><thead><tr>{"".join(head)}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>"
            + (f'<p class="note">Means over subjects (&plusmn; their SD). The arms\' '
               f"protocols:</p><ul>{listed}</ul>" if listed else ""))


def _common(codes: xr.DataArray) -> str:
    values, counts = np.unique(np.asarray(codes), return_counts=True)
    code = int(values[np.argmax(counts)])
    return "-" if code < 0 else pressure.CATEGORIES[code]


def _traces(data: ReportData) -> str:
    ds, bands = data.ds, data.bands
    arms = [str(a) for a in ds.arm.values]
    cohort = ds.sizes["subject"] > 1
    time_attrs = {"long_name": "time since the start", "units": "s",
                  **(ds.time.attrs if "time" in ds.coords else {})}
    attrs = {name: _attrs(ds, name) for name in bands}
    parts = []
    panels = [("speed", [("speed", "-")],
               plots.label(attrs.get("speed", {})) + ", backward < 0"),
              ("vo2", [("vo2", "-")], plots.label(attrs.get("vo2", {}))),
              ("hr", [("hr", "-")], plots.label(attrs.get("hr", {}))),
              ("sbp", [("sbp", "-"), ("dbp", "--")],
               "blood pressure [" + attrs.get("sbp", {}).get("units", "mmHg") + "]")]
    for key, pairs, ylabel in panels:
        shown = [(name, bands[name].values, style) for name, style in pairs if name in bands]
        if not shown:
            continue
        names = " and ".join(attrs[n].get("long_name", n) for n, _, _ in shown)
        fig = plots.traces(bands[key].time, [(n.upper() if key == "sbp" else n, v, s)
                                             for n, v, s in shown], arms, time_attrs,
                           ylabel, cohort)
        parts.append(f"<h3>{escape(names.capitalize())}</h3>" + _image(fig, names))
    if not parts:
        return ""
    return _section("traces", band_note(data) + "".join(parts))


def band_note(data: ReportData) -> str:
    """What the bands of a cohort show (nothing for one subject)."""
    n = data.ds.sizes["subject"]
    if n == 1:
        return ""
    sample = (f" (the first {data.band_subjects:,} of {n:,}: people are independent draws, "
              "so they are a random sample; the tables count everyone)"
              if data.band_subjects else "")
    return ("<p class=\"note\">Lines are each arm's median over subjects; shaded bands hold "
            f"the middle 50 % and 90 % of subjects{sample}.</p>")


def _attrs(ds: xr.Dataset, name: str) -> dict[str, str]:
    from retrosim.results.dataset import VARIABLES

    if name in ds:
        return dict(ds[name].attrs)
    units, long_name = VARIABLES[name]
    return {"units": units, "long_name": long_name}


def _energy(ds: xr.Dataset) -> str:
    if "energy_total" not in ds:
        return ""
    return _section("energy", _image(plots.energy(ds), "energy by arm"))


def _falls(ds: xr.Dataset) -> str:
    if "falls_per_1000" not in ds:
        return ""
    n = ds.sizes["subject"]
    rows = "".join(
        f"<tr><td>{escape(str(arm))}</td><td>{int(ds.fell.sel(arm=arm).sum())}</td>"
        f"<td>{n:,}</td><td>{100 * float(ds.fall_probability.sel(arm=arm)):.3g}</td>"
        f"<td>{100 * float(ds.fall_probability_low.sel(arm=arm)):.3g}-"
        f"{100 * float(ds.fall_probability_high.sel(arm=arm)):.3g}</td></tr>"
        for arm in ds.arm.values)
    table = ('<table id="falls-table"><thead><tr><th>arm</th><th>falls</th><th>sessions</th>'
             "<th>P(fall)<br><small>%</small></th><th>95 % Wilson interval<br><small>%</small>"
             f"</th></tr></thead><tbody>{rows}</tbody></table>")
    note = (f'<p class="note">With {n:,} session{"s" * (n > 1)} per arm the interval is '
            "wide: run more subjects (--subjects) to narrow it.</p>" if n < 1000 else "")
    return _section("falls", _image(plots.falls(ds), "falls per 1,000 sessions")
                    + table + note)


def _pressure(ds: xr.Dataset) -> str:
    if "bp_reading_sbp" not in ds or ds.sizes.get("reading", 0) == 0:
        return ""
    from retrosim.events.bp import readings

    table = readings(ds)
    if not len(table):
        return ""
    head = "".join(f"<th>{escape(c)}</th>" for c in pressure.CATEGORIES)
    rows = []
    for arm in ds.arm.values:
        t = table[(table.arm == str(arm)) & ~table.recheck]
        shares = [100.0 * float((t.category == c).mean()) if len(t) else 0.0
                  for c in pressure.CATEGORIES]
        early = int((~t.valid).sum())
        rows.append(f"<tr><td>{escape(str(arm))}</td><td>{len(t):,}</td>"
                    + "".join(f"<td>{s:.0f} %</td>" for s in shares)
                    + f"<td>{early:,}</td></tr>")
    categories = ('<table id="bp-table"><thead><tr><th>arm</th><th>readings</th>' + head
                  + "<th>within 30 min<br><small>not valid for diagnosis</small></th></tr>"
                  "</thead><tbody>" + "".join(rows) + "</tbody></table>")
    note = ("<p class=\"note\">Seated readings after exercise, classified by the ACC/AHA 2017 "
            "guideline (the higher of systolic and diastolic decides). A reading within 30 "
            "minutes of exercise (left of the dashed line) is not valid for diagnosis; one of "
            "180/120 or more is rechecked 5 minutes later.</p>")
    return _section("blood-pressure",
                    _image(plots.readings(ds, table), "blood-pressure readings") + note
                    + categories)


def _warnings(data: ReportData) -> str:
    ds = data.ds
    items = [escape(line) for line in str(ds.attrs.get("guidance", "")).splitlines() if line]
    items += [escape(note) for note in data.notes]
    if "event_kind" in ds:
        kinds, arms = ds.event_kind.values.astype(str), ds.event_arm.values.astype(str)
        subjects = ds.event_subject.values
        n = ds.sizes["subject"]
        for kind, meaning in ALARMS.items():
            for arm in ds.arm.values:
                hit = (kinds == kind) & (arms == str(arm)) & (subjects >= 0)
                people = np.unique(subjects[hit]).size
                if people:
                    items.append(f"{escape(str(arm))}: {people:,} of {n:,} subject"
                                 f"{'s' * (n > 1)} {escape(meaning)}")
    if "bp_first_valid" in ds and "sbp_first" in ds:
        taken = np.isfinite(ds.sbp_first.values.astype(float))
        early = (taken & ~ds.bp_first_valid.values.astype(bool)).sum(axis=1)
        for arm, count in zip(ds.arm.values, early, strict=True):
            if count:
                items.append(f"{escape(str(arm))}: the first reading of {int(count):,} "
                             "subject(s) was taken within 30 min of exercise (not valid for "
                             "diagnosis)")
    body = ("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>") if items else \
        "<p>None: no guidance flag, alarm, fall or early reading.</p>"
    return _section("warnings", body)


def _references(ds: xr.Dataset) -> str:
    refs = [line for line in str(ds.attrs.get("references", "")).splitlines() if line]
    if not refs:
        return ""
    return _section("references",
                    "<ul>" + "".join(f"<li>{escape(r)}</li>" for r in refs) + "</ul>")


def _section(anchor: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(dict(SECTIONS)[anchor])}</h2>{body}</section>'


#: The page's sections in order: (anchor, title in the navigation bar).
SECTIONS = (("summary", "Summary by arm"), ("traces", "Over time"), ("energy", "Energy by arm"),
            ("falls", "Falls"), ("blood-pressure", "Blood-pressure readings"),
            ("warnings", "Warnings"), ("references", "References"))


def render(data: ReportData) -> str:
    """The whole report as one HTML document."""
    ds = data.ds
    name = str(ds.attrs.get("scenario", "result"))
    n = ds.sizes["subject"]
    meta = (f"seed {escape(str(ds.attrs.get('seed', '?')))} &middot; {n:,} subject"
            f"{'s' * (n > 1)} &middot; {ds.sizes['arm']} arm{'s' * (ds.sizes['arm'] > 1)} "
            f"&middot; energy model {escape(str(ds.attrs.get('energy_model', '?')))} &middot; "
            f"retrosim {escape(str(ds.attrs.get('retrosim_version', '?')))} &middot; from "
            f"{escape(data.source)}")
    built = [_section("summary", summary_table(ds)), _traces(data),
             _energy(ds), _falls(ds), _pressure(ds), _warnings(data), _references(ds)]
    present = {anchor for anchor, _ in SECTIONS if f'<section id="{anchor}">' in "".join(built)}
    nav = " ".join(f'<a href="#{anchor}">{escape(title)}</a>' for anchor, title in SECTIONS
                   if anchor in present)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>retrosim report: {escape(name)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{escape(name)}</h1>"
            f"<p>{escape(str(ds.attrs.get('description', '')))}</p>"
            f'<p class="meta">{meta}</p><nav>{nav}</nav>' + "".join(built)
            + f"<footer>retrosim {escape(str(ds.attrs.get('retrosim_version', '?')))}, seed "
            f"{escape(str(ds.attrs.get('seed', '?')))}. Models and their sources: "
            "docs/models.md; validation against published values: retrosim validate.</footer>"
            "</body></html>\n")
