"""Energy and mean MET have two definitions, while walking (the belt moving) and over the
whole session (rest stages included); every table names the one it shows in the words of
the variable's declaration, the words the result's long_name carries."""

import retrosim
from retrosim.engine.variables import SESSION, WHILE_WALKING, WHOLE_SESSION
from retrosim.report import html as report_html
from retrosim.results import programme, tables

SCENARIO = {"name": "labels", "seed": 2,
            "subject": {"mass_kg": 70, "age_yr": 50, "sex": "male"},
            "arms": {"walk": {"stages": ["walk forward at 3 mph for 10 min"]},
                     "walk-then-rest": {"stages": ["walk forward at 3 mph for 10 min",
                                                   "rest for 20 min"]}}}


def _columns(text):
    """Header -> the units row's words under it (the columns are right-aligned)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("arm "))
    head, units = lines[at], lines[at + 1].ljust(len(lines[at]))
    out, start = {}, 0
    for word in head.split():
        end = head.index(word, start) + len(word)
        out[word] = units[start:end].strip() if word != "arm" else ""
        start = end
    return out


def test_the_declarations_name_the_two_definitions():
    assert SESSION["energy_exercise"].long_name == f"energy, {WHILE_WALKING}"
    assert SESSION["energy_total"].long_name == f"energy, {WHOLE_SESSION}"
    assert SESSION["met_mean_exercise"].long_name == f"mean MET, {WHILE_WALKING}"
    assert SESSION["met_mean"].long_name == f"mean MET, {WHOLE_SESSION}"


def test_the_run_table_and_the_report_label_energy_and_met_by_definition():
    ds = retrosim.run(retrosim.Scenario.from_dict(SCENARIO), traces=False)
    assert ds.energy_exercise.attrs["long_name"] == "energy, while walking"
    assert ds.energy_total.attrs["long_name"] == "energy, whole session"
    columns = _columns(tables.summary_table(ds))
    assert columns["kcal"] == "while walking"
    assert columns["kcal+rest"] == "whole session"
    assert columns["MET"] == "while walking"
    page = report_html.summary_table(ds)
    assert "<th>kcal<br><small>while walking</small></th>" in page
    assert "<th>kcal+rest<br><small>whole session</small></th>" in page
    assert "<th>MET<br><small>while walking</small></th>" in page


def test_an_older_result_without_the_walking_values_is_labelled_whole_session():
    ds = retrosim.run(retrosim.Scenario.from_dict(SCENARIO), traces=False)
    ds = ds.drop_vars(["energy_exercise", "met_mean_exercise"])
    columns = _columns(tables.summary_table(ds))
    assert "kcal" not in columns and "MET" not in columns
    assert columns["kcal+rest"] == "whole session" and columns["MET+rest"] == "whole session"


def test_the_programme_table_names_the_energy_it_sums():
    ds = retrosim.run(retrosim.Scenario.from_dict(
        {**SCENARIO, "arms": {"walk": SCENARIO["arms"]["walk"]},
         "program": {"weeks": 1, "sessions_per_week": 2}}))
    line = next(x for x in programme.summary_table(ds).splitlines() if x.startswith("walk:"))
    assert "kcal in all (whole session energy, summed over the sessions walked)" in line


def test_one_persons_walking_energy_and_met_carry_their_intervals():
    """The columns the run table shows (while walking) have the prediction intervals the
    whole-session values have, not a bare central value."""
    ds = retrosim.run(retrosim.Scenario.from_dict(SCENARIO), traces=False)
    rows = {r["arm"]: r for r in tables.arm_rows(ds)}
    for arm in ds.arm.values:
        r = ds.sel(arm=arm)
        for column, name, digits in (("kcal", "energy_exercise", 0),
                                     ("MET", "met_mean_exercise", 1)):
            low, mid, high = (float(r[n].mean()) for n in (f"{name}_low", name, f"{name}_high"))
            assert low < mid < high
            shown = f"{mid:.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"
            assert rows[str(arm)][column] == shown
