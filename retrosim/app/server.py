"""The page's behaviour (Shiny for Python): the form's state, runs, figures and downloads.

The arms are a :class:`retrosim.app.form.Form` held on the server; the browser shows it as rows
of inputs. Before the rows change shape (a stage or an arm added or removed) the values typed
so far are read back into the form, so nothing typed is lost. A run reads the whole form,
builds the scenario dictionary and runs it (:mod:`retrosim.app.outcome`) in a process of its
own, as an extended task the visitor can cancel, within the visitor's budget
(:mod:`retrosim.app.worker`); a bad value's one-line message goes next to its field. An
uploaded file is read under the command line's budgets (:func:`retrosim.app.form.read_upload`).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from shiny import App, Inputs, Outputs, Session, reactive, render, ui
from shiny.types import SafeException

from retrosim.app import form as F
from retrosim.app import lessons, outcome, page, worker
from retrosim.errors import InputError
from retrosim.model import tomlwriter
from retrosim.model.scenario import bundled


def _value(input: Inputs, key: str, default: Any) -> Any:
    """An input's value, or ``default`` when the browser has not shown that input yet."""
    return input[key]() if key in input else default


def read_form(input: Inputs, shown: F.Form) -> F.Form:
    """The form as the browser holds it now (the structure of ``shown``, the typed values)."""
    person = {key: _value(input, key, shown.person.get(key)) for key, _, _ in F.PERSON_FIELDS
              if key in F.subject_keys() or key in ("sbp", "dbp")}
    arms = []
    for arm in shown.arms:
        rows = [F.StageRow(
            action=_value(input, f"s_{r.uid}_action", r.action),
            direction=_value(input, f"s_{r.uid}_direction", r.direction),
            speed=_value(input, f"s_{r.uid}_speed", r.speed),
            unit=_value(input, f"s_{r.uid}_unit", r.unit),
            grade_pct=_value(input, f"s_{r.uid}_grade", r.grade_pct),
            minutes=_value(input, f"s_{r.uid}_minutes", r.minutes),
            handrail=_value(input, f"s_{r.uid}_handrail", r.handrail), uid=r.uid)
            for r in arm.stages]
        arms.append(replace(arm, name=_value(input, f"a_{arm.uid}_name", arm.name),
                            handrail=_value(input, f"a_{arm.uid}_handrail", arm.handrail),
                            stages=rows))
    return replace(shown, name=_value(input, "scenario_name", shown.name),
                   seed=_value(input, "seed", shown.seed), person=person, arms=arms)


def server(input: Inputs, output: Outputs, session: Session) -> None:
    state: reactive.Value[F.Form] = reactive.value(F.default_form())
    result: reactive.Value[outcome.Outcome | None] = reactive.value(None)
    message: reactive.Value[str] = reactive.value("")
    shipped = bundled()

    def current() -> F.Form:
        with reactive.isolate():
            return read_form(input, state())

    async def show_error(field: str = "", message: str = "") -> None:
        await session.send_custom_message("retrosim-error", {"field": field,
                                                             "message": message})

    def restructure(change: Any) -> None:
        form = current()
        change(form)
        state.set(replace(form))

    @reactive.effect
    @reactive.event(input.add_stage)
    def _add_stage() -> None:
        def change(form: F.Form) -> None:
            arm = next(a for a in form.arms if a.uid == input.add_stage())
            last = arm.stages[-1] if arm.stages else F.StageRow()
            arm.stages.append(replace(last, uid=F.new_uid()))
        restructure(change)

    @reactive.effect
    @reactive.event(input.remove_stage)
    def _remove_stage() -> None:
        def change(form: F.Form) -> None:
            for arm in form.arms:
                arm.stages[:] = [r for r in arm.stages if r.uid != input.remove_stage()]
        restructure(change)

    @reactive.effect
    @reactive.event(input.add_arm)
    def _add_arm() -> None:
        def change(form: F.Form) -> None:
            names = {a.name for a in form.arms}
            name = next(f"arm-{i}" for i in range(1, len(names) + 2) if f"arm-{i}" not in names)
            stages = [replace(r, uid=F.new_uid()) for r in form.arms[-1].stages] \
                if form.arms else [F.StageRow()]
            form.arms.append(F.ArmRows(name, stages))
        restructure(change)

    @reactive.effect
    @reactive.event(input.remove_arm)
    def _remove_arm() -> None:
        restructure(lambda form: form.arms.__setitem__(
            slice(None), [a for a in form.arms if a.uid != input.remove_arm()]))

    async def start_from(data: dict[str, Any], source: str, field: str, text: str = "") -> None:
        try:
            form = replace(F.form_from_dict(data, source=source), text=text)
        except InputError as err:
            message.set(str(err))
            await show_error(field, str(err))
            return
        for key, _, kind in F.PERSON_FIELDS:
            if key not in input:
                continue
            value = form.person.get(key)
            if kind == "number":
                ui.update_numeric(key, value=value)
            elif kind == "flag":
                ui.update_checkbox(key, value=bool(value))
            elif value is not None:
                ui.update_select(key, selected=value)
        ui.update_text("scenario_name", value=form.name)
        ui.update_numeric("seed", value=form.seed)
        if form.has_cohort:
            ui.update_numeric("people", value=min(int(form.base["cohort"].get("size", 1000)),
                                                  1000))
        state.set(form)
        result.set(None)
        message.set(f"started from {source}")
        await show_error()

    @reactive.effect
    @reactive.event(input.bundled)
    async def _bundled() -> None:
        name = input.bundled()
        if name in shipped:
            text = shipped[name].read_text(encoding="utf-8")
            await start_from(tomllib.loads(text), f"{name}.toml", "bundled", text)

    @reactive.effect
    @reactive.event(input.upload)
    async def _upload() -> None:
        await upload(input.upload()[0])

    async def upload(file: dict[str, Any]) -> None:
        """Start from an uploaded file, read under the command line's budgets."""
        try:
            data = F.read_upload(file["datapath"], file["name"])
            original = Path(file["datapath"]).read_text(encoding="utf-8")
        except InputError as err:
            message.set(str(err))
            await show_error("upload", str(err))
            return
        await start_from(data, file["name"], "upload", original)

    runner = worker.Runner()
    running: reactive.Value[F.Form | None] = reactive.value(None)

    @reactive.extended_task
    async def job(data: dict[str, Any], source: str, people: int | None) -> outcome.Outcome:
        return await runner.run(data, source, people)      # in a process: the loop stays free

    @reactive.effect
    @reactive.event(input.run)
    async def _run() -> None:
        form = current()
        if runner.busy:
            message.set("a run is under way: wait for it, or cancel it")
            return
        try:
            data = F.scenario_dict(form)
        except InputError as err:
            result.set(None)
            message.set(str(err))
            await show_error(F.field_of(err, form), str(err))
            return
        state.set(form)
        running.set(form)
        message.set(f"running {form.file_name} ...")
        await show_error()
        job.invoke(data, form.file_name, input.people())

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel() -> None:
        job.cancel()

    @reactive.effect
    async def _finished() -> None:
        status = job.status()
        with reactive.isolate():
            form = running() or current()
        if status == "success":
            done = job.value()
            result.set(done)
            message.set(f"ran {form.file_name} for {done.subjects:,} people")
        elif status == "error":
            err = job.error()
            result.set(None)
            message.set(str(err).splitlines()[0] if str(err) else type(err).__name__)
            field = F.field_of(err, form) if isinstance(err, InputError) else "run"
            await show_error(field, message.get())
        elif status == "cancelled":
            message.set(f"cancelled the run of {form.file_name}")

    @render.ui
    def arms() -> Any:
        return page.arms_block(state())

    @render.ui
    def status() -> Any:
        text = message()
        return ui.p(text, id="status-text", class_="small") if text else None

    @render.ui
    def table() -> Any:
        done = result()
        return ui.HTML(outcome.table_html(done.ds)) if done else ui.p("Not run yet.")

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
            ui.download_button("download_nc", "Result (NetCDF)"),
            ui.download_button("download_report", "Report (HTML)"),
            style="display: flex; gap: .5rem; flex-wrap: wrap; align-items: center")

    def plot(key: str) -> Any:
        def draw() -> Any:                       # only the tab on show is drawn
            done = result()
            return outcome.figure(done, key) if done else None
        draw.__name__ = f"plot_{key}"
        return render.plot(alt=f"{key} by arm")(draw)

    for key in outcome.FIGURES:
        plot(key)                      # registered under its name, plot_<key>

    def toml_of(form: F.Form) -> str:
        return tomlwriter.dumps(F.scenario_dict(form), form.text or None)

    @render.download_button(filename=lambda: current().file_name)
    def download_toml() -> Any:
        yield toml_of(current())

    def named(suffix: str) -> str:
        done = result()
        return Path(done.source if done else "scenario.toml").stem + suffix

    @render.download_button(filename=lambda: named(".toml"))
    def download_run_toml() -> Any:
        done = result()
        if done:
            yield tomlwriter.dumps(done.data)

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

    teach(input)


def traits(input: Inputs) -> lessons.Traits:
    """The teaching view's sliders."""
    return lessons.Traits(
        speed_mph=input.t_speed(), grade_pct=input.t_grade(), direction=input.t_direction(),
        handrail=input.t_handrail(), age_yr=input.t_age(), sex=input.t_sex(),
        mass_kg=input.t_mass(), fitness=input.t_fitness(), hr_rest_bpm=input.t_hr_rest(),
        sbp=input.t_sbp(), dbp=input.t_dbp(), bp_medication=input.t_medication(),
        minutes=input.t_minutes(), energy_model=input.t_model(),
        heart_model=input.t_heart(), practice_min=input.t_practice())


def teach(input: Inputs) -> None:
    """The teaching view: each lesson's figure and its sources, redrawn as sliders move."""
    def lesson(name: str) -> Any:
        def draw() -> Any:
            try:
                return lessons.figure(name, traits(input))
            except InputError as err:
                raise SafeException(str(err)) from None
        draw.__name__ = f"lesson_{name}"
        return render.plot(alt=f"{name} lesson")(draw)

    def listed(name: str) -> Any:
        def show() -> Any:
            rows = lessons.sources(name, traits(input))
            return ui.tags.ul(*[ui.tags.li(ui.tags.code(f), ": ", s) for f, s in rows],
                              class_="sources")
        show.__name__ = f"sources_{name}"
        return render.ui(show)

    for name in ("energy", "kinetics", "heart", "peh"):
        lesson(name)                   # registered under their names, lesson_<name> and
        listed(name)                   # sources_<name>


def make_app() -> App:
    """The Shiny application (served by :func:`retrosim.app.serve.serve`)."""
    return App(page.app_ui(F.default_form(), sorted(bundled())), server)
