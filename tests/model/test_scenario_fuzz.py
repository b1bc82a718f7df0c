"""Scenario files, fuzzed: any mutation of a valid document either loads or raises a one-line
InputError."""

import copy
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrosim import InputError
from retrosim.model.scenario import Scenario
from tests.model.test_scenario import BASE

# ------------------------------------------------------------------------------------------
# fuzzing: any mutation of a valid document either loads or raises a one-line InputError

VALID_DOC = tomllib.loads(BASE)
KNOWN_KEYS = ("name", "description", "seed", "subject", "energy", "treadmill", "output", "arms",
              "stages", "handrail", "mass_kg", "age_yr", "sex", "balance", "berg",
              "resting_bp_mmhg", "hr_rest_bpm", "vo2max_ml_kg_min", "height_cm", "fitness",
              "model", "resting_rate", "convention", "start", "forward_accel_mps2",
              "backward_accel_mps2", "incline_rate_pct_per_s", "trace_step_s", "direction",
              "speed_mph", "speed_kmh", "speed_mps", "grade_pct", "duration_s", "duration_min",
              "duration_h", "action")
KNOWN_WORDS = ("female", "male", "good", "moderate", "impaired", "severe", "none", "light",
               "grip", "compendium-2011", "acsm", "standard", "oxygen", "stopped", "at-speed",
               "forward", "backward", "walk", "rest", "inactive", "trained")
STAGE_TOKENS = ("walk", "rest", "forward", "backward", "backwards", "sideways", "at", "for",
                "mph", "km/h", "m/s", "mps", "kph", "min", "minutes", "s", "h", "hours", "of",
                ",", "%", "grade", "incline", "nan", "inf", "-inf", "-2", "0", "1.5", "3.5",
                "45", "1e400", ".5", "5%", "\n", "\u2028", "\x85")

stage_strings = st.one_of(
    st.lists(st.sampled_from(STAGE_TOKENS), max_size=12).map(" ".join),
    st.builds("walk {} at {} {}, {}% grade for {} {}".format,
              st.sampled_from(("forward", "backward", "", "up")),
              st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.sampled_from(("nan", "inf", "-1", "1e999", "2"))),
              st.sampled_from(("mph", "km/h", "m/s", "mps", "")),
              st.one_of(st.integers(-50, 50).map(str), st.just("nan")),
              st.one_of(st.integers(-10, 10**6).map(str), st.just("inf")),
              st.sampled_from(("min", "s", "h", "fortnights", "minutes of"))),
)
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(KNOWN_WORDS), stage_strings,
)
junk = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), inner,
                        max_size=4)),
    max_leaves=8,
)


def _containers(node, path=()):
    """Every dict and list in ``node`` with its path."""
    if isinstance(node, dict | list):
        yield path, node
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            yield from _containers(value, (*path, key))


@st.composite
def mutated_documents(draw):
    doc = copy.deepcopy(VALID_DOC)
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(doc))
        _, node = draw(st.sampled_from(containers))
        op = draw(st.sampled_from(("drop", "replace", "insert")))
        if isinstance(node, dict):
            if op == "insert" or not node:
                key = draw(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)))
                node[key] = draw(junk)
            elif op == "drop":
                del node[draw(st.sampled_from(sorted(node)))]
            else:
                node[draw(st.sampled_from(sorted(node)))] = draw(junk)
        else:
            if op == "insert" or not node:
                node.insert(draw(st.integers(0, len(node))), draw(junk))
            elif op == "drop":
                del node[draw(st.integers(0, len(node) - 1))]
            else:
                node[draw(st.integers(0, len(node) - 1))] = draw(junk)
    return doc


def _loads_or_one_line_error(doc):
    try:
        Scenario.from_dict(doc, source="fuzz.toml")
    except InputError as err:                 # every mistake of the file: one line each
        lines = str(err).split("\n")
        errors = getattr(err, "errors", [err])
        assert len(lines) == len(errors) == len(set(lines)), lines
        for line, one in zip(lines, errors, strict=True):
            assert line.startswith("fuzz.toml: ") and line == str(one), line
            assert len(line.splitlines()) == 1, line


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_fuzzed_documents_load_or_raise_input_error(doc):
    _loads_or_one_line_error(doc)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(stage_strings, junk), min_size=0, max_size=4))
def test_fuzzed_stage_lists_load_or_raise_input_error(stages):
    doc = copy.deepcopy(VALID_DOC)
    doc["arms"]["backward"]["stages"] = stages
    _loads_or_one_line_error(doc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KNOWN_KEYS), junk, max_size=6))
def test_fuzzed_stage_tables_load_or_raise_input_error(table):
    doc = copy.deepcopy(VALID_DOC)
    doc["arms"]["forward"]["stages"] = [table]
    _loads_or_one_line_error(doc)
