"""One visitor's page (Shiny for Python): the form held on the server, the last result and the
status line, shared by the parts of :func:`retrosim.app.server.server`.

The browser shows the form as rows of inputs; :func:`read_form` reads the values typed so far
back into it, so that nothing typed is lost when the rows change shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from shiny import Inputs, Session, reactive

from retrosim.app import form as F
from retrosim.app import outcome


def _value(input: Inputs, key: str, default: Any) -> Any:
    """An input's value, or ``default`` when the browser has not shown that input yet; the
    value shown when the browser's is the same (61.0 stays 61.0, not the browser's 61; an
    unticked box stays "left out" when the file left it out)."""
    if key not in input:
        return default
    typed = input[key]()
    if typed is False and default is None:
        return None
    if typed == default and not isinstance(typed, bool) and not isinstance(default, bool):
        return default
    return typed


def read_form(input: Inputs, shown: F.Form) -> F.Form:
    """The form as the browser holds it now (the structure of ``shown``, the typed values)."""
    person = {key: _value(input, key, shown.person.get(key)) for key, _, _ in F.PERSON_FIELDS
              if key in F.subject_keys() or key in F.BP_HALVES}
    arms = []
    for arm in shown.arms:
        rows = [replace(
            r, action=_value(input, f"s_{r.uid}_action", r.action),
            direction=_value(input, f"s_{r.uid}_direction", r.direction),
            speed=_value(input, f"s_{r.uid}_speed", r.speed),
            unit=_value(input, f"s_{r.uid}_unit", r.unit),
            grade_pct=_value(input, f"s_{r.uid}_grade", r.grade_pct),
            minutes=_value(input, f"s_{r.uid}_minutes", r.minutes),
            handrail=_value(input, f"s_{r.uid}_handrail", r.handrail))
            for r in arm.stages]
        arms.append(replace(arm, name=_value(input, f"a_{arm.uid}_name", arm.name),
                            handrail=_value(input, f"a_{arm.uid}_handrail", arm.handrail),
                            stages=rows))
    return replace(shown, name=_value(input, "scenario_name", shown.name),
                   seed=_value(input, "seed", shown.seed), person=person, arms=arms)


class Visit:
    """One visitor's page: their inputs and session, the form as last shown (``form``), the
    last run's :class:`~retrosim.app.outcome.Outcome` (``result``) and the status line
    (``message``), each a reactive value."""

    def __init__(self, input: Inputs, session: Session) -> None:
        self.input, self.session = input, session
        self.form: reactive.Value[F.Form] = reactive.value(F.default_form())
        self.result: reactive.Value[outcome.Outcome | None] = reactive.value(None)
        self.message: reactive.Value[str] = reactive.value("")

    def current(self) -> F.Form:
        """The form with the values typed so far (read without taking a dependency)."""
        with reactive.isolate():
            return read_form(self.input, self.form())

    async def show_error(self, field: str = "", message: str = "") -> None:
        """Put ``message`` next to the input ``field`` (none: clear the messages shown)."""
        await self.session.send_custom_message("retrosim-error", {
            "field": field, "message": F.page_text(message)})

    def restructure(self, change: Callable[[F.Form], Any]) -> None:
        """Change the form's rows in place (``change``), keeping what was typed, and show it."""
        form = self.current()
        change(form)
        self.form.set(replace(form))
