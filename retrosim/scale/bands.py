"""Percentile bands of traces over a whole cohort, from counts that add up chunk by chunk.

A sweep cannot keep a million people's traces. Each chunk instead counts, at every band time,
how many of its people have a value in each of a fixed set of bins; counts are whole numbers,
so adding them over chunks gives the same total in any order, chunking or number of workers.
Percentiles are then read off the total counts, interpolating linearly inside a bin, to a
resolution of one bin width (0.1 mL kg-1 min-1 of VO2, 0.5 min-1 of heart rate, 0.5 mmHg).
Values beyond the bin range are counted in the first or last bin; NaN (an arm that has
already ended) is not counted.
"""

from __future__ import annotations

import numpy as np

from retrosim.results.dataset import VARIABLES

#: Trace name -> (lowest value, highest value, number of bins), in the trace's units: the
#: traces declared with bins (:attr:`retrosim.variables.Variable.bins`), in declaration order.
BINS: dict[str, tuple[float, float, int]] = {
    v.name: v.bins for v in VARIABLES.values() if v.bins is not None}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def counts(values: np.ndarray, name: str) -> np.ndarray:
    """How many people fall in each bin at each time: ``(M, N)`` values -> ``(M, bins)``.

    >>> counts(np.array([[60.0, 60.2, np.nan], [231.0, 10.0, 100.0]]), "hr").sum(axis=1)
    array([2, 3])
    """
    low, high, bins = BINS[name]
    values = np.asarray(values, dtype=float)
    m = values.shape[0]
    finite = np.isfinite(values)
    index = np.clip(np.floor((values - low) / (high - low) * bins), 0, bins - 1)
    flat = (np.arange(m)[:, None] * bins + np.where(finite, index, 0).astype(np.int64))[finite]
    return np.bincount(flat, minlength=m * bins).reshape(m, bins)


def percentiles(total: np.ndarray, name: str, quantiles: tuple[float, ...] = QUANTILES
                ) -> np.ndarray:
    """Percentiles from counts ``(..., M, bins)`` -> ``(..., Q, M)``; NaN where nobody counts.

    Within the bin where the cumulative count reaches ``q`` of the total the value is
    interpolated linearly, as if the bin's people were spread evenly across it.

    >>> c = counts(np.array([[70.0, 80.0, 90.0, 100.0]]), "hr")    # half are <= 80.5
    >>> percentiles(c, "hr", (0.5,)).round(2).tolist()
    [[80.5]]
    """
    low, high, bins = BINS[name]
    width = (high - low) / bins
    total = np.asarray(total, dtype=np.int64)
    cum = np.cumsum(total, axis=-1)
    n = cum[..., -1:]
    out = []
    for q in quantiles:
        target = q * n                                        # (..., M, 1)
        b = np.minimum((cum < target).sum(axis=-1, keepdims=True), bins - 1)
        before = np.take_along_axis(cum, b, axis=-1) - np.take_along_axis(total, b, axis=-1)
        inside = np.take_along_axis(total, b, axis=-1)
        frac = np.divide(target - before, inside, out=np.zeros(target.shape),
                         where=inside > 0)
        value = low + width * (b + np.clip(frac, 0.0, 1.0))
        out.append(np.where(n > 0, value, np.nan)[..., 0])
    return np.stack(out, axis=-2)
