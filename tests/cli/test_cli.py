"""The command line: tables on stdout, NetCDF files, and one-line errors with exit status 2."""

import os
import subprocess
import sys

import pytest
import xarray as xr

import retrosim
from retrosim.cli.main import main
from retrosim.model.scenario import bundled

COMPENDIUM_ARMS = ("forward-level", "backward-level", "backward-uphill")
TRACES = ("speed", "direction", "grade", "vo2", "met", "energy", "hr")
SUMMARIES = ("energy_total", "vo2_peak", "hr_peak")
ATTRS = ("scenario", "seed", "retrosim_version", "references")

GOOD = """\
name = "cli-test"
description = "A small valid scenario"

[subject]
mass_kg = 70
age_yr = 40
sex = "male"

[arms.short]
stages = ["walk backward at 2 mph for 2 min"]
"""


def table_column(text, column, arms):
    """``{arm: cell}`` of the column headed ``column`` in a summary table."""
    lines = text.splitlines()
    header = next(line.split() for line in lines if line.split()[:1] == ["arm"])
    index = header.index(column)
    rows = {}
    for line in lines:
        cells = line.split()
        if cells and cells[0] in arms:
            rows[cells[0]] = cells[index]
    return rows


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(err, *needles):
    assert err.startswith("retrosim: error: "), err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def run_subprocess(*argv, cwd=None):
    return subprocess.run([sys.executable, "-m", "retrosim", *argv], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad-subject.toml"
    path.write_text(GOOD.replace("mass_kg = 70", "mass_kg = 900"))
    return path


# ------------------------------------------------------------------------------------------
# commands that work


def test_run_compendium_prints_the_headline_kcal(capsys):
    status, out, err = run_cli(capsys, "run", "compendium-2011")
    assert status == 0 and err == ""
    # the 2011 lookup is the table: no model error, so the interval is the value itself
    assert table_column(out, "kcal", COMPENDIUM_ARMS) == {
        "forward-level": "46[46-46]", "backward-level": "64[64-64]",
        "backward-uphill": "85[85-85]"}
    assert "compendium-2011" in out.splitlines()[0]


def test_run_a_file_with_overrides(capsys, tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    status, out, err = run_cli(capsys, "run", str(path), "--seed", "3", "--subjects", "2",
                               "--step", "5")
    assert status == 0 and err == ""
    assert "seed 3, 2 subjects" in out
    assert "short" in table_column(out, "kcal", ("short",))


def test_run_writes_netcdf_atomically(capsys, tmp_path):
    out_path = tmp_path / "out.nc"
    status, out, err = run_cli(capsys, "run", "compendium-2011", "-o", str(out_path))
    assert status == 0 and err == ""
    assert str(out_path) in out
    assert sorted(os.listdir(tmp_path)) == ["out.nc"]
    with xr.open_dataset(out_path) as ds:
        for name in TRACES:
            assert ds[name].dims == ("arm", "subject", "time"), name
        for name in SUMMARIES:
            assert ds[name].dims == ("arm", "subject"), name
        for name in ATTRS:
            assert name in ds.attrs, name
        assert ds.attrs["scenario"] == "compendium-2011"
        assert int(ds.attrs["seed"]) == 2011
        assert ds.attrs["retrosim_version"] == retrosim.__version__
        assert ds.attrs["references"]
        assert list(ds.arm.values) == list(COMPENDIUM_ARMS)
        assert ds.energy_total.round().values[:, 0].tolist() == [46.0, 64.0, 85.0]
        assert float(ds.speed.min()) >= 0


def test_run_overwrites_an_existing_output(capsys, tmp_path):
    out_path = tmp_path / "out.nc"
    out_path.write_text("old")
    status, _, err = run_cli(capsys, "run", "compendium-2011", "-o", str(out_path))
    assert status == 0 and err == ""
    with xr.open_dataset(out_path) as ds:
        assert ds.attrs["scenario"] == "compendium-2011"
    assert sorted(os.listdir(tmp_path)) == ["out.nc"]


def test_compare_prints_a_difference_table(capsys):
    status, out, err = run_cli(capsys, "compare", "compendium-2011", "knee-rehab-first-session")
    assert status == 0 and err == ""
    assert "difference from compendium-2011/forward-level" in out
    diff = out[out.index("difference from"):]
    arms = {f"compendium-2011/{a}" for a in COMPENDIUM_ARMS} | {
        f"knee-rehab-first-session/{a}" for a in retrosim.load_scenario(
            "knee-rehab-first-session").arms}
    rows = table_column(diff, "vs", arms)
    assert set(rows) == arms
    assert rows["compendium-2011/forward-level"] == "+0%"
    assert rows["compendium-2011/backward-level"] == "+40%"


def test_scenarios_lists_every_bundled_scenario(capsys):
    status, out, err = run_cli(capsys, "scenarios")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(bundled())
    for name, line in zip(sorted(bundled()), lines, strict=True):
        assert line.split()[0] == name
        assert len(line.split(None, 1)[1]) > 10, line


def test_run_help_shows_examples(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "retrosim run compendium-2011" in out
    assert "--subjects" in out and "--seed" in out and "-o" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert retrosim.__version__ in capsys.readouterr().out


def test_subprocess_run_succeeds_with_a_clean_stderr(tmp_path):
    proc = run_subprocess("run", "compendium-2011", "-o", "out.nc", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert table_column(proc.stdout, "kcal", COMPENDIUM_ARMS)["backward-uphill"] == "85[85-85]"
    assert sorted(os.listdir(tmp_path)) == ["out.nc"]


# ------------------------------------------------------------------------------------------
# bad input: exit status 2, one line on stderr, no traceback


def test_bad_scenario_file(capsys, bad_file):
    status, out, err = run_cli(capsys, "run", str(bad_file))
    assert status == 2
    assert out == ""
    assert_one_error_line(err, str(bad_file), "subject.mass_kg", "allowed: 30-250 kg")


@pytest.mark.parametrize(("old", "new", "key"), [
    ("mass_kg = 70", "mass_kg = nan", "subject.mass_kg"),
    ('sex = "male"', 'sex = "x"', "subject.sex"),
    ("for 2 min", "for -2 min", "arms.short.stages[0]"),
    ("at 2 mph", "at 2 mps", "arms.short.stages[0]"),
    ("at 2 mph", "at 99 mph", "arms.short.stages[0]"),
    ('name = "cli-test"', 'name = "cli-test"\ncolour = "red"', "colour"),
    ("[arms.short]", "[arms.short]\nspeed = 3", "arms.short.speed"),
    ("mass_kg = 70", "mass_kg = = 70", "line 5"),
])
def test_malformed_files_from_the_command_line(capsys, tmp_path, old, new, key):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new))
    for command in ("run", "compare"):
        status, out, err = run_cli(capsys, command, str(path))
        assert status == 2
        assert_one_error_line(err, f"retrosim: error: {path}: ", key)


def test_non_utf8_file_and_folder(capsys, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace("cli-test", "caf\xe9").encode("latin-1"))
    status, _, err = run_cli(capsys, "run", str(path))
    assert status == 2
    assert_one_error_line(err, str(path), "cannot be read")
    status, _, err = run_cli(capsys, "run", str(tmp_path))
    assert status == 2
    assert_one_error_line(err, str(tmp_path), "folder")


def test_unknown_scenario_name_lists_the_bundled_ones(capsys):
    status, _, err = run_cli(capsys, "run", "no-such-scenario")
    assert status == 2
    assert_one_error_line(err, "no-such-scenario", *bundled())


def test_compare_stops_at_the_first_bad_scenario(capsys, bad_file):
    status, out, err = run_cli(capsys, "compare", "compendium-2011", str(bad_file))
    assert status == 2
    assert out == ""
    assert_one_error_line(err, str(bad_file))


@pytest.mark.parametrize(("args", "needle"), [
    (("--subjects", "0"), "subjects"),
    (("--subjects", "-5"), "subjects"),
    (("--subjects", "100000000000"), "subjects"),
    (("--seed", "-3"), "seed"),
    (("--step", "0"), "trace_step_s"),
    (("--step", "nan"), "trace_step_s"),
    (("--step=-inf",), "trace_step_s"),
])
def test_bad_run_options(capsys, args, needle):
    status, out, err = run_cli(capsys, "run", "compendium-2011", *args)
    assert status == 2
    assert out == ""
    assert_one_error_line(err, needle, "allowed: ")


@pytest.mark.parametrize("name", ["missing/out.nc", "out.csv", "out"])
def test_bad_output_path(capsys, tmp_path, name):
    target = tmp_path / name
    status, out, err = run_cli(capsys, "run", "compendium-2011", "-o", str(target))
    assert status == 2
    assert out == "", "the output path is checked before the run"
    assert_one_error_line(err, "-o")
    assert os.listdir(tmp_path) == []


def test_output_onto_a_folder(capsys, tmp_path):
    folder = tmp_path / "out.nc"
    folder.mkdir()
    status, _, err = run_cli(capsys, "run", "compendium-2011", "-o", str(folder))
    assert status == 2
    assert_one_error_line(err, "out.nc")
    assert os.listdir(tmp_path) == ["out.nc"] and os.listdir(folder) == []


@pytest.mark.parametrize("argv", [
    ("run", "compendium-2011", "--subjects", "1.5"),
    ("run", "compendium-2011", "--seed", "abc"),
    ("run",),
    ("fly", "compendium-2011"),
])
def test_argument_errors_exit_with_status_2(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert_one_error_line(err, "--help")


@pytest.mark.parametrize("argv", [
    ("run", "{bad}"),
    ("run", "compendium-2011", "--subjects", "0"),
    ("run", "compendium-2011", "--seed", "-3"),
    ("run", "compendium-2011", "-o", "missing/out.nc"),
])
def test_subprocess_errors_have_no_traceback(tmp_path, bad_file, argv):
    argv = [str(bad_file) if a == "{bad}" else a for a in argv]
    proc = run_subprocess(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert_one_error_line(proc.stderr)
    if str(bad_file) in argv:
        assert str(bad_file) in proc.stderr and proc.stdout == ""


def test_help_examples_name_real_scenarios():
    from retrosim.cli.main import EPILOG

    named = set()
    for line in EPILOG.splitlines():
        words = line.strip().split("  ")[0].split()
        if words[:2] in (["retrosim", "run"], ["retrosim", "compare"]):
            named |= {w for w in words[2:] if not w.startswith("-") and not w.isdigit()
                      and not w.endswith((".toml", ".nc"))}
    assert named
    assert named <= set(bundled()), named - set(bundled())


def test_report_of_a_folder_without_a_front_says_what_is_allowed(capsys, tmp_path):
    status, _, err = run_cli(capsys, "report", str(tmp_path), "-o", str(tmp_path / "r.html"))
    assert status == 2
    assert_one_error_line(err, str(tmp_path), "folder without a design's front.nc",
                          "a scenario file (.toml)", "'retrosim design -o' (holding front.nc)")
    assert not (tmp_path / "r.html").exists()
