"""A run of the page (Shiny for Python): started, cancelled, and its outcome or error shown.

A run reads the whole form, builds the scenario dictionary and runs it
(:mod:`retrosim.app.outcome`) in a process of its own, as an extended task the visitor can
cancel, within the visitor's budget (:mod:`retrosim.app.worker`); a bad value's one-line
message goes next to its field.
"""

from __future__ import annotations

from typing import Any

from shiny import reactive

from retrosim.app import form as F
from retrosim.app import outcome, worker
from retrosim.app.visit import Visit
from retrosim.errors import InputError


def register(visit: Visit) -> None:
    """The run's task and effects on ``visit``: Run, Cancel, and the run's end."""
    input = visit.input
    runner = worker.runner_for(visit)                 # shared with the recording's fit
    running: reactive.Value[F.Form | None] = reactive.value(None)

    @reactive.extended_task
    async def job(data: dict[str, Any], source: str, people: int | None) -> outcome.Outcome:
        return await runner.run(data, source, people)      # in a process: the loop stays free

    @reactive.effect
    @reactive.event(input.run)
    async def _run() -> None:
        form = visit.current()
        if runner.busy:
            visit.message.set("a run is under way: wait for it, or cancel it")
            return
        try:
            data = F.scenario_dict(form)
        except InputError as err:                # the last good result stays on show
            visit.message.set(_kept(visit, str(err)))
            await visit.show_error(F.field_of(err, form), str(err))
            return
        visit.form.set(form)
        running.set(form)
        visit.message.set(f"running {form.file_name} ...")
        await visit.show_error()
        job.invoke(data, form.file_name, input.people())

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel() -> None:
        job.cancel()

    @reactive.effect
    async def _finished() -> None:
        status = job.status()
        with reactive.isolate():
            form = running() or visit.current()
        if status == "success":
            done = job.value()
            visit.result.set(done)
            visit.message.set(f"ran {form.file_name} for {done.subjects:,} people")
        elif status == "error":
            err = job.error()
            text = str(err).splitlines()[0] if str(err) else type(err).__name__
            visit.message.set(_kept(visit, text))
            field = F.field_of(err, form) if isinstance(err, InputError) else "run"
            await visit.show_error(field, text)
        elif status == "cancelled":
            visit.message.set(f"cancelled the run of {form.file_name}")


def _kept(visit: Visit, message: str) -> str:
    """The status line of a run that did not start or failed: its message, and which good
    result stays on show (the last run's, unchanged)."""
    with reactive.isolate():
        done = visit.result()
    shown = f" (on show: the last good run, {done.source})" if done else ""
    return F.page_text(message) + shown
