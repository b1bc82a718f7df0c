"""Scenario files: malformed ones give one-line errors naming file and key (the bundled ones:
test_scenario_bundled.py; fuzzed documents: test_scenario_fuzz.py)."""

import re
import tomllib

import pytest

import retrosim
from retrosim import InputError
from retrosim.model.scenario import Scenario

BASE = """\
name = "malformed-base"
description = "A valid scenario that the tests break one key at a time"
seed = 7

[subject]
mass_kg = 61.0
age_yr = 55
sex = "female"
balance = "moderate"
resting_bp_mmhg = [138, 86]
hr_rest_bpm = 72
handrail = "light"

[energy]
model = "compendium-2011"

[treadmill]
start = "stopped"
forward_accel_mps2 = 0.5

[output]
trace_step_s = 1.0

[arms.forward]
stages = ["walk forward at 3.5 mph for 10 min"]

[arms.backward]
stages = [
  "walk forward at 2.0 mph for 3 min",
  "walk backward at 1.5 mph for 5 min",
  "walk backward at 2.0 mph, 5% grade for 5 min",
  {direction = "backward", speed_mph = 2.0, grade_pct = 5, duration_min = 5},
  "rest for 30 min",
]
"""

FORWARD = '"walk forward at 3.5 mph for 10 min"'
BACKWARD = '"walk backward at 1.5 mph for 5 min"'
UPHILL = '"walk backward at 2.0 mph, 5% grade for 5 min"'
TABLE = '{direction = "backward", speed_mph = 2.0, grade_pct = 5, duration_min = 5}'


def sub(old, new):
    """A mutation that replaces the one occurrence of ``old``."""
    def mutate(text):
        assert text.count(old) == 1, old
        return text.replace(old, new)
    return mutate


def drop(header):
    """A mutation that removes the table ``[header]`` and its keys."""
    def mutate(text):
        pattern = rf"^\[{re.escape(header)}\]\n(?:(?!\[[\w.-]+\]\n).*\n)*"
        out, n = re.subn(pattern, "", text, flags=re.M)
        assert n == 1, header
        return out
    return mutate


def top(line):
    """A mutation that adds a top-level line."""
    return lambda text: f"{line}\n{text}"


def chain(*mutations):
    def mutate(text):
        for m in mutations:
            text = m(text)
        return text
    return mutate


NO_ARMS = chain(drop("arms.forward"), drop("arms.backward"))
FORWARD_KEY = "arms.forward.stages[0]"

# (id, mutation, key the message names (None: the file as a whole), text the "allowed" part
# contains (None: the message has no "allowed" part to check), text the problem contains)
MALFORMED = [
    # structure
    ("unknown-top-key", top('colour = "red"'), "colour", "name, description", None),
    ("unknown-subject-key", sub("age_yr = 55", "age_yr = 55\nweight_lb = 134"),
     "subject.weight_lb", "mass_kg", None),
    ("missing-name", sub('name = "malformed-base"\n', ""), "name", "string", "required"),
    ("empty-name", sub('name = "malformed-base"', 'name = " "'), "name", "string", None),
    ("name-not-text", sub('name = "malformed-base"', "name = 12"), "name", "string", None),
    ("missing-subject", drop("subject"), "subject", "mass_kg", "required"),
    ("subject-not-a-table", chain(drop("subject"), top('subject = "anna"')), "subject",
     "[subject]", None),
    ("missing-mass", sub("mass_kg = 61.0\n", ""), "subject.mass_kg", "30-250 kg", "required"),
    ("missing-sex", sub('sex = "female"\n', ""), "subject.sex", "female | male", "required"),
    ("missing-arms", NO_ARMS, "arms", "stages", "required"),
    ("empty-arms", chain(NO_ARMS, lambda t: t + "[arms]\n"), "arms", "stages", None),
    ("arm-not-a-table", chain(NO_ARMS, lambda t: t + '[arms]\nforward = "fast"\n'),
     "arms.forward", "stages", "not a table"),
    ("arm-without-stages", sub(f"stages = [{FORWARD}]", 'description = "no stages"'),
     "arms.forward.stages", "walk forward", "required"),
    ("stages-not-a-list", sub(f"stages = [{FORWARD}]", f"stages = {FORWARD}"),
     "arms.forward.stages", "walk forward", None),
    ("stages-empty", sub(f"stages = [{FORWARD}]", "stages = []"), "arms.forward.stages",
     "walk forward", None),
    ("stage-a-number", sub(FORWARD, "35"), FORWARD_KEY, "walk forward", None),
    ("unknown-arm-key", sub(f"stages = [{FORWARD}]", f"stages = [{FORWARD}]\nspeed = 3"),
     "arms.forward.speed", "stages, handrail", None),
    ("bad-arm-name", sub("[arms.forward]", '[arms."two words"]'), "arms.two words",
     "letters, digits", None),
    ("arm-name-with-newline", sub("[arms.forward]", '[arms."forward\\n"]'), "arms.forward\\n",
     "letters, digits", None),
    ("key-with-newline", top('"col\\nour" = 1'), "col\\nour", "name, description", None),
    # stage strings
    ("bad-stage-string", sub(BACKWARD, '"jog backward at 1.5 mph for 5 min"'),
     "arms.backward.stages[1]", "walk forward at 3.5 mph", "is not a stage"),
    ("unit-mps", sub(FORWARD, '"walk forward at 3.5 mps for 10 min"'), FORWARD_KEY, "mph",
     None),
    ("unit-missing", sub(FORWARD, '"walk forward at 3.5 for 10 min"'), FORWARD_KEY, "mph", None),
    ("unit-minutes-of", sub(FORWARD, '"walk forward at 3.5 mph for 5 minutes of"'),
     FORWARD_KEY, "walk forward", None),
    ("unit-of-time", sub(FORWARD, '"walk forward at 3.5 mph for 10 fortnights"'), FORWARD_KEY,
     "s | min | h", "unit of time"),
    ("unknown-direction", sub(FORWARD, '"walk sideways at 3.5 mph for 10 min"'), FORWARD_KEY,
     "forward | backward", None),
    ("speed-negative", sub(BACKWARD, '"walk backward at -1.5 mph for 5 min"'),
     "arms.backward.stages[1]", "mph", "out of range"),
    ("speed-zero", sub(FORWARD, '"walk forward at 0 mph for 10 min"'), FORWARD_KEY, "mph",
     "out of range"),
    ("speed-absurd", sub(BACKWARD, '"walk backward at 45 mph for 5 min"'),
     "arms.backward.stages[1]", "mph", "out of range"),
    ("speed-absurd-kmh", sub(FORWARD, '"walk forward at 300 km/h for 10 min"'), FORWARD_KEY,
     "km/h", "out of range"),
    ("speed-nan", sub(BACKWARD, '"walk backward at nan mph for 5 min"'),
     "arms.backward.stages[1]", "walk forward", "finite"),
    ("speed-inf", sub(BACKWARD, '"walk backward at inf mph for 5 min"'),
     "arms.backward.stages[1]", "walk forward", "finite"),
    ("speed-overflow", sub(BACKWARD, f'"walk backward at 1{"0" * 400} mph for 5 min"'),
     "arms.backward.stages[1]", "walk forward", "finite"),
    ("grade-negative", sub(UPHILL, '"walk backward at 2.0 mph, -5% grade for 5 min"'),
     "arms.backward.stages[2]", "0-15 %", "out of range"),
    ("grade-absurd", sub(UPHILL, '"walk backward at 2.0 mph, 50% grade for 5 min"'),
     "arms.backward.stages[2]", "0-15 %", "out of range"),
    ("grade-nan", sub(UPHILL, '"walk backward at 2.0 mph, nan% grade for 5 min"'),
     "arms.backward.stages[2]", "walk forward", "finite"),
    ("duration-negative", sub(BACKWARD, '"walk backward at 1.5 mph for -5 min"'),
     "arms.backward.stages[1]", "1-86400 s", "out of range"),
    ("duration-zero", sub(BACKWARD, '"walk backward at 1.5 mph for 0 min"'),
     "arms.backward.stages[1]", "1-86400 s", "out of range"),
    ("duration-absurd", sub(BACKWARD, '"walk backward at 1.5 mph for 1000 h"'),
     "arms.backward.stages[1]", "1-86400 s", "out of range"),
    ("duration-inf", sub(BACKWARD, '"walk backward at 1.5 mph for inf min"'),
     "arms.backward.stages[1]", "walk forward", "finite"),
    ("rest-nan", sub('"rest for 30 min"', '"rest for nan min"'), "arms.backward.stages[4]",
     "walk forward", "finite"),
    # stage tables (TOML's nan and inf literals)
    ("table-speed-nan", sub("speed_mph = 2.0", "speed_mph = nan"),
     "arms.backward.stages[3].speed_mph", "a number", "finite"),
    ("table-speed-inf", sub("speed_mph = 2.0", "speed_mph = inf"),
     "arms.backward.stages[3].speed_mph", "a number", "finite"),
    ("table-speed-negative", sub("speed_mph = 2.0", "speed_mph = -2.0"),
     "arms.backward.stages[3]", "mph", "out of range"),
    ("table-speed-text", sub("speed_mph = 2.0", 'speed_mph = "2 mph"'),
     "arms.backward.stages[3].speed_mph", "a number", None),
    ("table-two-speeds", sub("speed_mph = 2.0", "speed_mph = 2.0, speed_kmh = 3"),
     "arms.backward.stages[3]", "speed_mph | speed_kmh", "several"),
    ("table-no-speed", sub("speed_mph = 2.0, ", ""), "arms.backward.stages[3]", "speed_mph",
     None),
    ("table-grade-nan", sub("grade_pct = 5", "grade_pct = nan"),
     "arms.backward.stages[3].grade_pct", "0-15 %", "finite"),
    ("table-grade-negative", sub("grade_pct = 5", "grade_pct = -3"),
     "arms.backward.stages[3]", "0-15 %", "out of range"),
    ("table-grade-text", sub("grade_pct = 5", 'grade_pct = "5%"'),
     "arms.backward.stages[3].grade_pct", "0-15 %", None),
    ("table-duration-nan", sub("duration_min = 5", "duration_min = nan"),
     "arms.backward.stages[3].duration_min", "a number", "finite"),
    ("table-duration-negative", sub("duration_min = 5", "duration_min = -5"),
     "arms.backward.stages[3]", "1-86400 s", "out of range"),
    ("table-duration-inf", sub("duration_min = 5", "duration_min = inf"),
     "arms.backward.stages[3].duration_min", "a number", "finite"),
    ("table-unknown-key", sub("grade_pct = 5", "incline = 5"), "arms.backward.stages[3].incline",
     "grade_pct", "not a stage key"),
    ("table-direction", sub('direction = "backward"', 'direction = "up"'),
     "arms.backward.stages[3].direction", "forward | backward", None),
    ("table-action", sub('direction = "backward"', 'action = "run"'),
     "arms.backward.stages[3].action", "walk | rest", None),
    ("table-handrail", sub("grade_pct = 5", 'grade_pct = 5, handrail = "both"'),
     "arms.backward.stages[3]", "none | light | grip", None),
    # subject
    ("mass-zero", sub("mass_kg = 61.0", "mass_kg = 0"), "subject.mass_kg", "30-250 kg",
     "out of range"),
    ("mass-900", sub("mass_kg = 61.0", "mass_kg = 900"), "subject.mass_kg", "30-250 kg",
     "out of range"),
    ("mass-negative", sub("mass_kg = 61.0", "mass_kg = -61.0"), "subject.mass_kg", "30-250 kg",
     "out of range"),
    ("mass-nan", sub("mass_kg = 61.0", "mass_kg = nan"), "subject.mass_kg", "30-250 kg",
     "finite"),
    ("mass-with-unit", sub("mass_kg = 61.0", 'mass_kg = "61 kg"'), "subject.mass_kg",
     "30-250 kg", "not a number"),
    ("age-5", sub("age_yr = 55", "age_yr = 5"), "subject.age_yr", "18-100 yr", "out of range"),
    ("hr-rest-inf", sub("hr_rest_bpm = 72", "hr_rest_bpm = -inf"), "subject.hr_rest_bpm",
     "35-120", "finite"),
    ("sex-x", sub('sex = "female"', 'sex = "x"'), "subject.sex", "female | male", None),
    ("balance-wobbly", sub('balance = "moderate"', 'balance = "wobbly"'), "subject.balance",
     "good | moderate | impaired | severe", None),
    ("berg-70", sub('balance = "moderate"', "berg = 70"), "subject.berg", "0-56",
     "out of range"),
    ("berg-fraction", sub('balance = "moderate"', "berg = 44.5"), "subject.berg", "0-56",
     "whole number"),
    ("berg-and-balance", sub('balance = "moderate"', 'balance = "moderate"\nberg = 47'),
     "subject.berg", "balance", "not both"),
    ("bp-300-20", sub("[138, 86]", "[300, 20]"), "subject.resting_bp_mmhg[0]", "70-250 mmHg",
     "out of range"),
    ("bp-diastolic-20", sub("[138, 86]", "[138, 20]"), "subject.resting_bp_mmhg[1]",
     "40-150 mmHg", "out of range"),
    ("bp-diastolic-above", sub("[138, 86]", "[120, 130]"), "subject.resting_bp_mmhg",
     "diastolic < systolic", "diastolic"),
    ("bp-one-value", sub("[138, 86]", "[138]"), "subject.resting_bp_mmhg", "[70-250, 40-150]",
     None),
    ("bp-text", sub("[138, 86]", '"138/86"'), "subject.resting_bp_mmhg", "[70-250, 40-150]",
     None),
    ("handrail-both", sub('handrail = "light"', 'handrail = "both"'), "subject.handrail",
     "none | light | grip", None),
    ("arm-handrail-both", sub(f"stages = [{FORWARD}]", f'handrail = "both"\nstages = [{FORWARD}]'),
     "arms.forward.handrail", "none | light | grip", None),
    # energy, treadmill, output, seed
    ("energy-model-magic", sub('model = "compendium-2011"', 'model = "magic"'), "energy.model",
     "compendium-2011", "not known"),
    ("energy-unknown-key", sub('model = "compendium-2011"',
                               'model = "compendium-2011"\nefficiency = 0.25'),
     "energy.efficiency", "model", "not an energy key"),
    ("energy-resting-rate", sub('model = "compendium-2011"',
                                'model = "compendium-2011"\nresting_rate = 3.5'),
     "energy.resting_rate", "standard", None),
    ("treadmill-unknown-key", sub('start = "stopped"', 'start = "stopped"\nmax_speed = 12'),
     "treadmill.max_speed", "forward_accel_mps2", "not a treadmill key"),
    ("treadmill-negative-accel", sub("forward_accel_mps2 = 0.5", "forward_accel_mps2 = -0.5"),
     "treadmill.forward_accel_mps2", "0.05-2 m s-2", "out of range"),
    ("treadmill-nan-accel", sub("forward_accel_mps2 = 0.5", "forward_accel_mps2 = nan"),
     "treadmill.forward_accel_mps2", "0.05-2 m s-2", "finite"),
    ("treadmill-start-flying", sub('start = "stopped"', 'start = "flying"'), "treadmill.start",
     "stopped | at-speed", None),
    ("trace-step-zero", sub("trace_step_s = 1.0", "trace_step_s = 0"), "output.trace_step_s",
     "0.01-3600 s", "out of range"),
    ("trace-step-nan", sub("trace_step_s = 1.0", "trace_step_s = nan"), "output.trace_step_s",
     "0.01-3600 s", "finite"),
    ("output-unknown-key", sub("trace_step_s = 1.0", "trace_step_s = 1.0\nformat = 'csv'"),
     "output.format", "trace_step_s", None),
    ("seed-negative", sub("seed = 7", "seed = -1"), "seed", "0-", "out of range"),
    ("seed-fraction", sub("seed = 7", "seed = 1.5"), "seed", "0-", "whole number"),
    ("seed-text", sub("seed = 7", 'seed = "abc"'), "seed", "0-", "whole number"),
    ("seed-nan", sub("seed = 7", "seed = nan"), "seed", "0-", "finite"),
    # not a scenario at all
    ("invalid-toml", sub("mass_kg = 61.0", "mass_kg = = 61.0"), None, None, "not valid TOML"),
    ("duplicate-key", sub("age_yr = 55", "age_yr = 55\nage_yr = 56"), None, None,
     "not valid TOML"),
    ("unclosed-list", sub(f"stages = [{FORWARD}]", f"stages = [{FORWARD}"), None, None,
     "not valid TOML"),
    ("empty-file", lambda text: "", "name", "string", "required"),
    ("not-utf8", lambda text: text.encode().replace(b"base", b"base \xff\xfe", 1), None, None,
     "cannot be read"),
]


def write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_one_line(message, source):
    assert message.strip() == message
    assert "\n" not in message and len(message.splitlines()) == 1, message
    assert message.startswith(f"{source}: "), message
    assert "Traceback" not in message


# ------------------------------------------------------------------------------------------
# malformed files


def test_the_base_document_is_valid(tmp_path):
    retrosim.load_scenario(write(tmp_path, BASE))


@pytest.mark.parametrize(("mutate", "key", "allowed", "problem"),
                         [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_malformed_scenario_gives_a_one_line_error(tmp_path, mutate, key, allowed, problem):
    path = write(tmp_path, mutate(BASE))
    with pytest.raises(InputError) as info:
        retrosim.load_scenario(path)
    err = info.value
    message = str(err)
    assert_one_line(message, path)
    assert err.source == str(path)
    if key is not None:
        assert message.startswith(f"{path}: {key}"), message
        assert err.key.startswith(key.replace("\\n", "\n"))
    if allowed is not None:
        assert "; allowed: " in message, message
        assert allowed in message.split("; allowed: ", 1)[1], message
    if problem is not None:
        assert problem in message, message


def test_line_numbers_of_toml_syntax_errors(tmp_path):
    path = write(tmp_path, sub("mass_kg = 61.0", "mass_kg = = 61.0")(BASE))
    with pytest.raises(InputError, match=r"line 6"):
        retrosim.load_scenario(path)


def test_python_callers_get_the_same_errors():
    doc = tomllib.loads(BASE)
    doc["subject"]["mass_kg"] = 900
    with pytest.raises(InputError) as info:
        Scenario.from_dict(doc, source="mine.toml")
    assert str(info.value).startswith("mine.toml: subject.mass_kg: 900 kg is out of range")
    with pytest.raises(InputError, match=r"^scenario: subject.mass_kg: "):
        Scenario.from_dict(doc)
    with pytest.raises(InputError, match=r"^fuzz.toml: .*not a table"):
        Scenario.from_dict(["name"], source="fuzz.toml")


BIG_INTEGERS = [
    (("seed",), 10**400, "seed"),
    (("subject", "mass_kg"), 10**400, "subject.mass_kg"),
    (("subject", "resting_bp_mmhg"), [-(10**400), 80], "subject.resting_bp_mmhg[0]"),
    (("arms", "backward", "stages", 3, "speed_mph"), 10**400, "arms.backward.stages[3].speed_mph"),
    (("arms", "backward", "stages", 3, "grade_pct"), 10**400, "arms.backward.stages[3].grade_pct"),
    (("arms", "backward", "stages", 3, "duration_min"), -(10**400),
     "arms.backward.stages[3].duration_min"),
]


@pytest.mark.parametrize(("where", "value", "key"), BIG_INTEGERS,
                         ids=[case[2] for case in BIG_INTEGERS])
def test_integers_beyond_float_range(where, value, key):
    doc = tomllib.loads(BASE)
    target = doc
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    with pytest.raises(InputError) as info:
        Scenario.from_dict(doc, source="big.toml")
    assert_one_line(str(info.value), "big.toml")
    assert str(info.value).startswith(f"big.toml: {key}")
