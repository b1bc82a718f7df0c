"""The page under hostile use, through Shiny's own session machinery (a mock connection in
place of the browser's websocket): uploads that are too deep or too large, and one visitor's
long run while another visitor uses the page."""

from __future__ import annotations

import asyncio
import json
import multiprocessing

import pytest

pytest.importorskip("shiny", reason="the app extra is not installed")

from shiny._connection import MockConnection  # noqa: E402

from retrosim.app import worker  # noqa: E402
from retrosim.app.server import make_app  # noqa: E402
from retrosim.errors import InputError  # noqa: E402

#: Outputs the visitors' pages show (Shiny sends only the outputs a page shows).
SHOWN = {f".clientdata_output_{name}_hidden": False for name in ("status", "arms")}


class Visitor(MockConnection):
    """One browser tab: what it sends, and everything the server sent it."""

    def __init__(self, app) -> None:
        super().__init__()
        self.sent: list[dict] = []
        self.changed = asyncio.Event()
        self.session = app._create_session(self)
        self.task = asyncio.create_task(self.session._run())

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))
        self.changed.set()

    def say(self, method: str, data: dict) -> None:
        self.cause_receive(json.dumps({"method": method, "data": data}))

    def statuses(self) -> list[str]:
        return [str(m["values"]["status"]) for m in self.sent
                if "values" in m and m["values"].get("status")]

    def errors(self) -> list[dict]:
        return [m["custom"]["retrosim-error"] for m in self.sent
                if "retrosim-error" in m.get("custom", {})]

    async def until(self, what, timeout: float = 120.0):
        """Wait until ``what()`` is true (a guard against a hang, not a timing test)."""
        async def wait():
            while not what():
                if self.task.done():
                    raise AssertionError("the server closed the session")
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(wait(), timeout)

    async def leave(self) -> None:
        self.cause_disconnect()
        await asyncio.wait_for(self.task, 30)


def _upload(visitor: Visitor, path, name: str) -> None:
    visitor.say("update", {"upload": [{"name": name, "size": path.stat().st_size,
                                       "type": "", "datapath": str(path)}]})


def test_an_upload_nested_100000_deep_is_one_line_and_the_session_lives(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")

    async def visit():
        page = Visitor(make_app())
        page.say("init", {"people": 1, **SHOWN})
        _upload(page, deep, "deep.toml")
        await page.until(lambda: any(e["field"] == "upload" for e in page.errors()))
        error = next(e for e in page.errors() if e["field"] == "upload")
        assert error["message"] == ("deep.toml: nests arrays or tables 100,000 deep; allowed: "
                                    "at most 32 levels")
        assert not page.task.done()                      # the visitor's page still works
        await page.leave()

    asyncio.run(visit())


def test_an_upload_of_five_megabytes_is_refused(tmp_path):
    big = tmp_path / "big.toml"
    filler = "# " + "x" * 98 + "\n"
    big.write_text('name = "big"\n[subject]\nmass_kg = 70\nage_yr = 40\nsex = "male"\n'
                   '[arms.a]\nstages = ["walk at 3 km/h for 1 min"]\n' + filler * 50_000)
    assert big.stat().st_size > 5_000_000

    async def visit():
        page = Visitor(make_app())
        page.say("init", {"people": 1, **SHOWN})
        _upload(page, big, "big.toml")
        await page.until(lambda: any(e["field"] == "upload" for e in page.errors()))
        error = next(e for e in page.errors() if e["field"] == "upload")
        assert error["message"].startswith("big.toml: is 5,"), error
        assert error["message"].endswith("bytes, more than a scenario file may be; allowed: "
                                          "at most 1,000,000 bytes"), error
        await page.leave()

    asyncio.run(visit())


def _page_runs() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "retrosim-page-run"]


def test_one_visitors_long_run_does_not_hold_up_another_and_can_be_cancelled():
    async def visit():
        app = make_app()
        first = Visitor(app)
        first.say("init", {"people": 100_000, **SHOWN})
        await first.until(lambda: first.statuses() or len(first.sent) > 3)
        first.say("update", {"run": 1})                  # 100,000 people: a long run
        await first.until(lambda: any("running" in s for s in first.statuses()))
        other = Visitor(app)                              # a second visitor meanwhile
        other.say("init", {"people": 1, **SHOWN})
        other.say("update", {"add_arm": 1})
        await other.until(lambda: sum("values" in m and "arms" in m["values"]
                                      for m in other.sent) >= 2)
        assert not any("ran " in s for s in first.statuses()), first.statuses()
        assert len(_page_runs()) == 1                     # the first run, in its process
        first.say("update", {"cancel": 1})
        await first.until(lambda: any("cancelled the run" in s for s in first.statuses()))
        assert _page_runs() == []                         # stopped at once, not left running
        assert not any("ran " in s for s in first.statuses())
        await first.leave()
        await other.leave()

    asyncio.run(visit())


def _one_person() -> dict:
    return {"name": "one", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk at 3 km/h for 10 min"]}}}


def _a_year_daily() -> dict:
    """A year of daily sessions for 2,000 people: seconds of work on any machine (2.6 s on
    two cores with the worker warm), many times the 0.2 s the test allows."""
    return {**_one_person(), "name": "year", "program": {"weeks": 52, "sessions_per_week": 7}}


def test_a_run_over_its_time_is_stopped_with_one_line():
    runner = worker.Runner(worker.Budget(run_s=0.2))
    with pytest.raises(InputError) as info:
        asyncio.run(runner.run(_a_year_daily(), "year.toml", 2000))
    assert str(info.value).startswith("people: the run took more than 0.2 s; allowed: fewer ")
    assert _page_runs() == [] and not runner.busy


def test_a_session_over_its_budget_runs_no_more():
    runner = worker.Runner(worker.Budget(session_s=60.0))
    runner.used_s = 60.0
    with pytest.raises(InputError, match="its budget"):
        asyncio.run(runner.run(_one_person(), "one.toml", 1))


def test_a_run_answers_as_outcome_run_does():
    done = asyncio.run(worker.Runner().run(_one_person(), "one.toml", 3))
    assert done.subjects == 3 and done.ds.sizes["subject"] == 3
    with pytest.raises(InputError, match="subject.mass_kg"):
        bad = {**_one_person(), "subject": {"mass_kg": -1, "age_yr": 40, "sex": "male"}}
        asyncio.run(worker.Runner().run(bad, "bad.toml", 1))


def _upload_recording(visitor: Visitor, path, name: str) -> None:
    visitor.say("update", {"recording": [{"name": name, "size": path.stat().st_size,
                                          "type": "", "datapath": str(path)}]})


def _write_recording(path):
    """Virtual person 3's recorded session, as the CSV ``retrosim fit`` reads; the person."""
    from retrosim.fit import recovery
    from retrosim.units import mps_to_mph

    who = recovery.person(0, 3)
    rec = recovery.recording(0, 3, who)
    rows = ["time_s,speed_mph,grade_pct,direction,hr_bpm"]
    rows += [f"{t:.0f},{mps_to_mph(v):.1f},{100 * g:.1f},{'backward' if d < 0 else 'forward'},"
             + ("" if hr != hr else f"{hr:.0f}")
             for t, v, g, d, hr in zip(rec.time_s, rec.speed_mps, rec.grade_frac,
                                       rec.direction, rec.hr_bpm, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    return who


def test_a_recording_fits_the_person_and_a_corrupt_one_is_one_line(tmp_path):
    good = tmp_path / "0.csv"
    who = _write_recording(good)
    corrupt = tmp_path / "1.fit"
    corrupt.write_bytes(b"\x0e\x10" + bytes(range(256)) * 4)
    person = {"mass_kg": who.subject.mass_kg, "age_yr": who.subject.age_yr,
              "sex": who.subject.sex, "hr_rest_bpm": 74}
    shown = {**SHOWN, ".clientdata_output_fit_table_hidden": False}

    async def visit():
        page = Visitor(make_app())
        page.say("init", {"people": 1, **shown, **person})
        _upload_recording(page, corrupt, "watch.fit")
        await page.until(lambda: any(e["field"] == "recording" for e in page.errors()))
        error = next(e for e in page.errors() if e["field"] == "recording")
        assert error["message"].startswith("watch.fit: ") and "\n" not in error["message"]
        assert "Traceback" not in json.dumps(page.sent)

        _upload_recording(page, good, "session.csv")
        await page.until(lambda: any("fitted the person to session.csv" in s
                                     for s in page.statuses()))
        blanked = [m["message"] for sent in page.sent for m in sent.get("inputMessages", [])
                   if m["id"] == "hr_rest_bpm"]
        assert blanked[-1] == {"value": ""}      # the typed 74 no longer hides the fit
        table = [str(m["values"]["fit_table"]) for m in page.sent
                 if "values" in m and "fit_table" in m["values"]]
        assert "hr_rest_bpm" in table[-1] and "fitted" in table[-1]
        assert not page.task.done()
        await page.leave()

    asyncio.run(visit())
