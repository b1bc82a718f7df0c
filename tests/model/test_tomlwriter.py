"""The TOML writer: what it writes reads back as the same data (tomllib is the judge)."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrosim.model import tomlwriter
from retrosim.model.scenario import bundled

keys = st.text(min_size=1, max_size=8)
scalars = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1),
                    st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
documents = st.recursive(st.dictionaries(keys, values, max_size=5),
                         lambda inner: st.dictionaries(keys, inner, max_size=3), max_leaves=8)


@given(documents)
def test_any_document_reads_back_the_same(doc):
    assert tomllib.loads(tomlwriter.dumps(doc)) == doc


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_reads_back_the_same(name):
    data = tomllib.loads(bundled()[name].read_text(encoding="utf-8"))
    assert tomllib.loads(tomlwriter.dumps(data)) == data


def test_floats_are_exact_and_specials_spelled_as_toml():
    doc = {"a": 0.1 + 0.2, "b": 1e-300, "c": float("inf"), "d": -float("inf"), "e": 5e-324}
    text = tomlwriter.dumps(doc)
    assert "a = 0.30000000000000004" in text and "c = inf" in text and "d = -inf" in text
    assert tomllib.loads(text) == doc


def test_strings_with_quotes_newlines_and_control_characters():
    doc = {"description": 'line one\nline "two"\t\\ \x01 \x7f é', "odd key": "x"}
    assert tomllib.loads(tomlwriter.dumps(doc)) == doc


def test_a_value_toml_has_no_form_for_is_an_error():
    with pytest.raises(TypeError, match="None"):
        tomlwriter.dumps({"vo2max_ml_kg_min": None})


COMMENTED = '''\
# A trial of two speeds: comments and the order of keys are the author's.
name = "two speeds"
seed = 3          # the seed of the published figures

[subject]
sex = "female"    # sex before mass, as written
mass_kg = 61.0

[arms.slow]
stages = ["walk backward at 1.5 mph for 10 min"]

[arms.fast]       # the faster arm
stages = ["walk backward at 2.0 mph for 10 min"]
'''


def test_a_round_trip_keeps_the_comments_order_and_layout():
    data = tomllib.loads(COMMENTED)
    assert tomlwriter.dumps(data, COMMENTED) == COMMENTED


def test_a_changed_value_keeps_the_comments_and_order_around_it():
    data = tomllib.loads(COMMENTED)
    data["seed"] = 4
    data["subject"]["mass_kg"] = 70.5
    data["arms"]["fast"]["stages"] = ["walk backward at 2.5 mph for 10 min"]
    data["arms"]["medium"] = {"stages": ["walk backward at 1.8 mph for 10 min"]}
    text = tomlwriter.dumps(data, COMMENTED)
    assert tomllib.loads(text) == data
    assert "seed = 4          # the seed of the published figures" in text
    assert text.startswith("# A trial of two speeds")
    assert 'sex = "female"    # sex before mass, as written\nmass_kg = 70.5' in text
    assert "[arms.fast]       # the faster arm" in text
    assert text.index("[arms.slow]") < text.index("[arms.fast]") < text.index("medium")


def test_a_removed_key_goes_and_the_rest_stays():
    data = tomllib.loads(COMMENTED)
    del data["seed"]
    text = tomlwriter.dumps(data, COMMENTED)
    assert tomllib.loads(text) == data and "seed" not in text
    assert "# A trial of two speeds" in text and "# the faster arm" in text


def test_an_integer_that_becomes_a_float_is_written_as_a_float():
    text = tomlwriter.dumps({"seed": 3.0}, "seed = 3\n")
    assert tomllib.loads(text) == {"seed": 3.0} and isinstance(tomllib.loads(text)["seed"], float)


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_written_over_its_own_text_is_unchanged(name):
    text = bundled()[name].read_text(encoding="utf-8")
    assert tomlwriter.dumps(tomllib.loads(text), text) == text
