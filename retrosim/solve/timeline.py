"""An arm's inputs as knots joined by straight lines, shared or per subject.

Between two knots the belt velocity, grade, handrail and direction are constant or linear in
time; a knot repeated at the same time marks a jump. Arrays are ``(K, S)``: K knots for S
columns, where ``S == 1`` is one timeline shared by every subject (the protocol as commanded)
and ``S == N`` gives each subject its own (after a fall or a stop, say). Everything
downstream broadcasts over S, so the shared case costs nothing extra.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from retrosim.model.treadmill import estop_rest, estop_velocity

_CHUNK = 2048     # subjects per chunk when locating sample times on per-subject knots


def sample_times(duration_s: float, step_s: float) -> np.ndarray:
    """The time axis of traces and bands [s]: every ``step_s`` from 0, and the end.

    >>> sample_times(150.0, 60.0).tolist()
    [0.0, 60.0, 120.0, 150.0]
    """
    t = np.arange(0.0, duration_s, step_s)
    return np.append(t, duration_s) if t.size == 0 or t[-1] != duration_s else t


@dataclass(frozen=True)
class Timeline:
    """Knot arrays, each ``(K, S)``.

    t [s], velocity [m s-1, + forward], grade [-], handrail (support code for everyone, or -1
    for each subject's own), direction (+1/-1, the commanded walking direction).
    """

    t: np.ndarray
    velocity: np.ndarray
    grade: np.ndarray
    handrail: np.ndarray
    direction: np.ndarray

    @classmethod
    def shared(cls, t, velocity, grade, handrail, direction) -> Timeline:
        """One timeline for every subject, from 1-D knot arrays."""
        def col(a, dtype=float):
            return np.asarray(a, dtype=dtype).reshape(-1, 1)
        return cls(col(t), col(velocity), col(grade), col(handrail, np.int8),
                   col(direction, np.int8))

    @property
    def duration_s(self) -> float:
        return float(self.t[-1].max())

    @functools.cached_property
    def derived(self) -> dict[tuple[object, ...], object]:
        """What a module below finds from this timeline alone, kept here by its key so that
        it is found once per timeline (:func:`retrosim.solve.bouts.find_bouts` for both the
        pressure course and EPOC): a timeline's arrays do not change once it is made."""
        return {}

    @functools.cached_property
    def distinct(self) -> tuple[np.ndarray, np.ndarray] | None:
        """On a shared timeline whose knots repeat their inputs (a stage's start and end, every
        rest), the first knot of each distinct (velocity, grade, handrail), bit for bit, and
        the one of each knot; None on per-subject timelines or where every knot is distinct.
        Found once per timeline.

        What is a function of a knot's inputs alone, element by element (the steady-state
        demand, the pressor targets, the intensity weights), is evaluated once per distinct
        input and copied: the same bits.

        >>> tl = Timeline.shared([0, 60, 70, 130], [0.0, 1.0, 1.0, 0.0], [0] * 4, [-1] * 4,
        ...                      [1] * 4)
        >>> [a.tolist() for a in tl.distinct]
        [[0, 1], [0, 1, 1, 0]]
        """
        if self.t.shape[1] != 1:
            return None
        seen: dict[tuple[bytes, ...], int] = {}
        each = [seen.setdefault(row, len(seen)) for row in zip(
            *(map(np.ndarray.tobytes, a) for a in (self.velocity, self.grade, self.handrail)),
            strict=True)]
        if len(seen) == len(each):
            return None
        first = [0] * len(seen)
        for k, i in reversed(list(enumerate(each))):
            first[i] = k
        return np.array(first), np.array(each)

    def locate(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each time and column: segment index j, offset into it and its length, ``(M, S)``.

        Times beyond the last knot are located at the end of the last segment.
        """
        t = self.t
        k = t.shape[0]
        times = np.asarray(times, dtype=float)
        if t.shape[1] == 1:
            j = np.searchsorted(t[:, 0], times, side="right")[:, None] - 1
        else:
            j = np.empty((times.size, t.shape[1]), dtype=np.intp)
            for c in range(0, t.shape[1], _CHUNK):
                cols = t[:, c:c + _CHUNK]
                j[:, c:c + _CHUNK] = (cols[None, :, :] <= times[:, None, None]).sum(1) - 1
        j = np.clip(j, 0, k - 2)
        if t.shape[1] > 1:                       # flat gathers from the (K, S) knots, C order
            flat = j * t.shape[1] + np.arange(t.shape[1])
            start, end = np.take(t, flat), np.take(t, flat + t.shape[1])
        else:
            start, end = t[j[:, 0]], t[j[:, 0] + 1]
        offset = np.minimum(times[:, None], end) - start
        return j, offset, end - start

    def columns(self, idx: np.ndarray) -> Timeline:
        """The timelines of the subjects at positions ``idx`` (a shared one stays shared)."""
        return Timeline(*(a if a.shape[1] == 1 else a[:, idx]
                          for a in (self.t, self.velocity, self.grade, self.handrail,
                                    self.direction)))

    def stop(self, t_stop: np.ndarray, decel_mps2: float | np.ndarray) -> Timeline:
        """Each subject's own timeline, their belt stopped from ``t_stop`` (inf: never).

        From ``t_stop`` the belt decelerates at ``decel_mps2`` to rest and stays there (drive
        cut, incline held: the emergency stop of :mod:`retrosim.model.treadmill`) until the
        session's end; the commanded handrail and direction in
        force at the stop are kept. Subjects who never stop keep the shared knots (the last
        one repeated, so that every subject has the same number of knots). Only the stopping
        subjects' knots are computed; the others are copies.
        """
        end = self.duration_s
        n = np.asarray(t_stop).size
        t_stop = np.minimum(np.asarray(t_stop, dtype=float), end)
        k = self.t.shape[0]
        rows = np.minimum(np.arange(k + 3), k - 1)
        out = [np.broadcast_to(a[rows], (k + 3, n)).copy()
               for a in (self.t, self.velocity, self.grade, self.handrail, self.direction)]
        idx = np.flatnonzero(t_stop < end)
        if idx.size:
            part = self.stopped(idx, t_stop, decel_mps2)
            spliced = (part.t, part.velocity, part.grade, part.handrail, part.direction)
            for o, a in zip(out, spliced, strict=True):
                o[:, idx] = a
        return Timeline(*out)

    def stopped(self, idx: np.ndarray, t_stop: np.ndarray,
                decel_mps2: float | np.ndarray) -> Timeline:
        """The timelines of the subjects at positions ``idx``, who all stop before the end
        (``t_stop`` and ``decel_mps2`` are everyone's): their columns of :meth:`stop`."""
        t_stop = np.minimum(np.asarray(t_stop, dtype=float), self.duration_s)
        decel = np.asarray(decel_mps2, dtype=float)
        return Timeline(*_splice(self.columns(idx), t_stop[idx],
                                 decel[idx] if decel.ndim else decel, self.duration_s))


def _splice(tl: Timeline, t_stop: np.ndarray, decel_mps2: float | np.ndarray,
            end: float) -> list[np.ndarray]:
    """Knot arrays ``(K + 3, n)`` of subjects who all stop at ``t_stop < end``."""
    n = t_stop.size
    t, v, g, h, d = (np.broadcast_to(a, (a.shape[0], n))
                     for a in (tl.t, tl.velocity, tl.grade, tl.handrail, tl.direction))
    k = t.shape[0]
    m = np.clip((t < t_stop).sum(0), 1, k - 1)          # knots kept before the stop
    cols = np.arange(n)
    w = np.clip((t_stop - t[m - 1, cols]) /
                np.where(t[m, cols] > t[m - 1, cols], t[m, cols] - t[m - 1, cols], 1.0),
                0.0, 1.0)
    v_stop = v[m - 1, cols] + w * (v[m, cols] - v[m - 1, cols])
    g_stop = g[m - 1, cols] + w * (g[m, cols] - g[m - 1, cols])
    t_rest = np.minimum(estop_rest(t_stop, v_stop, decel_mps2), end)
    v_rest = estop_velocity(end, t_stop, v_stop, decel_mps2)
    p = np.arange(k + 3)[:, None]
    src = np.minimum(p, m - 1)
    out = [np.take_along_axis(a, src, axis=0).copy() for a in (t, v, g, h, d)]
    for q, (tq, vq) in enumerate(((t_stop, v_stop), (t_rest, v_rest), (end, v_rest))):
        at = (p >= m + q) if q == 2 else (p == m + q)
        out[0] = np.where(at, tq, out[0])
        out[1] = np.where(at, vq, out[1])
        out[2] = np.where(at, g_stop, out[2])
    return out


def run_of(rows: np.ndarray) -> slice | np.ndarray:
    """Knot rows (sorted, distinct) as a slice when they follow one another, so that reading
    them is a view, not a gather; else as they are.

    >>> run_of(np.array([2, 3, 4])), run_of(np.array([1, 3])).tolist()
    (slice(2, 5, None), [1, 3])
    """
    if rows.size and rows[-1] - rows[0] == rows.size - 1:
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


def knot_sum(x: np.ndarray) -> np.ndarray:
    """Sum along the knot axis (axis 0), one knot after another in a fixed order.

    A person's sum must not depend on who else is in the batch: ``x.sum(axis=0)`` adds a
    single column pairwise but many columns row by row, and a person's column may carry
    zero-length segments that others' knots added; a sequential sum rounds the same in
    every case (adding an exact zero changes nothing), so the result is bit-identical.

    >>> knot_sum(np.array([[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]])).tolist()
    [0.6000000000000001, 6.0]
    """
    x = np.asarray(x)
    if x.shape[0] == 0:
        return np.zeros(x.shape[1:], dtype=x.dtype)
    if x.dtype.kind != "f" or x.shape[0] == 1:
        return np.cumsum(x, axis=0)[-1]
    out = x[0] + x[1]               # the additions of a cumulative sum, row by row
    for row in x[2:]:
        out += row
    return out
