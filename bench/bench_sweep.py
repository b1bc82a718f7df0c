"""Cohorts and sweeps at scale: sessions per second, the second worker, peak memory.

Run ``python bench/bench_sweep.py`` (or ``make bench``); ``--quick`` for a short run. It uses
the 30-minute, six-stage protocol of ``bench_engine.py`` walked by people drawn from the
bundled cohort ``older-after-knee-surgery``, with every model the engine runs (the event
models that ran are listed), summaries only:

1. in one process, ``retrosim.run(scenario, subjects=100_000, traces=False)`` (best of three)
   against the naive reference (``bench/naive.py``: a SimPy process per person, 1 s Euler)
   on the first few of the same people, in the same run;
2. ``retrosim sweep`` of 1,000,000 people into a Zarr store on a local Dask cluster, with one
   worker and then with two: wall time of the sweep (the cluster is started and its workers
   warmed up first; best of two), sessions per second, the speed-up of the second worker,
   and the peak memory: the largest sum of the resident memory of this process (the client
   and the scheduler) and of its children (the workers), sampled every 0.1 s. Summing counts
   shared library pages once per process, so the figure errs high.

The targets (>= 50,000 sessions per second and >= 100x the naive reference in one process;
>= 1.6x from a second worker; under 2 GB for a million) are reported, not enforced: timings
depend on the machine and on what else runs on it (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine  # noqa: E402
import naive  # noqa: E402

import retrosim  # noqa: E402
from retrosim.events import MODELS  # noqa: E402
from retrosim.model.scenario import Scenario  # noqa: E402
from retrosim.scale import cluster, sweep
from retrosim.scale.cluster import Cluster

TARGET_SESSIONS_PER_S = 50_000.0
TARGET_RATIO = 100.0
TARGET_SCALING = 1.6
TARGET_PEAK_GB = 2.0


def scenario() -> Scenario:
    """The six-stage protocol for the older-after-knee-surgery cohort."""
    return Scenario.from_dict({
        "name": "bench-cohort-six-stage", "seed": 1,
        "description": "30-minute six-stage protocol, older adults after knee surgery",
        "cohort": {"preset": "older-after-knee-surgery", "size": 100_000},
        "arms": {"six-stage": {"stages": bench_engine.STAGES}},
    })


class PeakMemory:
    """The largest total resident memory of this process and its children while running."""

    def __init__(self, period_s: float = 0.1) -> None:
        self.period_s, self.peak, self._stop = period_s, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.period_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def sweep_on(workers: int, sc: Scenario, n: int, folder: Path, band_step_s: float,
             sample: int, repeat: int) -> tuple[float, int]:
    """Best seconds of ``repeat`` sweeps of ``n`` people on a fresh local cluster, and the
    peak bytes."""
    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(cluster.WORKER_ENV), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as local, Client(local) as client:
        sweep.run_sweep(sc, folder / f"warm-{workers}.zarr", subjects=2 * workers * 1000,
                        cluster=Cluster(client=client, chunk_size=1000), sample=0, band_step_s=0)
        best = float("inf")
        with PeakMemory() as memory:
            for k in range(repeat):
                start = time.perf_counter()
                sweep.run_sweep(sc, folder / f"sweep-{workers}-{k}.zarr", subjects=n,
                                cluster=Cluster(client=client), sample=sample,
                                band_step_s=band_step_s)
                best = min(best, time.perf_counter() - start)
    return best, memory.peak


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="10,000 people in one process and 100,000 in the sweep")
    parser.add_argument("--people", type=int, default=None,
                        help="people in the one-process run (default 100,000)")
    parser.add_argument("--sweep-people", type=int, default=None,
                        help="people in the sweep (default 1,000,000)")
    parser.add_argument("--naive-subjects", type=int, default=5,
                        help="people for the naive reference (default 5)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="sweep timings are the best of this many (default 2, quick 1)")
    parser.add_argument("--bands", action="store_true",
                        help="also keep a 10-person trace sample and 60 s percentile bands")
    args = parser.parse_args(argv)
    people = args.people or (10_000 if args.quick else 100_000)
    sweep_people = args.sweep_people or (100_000 if args.quick else 1_000_000)
    repeat = args.repeat or (1 if args.quick else 2)
    if min(people, sweep_people, args.naive_subjects, repeat) < 1:
        parser.error("people and --repeat must be at least 1")
    sc = scenario()
    arm = next(iter(sc.arms.values()))
    models = [m.name for m in MODELS]
    print(f"protocol: {len(arm.protocol.stages)} stages, {arm.protocol.duration_s / 60:g} min; "
          f"cohort older-after-knee-surgery; {bench_engine.cpus()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"models: energy, VO2 and HR kinetics (closed form); {', '.join(models) or 'none'}")

    retrosim.run(sc, subjects=10, traces=False)                        # imports, caches
    cohort = sc.cohort.sample(args.naive_subjects, sc.seed)
    start = time.perf_counter()
    naive.simulate(arm.protocol, sc.treadmill, cohort, sc.energy)
    naive_s = time.perf_counter() - start
    engine_s, _ = bench_engine.best_of(3, retrosim.run, sc, subjects=people, traces=False)
    naive_rate, engine_rate = args.naive_subjects / naive_s, people / engine_s
    print()
    print(f"{'one process':44} {'people':>10} {'time [s]':>10} {'sessions/s':>12}")
    print(f"{'naive: SimPy process per person, 1 s Euler':44} {args.naive_subjects:>10,} "
          f"{naive_s:>10.3f} {bench_engine.rate(args.naive_subjects, naive_s):>12}")
    print(f"{'engine: retrosim.run, summaries only':44} {people:>10,} {engine_s:>10.3f} "
          f"{bench_engine.rate(people, engine_s):>12}")
    print(f"engine throughput: {engine_rate:,.0f} sessions/s (target >= "
          f"{TARGET_SESSIONS_PER_S:,.0f}: {verdict(engine_rate >= TARGET_SESSIONS_PER_S)})")
    print(f"engine vs naive in this run: {engine_rate / naive_rate:,.0f}x (target >= "
          f"{TARGET_RATIO:g}x: {verdict(engine_rate / naive_rate >= TARGET_RATIO)})")

    band_step, sample = (60.0, 10) if args.bands else (0.0, 0)
    print()
    print(f"sweep of {sweep_people:,} people on a local Dask cluster "
          f"({'10-person trace sample, 60 s bands' if args.bands else 'summaries only'}), "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'workers':>8} {'time [s]':>10} {'sessions/s':>12} {'peak memory':>12}   "
          f"(best of {repeat})")
    timings = {}
    with tempfile.TemporaryDirectory(prefix="retrosim-bench-") as folder:
        for workers in (1, 2):
            seconds, peak = sweep_on(workers, sc, sweep_people, Path(folder), band_step, sample,
                                     repeat)
            timings[workers] = seconds
            print(f"{workers:>8} {seconds:>10.2f} {sweep_people / seconds:>12,.0f} "
                  f"{peak / 2**30:>9.2f} GB")
    scaling = timings[1] / timings[2]
    print(f"second worker: {scaling:.2f}x (target >= {TARGET_SCALING:g}x: "
          f"{verdict(scaling >= TARGET_SCALING)}); peak memory target < {TARGET_PEAK_GB:g} GB "
          f"for a million")
    return 0


if __name__ == "__main__":
    sys.exit(main())
