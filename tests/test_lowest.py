"""The smoke subset run against the lowest versions ``pyproject.toml`` allows
(``make test-lowest``, marker ``lowest``): a run and a programme against their golden
summaries, compare, a sweep in this process read back, a report, and the page built.

Each test here also runs in the ordinary suite; ``pytest -m lowest`` selects these and the
base-install tests of ``tests/test_extras.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import retrosim
from retrosim.cli.main import main
from retrosim.scale.cluster import Cluster

pytestmark = pytest.mark.lowest

GOLDEN = Path(__file__).parent / "integration" / "golden" / "bundled_summaries.json"


@pytest.mark.parametrize("name", ["compendium-2011", "knee-rehab-six-weeks"])
def test_a_run_and_a_programme_match_their_golden_summaries(name):
    """The same numbers as the golden run, to the tolerance of the golden test."""
    from tests.integration.test_bundled_scenarios import summaries

    golden = json.loads(GOLDEN.read_text())[name]
    current = summaries(name)
    assert sorted(current) == sorted(golden)
    for arm, values in golden.items():
        for var, value in values.items():
            assert current[arm][var] == pytest.approx(value, rel=1e-9), f"{name}/{arm}/{var}"


def test_run_and_compare_print_their_tables(capsys):
    assert main(["run", "compendium-2011"]) == 0
    out = capsys.readouterr().out
    assert "backward" in out and "kcal" in out
    assert main(["compare", "compendium-2011", "forward-vs-backward"]) == 0
    assert "forward-vs-backward" in capsys.readouterr().out


def test_a_sweep_in_this_process_equals_the_run_and_reads_back(tmp_path):
    from retrosim.scale import IN_PROCESS, store, sweep

    sc = retrosim.load_scenario("knee-rehab-six-protocols")
    ds = sweep.run_sweep(sc, tmp_path / "s.zarr", subjects=12,
                         cluster=Cluster(chunk_size=5, scheduler=IN_PROCESS)).load()
    run = retrosim.run(sc, subjects=12, traces=False)
    np.testing.assert_array_equal(ds.energy_total.values, run.energy_total.values)
    assert store.open_store(tmp_path / "s.zarr").attrs["complete"]


def test_a_report_of_a_run_and_of_a_sweep(tmp_path):
    from retrosim.report import document
    from retrosim.scale import IN_PROCESS, sweep

    path = document.write_report("compendium-2011", tmp_path / "r.html")
    assert "compendium-2011" in Path(path).read_text(encoding="utf-8")
    sweep.run_sweep(retrosim.load_scenario("compendium-2011"), tmp_path / "s.zarr", subjects=4,
                    cluster=Cluster(chunk_size=2, scheduler=IN_PROCESS))
    path = document.write_report(str(tmp_path / "s.zarr"), tmp_path / "s.html")
    assert "data:image/png" in Path(path).read_text(encoding="utf-8")      # its figures


def test_the_page_builds_with_its_run_button():
    pytest.importorskip("shiny")
    from retrosim.app import form as F
    from retrosim.app import page, server

    app = server.make_app()
    assert app is not None
    html = str(page.app_ui(F.default_form(), ["compendium-2011"]))
    assert 'id="run"' in html
