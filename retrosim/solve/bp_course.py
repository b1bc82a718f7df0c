"""Blood pressure along a session, in closed form, for every subject at once.

Pressure is the resting value, plus a pressor rise that follows the metabolic demand with
first-order kinetics, minus the post-exercise hypotension (PEH) of the bouts already ended::

    P(t) = P_rest + rise(t) - max_b drop_b shape(t - end_b)

The rise's target is ``pressure.pressor_rise(MET)``, linear between the timeline's knots, so
the rise advances exactly from knot to knot (``oxygen.first_order_ramp``), as VO2 and heart rate
do. A bout is a stretch of walking; rests shorter than
:data:`~retrosim.solve.bouts.BOUT_GAP_S` belong to it (an interval session is one bout). Each
bout's PEH is a closed-form function of the time since it ended
(:mod:`retrosim.physiology.hypotension`); after several bouts the deepest drop applies.
A day of rest after a session is one segment of the timeline: its cost does not grow with
its length.

Arrays: knots (K, S) from the timeline, S = 1 (shared) or N; subjects N; bouts B; the two
pressures stacked first (0 systolic, 1 diastolic).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from retrosim.model.people import Cohort
from retrosim.physiology import hypotension, oxygen, peh_course, pressure
from retrosim.solve.bouts import Bouts, find_bouts
from retrosim.solve.relax import relax_at_knots
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import Physiology, Trajectory


class Walked(Protocol):
    """What a pressure course reads of a session: its people, inputs and physiology (an
    engine :class:`~retrosim.engine.session.Session` is one)."""

    cohort: Cohort
    timeline: Timeline
    physiology: Physiology
    trajectory: Trajectory



def pressor_knots(timeline: Timeline, target: np.ndarray, tau_s: float) -> np.ndarray:
    """The pressor rise at every knot (K, N), from rest at t = 0, exact between knots."""
    if not target.any():
        return np.zeros_like(target)
    return relax_at_knots(timeline.t, target, 0.0, tau_s)


def shape_after(since_end_s: np.ndarray, model: hypotension.PehModel,
                recovery_s: ArrayLike | None, onset_s: ArrayLike | None) -> np.ndarray:
    """:func:`~retrosim.physiology.peh_course.peh_shape` ``since_end_s`` seconds after a
    bout's end, 0 where there is no such bout (NaN: the bout's end is NaN).

    >>> p = hypotension.PEH
    >>> shape_after(np.array([np.nan, 900.0]), p, p.recovery_tau_s, p.onset_tau_s)
    array([0., 1.])
    """
    known = np.isfinite(since_end_s)
    return np.where(known, peh_course.peh_shape(np.where(known, since_end_s, -1.0), model,
                                                recovery_s, onset_s), 0.0)


@dataclass
class PressureCourse:
    """Systolic and diastolic pressure of every subject along one arm's timeline."""

    timeline: Timeline
    rest: np.ndarray          # (2, N) resting SBP, DBP [mmHg]
    target: tuple             # 2 x (K, N) steady-state pressor rise at the knots [mmHg]
    rise: tuple               # 2 x (K, N) pressor rise at the knots [mmHg]
    bouts: Bouts
    drop: np.ndarray          # (2, B, N) PEH at the nadir after each bout [mmHg]
    tau_s: float
    model: hypotension.PehModel = hypotension.PEH
    recovery_s: np.ndarray | None = None   # (N,) each subject's PEH recovery constant [s]
    onset_s: np.ndarray | None = None      # (N,) and onset constant; None: the model's
    _cache: tuple = field(default=(), repr=False)
    peak_cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, session: Walked, per_met_mmhg: tuple[float, float] = (
            pressure.SBP_PER_MET_MMHG, pressure.DBP_PER_MET_MMHG),
            model: hypotension.PehModel = hypotension.PEH) -> PressureCourse:
        """The course of a session's pressures (its timeline as it stands)."""
        rest, person = resting_and_person(session, model)
        return cls.build(session.timeline, session.trajectory.met, rest, person, per_met_mmhg,
                         model, vo2max_met=vo2max_in_met(session),
                         age_yr=session.cohort.age_yr)

    @classmethod
    def build(cls, timeline: Timeline, met: np.ndarray, rest: np.ndarray, person: np.ndarray,
              per_met_mmhg: tuple[float, float],
              model: hypotension.PehModel = hypotension.PEH,
              vo2max_met: np.ndarray | None = None,
              targets: tuple[np.ndarray, np.ndarray] | None = None,
              age_yr: np.ndarray | None = None) -> PressureCourse:
        """From knots (K, S), demand ``met`` (K, N), resting pressures (2, N), each
        person's relative PEH (N,) (``hypotension.person_factor``) and VO2max in MET (N,)
        (:func:`vo2max_in_met`; the PEH dose follows the bout's relative intensity).
        ``targets``, when given, are the steady-state SBP and DBP rises at the knots (K, N)
        of another pressor model (:mod:`retrosim.physiology.exercise_pressure`); else the
        rise is ``per_met_mmhg`` per MET. ``age_yr`` (N,) sets each person's PEH recovery
        with the resting SBP when the model's tail is not "fixed"
        (:func:`retrosim.physiology.peh_course.recovery_tau`)."""
        flat = np.broadcast_to(0.0, met.shape)              # no rise: a view, no memory
        if targets is not None:
            target = tuple(u if u.any() else flat for u in targets)
            rise = tuple(pressor_knots(timeline, u, pressure.BP_TAU_S) if u.any() else flat
                         for u in targets)
        else:
            target = tuple(pressure.pressor_rise(met, p) if p else flat for p in per_met_mmhg)
            rise = tuple(pressor_knots(timeline, u, pressure.BP_TAU_S) if p else flat
                         for u, p in zip(target, per_met_mmhg, strict=True))
        bouts = find_bouts(timeline, met)
        drop = np.stack(hypotension.peh_drop_at_nadir(rest[0], rest[1], bouts.met,
                                                      bouts.walking_s, person, model,
                                                      vo2max_met=vo2max_met))
        recovery = onset = None
        if model.tail != "fixed":
            if age_yr is None:
                raise ValueError(f"the PEH tail {model.tail!r} needs each person's age")
            recovery = peh_course.recovery_tau(age_yr, rest[0], model)
            onset = hypotension.onset_tau_for_nadir(model.nadir_s, recovery)
        return cls(timeline, rest, target, rise, bouts, np.nan_to_num(drop), pressure.BP_TAU_S,
                   model, recovery, onset)

    def constants(self, subjects: np.ndarray | slice = slice(None)
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The PEH recovery and onset constants [s] of ``subjects`` (None: the model's)."""
        if self.recovery_s is None or self.onset_s is None:
            return None, None
        return self.recovery_s[subjects], self.onset_s[subjects]

    @property
    def last_end_s(self) -> np.ndarray:
        """End of each subject's last bout [s] (N,), NaN if they never walked."""
        return self.bouts.last_end_s

    def peh(self, times: np.ndarray, subjects: np.ndarray | slice = slice(None)) -> np.ndarray:
        """PEH drop (2, M, n) [mmHg] at ``times`` (M,) or (M, n) for the given subjects."""
        t = np.asarray(times, dtype=float)
        t = t[:, None] if t.ndim == 1 else t
        end = self.bouts.end_s[:, subjects]
        drop = self.drop[:, :, subjects]
        recovery, onset = self.constants(subjects)
        out = np.zeros((2, *np.broadcast_shapes(t.shape, (1, end.shape[1]))))
        for b in range(end.shape[0]):
            shape = shape_after(t - end[b], self.model, recovery, onset)
            np.maximum(out, drop[:, b, None, :] * shape, out=out)
        return out

    def sample(self, times: np.ndarray) -> np.ndarray:
        """SBP and DBP (2, M, N) [mmHg] at ``times`` (M,); NaN after the arm's end."""
        if self._cache and self._cache[0] is times:
            return self._cache[1]
        tl = self.timeline
        t = np.asarray(times, dtype=float)
        j, s, length = tl.locate(t)
        n = self.rest.shape[1]

        def at(knots: np.ndarray, jj: np.ndarray) -> np.ndarray:
            return np.take_along_axis(knots, np.broadcast_to(jj, (jj.shape[0], n)), axis=0)

        out = np.empty((2, t.size, n))
        for p in range(2):
            u0, u1 = at(self.target[p], j), at(self.target[p], j + 1)
            slope = np.divide(u1 - u0, length, out=np.zeros_like(u1 - u0), where=length > 0)
            out[p] = self.rest[p] + oxygen.first_order_ramp(at(self.rise[p], j), u0, slope, s,
                                                            self.tau_s)
        out -= self.peh(t)
        out = np.where((t[:, None] <= tl.t[-1])[None], out, np.nan)
        self._cache = (times, out)
        return out

    def at_rest_after(self, times: np.ndarray) -> np.ndarray:
        """SBP and DBP (2, R, N) at per-subject ``times`` (R, N) no earlier than the last bout's
        end (or any time, for a subject who never walked): the rise decays to zero, exactly."""
        e, rise_end = self._at_last_end
        decay = np.exp(-np.maximum(times - e, 0.0) / self.tau_s)
        return self.rest[:, None, :] + rise_end * decay[None] - self.peh(times)

    @functools.cached_property
    def _at_last_end(self) -> tuple[np.ndarray, np.ndarray]:
        """The end of each subject's last bout (N,) (0 if none) and the rises then (2, 1, N),
        found once for every reading after exercise."""
        knot = self.bouts.last_knot[None, :]
        last = self.bouts.last_end_s                            # a time or NaN
        return (np.where(np.isnan(last), 0.0, last),
                np.stack([np.take_along_axis(r, knot, axis=0) for r in self.rise]))

    def nadir(self) -> tuple[np.ndarray, np.ndarray]:
        """The deepest point of the PEH after the last bout: pressures (2, N) and times (2, N).

        Each bout's drop peaks ``nadir_s`` after it ends, or is falling by the last bout's end;
        the deepest of these candidates wins. Subjects who never walked: rest, NaN.
        """
        end, last = self.bouts.end_s, self.bouts.last_end_s
        n = self.rest.shape[1]
        if end.shape[0] == 0:
            return self.rest.copy(), np.full((2, n), np.nan)
        when = np.maximum(end + self.model.nadir_s, last)                 # (B, N)
        depth = self.drop * shape_after(when - end, self.model, *self.constants())
        best = np.argmax(depth, axis=1)                                   # (2, N)
        times = np.take_along_axis(np.broadcast_to(when, depth.shape), best[:, None], 1)[:, 0]
        both = self.at_rest_after(times)           # (2, 2, N): each pressure at each time
        values = np.stack([both[p, p] for p in range(2)])
        walked = np.isfinite(last)
        return np.where(walked, values, self.rest), np.where(walked, times, np.nan)


def resting_and_person(session: Walked, model: hypotension.PehModel = hypotension.PEH
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Resting SBP and DBP (2, N) [mmHg] and each person's relative PEH (N,) from the cohort:
    sex, age, BMI (mass over height squared) and antihypertensive medication."""
    c = session.cohort
    bmi = c.mass_kg / (c.height_cm / 100.0) ** 2
    medication = np.zeros(c.size, bool) if c.bp_medication is None else c.bp_medication
    person = hypotension.person_factor(c.female, c.age_yr, bmi, medication, model)
    return np.stack([c.sbp_rest, c.dbp_rest]), person * session.physiology.peh_scale


def vo2max_in_met(session: Walked) -> np.ndarray:
    """Each subject's VO2max in MET of their resting VO2 (N,): the scale on which a bout's
    mean MET is a relative intensity (``hypotension.relative_dose_response``)."""
    p = session.physiology
    return p.vo2_max / p.vo2_rest


def columns(timeline: Timeline, subjects: np.ndarray) -> Timeline:
    """The timeline of some subjects (a shared timeline is everyone's)."""
    if timeline.t.shape[1] == 1:
        return timeline
    return Timeline(**{f.name: getattr(timeline, f.name)[:, subjects]
                       for f in dataclasses.fields(timeline)})


@dataclass
class PatchedCourse:
    """A course in which some subjects (``moved``) follow a course of their own.

    After the engine stops some subjects, their timelines change and the rest keep the course
    computed during exercise: only the stopped subjects' course is computed again.
    """

    base: PressureCourse
    moved: np.ndarray
    patch: PressureCourse

    @property
    def last_end_s(self) -> np.ndarray:
        out = self.base.last_end_s.copy()
        out[self.moved] = self.patch.last_end_s
        return out

    def sample(self, times: np.ndarray) -> np.ndarray:
        out = self.base.sample(times).copy()
        out[:, :, self.moved] = self.patch.sample(times)
        return out

    def at_rest_after(self, times: np.ndarray) -> np.ndarray:
        out = self.base.at_rest_after(times)
        out[:, :, self.moved] = self.patch.at_rest_after(times[:, self.moved])
        return out

    def nadir(self) -> tuple[np.ndarray, np.ndarray]:
        values, times = self.base.nadir()
        values[:, self.moved], times[:, self.moved] = self.patch.nadir()
        return values, times
