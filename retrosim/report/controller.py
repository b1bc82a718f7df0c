"""The report's section on controlled arms: the controller, its parameters, the faults and
when they struck, and each safety invariant's result.

An arm with a controller does not walk its stages as written: the stages are where the
controller starts from, and it sets the speed and incline from then on. This section says who
was in control, what went wrong on purpose and whether the invariants of
:mod:`retrosim.testing` held. :func:`describe` builds it from the sessions of a run (the
report runs them anyway: the invariants are checked session by session, without traces);
:func:`from_dataset` from a saved result with traces.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

import numpy as np

from retrosim import api
from retrosim.testing.invariants import check, check_sessions

STEP_S = 1.0        # the trace resolution the invariants see, as ``retrosim check`` does


def _controller_rows(scenario: Any) -> list[tuple[str, str, str, str]]:
    """(arm, controller, parameters, faults) of each controlled arm."""
    rows = []
    for arm in api.controlled_arms(scenario):
        spec = arm.controller
        label = spec.label if spec is not None else "protocol (the stages as written)"
        params = ", ".join(f"{k} = {v!r}" for k, v in (spec.params if spec else ()))
        if spec is not None and spec.period_s is not None:
            params = ", ".join(p for p in (f"period_s = {spec.period_s:g}", params) if p)
        faults = "; ".join(str(f) for f in arm.faults)
        rows.append((arm.name, label, params or "defaults", faults or "none"))
    return rows


def _struck(ds: Any) -> dict[str, list[str]]:
    """Per arm, each fault's start and end as logged (``fault`` events), in time order."""
    if "event_kind" not in ds:
        return {}
    hit = ds.event_kind.values == "fault"
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    order = np.argsort(ds.event_time.values[hit], kind="stable")
    for i in order:
        arm = str(ds.event_arm.values[hit][i])
        text = f"t = {float(ds.event_time.values[hit][i]):g} s: {ds.event_detail.values[hit][i]}"
        if (arm, text) not in seen:
            seen.add((arm, text))
            out.setdefault(arm, []).append(text)
    return out


def _invariant_table(report: Any) -> str:
    rows = []
    failed = {v.invariant: v for v in report.violations}
    for name in report.checked:
        if name in failed:
            v = failed[name]
            result = (f"<td>violated</td><td>{escape(str(v))} ({report.cases[name]} of "
                      f"{report.pairs} arm-subject pairs)</td>")
        else:
            result = "<td>holds</td><td></td>"
        rows.append(f"<tr><td>{escape(name)}</td>{result}</tr>")
    return ("<table><thead><tr><th>invariant</th><th>result</th><th>first violation"
            "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def render(rows: list[tuple[str, str, str, str]], struck: dict[str, list[str]],
           report: Any) -> str:
    """The section's HTML from the controlled arms, the faults' events and the invariants."""
    if not rows:
        return ""
    body = ["<p>On these arms a controller sets the belt's speed and incline: the stages under "
            "'The arms' are where it starts from, not what the belt did (see the traces).</p>",
            "<table><thead><tr><th>arm</th><th>controller</th><th>parameters</th>"
            "<th>faults scheduled</th><th>faults as they struck</th></tr></thead><tbody>"]
    for arm, label, params, faults in rows:
        events = "<br>".join(escape(e) for e in struck.get(arm, [])) or "none"
        body.append(f"<tr><td>{escape(arm)}</td><td>{escape(label)}</td><td>{escape(params)}"
                    f"</td><td>{escape(faults)}</td><td>{events}</td></tr>")
    body.append("</tbody></table>")
    if report is not None:
        verdict = "every invariant holds" if report.ok else \
            f"{len(report.violations)} of {len(report.checked)} invariants violated"
        body.append(f"<p>Safety invariants against the scenario's [safety] limits, at "
                    f"{STEP_S:g} s resolution: {verdict} (retrosim check gives the same "
                    "report).</p>")
        body.append(_invariant_table(report))
    return "".join(body)


def describe(scenario: Any, sessions: Iterable[Any], ds: Any) -> str:
    """The section for a run: ``sessions`` are its sessions (all arms), ``ds`` its result."""
    rows = _controller_rows(scenario)
    if not rows:
        return ""
    report = check_sessions(list(sessions), scenario.safety, list(scenario.arms), STEP_S)
    return render(rows, _struck(ds), report)


def from_dataset(ds: Any) -> str:
    """The section for a saved result: its controllers as recorded, its faults' events and,
    when it has traces, the invariants."""
    lines = [line for line in str(ds.attrs.get("controllers", "")).splitlines() if line]
    if not lines:
        return ""
    rows = []
    for line in lines:
        arm, _, rest = line.partition(": ")
        label, *faults = rest.split("; fault ")
        rows.append((arm, label, "as recorded in the result", "; ".join(faults) or "none"))
    report = check(ds) if "speed" in ds else None
    return render(rows, _struck(ds), report)


def section(data: Any) -> str:
    """The report section (see the module docstring): what the run computed, or the saved
    result's."""
    text = getattr(data, "controllers", None)
    return text if text is not None else from_dataset(data.ds)
