"""retrosim design: the problem's parts, the search, the written designs reproduced by
``retrosim run``, and one-line errors for bad input."""

import re
import subprocess
import sys
import tomllib

import numpy as np
import pytest

import retrosim
from retrosim.cli.main import main
from retrosim.design import search
from retrosim.design.problem import Limit, Objective, Outcome, Problem, Variable
from retrosim.design.study import run_design
from retrosim.errors import InputError

SESSION = dict(objectives=["energy_walking", "-fall_risk"],
               vary=["speed_mph=0.5..3.0", "grade_pct=0..8", "direction=forward,backward",
                     "minutes=5..30", "handrail=none,light"],
               limits=["hr_reserve_peak<=0.60", "fall_risk<=0.001", "sbp_peak<=180"])


@pytest.fixture(scope="module")
def study():
    return run_design("knee-rehab-first-session", **SESSION, budget=80, draws=40, seed=1)


def test_a_range_takes_its_steps_and_a_choice_its_words():
    v = Variable.parse("grade_pct=0..8", {"grade_pct": 0.5})
    assert v.count == 17 and v.value(0) == 0.0 and v.value(16) == 8.0 and v.value(3) == 1.5
    assert v.spread(3) == [0.0, 4.0, 8.0]
    assert Variable.parse("handrail=none,light,none", {}).choices == ("none", "light")
    assert Objective.parse("-fall_risk").minimise and not Objective.parse("berg_change").minimise


def test_a_limit_holds_at_its_quantile_of_the_draws():
    draws = np.arange(101.0)[None, :]                        # 0, 1, ..., 100
    upper, lower = Limit.parse("x<=85", 0.9), Limit.parse("x>=15", 0.9)
    out = Outcome(np.array([50.0]), draws)
    assert upper.at_level(out)[0] == 90.0 and lower.at_level(out)[0] == 10.0
    assert upper.excess(upper.at_level(out))[0] == 5.0      # 90 > 85: broken by 5
    assert lower.excess(lower.at_level(out))[0] == 5.0      # 10 < 15: broken by 5
    assert Limit.parse("x<=85", 0.9).at_level(Outcome(np.array([3.0]), np.zeros((1, 0))))[0] \
        == 3.0                                               # no draws: the central value


def test_the_front_keeps_the_non_dominated_that_meet_the_limits():
    F = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [0.5, 0.5], [4.0, 1.0]])
    G = np.array([[-1.0], [0.0], [-1.0], [0.1], [-2.0]])    # row 3 breaks its limit
    assert sorted(search.front(F, G).tolist()) == [0, 1, 4]


def test_a_grid_stays_within_the_budget_and_spreads_every_variable():
    variables = (Variable("a", 0, 10, 1), Variable("b", choices=("x", "y")),
                 Variable("c", 0, 1, 0.1))
    problem = Problem(variables, (Objective("o"),), (), lambda c: {})
    points = search.grid(problem, 100)
    assert 50 <= len(points) <= 100
    assert {p["b"] for p in points} == {"x", "y"}
    assert {p["a"] for p in points} >= {0.0, 10.0}


def test_the_same_seed_gives_the_same_front(study):
    again = run_design("knee-rehab-first-session", **SESSION, budget=80, draws=40, seed=1)
    assert again.archive.candidates == study.archive.candidates
    np.testing.assert_array_equal(again.front, study.front)
    assert study.found


def test_every_design_on_the_front_meets_its_limits_at_the_quantile(study):
    ds = study.dataset()
    assert ds.sizes["design"] == study.front.size > 0
    assert (ds.hr_reserve_peak_p90 <= 0.60).all() and (ds.fall_risk_p90 <= 0.001).all()
    assert (ds.sbp_peak_p90 <= 180).all()
    assert (ds.hr_reserve_peak_p90 >= ds.hr_reserve_peak).all()   # the tail, not the person
    assert "90th percentile" in ds.attrs["limits_held_at"]


def test_run_of_a_written_design_reproduces_its_numbers_and_meets_its_limits(tmp_path, capsys):
    args = ["design", "knee-rehab-first-session", "--objective", "energy_walking",
            "--objective", "-fall_risk", *[f"--vary={v}" for v in SESSION["vary"]],
            *[f"--limit={lim}" for lim in SESSION["limits"]], "--budget", "60",
            "--draws", "30", "--seed", "3", "-o", str(tmp_path), "--no-progress"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "90th percentile" in out and (tmp_path / "front.png").stat().st_size > 0
    front = np.genfromtxt(tmp_path / "front.csv", delimiter=",", names=True, dtype=None,
                          encoding="utf-8")
    first = tmp_path / "design-01.toml"
    text = first.read_text()
    assert text.startswith("# Design 01") and "NSGA-II" in text
    assert tomllib.loads(text)["subject"]["age_yr"] == 68          # the scenario's person
    ds = retrosim.run(retrosim.load_scenario(str(first)), traces=False)
    r = ds.isel(arm=0, subject=0)
    reserve = float((r.hr_peak - r.hr_rest) / (r.hr_max - r.hr_rest))
    row = front[0]
    assert float(r.energy_exercise) == pytest.approx(row["energy_walking"], rel=1e-9)
    assert float(r.fall_risk) == pytest.approx(row["fall_risk"], rel=1e-9)
    assert reserve == pytest.approx(row["hr_reserve_peak"], rel=1e-9)
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text()
    rows = re.findall(r"<tr><td>design-(\d\d)</td>(.*?)</tr>", page)
    assert len(rows) == front.size and "data:image/png;base64," in page
    cells = re.findall(r"<td>([^<]*)</td>", rows[0][1])
    header = re.findall(r"<th>([^<]*)</th>", page)[1:]
    shown = dict(zip(header, cells, strict=True))
    assert float(shown["energy_walking"]) == pytest.approx(row["energy_walking"], rel=1e-3)
    assert float(shown["fall_risk_p90"]) == pytest.approx(row["fall_risk_p90"], rel=1e-3)
    assert shown["direction"] == row["direction"] and "90th percentile" in page
    mine = run_design(str(first), objectives=["energy_walking"],
                      vary=[f"minutes={row['minutes']}..{row['minutes']}"],
                      limits=SESSION["limits"], budget=1, draws=30, seed=3).dataset()
    assert mine.sizes["design"] == 1                              # it meets its limits
    for name in ("hr_reserve_peak_p90", "fall_risk_p90", "sbp_peak_p90"):
        assert float(mine[name][0]) == pytest.approx(row[name], rel=1e-9)


def test_a_programme_design_writes_a_runnable_programme(tmp_path, capsys):
    args = ["design", "knee-rehab-six-weeks", "--objective", "berg_change",
            "--vary", "weeks=2..3", "--vary", "sessions_per_week=2..3",
            "--limit", "fall_risk<=0.5", "--budget", "4", "--draws", "2", "--seed", "2",
            "-o", str(tmp_path), "--no-progress"]
    assert main(args) == 0
    front = np.genfromtxt(tmp_path / "front.csv", delimiter=",", names=True, dtype=None,
                          encoding="utf-8")
    doc = tomllib.loads((tmp_path / "design-01.toml").read_text())
    assert doc["program"]["weeks"] == int(np.atleast_1d(front["weeks"])[0])
    ds = retrosim.run(retrosim.load_scenario(str(tmp_path / "design-01.toml")), traces=False)
    berg = ds.berg.isel(arm=0, subject=0)
    assert float(berg[-1] - berg[0]) == pytest.approx(np.atleast_1d(front["berg_change"])[0],
                                                      rel=1e-6)


@pytest.mark.parametrize("args, words", [
    (["--vary", "sped_mph=1..2"], ["--vary sped_mph", "speed_mph", "grade_pct, direction"]),
    (["--vary", "speed_mph=3..1"], ["--vary speed_mph", "empty", "LO <= HI"]),
    (["--objective", "energy"], ["--objective energy", "energy_walking, hr_reserve_peak"]),
    (["--vary", "direction=sideways"], ["'sideways' is not a choice", "forward, backward"]),
    (["--budget", "10000000", "--draws", "100000"], ["--budget", "of memory", "free"]),
])
def test_bad_input_is_one_line_and_exit_2_before_work(args, words, capsys):
    base = ["design", "knee-rehab-first-session", "--objective", "energy_walking",
            "--vary", "speed_mph=1..2", "--no-progress"]
    assert main([*base, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and all(w in err for w in words), err


def test_a_limit_no_candidate_meets_names_it_and_the_closest_design(capsys):
    args = ["design", "knee-rehab-first-session", "--objective", "energy_walking",
            "--vary", "speed_mph=1..2", "--limit", "fall_risk<=0.00000001",
            "--limit", "hr_reserve_peak<=0.9", "--budget", "12", "--draws", "5",
            "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "fall_risk<=1e-08" in err and "closest design is speed_mph=1.0" in err


def test_a_scenario_without_a_person_is_refused():
    with pytest.raises(InputError, match="one person"):
        run_design("knee-rehab-six-protocols", objectives=["energy_walking"],
                   vary=["speed_mph=1..2"], budget=2, draws=1)


def test_importing_retrosim_loads_no_pymoo_and_design_is_callable():
    code = ("import sys, retrosim, retrosim.design; assert 'pymoo' not in sys.modules; "
            "assert callable(retrosim.design); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_dask_cluster_evaluates_the_same_candidates_to_the_same_numbers(study):
    dask = pytest.importorskip("distributed")
    with dask.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=":0") as local, dask.Client(local) as client, \
            dask.get_task_stream(client) as tasks:
        there = run_design("knee-rehab-first-session", **SESSION, budget=80, draws=40, seed=1,
                           client=client)
    ran = [t for t in tasks.data if "simulate_part" in str(t["key"])]
    assert len({t["worker"] for t in ran}) == 2                  # both workers took a share
    assert there.archive.candidates == study.archive.candidates
    for mine, theirs in zip(there.archive.arrays(), study.archive.arrays(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(there.archive.outcome("sbp_peak").draws,
                                  study.archive.outcome("sbp_peak").draws)
    np.testing.assert_array_equal(there.front, study.front)
