"""The page's Design tab: search a person's sessions for the best under limits, as
``retrosim design`` does, within the visitor's run budget.

The visitor picks the person (a bundled scenario with a ``[subject]``), what to maximise and
minimise, what may vary and over which range (``LO..HI`` on the command line's steps, or
``A,B``; checked as ``retrosim design --vary`` checks it), the limits, the budget, the
plausible versions per candidate and the seed; the search (:func:`search`) runs in a process
of its own through the page's run worker (:class:`retrosim.app.worker.Runner`: one run at a
time, its time and memory budget, cancellable). The front is shown as the report shows it
(:mod:`retrosim.report.design`: the plot and the table, from the front's Dataset) and each
design is offered as a runnable scenario (TOML).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import xarray as xr
from shiny import Inputs, Outputs, Session, reactive, render, req, ui

from retrosim.app import worker
from retrosim.design import output, session, study
from retrosim.errors import InputError
from retrosim.report import design as report

#: What may vary on the page, and each one's range when the visitor leaves it as it is.
RANGES = {"speed_mph": "0.5..3.0", "grade_pct": "0..8", "direction": "forward,backward",
          "minutes": "5..30", "handrail": "none,light"}
#: The page's ceilings: a search stays within a run's time budget.
MAX_BUDGET = 1000
MAX_DRAWS = 300
LIMITS = "hr_reserve_peak<=0.60\nfall_risk<=0.001\nsbp_peak<=180"


@dataclass(frozen=True)
class Found:
    """A search's answer: the front's Dataset, each design's scenario (TOML), and two lines
    saying how it was found and where its limits hold (or why no design meets them)."""

    front: xr.Dataset
    designs: list[str]
    how: str
    held_at: str


def spec_of(input: Inputs) -> dict[str, Any]:
    """The tab's inputs as the arguments of :func:`search`."""
    return {"scenario": input.d_scenario(), "maximise": list(input.d_maximise() or ()),
            "minimise": list(input.d_minimise() or ()), "vary": list(input.d_vary() or ()),
            "ranges": {name: input[f"d_range_{name}"]() for name in RANGES},
            "limits": input.d_limits() or "", "budget": input.d_budget(),
            "draws": input.d_draws(), "seed": input.d_seed()}


def arguments(spec: dict[str, Any]) -> dict[str, Any]:
    """:func:`retrosim.design.study.run_design`'s arguments, the page's ceilings and each
    range checked (one line each, by the command line's own checks)."""
    if not spec["vary"]:
        raise InputError("vary", "names nothing to vary", ", ".join(RANGES))
    ranges = spec.get("ranges") or {}
    vary = [f"{name}={str(ranges.get(name, RANGES[name]) or '').strip()}"
            for name in spec["vary"]]
    study.checked_variables(vary, session, key="vary")
    for key, ceiling in (("budget", MAX_BUDGET), ("draws", MAX_DRAWS)):
        value = spec[key]
        if value is None or not 0 <= value <= ceiling:
            raise InputError(key, f"{value} is outside what this page runs",
                             f"0 to {ceiling:,} here; 'retrosim design' takes more")
    return dict(objectives=[*spec["maximise"], *[f"-{m}" for m in spec["minimise"]]],
                vary=vary,
                limits=[line.strip() for line in spec["limits"].splitlines() if line.strip()],
                budget=int(spec["budget"]), draws=int(spec["draws"]),
                seed=None if spec["seed"] is None else int(spec["seed"]))


def search(spec: dict[str, Any], source: str, subjects: int | None) -> Found:
    """The search, in the run worker's process (its arguments are the worker's)."""
    done = study.run_design(spec["scenario"], **arguments(spec))
    if not done.found:
        why = output.closest(done) if done.problem.limits else "no design"
        return Found(done.dataset(), [], done.how(), why)
    texts = [output.design_text(done, rank) for rank in range(min(done.front.size,
                                                                  output.MAX_FILES))]
    return Found(done.dataset(), texts, done.how(), done.held_at())


def panel(people: list[str]) -> Any:
    """The tab's layout: the question in the sidebar, the front beside it."""
    outcomes = {name: f"{name}: {meaning}" for name, meaning in session.OUTCOMES.items()}
    controls = ui.sidebar(
        ui.input_select("d_scenario", "Person (a scenario's [subject])", people,
                        selected="knee-rehab-first-session"),
        ui.input_selectize("d_maximise", "Maximise", outcomes, selected=["energy_walking"],
                           multiple=True),
        ui.input_selectize("d_minimise", "Minimise", outcomes, selected=["fall_risk"],
                           multiple=True),
        ui.input_checkbox_group("d_vary", "Vary", {k: k for k in RANGES},
                                selected=list(RANGES)),
        *[ui.input_text(f"d_range_{name}", f"{name} (LO..HI or A,B)", value)
          for name, value in RANGES.items()],
        ui.input_text_area("d_limits", "Limits, one a line (at the 90th percentile of the "
                           "person's prediction distribution)", LIMITS, rows=3),
        ui.input_numeric("d_budget", "Budget (candidates)", 200, min=1, max=MAX_BUDGET),
        ui.input_numeric("d_draws", "Plausible versions of the person per candidate", 100,
                         min=0, max=MAX_DRAWS),
        ui.input_numeric("d_seed", "Seed", 1, min=0),
        ui.input_action_button("d_run", "Search", class_="btn-primary"),
        ui.input_action_button("d_cancel", "Cancel"), width=340)
    return ui.layout_sidebar(
        controls, ui.output_text("d_message"), ui.output_plot("d_plot", height="360px"),
        ui.output_ui("d_table"),
        ui.input_select("d_pick", "Design", {}),
        ui.download_button("d_download", "Download the design (TOML)"))


def register(input: Inputs, output_: Outputs, session_: Session) -> None:
    """The tab's search task, its outputs and the download."""
    runner = worker.Runner()
    found: reactive.Value[Found | None] = reactive.value(None)
    message = reactive.value("")

    @reactive.extended_task
    async def job(spec: dict[str, Any]) -> Found:
        return await runner.run(spec, spec["scenario"], None, work=search)

    @reactive.effect
    @reactive.event(input.d_run)
    def _run() -> None:
        if runner.busy:
            message.set("a search is under way: wait for it, or cancel it")
            return
        spec = spec_of(input)
        try:
            arguments(spec)
        except InputError as err:
            message.set(str(err))
            return
        message.set(f"searching {spec['budget']} candidates ...")
        job.invoke(spec)

    @reactive.effect
    @reactive.event(input.d_cancel)
    def _cancel() -> None:
        job.cancel()

    @reactive.effect
    def _finished() -> None:
        status = job.status()
        if status == "success":
            done = job.value()
            found.set(done)
            n = done.front.sizes["design"]
            message.set(f"{n} design{'s' * (n != 1)} on the front: {done.how}; "
                        f"{done.held_at}")
            ui.update_select("d_pick", choices={str(i): f"design-{i + 1:02d}"
                                                for i in range(len(done.designs))})
        elif status == "error":
            err = job.error()
            found.set(None)
            message.set(str(err).splitlines()[0] if str(err) else type(err).__name__)
        elif status == "cancelled":
            message.set("cancelled the search")

    _outputs(input, found, message)


def _outputs(input: Inputs, found: reactive.Value[Found | None],
             message: reactive.Value[str]) -> None:
    """The status line, the front's plot and table, and the chosen design's download."""

    @render.text
    def d_message() -> str:
        return message()

    @render.plot(alt="the Pareto front")
    def d_plot() -> Any:
        done = found()
        req(done is not None and done.front.sizes["design"] > 0)
        assert done is not None
        return report.figure(done.front)

    @render.ui
    def d_table() -> Any:
        done = found()
        req(done is not None and done.front.sizes["design"] > 0)
        assert done is not None
        return ui.HTML(report.table(done.front))

    def _name() -> str:
        return f"{input.d_scenario()}-design-{int(input.d_pick() or 0) + 1:02d}.toml"

    @render.download_button(filename=_name)
    def d_download() -> Any:
        done = found()
        if done is not None and done.designs:
            yield done.designs[int(input.d_pick() or 0)]
