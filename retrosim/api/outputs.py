"""What a result holds, for the consumers that read one: its time axis, the per-arm statistics
its event models declare, and the blood-pressure readings as a table.

A consumer of results (a report, a sweep, the what-if page, the safety checks) reads them
through these functions rather than from the layers that make them, so that the time axis it
samples is the one a run's traces have, and the statistics are the ones a run computes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from retrosim.events import MODELS, bp
from retrosim.events.base import EventModel
from retrosim.solve.timeline import sample_times


def trace_times(duration_s: float, step_s: float) -> np.ndarray:
    """The time axis of a session's traces [s]: every ``step_s`` from 0, and the end.

    The times a result's traces are on (``retrosim.run(..., trace_step_s=step_s)``), and so
    those a sweep's bands and the safety checks sample.

    Parameters
    ----------
    duration_s : float
        The session's length [s].
    step_s : float
        The trace resolution [s].

    Returns
    -------
    numpy.ndarray
        Increasing times from 0 to ``duration_s``, both included.

    Examples
    --------
    >>> trace_times(150.0, 60.0).tolist()
    [0.0, 60.0, 120.0, 150.0]
    """
    return sample_times(duration_s, step_s)


def arm_statistics(summaries: Mapping[str, np.ndarray],
                   models: Sequence[EventModel] | None = None) -> dict[str, np.ndarray]:
    """The per-arm statistics that the event models declare, from (arm, subject) summaries.

    What a run adds to its Dataset on the ``arm`` dimension (falls per 1,000 sessions and the
    share of sessions with a fall, with its Wilson interval, say), for summaries that come from
    elsewhere: a sweep's store, read back.

    Parameters
    ----------
    summaries : mapping of str to numpy.ndarray
        Summary name -> (arms, subjects) values (``fell``, ...).
    models : sequence of EventModel, optional
        The event models whose statistics to compute; default the bundled ones.

    Returns
    -------
    dict of str to numpy.ndarray
        Statistic name -> one value per arm; empty when no model finds what it needs.

    Examples
    --------
    >>> s = arm_statistics({"fell": np.array([[True] * 3 + [False] * 97])})
    >>> s["falls_per_1000"].tolist()
    [30.0]
    """
    out: dict[str, np.ndarray] = {}
    for model in MODELS if models is None else models:
        out.update(model.per_arm(summaries))
    return out


def readings(ds: xr.Dataset) -> pd.DataFrame:
    """Every seated blood-pressure reading and recheck of a result, one row each.

    The readings after exercise that the blood-pressure event model takes
    (:func:`retrosim.events.bp.readings`).

    Parameters
    ----------
    ds : xarray.Dataset
        A result (``bp_reading_*`` variables on ``reading``; none gives an empty table).

    Returns
    -------
    pandas.DataFrame
        Columns arm, subject, time_s, minutes (after the end of exercise), sbp, dbp [mmHg],
        category (ACC/AHA 2017), valid (for diagnosis), recheck.
    """
    return bp.readings(ds)
