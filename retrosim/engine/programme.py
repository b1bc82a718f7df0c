"""The programme calendar: sessions over weeks on one SimPy clock, state carried between them.

The clock counts days. Every arm is a process that waits for its next session day, runs the
single-session engine (:func:`retrosim.engine.simulate.run_arm`) for the whole cohort at once
with that morning's state (VO2max, resting HR and pressure, Berg score, backward practice),
and folds the session into each person's state (:mod:`retrosim.physiology.training`). Between
sessions the state relaxes in closed form, so the mornings in between are sampled from it
exactly, never stepped: a 36-session programme is 36 session events and one end event per
arm. A fall is an event of the programme: it is logged, and ``[program] on_fall`` says whether
that person goes on, pauses for ``pause_days`` or stops. Simultaneous events keep SimPy's order
(arms in scenario order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from retrosim import randomness
from retrosim.engine.session import Session, SessionModel
from retrosim.engine.simulate import run_arm
from retrosim.errors import InputError
from retrosim.model import budget
from retrosim.model.people import Cohort
from retrosim.model.program import Program
from retrosim.model.scenario import Arm, Scenario
from retrosim.physiology import balance, courses, dose_response, oxygen, training
from retrosim.physiology.courses import Course
from retrosim.solve.timeline import knot_sum
from retrosim.solve.trajectory import Trajectory

#: Daily state variables, in the order of the Dataset.
DAILY = ("vo2max", "hr_rest", "sbp_rest", "dbp_rest", "berg", "backward_practice")
#: Session outcomes every programme keeps (others the session models add are kept too).
SESSION_EXTRA = ("attended", "backward_min", "reserve_min", "impulse", "hr_rest_used",
                 "vo2max_used")
#: A programme model's impulse per minute at a fraction of the reserve (:attr:`Course.weight`).
Weight = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: Per-session outcomes a programme keeps per person (an upper bound, for the memory check).
SESSION_FIELDS = 32


@dataclass
class ArmProgramme:
    """One arm's programme for the cohort: daily state (N, D) and per-session outcomes
    (N, S), with the programme's own event log (day, position in the cohort, kind, detail).

    The daily state is sampled from the closed form and kept in 32 bits; a session's outcomes
    are kept as the session gives them (64-bit floats, booleans; counts and categories as
    64-bit floats, NaN where the person did not attend), so that each equals the plain
    session run's value bit for bit.
    """

    arm: Arm
    cohort: Cohort
    days: np.ndarray
    session_day: np.ndarray
    session_protocol: list[str]
    daily: dict[str, np.ndarray]
    sessions: dict[str, np.ndarray]
    log: list[tuple[np.ndarray, np.ndarray, str, str]] = field(default_factory=list)


@dataclass
class _People:
    """Each person's baseline and the anchors of their state (as after their last session),
    moved by the programme model ``course`` (:mod:`retrosim.physiology.courses`)."""

    course: Course
    base: dict[str, np.ndarray]
    anchor: dict[str, np.ndarray]
    t_anchor: np.ndarray

    @classmethod
    def of(cls, cohort: Cohort, seed: int, model: str) -> _People:
        sedentary = oxygen.wasserman_vo2max(cohort.mass_kg, cohort.age_yr, cohort.female)
        vo2max0 = np.where(np.isnan(cohort.vo2max_ml_kg_min), sedentary,
                           cohort.vo2max_ml_kg_min)
        berg0 = balance.effective_berg(cohort.balance, cohort.berg, _given(cohort.tug_s),
                                       _given(cohort.backward_speed_mps))
        u = randomness.exponential(seed, randomness.key("training", "responsiveness"),
                                   cohort.index, 8)
        response = np.where(np.isnan(cohort.responsiveness), training.responsiveness(u),
                            cohort.responsiveness)
        held = cohort.fitness == oxygen.FITNESS_LEVELS.index("trained")
        base = {"vo2max0": vo2max0, "sedentary": sedentary, "held": held,
                "age": cohort.age_yr.astype(float), "female": cohort.female.astype(bool),
                "hr_rest0": cohort.hr_rest_bpm.astype(float),
                "sbp0": cohort.sbp_rest.astype(float), "dbp0": cohort.dbp_rest.astype(float),
                "berg0": berg0, "response": response}
        course = courses.course(model)
        anchor = {k: np.array(v, dtype=float) for k, v in course.start(base).items()}
        return cls(course, base, anchor, np.zeros(cohort.size))

    def state(self, day: float, rows: slice | np.ndarray = slice(None)
              ) -> dict[str, np.ndarray]:
        """The morning state on ``day`` (before any session that day), in closed form."""
        return self.course.morning({k: v[rows] for k, v in self.base.items()},
                                   {k: v[rows] for k, v in self.anchor.items()},
                                   day - self.t_anchor[rows])

    def mornings(self, days: np.ndarray) -> dict[str, np.ndarray]:
        """Everyone's morning state on each of ``days`` (D,) at once, each (D, N) (or (N,)
        where it does not move with time): the closed form is element by element, so row d
        is :meth:`state` of ``days[d]``, bit for bit."""
        return self.course.morning(self.base, self.anchor,
                                   days[:, None] - self.t_anchor[None, :])

    def train(self, rows: slice | np.ndarray, day: float, state: dict[str, np.ndarray],
              load: dict[str, np.ndarray]) -> None:
        """Fold the session with ``load`` of the people at ``rows`` into their anchors."""
        new = self.course.after({k: v[rows] for k, v in self.base.items()}, state, load)
        for k, v in new.items():
            self.anchor[k][rows] = v
        self.t_anchor[rows] = day


def _given(value: np.ndarray | None) -> np.ndarray | float:
    """An optional measurement: NaN (not measured) when absent."""
    return np.nan if value is None else value


def session_seed(seed: int, number: int) -> int:
    """The seed of a programme's session ``number``: the first session's is the scenario seed
    itself, so that its random events (falls, stumbles, pressure readings) are those of the
    plain session run of the same seed; each later session has its own streams, derived from
    the scenario seed alone (so the same for any batch or chunk).

    >>> session_seed(7, 0), session_seed(7, 1) == session_seed(7, 1) != session_seed(7, 2)
    (7, True)
    """
    if number == 0:
        return seed
    state = np.random.SeedSequence(seed, spawn_key=(*randomness.key("programme"), number))
    return int(state.generate_state(1, np.uint64)[0] >> np.uint64(1))


def session_cohort(cohort: Cohort, rows: slice | np.ndarray,
                   state: dict[str, np.ndarray]) -> Cohort:
    """The people at ``rows`` (positions, or ``slice(None)`` for all) as they are that
    morning: a Cohort for the session engine.

    The Berg score is the day's score (balance measured by TUG or backward speed is already
    folded into it); a ``backward_practice_min`` field, where the subject model has one, gets
    the day's practice.
    """
    part = cohort if isinstance(rows, slice) else Cohort(**{      # type: ignore[arg-type]
        f.name: _rows(getattr(cohort, f.name), rows, cohort.size)
        for f in dataclasses.fields(Cohort) if f.init})
    berg = state["berg"]
    size = berg.size
    changes = dict(vo2max_ml_kg_min=state["vo2max"], hr_rest_bpm=state["hr_rest"],
                   sbp_rest=state["sbp_rest"], dbp_rest=state["dbp_rest"], berg=berg,
                   balance=balance.level_from_berg(berg).astype(cohort.balance.dtype),
                   tug_s=np.full(size, np.nan), backward_speed_mps=np.full(size, np.nan))
    if "backward_practice_min" in {f.name for f in dataclasses.fields(Cohort)}:
        changes["backward_practice_min"] = state["backward_practice"]
    if "vo2_speeding" in state:                 # training's speeding of VO2 kinetics
        changes["vo2_speeding"] = state["vo2_speeding"]
    return dataclasses.replace(part, **changes)


def _rows(value: object, rows: np.ndarray, size: int) -> object:
    """A per-subject array's rows; anything else (None, a table of options) as it is."""
    if isinstance(value, np.ndarray) and value.shape[:1] == (size,):
        return value[rows]
    return value


def session_load(session: Session, dose_weight: Weight | None = None
                 ) -> dict[str, np.ndarray]:
    """A session's reserve-minutes (minutes x fraction of the VO2 reserve its demand uses),
    training impulse (those minutes weighted by intensity,
    :func:`retrosim.physiology.dose_response.trimp_weight`) and backward minutes, per
    subject, by the trapezoid rule on the piecewise-linear timeline.

    Where a few subjects' sessions were stopped (:class:`retrosim.solve.trajectory.Patch`),
    everyone's load is read from the session as commanded and the stopped subjects' from
    their own timelines: the same bits as on the merged knots (sums in knot order, the
    repeated last knots add exact zeros), without walking everyone's per-subject knots.

    With ``dose_weight`` (a programme model's own weighting, :attr:`Course.weight`), the
    minutes weighted by it are ``dose_impulse`` too.
    """
    ph, female = session.physiology, session.cohort.female
    patch = session.patch
    if patch is None:
        return _load(session.trajectory, ph.vo2_rest, ph.vo2_max, female, dose_weight)
    idx = patch.idx
    return patch.merge(_load(patch.base, ph.vo2_rest, ph.vo2_max, female, dose_weight),
                       _load(patch.part, ph.vo2_rest[idx], ph.vo2_max[idx], female[idx],
                             dose_weight))


def _load(trajectory: Trajectory, vo2_rest: np.ndarray, vo2_max: np.ndarray,
          female: np.ndarray, dose_weight: Weight | None = None) -> dict[str, np.ndarray]:
    """:func:`session_load` of one trajectory's subjects."""
    tl = trajectory.timeline
    distinct = tl.distinct                 # knots of the same inputs: weighed once
    first, each = distinct if distinct is not None else (slice(None), slice(None))
    frac = np.clip((trajectory.met[first] - 1.0) * vo2_rest / (vo2_max - vo2_rest), 0.0, 1.0)
    weight = dose_response.trimp_weight(frac, female)[each]
    own = None if dose_weight is None else dose_weight(frac, female)[each]
    frac = frac[each]
    dt = np.diff(tl.t, axis=0)
    reserve = knot_sum(0.5 * dt * (frac[1:] + frac[:-1])) / 60.0
    impulse = knot_sum(0.5 * dt * (weight[1:] + weight[:-1])) / 60.0
    backward = knot_sum(dt * ((tl.velocity[1:] + tl.velocity[:-1]) < 0)) / 60.0
    load = {"reserve_min": reserve, "impulse": impulse,
            "backward_min": np.broadcast_to(backward, reserve.shape).copy()}
    if own is not None:
        load["dose_impulse"] = knot_sum(0.5 * dt * (own[1:] + own[:-1])) / 60.0
    return load


def _arm_process(env: simpy.Environment, scenario: Scenario, program: Program, arm: Arm,
                 cohort: Cohort, seed: int,
                 out: dict[str, ArmProgramme], models: Sequence[SessionModel]
                 ) -> Generator[simpy.Event, None, None]:
    if arm.subject:                        # the arm's own subject keys set the baseline
        cohort = cohort.with_subject_keys(dict(arm.subject))
    plan = program.arms[arm.name if arm.name in program.arms else arm.base]
    schedule = program.schedule()
    n, n_days, n_sessions = cohort.size, program.days + 1, len(schedule)
    people = _People.of(cohort, seed, program.model)
    # laid out (day, N) and (session, N) while they are filled, row by row; (N, ...) views
    # every morning is sampled (sample_mornings, to the last day): no fill needed
    daily = {name: np.empty((n_days, n), dtype=np.float32) for name in DAILY}
    sessions: dict[str, np.ndarray] = {}
    protocols: list[str] = []
    result = ArmProgramme(arm, cohort, np.arange(n_days), np.array([d for d, _ in schedule]),
                          protocols, daily, sessions)
    resume = np.zeros(n)                   # a paused person comes back on this day
    perturbed = np.zeros(n)                # perturbations met in earlier sessions
    stopped = np.zeros(n, dtype=bool)
    recorded = 0                           # mornings sampled so far

    def sample_mornings(until: int) -> dict[str, np.ndarray] | None:
        """Record the mornings up to ``until``, several days at once (at most about
        a quarter of a million values an array); everyone's state that morning, if sampled."""
        nonlocal recorded
        state = None
        step = max(1, _MORNING_VALUES // max(n, 1))
        for start in range(recorded, until + 1, step):
            stop = min(start + step, until + 1)
            batch = people.mornings(np.arange(start, stop, dtype=float))
            for name in DAILY:
                daily[name][start:stop] = batch[name]
            state = {k: v[-1] if v.ndim == 2 else v for k, v in batch.items()}
        recorded = until + 1
        return state

    for number, (day, week) in enumerate(schedule):
        yield env.timeout(day - env.now)
        morning = sample_mornings(day)
        protocol = plan.session(week, arm.protocol)
        protocols.append(str(protocol))
        active = ~stopped & (resume <= day)
        rows = np.flatnonzero(active)
        sel = slice(None) if rows.size == n else rows      # everyone: no copies
        result.log.append((np.array([day]), np.array([-1]), "session",
                           f"session {number + 1}: {protocol}"))
        if rows.size == 0:
            _blank_rows(sessions, number, sessions)
            continue
        # everyone's morning was just sampled: the same state (nobody has trained since)
        state = morning if morning is not None and rows.size == n else \
            people.state(float(day), sel)
        today = session_cohort(cohort, sel, state)
        if scenario.falls.covariates:      # the fall model's learning carries over
            today = dataclasses.replace(today, perturbations_before=perturbed[sel])
        if scenario.falls.berg_change_per_point is not None:   # Berg at the programme's start
            today = dataclasses.replace(today, berg_entry=people.base["berg0"][sel])
        session = run_arm(dataclasses.replace(arm, protocol=protocol, subject=()), scenario,
                          today, session_seed(seed, number), models=models)
        load = session_load(session, people.course.weight)
        outcome = {**session.trajectory_summary(), **session.summary,
                   "attended": np.ones(rows.size, bool), **load,
                   "hr_rest_used": state["hr_rest"],
                   "vo2max_used": state["vo2max"]}
        _record(sessions, outcome, number, sel, rows.size, n, n_sessions)
        people.train(sel, float(day), state, load)
        fell = np.asarray(session.summary.get("fell", np.zeros(rows.size, bool)), dtype=bool)
        perturbed[sel] += np.asarray(session.summary.get("stumbles", 0)) + fell
        if fell.any():
            who = rows[fell]
            result.log.append((np.full(who.size, day), who, "fall",
                               f"fell in session {number + 1}"))
            if program.on_fall == "pause":
                resume[who] = day + program.pause_days
                result.log.append((np.full(who.size, day), who, "pause",
                                   f"paused until day {day + program.pause_days:g}"))
            elif program.on_fall == "stop":
                stopped[who] = True
                result.log.append((np.full(who.size, day), who, "stop",
                                   "the programme stopped after a fall"))
    yield env.timeout(program.days - env.now)
    sample_mornings(program.days)
    if "attended" not in sessions:
        sessions["attended"] = np.zeros((n_sessions, n), bool)
    result.daily = {name: value.T for name, value in daily.items()}
    result.sessions = {name: value.T for name, value in sessions.items()}
    out[arm.name] = result


#: Values per array of the mornings sampled at once between sessions.
_MORNING_VALUES = 2 ** 18
#: A session's outcome where the person did not attend, by dtype kind.
_MISSING = {"b": False, "f": np.nan}


def _record(sessions: dict[str, np.ndarray], outcome: dict[str, Any], number: int,
            sel: slice | np.ndarray, attended: int, n: int, n_sessions: int) -> None:
    """Keep session ``number``'s per-person outcomes of the ``attended`` people at ``sel``
    (of ``n``) in ``sessions`` (session, N), one row per session, the others' not attended;
    other values (per arm, text) are left out."""
    kept = []
    for name, value in outcome.items():
        value = np.asarray(value)
        if value.shape != (attended,) or value.dtype.kind not in "biuf":
            continue
        if name not in sessions:           # rows are filled as sessions come: no pass over all
            sessions[name] = np.empty((n_sessions, n), dtype=bool
                                      if value.dtype.kind == "b" else np.float64)
            sessions[name][:number] = _MISSING[sessions[name].dtype.kind]
        if attended < n:
            sessions[name][number] = _MISSING[sessions[name].dtype.kind]
        sessions[name][number, sel] = value
        kept.append(name)
    _blank_rows(sessions, number, sessions.keys() - set(kept))


def _blank_rows(sessions: dict[str, np.ndarray], number: int,
                names: Iterable[str]) -> None:
    """Session ``number``'s row of the outcomes ``names``: not attended, for everyone."""
    for name in names:
        sessions[name][number] = _MISSING[sessions[name].dtype.kind]


def programme_bytes(scenario: Scenario, subjects: int) -> int:
    """About how much memory a programme of ``subjects`` people holds: its daily state
    (32-bit) and session outcomes (64-bit) for every arm, plus one session being solved."""
    program = scenario.program
    assert program is not None
    kept = 4 * len(DAILY) * (program.days + 1) + 8 * SESSION_FIELDS * len(program.schedule())
    knots = max(4 * len(a.protocol.stages) + 8 for a in scenario.arms.values())
    return subjects * (kept * len(scenario.arms) + budget.BYTES_PER_KNOT * knots
                       + budget.BYTES_PER_SUBJECT_ARM)


def check_memory(scenario: Scenario, subjects: int, free: int | None = None) -> None:
    """Refuse, before it starts, a programme that cannot fit in the memory free."""
    need = programme_bytes(scenario, subjects)
    free = budget.available_memory() if free is None else free
    days = scenario.program.days if scenario.program is not None else 0
    if need > free:
        raise InputError("subjects", f"{subjects:,} people over {days} days "
                         f"need about {need / 1e9:,.1f} GB of memory, more than the "
                         f"{free / 1e9:,.1f} GB free", "fewer people, or 'retrosim sweep' "
                         "(it holds one chunk of people at a time)")


def run_programme(scenario: Scenario, *, seed: int, subjects: int,
                  models: Sequence[SessionModel], first: int = 0,
                  given: Cohort | None = None) -> list[ArmProgramme]:
    """Every arm's programme for people ``first`` to ``first + subjects - 1``, on one clock;
    each session runs the event models ``models``.

    People are drawn as :func:`retrosim.engine.simulate.iter_sessions` draws them (global
    subject numbers key every random stream), so a chunk gives exactly the rows of the whole;
    ``given`` (``subjects`` people already drawn, such as a person's plausible versions) walks
    every arm instead.
    """
    program = scenario.program
    if program is None:
        raise ValueError(f"scenario {scenario.name!r} has no [program] table")
    check_memory(scenario, subjects)
    env = simpy.Environment()
    people: dict[int, Cohort] = {}
    out: dict[str, ArmProgramme] = {}
    for arm in scenario.arms.values():
        spec = arm.cohort or scenario.cohort
        if given is not None:
            people[id(spec)] = given
        elif id(spec) not in people:
            people[id(spec)] = (Cohort.from_subject(scenario.subject, subjects, first)
                                if spec is None else spec.sample(subjects, seed, first))
        env.process(_arm_process(env, scenario, program, arm, people[id(spec)], seed,
                                 out, models))
    env.run()
    return [out[name] for name in scenario.arms]

