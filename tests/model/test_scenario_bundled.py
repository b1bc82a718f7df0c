"""Scenario files: the bundled ones load by name and by path; a missing name, file or folder
gives a one-line error; run arguments from Python are checked."""

import math
from pathlib import Path

import pytest

import retrosim
from retrosim import InputError
from retrosim.model.scenario import bundled
from tests.model.test_scenario import BASE, assert_one_line, write

SCENARIO_FOLDER = Path(retrosim.__file__).parent / "scenarios"


# ------------------------------------------------------------------------------------------
# bundled scenarios


def test_bundled_lists_every_file_in_the_scenarios_folder():
    files = sorted(SCENARIO_FOLDER.glob("*.toml"))
    assert files
    assert {k: v.resolve() for k, v in bundled().items()} == \
        {p.stem: p.resolve() for p in files}


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_loads_by_name_and_by_path(name):
    by_name = retrosim.load_scenario(name)
    by_path = retrosim.load_scenario(SCENARIO_FOLDER / f"{name}.toml")
    by_text = retrosim.load_scenario(str(SCENARIO_FOLDER / f"{name}.toml"))
    assert by_name.name == name
    assert by_name.description and "\n" not in retrosim.model.scenario.describe(bundled()[name])
    assert by_name.arms
    assert (by_path.subject, by_path.arms) == (by_name.subject, by_name.arms)
    assert by_text.arms == by_name.arms


def test_compendium_scenario_has_the_three_arms():
    sc = retrosim.load_scenario("compendium-2011")
    assert list(sc.arms) == ["forward-level", "backward-level", "backward-uphill"]
    assert sc.subject.mass_kg == 61.0
    assert sc.seed == 2011
    assert sc.energy.model == "compendium-2011"
    assert sc.treadmill.start == "at-speed"


def test_load_from_a_path(tmp_path):
    path = write(tmp_path, BASE)
    sc = retrosim.load_scenario(path)
    assert sc.name == "malformed-base"
    assert sc.source == str(path)
    assert list(sc.arms) == ["forward", "backward"]
    assert len(sc.arms["backward"].protocol.stages) == 5
    assert sc.subject.resting_bp_mmhg == (138.0, 86.0)
    assert sc.arms["backward"].protocol.stages[2] == sc.arms["backward"].protocol.stages[3]
    assert retrosim.load_scenario(str(path)) == sc


def test_unknown_name_lists_the_bundled_names():
    with pytest.raises(InputError) as info:
        retrosim.load_scenario("no-such-scenario")
    message = str(info.value)
    assert_one_line(message, "no-such-scenario")
    for name in bundled():
        assert name in message


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "missing.toml"
    with pytest.raises(InputError) as info:
        retrosim.load_scenario(path)
    assert_one_line(str(info.value), path)
    assert "allowed: " in str(info.value)


def test_a_folder_is_not_a_scenario(tmp_path):
    folder = tmp_path / "scenario.toml"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        retrosim.load_scenario(folder)
    assert_one_line(str(info.value), folder)
    assert "folder" in str(info.value)


# ------------------------------------------------------------------------------------------
# run arguments from Python


@pytest.fixture(scope="module")
def compendium():
    return retrosim.load_scenario("compendium-2011")


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": "abc"}, "seed"),
    ({"seed": math.nan}, "seed"), ({"subjects": 0}, "subjects"), ({"subjects": 1.5}, "subjects"),
    ({"subjects": -3}, "subjects"), ({"subjects": True}, "subjects"),
    ({"subjects": "10"}, "subjects"), ({"trace_step_s": 0}, "trace_step_s"),
    ({"trace_step_s": -1.0}, "trace_step_s"), ({"trace_step_s": math.inf}, "trace_step_s"),
])
def test_run_rejects_bad_arguments(compendium, kwargs, key):
    with pytest.raises(InputError) as info:
        retrosim.run(compendium, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{key}: "), message
    assert "; allowed: " in message
