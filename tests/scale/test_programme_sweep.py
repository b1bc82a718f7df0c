"""Programme sweeps: one row per person, the same whatever the chunking, resumable."""

import numpy as np
import pytest

import retrosim
from retrosim.events import MODELS
from retrosim.results import programme as results
from retrosim.scale import store as sweepstore
from retrosim.scale import sweep
from retrosim.scale.cluster import Cluster

PEOPLE = 600


@pytest.fixture(scope="module")
def scenario():
    return retrosim.load_scenario("balance-programme-follow-up")


@pytest.fixture(scope="module")
def whole(scenario, tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "whole.zarr"
    return sweep.run_sweep(scenario, path, subjects=PEOPLE,
                           cluster=Cluster(chunk_size=PEOPLE, scheduler=sweep.IN_PROCESS)).load()


def test_a_programme_sweep_stores_one_row_per_person(whole, scenario):
    ds = retrosim.run(scenario, subjects=PEOPLE).sel(arm="backward")
    np.testing.assert_array_equal(whole.berg_end.values[0], ds.berg.isel(day=-1).values)
    np.testing.assert_array_equal(whole.vo2max_start.values[0], ds.vo2max.isel(day=0).values)
    np.testing.assert_array_equal(whole.falls.values[0], ds.fell.values.sum(axis=1))
    assert whole.sessions.values.max() == 24
    assert "time" not in whole.dims or whole.sizes["time"] == 1


def test_the_same_sweep_whatever_the_chunking(whole, scenario, tmp_path):
    ds = sweep.run_sweep(scenario, tmp_path / "chunked.zarr", subjects=PEOPLE,
                         cluster=Cluster(chunk_size=170, scheduler=sweep.IN_PROCESS)).load()
    for name in ("berg_end", "vo2max_end", "sbp_rest_end", "energy_total", "falls", "fell"):
        np.testing.assert_array_equal(ds[name].values, whole[name].values, err_msg=name)


def test_an_interrupted_programme_sweep_resumes_to_the_same_store(whole, scenario, tmp_path):
    path = tmp_path / "resumed.zarr"

    def interrupt(chunk, client):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(scenario, path, subjects=PEOPLE,
                        cluster=Cluster(chunk_size=200, scheduler=sweep.IN_PROCESS),
                        on_chunk=interrupt)
    done, _ = sweepstore.done(path)
    assert done.sum() == 1
    ds = sweep.run_sweep(scenario, path, subjects=PEOPLE, resume=True,
                         cluster=Cluster(scheduler=sweep.IN_PROCESS)).load()
    for name in ("berg_end", "vo2max_end", "energy_total", "falls"):
        np.testing.assert_array_equal(ds[name].values, whole[name].values, err_msg=name)


def test_person_summaries_of_a_programme():
    sc = retrosim.load_scenario("detraining")
    arm = next(iter(results.iter_rows(sc, seed=2, subjects=3, models=MODELS)))
    s = arm.summary
    assert s["sessions"].tolist() == [30, 30, 30]
    assert np.all(s["vo2max_end"] > s["vo2max_start"])
    assert arm.timeline.duration_s == 16 * 7 * 86_400.0
