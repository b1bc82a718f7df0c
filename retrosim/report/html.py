"""The report's page: sections of HTML around the figures of :mod:`retrosim.report.plots`.

:func:`render` turns a :class:`retrosim.report.data.ReportData` into one self-contained HTML
document (inline style, images as ``data:`` URIs, no script, nothing fetched). Every text
that comes from a scenario or a result is escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from retrosim import api
from retrosim.physiology import pressure
from retrosim.report import controller, plots, sections
from retrosim.results import tables

if TYPE_CHECKING:
    from retrosim.report.data import ReportData

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


def summary_table(ds: xr.Dataset) -> str:
    """The per-arm summary as an HTML table: the cells of
    :func:`retrosim.results.tables.arm_rows` (a person's expected values, or a cohort's
    distribution), with the units under each header."""
    rows = tables.arm_rows(ds)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    unit = str(ds.attrs.get("speed_units", "mph"))
    head = "".join(f"<th>{escape(c)}<br><small>"
                   f"{escape(tables.UNITS.get(c, '').replace('{speed}', unit))}</small></th>"
                   for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{escape(r.get(c, '-'))}</td>" for c in cols)
                   + "</tr>" for r in rows)
    return (f'<p class="note" id="summary-shows">Shows {escape(tables.who(ds))}.</p>'
            f'<table id="summary-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table>")


def _traces(data: ReportData) -> str:
    ds, bands = data.ds, data.bands
    arms = [str(a) for a in ds.arm.values]
    cohort = ds.sizes["subject"] > 1
    time_attrs = {"long_name": "time since the start", "units": "s",
                  **(ds.time.attrs if "time" in ds.coords else {})}
    parts = []
    unit = str(ds.attrs.get("speed_units", "mph"))
    for panel in plots.PANELS:
        present = [name for name in panel.names if name in bands]
        if not present:
            continue
        shown = [(panel.line_name(name), tables.to_speed_units(bands[name].values, unit)
                  if name == "speed" else bands[name].values, style)
                 for name, style in panel.styled() if name in bands]
        fig = plots.traces(bands[present[0]].time, shown, arms, time_attrs,
                           panel.ylabel(ds, unit if "speed" in panel.names else None), cohort)
        names = " and ".join(plots.attrs_of(ds, n).get("long_name", n) for n in present)
        if "speed" in panel.names:
            names = "belt speed (" + "; ".join(f"{a}: {w}" for a, w in
                                               tables.directions(ds).items()) + ")"
        parts.append(f"<h3>{escape(names.capitalize())}</h3>" + _image(fig, names))
    if not parts:
        return ""
    return band_note(data) + "".join(parts)


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


def _energy(ds: xr.Dataset) -> str:
    if "energy_total" not in ds:
        return ""
    return _image(plots.energy(ds), "energy by arm")


def _falls(ds: xr.Dataset) -> str:
    if "falls_per_1000" not in ds:
        return ""
    n = ds.sizes["subject"]
    exact = "fall_risk" in ds
    sampled = n > 1 or not exact              # one session's 0 or 1 is no rate: left out
    ranged = exact and "fall_risk_low" in ds
    head = ["arm"] + [f"fall risk<br><small>% of sessions, exact"
                      f"{f' [{tables.PREDICTION_LEVEL} prediction interval]' * ranged}"
                      "</small>"] * exact
    head += ["sampled falls", "sessions", "share who fell<br><small>% [95 % Wilson "
             "interval]</small>"] * sampled
    rows = []
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        cells = [escape(str(arm))]
        if exact:
            cells.append(escape(tables.risk_cell(r)))
        if sampled:
            cells += [f"{int(r.fell.sum()):,}", f"{n:,}",
                      f"{tables.percent(float(r.fall_probability))} "
                      f"[{tables.percent(float(r.fall_probability_low))}-"
                      f"{tables.percent(float(r.fall_probability_high))}]"]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = ('<table id="falls-table"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
             + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    note = ('<p class="note">The exact risk (1 - exp(-H), H the fall hazard of the session as '
            "commanded) is what to read"
            + (f"; the sampled falls are one draw of {n:,} sessions per arm and vary from seed "
               "to seed" if sampled and exact else "") + ".</p>")
    return plots_or_nothing(ds) + table + note


def plots_or_nothing(ds: xr.Dataset) -> str:
    """The falls figure (exact risk per arm, in %)."""
    return _image(plots.falls(ds), "fall risk per session, %")


def _pressure(ds: xr.Dataset) -> str:
    if "bp_reading_sbp" not in ds or ds.sizes.get("reading", 0) == 0:
        return ""
    table = api.readings(ds)
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
    return (_image(plots.readings(ds, table), "blood-pressure readings") + note + categories)


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
        early = (taken & ~ds.bp_first_valid.values.astype(bool)).reshape(ds.sizes["arm"], -1)
        whose = "session(s)" if "session" in ds.sbp_first.dims else "subject(s)"
        for arm, count in zip(ds.arm.values, early.sum(axis=1), strict=True):
            if count:
                items.append(f"{escape(str(arm))}: the first reading of {int(count):,} "
                             f"{whose} was taken within 30 min of exercise (not valid for "
                             "diagnosis)")
    body = ("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>") if items else \
        "<p>None: no guidance flag, alarm, fall or early reading.</p>"
    return body


def _references(ds: xr.Dataset) -> str:
    refs = [line for line in str(ds.attrs.get("references", "")).splitlines() if line]
    if not refs:
        return ""
    return "<ul>" + "".join(f"<li>{escape(r)}</li>" for r in refs) + "</ul>"


@dataclass(frozen=True)
class Section:
    """One section of the page: its anchor, its title and the function that builds its body
    from the report's data ("" leaves the section out)."""

    anchor: str
    title: str
    build: Callable[[ReportData], str]


#: The page's sections in order. Another module adds its own with :func:`add_section`.
SECTIONS: list[Section] = [
    Section("who", "Who was simulated", sections.who),
    Section("arms", "The arms", sections.arms),
    Section("controllers", "Controllers, faults and safety invariants", controller.section),
    Section("summary", "Summary by arm", lambda d: summary_table(d.ds)),
    Section("intervals", "How sure", sections.intervals),
    Section("traces", "Over time", _traces),
    Section("energy", "Energy by arm", lambda d: _energy(d.ds)),
    Section("falls", "Falls", lambda d: _falls(d.ds)),
    Section("blood-pressure", "Blood-pressure readings", lambda d: _pressure(d.ds)),
    Section("warnings", "Warnings", _warnings),
    Section("models", "Models and their validity", sections.models),
    Section("assumptions", "Assumptions and known limits", sections.assumptions),
    Section("references", "References", lambda d: _references(d.ds)),
]


def add_section(section: Section, *, before: str | None = None) -> None:
    """Add ``section`` to every report, before the section anchored ``before`` (else last);
    a section with the same anchor is replaced."""
    SECTIONS[:] = [s for s in SECTIONS if s.anchor != section.anchor]
    anchors = [s.anchor for s in SECTIONS]
    SECTIONS.insert(anchors.index(before) if before in anchors else len(SECTIONS), section)


def section(anchor: str, title: str, body: str) -> str:
    """One section of a page: its anchor, its title (escaped) and its body (HTML)."""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def shared_sections(data: ReportData, anchors: tuple[str, ...]) -> list[tuple[Section, str]]:
    """The sections of :data:`SECTIONS` anchored ``anchors``, built from ``data`` by the same
    builders as a session's report (another page, a programme's, shows them too); those with
    nothing to show are left out."""
    chosen = [s for s in SECTIONS if s.anchor in anchors]
    return [(s, body) for s, body in ((s, s.build(data)) for s in chosen) if body]


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
    shown = shared_sections(data, tuple(s.anchor for s in SECTIONS))
    built = [section(s.anchor, s.title, body) for s, body in shown]
    nav = " ".join(f'<a href="#{s.anchor}">{escape(s.title)}</a>' for s, _ in shown)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>retrosim report: {escape(name)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{escape(name)}</h1>"
            f"<p>{escape(str(ds.attrs.get('description', '')))}</p>"
            f'<p class="meta">{meta}</p><nav>{nav}</nav>' + "".join(built)
            + f"<footer>retrosim {escape(str(ds.attrs.get('retrosim_version', '?')))}, seed "
            f"{escape(str(ds.attrs.get('seed', '?')))}. Models and their sources: "
            "docs/models.md; validation against published values: retrosim validate. A simulation, "
            "not a clinical measurement.</footer>"
            "</body></html>\n")
