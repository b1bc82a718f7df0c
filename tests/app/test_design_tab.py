"""The page's Design tab, driven as a browser drives it (Shiny's MockConnection): the search
runs in the run worker and the front it shows is ``retrosim design``'s; bad values are one
line; each design is a runnable scenario."""

from __future__ import annotations

import asyncio
import json
import re
import tomllib

import pytest

pytest.importorskip("shiny", reason="the app extra is not installed")

from shiny import App, ui  # noqa: E402
from shiny._connection import MockConnection  # noqa: E402

import retrosim  # noqa: E402
from retrosim.app import design_tab  # noqa: E402
from retrosim.design.study import run_design  # noqa: E402

INPUTS = {"d_scenario": "knee-rehab-first-session", "d_maximise": ["energy_walking"],
          "d_minimise": ["fall_risk"], "d_vary": ["speed_mph", "minutes"],
          "d_limits": "fall_risk<=0.001\nhr_reserve_peak<=0.70", "d_budget": 16, "d_draws": 10,
          "d_seed": 2, "d_pick": "0", **{f"d_range_{name}": value
                                          for name, value in design_tab.RANGES.items()},
          **{f".clientdata_output_{name}_hidden": False for name in ("d_message", "d_table")}}


class Recorded(MockConnection):
    """A connection that keeps what the server sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict] = []

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))

    def value(self, name: str) -> object:
        """The last value the server sent for the output ``name``."""
        shown = [m["values"][name] for m in self.sent if name in m.get("values", {})]
        return shown[-1] if shown else None


async def _visit(inputs: dict, until: str, timeout_s: float = 300.0) -> Recorded:
    """Open the tab with ``inputs``, press Search, and wait for a message matching
    ``until``."""
    app = App(ui.page_fluid(design_tab.panel(["knee-rehab-first-session"])),
              lambda i, o, s: design_tab.register(i, o, s))
    conn = Recorded()
    session = app._create_session(conn)
    running = asyncio.create_task(session._run())
    conn.cause_receive(json.dumps({"method": "init", "data": inputs}))
    conn.cause_receive(json.dumps({"method": "update", "data": {"d_run:shiny.action": 1}}))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while loop.time() < end and not re.search(until, str(conn.value("d_message") or "")):
        await asyncio.sleep(0.2)
    conn.cause_disconnect()
    await asyncio.wait_for(running, 30)
    return conn


def test_the_tab_shows_the_front_retrosim_design_finds():
    # the limit of 70 % of the reserve leaves a front (6 designs): under the default
    # walking-cost person term none of the 16 draws stays under 60 % for this patient
    conn = asyncio.run(_visit(INPUTS, r"on the front|error|failed"))
    message = str(conn.value("d_message"))
    assert "on the front" in message and "seed 2" in message, message
    shown = conn.value("d_table")
    html = shown["html"] if isinstance(shown, dict) else str(shown)
    rows = re.findall(r"<tr><td>design-\d\d</td>(.*?)</tr>", html)
    same = run_design("knee-rehab-first-session", objectives=["energy_walking", "-fall_risk"],
                      vary=["speed_mph=0.5..3.0", "minutes=5..30"],
                      limits=["fall_risk<=0.001", "hr_reserve_peak<=0.70"], budget=16,
                      draws=10, seed=2).dataset()
    assert len(rows) == same.sizes["design"] > 0
    first = re.findall(r"<td>([^<]*)</td>", rows[0])
    assert float(first[0]) == float(same.speed_mph[0]) and float(first[1]) == float(
        same.minutes[0])
    assert float(first[2]) == pytest.approx(float(same.energy_walking[0]), rel=1e-3)


def test_a_value_beyond_the_page_is_one_line_and_nothing_runs():
    conn = asyncio.run(_visit({**INPUTS, "d_budget": 50_000}, r"budget"))
    message = str(conn.value("d_message"))
    assert message.startswith("budget: 50000 is outside what this page runs"), message
    assert "\n" not in message and conn.value("d_table") is None


def test_a_range_the_visitor_sets_is_searched_and_a_bad_one_is_the_command_lines_line():
    spec = {"scenario": "knee-rehab-first-session", "maximise": ["energy_walking"],
            "minimise": [], "vary": ["speed_mph", "direction"], "limits": "", "budget": 8,
            "draws": 0, "seed": 1, "ranges": {"speed_mph": "1.0..1.4",
                                              "direction": "backward"}}
    assert design_tab.arguments(spec)["vary"] == ["speed_mph=1.0..1.4", "direction=backward"]
    found = design_tab.search(spec, spec["scenario"], None)
    assert set(found.front.speed_mph.values) <= {1.0, 1.1, 1.2, 1.3, 1.4}
    assert set(found.front.direction.values) == {"backward"}
    for text, line in (("3..1", "vary speed_mph: the range 3..1 is empty; allowed: LO..HI "
                                "with LO <= HI"),
                       ("0.5..20", "vary speed_mph: 0.5..20 is outside the range a design may "
                                   "take; allowed: 0.1..12"),
                       ("fast", "vary speed_mph: is a range; allowed: LO..HI"),
                       ("", "vary: 'speed_mph=' is not NAME=LO..HI or NAME=A,B")):
        with pytest.raises(design_tab.InputError) as err:
            design_tab.arguments({**spec, "ranges": {**spec["ranges"], "speed_mph": text}})
        assert str(err.value).startswith(line) and "\n" not in str(err.value), str(err.value)
    with pytest.raises(design_tab.InputError, match="vary direction: 'sideways' is not a "
                                                    "choice; allowed: forward, backward"):
        design_tab.arguments({**spec, "ranges": {**spec["ranges"], "direction": "sideways"}})


def test_a_bad_range_on_the_page_is_one_line_and_nothing_runs():
    conn = asyncio.run(_visit({**INPUTS, "d_range_minutes": "30..5"}, r"vary"))
    message = str(conn.value("d_message"))
    assert message.startswith("vary minutes: the range 30..5 is empty"), message
    assert "\n" not in message and conn.value("d_table") is None


def test_each_design_is_a_runnable_scenario():
    spec = {"scenario": "knee-rehab-first-session", "maximise": ["energy_walking"],
            "minimise": [], "vary": ["speed_mph"], "limits": "fall_risk<=0.001", "budget": 8,
            "draws": 5, "seed": 1}
    found = design_tab.search(spec, spec["scenario"], None)
    assert len(found.designs) == found.front.sizes["design"] >= 1
    doc = tomllib.loads(found.designs[0])
    assert doc["seed"] == 1 and doc["subject"]["age_yr"] == 68
    ds = retrosim.run(retrosim.Scenario.from_dict(doc), traces=False)
    assert float(ds.energy_exercise.isel(arm=0, subject=0)) == pytest.approx(
        float(found.front.energy_walking[0]), rel=1e-9)
