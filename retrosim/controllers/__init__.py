"""Treadmill controllers: the interface, the reference controllers and the safety supervisor.

A controller receives an :class:`Observation` every ``period_s`` seconds and on events, and
returns a :class:`Command` (see :mod:`retrosim.controllers.base`). The reference controllers
are the scripted :class:`ProtocolFollower` (what an arm without a controller does), a
:class:`HeartRateTarget` program, and the :class:`SafetySupervisor` that wraps any controller
and enforces the safety limits. A scenario names one in ``[controller]`` (or
``[arms.NAME.controller]``) by ``name`` or by ``path = "package.module:Class"``;
:func:`attach` puts a Python object on every arm of a scenario.

>>> import retrosim
>>> sc = attach(retrosim.load_scenario("compendium-2011"), HeartRateTarget(target_hr_bpm=120))
>>> sc.arms["forward-level"].controller.label
'HeartRateTarget'
"""

from __future__ import annotations

import dataclasses
from typing import Any

from retrosim.controllers.base import (
    Command,
    Controller,
    Observation,
    PerSubject,
    is_vectorised,
    vectorise,
)
from retrosim.controllers.faults import Fault
from retrosim.controllers.reference import HeartRateTarget, ProtocolFollower
from retrosim.controllers.spec import CONTROLLERS, ControllerSpec
from retrosim.controllers.supervisor import SafetySupervisor

__all__ = ["CONTROLLERS", "Command", "Controller", "ControllerSpec", "HeartRateTarget",
           "Observation", "PerSubject", "ProtocolFollower", "SafetySupervisor", "attach",
           "is_vectorised", "vectorise"]


def attach(scenario: Any, controller: Any, *, arms: list[str] | None = None,
           supervisor: bool = False, faults: Any = None, period_s: float | None = None) -> Any:
    """``scenario`` with ``controller`` driving its arms (all, or those named in ``arms``).

    ``controller`` is an object (each arm runs its own copy), a reference name ("hr-target")
    or an import path ("package.module:Class"). ``supervisor`` wraps it in the
    :class:`SafetySupervisor` with the scenario's ``[safety]`` limits; ``faults`` (a list of
    :class:`retrosim.controllers.faults.Fault` or of fault tables) replace the arms' own.
    """
    spec = ControllerSpec.of(controller, supervisor=supervisor, period_s=period_s)
    if faults is not None:
        faults = tuple(f if isinstance(f, Fault) else Fault.from_table(f) for f in faults)
    chosen = scenario.arms if arms is None else arms
    new = {}
    for name, arm in scenario.arms.items():
        if name in chosen:
            arm = dataclasses.replace(arm, controller=spec,
                                      faults=arm.faults if faults is None else faults)
        new[name] = arm
    return dataclasses.replace(scenario, arms=new)
