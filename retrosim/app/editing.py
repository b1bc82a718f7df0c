"""The page's form (Shiny for Python): stages and arms added and removed, and a start from a
bundled scenario or an uploaded file (a recorded session: :mod:`retrosim.app.fitting`).

Before the rows change shape the values typed so far are read back into the form
(:meth:`retrosim.app.visit.Visit.restructure`). An uploaded file is read under the command
line's budgets (:func:`retrosim.app.form.read_upload`); a bad one's one-line message goes next
to the upload field.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from shiny import reactive, ui

from retrosim.app import form as F
from retrosim.app.visit import Visit
from retrosim.errors import InputError
from retrosim.model.scenario import bundled


def register(visit: Visit) -> None:
    """The form's effects on ``visit``: rows added and removed, then the starting points."""
    shipped = bundled()
    _rows(visit)
    _starts(visit, shipped)


def _rows(visit: Visit) -> None:
    """Add a stage (a copy of the arm's last), remove one, add an arm (a copy of the last,
    named ``arm-<n>``), remove one."""
    input = visit.input

    @reactive.effect
    @reactive.event(input.add_stage)
    def _add_stage() -> None:
        def change(form: F.Form) -> None:
            arm = next(a for a in form.arms if a.uid == input.add_stage())
            last = arm.stages[-1] if arm.stages else F.StageRow()
            arm.stages.append(replace(last, uid=F.new_uid()))
        visit.restructure(change)

    @reactive.effect
    @reactive.event(input.remove_stage)
    def _remove_stage() -> None:
        def change(form: F.Form) -> None:
            for arm in form.arms:
                arm.stages[:] = [r for r in arm.stages if r.uid != input.remove_stage()]
        visit.restructure(change)

    @reactive.effect
    @reactive.event(input.add_arm)
    def _add_arm() -> None:
        def change(form: F.Form) -> None:
            names = {a.name for a in form.arms}
            name = next(f"arm-{i}" for i in range(1, len(names) + 2) if f"arm-{i}" not in names)
            stages = [replace(r, uid=F.new_uid()) for r in form.arms[-1].stages] \
                if form.arms else [F.StageRow()]
            form.arms.append(F.ArmRows(name, stages))
        visit.restructure(change)

    @reactive.effect
    @reactive.event(input.remove_arm)
    def _remove_arm() -> None:
        visit.restructure(lambda form: form.arms.__setitem__(
            slice(None), [a for a in form.arms if a.uid != input.remove_arm()]))


def _starts(visit: Visit, shipped: dict[str, Path]) -> None:
    """Start from a bundled scenario (one of ``shipped``) or from an uploaded file."""
    input = visit.input

    @reactive.effect
    @reactive.event(input.bundled)
    async def _bundled() -> None:
        name = input.bundled()
        if name in shipped:
            text = shipped[name].read_text(encoding="utf-8")
            await start_from(visit, tomllib.loads(text), f"{name}.toml", "bundled", text)

    @reactive.effect
    @reactive.event(input.upload)
    async def _upload() -> None:
        await upload(visit, input.upload()[0])


async def upload(visit: Visit, file: dict[str, Any]) -> None:
    """Start from an uploaded file, read under the command line's budgets."""
    try:
        data = F.read_upload(file["datapath"], file["name"])
        original = Path(file["datapath"]).read_text(encoding="utf-8")
    except InputError as err:
        visit.message.set(F.page_text(str(err)))
        await visit.show_error("upload", str(err))
        return
    await start_from(visit, data, file["name"], "upload", original)


async def start_from(visit: Visit, data: dict[str, Any], source: str, field: str,
                     text: str = "") -> None:
    """Show the scenario ``data`` (read from ``source``, whose text is ``text``) as the form,
    its person in the person's inputs; a bad one's message goes next to ``field``."""
    try:
        form = replace(F.form_from_dict(data, source=source), text=text)
    except InputError as err:
        visit.message.set(F.page_text(str(err)))
        await visit.show_error(field, str(err))
        return
    show_person(visit, form)
    ui.update_text("scenario_name", value=form.name)
    if form.seed is None:                       # blank: a seed typed before is not kept
        visit.session.send_input_message("seed", {"value": ""})
    else:
        ui.update_numeric("seed", value=form.seed)
    if form.has_cohort:
        ui.update_numeric("people", value=min(int(form.base["cohort"].get("size", 1000)),
                                              1000))
    visit.form.set(form)
    visit.result.set(None)
    visit.message.set(f"started from {source}")
    await visit.show_error()


def show_person(visit: Visit, form: F.Form) -> None:
    """Put ``form``'s person in the person's inputs; a number the form leaves blank (a trait
    predicted, or one a fit holds as ``{mean, sd}``) is blanked and a choice it leaves out
    shows the model's default, so that nothing typed before hides it."""
    for key, _, kind in F.PERSON_FIELDS:
        if key not in visit.input:
            continue
        value = form.person.get(key)
        if kind == "number":
            if value is None:
                visit.session.send_input_message(key, {"value": ""})
            else:
                ui.update_numeric(key, value=value)
        elif kind == "flag":
            ui.update_checkbox(key, value=bool(value))
        else:                                   # "": the model's default (left out)
            ui.update_select(key, selected="" if value is None else value)
