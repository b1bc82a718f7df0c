"""When a pressure course first reaches a level while walking: the exercise alarms' search.

:func:`first_crossing` bounds every subject's pressure from above first
(:func:`upper_bound`), so those who cannot reach the level cost one comparison, then finds
each remaining subject's crossing in closed form and by bisection over the walking segments
that can hold it (:class:`_Pairs`). It reads a
:class:`~retrosim.solve.bp_course.PressureCourse` and changes nothing in it but the cache of
its bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrosim.physiology import oxygen
from retrosim.solve.bp_course import PatchedCourse, PressureCourse, shape_after
from retrosim.solve.relax import interior_maximum
from retrosim.solve.timeline import run_of

_BISECTIONS = 64


def first_crossing(course: PressureCourse | PatchedCourse, which: int, level: np.ndarray,
                   strict: bool) -> np.ndarray:
    """First time [s] (N,) the pressure ``which`` (0 SBP, 1 DBP) of ``course`` reaches
    ``level`` (N,) while walking (above it if ``strict``); inf if never. A patched course's
    moved subjects are searched in their own course (:func:`course_crossing`)."""
    if isinstance(course, PatchedCourse):
        out = first_crossing(course.base, which, level, strict).copy()
        out[course.moved] = first_crossing(course.patch, which, np.asarray(level)[course.moved],
                                           strict)
        return out
    return course_crossing(course, which, level, strict)


def course_crossing(course: PressureCourse, which: int, level: np.ndarray,
                    strict: bool) -> np.ndarray:
    """First time [s] (N,) the pressure ``which`` (0 SBP, 1 DBP) reaches ``level`` (N,)
    while walking (above it if ``strict``); inf if never.

    Bounds first, then a search for the few people left:

    1. A first-order response never exceeds the larger of its start and its target, so
       ``rest + max(rise, target)`` at the knots of walking segments bounds the pressure
       (the PEH of earlier bouts only lowers it): subjects who cannot reach the level cost
       one comparison.
    2. For the others each walking segment's highest rise is found in closed form (at an
       end, or at its one interior maximum); a segment below the level is dropped.
    3. Each segment left is tested at its start, its maximum and its end. A crossing lies
       between the segment's start and the end of any segment that reaches the level, so
       only the segments that start no later than the subject's earliest such end are
       searched (almost always one per subject).
    4. The crossing is bracketed by the start and the maximum (or the maximum and the end)
       and found by bisection; a bracket stops once its midpoint is one of its ends
       (adjacent doubles: no further step could move it). The PEH is evaluated only for
       segments after a bout has ended (before, it is exactly zero).
    """
    rest = course.rest[which]
    level = np.broadcast_to(np.asarray(level, dtype=float), rest.shape)
    out = np.full(rest.shape, np.inf)

    def meets(p: np.ndarray, lim: np.ndarray) -> np.ndarray:
        return p > lim if strict else p >= lim

    cols = np.nonzero(meets(rest + upper_bound(course, which), level))[0]
    if cols.size == 0:
        return out
    t = course.timeline.t
    tc = t if t.shape[1] == 1 else t[:, cols]
    x, u = course.rise[which][:, cols], course.target[which][:, cols]
    walking = course.bouts.walking if t.shape[1] == 1 else course.bouts.walking[:, cols]
    length = np.broadcast_to(np.diff(tc, axis=0), (x.shape[0] - 1, cols.size))
    slope = np.divide(np.diff(u, axis=0), length, out=np.zeros_like(length),
                      where=length > 0)
    inner = interior_maximum(x[:-1], u[:-1], slope, length, course.tau_s)
    peak = np.maximum(x[:-1], x[1:])
    has = ~np.isnan(inner)
    peak[has] = np.maximum(peak[has], oxygen.first_order_ramp(
        x[:-1][has], u[:-1][has], slope[has], inner[has], course.tau_s))
    reach = meets(rest[cols] + peak, level[cols]) & walking       # (K-1, n) candidates
    start = np.broadcast_to(tc[:-1], peak.shape)
    # step 3 before any pair is built: a subject's first candidate, when it reaches the level,
    # ends her search no later than its end, so later candidates are left out (those of a
    # subject whose first candidate falls short at the rounding level are added back below)
    first = np.argmax(reach, axis=0)
    cut = start[first, np.arange(cols.size)] + length[first, np.arange(cols.size)]
    early = reach & (start <= cut)
    seg, sub = np.nonzero(early)
    pairs, mid, at_start, at_mid, at_end = _tested(course, which, cols, seg, sub, start,
                                                   length, x, u, slope, has, inner, level,
                                                   meets)
    found = at_start | at_mid | at_end
    reached = np.zeros(cols.size, bool)
    reached[sub[(seg == first[sub]) & found]] = True
    short = reach.any(axis=0) & ~reached
    if short.any():
        seg2, sub2 = np.nonzero(reach & ~early & short)
        more = _tested(course, which, cols, seg2, sub2, start, length, x, u, slope, has,
                       inner, level, meets)
        pairs = pairs.join(more[0])
        mid, at_start, at_mid, at_end = (np.concatenate([a, b]) for a, b in zip(
            (mid, at_start, at_mid, at_end), more[1:], strict=True))
        found = at_start | at_mid | at_end
    lim = level[pairs.subj]
    latest = np.full(rest.shape, np.inf)
    np.minimum.at(latest, pairs.subj[found],
                  np.where(at_start, pairs.a, pairs.a + pairs.span)[found])
    need = found & (pairs.a <= latest[pairs.subj])
    lo = np.where(at_mid & ~at_start, 0.0, mid)
    hi = np.where(at_mid, mid, pairs.span)
    search = np.nonzero(need & ~at_start)[0]
    hi[search] = pairs.take(search).bisect(lo[search], hi[search], lim[search], meets)
    when = np.where(at_start, pairs.a, pairs.a + hi)
    np.minimum.at(out, pairs.subj[need], when[need])
    return out


def _tested(course: PressureCourse, which: int, cols: np.ndarray, seg: np.ndarray,
            sub: np.ndarray, start: np.ndarray, length: np.ndarray, x: np.ndarray,
            u: np.ndarray, slope: np.ndarray, has: np.ndarray, inner: np.ndarray,
            level: np.ndarray, meets) -> tuple[_Pairs, np.ndarray, np.ndarray, np.ndarray,
                                               np.ndarray]:
    """The pairs (segment ``seg``, column ``sub`` of ``cols``), each segment's highest point
    (its interior maximum, else its end) and whether the pressure meets the level at its
    start, there and at its end."""
    pairs = _Pairs(course, which, cols[sub], a=start[seg, sub], span=length[seg, sub],
                   x0=x[seg, sub], u0=u[seg, sub], k=slope[seg, sub])
    mid = np.where(has[seg, sub], inner[seg, sub], pairs.span)
    lim = level[pairs.subj]
    at_start, at_mid, at_end = (meets(pairs.f(s), lim)
                                for s in (np.zeros_like(pairs.a), mid, pairs.span))
    return pairs, mid, at_start, at_mid, at_end


def upper_bound(course: PressureCourse, which: int) -> np.ndarray:
    """An upper bound of each subject's pressor rise while walking (N,), -inf if they
    never walk: the largest rise or target at a knot of a walking segment."""
    if which not in course.peak_cache:
        w = course.bouts.walking
        none = np.zeros((1, w.shape[1]), bool)
        touch = np.vstack([w, none]) | np.vstack([none, w])            # (K, S)
        x, u = course.rise[which], course.target[which]
        if not any(x.strides) and not any(u.strides):                   # no rise at all
            top = np.where(touch.any(axis=0), float(x.flat[0]), -np.inf)
        elif touch.shape[1] == 1 and touch.any():     # shared knots: the rows walked only
            rows = slice(None) if touch.all() else run_of(np.flatnonzero(touch[:, 0]))
            top = np.maximum(x[rows], u[rows]).max(axis=0)
        else:
            top = np.where(touch, np.maximum(x, u), -np.inf).max(axis=0)
        course.peak_cache[which] = np.broadcast_to(top, (course.rest.shape[1],))
    return course.peak_cache[which]


@dataclass
class _Pairs:
    """Walking segments of some subjects, one (segment, subject) pair each, on which the
    pressure ``which`` (0 SBP, 1 DBP) of a course is searched for a level."""

    course: PressureCourse
    which: int
    subj: np.ndarray          # (P,) subject of each pair
    a: np.ndarray             # (P,) segment start [s]
    span: np.ndarray          # (P,) segment length [s]
    x0: np.ndarray            # (P,) pressor rise at the start [mmHg]
    u0: np.ndarray            # (P,) its target at the start [mmHg]
    k: np.ndarray             # (P,) the target's slope [mmHg s-1]

    def __post_init__(self) -> None:
        c = self.course
        self.base = c.rest[self.which][self.subj]
        end = c.bouts.end_s[:, self.subj]                                     # (B, P)
        with np.errstate(invalid="ignore"):
            late = (self.a + self.span > end).any(axis=0)
        self.late = np.nonzero(late)[0]
        self.end = end[:, self.late]
        self.drop = c.drop[self.which][:, self.subj[self.late]]
        self.recovery, self.onset = c.constants(self.subj[self.late])

        # the parts of the rise's closed form (oxygen.first_order_ramp) that do not move
        # with time, in its order of operations: the same bits at a fraction of the work
        self.lag = self.k * c.tau_s
        self.gap = self.x0 - self.u0 + self.lag

    def take(self, idx: np.ndarray) -> _Pairs:
        """The pairs ``idx`` alone."""
        return _Pairs(self.course, self.which, self.subj[idx], self.a[idx], self.span[idx],
                      self.x0[idx], self.u0[idx], self.k[idx])

    def join(self, other: _Pairs) -> _Pairs:
        """These pairs, then ``other``'s (of the same course and pressure)."""
        return _Pairs(self.course, self.which, *(
            np.concatenate([getattr(self, name), getattr(other, name)])
            for name in ("subj", "a", "span", "x0", "u0", "k")))

    def f(self, s: np.ndarray) -> np.ndarray:
        """The pressure ``s`` (P,) seconds into each segment [mmHg]: the resting value plus
        the rise (:func:`retrosim.physiology.oxygen.first_order_ramp`), less the PEH."""
        c = self.course
        value = self.base + (self.u0 + self.k * s - self.lag
                             + self.gap * np.exp(-s / c.tau_s))
        if self.late.size == 0:
            return value
        # the PEH of the bouts already ended: exactly zero unless a bout ended before the
        # segment's end (its shape is 0 up to the bout's end)
        times = self.a[self.late] + s[self.late]
        drop = np.zeros(self.late.size)
        for b in range(self.end.shape[0]):
            shape = shape_after(times - self.end[b], c.model, self.recovery, self.onset)
            np.maximum(drop, self.drop[b] * shape, out=drop)
        value[self.late] = value[self.late] - drop
        return value

    def bisect(self, lo: np.ndarray, hi: np.ndarray, lim: np.ndarray, meets) -> np.ndarray:
        """The end ``hi`` of each bracket [lo, hi] (P,) after :data:`_BISECTIONS` halvings
        that keep ``meets(f(hi), lim)`` true and ``meets(f(lo), lim)`` false.

        A bracket whose midpoint rounds to one of its ends (adjacent doubles) cannot move
        again (the end it rounds to keeps its answer), so such brackets are set aside, and the
        others gathered, whenever a quarter of those left have stopped (looked at every
        fourth step: until then a stopped bracket stays as it is).
        """
        out = hi.copy()
        rows = np.arange(hi.size)
        pairs = self
        for step in range(_BISECTIONS):
            m = 0.5 * (lo + hi)
            moves = (m != lo) & (m != hi) if step % 4 == 0 else None
            if moves is not None and not moves.all() and \
                    4 * np.count_nonzero(~moves) >= moves.size:
                out[rows[~moves]] = hi[~moves]
                rows, lo, hi, lim, m = rows[moves], lo[moves], hi[moves], lim[moves], m[moves]
                pairs = pairs.take(np.nonzero(moves)[0])
            if rows.size == 0:
                break
            up = meets(pairs.f(m), lim)
            hi = np.where(up, m, hi)
            lo = np.where(up, lo, m)
        out[rows] = hi
        return out
