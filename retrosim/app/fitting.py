"""The page's recording upload (Shiny for Python): the person fitted to a recorded session.

An uploaded recording (CSV, FIT, TCX, or the FTMS treadmill's log) is fitted as ``retrosim
fit`` fits it (:func:`retrosim.fit.workflow.fit_recording`, under the same budgets: the file's
size, the recording's length and readings), with the mass, age and sex of the form's person,
in a process of its own under the visitor's run budget
(:func:`retrosim.app.worker.runner_for`: the visitor's runs and fits take turns, each within
the run's time, all within the visit's). The fitted traits go into the form as ``{mean, sd,
from = "fit"}`` (:func:`fitted_form`), as uploading the person file ``retrosim fit`` writes
would: the what-if's arms then run with the fitted person, and their prediction intervals
carry the fit's uncertainty. A new recording replaces an earlier fit. The fit's table and
figure (:mod:`retrosim.fit.plot`) are shown under the status line; a bad file's one-line
message goes next to the upload field.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from shiny import reactive, render, ui

from retrosim.app import editing, worker
from retrosim.app import form as F
from retrosim.app.visit import Visit
from retrosim.errors import InputError, RetrosimError
from retrosim.fit import plot
from retrosim.fit.formats import check_file
from retrosim.fit.person import TRAITS, PersonFit
from retrosim.fit.workflow import Outcome, fit_recording

#: The recordings the page reads: those of ``retrosim fit`` (``.nc``: the FTMS treadmill's log).
SUFFIXES = (".csv", ".fit", ".tcx", ".nc")
#: The person's fields the fit is told (they set its priors).
TOLD = ("mass_kg", "age_yr", "sex")


def fit_upload(path: str | Path, name: str, person: dict[str, Any]) -> Outcome:
    """Fit the recording at ``path`` (the visitor's file ``name``) for ``person`` (the form's
    person fields); every problem is an InputError naming ``name``."""
    suffix = check_file(path, name, SUFFIXES)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-") or "recording"
    with tempfile.TemporaryDirectory(prefix="retrosim-fit-") as folder:
        local = Path(folder) / f"{stem}{suffix}"        # its name in the notes and the figure
        shutil.copyfile(path, local)
        try:
            return fit_recording(local, person={k: person.get(k) for k in TOLD})
        except InputError as err:
            raise err.within(source=name) from None


def fitted_form(form: F.Form, fit: PersonFit) -> F.Form:
    """``form`` with its person fitted: the traits the record informed as ``{mean, sd,
    from = "fit"}`` in ``[subject]`` (their fields blank, so nothing typed hides them), the
    mass, age and sex the fit was told; an earlier fit's traits are replaced."""
    person = dict(form.person, mass_kg=fit.subject.mass_kg, age_yr=fit.subject.age_yr,
                  sex=fit.subject.sex)
    for key in fit.informed:
        person[key] = None
    subject = {k: v for k, v in form.base.get("subject", {}).items()
               if not (k in TRAITS and isinstance(v, dict))}
    subject.update(fit.subject_table())
    return replace(form, person=person, base={**form.base, "subject": subject})


def summary(fit: PersonFit) -> list[tuple[str, str, str, str, str]]:
    """The fit's table as ``retrosim fit`` prints it: trait, mean, sd, 90 % interval, status."""
    return [(key, f"{t.mean:.1f}", f"{t.sd:.2f}", f"{t.low:.1f} - {t.high:.1f}", t.status)
            for key, t in fit.traits.items()]


def register(visit: Visit) -> None:
    """The recording's upload, and the fit's table and figure."""
    input = visit.input
    fitted: reactive.Value[PersonFit | None] = reactive.value(None)

    @reactive.effect
    @reactive.event(input.recording)
    async def _recording() -> None:
        file = input.recording()[0]
        form = visit.current()
        try:
            if form.has_cohort:
                raise InputError("", "the scenario draws its people from a [cohort]: there is "
                                 "no one person to fit", "a scenario with a [subject]",
                                 source=file["name"])
            done = await worker.runner_for(visit).call(
                fit_upload, (file["datapath"], file["name"], form.person), what="fit",
                smaller="a shorter recording on this page, or 'retrosim fit' on the command "
                        "line")
        except RetrosimError as err:           # InputError, or the fit died or ran out of time
            visit.message.set(str(err))
            await visit.show_error("recording", str(err))
            return
        new = fitted_form(form, done.fit)
        editing.show_person(visit, new)
        visit.form.set(new)
        visit.result.set(None)
        fitted.set(done.fit)
        visit.message.set(f"fitted the person to {file['name']} "
                          f"({done.fit.recording.duration_s / 60:.1f} min): "
                          f"{', '.join(done.fit.informed) or 'nothing'}; "
                          + " ".join(f"{w}." for w in done.warnings))
        await visit.show_error()

    @render.ui
    def fit_table() -> Any:
        fit = fitted()
        if fit is None:
            return ui.p("No recording fitted yet.", class_="small text-muted")
        head = ui.tags.tr(*[ui.tags.th(h) for h in ("trait", "mean", "sd", "90% interval",
                                                    "status")])
        rows = [ui.tags.tr(*[ui.tags.td(c) for c in row]) for row in summary(fit)]
        return ui.tags.table(ui.tags.thead(head), ui.tags.tbody(*rows),
                             class_="table table-sm", id="fit-table")

    @render.plot(alt="the recorded heart rate against the fitted model, with its 90% bands")
    def fit_figure() -> Any:
        fit = fitted()
        return None if fit is None else plot.figure(fit)
