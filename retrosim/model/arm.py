"""One arm of a scenario: a protocol every subject walks, with what the arm itself sets.

>>> from retrosim.model.protocol import Protocol
>>> Arm("a", Protocol.parse(["walk forward at 3 mph for 10 min"])).protocol.duration_s
600.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retrosim.controllers.faults import Fault
from retrosim.controllers.spec import ControllerSpec
from retrosim.model.cohort import CohortSpec
from retrosim.model.protocol import Protocol


@dataclass(frozen=True)
class Arm:
    """One protocol of a scenario, run by every subject."""

    name: str
    protocol: Protocol
    handrail: str | None = None
    description: str = ""
    params: tuple[tuple[str, Any], ...] = ()      # a [sweep] grid point: (parameter, value)
    cohort: CohortSpec | None = None              # its own population (a cohort grid point)
    base: str = ""                                # the arm it was swept from
    subject: tuple[tuple[str, Any], ...] = ()     # subject keys this arm sets for everyone
    bp_readings_min: tuple[float, ...] | None = None   # its own reading times ([bp] otherwise)
    controller: ControllerSpec | None = None      # runs in the loop (retrosim.engine.controlled)
    faults: tuple[Fault, ...] = ()                # injected into the loop (controllers.faults)
