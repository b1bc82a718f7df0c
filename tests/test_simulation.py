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
