"""The Design tab in a real browser: a search, its front, and a design downloaded and run."""

from __future__ import annotations

import re

import pytest

import retrosim
from tests.app.conftest import open_page


def test_a_search_in_the_browser_gives_a_front_and_a_runnable_design(browser, served, tmp_path):
    context, page = open_page(browser, served.url)
    page.get_by_role("tab", name="Design").click()
    page.fill("#d_budget", "8")
    page.fill("#d_draws", "5")
    page.click("#d_run")
    page.wait_for_selector("#front-table tbody tr", timeout=240_000)
    assert "on the front" in page.inner_text("#d_message")
    first = page.locator("#front-table tbody tr").first.inner_text()
    assert first.startswith("design-01")
    with page.expect_download() as info:
        page.click("#d_download")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert re.fullmatch(r"knee-rehab-first-session-design-01\.toml", path.name)
    ds = retrosim.run(retrosim.load_scenario(str(path)), traces=False)
    energy = float(first.split("\t")[1 + 5])        # design, five variables, energy_walking
    assert float(ds.energy_exercise.isel(arm=0, subject=0)) == pytest.approx(energy, rel=1e-3)
    context.close()
