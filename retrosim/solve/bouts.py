"""Bouts of walking on a timeline: where each ends, how long it walked, its mean of a quantity.

Post-exercise hypotension (:mod:`retrosim.solve.bp_course`) and EPOC's slow component
(:mod:`retrosim.solve.trajectory`) both follow each bout's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrosim.solve.timeline import Timeline, knot_sum, run_of

#: Rests shorter than this join walks into one bout, s (20 min; an assumption, longer than
#: the 15-min nadir so that an earlier bout's PEH is recovering when the next bout starts).
BOUT_GAP_S = 1200.0


@dataclass(frozen=True)
class Bouts:
    """The bouts of walking of every subject.

    walking : (K-1, S) whether the belt moves during each timeline segment.
    end_s, walking_s, met : (B, N) each bout's end [s], time spent walking [s] and mean
        demand [MET]; NaN for subjects with fewer bouts.
    last_end_s : (N,) end of the last bout [s], NaN if the subject never walked.
    last_knot : (N,) the knot at which the last bout ends (0 if none).
    """

    walking: np.ndarray
    end_s: np.ndarray
    walking_s: np.ndarray
    met: np.ndarray
    last_end_s: np.ndarray
    last_knot: np.ndarray


def find_bouts(timeline: Timeline, met: np.ndarray, gap_s: float = BOUT_GAP_S) -> Bouts:
    """Bouts of walking on a timeline, with their end, length and mean demand ``met`` (K, N).

    Two walks 30 min apart are two bouts; a rest shorter than ``gap_s`` would join them.

    >>> tl = Timeline.shared([0, 600, 2400, 3000, 3600], [1.2, 0, 0, 1.2, 0], [0] * 5, [0] * 5,
    ...                      [1] * 5)
    >>> b = find_bouts(tl, np.array([[4.0], [1.0], [1.0], [4.0], [1.0]]))
    >>> b.end_s[:, 0].tolist(), b.walking_s[:, 0].tolist(), b.met[:, 0].tolist()
    ([600.0, 3600.0], [600.0, 1200.0], [2.5, 2.5])
    """
    seg = _segments(timeline, gap_s)
    n = met.shape[1]
    shape = (len(seg.inside), n)
    end_s, walking_s, mean_met = (np.full(shape, np.nan) for _ in range(3))
    dt = seg.dt
    for b, (inside, present, seconds, end) in enumerate(zip(
            seg.inside, seg.present, seg.seconds, seg.end, strict=True)):
        if inside.shape[1] == 1:                                     # shared: pick the rows
            rows = run_of(np.nonzero(inside[:, 0])[0])              # a run: views
            then = slice(rows.start + 1, rows.stop + 1) if isinstance(rows, slice) else rows + 1
            area = 0.5 * knot_sum(dt[rows] * (met[rows] + met[then]))
        else:
            area = 0.5 * knot_sum(np.where(inside, dt, 0.0) * (met[:-1] + met[1:]))
        end_s[b] = np.where(present, end, np.nan)
        walking_s[b] = np.where(present, seconds, np.nan)
        mean_met[b] = np.where(present, area / np.where(seconds > 0, seconds, 1.0), np.nan)
    last_knot = np.broadcast_to(seg.last_knot, (n,))
    last_end = np.broadcast_to(seg.last_end, (n,))
    return Bouts(seg.walking, end_s, walking_s, mean_met, last_end.copy(), last_knot.copy())


@dataclass(frozen=True)
class _Segments:
    """What :func:`find_bouts` finds from the timeline alone, per column (S): the segments'
    lengths ``dt`` and walking, and for each bout the segments inside it, whether the column
    has it, its seconds of walking and its end; the knot and time of the last bout's end."""

    dt: np.ndarray
    walking: np.ndarray
    inside: list[np.ndarray]
    present: list[np.ndarray]
    seconds: list[np.ndarray]
    end: list[np.ndarray]
    last_knot: np.ndarray
    last_end: np.ndarray


def _segments(timeline: Timeline, gap_s: float) -> _Segments:
    """:class:`_Segments` of a timeline, found once per timeline and gap."""
    key = ("bouts", gap_s)
    found = timeline.derived.get(key)
    if found is None:
        found = timeline.derived[key] = _find_segments(timeline, gap_s)
    assert isinstance(found, _Segments)
    return found


def _find_segments(timeline: Timeline, gap_s: float) -> _Segments:
    t, speed = timeline.t, np.abs(timeline.velocity)
    dt = np.diff(t, axis=0)
    walking = ((speed[:-1] > 0) | (speed[1:] > 0)) & (dt > 0)
    ends = np.where(walking, t[1:], -np.inf)
    before = np.maximum.accumulate(np.vstack([np.full((1, t.shape[1]), -np.inf), ends[:-1]]),
                                   axis=0)
    starts = walking & (t[:-1] - before >= gap_s)
    bout = np.cumsum(starts, axis=0) - 1
    count = int(bout[walking].max()) + 1 if walking.any() else 0
    inside, present, seconds, end = [], [], [], []
    for b in range(count):
        inside.append(walking & (bout == b))                         # (K-1, S)
        present.append(inside[-1].any(axis=0))
        seconds.append(knot_sum(np.where(inside[-1], dt, 0.0)))      # batch-invariant
        end.append(ends.max(axis=0, initial=-np.inf, where=inside[-1]))
    any_walk = walking.any(axis=0)
    last_segment = walking.shape[0] - 1 - np.argmax(walking[::-1], axis=0)
    last_knot = np.where(any_walk, last_segment + 1, 0)
    cols = t.shape[1]                      # one flat gather from the (K, S) knot times
    at_knot = np.take(t, last_knot * cols + np.arange(cols))
    found = _Segments(dt, walking, inside, present, seconds, end, last_knot,
                      np.where(any_walk, at_knot, np.nan))
    for a in (dt, walking, *inside, *present, *seconds, *end, found.last_knot, found.last_end):
        a.flags.writeable = False          # shared by every reader of the timeline
    return found
