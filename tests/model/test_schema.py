"""The JSON Schema of scenario files: generated from the model's own keys and choices, it is
the file the package ships, every bundled scenario passes it, and every malformed example of
the tests that a schema can express fails it."""

from __future__ import annotations

import json
import os
import tomllib

import jsonschema
import pytest

from retrosim.model import schema
from retrosim.model.scenario import bundled
from tests.model.test_scenario import BASE, MALFORMED

#: Malformed examples a JSON Schema cannot express; ``Scenario.from_dict`` refuses them.
#: The sentences of a protocol (a grammar, parsed by retrosim.model.protocol):
SENTENCES = {"bad-stage-string", "unit-mps", "unit-missing", "unit-minutes-of", "unit-of-time",
             "unknown-direction", "speed-negative", "speed-zero", "speed-absurd",
             "speed-absurd-kmh", "speed-overflow", "speed-nan", "speed-inf", "grade-negative",
             "grade-absurd", "grade-nan", "duration-negative", "duration-zero",
             "duration-absurd", "duration-inf", "rest-nan"}
#: NaN, which JSON has no word for (a number compares false with every bound):
NAN = {"table-speed-nan", "table-grade-nan", "table-duration-nan", "mass-nan",
       "treadmill-nan-accel", "trace-step-nan"}
#: A relation between two values (diastolic below systolic):
RELATIONS = {"bp-diastolic-above"}
#: Not TOML at all: tomllib refuses them before any schema is asked.
NOT_TOML = {"invalid-toml", "duplicate-key", "unclosed-list", "not-utf8"}
INEXPRESSIBLE = SENTENCES | NAN | RELATIONS


@pytest.fixture(scope="module")
def validator():
    loaded = json.loads(schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(loaded)
    return jsonschema.Draft7Validator(loaded)


def test_the_shipped_schema_is_the_generated_one():
    if os.environ.get("RETROSIM_UPDATE_SCHEMA"):
        schema.write()
    assert schema.SCHEMA_PATH.name.endswith(".schema.json")
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.schema_text(), \
        "regenerate it: python -m retrosim.model.schema"


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_is_valid(validator, name):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in
              validator.iter_errors(tomllib.loads(bundled()[name].read_text(encoding="utf-8")))]
    assert errors == []


def test_the_base_of_the_malformed_examples_is_valid(validator):
    assert list(validator.iter_errors(tomllib.loads(BASE))) == []


def test_the_lists_of_what_the_schema_cannot_express_name_real_examples():
    names = {case[0] for case in MALFORMED}
    assert INEXPRESSIBLE | NOT_TOML <= names, (INEXPRESSIBLE | NOT_TOML) - names


@pytest.mark.parametrize("case", [c for c in MALFORMED if c[0] not in INEXPRESSIBLE | NOT_TOML],
                         ids=lambda c: c[0])
def test_every_malformed_example_a_schema_can_express_is_rejected(validator, case):
    text = case[1](BASE)
    doc = tomllib.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    assert list(validator.iter_errors(doc)), f"{case[0]} passes the schema"


@pytest.mark.parametrize("where", ["name", "description", "arm-description"])
@pytest.mark.parametrize("bad", ["\x1b]0;pwned\x07", "\x1b[2J", "\x07", "\x00", "\x9b",
                                 "\u202e", "\x08", "\r"])
def test_control_characters_in_names_are_rejected(validator, where, bad):
    """The hostile names of tests/security/test_corpus.py."""
    data = {"name": "x", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]}}}
    assert list(validator.iter_errors(data)) == []
    if where == "arm-description":
        data["arms"]["a"]["description"] = f"ok{bad}"
    else:
        data[where] = f"ok{bad}"
    assert list(validator.iter_errors(data))


def test_a_description_may_span_lines_and_a_name_may_not(validator):
    base = {"subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]}}}
    assert not list(validator.iter_errors({**base, "name": "x", "description": "one\n\ttwo"}))
    assert list(validator.iter_errors({**base, "name": "x\n"}))
    assert list(validator.iter_errors({**base, "name": "x", "arms": {"a\n": base["arms"]["a"]}}))
