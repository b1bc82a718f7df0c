"""A scenario file never imports or runs code unless the user allows the module."""

import pickle
import subprocess
import sys
import textwrap
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pytest

import retrosim
from retrosim.controllers import imports
from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.spec import ControllerSpec
from retrosim.errors import InputError

from .conftest import assert_refused, scenario_text

PAYLOADS = {
    "os:system": 'command = "touch {marker}"',
    "subprocess:Popen": 'args = ["touch", "{marker}"]',
    "runpy:run_path": 'path_name = "{script}"',
}


def hostile(write, tmp_path, path: str) -> tuple[str, Path]:
    marker = tmp_path / "MARKER"
    script = tmp_path / "payload.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    params = PAYLOADS[path].format(marker=marker, script=script)
    text = scenario_text(f'[controller]\npath = "{path}"\n{params}\n')
    return write(text), marker


def commands(scenario: str, tmp_path: Path) -> list[list[str]]:
    return [["run", scenario, "-o", str(tmp_path / "out.nc")],
            ["report", scenario, "-o", str(tmp_path / "out.html")],
            ["compare", scenario, scenario],
            ["sweep", scenario, "--subjects", "2", "-o", str(tmp_path / "out.zarr")]]


@pytest.mark.parametrize("path", list(PAYLOADS))
def test_a_scenario_naming_a_callable_runs_nothing(cli, write, tmp_path, path):
    scenario, marker = hostile(write, tmp_path, path)
    module = path.partition(":")[0]
    for argv in commands(scenario, tmp_path):
        status, out, err = cli(*argv)
        assert_refused(status, err, f"module {module!r}", f"--allow-import {module}",
                       imports.ALLOW_ENV)
        assert not marker.exists(), argv
        assert out == ""                        # refused before any work, nothing printed
    assert not any(tmp_path.glob("out.*"))


@pytest.mark.parametrize("path", list(PAYLOADS))
def test_an_allowed_module_is_still_not_called_unless_it_is_a_controller_class(
        cli, write, tmp_path, path):
    scenario, marker = hostile(write, tmp_path, path)
    module = path.partition(":")[0]
    status, _, err = cli("run", scenario, "--allow-import", module)
    assert_refused(status, err, path, "step")
    assert not marker.exists()


@pytest.fixture
def side_effect_module(tmp_path, monkeypatch):
    """A module whose import writes a marker, and whose class's construction writes another."""
    folder = tmp_path / "mods"
    folder.mkdir()
    (folder / "sidefx.py").write_text(textwrap.dedent(f"""\
        open({str(tmp_path / "IMPORTED")!r}, "w").close()

        class NoStep:
            def __init__(self, **kw):
                open({str(tmp_path / "CALLED")!r}, "w").close()
        """))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "sidefx", raising=False)
    yield tmp_path
    sys.modules.pop("sidefx", None)


def test_the_refusal_comes_before_the_module_is_imported(cli, write, side_effect_module):
    scenario = write(scenario_text('[controller]\npath = "sidefx:NoStep"\n'))
    status, _, err = cli("run", scenario)
    assert_refused(status, err, "'sidefx'", "--allow-import sidefx")
    assert not (side_effect_module / "IMPORTED").exists()
    assert "sidefx" not in sys.modules


def test_allowed_it_is_imported_and_checked_before_it_is_called(cli, write,
                                                                side_effect_module):
    scenario = write(scenario_text('[controller]\npath = "sidefx:NoStep"\n'))
    status, _, err = cli("run", scenario, "--allow-import", "sidefx")
    assert_refused(status, err, "sidefx:NoStep", "step")
    assert (side_effect_module / "IMPORTED").exists()
    assert not (side_effect_module / "CALLED").exists()


def test_the_environment_allows_a_prefix(write, side_effect_module, monkeypatch):
    monkeypatch.setenv(imports.ALLOW_ENV, "other, sidefx")
    sc = retrosim.load_scenario(write(scenario_text('[controller]\npath = "sidefx:NoStep"\n')))
    assert "sidefx" in sc.arms["a"].controller.allow


def test_a_prefix_allows_submodules_but_not_lookalikes():
    assert imports.is_allowed("pkg.sub.mod", ("pkg",))
    assert not imports.is_allowed("pkgevil", ("pkg",))
    with pytest.raises(InputError, match="not allowed"):
        imports.check_path("pkgevil.mod:C", ("pkg",))


def test_the_bundled_example_is_allowed_by_default():
    sc = retrosim.load_scenario("controller-regression")
    assert any(a.controller and a.controller.path for a in sc.arms.values())


def test_a_worker_applies_the_same_rule_to_the_spec_it_receives():
    """A spec travels to Dask workers pickled with the prefixes it was allowed with; one
    that was never allowed is refused on the worker too, before any import."""
    spec = ControllerSpec.from_table({"path": "retrosim.controllers.examples:ProportionalHr"})
    smuggled = pickle.loads(pickle.dumps(replace(spec, path="os:system", allow=())))
    with pytest.raises(InputError, match="not allowed"):
        smuggled.build(SafetyLimits())


def test_an_installed_entry_point_is_found_by_name(monkeypatch, write):
    ep = metadata.EntryPoint(name="proportional-hr", group=imports.ENTRY_POINT_GROUP,
                             value="retrosim.controllers.examples:ProportionalHr")
    real = metadata.entry_points

    def entry_points(**kw):
        return [ep] if kw.get("group") == imports.ENTRY_POINT_GROUP else real(**kw)

    monkeypatch.setattr(imports.metadata, "entry_points", entry_points)
    sc = retrosim.load_scenario(write(scenario_text(
        '[controller]\nname = "proportional-hr"\ntarget_hr_bpm = 100\n')))
    ds = retrosim.run(sc)
    assert float(ds.speed.max()) > 0
    with pytest.raises(InputError, match="not known"):
        retrosim.load_scenario(write(scenario_text('[controller]\nname = "nope"\n'), "b.toml"))


def test_check_leaves_sys_path_alone(cli):
    before = list(sys.path)
    status, _, err = cli("check", "hr-target", "--scenario", "hr-controller")
    assert status in (0, 1), err
    assert sys.path == before


def test_check_does_not_run_a_stray_module_of_the_working_folder(tmp_path):
    """``./dask.py`` in the current folder stays unimported (the console script's sys.path
    starts with its own folder, never the working directory)."""
    marker = tmp_path / "STRAY"
    (tmp_path / "dask.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    exe = Path(sys.executable).with_name("retrosim")
    done = subprocess.run([str(exe), "check", "hr-target", "--scenario", "hr-controller"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    assert not marker.exists()


def test_check_refuses_an_import_path_that_is_not_allowed(cli, side_effect_module):
    status, _, err = cli("check", "sidefx:NoStep", "--scenario", "hr-controller")
    assert_refused(status, err, "'sidefx'", "--allow-import sidefx")
    assert not (side_effect_module / "IMPORTED").exists()
