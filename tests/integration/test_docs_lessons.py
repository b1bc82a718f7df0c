"""The lessons' defects stay fixed: lesson 2's fall section with a walker who rarely falls,
lesson 4's fall rates with their intervals and exact risks, folded solutions to every
exercise of every lesson, and only public entry points."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FALLS = NOTEBOOKS / "02-falls.ipynb"
COHORT = NOTEBOOKS / "04-cohort-what-if.ipynb"
MINE = (FALLS, COHORT)


def cells_starting(nb, *prefixes):
    """The code cells whose source starts with one of ``prefixes``, in order."""
    return [c for c in nb.cells if c.cell_type == "code"
            and c.source.lstrip().startswith(prefixes)]


def run_cells(cells, tmp_path):
    """Execute ``cells`` as a notebook of their own; the text they printed."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.source) for c in cells])
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_lesson_2_section_7_runs_when_the_walker_balances_well(tmp_path):
    """Section 7 looked up the first of 300 walkers who fell; with good balance nobody does,
    and it crashed with an IndexError."""
    nb = nbformat.read(FALLS, as_version=4)
    setup, walker, section7 = cells_starting(
        nb, "import matplotlib", "impaired = ", "walker = impaired",
        "ds = retrosim.run(impaired, subjects=300")        # (the section before its fix)
    walker.source = walker.source.replace('"berg": 30', '"berg": 56')
    assert '"berg": 56' in walker.source
    out = run_cells([setup, walker, section7], tmp_path)
    assert "Nobody of 300 fell" in out and "exact risk" in out


def test_lesson_4_gives_fall_rates_with_intervals_and_exact_risks(tmp_path):
    """4,000 people fall too rarely for the counts to rank gripping against a light touch:
    the section prints the exact risk (which ranks them) and each count's interval."""
    nb = nbformat.read(COHORT, as_version=4)
    setup, section5 = cells_starting(nb, "import tempfile", "what_if = ")
    out = run_cells([setup, section5], tmp_path)
    assert "exact risk" in out and "95 % interval" in out
    rows = {}
    for line in out.splitlines():
        match = re.match(r"(backward-\w+)/cohort\.balance=(\w+)\s+([\d.]+)\s+([\d.]+) "
                         r"\[\s*([\d.]+)-\s*([\d.]+)\]", line)
        if match:
            arm, level, exact, share, low, high = match.groups()
            rows[arm, level] = tuple(map(float, (exact, share, low, high)))
    assert len(rows) == 4, out
    for level in ("moderate", "impaired"):
        assert rows["backward-grip", level][0] < rows["backward-light", level][0]
        for arm in ("backward-grip", "backward-light"):
            exact, share, low, high = rows[arm, level]
            assert low <= share <= high


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_exercise_has_a_folded_solution(path):
    nb = nbformat.read(path, as_version=4)
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    exercises = re.findall(r"^(\d+)\. ", nb.cells[start].source, flags=re.M)
    assert exercises
    after = nb.cells[start + 1:]
    for n in exercises:
        i = next(i for i, c in enumerate(after) if c.cell_type == "markdown"
                 and c.source.startswith(f"<details><summary>Solution to exercise {n}<"))
        assert after[i].source.rstrip().endswith("</details>")
        solution = after[i + 1]
        assert solution.cell_type == "code"
        assert {"hide-input", "hide-output"} <= set(solution.metadata.get("tags", []))
        assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


@pytest.mark.parametrize("path", MINE, ids=lambda p: p.stem)
def test_lessons_use_the_public_entry_points(path):
    """``retrosim`` itself (run, load_scenario, Scenario), the models, the fall model's rates
    and the sweep and comparison of the scale layer; never the model, engine, solve or
    results internals."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    internal = re.findall(r"retrosim\.(model|engine|solve|results)\b", code)
    assert not internal, internal
