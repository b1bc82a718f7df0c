"""Sweeps: a scenario over a large cohort, chunk by chunk on Dask, into a Zarr store.

``retrosim sweep SCENARIO --subjects N -o OUT.zarr`` cuts the N people into chunks of
consecutive global subject numbers; each chunk is one task that runs every arm for its people
(:func:`retrosim.api.iter_sessions`), writes their summaries and their bin counts
for the
percentile bands to the store, and marks itself complete (:mod:`retrosim.scale.store`). Tasks
run on a local Dask cluster (one single-threaded worker process per CPU) or on an existing
scheduler (``--scheduler ADDRESS``; its workers must see the output path). One more task
writes the full traces of the first ``--sample`` people. When every chunk is in, the client
reads the summaries back block by block to compute the comparison (:mod:`retrosim.scale.comparison`)
and the bands, and marks the store complete.

Results are bit-identical whatever the chunk size, the number of workers or the order in which
chunks finish: every person's random numbers depend only on the seed and their global number,
bin counts are whole numbers, and the comparison reads the store in fixed blocks. Memory stays
flat in N: a worker holds one chunk, the client only small statistics.

A killed worker's tasks are run again elsewhere (a task rewrites its chunk whole); a failed or
interrupted sweep keeps every chunk it finished, and ``--resume`` computes only the rest.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import retrosim
from retrosim import api
from retrosim.errors import InputError, RetrosimError, check_number
from retrosim.model import budget
from retrosim.model.budget import check_scenario_run
from retrosim.model.grid import coordinates
from retrosim.model.scenario import MAX_SUBJECTS, Scenario, check_run_arguments
from retrosim.results import dataset as results
from retrosim.results.programme import ProgrammeRows
from retrosim.results.tables import population_attrs
from retrosim.scale import IN_PROCESS as IN_PROCESS
from retrosim.scale import bands, comparison
from retrosim.scale import store as sweepstore
from retrosim.scale.cluster import Cluster, connect, cpus
from retrosim.scale.store import Layout

#: People per task chunk: 128 of the random streams' 256-person blocks; a few tens of MB
#: per worker for a six-arm scenario.
DEFAULT_CHUNK = 32_768
DEFAULT_SAMPLE = 10
MAX_SAMPLE = 1_000
DEFAULT_BAND_STEP_S = 60.0
RETRIES = 2
#: The default: a local cluster, one process per CPU.
LOCAL = Cluster()


class SweepError(RetrosimError):
    """A task of a sweep failed; the chunks already written are kept for ``--resume``."""


@dataclass(frozen=True)
class Job:
    """What every task needs: the scenario, the seed and the store's layout."""

    scenario: Scenario
    seed: int
    layout: Layout


def run_sweep(scenario: Scenario, out: str | Path, *, subjects: int | None = None,
              seed: int | None = None, cluster: Cluster = LOCAL, resume: bool = False,
              sample: int = DEFAULT_SAMPLE, band_step_s: float = DEFAULT_BAND_STEP_S,
              progress: bool = False,
              on_chunk: Callable[[int, Any], None] | None = None) -> xr.Dataset:
    """Run ``scenario`` for ``subjects`` people into the Zarr store ``out``.

    Parameters
    ----------
    scenario : Scenario
        The scenario, as :func:`retrosim.load_scenario` returns it.
    out : str or pathlib.Path
        The Zarr store to write (or, with ``resume``, to finish).
    subjects : int, optional
        How many people; default the cohort's size (1 without a ``[cohort]``).
    seed : int, optional
        Overrides the scenario's seed.
    cluster : Cluster, optional
        Where the sweep runs and how many people a task holds; default a local cluster of
        one process per CPU, 32,768 people a task.
    resume : bool, optional
        Finish the sweep ``out`` holds (it must be the same sweep), else ``out`` must
        not exist.
    sample : int, optional
        People (the first ones) whose full traces are kept, 0-1000.
    band_step_s : float, optional
        Time step of the percentile bands [s], 1-3600; 0: no bands.
    progress : bool, optional
        Show a progress bar.
    on_chunk : callable, optional
        Called in this process as ``on_chunk(chunk, client)`` after each chunk.

    Returns
    -------
    xarray.Dataset
        The store, opened.
    """
    seed, _, _ = check_run_arguments(scenario, seed, 1, None)
    n = (1 if scenario.cohort is None else scenario.cohort.size) if subjects is None else \
        int(check_number("subjects", subjects, 1, MAX_SUBJECTS, integer=True))
    path = sweepstore.check_path(out, resume)
    sample = int(check_number("--sample", sample, 0, MAX_SAMPLE, integer=True))
    band_step_s = float(check_number("--band-step", band_step_s, 0, 3600, "s"))
    if 0 < band_step_s < 1:
        raise InputError("--band-step", f"{band_step_s:g} s is out of range", "0 (no bands) "
                         "or 1-3600 s")
    scheduler, workers, chunk_size = cluster.scheduler, cluster.workers, cluster.chunk_size
    if workers is not None:
        workers = int(check_number("--workers", workers, 1, 256, integer=True))
    if chunk_size is not None:
        chunk_size = int(check_number("--chunk-size", chunk_size, 1, 10_000_000, integer=True))
    people = min(n, chunk_size or DEFAULT_CHUNK) * ((workers or cpus()) if cluster.local else 1)
    held = sample_and_band_bytes(scenario, min(sample, n), band_step_s, people)
    check_scenario_run(scenario, people, None,            # the chunks held at once, and the
                       extra=(held, f"a trace sample of {min(sample, n):,} and bands every "
                              f"{band_step_s:g} s"))     # sample and the bands
    if scheduler is not None and scheduler != IN_PROCESS and \
            (not isinstance(scheduler, str) or not scheduler.strip()):
        raise InputError("--scheduler", f"{scheduler!r} is not an address",
                         "tcp://HOST:PORT of a running Dask scheduler")

    where = dataclasses.replace(cluster, workers=workers, chunk_size=chunk_size)
    with connect(where) as c:                              # None: in this process, no Dask
        job, objectives = _prepare(scenario, path, seed, n, chunk_size, resume, sample,
                                   band_step_s)
        layout = job.layout
        chunk_done, sample_done = sweepstore.done(path)
        todo = {int(i): layout.bounds(int(i))[1] - layout.bounds(int(i))[0]
                for i in np.flatnonzero(~chunk_done)}
        if layout.sample and not sample_done:
            todo[-1] = 0
        bar = _bar(progress, n, n - sum(todo.values()))
        try:
            if c is None:
                for i in todo:
                    _task(job, i)
                    bar.update(todo[i])
                    if on_chunk is not None and i >= 0:
                        on_chunk(i, None)
            else:
                _run_on(c, job, todo, bar, on_chunk)
        finally:
            bar.close()
        # the comparison reads the store back, one summary per task when there is a cluster
        mapper = map if c is None else lambda f, names: c.gather(c.map(f, names, pure=False))
        cmp = comparison.statistics(StoreReader(str(path)), [name for name, _ in layout.summaries],
                                    list(layout.arms), n, objectives, mapper)
    sweepstore.finish(layout, cmp)
    return sweepstore.open_store(path)


def sample_and_band_bytes(scenario: Scenario, sample: int, band_step_s: float,
                          people: int) -> int:
    """Bytes a sweep holds besides its people's sessions: the trace sample (every traced
    variable of ``sample`` people in every arm, at the scenario's trace step) and, while
    ``people`` are counted into bands, their traces at the band times and the bin counts."""
    if scenario.program is not None:                 # a programme keeps no traces
        return 0
    arms = len(scenario.arms)
    duration = max(a.protocol.duration_s for a in scenario.arms.values())
    kept = budget.TRACE_BYTES_PER_POINT * budget.trace_points([duration] * arms,
                                                              scenario.trace_step_s, sample)
    if not band_step_s:
        return kept
    times = math.floor(duration / band_step_s) + 2
    bins = sum(b[2] for b in bands.BINS.values())
    return kept + arms * times * (4 * bins + 8 * len(bands.BINS) * people)


def _prepare(scenario: Scenario, path: Path, seed: int, n: int, chunk_size: int | None,
             resume: bool, sample: int, band_step_s: float) -> tuple[Job, dict[str, str]]:
    """Probe one person for the run's summaries and traces; lay out or reopen the store."""
    probe = list(_iter(scenario, seed=seed, subjects=1))
    values = _summaries(probe[0])
    if scenario.program is not None:       # a programme: one row per person, no traces
        sample, band_step_s = 0, 0.0
    events = scenario.sweep.events if scenario.sweep is not None else ()
    summaries = tuple((name, np.asarray(v).dtype.str) for name, v in values.items()) + \
        tuple((comparison.event_summary(kind), "<i4") for kind in events)
    objectives = _objectives(scenario, [name for name, _ in summaries])
    traces = tuple({**probe[0].trajectory.sample(np.zeros(1)), **probe[0].traces})
    duration = max(s.timeline.duration_s for s in probe)
    layout = Layout(
        path=str(path), subjects=n, chunk_size=chunk_size or DEFAULT_CHUNK, events=events,
        arms=tuple(scenario.arms), summaries=summaries, traces=traces if sample else (),
        sample=min(sample, n), time=np.zeros(1) if scenario.program is not None
        else api.trace_times(duration, scenario.trace_step_s),
        band_time=api.trace_times(duration, band_step_s) if band_step_s else np.empty(0),
        band_vars=tuple(v for v in bands.BINS if v in traces) if band_step_s else ())
    parts = {"scenario": scenario, "seed": seed, "subjects": n, "sample": layout.sample,
             "band_step_s": band_step_s, "summaries": summaries, "traces": layout.traces,
             "time": layout.time, "band_time": layout.band_time, "band_vars": layout.band_vars,
             "events": events, "retrosim_version": retrosim.__version__}
    fingerprint = sweepstore.fingerprint(parts)
    if resume and path.exists():
        return Job(scenario, seed, _resumable(path, layout, fingerprint, chunk_size)), objectives
    attrs = {"scenario": scenario.name, "description": scenario.description, "seed": seed,
             "subjects": n, "chunk_size": layout.chunk_size, "sample": layout.sample,
             "band_step_s": band_step_s, "fingerprint": fingerprint,
             "retrosim_version": retrosim.__version__, "energy_model": scenario.energy.model,
             "references": "\n".join(results.references(scenario)),
             "protocols": "\n".join(f"{a.name}: {a.protocol}" for a in scenario.arms.values()),
             **population_attrs(scenario)}                 # who was simulated (the report)
    sweepstore.create(layout, attrs, coordinates(list(scenario.arms.values())),
                      np.array([s.timeline.duration_s for s in probe]))
    return Job(scenario, seed, layout), objectives


def compute_chunk(job: Job, i: int) -> int:
    """Task chunk ``i``: every arm for its people; summaries and bin counts to the store."""
    layout = job.layout
    first, end = layout.bounds(i)
    n, a = end - first, len(layout.arms)
    summaries = {name: np.empty((a, n), dtype=dtype) for name, dtype in layout.summaries}
    counts = {v: np.empty((a, layout.band_time.size, bands.BINS[v][2]), dtype=np.int32)
              for v in layout.band_vars}
    for k, session in enumerate(_iter(job.scenario, seed=job.seed, subjects=n,
                                      first=first)):
        values = _summaries(session)
        if layout.events:
            _, subjects, kinds, _ = session.log.columns()
            values.update({comparison.event_summary(kind):
                           comparison.count_events(subjects, kinds, kind, n)
                           for kind in layout.events})
        for name, block in summaries.items():
            if name not in values:
                raise SweepError(f"arm {session.arm.name} has no summary {name!r}")
            block[k] = values[name]
        if counts:
            traced = _traces(session, layout.band_time, layout.band_vars)
            for v, binned in counts.items():
                binned[k] = bands.counts(traced[v], v)
    sweepstore.write_chunk(layout, i, summaries, counts)
    return n


def compute_sample(job: Job) -> int:
    """The full traces of people 0 .. sample-1, every arm."""
    layout = job.layout
    m, t = layout.sample, layout.time.size
    out = {name: np.full((len(layout.arms), m, t), np.nan) for name in layout.traces}
    for k, session in enumerate(api.iter_sessions(job.scenario, seed=job.seed, subjects=m)):
        traced = _traces(session, layout.time, layout.traces)
        for name, block in out.items():
            block[k] = np.broadcast_to(traced[name], (t, m)).T
    sweepstore.write_sample(layout, out)
    return m


def _iter(scenario: Scenario, **people: Any) -> Iterator[Any]:
    """Each arm's session; for a programme, each arm as one row per person
    (:func:`retrosim.api.iter_programme`: end state, totals, falls)."""
    if scenario.program is not None:
        return api.iter_programme(scenario, **people)
    return api.iter_sessions(scenario, **people)


def _summaries(session: Any) -> dict[str, np.ndarray]:
    return session.summary if isinstance(session, ProgrammeRows) else \
        results.summaries_of(session)


def _task(job: Job, i: int) -> int:
    return compute_sample(job) if i < 0 else compute_chunk(job, i)


def _traces(session: Any, times: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    traced = session.trajectory.sample(times)
    traced.update({name: f(times) for name, f in session.traces.items() if name in names})
    return traced


def _run_on(client: Any, job: Job, todo: dict[int, int], bar: Any,
            on_chunk: Callable[[int, Any], None] | None) -> None:
    from dask.distributed import as_completed

    token = uuid.uuid4().hex[:8]
    futures = {client.submit(_task, job, i, key=f"retrosim-{token}-{i}", retries=RETRIES,
                             pure=False): i for i in todo}
    try:
        for future in as_completed(futures):
            i = futures[future]
            try:
                future.result()
            except Exception as err:          # the task's own error, raised again here
                what = "the trace sample" if i < 0 else f"chunk {i}"
                raise SweepError(f"{what} failed: {type(err).__name__}: {err}; the chunks "
                                 "already written are kept: run again with --resume") from err
            bar.update(todo[i])
            if on_chunk is not None and i >= 0:
                on_chunk(i, client)
    finally:
        client.cancel(list(futures))


def _resumable(path: Path, layout: Layout, fingerprint: str, chunk_size: int | None) -> Layout:
    attrs = sweepstore.attributes(path)
    if attrs.get("retrosim_sweep") != sweepstore.FORMAT:
        raise InputError("--resume", f"{str(path)!r} is not a retrosim sweep store",
                         "the -o of an earlier retrosim sweep")
    if attrs.get("fingerprint") != fingerprint:
        raise InputError("--resume", f"{str(path)!r} holds another sweep (its scenario, seed, "
                         "subjects, sample, bands, models or controller code differ, to the "
                         "last bit)", "the same command and files as the first run, or a "
                         "new -o")
    if chunk_size is not None and chunk_size != attrs["chunk_size"]:
        raise InputError("--chunk-size", f"{chunk_size} differs from the store's "
                         f"{attrs['chunk_size']}", f"{attrs['chunk_size']} (or leave it out)")
    return dataclasses.replace(layout, chunk_size=int(attrs["chunk_size"]))


def _objectives(scenario: Scenario, names: list[str]) -> dict[str, str]:
    chosen = scenario.sweep.objectives if scenario.sweep is not None else ()
    for name, _ in chosen:
        if name not in names:
            raise InputError(f"sweep.objectives.{name}", "is not a summary of this run",
                             ", ".join(names), source=scenario.source or scenario.name)
    return comparison.objectives_for(names, chosen)


@dataclass(frozen=True)
class StoreReader:
    """``(arm, people a..b-1)`` of a summary in a sweep's store (picklable, for tasks)."""

    path: str

    def __call__(self, name: str, a: int, b: int) -> np.ndarray:
        import zarr

        return zarr.open_group(self.path, mode="r")[name][:, a:b]


def _bar(progress: bool, total: int, initial: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit=" people", unit_scale=True,
                desc="sweep", disable=None if progress else True, dynamic_ncols=True)
