"""The [program] table and arm progressions: parsing, the calendar, one-line errors."""

import pytest

from retrosim.errors import InputError
from retrosim.model.program import Program
from retrosim.model.scenario import Scenario
from retrosim.units import MPS_PER_KMH, MPS_PER_MPH

SUBJECT = {"mass_kg": 70, "age_yr": 60, "sex": "female"}


def scenario(program=None, **arm):
    data = {"name": "p", "subject": SUBJECT,
            "arms": {"a": {"stages": ["walk forward at 1.5 mph for 3 min",
                                      "walk backward at 1.5 mph for 5 min",
                                      "rest for 10 min"], **arm}}}
    if program is not None:
        data["program"] = program
    return Scenario.from_dict(data, source="p.toml")


def test_three_a_week_fall_on_monday_wednesday_friday():
    p = scenario({"weeks": 2, "sessions_per_week": 3}).program
    assert p.schedule() == [(0, 0), (2, 0), (4, 0), (7, 1), (9, 1), (11, 1)]
    assert p.days == 14 and p.weeks == 2


def test_sessions_are_spread_over_the_week():
    days = [d for d, _ in scenario({"weeks": 1, "sessions_per_week": 5}).program.schedule()]
    assert days == [0, 1, 2, 4, 5]
    days = [d for d, _ in scenario({"weeks": 1, "sessions_per_week": 7}).program.schedule()]
    assert days == list(range(7))


def test_phases_with_a_break():
    p = scenario({"phases": [{"weeks": 2, "sessions_per_week": 3},
                             {"weeks": 2, "sessions_per_week": 0},
                             {"weeks": 1, "sessions_per_week": 2}]}).program
    assert p.schedule()[-2:] == [(28, 4), (31, 4)]
    assert len(p.schedule()) == 8 and p.days == 35


def test_a_scenario_without_program_is_a_single_session():
    assert scenario().program is None


def test_progression_grows_speed_and_walking_time_to_their_caps():
    p = scenario({"weeks": 6, "sessions_per_week": 3},
                 progression={"speed_mph_per_week": 0.3, "max_speed_mph": 3.0,
                              "duration_min_per_week": 3, "max_duration_min": 20}).program
    plan = p.arms["a"]
    week0, week5, week9 = plan.session(0), plan.session(5), plan.session(9)
    assert week0 == plan.base
    assert week5.stages[1].speed_mps == pytest.approx(3.0 * MPS_PER_MPH)
    assert week9.stages[1].speed_mps == pytest.approx(3.0 * MPS_PER_MPH)     # capped
    assert [s.duration_s for s in plan.session(2).stages] == [180.0, 300.0 + 2 * 180.0, 600.0]
    assert [s.duration_s for s in week5.stages] == [180.0, 1200.0 - 180.0, 600.0]  # capped
    assert [s.duration_s for s in week9.stages] == [180.0, 1020.0, 600.0]
    assert week9.stages[2].is_rest and week9.stages[2].duration_s == 600.0


def test_progression_in_kmh():
    p = scenario({"weeks": 4, "sessions_per_week": 2},
                 progression={"speed_kmh_per_week": 0.5, "max_speed_kmh": 3.0,
                              "grade_pct_per_week": 1, "max_grade_pct": 2}).program
    s = p.arms["a"].session(3).stages[1]
    assert s.speed_mps == pytest.approx(3.0 * MPS_PER_KMH)
    assert s.grade_frac == pytest.approx(0.02)


def test_sessions_listed_week_by_week_the_last_repeats():
    p = scenario({"weeks": 3, "sessions_per_week": 2},
                 sessions=[["walk backward at 1.5 mph for 5 min"],
                           ["walk backward at 2.0 mph for 10 min"]]).program
    plan = p.arms["a"]
    assert str(plan.session(0)) == "walk backward at 1.5 mph for 5 min"
    assert str(plan.session(2)) == "walk backward at 2 mph for 10 min"


@pytest.mark.parametrize("program, arm, key", [
    ({"weeks": 2, "sessions_per_week": 3, "days": 4}, {}, "program.days"),
    ({"weeks": 0, "sessions_per_week": 3}, {}, "program.weeks"),
    ({"weeks": 261, "sessions_per_week": 3}, {}, "program.weeks"),
    ({"weeks": 2, "sessions_per_week": 8}, {}, "program.sessions_per_week"),
    ({"weeks": 2, "sessions_per_week": 0}, {}, "program.sessions_per_week"),
    ({"weeks": 2}, {}, "program.sessions_per_week"),
    ({"weeks": 2, "sessions_per_week": 3, "phases": []}, {}, "program.phases"),
    ({"phases": [{"weeks": 2}]}, {}, "program.phases[0].sessions_per_week"),
    ({"phases": [{"weeks": 2, "sessions_per_week": 1, "x": 1}]}, {}, "program.phases[0].x"),
    ({"phases": "weekly"}, {}, "program.phases"),
    ({"weeks": 2, "sessions_per_week": 3, "on_fall": "panic"}, {}, "program.on_fall"),
    ({"weeks": 2, "sessions_per_week": 3, "pause_days": 3}, {}, "program.pause_days"),
    ({"weeks": 2, "sessions_per_week": 3, "on_fall": "pause", "pause_days": 0}, {},
     "program.pause_days"),
    ({"weeks": 2, "sessions_per_week": 3}, {"progression": {"speed_per_week": 1}},
     "arms.a.progression.speed_per_week"),
    ({"weeks": 2, "sessions_per_week": 3}, {"progression": {"speed_mph_per_week": 0.2}},
     "arms.a.progression.max_speed_mph"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {"speed_mph_per_week": 0.2, "max_speed_mph": 1.0}},
     "arms.a.progression.max_speed_mph"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {"speed_mph_per_week": 0.2, "max_speed_mph": 9.0}},
     "arms.a.progression.max_speed_mph"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {"speed_mph_per_week": -0.2, "max_speed_mph": 2.0}},
     "arms.a.progression.speed_mph_per_week"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {"speed_mph_per_week": 0.2, "max_speed_kmh": 4.0}},
     "arms.a.progression.speed_kmh_per_week"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {"duration_min_per_week": 2, "max_duration_min": 5}},
     "arms.a.progression.max_duration_min"),
    ({"weeks": 2, "sessions_per_week": 3}, {"progression": {"grade_pct_per_week": 1}},
     "arms.a.progression.max_grade_pct"),
    ({"weeks": 2, "sessions_per_week": 3}, {"progression": "faster"}, "arms.a.progression"),
    ({"weeks": 2, "sessions_per_week": 3},
     {"progression": {}, "sessions": [["rest for 1 min"]]}, "arms.a.sessions"),
    ({"weeks": 1, "sessions_per_week": 3},
     {"sessions": [["rest for 1 min"], ["rest for 2 min"]]}, "arms.a.sessions"),
    ({"weeks": 1, "sessions_per_week": 3}, {"sessions": [["jog for 1 min"]]},
     "arms.a.sessions[0][0]"),
    (None, {"progression": {"speed_mph_per_week": 0.1, "max_speed_mph": 2}},
     "arms.a.progression"),
    ("six weeks", {}, "program"),
    ({"weeks": 2, "sessions_per_week": 3, "model": "banister"}, {}, "program.model"),
])
def test_bad_programmes_get_one_line_errors(program, arm, key):
    with pytest.raises(InputError) as info:
        scenario(program, **arm)
    message = str(info.value)
    assert info.value.key == key, message
    assert "p.toml" in message and "\n" not in message


def test_program_docstring_example():
    p = Program.from_tables({"weeks": 1, "sessions_per_week": 2},
                            {"a": {"stages": ["walk forward at 3 mph for 20 min"]}})
    assert p.describe() == "1 wk x 2/wk; after a fall: continue"
