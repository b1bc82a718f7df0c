"""The page's behaviour (Shiny for Python): the form's state, runs, figures and downloads.

The arms are a :class:`retrosim.app.form.Form` held on the server (:mod:`retrosim.app.visit`);
the browser shows it as rows of inputs. :func:`server` wires one visitor's page from its
parts: the form's rows and starting points (:mod:`retrosim.app.editing`), a person fitted
to an uploaded recording (:mod:`retrosim.app.fitting`), the run as an
extended task the visitor can cancel (:mod:`retrosim.app.running`), the outputs
(:mod:`retrosim.app.outputs`) and the teaching view (:func:`teach`).
"""

from __future__ import annotations

from typing import Any

from shiny import App, Inputs, Outputs, Session, render, ui
from shiny.types import SafeException

from retrosim.app import design_tab, editing, fitting, lessons, outputs, page, running
from retrosim.app import form as F
from retrosim.app.visit import Visit
from retrosim.errors import InputError
from retrosim.model.scenario import bundled


def server(input: Inputs, output: Outputs, session: Session) -> None:
    """One visitor's page: the form, the run, the outputs and the teaching view."""
    visit = Visit(input, session)
    editing.register(visit)
    fitting.register(visit)
    running.register(visit)
    outputs.register(visit)
    teach(input)
    design_tab.register(input, output, session)


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
