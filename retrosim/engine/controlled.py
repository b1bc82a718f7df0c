"""A controlled arm: the SimPy session that calls a controller in the loop.

An arm with a ``[controller]`` (or with faults) is run here instead of the shared-timeline
path of :mod:`retrosim.engine.simulate`. One SimPy process walks the arm's call instants: every
``period_s`` of the controller, every stage start and every fault's start and end. At each
instant, in this order, it

1. advances every subject's plant and physiology to now (:class:`~retrosim.engine.closedloop.
   ClosedLoop`, in closed form);
2. starts the stage that begins now (logged, its handrail in force);
3. applies the plant faults (the safety key, a slipping belt) and logs faults that start or end;
4. builds the :class:`~retrosim.controllers.Observation` through the (possibly faulty) sensors;
5. calls the controller once (reason "stage", "fault" or "tick") and applies its command.

At the end the loop's knots are a per-subject :class:`~retrosim.solve.timeline.Timeline` and the
rest of the engine (physiology, falls, blood pressure, results) runs on it unchanged. The
controller's view is kept as traces: ``hr_sensor`` (what the console read), ``target_speed``
and ``target_grade`` (what it was told), held between calls; and as summaries each subject's
heart-rate ceiling ``hr_ceiling`` and the largest rise of the target speed and incline the
treadmill was asked for in one call (after the supervisor and the bus), with when
(``command_speed_step``, ``command_speed_step_time``, ``command_grade_step``,
``command_grade_step_time``; for :mod:`retrosim.testing`). The controller's answers are
checked at every call (:mod:`retrosim.controllers.contract`): a broken contract stops the run
with one line, a controller's exception with its own traceback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from retrosim.controllers.base import Observation, PerSubject, period_of
from retrosim.controllers.contract import (
    Checked,
    CommandSteps,
    ControllerCrash,
    ControllerError,
    check_params,
    check_period,
)
from retrosim.controllers.faults import BUS_KINDS, FaultSchedule, FaultyBus, check_fault_times
from retrosim.controllers.safety import SafetyLimits
from retrosim.controllers.spec import ControllerSpec
from retrosim.controllers.supervisor import SafetySupervisor
from retrosim.engine.closedloop import MAX_BELT_MPS, MAX_GRADE_FRAC, RUNNING, ClosedLoop
from retrosim.engine.session import ALL, EventLog
from retrosim.model import budget
from retrosim.model.people import Cohort
from retrosim.model.subject import HANDRAIL_LEVELS
from retrosim.model.treadmill import start_state
from retrosim.solve.timeline import Timeline
from retrosim.solve.trajectory import Physiology

if TYPE_CHECKING:
    from retrosim.model.scenario import Arm, Scenario

Traces = dict[str, Callable[[np.ndarray], np.ndarray]]


def is_controlled(arm: Arm) -> bool:
    """True if the arm runs in the loop: it has a controller or faults."""
    return getattr(arm, "controller", None) is not None or bool(getattr(arm, "faults", ()))


def build_controller(arm: Arm, scenario: Scenario, schedule: FaultSchedule | None) -> Any:
    """The arm's controller, fresh and vectorised, with the faulty bus in front of the
    supervisor (or of the controller) when a bus fault is scheduled; and the
    :class:`~retrosim.controllers.contract.Checked` wrapper right around the user's own
    controller (its contract is checked at every call)."""
    spec = arm.controller or ControllerSpec(name="protocol")
    safety = getattr(scenario, "safety", None) or _default_limits()
    label = spec.name or spec.path or type(spec.instance).__name__
    controller = spec.build(safety)
    supervised = isinstance(controller, SafetySupervisor)
    user = controller.inner if supervised else controller
    raw = user.prototype if isinstance(user, PerSubject) else user
    check_period(raw, label, arm.name)
    if spec.path is not None:
        check_params(type(raw), dict(spec.params), label, arm.name)
    checked = Checked(user, label, arm.name, max_speed_mps=MAX_BELT_MPS,
                      max_grade_frac=MAX_GRADE_FRAC, limits=safety)
    inner: Any = checked
    if schedule is not None and any(f.kind in BUS_KINDS for f in schedule.faults):
        inner = FaultyBus(checked, schedule)
    return controller.with_inner(inner) if supervised else inner


def _default_limits() -> Any:
    return SafetyLimits()


def call_instants(arm: Arm, period_s: float) -> tuple[np.ndarray, list[str]]:
    """The instants the controller is called, and why (stage, fault or tick)."""
    end = arm.protocol.duration_s
    starts = np.cumsum([0.0] + [s.duration_s for s in arm.protocol.stages[:-1]])
    reasons: dict[float, str] = {}
    if math.isfinite(period_s):
        for t in np.arange(0.0, end, period_s):
            reasons[float(t)] = "tick"
    for f in arm.faults:
        for t in (f.start_s, f.end_s):
            if t < end:
                reasons[float(t)] = "fault"
    for t in starts:
        reasons[float(t)] = "stage"
    times = sorted(reasons)
    return np.array(times), [reasons[t] for t in times]


def simulate_arm(arm: Arm, scenario: Scenario, cohort: Cohort, physiology: Physiology,
                 seed: int) -> tuple[Timeline, EventLog, Traces, dict[str, np.ndarray]]:
    """Run one controlled arm for the whole cohort: its timeline, event log, traces and
    summaries (``hr_ceiling``, each subject's heart-rate ceiling of the safety limits)."""
    stages = arm.protocol.stages
    end = arm.protocol.duration_s
    check_fault_times(arm.faults, end, arm.name)
    probe = build_controller(arm, scenario, None)
    budget.check_calls(arm, period_of(probe), scenario, cohort.size)   # before the instants
    times, reasons = call_instants(arm, period_of(probe))
    schedule = FaultSchedule(tuple(arm.faults), cohort.index, seed, arm.name, times)
    controller = build_controller(arm, scenario, schedule)
    steps = CommandSteps(cohort.size)
    log = EventLog()
    limits = scenario.treadmill
    first = stages[0]
    velocity, grade, running = start_state(limits, first)
    loop = ClosedLoop(physiology, limits, scenario.energy, velocity=velocity, grade=grade,
                      running=running, direction=first.direction, handrail=_support(first),
                      log=log)
    record: dict[str, _Held] = {"target_speed": _Held(), "target_grade": _Held()}
    env = simpy.Environment()
    failed: list[BaseException] = []
    env.process(_session(env, arm, loop, controller, schedule, times, reasons, record,
                         physiology, steps, failed))
    env.run()
    if failed:                    # raised here, so that no SimPy frame is in its traceback
        raise failed[0]
    loop.advance_to(end)
    log.add(end, "end", "protocol complete")
    held: Traces = {name: h.sample for name, h in record.items()}
    held["hr_sensor"] = _SensorTrace(times, schedule).sample
    limits = getattr(scenario, "safety", None) or _default_limits()
    summary = {"hr_ceiling": limits.hr_ceiling(physiology.hr_max)}
    summary.update({f"command_{k}": v for k, v in steps.steps.items()})
    return loop.timeline(), log, held, summary


def _support(stage: Any) -> int:
    return -1 if stage.handrail is None else HANDRAIL_LEVELS.index(stage.handrail)


def _session(env: simpy.Environment, arm: Arm, loop: ClosedLoop, controller: Any,
             schedule: FaultSchedule, times: np.ndarray, reasons: list[str],
             record: dict[str, _Held], physiology: Physiology, steps: CommandSteps,
             failed: list[BaseException]) -> Generator[simpy.Event, None, None]:
    stages = arm.protocol.stages
    starts = np.cumsum([0.0] + [s.duration_s for s in stages[:-1]])
    log = loop.log
    stage_i = -1
    for t, reason in zip(times.tolist(), reasons, strict=True):
        if t > env.now:
            yield env.timeout(t - env.now)
        loop.advance_to(env.now)
        while stage_i + 1 < len(stages) and starts[stage_i + 1] <= env.now:
            stage_i += 1
            log.add(env.now, "stage", str(stages[stage_i]))
            loop.set_handrail(_support(stages[stage_i]))
        _log_faults(schedule, env.now, log)
        schedule.plant(loop, env.now)
        stage = stages[stage_i]
        hr, speed = schedule.sense(env.now, loop.hr, np.abs(loop.v))
        support = np.where(loop.handrail >= 0, loop.handrail, physiology.handrail)
        obs = Observation(
            time_s=env.now, reason=reason, speed_mps=speed, grade_frac=loop.g.copy(),
            direction=loop.set_dir.copy(), hr_bpm=hr, safety_key=loop.key.copy(),
            estop=loop.latched.copy(), running=loop.mode == RUNNING, handrail=support > 0,
            target_speed_mps=loop.set_speed.copy(), target_grade_frac=loop.set_grade.copy(),
            hr_max_bpm=physiology.hr_max, stage=stage_i, stage_speed_mps=stage.speed_mps,
            stage_grade_frac=stage.grade_frac, stage_direction=stage.direction,
            stage_remaining_s=float(starts[stage_i] + stage.duration_s - env.now),
            speed_step_mps=loop.limits.speed_step_mps)
        try:
            cmd = controller.step(obs)
        except (ControllerError, ControllerCrash) as err:
            failed.append(err)
            return
        steps.record(cmd, obs)
        loop.command(cmd)
        record["target_speed"].add(env.now, loop.set_speed)
        record["target_grade"].add(env.now, loop.set_grade)


def _log_faults(schedule: FaultSchedule, t: float, log: EventLog) -> None:
    for f, mask in zip(schedule.faults, schedule.masks, strict=True):
        for at, word in ((f.start_s, "starts"), (f.end_s, "ends")):
            if at == t:
                who = np.array([ALL]) if mask.all() else np.flatnonzero(mask)
                log.add_many(np.full(who.size, t), who, "fault", f"{f}: {word}")


class _Held:
    """A per-subject value held between the calls that change it (kept at changes only)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.values: list[np.ndarray] = []

    def add(self, t: float, value: np.ndarray) -> None:
        if not self.values or (value != self.values[-1]).any():
            self.times.append(t)
            self.values.append(value.copy())

    def sample(self, at: np.ndarray) -> np.ndarray:
        """``(M, N)`` values at times ``at``."""
        i = np.clip(np.searchsorted(self.times, np.asarray(at, dtype=float), side="right") - 1,
                    0, len(self.times) - 1)
        return np.stack(self.values)[i]


class _SensorTrace:
    """What the console's heart-rate sensor read at the last call before each time: the
    heart rate of the final session (:func:`bind_traces`) at that call, through the faults."""

    def __init__(self, call_times: np.ndarray, schedule: FaultSchedule) -> None:
        self.call_times, self.schedule = call_times, schedule
        self.trajectory: Any = None

    def sample(self, at: np.ndarray) -> np.ndarray:
        at = np.asarray(at, dtype=float)
        i = np.clip(np.searchsorted(self.call_times, at, side="right") - 1, 0,
                    len(self.call_times) - 1)
        calls, where = np.unique(self.call_times[i], return_inverse=True)
        hr = self.trajectory.sample(calls)["hr"]
        read = np.stack([self.schedule.sense(float(t), row, row)[0]
                         for t, row in zip(calls, hr, strict=True)])
        return read[where.ravel()]


def bind_traces(session: Any) -> None:
    """Give a controlled session's sensor trace its final trajectory (an ``AFTER`` model of
    :mod:`retrosim.engine.simulate`: after every stop is spliced in)."""
    sensor = session.traces.get("hr_sensor")
    owner = getattr(sensor, "__self__", None)
    if isinstance(owner, _SensorTrace):
        owner.trajectory = session.trajectory
