"""Runs at scale: Dask sweeps, their Zarr store, cohort bands and comparisons.

Consumers of whole runs; nothing below imports them. Dask and Zarr come with the ``scale``
extra (``pip install 'retrosim[scale]'``); without them :func:`check_installed` says so in one
line, and the rest of retrosim runs as before.
"""

from __future__ import annotations

import importlib.util

from retrosim.errors import RetrosimError

INSTALL = "pip install 'retrosim[scale]'"
#: The scheduler that runs a sweep's chunks one after another in this process, without Dask.
IN_PROCESS = "in-process"


def check_installed(scheduler: object = None) -> None:
    """RetrosimError in one line if Zarr, or Dask's distributed scheduler unless
    ``scheduler`` is :data:`IN_PROCESS`, is missing."""
    needed = ("zarr",) if scheduler == IN_PROCESS else ("dask", "distributed", "zarr")
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        raise RetrosimError(f"sweeps need {' and '.join(missing)}, which come with the scale "
                            f"extra: {INSTALL}")
