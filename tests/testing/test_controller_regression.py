"""A user's controller under regression test: the worked example of controller-regression.

The first test is what a user writes (three lines, with the ``golden_trace`` fixture of
retrosim's pytest plugin); the golden file ``golden/test_user_controller_is_safe_and_unchanged.csv``
was recorded from it and checked: the heart rate settles at 115 bpm on every arm, the
supervised arm slows to 2 km/h during the sensor spike and recovers, and every invariant holds.
"""

import tomllib
from pathlib import Path

import retrosim
from retrosim.model.scenario import Scenario, bundled
from retrosim.testing import assert_safe, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "test_user_controller_is_safe_and_unchanged.csv"


def test_user_controller_is_safe_and_unchanged(golden_trace):
    ds = retrosim.run(retrosim.load_scenario("controller-regression"))
    assert_safe(ds)
    golden_trace(ds)


def with_gain(gain):
    text = bundled()["controller-regression"].read_text().replace("gain = 0.01", f"gain = {gain}")
    return retrosim.run(Scenario.from_dict(tomllib.loads(text)))


def test_a_10_percent_change_of_gain_fails_with_a_readable_diff():
    diff = compare_golden(with_gain(0.011), GOLDEN)
    assert not diff.ok
    text = str(diff)
    assert "speed [m s-1], tolerance 0.01" in text and "samples differ" in text
    header = [line for line in text.splitlines() if "golden" in line and "now" in line]
    assert header, text                                   # the side-by-side rows
    assert "RETROSIM_UPDATE_GOLDEN" in text


def test_the_same_gain_matches():
    assert compare_golden(with_gain(0.01), GOLDEN).ok
