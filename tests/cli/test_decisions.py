"""The physical therapist's questions from the command line: the person apart from the noise,
``compare`` for decisions, sizes that never surprise, quiet exits."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import retrosim
from retrosim.cli.main import main
from retrosim.events.fall_hazard import exact_risk
from retrosim.model.options import fall_parameters
from retrosim.results import tables

KNEE = "knee-replacement-what-if"
RAIL, NO_RAIL = "1-5-mph-rail", "1-5-mph-no-rail"


def cells(text, column):
    """``{arm: cell}`` of a column of a summary table (cells hold no spaces)."""
    lines = text.splitlines()
    header = next(line.split() for line in lines if line.split()[:1] == ["arm"])
    rows = {}
    for line in lines:
        parts = line.split()
        if len(parts) == len(header) and parts[0] in retrosim.load_scenario(KNEE).arms:
            rows[parts[0]] = parts[header.index(column)]
    return rows


@pytest.fixture(scope="module")
def knee():
    return retrosim.run(retrosim.load_scenario(KNEE), traces=False)


@pytest.fixture(scope="module")
def knee_10000():
    return retrosim.run(retrosim.load_scenario(KNEE), subjects=10_000, traces=False)


def _perturbations(subjects):
    """The knee what-if with the "perturbations" fall model (its risk about 1 in 1,000)."""
    sc = retrosim.load_scenario(KNEE)
    sc = dataclasses.replace(sc, falls=fall_parameters({"model": "perturbations"}))
    return retrosim.run(sc, subjects=subjects, traces=False)


def test_one_person_shows_the_expected_pressure_not_a_noisy_reading(knee):
    """"BP after" is her expected pressure: what the model says, without the cuff's noise, so
    it differs between arms only as the exercise differs; the one simulated reading per arm
    is listed apart, labelled as a reading."""
    text = tables.summary_table(knee)
    after = cells(text, "BP-after")
    for arm, cell in after.items():
        sbp = float(knee.sbp_post_expected.sel(arm=arm, subject=0))
        dbp = float(knee.dbp_post_expected.sel(arm=arm, subject=0))
        assert cell.split("[")[0] == f"{sbp:.0f}/{dbp:.0f}" or cell.startswith(f"{sbp:.0f}[")
    assert "simulated cuff readings" in text and "not the person's expected" in text
    for arm in knee.arm.values:                              # the reading is its own line
        reading = knee.sbp_post.sel(arm=arm, subject=0)
        assert f"  {arm}: {float(reading):.0f}/" in text


def test_the_same_physiology_gives_the_same_pressure_after(tmp_path):
    """Two arms that differ only in name: the same expected pressure after exercise, while
    their simulated readings differ by measurement noise (what made the rail look as if it
    lowered pressure)."""
    text = (retrosim.model.scenario.bundled()[KNEE]).read_text()
    twin = text.replace("[arms.1-5-mph-no-rail]", "[arms.twin]").replace(
        'description = "backward at 1.5 mph for 10 min, no rail"',
        'description = "the rail arm again"\nhandrail = "light"')
    path = tmp_path / "twin.toml"
    path.write_text(twin)
    ds = retrosim.run(retrosim.load_scenario(path), traces=False)
    a, b = ds.sel(arm=RAIL, subject=0), ds.sel(arm="twin", subject=0)
    assert float(a.sbp_post_expected) == float(b.sbp_post_expected)
    assert float(a.sbp_post) != float(b.sbp_post)              # the noise of one reading
    after = dict(line.split()[0:1] + line.split()[-1:] for line in
                 tables.summary_table(ds).splitlines() if line.split()[:1] in ([RAIL], ["twin"]))
    assert after[RAIL] == after["twin"]


def test_expected_pressure_is_never_below_the_nadir(knee_10000):
    ds = knee_10000
    assert (ds.sbp_post_expected >= ds.sbp_nadir - 1e-9).all()


def test_one_person_shows_the_exact_fall_risk_per_arm(knee):
    sc = retrosim.load_scenario(KNEE)
    text = tables.summary_table(knee)
    risk = cells(text, "fall-risk")
    for arm in sc.arms:
        exact = float(exact_risk(sc, arm)[0])
        low, high = (float(knee[f"fall_risk_{b}"].sel(arm=arm)) for b in ("low", "high"))
        assert low < exact < high                    # the person's versions' fatigue differs
        assert risk[arm] == f"{tables.percent(exact)}[{tables.percent(low)}-" \
                            f"{tables.percent(high)}]"
        assert float(knee.fall_risk.sel(arm=arm, subject=0)) == pytest.approx(exact, rel=1e-12)
    assert "0.00 (0.00-793)" not in text and "/1000" not in text


def test_ten_thousand_draws_agree_with_the_one_person():
    """With --subjects 10000 the numbers agree: the same expected values, the mean of the
    noisy readings within 0.3 mmHg of the expected pressure (the noise SD is 5 mmHg, its
    standard error 0.05), the sampled share of falls within its Wilson interval of the exact
    risk. The numbers are the "perturbations" fall model's: with the default model's lower
    risks the seed's stream for arm 2-0-mph-rail holds 9 falls in 10,000 where 4.3 are
    expected (a 3 % Poisson tail; 400,000 draws agree with the exact risk), the same people
    who fall first under every fall model (one unit exponential each)."""
    knee, knee_10000 = _perturbations(1), _perturbations(10_000)
    one, many = tables.summary_table(knee), tables.summary_table(knee_10000)
    for column in ("BP-after", "fall-risk"):
        assert cells(one, column) == cells(many, column), column
    # a walk that ends in a fall ends early, with less energy and a lower peak: the session
    # outcomes agree among those who did not fall (about 1 in 1,000 here)
    walked = knee_10000.isel(subject=~knee_10000.fell.any("arm").values)
    for column in ("kcal", "HRpeak", "%HRmax"):
        assert cells(one, column) == cells(tables.summary_table(walked), column), column
    for arm in knee.arm.values:
        r = knee_10000.sel(arm=arm)
        assert abs(float(r.sbp_post.mean()) - float(r.sbp_post_expected.mean())) < 0.3
        assert abs(float(r.dbp_post.mean()) - float(r.dbp_post_expected.mean())) < 0.3
        risk = float(knee.fall_risk.sel(arm=arm, subject=0))
        assert float(r.fall_probability_low) <= risk <= float(r.fall_probability_high)


def test_rest_is_counted_apart_from_walking():
    """A rest stage no longer doubles kcal or halves the MET mean: the walking columns are
    those of the walk alone, the session total sits beside them."""
    rested = retrosim.model.scenario.Scenario.from_dict({
        "name": "rested", "subject": {"mass_kg": 72, "age_yr": 68, "sex": "female"},
        "arms": {"walk": {"stages": ["walk backward at 1.5 mph for 10 min"]},
                 "walk-then-rest": {"stages": ["walk backward at 1.5 mph for 10 min",
                                               "rest for 30 min"]}}})
    ds = retrosim.run(rested, traces=False)
    walk, both = ds.sel(arm="walk", subject=0), ds.sel(arm="walk-then-rest", subject=0)
    # the walk, plus the few seconds of the belt slowing to a stop before the rest (the walker
    # still walks on a moving belt): within 1 %
    assert float(both.energy_exercise) == pytest.approx(float(walk.energy_exercise), rel=0.01)
    assert float(both.energy_exercise) > float(walk.energy_exercise)
    assert float(both.met_mean_exercise) == pytest.approx(float(walk.met_mean_exercise),
                                                          rel=0.01)
    assert float(both.energy_total) > 1.5 * float(walk.energy_total)     # rest still counted
    assert float(both.met_mean) < 0.6 * float(walk.met_mean)             # the old mean
    text = tables.summary_table(ds)
    # each arm's kcal cell is its walk alone, rounded (the two differ by the belt's slowing,
    # which may carry them across a rounding edge: 38.4 and 38.6 kcal)
    kcal = {arm: float(cell.split("[")[0]) for arm, cell in cells_of(text, "kcal").items()}
    assert kcal == {"walk": round(float(walk.energy_exercise)),
                    "walk-then-rest": round(float(both.energy_exercise))}
    assert abs(kcal["walk"] - kcal["walk-then-rest"]) <= 1
    assert "kcal+rest" in text


def cells_of(text, column):
    lines = text.splitlines()
    header = next(line.split() for line in lines if line.split()[:1] == ["arm"])
    return {p[0]: p[header.index(column)] for p in (line.split() for line in lines)
            if len(p) == len(header) and p[0] in ("walk", "walk-then-rest")}


def test_a_cohort_table_says_it_shows_the_distribution():
    ds = retrosim.run(retrosim.load_scenario("knee-rehab-six-protocols"), subjects=50,
                      traces=False)
    text = tables.summary_table(ds)
    assert "the cohort's distribution" in text.splitlines()[1]


# ------------------------------------------------------------------------------------------
# compare


def test_compare_gives_every_outcome_with_paired_differences(capsys):
    assert main(["compare", KNEE, "--versus", NO_RAIL, "--subjects", "400"]) == 0
    out = capsys.readouterr().out
    for outcome in ("energy while walking", "peak heart rate", "peak oxygen uptake",
                    "fall risk (exact)", "systolic pressure after (expected)",
                    "exaggerated blood-pressure responses"):
        assert outcome in out, outcome
    assert f"difference from {NO_RAIL} with its 95 % interval, paired" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("energy while walking"))
    assert "[" in line and "]" in line
    summary = next(x for x in out.splitlines() if x.startswith("2-0-mph-no-rail has the most"))
    assert f"against {NO_RAIL}" in summary
    assert "1-5-mph-rail has the lowest fall risk" in out


def test_compare_intervals_are_the_paired_t_intervals():
    from scipy import stats

    from retrosim.scale import comparison

    ds = retrosim.run(retrosim.load_scenario(KNEE), subjects=200, traces=False)
    cmp = comparison.decision(ds)
    d = (ds.energy_exercise.sel(arm=RAIL) - ds.energy_exercise.sel(arm=NO_RAIL)).values
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    r = cmp.sel(outcome="energy_exercise", arm=RAIL, versus=NO_RAIL)
    assert float(r["diff"]) == pytest.approx(d.mean(), rel=1e-9)
    assert float(r.diff_high - r["diff"]) == pytest.approx(half, rel=1e-6)


def test_compare_versus_a_misspelled_arm_suggests_the_right_one(capsys):
    assert main(["compare", KNEE, "--versus", "1-5-mph-rial"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "did you mean '1-5-mph-rail'?" in captured.err


# ------------------------------------------------------------------------------------------
# sizes


def test_run_o_keeps_a_sample_of_traces_and_says_so(capsys, tmp_path):
    out = tmp_path / "k.nc"
    assert main(["run", KNEE, "--subjects", "40", "-o", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()[-1]
    assert "kept full traces of a sample of 10 of 40 people" in said and "--all-traces" in said
    with xr.open_dataset(out) as ds:
        assert ds.hr.dims == ("arm", "sample", "time") and ds.sizes["sample"] == 10
        assert ds.energy_total.dims == ("arm", "subject") and ds.sizes["subject"] == 40
        whole = retrosim.run(retrosim.load_scenario(KNEE), subjects=40)
        np.testing.assert_array_equal(ds.hr.values, whole.hr.isel(subject=slice(0, 10)).values)
    assert main(["run", KNEE, "--subjects", "40", "-o", str(out), "--all-traces"]) == 0
    assert "kept full traces of all 40 people" in capsys.readouterr().out
    with xr.open_dataset(out) as ds:
        assert ds.hr.dims == ("arm", "subject", "time")


def test_a_report_of_a_sampled_result_draws_the_sample(capsys, tmp_path):
    from retrosim.report import document

    out = tmp_path / "k.nc"
    assert main(["run", KNEE, "--subjects", "40", "-o", str(out)]) == 0
    data = document.open_result(out)
    assert data.bands["hr"].values.shape[0] == 4 and data.band_subjects == 10


def test_output_size_estimate_matches_a_written_file(tmp_path):
    from retrosim.cli import run as runcli

    sc = retrosim.load_scenario("compendium-2011")
    ds = retrosim.run(sc, subjects=20)
    path = retrosim.results.io.save(ds, tmp_path / "c.nc")
    estimate = runcli.output_bytes(sc, 20, 20, 1.0)
    assert 0.5 < path.stat().st_size / estimate < 2.0


def test_an_output_bigger_than_the_disk_is_refused_before_the_run(capsys, tmp_path,
                                                                   monkeypatch):
    from retrosim.cli import run as runcli

    monkeypatch.setattr(runcli.shutil, "disk_usage", lambda _: type("U", (), {"free": 1000}))
    assert main(["run", KNEE, "-o", str(tmp_path / "k.nc")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "retrosim sweep" in err
    assert not list(tmp_path.iterdir())


def test_ten_million_people_are_refused_before_the_run():
    proc = subprocess.run([sys.executable, "-m", "retrosim", "run", "compendium-2011",
                           "--subjects", "10000000"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "retrosim sweep" in proc.stderr, proc.stderr


# ------------------------------------------------------------------------------------------
# quiet exits


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "retrosim", "run", KNEE],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                                   # the reader has gone, like `| head`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == "" and proc.returncode == 141


def test_ctrl_c_exits_130_with_one_line():
    # Python's own Ctrl-C handler, as a terminal gives it: a job started in the background of
    # a shell without job control inherits SIGINT ignored, and the interrupt would be lost.
    proc = subprocess.Popen([sys.executable, "-c",
                             "import signal, os, sys\n"
                             "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
                             "from retrosim.cli import main as m\n"
                             "real = m._dispatch\n"
                             "def dispatch(args):\n"
                             "    os.kill(os.getpid(), signal.SIGINT)\n"
                             "    return real(args)\n"
                             "m._dispatch = dispatch\n"
                             "sys.exit(m.main(['run', 'compendium-2011']))\n"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and out == ""
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err



# ------------------------------------------------------------------------------------------
# friendlier input errors

SIX_MISTAKES = """\
name = "six-mistakes"
sed = 3

[subject]
mass_kg = 900
age_yr = 68
sex = "female"

[energy]
modle = "compendium-2011"

[falls]
backward_rate_ratio = -1

[arms.a]
stages = ["walk backward at 2 mph for 10 min"]
handrial = "light"

[arms.b]
stages = ["walk forward at 2 mph for 10 min"]
handrail = "gripp"
"""


def test_every_mistake_of_a_file_in_one_message_one_line_each(capsys, tmp_path):
    path = tmp_path / "six.toml"
    path.write_text(SIX_MISTAKES)
    assert main(["run", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and len(lines) == 6, lines
    assert all(line.startswith(f"retrosim: error: {path}: ") for line in lines)
    for needle in ("sed: is not a top-level key; did you mean 'seed'?",
                   "subject.mass_kg: 900 kg is out of range",
                   "energy.modle: is not an energy key; did you mean 'model'?",
                   "falls.backward_rate_ratio: -1 is out of range",
                   "arms.a.handrial: is not an arm key; did you mean 'handrail'?",
                   "arms.b.handrail: 'gripp' is not known; did you mean 'grip'?"):
        assert sum(needle in line for line in lines) == 1, needle
    assert "Traceback" not in captured.err


def test_a_misspelled_bundled_name_gets_a_did_you_mean(capsys):
    assert main(["run", "compendium-2021"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'compendium-2011'?" in err
