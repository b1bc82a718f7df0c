"""One arm's session for the whole cohort: its inputs, its physiology, its events.

The engine builds a :class:`Session` per arm and hands it to the per-subject event models in
turn (falls, blood-pressure alarms, ...). A model reads the timeline and the closed-form
trajectory, logs its events with the subjects they apply to, adds its per-subject summaries
and traces, and may propose that a subject's session stop at some time (a fall, an e-stop, a
stop criterion). :meth:`Session.apply_stops` then splices each subject's earliest stop into
their own timeline, drops what was logged for them after it, and solves the physiology again.
Models that describe the aftermath (recovery, readings) run after that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from retrosim.model.people import Cohort
from retrosim.model.scenario import Arm, Scenario
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import Patch, Physiology, Trajectory, resolve, solve

ALL = -1   # the subject index of an event that applies to every subject


@dataclass(frozen=True)
class StopKind:
    """Why a session may stop, declared once by what stops it.

    name : the kind proposed (:meth:`Session.propose_stop`) and logged, and its word in the
        result's ``stop_reason`` (CF ``flag_meanings``).
    code : its value in ``stop_reason`` (CF ``flag_values``).
    meaning : what it means, in words.
    """

    name: str
    code: int
    meaning: str


#: Every stop kind by name, each registered (:func:`register_stop`) by the model that raises
#: it: the engine ("completed", "estop", "other"), the blood-pressure model ("bp-...").
STOPS: dict[str, StopKind] = {}


def register_stop(name: str, code: int, meaning: str) -> str:
    """Declare the stop kind ``name`` with the ``stop_reason`` value ``code``; returns
    ``name`` (what the model proposes). A name or a code declared again otherwise is a
    ValueError.

    >>> register_stop("estop", 1, STOPS["estop"].meaning)
    'estop'
    >>> register_stop("tired", 1, "the walker gave up")
    Traceback (most recent call last):
    ...
    ValueError: stop kind 'tired' (code 1) clashes with 'estop' (code 1)
    """
    kind = StopKind(name, code, meaning)
    for other in STOPS.values():
        if (other.name == name or other.code == code) and other != kind:
            raise ValueError(f"stop kind {name!r} (code {code}) clashes with {other.name!r} "
                             f"(code {other.code})")
    STOPS[name] = kind
    return name


def stop_kinds() -> tuple[StopKind, ...]:
    """Every stop kind registered, in the order of their codes."""
    return tuple(sorted(STOPS.values(), key=lambda k: k.code))


COMPLETED = register_stop("completed", 0, "the protocol ran to its end")
ESTOP = register_stop("estop", 1, "an emergency stop: the tether pulled after a stumble or a "
                      "fall, or the safety key or the supervisor in a controlled arm")
OTHER = register_stop("other", 4, "a stop some other event model proposed")


class SessionModel(Protocol):
    """What the engine needs of an event model (:class:`retrosim.events.base.EventModel`)."""

    @property
    def during(self) -> Callable[[Session], None] | None: ...

    @property
    def after(self) -> Callable[[Session], None] | None: ...


@dataclass
class EventLog:
    """What happened, column by column: time [s], subject (-1: all), kind, detail."""

    _times: list[np.ndarray] = field(default_factory=list)
    _subjects: list[np.ndarray] = field(default_factory=list)
    _kinds: list[np.ndarray] = field(default_factory=list)
    _details: list[np.ndarray] = field(default_factory=list)

    def add(self, time_s: float, kind: str, detail: str, subject: int = ALL) -> None:
        """One event."""
        self.add_many(np.array([time_s]), np.array([subject]), kind, detail)

    def add_many(self, times: np.ndarray, subjects: np.ndarray, kind: str,
                 detail: str | np.ndarray) -> None:
        """Many events of one kind (``subjects`` are positions in the cohort, or -1)."""
        times = np.asarray(times, dtype=float).ravel()
        self._times.append(times)
        self._subjects.append(np.broadcast_to(np.asarray(subjects, dtype=np.int64),
                                              times.shape).copy())
        self._kinds.append(np.full(times.shape, kind, dtype=object))
        self._details.append(np.broadcast_to(np.asarray(detail, dtype=object),
                                             times.shape).copy())

    def copy(self) -> EventLog:
        """A log that later events and drops leave this one untouched by."""
        return EventLog(*(list(c) for c in (self._times, self._subjects, self._kinds,
                                            self._details)))

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All events ordered by time (ties keep the order they were logged in)."""
        if not self._times:
            return np.empty(0), np.empty(0, np.int64), np.empty(0, object), np.empty(0, object)
        cols = [np.concatenate(c) for c in (self._times, self._subjects, self._kinds,
                                            self._details)]
        order = np.argsort(cols[0], kind="stable")
        return tuple(c[order] for c in cols)          # type: ignore[return-value]

    def unordered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every event's time, subject and kind in the order they were logged: for readers
        that count or flag per subject, to whom the order by time does not matter."""
        if not self._times:
            return np.empty(0), np.empty(0, np.int64), np.empty(0, object)
        return (np.concatenate(self._times), np.concatenate(self._subjects),
                np.concatenate(self._kinds))

    def drop_after(self, t_stop: np.ndarray) -> None:
        """Forget each subject's events after their stop time (shared events stay)."""
        for i, (times, subjects) in enumerate(zip(self._times, self._subjects, strict=True)):
            keep = (subjects < 0) | (times <= t_stop[np.maximum(subjects, 0)])
            if not keep.all():
                for col in (self._times, self._subjects, self._kinds, self._details):
                    col[i] = col[i][keep]


@dataclass
class Session:
    """The state of one arm's run that event models read and extend."""

    arm: Arm
    scenario: Scenario
    cohort: Cohort
    seed: int
    timeline: Timeline
    physiology: Physiology
    trajectory: Trajectory
    log: EventLog
    summary: dict[str, np.ndarray] = field(default_factory=dict)
    traces: dict[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)
    #: Per-subject results along a dimension of their own (a few readings each, say):
    #: name -> (dimension, (N, R) array); the Dataset pads shorter arms (NaN, False or -1).
    series: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)
    #: What an event model keeps between its hooks (by model name): a course built during
    #: the session and reused after it, say.
    memo: dict[str, Any] = field(default_factory=dict)
    t_stop: np.ndarray = field(init=False)
    stop_kind: np.ndarray = field(init=False)
    #: The stopped subjects solved again apart from the rest (:meth:`apply_stops`), or None.
    patch: Patch | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.t_stop = np.full(self.cohort.size, np.inf)
        self.stop_kind = np.full(self.cohort.size, "", dtype=object)

    @property
    def size(self) -> int:
        return self.cohort.size

    def propose_stop(self, subjects: np.ndarray, times: np.ndarray, kind: str) -> None:
        """Ask that these subjects' sessions stop at these times (the earliest stop wins)."""
        subjects = np.asarray(subjects, dtype=np.int64)
        times = np.broadcast_to(np.asarray(times, dtype=float), subjects.shape)
        earlier = times < self.t_stop[subjects]
        self.t_stop[subjects[earlier]] = times[earlier]
        self.stop_kind[subjects[earlier]] = kind

    def apply_stops(self, decel_mps2: float) -> None:
        """Splice every proposed stop into its subject's timeline and solve again.

        Where some but not all subjects stop, only theirs are solved again at once
        (:attr:`patch`); everyone's knots (:attr:`timeline`, :attr:`trajectory`, each
        subject's own) are spliced the first time they are read. Readers that know the
        patch (the totals, the pressure course, the guidance check, a programme's load) never
        need them.
        """
        stopped = np.isfinite(self.t_stop)
        if not stopped.any():
            return
        self.log.drop_after(self.t_stop)
        timeline, previous = self.timeline, self.trajectory
        changed = self.t_stop < timeline.duration_s
        idx = np.flatnonzero(changed)
        part = None
        if 0 < idx.size < changed.size:
            part = solve(timeline.stopped(idx, self.t_stop, decel_mps2),
                         self.physiology.subset(idx), self.scenario.energy)
            if (previous.epoc is None) == (part.epoc is None):
                self.patch = Patch(idx, previous, part)
                self.__dict__["_splice"] = (decel_mps2, self.t_stop.copy())
                return
        self.timeline = timeline.stop(self.t_stop, decel_mps2)
        self.trajectory = resolve(previous, self.timeline, changed, self.physiology,
                                  self.scenario.energy, part)

    def _spliced(self) -> None:
        """Everyone's knots with the stops kept in :attr:`patch` spliced in (as
        :meth:`apply_stops` would have made them at once)."""
        decel, t_stop = self.__dict__.pop("_splice")
        assert self.patch is not None
        changed = np.zeros(self.size, dtype=bool)
        changed[self.patch.idx] = True
        timeline = self.__dict__["timeline"].stop(t_stop, decel)
        self.__dict__["timeline"] = timeline
        self.__dict__["trajectory"] = resolve(self.patch.base, timeline, changed,
                                              self.physiology, self.scenario.energy,
                                              self.patch.part)

    def trajectory_summary(self) -> dict[str, np.ndarray]:
        """Per-subject totals and exact peaks of the final trajectory
        (:meth:`~retrosim.solve.trajectory.Trajectory.summary`), from the patch if there is
        one."""
        if self.patch is not None:
            return self.patch.combine(Trajectory.summary)
        return self.trajectory.summary()

    @property
    def duration_s(self) -> float:
        """The session's length [s], its last knot: a stop keeps it, so no stop need be
        spliced in to read it."""
        return float(self.__dict__["timeline"].duration_s)

    def stop_reasons(self) -> np.ndarray:
        """Each subject's stop code (int8, :data:`STOPS`): the stop that was spliced in, an
        emergency stop the closed loop logged for them, or 0 (the protocol ran to its end)."""
        codes = np.full(self.size, STOPS[COMPLETED].code, dtype=np.int8)
        _, subjects, kinds = self.log.unordered()
        codes[subjects[(subjects >= 0) & (kinds == ESTOP)]] = STOPS[ESTOP].code
        end = self.duration_s
        stopped = np.flatnonzero(self.t_stop < end)
        codes[stopped] = [STOPS.get(k, STOPS[OTHER]).code for k in self.stop_kind[stopped]]
        return codes


def _knots(name: str) -> property:
    """A session's knots ``name``: stored as they are given, read with the stops spliced in
    (:meth:`Session.apply_stops` may keep them apart until then)."""
    def get(session: Session) -> Any:
        if "_splice" in session.__dict__:
            session._spliced()
        return session.__dict__[name]

    def put(session: Session, value: Any) -> None:
        session.__dict__[name] = value
    return property(get, put, doc=f"The session's {name}, every stop spliced in.")


Session.timeline = _knots("timeline")          # type: ignore[assignment]
Session.trajectory = _knots("trajectory")      # type: ignore[assignment]
