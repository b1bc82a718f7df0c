"""SimPy wiring: the session processes, the event log and the run loop.

One SimPy environment per arm. The protocol follower is a process that commands the treadmill
at each stage and waits out the stage; the treadmill turns commands into knots of a
piecewise-linear history. When the environment has run, the arm's inputs are a
:class:`~retrosim.solve.trajectory.Timeline` and the whole cohort's physiology follows from it in
closed form (:mod:`retrosim.solve.trajectory`). Simultaneous events keep SimPy's order: the order in
which they were scheduled.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator

import numpy as np
import simpy
import xarray as xr

from retrosim.engine import controlled
from retrosim.engine.session import EventLog, Session
from retrosim.engine.treadmill import Treadmill
from retrosim.events import bp, falls, guidance
from retrosim.model.protocol import Protocol, Stage
from retrosim.model.scenario import Arm, Scenario
from retrosim.model.subject import HANDRAIL_LEVELS, Cohort
from retrosim.model.treadmill import TreadmillLimits, start_state
from retrosim.results import dataset as results
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import Physiology, solve


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
    """Run one arm's SimPy session; return its input timeline and event log."""
    env = simpy.Environment()
    velocity, grade, _ = start_state(limits, protocol.stages[0])
    belt = Treadmill(env, limits, velocity, grade)
    log = EventLog()
    env.process(follow_protocol(env, protocol, belt, log))
    env.run()
    return _timeline(protocol, belt), log


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


#: Per-subject event models, called in order with each arm's :class:`Session`. ``DURING``
#: models see the session as commanded and may propose stops (a fall, a stop criterion);
#: ``AFTER`` models run once the stops are spliced in and describe the aftermath.
DURING: list[Callable[[Session], None]] = [guidance.check, falls.simulate, bp.exercise_alarms]
AFTER: list[Callable[[Session], None]] = [falls.summarise, bp.after_exercise,
                                          controlled.bind_traces]


def run_arm(arm: Arm, scenario: Scenario, cohort: Cohort, seed: int) -> Session:
    """Simulate one arm for the whole cohort.

    The SimPy run gives the shared inputs; the physiology follows in closed form; per-subject
    event models may then stop some subjects, whose physiology is solved again.
    """
    if arm.subject:
        cohort = cohort.with_subject_keys(dict(arm.subject))
    if arm.handrail is not None:
        cohort = cohort.with_handrail(arm.handrail)
    physiology = Physiology.of(cohort, scenario.energy)
    traces, summary = {}, {}
    if controlled.is_controlled(arm):          # a controller in the loop: per-subject inputs
        timeline, log, traces, summary = controlled.simulate_arm(arm, scenario, cohort,
                                                                 physiology, seed)
    else:
        timeline, log = simulate_arm(arm.protocol, scenario.treadmill)
    session = Session(arm, scenario, cohort, seed, timeline, physiology,
                      solve(timeline, physiology, scenario.energy), log, summary, traces)
    for model in DURING:
        model(session)
    session.apply_stops(scenario.treadmill.estop_decel_mps2)
    for model in AFTER:
        model(session)
    return session


def run(scenario: Scenario, *, seed: int | None = None, subjects: int | None = None,
        traces: bool = True, trace_step_s: float | None = None) -> xr.Dataset:
    """Run every arm of ``scenario`` and return the result Dataset.

    Parameters
    ----------
    scenario : from :func:`retrosim.load_scenario`.
    seed : overrides the scenario's seed.
    subjects : number of virtual people, each a draw of the scenario's subject (default 1),
        or people sampled from its ``[cohort]`` (default the cohort's size).
    traces : False keeps only the per-subject summaries (much less memory for large cohorts).
    trace_step_s : trace resolution [s]; default the scenario's (1 s unless it says).
    """
    from retrosim.model.scenario import check_run_arguments

    seed, subjects, step = check_run_arguments(scenario, seed, subjects, trace_step_s)
    if scenario.program is not None:       # a programme of sessions over weeks
        from retrosim.engine import programme

        return programme.run(scenario, seed=seed, subjects=subjects)
    sessions = list(iter_sessions(scenario, seed=seed, subjects=subjects))
    return results.assemble(sessions, scenario, seed=seed,
                            trace_step_s=step if traces else None)


def iter_sessions(scenario: Scenario, *, seed: int, subjects: int,
                  first: int = 0) -> Iterator[Session]:
    """Each arm's session, one at a time, for people ``first`` to ``first + subjects - 1``.

    People are global subject numbers: a chunk of a sweep gives exactly the rows a run of the
    whole would. They are drawn once per population (the scenario's, or an arm's own at a
    cohort grid point) and walk every arm.
    """
    people: dict[int, Cohort] = {}
    for arm in scenario.arms.values():
        spec = arm.cohort or scenario.cohort
        if id(spec) not in people:
            people[id(spec)] = (Cohort.from_subject(scenario.subject, subjects, first)
                                if spec is None else spec.sample(subjects, seed, first))
        yield run_arm(arm, scenario, people[id(spec)], seed)
