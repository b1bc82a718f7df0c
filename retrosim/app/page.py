"""The page's layout (Shiny for Python): the what-if view and the teaching view.

Every input has a stable id that the server and the browser tests use: the person's fields
by key (``mass_kg``, ``berg``, ``sbp``, ...), each arm ``a_<uid>_name`` / ``a_<uid>_handrail``
inside ``#arm-<uid>``, each stage ``s_<uid>_<column>`` inside ``#row-<uid>``. A one-line
message from the model is put right after the field it names (``retrosim-error`` below).
Everything the page loads is served by the app itself: Shiny's own scripts and styles, inline
CSS and the few lines of script here.
"""

from __future__ import annotations

from typing import Any

from shiny import ui

from retrosim.app import design_tab, lessons, outcome
from retrosim.app import form as F
from retrosim.model import tomlwriter
from retrosim.physiology import energy, heart

STYLE = """
.stage-row { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; }
.stage-row .form-group, .stage-row .shiny-input-container { margin-bottom: .2rem; width: auto; }
.stage-row select, .stage-row input { max-width: 7.5rem; }
.stage-head { display: flex; gap: .4rem; font-size: .8rem; color: #555; }
.arm { border: 1px solid #ddd; border-radius: .4rem; padding: .5rem; margin-bottom: .6rem; }
.arm-head { display: flex; gap: .6rem; align-items: end; flex-wrap: wrap; }
.field-error { color: #b00020; font-size: .85rem; margin: .1rem 0 .4rem 0; }
.has-error input, .has-error select { border-color: #b00020; }
#comparison-table td.num { text-align: right; white-space: nowrap; }
.sources { font-size: .8rem; color: #444; } .sources code { font-size: .8rem; }
.command { font-family: monospace; background: #f5f5f5; padding: .2rem .4rem; }
"""

#: Shows the model's one-line message next to the field it names, and clears old ones.
SCRIPT = """
Shiny.addCustomMessageHandler('retrosim-error', function (m) {
  document.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
  document.querySelectorAll('.has-error').forEach(function (e) {
    e.classList.remove('has-error'); });
  if (!m.field) { return; }
  var el = document.getElementById(m.field) || document.getElementById('run');
  var box = el.closest('.shiny-input-container') || el;
  box.classList.add('has-error');
  var div = document.createElement('div');
  div.className = 'field-error'; div.setAttribute('role', 'alert');
  div.setAttribute('data-field', m.field); div.textContent = m.message;
  box.insertAdjacentElement('afterend', div);
});
function retrosimEvent(name, value) {
  Shiny.setInputValue(name, value, {priority: 'event'});
}
"""

#: The figures' tabs: (key, title, height). Traces show the median and the 25-75 % and
#: 5-95 % bands over people; only the tab on show is drawn.
FIGURE_TABS = (("speed", "Speed", "420px"), ("vo2", "VO2", "420px"),
               ("hr", "Heart rate", "420px"), ("bp", "Blood pressure", "420px"),
               ("falls", "Fall risk per arm", "300px"),
               ("readings", "BP readings, 30-minute line", "460px"))
HANDRAIL_OF_ARM = {"": "the person's", **{h: h for h in F.HANDRAILS}}
HANDRAIL_OF_STAGE = {"": "the arm's", **{h: h for h in F.HANDRAILS}}


def _numeric(key: str, label: str | ui.Tag | None, value: float | None) -> ui.Tag:
    """A number input; ``None`` shows it blank (the model then says what is missing)."""
    return ui.input_numeric(key, label, value)  # type: ignore[arg-type]


def _button(label: str, event: str, value: str, cls: str = "btn btn-sm btn-outline-secondary",
            **attrs: Any) -> ui.Tag:
    return ui.tags.button(label, type="button", class_=cls,
                          onclick=f"retrosimEvent('{event}', '{value}')", **attrs)


def _hidden(text: str) -> ui.Tag:
    """A label a screen reader reads and the eye does not see (the row's head shows it)."""
    return ui.span(text, class_="visually-hidden")


def stage_row(row: F.StageRow, where: str = "stage") -> ui.Tag:
    """One stage as a row of inputs; ``where`` ("forward, stage 2") begins each label."""
    u = row.uid
    return ui.div(
        ui.input_select(f"s_{u}_action", _hidden(f"{where}: action"), ["walk", "rest"],
                        selected=row.action),
        ui.input_select(f"s_{u}_direction", _hidden(f"{where}: direction"),
                        list(F.DIRECTIONS), selected=row.direction),
        _numeric(f"s_{u}_speed", _hidden(f"{where}: speed"), row.speed),
        ui.input_select(f"s_{u}_unit", _hidden(f"{where}: speed unit"), list(F.SPEED_UNITS),
                        selected=row.unit),
        _numeric(f"s_{u}_grade", _hidden(f"{where}: grade [%]"), row.grade_pct),
        _numeric(f"s_{u}_minutes", _hidden(f"{where}: minutes"), row.minutes),
        ui.input_select(f"s_{u}_handrail", _hidden(f"{where}: handrail"), HANDRAIL_OF_STAGE,
                        selected=row.handrail),
        _button("remove", "remove_stage", u, title="remove this stage",
                **{"aria-label": f"remove {where}"}),
        id=f"row-{u}", class_="stage-row")


def arm_block(arm: F.ArmRows) -> ui.Tag:
    """One arm: its name and handrail, then its stages."""
    u = arm.uid
    head = ["action", "direction", "speed", "unit", "grade %", "minutes", "handrail"]
    return ui.div(
        ui.div(ui.input_text(f"a_{u}_name", "Arm", arm.name),
               ui.input_select(f"a_{u}_handrail", "Handrail", HANDRAIL_OF_ARM,
                               selected=arm.handrail),
               _button("remove arm", "remove_arm", u), class_="arm-head"),
        ui.div(*[ui.span(h, style="width: 7.5rem") for h in head], class_="stage-head"),
        *[stage_row(r, f"{arm.name}, stage {i}") for i, r in enumerate(arm.stages, 1)],
        _button("+ stage", "add_stage", u, id=f"add-stage-{u}"),
        ui.p(f"From the file (kept as it is): {', '.join(arm.extra)}.", class_="small mb-0")
        if arm.extra else None,
        id=f"arm-{u}", class_="arm")


def arms_block(form: F.Form) -> ui.TagList:
    """All arms, and the note on what the file keeps that the rows do not show."""
    kept = [k for k in form.base if k not in ("description", "subject")]
    note = (ui.p(f"From the file (kept as it is): {', '.join(kept)}.", class_="small",
                 id="kept-from-file") if kept else None)
    cohort = ui.p("This scenario draws its people from a [cohort]: the person fields do not "
                  "apply.", class_="small text-warning") if form.has_cohort else None
    return ui.TagList(cohort, *[arm_block(a) for a in form.arms], note)


def _person_input(key: str, label: str, kind: str, value: Any) -> ui.Tag:
    if kind == "number":
        return _numeric(key, label, value)
    if kind == "flag":
        return ui.input_checkbox(key, label, bool(value))
    choices = {"sex": F.SEXES, "balance": F.BALANCE_CHOICES, "fitness": F.FITNESS,
               "handrail": F.HANDRAILS}[key]
    labels = {c: "Berg score (below)" if c == "berg" else c for c in choices}
    if key in F.DEFAULTED:                     # "": the file leaves it out, the default applies
        labels = {"": f"default ({F.subject_default(key)})", **labels}
    return ui.input_select(key, label, labels, selected="" if value is None else value)


def person_card(form: F.Form) -> ui.Tag:
    """The person: every field of :data:`retrosim.app.form.PERSON_FIELDS`."""
    known = F.subject_keys()
    fields = []
    for key, label, kind in F.PERSON_FIELDS:
        if key in F.BP_HALVES or key in known or key == "berg":
            fields.append(_person_input(key, label, kind, form.person.get(key)))
        else:                         # a key this version's scenario format does not have
            fields.append(ui.p(f"{label}: not in this version's scenario format",
                               class_="small text-muted", id=key))
    return ui.card(ui.card_header("Person"), *fields, ui.output_ui("person_extra"))


def person_extra(form: F.Form) -> ui.Tag | None:
    """The ``[subject]`` keys the person's fields do not show, as the file gave them."""
    extra = F.person_extra(form)
    if not extra:
        return None
    return ui.div(ui.p("From the file (kept as it is):", class_="small mb-1"),
                  ui.tags.ul(*[ui.tags.li(ui.tags.code(k), " = ", _toml_value(v),
                                          **{"data-key": k}) for k, v in extra.items()],
                             class_="small"), id="person-from-file")


def _toml_value(value: Any) -> str:
    """A value as TOML writes it (``{mean = 75.5, sd = 0.41}``)."""
    return tomlwriter.dumps({"x": value}).split("=", 1)[1].strip()


def scenario_card(form: F.Form, bundled: list[str]) -> ui.Tag:
    """Name, seed, people; start from a bundled scenario or a file, or fit the person to a
    recording; download the TOML."""
    return ui.card(
        ui.card_header("Scenario"),
        ui.input_select("bundled", "Start from a bundled scenario", ["", *bundled]),
        _file("upload", "or from a scenario file (TOML)", [".toml"]),
        _file("recording", "Fit the person to a recording (CSV, FIT, TCX, FTMS log)",
              [".csv", ".fit", ".tcx", ".nc"]),
        ui.input_text("scenario_name", "Name", form.name),
        _numeric("seed", "Seed", form.seed),
        ui.input_numeric("people", "People (virtual walkers)", 1000),
        ui.download_button("download_toml", "Download scenario (TOML)"))


def _file(key: str, label: str, accept: list[str]) -> ui.Tag:
    """A file input whose box of the chosen file's name is named for a screen reader."""
    tag = ui.input_file(key, label, accept=accept)

    def name(node: Any) -> None:
        for child in getattr(node, "children", []):
            if getattr(child, "name", "") == "input" and child.attrs.get("type") == "text":
                child.attrs["aria-label"] = f"{label}: the file chosen"
            name(child)

    name(tag)
    return tag


def _figure(key: str, height: str) -> list[ui.Tag]:
    """A figure's tab: the image, and for a trace the values at the time pointed at."""
    if key not in outcome.TRACE_FIGURES:
        return [ui.output_plot(f"plot_{key}", height=height)]
    return [ui.output_plot(f"plot_{key}", height=height,
                           hover=ui.hover_opts(delay=100, delay_type="throttle")),
            ui.output_ui(f"values_{key}")]


def whatif_view(form: F.Form, bundled: list[str]) -> Any:
    return ui.layout_columns(
        ui.div(person_card(form), scenario_card(form, bundled)),
        ui.div(
            ui.card(ui.card_header("Arms"), ui.output_ui("arms"),
                    ui.div(_button("+ arm", "add_arm", "new", id="add-arm"),
                           ui.input_action_button("run", "Run", class_="btn-primary"),
                           ui.input_action_button("cancel", "Cancel the run",
                                                  class_="btn-outline-secondary"),
                           style="display: flex; gap: .6rem")),
            ui.output_ui("status"),
            ui.card(ui.card_header("Fitted person"), ui.output_ui("fit_table"),
                    ui.output_plot("fit_figure", height="420px")),
            ui.card(ui.card_header("Comparison"), ui.output_ui("table"),
                    ui.output_ui("downloads")),
            ui.card(ui.card_header("Warnings and guidance"), ui.output_ui("warnings")),
            ui.navset_card_tab(*[ui.nav_panel(title, *_figure(key, height), value=key)
                                 for key, title, height in FIGURE_TABS], id="figures")),
        col_widths=(3, 9))


def teaching_view() -> Any:
    t = lessons.Traits()
    controls = ui.sidebar(
        ui.input_slider("t_speed", "Speed [mph]", 0.5, 4.5, t.speed_mph, step=0.1),
        ui.input_slider("t_grade", "Grade [%]", 0.0, 15.0, t.grade_pct, step=0.5),
        ui.input_radio_buttons("t_direction", "Direction", list(F.DIRECTIONS),
                               selected=t.direction, inline=True),
        ui.input_radio_buttons("t_handrail", "Handrail", list(F.HANDRAILS),
                               selected=t.handrail, inline=True),
        ui.input_slider("t_minutes", "Bout [min]", 1, 60, t.minutes),
        ui.input_select("t_model", "Energy model", list(energy.ENERGY_MODELS),
                        selected=t.energy_model),
        ui.input_select("t_heart", "Heart-rate model", list(heart.HR_MODELS),
                        selected=t.heart_model),
        ui.input_slider("t_practice", "Backward practice [min]", 0, 600, t.practice_min,
                        step=10),
        ui.input_slider("t_age", "Age [yr]", 18, 100, t.age_yr),
        ui.input_radio_buttons("t_sex", "Sex", list(F.SEXES), selected=t.sex, inline=True),
        ui.input_slider("t_mass", "Body mass [kg]", 30, 200, t.mass_kg),
        ui.input_select("t_fitness", "Fitness", list(F.FITNESS), selected=t.fitness),
        ui.input_slider("t_hr_rest", "Resting HR [bpm]", 35, 120, t.hr_rest_bpm),
        ui.input_slider("t_sbp", "Resting SBP [mmHg]", 80, 220, t.sbp),
        ui.input_slider("t_dbp", "Resting DBP [mmHg]", 40, 130, t.dbp),
        ui.input_checkbox("t_medication", "Antihypertensive medication", t.bp_medication),
        width=300)
    titles = {"energy": "Energy: forward against backward, by speed and by grade",
              "kinetics": "VO2 on- and off-kinetics: the O2 deficit and EPOC",
              "heart": "Heart rate against the oxygen uptake reserve",
              "peh": "Post-exercise hypotension over the next 24 hours"}
    cards = [ui.card(ui.card_header(title), ui.output_plot(f"lesson_{key}", height="320px"),
                     ui.output_ui(f"sources_{key}"), id=f"lesson_card_{key}")
             for key, title in titles.items()]
    return ui.layout_sidebar(controls, *cards)


def app_ui(form: F.Form, bundled: list[str]) -> ui.Tag:
    """The whole page."""
    return ui.page_navbar(
        ui.nav_panel("What-if", whatif_view(form, bundled), value="whatif"),
        ui.nav_panel("Teaching", teaching_view(), value="teaching"),
        ui.nav_panel("Design", design_tab.panel(bundled), value="design"),
        title="retrosim", id="view",
        header=ui.tags.head(ui.tags.style(STYLE), ui.tags.script(SCRIPT)))
