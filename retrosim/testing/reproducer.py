"""What ``retrosim check --explore`` hands back: the shrunk case as a scenario and a pytest file.

The scenario holds the walker (``[subject]``), the protocol (one arm, ``explored``), its
``[[faults]]``, the seed, the controller (``[controller]``) and the base scenario's tables
(``[safety]``, ...), so that ``retrosim check CONTROLLER --scenario FILE`` (with the same
``--param`` and ``--supervised``) fails on it the same way, every time. The pytest file
checks the scenario (it fails until the controller is fixed) and keeps exploring with the
``explore_controller`` fixture of retrosim's pytest plugin and the same seed. Both are
written atomically.

>>> from retrosim.testing.strategies import Case
>>> case = Case({"age_yr": 40, "sex": "male"}, ("walk forward at 4 km/h for 1 min",),
...             ({"kind": "hr-loss", "start_s": 0, "duration_s": 30},))
>>> print(scenario_text(case, {"name": "hr-target"}, {}, ["# found"]))
# found
name = "explored"
seed = 0
<BLANKLINE>
[subject]
age_yr = 40
sex = "male"
<BLANKLINE>
[controller]
name = "hr-target"
<BLANKLINE>
[arms.explored]
stages = ["walk forward at 4 km/h for 1 min"]
<BLANKLINE>
[[faults]]
kind = "hr-loss"
start_s = 0
duration_s = 30
<BLANKLINE>
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomlkit

from retrosim.errors import InputError
from retrosim.model import tomlwriter
from retrosim.results.io import probe_folder, write_atomic
from retrosim.testing.strategies import Case


def scenario_text(case: Case, controller: dict[str, Any], base: dict[str, Any],
                  comments: list[str]) -> str:
    """The scenario file of ``case`` (with ``base``'s tables) as TOML, ``comments`` first;
    the faults as ``[[faults]]`` tables, last."""
    data = case.scenario(base, controller=controller)
    faults = data.pop("faults", [])
    doc = tomlkit.parse(tomlwriter.dumps(data))
    if faults:
        tables = tomlkit.aot()
        for fault in faults:
            tables.append(tomlkit.item(fault))
        doc["faults"] = tables
    return "".join(f"{line}\n" for line in comments) + tomlkit.dumps(doc)


def slug(text: str) -> str:
    """A file-name-safe form: ``retrosim.controllers.examples:InclineHr`` -> ``InclineHr``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text.rpartition(":")[2].rpartition(".")[2]).strip("-")


TEST = '''"""{doc}"""

from pathlib import Path

import retrosim
from retrosim.testing import assert_safe

SCENARIO = Path(__file__).with_name({file!r})


def test_{name}_reproducer():
    """Fails until the controller is fixed: {invariant} at t = {time:g} s."""
    scenario = retrosim.load_scenario(SCENARIO, allow_import={allow!r})
    assert_safe(retrosim.run(scenario))


def test_{name}_explored(explore_controller):
    """Keeps searching in CI; a violation found once is replayed first (.hypothesis/)."""
    explore_controller({controller!r}, scenario=SCENARIO, budget_s={budget:g}, seed={seed},
                       supervisor={supervisor!r}, params={params!r}, invariants={invariants!r},
                       allow_import={allow!r})
'''


def write_reproducer(out_dir: str | Path, result: Any, controller: dict[str, Any],
                     base: dict[str, Any], command: str,
                     invariants: list[str] | None = None) -> tuple[Path, Path]:
    """Write ``<controller>-<invariant>.toml`` and ``test_<controller>_<invariant>.py`` into
    ``out_dir`` (created if missing, its parent must exist); return their paths."""
    folder = Path(out_dir)
    if not folder.parent.is_dir():
        raise InputError("-o", f"folder {str(folder.parent)!r} does not exist", None)
    if folder.exists() and not folder.is_dir():
        raise InputError("-o", f"{str(folder)!r} is a file", "a folder for the reproducer")
    folder.mkdir(exist_ok=True)
    v, case = result.violation, result.case
    what = controller.get("path") or controller.get("name")
    stem = f"{slug(str(what))}-{v.invariant}"
    scenario_path = folder / f"{stem}.toml"
    test_path = folder / f"test_{stem.replace('-', '_')}.py"
    probe_folder(scenario_path)
    flags = "" if not controller.get("supervisor") else " --supervised"
    params = {k: val for k, val in controller.items() if k not in ("name", "path", "supervisor")}
    flags += "".join(f" --param {k}={tomlkit.item(val).as_string()}" for k, val in params.items())
    allow = (str(what).partition(":")[0].split(".")[0],) if controller.get("path") else ()
    flags += "".join(f" --allow-import {a}" for a in allow if a != "retrosim")
    comments = [f"# Found by: {command}",
                f"# {v}",
                f"# Reproduce: retrosim check {what}{flags} --scenario {scenario_path}",
                ""]
    text = scenario_text(case, controller, base, comments)
    write_atomic(scenario_path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    test = TEST.format(doc=f"Found by `{command}`.", file=scenario_path.name,
                       name=stem.replace("-", "_").lower(), invariant=v.invariant,
                       time=v.time_s, allow=allow, controller=str(what), budget=result.budget_s,
                       seed=result.seed, supervisor=bool(controller.get("supervisor")),
                       params=params, invariants=invariants)
    write_atomic(test_path, lambda tmp: Path(tmp).write_text(test, encoding="utf-8"))
    return scenario_path, test_path
