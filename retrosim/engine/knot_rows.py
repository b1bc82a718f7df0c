"""Helpers of the closed loop's knot rows (:mod:`retrosim.engine.closedloop`): whether a
command asks for anything, and the kept rows of each subject's knots."""

from __future__ import annotations

import numpy as np

from retrosim.controllers.base import Command


def empty_command(cmd: Command) -> bool:
    """True if a command asks for nothing at all."""
    for name, value in vars(cmd).items():
        if value is None or value is False:
            continue
        if isinstance(value, np.ndarray) and (
                (value.dtype == bool and not value.any())
                or (value.dtype.kind == "f" and np.isnan(value).all())
                or (name == "direction" and not value.any())):
            continue
        return False
    return True


def keep_rows(arrays: list[np.ndarray], keep: np.ndarray) -> list[np.ndarray]:
    """Each column's kept rows, in order, padded with its last row to a common length."""
    keep = keep.copy()
    keep[0] = keep[-1] = True
    k = keep.shape[0]
    counts = keep.sum(axis=0)
    width = int(counts.max())
    order = np.argsort(~keep, axis=0, kind="stable")[:width]
    idx = np.where(np.arange(width)[:, None] < counts[None, :], order, k - 1)
    return [np.take_along_axis(a, idx, axis=0) for a in arrays]
