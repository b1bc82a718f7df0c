"""A session stepped live: one walker on one treadmill, commanded as the walk goes.

:meth:`retrosim.Simulation.live` gives a :class:`LiveSession`: the person of a scenario (its
``[subject]``, or the first person of its ``[cohort]``) on the treadmill of one arm, in the
closed loop of :class:`retrosim.engine.closedloop.ClosedLoop`. A driver (the virtual FTMS
treadmill, :mod:`retrosim.ftms`) sends commands and moves simulated time on; the belt, the
incline and the physiology follow in closed form. At any moment :meth:`LiveSession.dataset`
turns the walk so far into the result Dataset a run gives, through the same event models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import xarray as xr

from retrosim.controllers.base import Command
from retrosim.engine.closedloop import PAUSED, RUNNING, ClosedLoop
from retrosim.engine.session import EventLog
from retrosim.engine.simulate import people, run_session, session_of, walkers
from retrosim.errors import check_number
from retrosim.events.base import EventModel
from retrosim.model import budget
from retrosim.model.arm import Arm
from retrosim.model.scenario import Scenario
from retrosim.results import dataset as results


class LiveSession:
    """One walker on one treadmill, moved on in time and driven by commands.

    :meth:`advance_to` moves simulated time on, :meth:`command` drives the treadmill (see the
    module docstring).

    Parameters
    ----------
    scenario : Scenario
        What the walker and the treadmill are (its ``[safety]``, ``[treadmill]`` and
        ``[energy]`` apply).
    arm : Arm
        The arm walked: its subject keys and handrail apply to the person.
    seed : int
        The run's seed (the event models' draws in :meth:`dataset`).
    models : sequence of EventModel
        The event models :meth:`dataset` runs on the walk.

    Examples
    --------
    >>> from retrosim import Simulation, load_scenario
    >>> live = Simulation(load_scenario("compendium-2011")).live()
    >>> live.command(Command(speed_mps=1.2, grade_frac=0.02, start=True))
    >>> live.advance_to(300.0)
    >>> round(live.velocity_mps, 4), live.running
    (1.207, True)
    """

    def __init__(self, scenario: Scenario, arm: Arm, seed: int,
                 models: Sequence[EventModel]) -> None:
        self.scenario, self.arm, self.seed = scenario, arm, seed
        self.models = tuple(models)
        self._cohort, self._physiology = walkers(arm, scenario, people(scenario, arm, 1, seed))
        self._log = EventLog()
        self._loop = ClosedLoop(self._physiology, scenario.treadmill, scenario.energy,
                                log=self._log)

    # -- time and commands -------------------------------------------------------------------
    @property
    def now_s(self) -> float:
        """Simulated time since the start [s]."""
        return self._loop.now

    def advance_to(self, t_s: float) -> None:
        """Move the belt, the incline and the walker on to time ``t_s`` [s], in closed form."""
        self._loop.advance_to(t_s)

    def command(self, command: Command) -> None:
        """Apply ``command`` now, with the plant's rules (ramp limits, the console's speed
        step, a latched emergency stop that refuses everything but a reset at rest)."""
        self._loop.command(command)

    def pull_key(self) -> None:
        """The safety key leaves its socket: an emergency stop, latched."""
        self._loop.pull_key(np.ones(1, bool))

    def insert_key(self) -> None:
        """The safety key is back; the latch stays until a reset."""
        self._loop.insert_key(np.ones(1, bool))

    def log(self, kind: str, detail: str) -> None:
        """An event of the walker's, now (it goes to the result's event log)."""
        self._log.add(self._loop.now, kind, detail, 0)

    # -- the treadmill -----------------------------------------------------------------------
    @property
    def velocity_mps(self) -> float:
        """The belt's velocity [m s-1], negative when it runs backward."""
        return float(self._loop.v[0])

    @property
    def grade_frac(self) -> float:
        """The incline [-] (0.05 = 5 %)."""
        return float(self._loop.g[0])

    @property
    def direction(self) -> int:
        """The direction set: +1 forward, -1 backward."""
        return int(self._loop.set_dir[0])

    @property
    def target_speed_mps(self) -> float:
        """The console's target speed [m s-1, >= 0], rounded to its step."""
        return float(self._loop.set_speed[0])

    @property
    def running(self) -> bool:
        """True while the belt is driven (started, not stopped or paused)."""
        return bool(self._loop.mode[0] == RUNNING)

    @property
    def paused(self) -> bool:
        """True while the belt is paused."""
        return bool(self._loop.mode[0] == PAUSED)

    @property
    def latched(self) -> bool:
        """True while an emergency stop holds (until a reset at rest with the key in)."""
        return bool(self._loop.latched[0])

    @property
    def key_in(self) -> bool:
        """True while the safety key is in its socket."""
        return bool(self._loop.key[0])

    # -- the walker --------------------------------------------------------------------------
    @property
    def distance_m(self) -> float:
        """The belt distance walked so far [m]."""
        return float(self._loop.distance_m[0])

    @property
    def energy_kcal(self) -> float:
        """The energy spent so far [kcal]."""
        return float(self._loop.kcal[0])

    @property
    def energy_rate_kcal_per_s(self) -> float:
        """The energy rate now [kcal s-1]."""
        return float(self._loop.kcal_rate_per_s[0])

    @property
    def hr_bpm(self) -> float:
        """The heart rate now [min-1]."""
        return float(self._loop.hr[0])

    @property
    def met(self) -> float:
        """The metabolic equivalent of the walk now [-]."""
        return float(self._loop.met[0])

    # -- the walk as a result ----------------------------------------------------------------
    def dataset(self, trace_step_s: float = 1.0) -> xr.Dataset:
        """The walk so far as a result Dataset.

        It has every variable a run of the same scenario gives: the walk as it was driven, run
        through the event models and assembled the same way. Its size is checked first, as a
        run's is (:func:`retrosim.model.budget.check_run`).

        Parameters
        ----------
        trace_step_s : float, default 1.0
            The trace resolution [s], 0.01 to 3600.

        Returns
        -------
        xarray.Dataset
            One arm (this one), one subject, traces from 0 to now.
        """
        step = check_number("trace_step_s", trace_step_s, 0.01, 3600.0, "s")
        loop = self._loop
        timeline = loop.timeline()
        budget.check_run(self.scenario.limits, [len(timeline.t)], [max(loop.now, step)],
                         1, step)
        sc = replace(self.scenario, arms={self.arm.name: self.arm})
        session = session_of(self.arm, sc, self._cohort, self._physiology, self.seed,
                             timeline, self._log.copy())
        run_session(session, self.models)
        return results.assemble([session], sc, seed=self.seed, trace_step_s=trace_step_s,
                                models=self.models)
