"""A cohort through a 12-week programme on a local Dask cluster: wall time and peak memory.

Run ``python bench/bench_moonshot.py --people 100000`` (default 1,000,000: 36 million
person-sessions, every event model on). It sweeps the programme of ``workloads.PROGRAMME``
(12 weeks x 3 sessions) into a temporary Zarr store with ``retrosim.scale.sweep.run_sweep``
on a local cluster of ``--workers`` single-threaded processes (default 2), ``--chunk-size``
people per task, and samples the resident memory of this process and all its children every
0.2 s. It prints the wall time, person-sessions per second, the peak memory of the whole
process tree, the CPU seconds of the whole tree (sampled with the memory) and the time a
million people would take at the same rate, and on ``--workers`` idle cores at the same
person-sessions per CPU second (a busy machine stretches the wall time, not the CPU time).

The target (a million people in under a minute on two cores, with memory flat in the number
of people) is reported, not enforced: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402
from bench_sweep import PeakMemory  # noqa: E402

import retrosim  # noqa: E402
from retrosim.scale.cluster import Cluster
from retrosim.scale.sweep import run_sweep  # noqa: E402

TARGET_PEOPLE = 1_000_000
TARGET_S = 60.0


class CpuTime:
    """The CPU seconds (user and system) of this process and all its children while running,
    each process's last reading kept after it ends (sampled every ``period_s``)."""

    def __init__(self, period_s: float = 0.2) -> None:
        import psutil

        self._me, self._seen, self._stop = psutil.Process(), {}, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self.period_s = period_s

    def _read(self) -> None:
        import psutil

        for p in [self._me, *self._me.children(recursive=True)]:
            try:
                t = p.cpu_times()
                self._seen[p.pid] = t.user + t.system
            except psutil.Error:
                pass

    def _watch(self) -> None:
        while not self._stop.wait(self.period_s):
            self._read()

    @property
    def seconds(self) -> float:
        """CPU seconds since entering."""
        return float(sum(self._seen.values())) - self._start

    def __enter__(self) -> CpuTime:
        self._start = 0.0
        self._read()
        self._start = self.seconds
        self._seen.clear()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=TARGET_PEOPLE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    args = parser.parse_args(argv)
    if min(args.people, args.workers, args.chunk_size) < 1:
        parser.error("--people, --workers and --chunk-size must be at least 1")
    scenario = retrosim.Scenario.from_dict(workloads.PROGRAMME)
    sessions = len(scenario.program.schedule()) if scenario.program else 1
    with tempfile.TemporaryDirectory(prefix="retrosim-moonshot-") as tmp:
        with PeakMemory() as memory, CpuTime() as cpu:
            start = time.perf_counter()
            run_sweep(scenario, Path(tmp) / "out.zarr", subjects=args.people,
                      cluster=Cluster(workers=args.workers, chunk_size=args.chunk_size), sample=0,
                      band_step_s=0)
            wall = time.perf_counter() - start
    total = args.people * sessions
    rate = total / wall
    million = TARGET_PEOPLE * sessions / rate
    cpu_s = cpu.seconds
    idle = TARGET_PEOPLE * sessions / (total / cpu_s) / args.workers
    print(f"{args.people:,} people x {sessions} sessions = {total:,} person-sessions on "
          f"{args.workers} workers (chunks of {args.chunk_size:,}); load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  wall {wall:.1f} s, {rate:,.0f} person-sessions/s, peak memory of the process "
          f"tree {memory.peak / 2**30:.2f} GiB")
    print(f"  a million people at this rate: {million:.0f} s (target < {TARGET_S:g} s: "
          f"{'met' if million < TARGET_S else 'NOT met'})")
    print(f"  CPU {cpu_s:.1f} s (the process tree), {total / cpu_s:,.0f} person-sessions per "
          f"CPU s: a million people on {args.workers} idle cores in about {idle:.0f} s "
          f"({'met' if idle < TARGET_S else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
