"""Stage strings and tables parse into SI stages; bad ones get one-line errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrosim import InputError, Protocol, Stage, units


@pytest.mark.parametrize(("text", "direction", "speed_mps", "grade", "duration_s"), [
    ("walk forward at 3.5 mph for 10 min", 1, 3.5 * units.MPS_PER_MPH, 0.0, 600.0),
    ("walk backward at 2.0 mph, 5% grade for 5 min", -1, 2.0 * units.MPS_PER_MPH, 0.05, 300.0),
    ("walk backward at 3 km/h for 90 s", -1, 3 / 3.6, 0.0, 90.0),
    ("Walk  Backwards at 1.2 m/s, 2.5 % incline for 1 h", -1, 1.2, 0.025, 3600.0),
    ("walk at 4 kph for 2 minutes", 1, 4 / 3.6, 0.0, 120.0),
    ("rest for 30 min", 1, 0.0, 0.0, 1800.0),
])
def test_stage_strings(text, direction, speed_mps, grade, duration_s):
    stage = Stage.parse(text)
    assert (stage.direction, stage.grade_frac, stage.duration_s) == (direction, grade, duration_s)
    assert stage.speed_mps == pytest.approx(speed_mps, rel=1e-12)


def test_table_form_equals_string_form():
    table = {"direction": "backward", "speed_mph": 2.0, "grade_pct": 5, "duration_min": 5}
    assert Stage.parse(table) == Stage.parse("walk backward at 2.0 mph, 5% grade for 5 min")
    assert Stage.parse({"action": "rest", "duration_h": 1}) == Stage.parse("rest for 60 min")


def test_string_round_trips_through_str():
    for text in ("walk backward at 2 mph, 5% grade for 5 min", "rest for 2 h",
                 "walk forward at 3.5 mph for 90 s"):
        assert str(Stage.parse(text)) == text


@pytest.mark.parametrize(("spec", "says"), [
    ("jog forward at 5 mph for 10 min", "is not a stage"),
    ("walk backward at 30 mph for 5 min", "out of range for walking backward"),
    ("walk forward at 6 mph for 5 min", "out of range for walking forward"),
    ("walk backward at -2 mph for 5 min", "out of range"),
    ("walk forward at 0 mph for 5 min", "out of range"),
    ("walk at nan mph for 1 min", "not a finite number"),
    ("walk at 2 mph for inf min", "not a finite number"),
    ("walk at 2 mph, 20% grade for 1 min", "grade"),
    ("walk at 2 mph, -3% grade for 1 min", "grade"),
    ("walk at 2 mph for 0 min", "duration"),
    ("walk at 2 mph for 30 h", "duration"),
    ("walk at 2 mph for 5 fortnights", "not a unit of time"),
    ("walk at 2 knots for 5 min", "is not a stage"),
    ("walk sideways at 2 mph for 1 min", "direction 'sideways'"),
    ("walk backward at 2 mph", "is not a stage"),
    ({"speed_mph": 2}, "duration"),
    ({"speed_mph": 2, "speed_kmh": 3, "duration_min": 1}, "several speed"),
    ({"speed_mph": 2, "duration_min": 1, "pace": 3}, "not a stage key"),
    ({"speed_mph": "fast", "duration_min": 1}, "not a finite number"),
    ({"direction": "up", "speed_mph": 2, "duration_min": 1}, "not known"),
    ({"action": "rest", "duration_min": 1, "speed_mph": 2}, "does not apply to rest"),
    (42, "neither a stage string nor a table"),
])
def test_bad_stages_name_the_key_and_what_is_allowed(spec, says):
    with pytest.raises(InputError) as err:
        Stage.parse(spec, key="arms.a.stages[3]")
    message = str(err.value)
    assert says in message
    assert message.startswith("arms.a.stages[3]")
    assert "allowed" in message or "is not a stage key" in message or "apply" in message
    assert "\n" not in message


@pytest.mark.parametrize("specs", [[], "walk at 2 mph for 1 min", {"a": 1}, None])
def test_protocol_needs_a_list_of_stages(specs):
    with pytest.raises(InputError, match="non-empty list of stages"):
        Protocol.parse(specs)


@given(st.text(max_size=60))
def test_any_text_either_parses_or_raises_input_error(text):
    try:
        stage = Stage.parse(text)
    except InputError as err:
        assert "\n" not in str(err)
    else:
        assert stage.duration_s > 0
