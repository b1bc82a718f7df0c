"""``retrosim.Simulation``: the one object that composes a run; ``retrosim.run`` wraps it."""

from __future__ import annotations

import pytest

import retrosim


@pytest.fixture(scope="module")
def scenario():
    return retrosim.load_scenario("compendium-2011")


def test_run_is_the_simulations_dataset(scenario):
    sim = retrosim.Simulation(scenario, subjects=2, seed=5)
    ds = sim.run(traces=False)
    assert ds.identical(sim.dataset(traces=False))
    assert ds.identical(retrosim.run(scenario, subjects=2, seed=5, traces=False))
    assert [round(float(e)) for e in ds.energy_total.isel(subject=0)] == [46, 64, 85]


def test_arguments_are_checked_when_the_simulation_is_made(scenario):
    with pytest.raises(retrosim.InputError, match="subjects"):
        retrosim.Simulation(scenario, subjects=0)
    with pytest.raises(retrosim.InputError, match="seed"):
        retrosim.Simulation(scenario, seed=-1)


def test_sessions_stream_one_batch_per_arm(scenario):
    sim = retrosim.Simulation(scenario, subjects=3)
    sessions = list(sim.sessions())
    assert [s.arm.name for s in sessions] == list(scenario.arms)
    assert all(s.cohort.size == 3 for s in sessions)
    later = list(sim.sessions(first=1, subjects=2))
    assert all(s.cohort.size == 2 for s in later)


def test_a_programme_goes_through_the_same_object():
    sim = retrosim.Simulation(retrosim.load_scenario("knee-rehab-six-weeks"))
    assert sim.is_programme
    assert "day" in sim.dataset().dims


def test_assembling_the_simulations_own_sessions_gives_its_dataset(scenario):
    sim = retrosim.Simulation(scenario, subjects=2, seed=5)
    ds = sim.assemble(list(sim.sessions()), trace_step_s=10.0)
    assert ds.identical(sim.dataset(trace_step_s=10.0))
    bare = sim.assemble(list(sim.sessions()), intervals=False)
    assert "time" not in bare.dims
    assert bare.identical(sim.dataset(traces=False, intervals=False))


def test_trace_times_are_the_time_axis_of_a_run(scenario):
    ds = retrosim.Simulation(scenario).dataset(trace_step_s=7.0, intervals=False)
    times = retrosim.api.trace_times(float(ds.time[-1]), 7.0)
    assert times.tolist() == ds.time.values.tolist()


def test_arm_statistics_are_those_a_run_computes():
    ds = retrosim.run(retrosim.load_scenario("balance-levels"), subjects=40, traces=False)
    stats = retrosim.api.arm_statistics({"fell": ds.fell.values, "vo2_peak": ds.vo2_peak.values})
    assert set(stats) == {"fall_probability", "fall_probability_low", "fall_probability_high",
                          "falls_per_1000"}
    for name, values in stats.items():
        assert values.tolist() == ds[name].values.tolist()
    assert retrosim.api.arm_statistics({"vo2_peak": ds.vo2_peak.values}) == {}


def test_a_programmes_rows_are_one_per_arm_and_person():
    sc = retrosim.load_scenario("knee-rehab-six-weeks")
    rows = list(retrosim.api.iter_programme(sc, seed=2, subjects=3, first=1))
    assert [r.arm.name for r in rows] == list(sc.arms)
    assert all(len(r.summary["energy_total"]) == 3 for r in rows)


def test_a_live_session_is_one_walker_stepped_from_outside(scenario):
    from retrosim.controllers.base import Command

    live = retrosim.Simulation(scenario).live()
    assert live.arm.name == next(iter(scenario.arms)) and not live.running
    live.command(Command(speed_mps=1.2, start=True))
    live.advance_to(300.0)
    assert live.running and live.now_s == 300.0 and live.velocity_mps > 1.1
    assert live.hr_bpm > 70.0 and live.energy_kcal > 0.0 and live.distance_m > 300.0
    live.pull_key()
    assert live.latched and not live.key_in
    live.advance_to(310.0)
    assert live.velocity_mps == 0.0
    ds = live.dataset(trace_step_s=10.0)
    assert list(ds.arm.values) == [live.arm.name] and ds.sizes["subject"] == 1
    assert float(ds.time[-1]) == 310.0 and bool(ds.estop.item())
    other = list(scenario.arms)[-1]
    assert retrosim.Simulation(scenario).live(other).arm.name == other
    with pytest.raises(KeyError):
        retrosim.Simulation(scenario).live("no such arm")


def test_the_trace_sample_is_the_first_people_bit_for_bit(scenario):
    sim = retrosim.Simulation(scenario, subjects=7, seed=5)
    sample = sim.sample(3)
    assert (sample.subjects, sample.seed, sim.sample().subjects) == (3, 5, 7)
    whole, few = sim.dataset(traces=False), sample.dataset(traces=False)
    for name in ("energy_total", "hr_peak", "fell", "stumbles", "sbp_post"):
        assert few[name].equals(whole[name].isel(subject=slice(0, 3))), name
