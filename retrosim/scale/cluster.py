"""The Dask cluster a sweep runs on: a local one on loopback, or a running scheduler, and
how its people are cut into tasks (:class:`Cluster`).

The local cluster listens on 127.0.0.1 only and serves no dashboard: nothing of a sweep is
reachable from the network (docs/security.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from retrosim.errors import InputError
from retrosim.scale import IN_PROCESS

#: The local cluster listens on the loopback interface only, and has no dashboard (its pages
#: show logs and call stacks): nothing of a sweep is reachable from the network. The
#: scheduler's remaining HTTP routes (health, metrics) take a free port on loopback.
LOOPBACK = "127.0.0.1"
SCHEDULER_OPTIONS = {"dashboard": False, "dashboard_address": f"{LOOPBACK}:0"}
CONNECT_TIMEOUT_S = 10.0
#: The local cluster's worker environment (dask config). Dask's nanny sets
#: MALLOC_TRIM_THRESHOLD_ low to hand freed memory back at once; with glibc that also turns
#: off the adaptive mmap threshold, and every large array of every chunk becomes fresh pages
#: from the kernel (a chunk takes about twice as long). A sweep's workers allocate the same
#: few large arrays chunk after chunk: they keep them (arrays below 256 MiB from the heap, the
#: heap trimmed beyond 1 GiB free). Memory stays flat: a worker holds one chunk at a time.
WORKER_ENV = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(2**30),
              "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": str(2**28)}


@dataclass(frozen=True)
class Cluster:
    """Where a sweep runs and how its people are cut into tasks.

    The default is a local cluster of one single-threaded process per CPU, on loopback.

    Parameters
    ----------
    scheduler : str, optional
        None (a local cluster of ``workers`` processes), the address of a running Dask
        scheduler (its workers must see the output path), or ``"in-process"`` (no Dask: chunk
        after chunk in this process).
    workers : int, optional
        Processes of the local cluster; default the machine's cores.
    chunk_size : int, optional
        People per task (default 32,768); a resumed sweep keeps its own.
    client : object, optional
        An existing ``dask.distributed.Client`` to use instead of ``scheduler``.

    Examples
    --------
    >>> from retrosim.scale.cluster import Cluster
    >>> Cluster("in-process", chunk_size=1000).local
    False
    """

    scheduler: str | None = None
    workers: int | None = None
    chunk_size: int | None = None
    client: Any = None

    @property
    def local(self) -> bool:
        """Every worker on this machine: a local cluster this sweep starts."""
        return self.client is None and self.scheduler is None


def local_config() -> dict[str, Any]:
    """The local cluster's dask config: the worker environment, and HTTP servers that answer a
    health check and nothing else (no dashboard, no pages of logs or call stacks). The route
    lists are new on every call: distributed appends a fallback dashboard route, in place, to
    the list a scheduler was configured with when that scheduler asks for a dashboard and
    bokeh is not installed, so a shared list would carry it into the next cluster."""
    return {**WORKER_ENV,
            "distributed.scheduler.http.routes": ["distributed.http.health"],
            "distributed.worker.http.routes": ["distributed.http.health"]}


@contextlib.contextmanager
def connect(where: Cluster) -> Iterator[Any]:
    """The Dask client a sweep runs on: ``where.client`` when given; None in this process
    (scheduler "in-process"); a local cluster of ``where.workers`` single-threaded processes
    (default one per CPU) on loopback when the scheduler is None; else the scheduler at that
    address, or one line saying it cannot be reached."""
    scheduler, workers = where.scheduler, where.workers
    if where.client is not None or scheduler == IN_PROCESS:
        yield where.client
        return
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler is None:
        with dask.config.set(local_config()), \
                LocalCluster(n_workers=workers or cpus(), threads_per_worker=1, processes=True,
                             host=LOOPBACK, dashboard_address=None,
                             scheduler_kwargs=SCHEDULER_OPTIONS,
                             silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as local:
            yield local
        return
    try:
        remote = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError("--scheduler", f"cannot reach a Dask scheduler at {scheduler!r} "
                         f"({reason})", "the address of a running scheduler, e.g. "
                         "tcp://127.0.0.1:8786") from None
    with remote:
        yield remote


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                    # pragma: no cover (not Linux)
        return os.cpu_count() or 1
