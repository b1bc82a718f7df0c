"""The cohort's physiological state along a piecewise-linear timeline, in closed form.

Between two knots of the timeline every input (belt velocity, grade, handrail) is constant or
linear in time. The steady-state demand is evaluated at the knots and taken as linear between
them (during a belt ramp the demand moves linearly from its value at one end to the other),
so oxygen uptake and heart rate, both first-order, advance across a whole interval in one
exact step (:func:`retrosim.physiology.oxygen.first_order_ramp`), energy is the exact integral
of a linear rate, and peaks are found where the closed form's derivative vanishes. Traces are
sampled from the same closed form at any resolution; no fixed time step is ever taken.

Arrays are laid out (knot, subject): K knots, N subjects; the timeline's knots are (K, S)
with S = 1 (shared) or N (per subject), and broadcast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from retrosim.model.options import EnergyOptions
from retrosim.model.protocol import Protocol
from retrosim.physiology import energy, heart, hr_drift, oxygen
from retrosim.solve.drift import Drift, peak_of_sum, solve_drift
from retrosim.solve.epoc import SlowEpoc, slow_epoc
from retrosim.solve.hr_phases import HrPhases, merge_phases, solve_phases
from retrosim.solve.parameters import Physiology
from retrosim.solve.relax import exact_peak, interval_tau, relax_at_knots, relax_with_tau
from retrosim.solve.timeline import Timeline, knot_sum

# Physiology (solve/parameters.py), SlowEpoc and slow_epoc (solve/epoc.py) live beside this
# module and are imported from here as before.


@dataclass(frozen=True)
class Trajectory:
    """Knot values of demand and state for every subject, and the closed form between them."""

    timeline: Timeline
    met: np.ndarray           # (K, N) steady-state demand, MET
    vo2_target: np.ndarray    # (K, N) mL kg-1 min-1 (demand, capped at VO2max)
    hr_target: np.ndarray     # (K, N) min-1
    vo2: np.ndarray           # (K, N) mL kg-1 min-1
    hr: np.ndarray            # (K, N) min-1
    energy: np.ndarray        # (K, N) kcal, cumulative
    tau_vo2_s: np.ndarray     # (N,)
    tau_hr_s: np.ndarray      # (N,), or (K, N): the constant of the interval from each knot
    epoc: SlowEpoc | None = None   # EPOC's slow component after each bout (None: none)
    #: Heart rate's two phases, when the kinetics have a slow one (None: hr is one state).
    phases: HrPhases | None = None
    #: Where this trajectory is an earlier one with a few subjects solved again
    #: (:func:`resolve`): per-subject results are read from the two, not from the merged knots.
    patch: Patch | None = field(default=None, repr=False, compare=False)
    #: Heart rate's saturating drift (:mod:`retrosim.solve.drift`; None: none, or the
    #: linear drift already in ``hr_target``); ``hr`` is then its state plus ``drift.heart``.
    drift: Drift | None = None
    #: Exact peaks already found (by name), so a second reader does not search again.
    _peaks: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def summary(self) -> dict[str, np.ndarray]:
        """Per-subject totals and exact peaks, each (N,). The peaks are those of the
        first-order state (during exercise); EPOC's slow part adds to the energy."""
        if self.patch is not None:
            return self.patch.combine(Trajectory.summary)
        tl = self.timeline
        total = self.energy[-1]
        if self.epoc is not None:
            total = total + self.epoc.at(tl.t[-1])[1]
        return {
            "energy_total": total,
            "vo2_peak": self.vo2_peak(),
            "hr_peak": self.hr_peak(),
            "met_mean": _mean_of_linear(tl.t, self.met),
            **_exercise_only(tl, self.met, self.energy),
        }

    def hr_peak(self) -> np.ndarray:
        """Each subject's exact peak heart rate [min-1], (N,) (found once, then kept)."""
        if "hr" not in self._peaks and self.patch is not None:
            self._peaks["hr"] = self.patch.combine(lambda tr: {"hr": tr.hr_peak()})["hr"]
        if "hr" not in self._peaks and self.drift is not None:
            d, ph = self.drift, self.phases
            heart = [(d.heart, self.hr_target, self.tau_hr_s)] if ph is None else [
                (ph.fast, ph.fast_target, ph.tau_fast), (ph.slow, ph.slow_target, ph.tau_slow)]
            self._peaks["hr"] = peak_of_sum(self.timeline.t,
                                            [*heart, (d.state, d.ceiling, d.tau_s)])
        if "hr" not in self._peaks and self.phases is not None:
            self._peaks["hr"] = self.phases.peak(self.timeline.t)
        if "hr" not in self._peaks:
            self._peaks["hr"] = exact_peak(self.timeline.t, self.hr, self.hr_target, self.tau_hr_s)
        return self._peaks["hr"]

    def hr_hull(self) -> np.ndarray:
        """A bound on each subject's heart rate over the whole timeline [min-1], (N,): a
        first-order response never leaves the hull of its start and its targets."""
        bound = np.maximum(self.hr.max(axis=0), self.hr_target.max(axis=0))
        if self.drift is not None:     # plus the drift's exact peak (it is one state)
            d = self.drift
            bound = (np.maximum(d.heart.max(axis=0), self.hr_target.max(axis=0))
                     + exact_peak(self.timeline.t, d.state, d.ceiling, d.tau_s))
        return bound

    def vo2_peak(self) -> np.ndarray:
        """Each subject's exact peak oxygen uptake of the first-order state
        [mL kg-1 min-1], (N,) (found once, then kept)."""
        if "vo2" not in self._peaks and self.patch is not None:
            self._peaks["vo2"] = self.patch.combine(lambda tr: {"vo2": tr.vo2_peak()})["vo2"]
        if "vo2" not in self._peaks:
            self._peaks["vo2"] = exact_peak(self.timeline.t, self.vo2, self.vo2_target,
                                       self.tau_vo2_s)
        return self._peaks["vo2"]

    def sample(self, times: np.ndarray) -> dict[str, np.ndarray]:
        """Traces at ``times`` [s], each (M, N) or (M, 1) for the shared inputs; NaN after the
        end."""
        tl = self.timeline
        times = np.asarray(times, dtype=float)
        inside = (times[:, None] <= tl.t[-1])                        # (M, S)
        j, s, length = tl.locate(times)
        w = np.divide(s, length, out=np.zeros_like(s), where=length > 0)

        # knot j (+ step) of each sample: whole rows on a shared timeline; on per-subject
        # timelines one flat gather from the (K, N) knot arrays (C order)
        flat = j * j.shape[1] + np.arange(j.shape[1]) if j.shape[1] > 1 else None

        def at(knots: np.ndarray, step: int) -> np.ndarray:
            if flat is None:
                return knots[j[:, 0] + step]
            return np.take(knots, flat + step * knots.shape[1])

        def lerp(knots: np.ndarray) -> np.ndarray:
            a0 = at(knots, 0)
            return a0 + (at(knots, 1) - a0) * w

        def relax(state: np.ndarray, target: np.ndarray, tau: np.ndarray) -> np.ndarray:
            u0, u1 = at(target, 0), at(target, 1)
            slope = np.divide(u1 - u0, length, out=np.zeros_like(u1 - u0), where=length > 0)
            tau = at(tau, 0) if tau.ndim == 2 else tau        # per interval (K, N) or (N,)
            return oxygen.first_order_ramp(at(state, 0), u0, slope, s, tau)

        heart = self.hr if self.drift is None else self.drift.heart
        velocity = lerp(tl.velocity)
        direction = np.where(velocity != 0, np.sign(velocity), at(tl.direction, 0))
        traces = {
            "speed": np.abs(velocity), "direction": direction, "grade": lerp(tl.grade),
            "met": lerp(self.met), "energy": lerp(self.energy),
            "vo2": relax(self.vo2, self.vo2_target, self.tau_vo2_s),
            "hr": relax(heart, self.hr_target, self.tau_hr_s) if self.phases is None else
            self.phases.sample(relax),
        }
        if self.drift is not None:
            d = self.drift
            traces["hr"] = traces["hr"] + relax(d.state, d.ceiling, d.tau_s)
        if self.epoc is not None:
            extra_vo2, extra_kcal = self.epoc.at(times[:, None])
            traces["vo2"] = traces["vo2"] + extra_vo2
            traces["energy"] = traces["energy"] + extra_kcal
        return {name: np.where(inside, value, np.nan) for name, value in traces.items()}


@dataclass(frozen=True)
class Patch:
    """A trajectory as an earlier one (``base``, often on the shared timeline) with the
    subjects at positions ``idx`` solved again on timelines of their own (``part``).

    A subject's per-subject results (totals, peaks) are the same bits on her own knots as on
    the merged ones (the repeated last knots add exact zeros, :func:`knot_sum`), so they are
    read from ``base`` for everyone and from ``part`` for the few: no per-subject timeline
    for the whole cohort is walked again.
    """

    idx: np.ndarray
    base: Trajectory
    part: Trajectory

    def combine(self, results: Callable[[Trajectory], dict[str, np.ndarray]]
                ) -> dict[str, np.ndarray]:
        """``results`` (per-subject arrays (N,) by name) of ``base``, with the rows ``idx``
        taken from ``results`` of ``part``."""
        return self.merge(results(self.base), results(self.part))

    def merge(self, base: dict[str, np.ndarray], part: dict[str, np.ndarray]
              ) -> dict[str, np.ndarray]:
        """Per-subject arrays of ``base`` (N,) with the rows ``idx`` from ``part``."""
        out = dict(base)
        for name, value in base.items():
            value = np.array(value, copy=True)
            value[self.idx] = part[name]
            out[name] = value
        return out


def knot_demand(velocity: np.ndarray, grade: np.ndarray, handrail: np.ndarray,
                physiology: Physiology, options: EnergyOptions
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steady-state demand at knots: MET, VO2 and HR targets and the kcal rate [kcal s-1].

    ``velocity`` [m s-1, signed], ``grade`` [-] and ``handrail`` (support code, -1 for each
    subject's own) are knot arrays ``(..., S)`` that broadcast against the subject axis; the
    results are ``(..., N)``. :func:`solve` uses it on a whole timeline, the closed loop
    (:mod:`retrosim.engine.closedloop`) on one row of knots at a time.
    """
    p = physiology
    model = energy.ENERGY_MODELS[options.model]
    met_bare = model(np.abs(velocity), grade, np.where(velocity < 0, -1, 1))
    support = np.where(handrail >= 0, handrail, p.handrail)
    met = energy.apply_handrail(met_bare, support)
    if np.any(p.met_scale != 1.0):                 # a plausible version's model error
        met = 1.0 + (met - 1.0) * p.met_scale
    demand = met * p.vo2_rest
    vo2_target = np.minimum(demand, p.vo2_max)
    hr_target = heart.HR_MODELS[options.heart_rate](
        demand, p.vo2_rest, p.vo2_max, p.hr_rest, p.hr_max, np.where(velocity < 0, -1, 1),
        p.practice_min, excess_scale=p.excess_scale)
    kcal_rate = energy.kcal_per_min(met, p.mass_kg, resting_vo2=p.vo2_rest,
                                    convention=options.convention) / 60.0     # kcal s-1
    return met, vo2_target, hr_target, kcal_rate


def drift_rate(vo2_target: np.ndarray, physiology: Physiology, options: EnergyOptions
               ) -> np.ndarray | None:
    """The rate of heart rate's drift at knots [bpm min-1], like ``vo2_target``, or None
    without a drift model (``[energy] hr_drift``, :mod:`retrosim.physiology.hr_drift`)."""
    model, p = hr_drift.HR_DRIFT_MODELS[options.hr_drift], physiology
    if model.function is hr_drift.none:           # no drift: nothing to evaluate
        return None
    return model(vo2_target / p.vo2_max, p.age_yr, p.female)


def drift_tau_s(options: EnergyOptions) -> float | None:
    """The saturating drift's time constant [s], or None where the drift (if any) is linear
    in the target (``[energy] hr_drift``, :mod:`retrosim.solve.drift`)."""
    model = hr_drift.HR_DRIFT_MODELS[options.hr_drift]
    if model.function is hr_drift.teso_saturating_rate:
        return 60.0 * hr_drift.SATURATING_TAU_MIN
    return None


def solve(timeline: Timeline, physiology: Physiology, options: EnergyOptions) -> Trajectory:
    """Demand at every knot, then the exact state at every knot, for every subject."""
    p = physiology
    distinct = timeline.distinct
    if distinct is None:
        met, vo2_target, hr_target, kcal_rate = knot_demand(
            timeline.velocity, timeline.grade, timeline.handrail, p, options)
    else:                     # the demand at each distinct input, copied to its knots
        first, each = distinct
        met, vo2_target, hr_target, kcal_rate = (a[each] for a in knot_demand(
            timeline.velocity[first], timeline.grade[first], timeline.handrail[first], p,
            options))
    rate, base, drift_tau = drift_rate(vo2_target, p, options), hr_target, drift_tau_s(options)
    if rate is not None and drift_tau is None:
        hr_target = hr_target + hr_drift.drift_at_knots(timeline.t, rate, timeline.velocity != 0)

    vo2 = relax_at_knots(timeline.t, vo2_target, p.vo2_rest, p.tau_vo2_s)
    phases = None if p.tau_hr_slow_s is None else solve_phases(timeline.t, hr_target, p, base)
    if phases is None:
        hr, tau_hr = relax_with_tau(timeline.t, hr_target, p.hr_rest, p.tau_hr_s,
                                    p.tau_hr_off_s)
    else:
        hr, tau_hr = phases.hr, phases.tau_fast
    drift = None
    if rate is not None and drift_tau is not None:
        ceiling = hr_drift.saturating_ceiling(rate, base, p.hr_max, timeline.velocity != 0)
        drift = solve_drift(timeline.t, ceiling, drift_tau, hr)
        hr = hr + drift.state
    kcal = np.empty_like(met)
    kcal[0] = 0.0
    for i in range(met.shape[0] - 1):
        dt = timeline.t[i + 1] - timeline.t[i]
        kcal[i + 1] = kcal[i] + 0.5 * dt * (kcal_rate[i] + kcal_rate[i + 1])
    return Trajectory(timeline, met, vo2_target, hr_target, vo2, hr, kcal,
                      p.tau_vo2_s, tau_hr, slow_epoc(timeline, vo2_target, p, options), phases,
                      drift=drift)


def resolve(previous: Trajectory, timeline: Timeline, changed: np.ndarray,
            physiology: Physiology, options: EnergyOptions,
            part: Trajectory | None = None) -> Trajectory:
    """The trajectory on ``timeline``, solving again only the ``changed`` subjects.

    Every other subject's column of ``timeline`` must be its column of ``previous.timeline``
    with the last knot repeated (as :meth:`Timeline.stop` leaves it): over the repeated,
    zero-length intervals nothing moves, so their knot values are ``previous``'s, the last one
    repeated. Identical to ``solve(timeline, ...)``, at the cost of the changed subjects only
    (EPOC's slow component too, unless the changed subjects' bouts are fewer than before).
    ``part``, when given, is the changed subjects' trajectory already solved.
    """
    idx = np.flatnonzero(changed)
    if idx.size == changed.size:
        return solve(timeline, physiology, options)
    if part is None:
        part = solve(timeline.columns(idx), physiology.subset(idx), options)
    extra = timeline.t.shape[0] - previous.met.shape[0]

    def merge(old: np.ndarray, new: np.ndarray) -> np.ndarray:
        k = old.shape[0]
        out = np.empty((k + extra, old.shape[1]), dtype=old.dtype)
        out[:k] = old
        out[k:] = old[-1]
        out[:, idx] = new
        return out

    met, vo2_target, hr_target, vo2, hr, kcal = (
        merge(getattr(previous, name), getattr(part, name))
        for name in ("met", "vo2_target", "hr_target", "vo2", "hr", "energy"))
    drift = None
    if previous.drift is not None and part.drift is not None:
        old_d, new_d = previous.drift, part.drift
        drift = Drift(merge(old_d.state, new_d.state), merge(old_d.ceiling, new_d.ceiling),
                      old_d.tau_s, merge(old_d.heart, new_d.heart))
    phases = None
    if previous.phases is not None and part.phases is not None:
        phases = merge_phases(previous.phases, part.phases, idx, extra, physiology)
        tau_hr = phases.tau_fast
    else:
        tau_hr = interval_tau(hr if drift is None else drift.heart, hr_target,
                              physiology.tau_hr_s, physiology.tau_hr_off_s)
    old, new = previous.epoc, part.epoc
    if old is None or new is None or new.end_s.shape[0] != old.end_s.shape[0]:
        epoc = slow_epoc(timeline, vo2_target, physiology, options)
    else:                      # the same bouts: the changed subjects' columns are ``part``'s
        end_s, volume, tau = (np.array(getattr(old, name))
                              for name in ("end_s", "volume_ml_kg", "tau_s"))
        end_s[:, idx], volume[:, idx], tau[:, idx] = new.end_s, new.volume_ml_kg, new.tau_s
        epoc = SlowEpoc(end_s, volume, tau, old.tau_fast_s, old.kcal_per_ml_kg)
    # a subject's totals and peaks come from ``previous`` or ``part`` (unless only one has
    # EPOC's slow component, where the merged one is read)
    patch = Patch(idx, previous, part) if (old is None) == (new is None) else None
    return Trajectory(timeline, met, vo2_target, hr_target, vo2, hr, kcal, previous.tau_vo2_s,
                      tau_hr, epoc, phases, patch, drift=drift)


def _exercise_only(tl: Timeline, met: np.ndarray, energy: np.ndarray) -> dict[str, np.ndarray]:
    """Energy [kcal], time-averaged MET and time [s] over the segments where the belt moves
    (rest stages left out): ``energy_exercise``, ``met_mean_exercise``, ``exercise_time``.

    >>> tl = Timeline.shared([0.0, 600.0, 610.0, 2400.0], [1.0, 1.0, 0.0, 0.0], [0.0] * 4,
    ...                      [-1] * 4, [1] * 4)      # 10 min walking, 10 s to stop, rest
    >>> out = _exercise_only(tl, np.array([[4.0], [4.0], [1.0], [1.0]]),
    ...                      np.array([[0.0], [40.0], [40.5], [70.0]]))
    >>> [round(float(out[k][0]), 3) for k in ("energy_exercise", "met_mean_exercise",
    ...                                        "exercise_time")]
    [40.5, 3.975, 610.0]
    """
    t, v = tl.t, np.abs(tl.velocity)
    moving = (v[1:] > 0) | (v[:-1] > 0)                          # (K-1, S)
    dt = np.diff(t, axis=0) * moving
    time = knot_sum(dt)                           # sums in a fixed order: batch-invariant
    work = knot_sum(0.5 * dt * (met[1:] + met[:-1]))
    kcal = knot_sum(np.diff(energy, axis=0) * moving)
    return {"energy_exercise": kcal + np.zeros(met.shape[1]),
            "met_mean_exercise": np.divide(work, time, out=np.full(work.shape, np.nan),
                                           where=time > 0) + np.zeros(met.shape[1]),
            "exercise_time": time + np.zeros(met.shape[1])}


def _mean_of_linear(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Time average of a piecewise-linear quantity over the whole timeline."""
    dt = np.diff(t, axis=0)
    return knot_sum(0.5 * dt * (y[1:] + y[:-1])) / (t[-1] - t[0])


def outside_source(protocol: Protocol, options: EnergyOptions) -> list[tuple[float, str]]:
    """The stages of ``protocol`` that the energy model prices outside its source's conditions,
    as ``(start time [s], text)``: the engine logs each as an ``energy-outside`` event and the
    result keeps them as its ``energy_outside`` attribute (the table prints them). The model
    still answers (its stated fallback, :data:`retrosim.physiology.energy.SOURCE_CONDITIONS`).

    >>> from retrosim.model.protocol import Protocol
    >>> outside_source(Protocol.parse(["walk backward at 2 mph for 5 min"]),
    ...                EnergyOptions(model="compendium-2011"))[0][1][:58]
    "stage 1 'walk backward at 2 mph for 5 min' is outside comp"
    """
    if options.model not in energy.SOURCE_CONDITIONS:
        return []
    text = energy.SOURCE_CONDITIONS[options.model][1]
    out, start = [], 0.0
    for i, stage in enumerate(protocol.stages):
        if energy.outside_source(options.model, stage.speed_mps, stage.grade_frac,
                                 stage.direction).item():
            out.append((start, f"stage {i + 1} '{stage}' is outside {options.model}: {text}; "
                        f"priced by the nearest listed code (the lookup's fallback)"
                        if options.model.startswith("compendium") else
                        f"stage {i + 1} '{stage}' is outside {options.model}: {text}; "
                        "priced by the forward equation (the model's fallback)"))
        start += stage.duration_s
    return out
