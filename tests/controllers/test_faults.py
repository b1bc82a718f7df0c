"""Every injectable fault: a deliberately broken controller fails an invariant, the same
controller inside the safety supervisor passes them all, and without the fault it passes too
(so the fault, not the controller alone, is what the test exercises)."""

import numpy as np
import pytest

import retrosim
from retrosim import InputError
from retrosim.controllers import Command, ProtocolFollower
from retrosim.controllers.faults import Fault
from retrosim.testing import check, run_controller
from retrosim.units import MPS_PER_KMH


def scenario(stages, treadmill=None, safety=None):
    return retrosim.Scenario.from_dict({
        "name": "faults", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male",
                                      "hr_rest_bpm": 65, "vo2max_ml_kg_min": 40},
        "treadmill": treadmill or {}, "falls": {"model": "none"}, "safety": safety or {},
        "arms": {"a": {"stages": stages}}})


class BrokenHr:
    """Steps the speed 0.5 km/h every 10 s toward a heart-rate target, with no limits; reads
    a missing heart rate as 0 bpm."""

    vectorised, period_s = True, 1.0

    def __init__(self, target_bpm=120.0):
        self.target, self.speed, self.last, self.stage = target_bpm, None, 0.0, -1

    def step(self, obs):
        if obs.stage != self.stage:
            self.stage, self.last = obs.stage, obs.time_s
            self.speed = np.full(obs.size, obs.stage_speed_mps)
            return Command(speed_mps=self.speed.copy(), start=True)
        if obs.time_s - self.last < 10.0:
            return Command()
        self.last = obs.time_s
        hr = np.nan_to_num(obs.hr_bpm, nan=0.0)
        self.speed += np.where(hr < self.target, 0.5, -0.5) * MPS_PER_KMH
        self.speed = np.clip(self.speed, 0.5, 20 * MPS_PER_KMH)     # the console's range
        return Command(speed_mps=self.speed.copy())


class BrokenCruise:
    """Holds the stage speed by integrating the speed sensor's error, asking for a snappy
    drive (1 m s-2) and trusting the sensor without limits."""

    vectorised, period_s = True, 1.0

    def __init__(self, gain=1.0):
        self.gain, self.cmd, self.stage, self.since = gain, None, -1, 0.0

    def step(self, obs):
        if obs.stage != self.stage:
            self.stage, self.since = obs.stage, obs.time_s
            self.cmd = np.full(obs.size, obs.stage_speed_mps)
            return Command(speed_mps=self.cmd.copy(), start=True, accel_mps2=0.2)
        if obs.time_s - self.since < obs.stage_speed_mps / 0.2 + 3.0:
            return Command()                         # still ramping to the stage speed
        self.cmd = self.cmd + self.gain * (obs.stage_speed_mps - obs.speed_mps)
        return Command(speed_mps=np.clip(self.cmd, 0.0, 20 * MPS_PER_KMH), accel_mps2=1.0)


class BrokenRestart(ProtocolFollower):
    """Follows the protocol, and restarts the belt by itself once the safety key is back."""

    def step(self, obs):
        again = obs.estop & obs.safety_key
        if np.any(again):
            return Command(reset=again, start=again, speed_mps=obs.stage_speed_mps)
        return super().step(obs)


FAST = {"forward_accel_mps2": 1.0}
SLOW_CAP = {"max_speed_kmh": 7.0}
CASES = {   # fault: (broken controller, stages, treadmill, fault, the invariant it breaks)
    "hr-loss": (lambda: BrokenHr(120), ["walk forward at 4 km/h for 8 min"], None,
                {"kind": "hr-loss", "start_min": 2}, "speed-cap"),
    "hr-spike": (lambda: BrokenHr(120), ["walk forward at 4 km/h for 8 min"], None,
                 {"kind": "hr-spike", "start_min": 3, "duration_s": 180, "offset_bpm": -60},
                 "speed-cap"),
    "speed-sensor-stuck": (BrokenCruise, ["walk forward at 3 km/h for 2 min",
                                          "walk forward at 6 km/h for 5 min"], FAST,
                           {"kind": "speed-sensor-stuck", "start_min": 1}, "speed-cap"),
    "speed-sensor-noise": (BrokenCruise, ["walk forward at 4 km/h for 6 min"], FAST,
                           {"kind": "speed-sensor-noise", "start_min": 2, "sd_kmh": 3.0},
                           "acceleration"),
    "runaway": (ProtocolFollower, ["walk forward at 4 km/h for 6 min"], None,
                {"kind": "runaway", "start_min": 2, "duration_s": 60}, "speed-cap"),
    "command-delay": (lambda: BrokenHr(125), ["walk forward at 4 km/h for 12 min"], None,
                      {"kind": "command-delay", "start_min": 0.5, "delay_s": 90},
                      "hr-ceiling"),
    "safety-key": (BrokenRestart, ["walk forward at 4 km/h for 6 min"], None,
                   {"kind": "safety-key", "start_min": 2, "duration_s": 30}, "estop-latched"),
    "belt-slip": (BrokenCruise, ["walk forward at 6.5 km/h for 7 min"], FAST | SLOW_CAP,
                  {"kind": "belt-slip", "start_min": 1, "duration_s": 120, "slip_pct": 30},
                  "speed-cap"),
}


def test_every_fault_kind_has_a_case():
    from retrosim.controllers.faults import FAULT_KINDS
    assert sorted(CASES) == sorted(FAULT_KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_broken_controller_fails_and_the_supervisor_passes(kind):
    make, stages, options, fault, invariant = CASES[kind]
    options = options or {}
    sc = scenario(stages, {k: v for k, v in options.items() if k in FAST},
                  {k: v for k, v in options.items() if k in SLOW_CAP})
    clean = check(run_controller(make(), sc, faults=[]))
    assert clean.ok, f"without the fault: {clean}"
    broken = check(run_controller(make(), sc, faults=[fault]))
    assert not broken.ok
    assert invariant in {v.invariant for v in broken.violations}, str(broken)
    supervised = check(run_controller(make(), sc, faults=[fault], supervisor=True))
    assert supervised.ok, str(supervised)


def test_a_fault_is_logged_when_it_starts_and_ends():
    ds = run_controller(ProtocolFollower(), scenario(["walk forward at 4 km/h for 4 min"]),
                        faults=[{"kind": "hr-loss", "start_min": 1, "duration_s": 30}])
    faults = ds.event_kind.values == "fault"
    assert ds.event_time.values[faults].tolist() == [60.0, 90.0]
    assert np.isnan(ds.hr_sensor.sel(time=slice(60, 89))).all()
    assert np.isfinite(ds.hr_sensor.sel(time=slice(90, 120))).all()


def test_the_safety_key_stops_the_belt_at_the_estop_deceleration():
    ds = run_controller(ProtocolFollower(), scenario(["walk forward at 4 km/h for 4 min"]),
                        faults=[{"kind": "safety-key", "start_min": 2}], trace_step_s=0.1)
    v = ds.speed.sel(arm="a", subject=0)
    rate = -float(v.sel(time=120.5) - v.sel(time=120.2)) / 0.3
    assert rate == pytest.approx(1.5, rel=1e-6)
    assert float(v.sel(time=slice(121, None)).max()) == 0.0
    assert bool(ds.estop.sel(arm="a", subject=0))


def test_noise_draws_do_not_depend_on_the_batch():
    fault = [{"kind": "speed-sensor-noise", "start_min": 0.5, "sd_kmh": 1.0}]
    sc = scenario(["walk forward at 4 km/h for 2 min"])
    one = run_controller(BrokenCruise(0.3), sc, faults=fault, subjects=1)
    three = run_controller(BrokenCruise(0.3), sc, faults=fault, subjects=3)
    assert np.array_equal(one.speed.sel(subject=0), three.speed.sel(subject=0))
    assert not np.array_equal(three.speed.sel(subject=0), three.speed.sel(subject=1))


@pytest.mark.parametrize("table, key", [
    ({"kind": "hr-blip", "start_min": 1}, "kind"),
    ({"kind": "hr-loss"}, "start_min"),
    ({"kind": "hr-loss", "start_min": 1, "start_s": 60}, "start_min"),
    ({"kind": "hr-loss", "start_min": 1, "offset_bpm": 5}, "offset_bpm"),
    ({"kind": "belt-slip", "start_min": 1, "slip_pct": 95}, "slip_pct"),
    ({"kind": "runaway", "start_min": 1, "duration_s": 0}, "duration_s"),
    ({"kind": "hr-loss", "start_min": 1, "subjects": [-1]}, "subjects"),
])
def test_bad_fault_tables_get_a_one_line_error(table, key):
    with pytest.raises(InputError) as err:
        Fault.from_table(table)
    assert err.value.key == key and "\n" not in str(err.value)
