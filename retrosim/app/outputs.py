"""The page's outputs (Shiny for Python): the arms' rows, the status line, the comparison
table, the warnings, the figures' tabs and the downloads.

Each output is registered under the id the page's layout gives it
(:mod:`retrosim.app.page`): a figure under ``plot_<key>``, a download under its button's id.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from shiny import render, ui

from retrosim.app import form as F
from retrosim.app import outcome, page
from retrosim.app.visit import Visit
from retrosim.model import tomlwriter


def register(visit: Visit) -> None:
    """Every output of ``visit``'s what-if view."""
    _shown(visit)
    _figures(visit)
    _downloads(visit)


def _shown(visit: Visit) -> None:
    """The arms' rows, the status line, the table, the warnings and the download buttons."""
    result = visit.result

    @render.ui
    def arms() -> Any:
        return page.arms_block(visit.form())

    @render.ui
    def person_extra() -> Any:
        return page.person_extra(visit.form())

    @render.ui
    def status() -> Any:
        text = visit.message()
        return ui.p(text, id="status-text", class_="small") if text else None

    @render.ui
    def table() -> Any:
        done = result()
        if not done:
            return ui.p("Not run yet.")
        return ui.HTML(outcome.table_html(done.ds))

    @render.ui
    def warnings() -> Any:
        done = result()
        if not done:
            return None
        items = outcome.warnings_list(done)
        return ui.tags.ul(*[ui.tags.li(i) for i in items], id="warnings-list") if items else \
            ui.p("None: no guidance flag, alarm, fall or warning.", id="warnings-list")

    @render.ui
    def downloads() -> Any:
        done = result()
        if not done:
            return None
        return ui.div(
            ui.p("The same numbers from the command line: ",
                 ui.span(escape(done.command), class_="command", id="command")),
            ui.download_button("download_run_toml", "This run's scenario (TOML)"),
            ui.download_button("download_csv", "Comparison table (CSV)"),
            ui.download_button("download_nc", "Result (NetCDF)"),
            ui.download_button("download_report", "Report (HTML)"),
            style="display: flex; gap: .5rem; flex-wrap: wrap; align-items: center")


def _figures(visit: Visit) -> None:
    """One figure of the last run per tab, ``plot_<key>`` for each of ``outcome.FIGURES``."""
    def plot(key: str) -> Any:
        def draw() -> Any:                       # only the tab on show is drawn
            done = visit.result()
            return outcome.figure(done, key) if done else None
        draw.__name__ = f"plot_{key}"
        return render.plot(alt=f"{key} by arm")(draw)

    def values(key: str) -> Any:
        def show() -> Any:                       # the values under the pointer
            done = visit.result()
            hover = visit.input[f"plot_{key}_hover"]()
            if not done:
                return None
            if not hover or hover.get("x") is None:
                return ui.p("Point at the figure for the values at that time.",
                            class_="small text-muted")
            return ui.HTML(values_html(done, key, float(hover["x"])))
        show.__name__ = f"values_{key}"
        return render.ui(show)

    for key in outcome.FIGURES:
        plot(key)                      # registered under its name, plot_<key>
    for key in outcome.TRACE_FIGURES:
        values(key)                    # values_<key>


def values_html(done: outcome.Outcome, key: str, x: float) -> str:
    """The table of the values a trace figure draws at the plotted time ``x``."""
    t, rows = outcome.values_at(done, key, x)
    head = "".join(f"<th>{h}</th>" for h in ("arm", "", "5 %", "25 %", "median", "75 %",
                                             "95 %"))
    body = "".join(
        f'<tr data-arm="{escape(r["arm"])}" data-name="{r["name"]}">'
        f'<td>{escape(r["arm"])}</td><td>{r["name"].upper() if key == "bp" else ""}</td>'
        + "".join(f'<td class="num" data-q="{q}" data-value="{r[q]!r}">{r[q]:.3g}</td>'
                  for q in ("p5", "p25", "median", "p75", "p95")) + "</tr>" for r in rows)
    return (f'<table class="table table-sm values" id="values-{key}-table" data-time="{t!r}">'
            f"<caption>at {t / 60:.1f} min</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _toml_of(form: F.Form) -> str:
    return tomlwriter.dumps(F.scenario_dict(form), form.text or None)


def _downloads(visit: Visit) -> None:
    """The form's scenario (TOML) and the last run's scenario, result (NetCDF) and report."""
    result = visit.result

    @render.download_button(filename=lambda: visit.current().file_name)
    def download_toml() -> Any:
        yield _toml_of(visit.current())

    def named(suffix: str) -> str:
        done = result()
        return Path(done.source if done else "scenario.toml").stem + suffix

    @render.download_button(filename=lambda: named(".toml"))
    def download_run_toml() -> Any:
        done = result()
        if done:
            yield tomlwriter.dumps(done.data)

    @render.download_button(filename=lambda: named("-comparison.csv"))
    def download_csv() -> Any:
        done = result()
        if done:
            yield outcome.table_csv(done.ds)

    @render.download_button(filename=lambda: named(".nc"))
    def download_nc() -> Any:
        done = result()
        if done:
            yield outcome.netcdf_bytes(done.ds)

    @render.download_button(filename=lambda: named(".html"))
    def download_report() -> Any:
        done = result()
        if done:
            yield outcome.report_html(done)
