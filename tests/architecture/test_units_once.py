"""Units are converted in one module and a scenario speaks one speed unit everywhere."""

import ast
import json
from pathlib import Path

import pytest

import retrosim
from retrosim import units
from retrosim.model.scenario import Scenario

PACKAGE = Path(retrosim.__file__).parent

#: Speed conversion factors (m per mile, m s-1 per mph, km per mile, mph per m s-1, mile
#: per km) that only ``retrosim/units.py`` may write.
FACTORS = {1609.344, 0.44704, 1.609344, 2.2369362920544025, 0.621371192237334}


def _written_factors(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.value}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, float)
            and any(abs(node.value - f) <= 1e-9 * f for f in FACTORS)]


def test_speed_factors_are_written_only_in_units():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path.name != "units.py"
             or path.parent != PACKAGE for hit in _written_factors(path)]
    assert found == []
    assert _written_factors(PACKAGE / "units.py")      # the scan sees a factor where it is


SUBJECT = {"mass_kg": 70, "age_yr": 40, "sex": "female"}


@pytest.mark.parametrize(("stages", "safety", "unit"), [
    (["walk forward at 3 mph for 1 min", "walk forward at 5 km/h for 1 min"], {}, "mph"),
    (["walk forward at 5 km/h for 1 min", "walk backward at 2 km/h for 1 min",
      "walk forward at 3 mph for 1 min"], {}, "km/h"),
    (["walk forward at 3 mph for 1 min"], {"max_speed_kmh": 12.0}, "mph"),
    (["walk forward at 5 km/h for 1 min"], {}, "km/h"),
])
def test_a_mixed_file_speaks_one_unit_in_results_and_limits(stages, safety, unit):
    doc = {"name": "mixed", "subject": SUBJECT, "arms": {"a": {"stages": stages}}}
    if safety:
        doc["safety"] = safety
    scenario = Scenario.from_dict(doc)
    ds = retrosim.run(scenario, subjects=1, traces=False)
    assert scenario.speed_unit == ds.attrs["speed_units"] == unit
    if not safety:
        assert scenario.safety.unit == unit
    top = max(s.speed_mps for s in scenario.arms["a"].protocol.stages)
    assert json.loads(ds.attrs["arm_descriptions"])["a"]["top_speed"] == pytest.approx(
        float(units.mps_to_mph(top) if unit == "mph" else units.mps_to_kmh(top)), rel=1e-12)


def test_a_comment_does_not_choose_the_unit(tmp_path):
    path = tmp_path / "metric.toml"
    path.write_text('name = "metric"  # a km/h console: 0.1 mph steps would round 4.0 km/h\n'
                    "[subject]\nmass_kg = 70\nage_yr = 40\nsex = \"male\"\n"
                    '[arms.a]\nstages = ["walk forward at 4 km/h for 1 min"]\n',
                    encoding="utf-8")
    scenario = retrosim.load_scenario(str(path))
    assert scenario.speed_unit == "km/h"
    assert retrosim.run(scenario, subjects=1, traces=False).attrs["speed_units"] == "km/h"
