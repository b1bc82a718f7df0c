"""The treadmill plant: rate limits, console quantisation, the latched e-stop and the tether."""

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from retrosim import InputError
from retrosim.engine.treadmill import EmergencyStopLatched, Treadmill, TreadmillLimits
from retrosim.model.scenario import Scenario
from retrosim.units import MPS_PER_KMH, MPS_PER_MPH

LIMITS = TreadmillLimits()
velocity_st = st.floats(-2.0, 2.5).filter(lambda v: abs(v) > 0.2 or v == 0)


def slopes(t, v):
    """Rate of change on every segment between distinct knots, its mean value and start.

    Segments shorter than 1e-6 s are left out: there a slope is a difference of rounded knot
    values over a tiny interval (2e-16 m s-1 over 1e-7 s is already 1e-9 relative)."""
    dt = np.diff(t)
    keep = dt > 1e-6
    return np.diff(v)[keep] / dt[keep], (0.5 * (v[1:] + v[:-1]))[keep], t[:-1][keep]


def run_commands(commands, limits=LIMITS, estop_at=None):
    """Apply ``(wait_s, velocity, grade)`` commands in turn; optionally an e-stop at a time."""
    env = simpy.Environment()
    belt = Treadmill(env, limits)

    def driver():
        for wait, velocity, grade in commands:
            if not belt.latched:
                belt.command(velocity, grade)
            yield env.timeout(wait)

    def stopper():
        yield env.timeout(estop_at)
        belt.emergency_stop()

    env.process(driver())
    if estop_at is not None:
        env.process(stopper())
    env.run()
    return belt, env.now + 60.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 40.0), velocity_st, st.floats(0.0, 0.15)),
                min_size=1, max_size=8),
       st.one_of(st.none(), st.floats(0.0, 200.0)))
def test_acceleration_and_incline_rate_never_exceed_their_limits(commands, estop_at):
    belt, end = run_commands(commands, estop_at=estop_at)
    t, v, g = belt.knots(end)
    dv, v_mid, start = slopes(t, v)
    dg, _, _ = slopes(t, g)
    stop_t = belt.stops[0][0] if belt.stops else np.inf
    limit = np.where(start >= stop_t, LIMITS.estop_decel_mps2,
                     np.where(v_mid >= 0, LIMITS.forward_accel_mps2, LIMITS.backward_accel_mps2))
    assert np.all(np.abs(dv) <= limit * (1 + 1e-9))
    assert np.all(np.abs(dg) <= LIMITS.incline_rate_frac_per_s * (1 + 1e-9))


@settings(max_examples=60, deadline=None)
@given(velocity_st.filter(lambda v: v != 0), st.floats(0.0, 0.15), st.floats(0.01, 30.0))
def test_estop_stops_the_belt_within_its_bound_from_any_speed_and_latches(v, grade, ramp_s):
    """From any speed (even mid-ramp) the belt is at rest within |v| / estop_decel, the incline
    holds, and no command restarts it before a deliberate reset."""
    env = simpy.Environment()
    belt = Treadmill(env, LIMITS)
    belt.command(v, grade)
    env.run(until=ramp_s)
    v0, g0 = belt.state()
    at_rest = belt.emergency_stop()
    assert belt.latched and belt.stops == [(ramp_s, "stop button")]
    assert at_rest - ramp_s == pytest.approx(abs(v0) / LIMITS.estop_decel_mps2, rel=1e-12)
    with pytest.raises(EmergencyStopLatched):
        belt.command(1.0, 0.0)
    with pytest.raises(EmergencyStopLatched):
        belt.reset()                                  # not before the belt is at rest
    env.run(until=at_rest + 5.0)
    with pytest.raises(EmergencyStopLatched):
        belt.command(-0.5, 0.0)
    t, vel, g = belt.knots(env.now)
    speed = np.abs(np.interp(np.linspace(ramp_s, env.now, 400), t, vel))
    assert np.all(np.diff(speed) <= 1e-12) and speed[-1] == 0.0
    assert np.allclose(np.interp([ramp_s, env.now], t, g), g0)
    assert belt.state() == (0.0, g0)
    belt.reset()
    assert not belt.latched
    reached = belt.command(2.0 * MPS_PER_MPH, g0)
    assert reached == pytest.approx(env.now + 2.0 * MPS_PER_MPH / LIMITS.forward_accel_mps2)


def test_tether_releases_at_70_percent_of_the_deck():
    """ISO 20957-6:2021: the key releases before the user reaches 70 % of the deck length."""
    assert LIMITS.tether_release_m == pytest.approx(0.7 * LIMITS.deck_length_m)
    env = simpy.Environment()
    belt = Treadmill(env, LIMITS)
    belt.command(1.0, 0.0)
    env.run(until=10.0)
    assert not belt.walker_at(0.5) and not belt.walker_at(0.7 * 1.4 - 1e-6)
    assert belt.walker_at(0.7 * 1.4) and belt.latched
    assert belt.stops == [(10.0, "tether")]
    assert not belt.walker_at(1.3)                    # already stopped: nothing more to pull


def test_a_shorter_tether_releases_earlier_and_a_long_one_is_refused():
    short = TreadmillLimits.from_dict({"tether_length_m": 0.8, "deck_length_m": 1.6})
    assert short.tether_release_m == 0.8
    belt = Treadmill(simpy.Environment(), short)
    assert not belt.walker_at(0.79) and belt.walker_at(0.8)
    with pytest.raises(InputError, match=r"tether_length_m: 1\.2 m .* out of range; "
                                         r"allowed: 0\.05-1\.12 m"):
        TreadmillLimits.from_dict({"tether_length_m": 1.2, "deck_length_m": 1.6})


@pytest.mark.parametrize("table, key, allowed", [
    ({"tether_length_m": -0.5}, "tether_length_m", "0.05-0.98 m"),
    ({"tether_length_m": "long"}, "tether_length_m", "0.05-0.98 m"),
    ({"deck_length_m": 0}, "deck_length_m", "0.8-3 m"),
    ({"speed_step_mph": -0.1}, "speed_step_mph", "0-1 mph"),
    ({"speed_step_mph": 0.1, "speed_step_kmh": 0.1}, "speed_step_kmh", "one of them"),
    ({"tether": True}, "tether", "tether_length_m"),
])
def test_bad_treadmill_keys_get_one_line_errors(table, key, allowed):
    with pytest.raises(InputError) as err:
        TreadmillLimits.from_dict(table)
    assert err.value.key == key and allowed in str(err.value) and "\n" not in str(err.value)


def test_a_negative_tether_length_in_a_scenario_names_file_and_key():
    with pytest.raises(InputError) as err:
        Scenario.from_dict({"name": "t", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
                            "treadmill": {"tether_length_m": -1},
                            "arms": {"a": {"stages": ["walk forward at 2 mph for 1 min"]}}},
                           source="bad.toml")
    assert str(err.value).startswith("bad.toml: treadmill.tether_length_m: -1 m is out of range")


@pytest.mark.parametrize("mph, expected_mph", [(2.37, 2.4), (2.34, 2.3), (3.5, 3.5), (0.56, 0.6)])
def test_commands_are_rounded_to_the_console_step_of_0_1_mph(mph, expected_mph):
    env = simpy.Environment()
    belt = Treadmill(env, LIMITS)
    belt.command(-mph * MPS_PER_MPH, 0.0)
    env.run(until=60.0)
    assert belt.state()[0] / -MPS_PER_MPH == pytest.approx(expected_mph, rel=1e-12)


def test_a_speed_on_the_console_grid_passes_bit_for_bit():
    env = simpy.Environment()
    belt = Treadmill(env, LIMITS)
    belt.command(3.5 * MPS_PER_MPH, 0.0)
    env.run(until=60.0)
    assert belt.state()[0] == 3.5 * MPS_PER_MPH


def test_a_km_h_console_and_a_continuous_belt():
    kmh = TreadmillLimits.from_dict({"speed_step_kmh": 0.1})
    assert kmh.quantise(5.04 * MPS_PER_KMH) == pytest.approx(5.0 * MPS_PER_KMH, rel=1e-12)
    assert kmh.quantise(-5.06 * MPS_PER_KMH) == pytest.approx(-5.1 * MPS_PER_KMH, rel=1e-12)
    free = TreadmillLimits.from_dict({"speed_step_mph": 0})
    assert free.quantise(1.2345) == 1.2345
