"""Sweeps on a real dask.distributed cluster: identical to the in-process run whatever the
chunking or the workers, a killed worker retried, an interrupted sweep resumed, bad input."""

import os
import signal

import dask
import numpy as np
import pytest
import zarr
from dask.distributed import Client, LocalCluster

import retrosim
from retrosim import InputError, api
from retrosim.cli.main import main
from retrosim.model.scenario import Scenario
from retrosim.scale import bands, cluster, comparison, sweep
from retrosim.scale import store as sweepstore
from retrosim.scale.cluster import Cluster

PEOPLE = 2400
CHUNK = 300
SCENARIO = {
    "name": "sweep-test", "seed": 21,
    "cohort": {"preset": "older-after-knee-surgery", "size": PEOPLE},
    "arms": {"forward": {"stages": ["walk forward at 2 mph for 6 min", "rest for 30 min"]},
             "backward": {"stages": ["walk forward at 1.5 mph for 1 min",
                                     "walk backward at 1.5 mph, 4% grade for 5 min",
                                     "rest for 30 min"]}},
    "sweep": {"handrail": ["light", "grip"], "events": ["bp-exaggerated"]},
}


@pytest.fixture(scope="module")
def scenario():
    return Scenario.from_dict(SCENARIO)


@pytest.fixture(scope="module")
def client():
    with dask.config.set(cluster.WORKER_ENV), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as local, Client(local) as c:
        yield c


@pytest.fixture(scope="module")
def reference(scenario):
    """The in-process run of the same people, with its comparison."""
    ds = comparison.with_event_counts(retrosim.run(scenario, traces=False), ("bp-exaggerated",))
    goals = comparison.objectives_for([n for n in ds.data_vars if "subject" in ds[n].dims])
    return ds, comparison.compare(ds, goals)


@pytest.fixture(scope="module")
def uninterrupted(scenario, client, tmp_path_factory):
    path = tmp_path_factory.mktemp("sweeps") / "whole.zarr"
    return sweep.run_sweep(scenario, path, cluster=Cluster(client=client, chunk_size=CHUNK)).load()


def summary_names(ds):
    return [n for n in ds.data_vars if ds[n].dims == ("arm", "subject")]


def assert_same_store(a, b):
    names = [n for n in a.variables if n not in ("chunk_done",)]
    assert sorted(names) == sorted(n for n in b.variables if n != "chunk_done")
    for name in names:
        assert a[name].values.tobytes() == b[name].values.tobytes(), name


def test_a_sweep_on_two_workers_is_bit_identical_to_the_in_process_run(uninterrupted,
                                                                        reference, scenario):
    ds = uninterrupted
    ref, ref_cmp = reference
    assert ds.attrs["complete"] and ds.chunk_done.values.all()
    assert summary_names(ds) and set(summary_names(ds)) == set(summary_names(ref))
    for name in summary_names(ref):
        assert ds[name].values.tobytes() == ref[name].values.tobytes(), name
    assert ds.arm.values.tolist() == ref.arm.values.tolist()
    assert ds.handrail.values.tolist() == ref.handrail.values.tolist()
    stored = sweepstore.comparison(ds)
    for name in ref_cmp.data_vars:
        assert stored[name].values.tobytes() == ref_cmp[name].values.tobytes(), name
    # the trace sample: the first people's traces, as retrosim.run gives them
    traced = retrosim.run(scenario, subjects=ds.sizes["sample"], trace_step_s=1.0)
    for name in ("vo2", "hr", "energy", "sbp"):
        np.testing.assert_array_equal(ds[name].values, traced[name].values)
    # the bands: percentiles of everyone's traces, from whole-number bin counts
    times = ds.band_time.values
    for i, arm in enumerate(ref.arm.values):
        every = [s for s in api.iter_sessions(scenario, seed=21, subjects=PEOPLE)
                 if s.arm.name == arm][0]
        hr = every.trajectory.sample(times)["hr"]
        expected = bands.percentiles(bands.counts(hr, "hr"), "hr")
        assert ds.band_hr.values[i].tobytes() == expected.tobytes()
        assert np.all(np.diff(ds.band_hr.values[i], axis=0) >= 0)


def test_chunk_size_and_worker_count_change_no_bit(scenario, uninterrupted, tmp_path):
    alone = sweep.run_sweep(scenario, tmp_path / "one.zarr",
                            cluster=Cluster(scheduler=sweep.IN_PROCESS, chunk_size=1000)).load()
    assert alone.sizes["chunk"] == 3 and uninterrupted.sizes["chunk"] == PEOPLE // CHUNK
    assert_same_store(alone, uninterrupted)


def test_a_worker_killed_mid_sweep_is_retried_and_the_store_is_complete_and_identical(
        scenario, client, uninterrupted, tmp_path):
    killed = []

    def kill_one_worker(chunk, c):
        if not killed:
            pids = c.run(os.getpid)
            address, pid = sorted(pids.items())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(address)

    ds = sweep.run_sweep(scenario, tmp_path / "killed.zarr",
                         cluster=Cluster(client=client, chunk_size=CHUNK),
                         on_chunk=kill_one_worker).load()
    assert killed
    assert ds.attrs["complete"] and ds.chunk_done.values.all()
    assert_same_store(ds, uninterrupted)
    client.wait_for_workers(2, timeout=60)          # the nanny restarted the killed worker


def test_an_interrupted_sweep_resumed_with_resume_matches_an_uninterrupted_one(
        scenario, client, uninterrupted, tmp_path):
    path = tmp_path / "resumed.zarr"

    def interrupt(chunk, c):
        if interrupt.seen == 2:
            raise KeyboardInterrupt
        interrupt.seen += 1

    interrupt.seen = 0
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(scenario, path, cluster=Cluster(client=client, chunk_size=CHUNK),
                        on_chunk=interrupt)
    done, _ = sweepstore.done(path)
    assert 3 <= done.sum() < done.size
    with pytest.raises(InputError, match="unfinished sweep"):
        sweepstore.open_store(path)
    with pytest.raises(InputError, match="already exists"):
        sweep.run_sweep(scenario, path, cluster=Cluster(client=client))
    computed = []
    ds = sweep.run_sweep(scenario, path, cluster=Cluster(client=client), resume=True,
                         on_chunk=lambda chunk, c: computed.append(chunk)).load()
    # the chunks written before are skipped (a task cancelled while it ran may still have
    # finished its chunk in the meantime: then that one is skipped too)
    assert computed and set(computed) <= set(np.flatnonzero(~done).tolist())
    assert ds.chunk_done.values.all()
    assert_same_store(ds, uninterrupted)


def test_a_failed_sweep_leaves_no_half_written_chunk_that_looks_complete(
        scenario, uninterrupted, tmp_path, monkeypatch):
    path = tmp_path / "failed.zarr"
    real = sweepstore.write_chunk

    def fail_midway(layout, i, summaries, counts):
        if i != 2:
            return real(layout, i, summaries, counts)
        g = zarr.open_group(layout.path, mode="r+")
        first, end = layout.bounds(i)
        g["energy_total"][:, first:end] = summaries["energy_total"]     # half written ...
        raise OSError("disk full")                                      # ... then the failure

    monkeypatch.setattr(sweepstore, "write_chunk", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        sweep.run_sweep(scenario, path,
                        cluster=Cluster(scheduler=sweep.IN_PROCESS, chunk_size=CHUNK))
    done, _ = sweepstore.done(path)
    assert done.tolist() == [True, True, False] + [False] * (done.size - 3)
    partial = sweepstore.open_store(path, partial=True)
    written = partial.energy_total.values
    assert np.isnan(written[:, 2 * CHUNK:]).all() and not np.isnan(written[:, :2 * CHUNK]).any()
    monkeypatch.setattr(sweepstore, "write_chunk", real)
    ds = sweep.run_sweep(scenario, path, cluster=Cluster(scheduler=sweep.IN_PROCESS),
                         resume=True).load()
    assert_same_store(ds, uninterrupted)


def test_a_task_error_on_a_worker_is_reported_and_the_sweep_can_resume(scenario, client,
                                                                         tmp_path):
    path = tmp_path / "broken.zarr"

    def break_the_store(chunk, c):
        if not break_the_store.done:
            zarr.open_group(str(path), mode="r+")["energy_total"].attrs["x"] = 1
            (path / "energy_total" / "zarr.json").write_text("not json")
            break_the_store.done = True

    break_the_store.done = False
    with pytest.raises(sweep.SweepError, match="failed: .*run again with --resume"):
        sweep.run_sweep(scenario, path, cluster=Cluster(client=client, chunk_size=CHUNK),
                        on_chunk=break_the_store)
    done, _ = sweepstore.done(path)
    assert 1 <= done.sum() < done.size


# ------------------------------------------------------------------------------------------
# bad input and the command line


def test_an_unknown_scheduler_address_gets_a_clear_error_and_no_store(scenario, tmp_path,
                                                                      capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(InputError, match="--scheduler: cannot reach a Dask scheduler at "
                                         "'tcp://127.0.0.1:9'"):
        sweep.run_sweep(scenario, tmp_path / "x.zarr",
                        cluster=Cluster(scheduler="tcp://127.0.0.1:9"))
    status = main(["sweep", "knee-rehab-six-protocols", "--subjects", "10", "-o",
                   str(tmp_path / "y.zarr"), "--scheduler", "nowhere:1"])
    out, err = capsys.readouterr()
    assert status == 2 and err.startswith("retrosim: error: --scheduler: cannot reach")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x.zarr").exists() and not (tmp_path / "y.zarr").exists()


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"subjects": 0}, "subjects"), ({"sample": -1}, "--sample"), ({"sample": 5000}, "--sample"),
    ({"band_step_s": 0.5}, "--band-step"), ({"cluster": Cluster(chunk_size=0)}, "--chunk-size"),
    ({"cluster": Cluster(workers=0)}, "--workers"),
    ({"cluster": Cluster(scheduler="  ")}, "--scheduler"),
])
def test_bad_sweep_arguments_get_one_line_errors(scenario, tmp_path, kwargs, key):
    with pytest.raises(InputError) as info:
        sweep.run_sweep(scenario, tmp_path / "bad.zarr", **kwargs)
    assert str(info.value).startswith(f"{key}: ") and "\n" not in str(info.value)
    assert not (tmp_path / "bad.zarr").exists()


def test_bad_outputs_and_mismatched_resumes_are_refused(scenario, tmp_path):
    with pytest.raises(InputError, match=r"-o: .* does not end in \.zarr"):
        sweep.run_sweep(scenario, tmp_path / "out.nc")
    with pytest.raises(InputError, match="-o: folder .* does not exist"):
        sweep.run_sweep(scenario, tmp_path / "no" / "out.zarr")
    path = tmp_path / "small.zarr"
    sweep.run_sweep(scenario, path, subjects=50,
                    cluster=Cluster(scheduler=sweep.IN_PROCESS, chunk_size=25), sample=2,
                    band_step_s=0)
    with pytest.raises(InputError, match="--resume: .* holds another sweep"):
        sweep.run_sweep(scenario, path, subjects=60, cluster=Cluster(scheduler=sweep.IN_PROCESS),
                        resume=True)
    with pytest.raises(InputError, match="--chunk-size: 10 differs from the store's 25"):
        sweep.run_sweep(scenario, path, subjects=50,
                        cluster=Cluster(scheduler=sweep.IN_PROCESS, chunk_size=10), resume=True,
                        sample=2, band_step_s=0)
    done = sweep.run_sweep(scenario, path, subjects=50,
                           cluster=Cluster(scheduler=sweep.IN_PROCESS), resume=True, sample=2,
                           band_step_s=0)
    assert done.attrs["complete"] and "band_hr" not in done


def test_objectives_must_name_summaries_of_the_run(tmp_path):
    sc = Scenario.from_dict({**SCENARIO, "sweep": {"objectives": {"happiness": "max"}}})
    with pytest.raises(InputError, match="sweep.objectives.happiness: is not a summary"):
        sweep.run_sweep(sc, tmp_path / "o.zarr", subjects=10,
                        cluster=Cluster(scheduler=sweep.IN_PROCESS))


def test_cohort_size_zero_and_negative_sd_are_refused_by_the_command_line(tmp_path, capsys):
    for bad, needle in (('size = 0', "cohort.size: 0 is out of range"),
                        ('sd = -2', "cohort.age_yr.sd: -2 is negative")):
        path = tmp_path / "bad.toml"
        path.write_text(
            'name = "bad"\n[cohort]\npreset = "healthy-young-adults"\n'
            + ("size = 0\n" if bad == "size = 0" else
               "size = 10\nage_yr = {dist = \"normal\", mean = 30, sd = -2}\n")
            + '[arms.a]\nstages = ["walk forward at 2 mph for 1 min"]\n')
        status = main(["sweep", str(path), "-o", str(tmp_path / "bad.zarr")])
        _, err = capsys.readouterr()
        assert status == 2 and needle in err and err.count("\n") == 1, err


def test_the_sweep_command_prints_means_and_a_ranking_and_keeps_them(tmp_path, capsys):
    out_path = tmp_path / "six.zarr"
    status = main(["sweep", "knee-rehab-six-protocols", "--subjects", "400", "-o",
                   str(out_path), "--workers", "2", "--chunk-size", "200"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "per-arm means and 95% intervals, 400 people" in out
    assert "ranking: energy_total (most), then fell (fewest), then events_bp_exaggerated" in out
    assert f"wrote {out_path}" in out
    ds = sweepstore.open_store(out_path)
    assert ds.sizes == {**ds.sizes, "arm": 6, "subject": 400}
    stored = sweepstore.comparison(ds)
    assert stored.objective.values.tolist() == ["energy_total", "fell", "events_bp_exaggerated"]
    assert stored["rank"].shape == (3, 6)
