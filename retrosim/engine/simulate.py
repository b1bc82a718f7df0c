"""SimPy wiring: the session processes, the event log and the run loop.

One SimPy environment per arm. The protocol follower is a process that commands the treadmill
at each stage and waits out the stage; the treadmill turns commands into knots of a
piecewise-linear history. When the environment has run, the arm's inputs are a
:class:`~retrosim.solve.timeline.Timeline` and the whole cohort's physiology follows from it in
closed form (:mod:`retrosim.solve.trajectory`). Simultaneous events keep SimPy's order: the order
in which they were scheduled.

:func:`build_session` is the one recipe for an arm's session as commanded (open loop, or a
controller in the loop: :mod:`retrosim.engine.controlled`); :func:`run_session` hands it to
the event models it is given (``models=``, see :mod:`retrosim.events.base`), splices in the
stops they propose and lets them describe the aftermath. The engine imports no event model
and no consumer of results: :func:`retrosim.run` (:mod:`retrosim.api`) passes the bundled
models and assembles the Dataset.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from functools import lru_cache

import numpy as np
import simpy

from retrosim.engine import controlled
from retrosim.engine.session import EventLog, Session, SessionModel
from retrosim.engine.treadmill import Treadmill
from retrosim.model.people import Cohort
from retrosim.model.protocol import Protocol, Stage
from retrosim.model.scenario import Arm, Scenario
from retrosim.model.subject import HANDRAIL_LEVELS
from retrosim.model.treadmill import TreadmillLimits, start_state
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import Physiology, outside_source, solve


def follow_protocol(env: simpy.Environment, protocol: Protocol, belt: Treadmill,
                    log: EventLog) -> Generator[simpy.Event, None, None]:
    """Command each stage in turn and wait out its duration."""
    for stage in protocol.stages:
        log.add(env.now, "stage", str(stage))
        reached = belt.command(stage.direction * stage.speed_mps, stage.grade_frac)
        if reached > env.now:
            env.process(_announce(env, reached, stage, log))
        yield env.timeout(stage.duration_s)
    log.add(env.now, "end", "protocol complete")


def _announce(env: simpy.Environment, at: float, stage: Stage,
              log: EventLog) -> Generator[simpy.Event, None, None]:
    yield env.timeout(at - env.now)
    log.add(env.now, "target", f"treadmill at target of '{stage}'")


def simulate_arm(protocol: Protocol, limits: TreadmillLimits) -> tuple[Timeline, EventLog]:
    """Run one arm's SimPy session; return its input timeline and event log.

    The open loop depends on the protocol and the treadmill alone, so a programme that walks
    one protocol for a week runs it once: the timeline (read-only) is shared, the log is a
    copy that the session may extend.
    """
    timeline, log = _simulated(protocol, limits)
    return timeline, log.copy()


@lru_cache(maxsize=64)
def _simulated(protocol: Protocol, limits: TreadmillLimits) -> tuple[Timeline, EventLog]:
    env = simpy.Environment()
    velocity, grade, _ = start_state(limits, protocol.stages[0])
    belt = Treadmill(env, limits, velocity, grade)
    log = EventLog()
    env.process(follow_protocol(env, protocol, belt, log))
    env.run()
    timeline = _timeline(protocol, belt)
    for knots in (timeline.t, timeline.velocity, timeline.grade, timeline.handrail,
                  timeline.direction):
        knots.setflags(write=False)
    return timeline, log


def _timeline(protocol: Protocol, belt: Treadmill) -> Timeline:
    """Belt knots plus stage boundaries; a handrail change at a boundary is a jump."""
    end = protocol.duration_s
    starts = np.cumsum([0.0] + [s.duration_s for s in protocol.stages[:-1]])
    support = np.array([-1 if s.handrail is None else HANDRAIL_LEVELS.index(s.handrail)
                        for s in protocol.stages])
    direction = np.array([s.direction for s in protocol.stages])
    tb, v, g = belt.knots(end)
    times, stage_at = [], []
    for t in np.union1d(tb, starts[starts < end]):
        i = int(np.searchsorted(starts, t, side="right") - 1)
        if i > 0 and t == starts[i] and support[i] != support[i - 1]:
            times.append(t)
            stage_at.append(i - 1)
        times.append(t)
        stage_at.append(i)
    t = np.asarray(times)
    idx = np.asarray(stage_at)
    return Timeline.shared(t, np.interp(t, tb, v), np.interp(t, tb, g), support[idx],
                           direction[idx])


def walkers(arm: Arm, scenario: Scenario, cohort: Cohort) -> tuple[Cohort, Physiology]:
    """The people who walk ``arm`` (the arm's subject keys and handrail applied to
    ``cohort``) and their physiology."""
    if arm.subject:
        cohort = cohort.with_subject_keys(dict(arm.subject))
    if arm.handrail is not None:
        cohort = cohort.with_handrail(arm.handrail)
    return cohort, Physiology.of(cohort, scenario.energy)


def session_of(arm: Arm, scenario: Scenario, cohort: Cohort, physiology: Physiology, seed: int,
               timeline: Timeline, log: EventLog, summary: dict[str, np.ndarray] | None = None,
               traces: controlled.Traces | None = None) -> Session:
    """The session of :func:`walkers` on the inputs ``timeline``, its physiology solved."""
    for start, text in outside_source(arm.protocol, scenario.energy):   # the model's fallback
        log.add(start, "energy-outside", text)
    return Session(arm, scenario, cohort, seed, timeline, physiology,
                   solve(timeline, physiology, scenario.energy), log, summary or {},
                   traces or {})


def build_session(arm: Arm, scenario: Scenario, cohort: Cohort, seed: int) -> Session:
    """One arm's session for the whole cohort as commanded, before any event model ran.

    The arm's subject keys and handrail apply to the cohort (:func:`walkers`); the inputs
    come from the SimPy run (the protocol follower on the open-loop plant, or the controller
    in the loop when the arm has one); the physiology follows in closed form
    (:func:`session_of`). Everything that simulates an arm starts here: the engine,
    :func:`retrosim.events.fall_hazard.exact_risk`, and (with the live loop's inputs) the FTMS
    treadmill.
    """
    cohort, physiology = walkers(arm, scenario, cohort)
    traces: controlled.Traces = {}
    summary: dict[str, np.ndarray] = {}
    if controlled.is_controlled(arm):          # a controller in the loop: per-subject inputs
        timeline, log, traces, summary = controlled.simulate_arm(arm, scenario, cohort,
                                                                 physiology, seed)
    else:
        timeline, log = simulate_arm(arm.protocol, scenario.treadmill)
    return session_of(arm, scenario, cohort, physiology, seed, timeline, log, summary, traces)


def run_session(session: Session, models: Sequence[SessionModel]) -> Session:
    """Run the event models on a built session: every ``during`` hook in model order, then
    the stops they proposed (spliced into each subject's timeline, physiology solved again),
    then every ``after`` hook; each subject's ``stop_reason`` is recorded."""
    for model in models:
        if model.during is not None:
            model.during(session)
    session.apply_stops(session.scenario.treadmill.estop_decel_mps2)
    for model in models:
        if model.after is not None:
            model.after(session)
    controlled.bind_traces(session)
    session.summary["stop_reason"] = session.stop_reasons()
    return session


def run_arm(arm: Arm, scenario: Scenario, cohort: Cohort, seed: int, *,
            models: Sequence[SessionModel]) -> Session:
    """Simulate one arm for the whole cohort with the event models ``models``.

    The SimPy run gives the inputs; the physiology follows in closed form; per-subject
    event models may then stop some subjects, whose physiology is solved again.
    """
    return run_session(build_session(arm, scenario, cohort, seed), models)


def people(scenario: Scenario, arm: Arm, subjects: int, seed: int, first: int = 0) -> Cohort:
    """The people who walk ``arm``: draws of the scenario's subject, or of its population (the
    scenario's ``[cohort]``, or the arm's own at a cohort grid point), global numbers
    ``first`` to ``first + subjects - 1``."""
    spec = arm.cohort or scenario.cohort
    return (Cohort.from_subject(scenario.subject, subjects, first) if spec is None
            else spec.sample(subjects, seed, first))


def iter_sessions(scenario: Scenario, *, seed: int, subjects: int, first: int = 0,
                  models: Sequence[SessionModel]) -> Iterator[Session]:
    """Each arm's session, one at a time, for people ``first`` to ``first + subjects - 1``.

    People are global subject numbers: a chunk of a sweep gives exactly the rows a run of the
    whole would. They are drawn once per population (the scenario's, or an arm's own at a
    cohort grid point) and walk every arm.
    """
    drawn: dict[int, Cohort] = {}
    for arm in scenario.arms.values():
        spec = arm.cohort or scenario.cohort
        if id(spec) not in drawn:
            drawn[id(spec)] = people(scenario, arm, subjects, seed, first)
        yield run_arm(arm, scenario, drawn[id(spec)], seed, models=models)
